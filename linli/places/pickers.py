"""The searched pickers of the place registry (core.picker): dwellings, entrances, compounds, grids."""

from linli.core.picker import Source
from linli.places import selectors

DWELLINGS = Source(
    url_name="places:pick_dwellings", noun="房屋", placeholder="如：康宁 1号楼 101",
    search=selectors.dwellings_matching,
    prepare=lambda qs: qs.select_related("entrance__building__compound"))

ENTRANCES = Source(
    url_name="places:pick_entrances", noun="单元", placeholder="如：康宁 1号楼 2单元",
    search=selectors.entrances_matching,
    prepare=lambda qs: qs.select_related("building__compound"))

COMPOUNDS = Source(
    url_name="places:pick_compounds", noun="小区", placeholder="小区名称、地址或所在社区",
    search=selectors.compounds_matching,
    label=lambda c: f"{c.community.name} · {c.name}",
    prepare=lambda qs: qs.select_related("community"))

GRIDS = Source(
    url_name="places:pick_grids", noun="网格", placeholder="网格名称、编码或所在社区",
    search=selectors.grids_matching,
    label=lambda g: f"{g.name}（{g.community.name}）",
    prepare=lambda qs: qs.select_related("community"))
