"""The map's GeoJSON, the hull outlines, and loading a city's own outlines."""

import json

import pytest
from django.core.management import CommandError, call_command

from linli.cases.tests.test_figures import make
from linli.cockpit import geo
from linli.cockpit.tests.test_access import locate
from linli.core.models import AuditEntry
from linli.orgs.tests.factories import PartyOrgFactory
from linli.places.models import UnitOutline
from linli.testing import table_counts

SQUARE = {"type": "Polygon", "coordinates": [[[112.5, 37.7], [112.6, 37.7], [112.6, 37.8], [112.5, 37.8], [112.5, 37.7]]]}


def _file(tmp_path, data, name="city.geojson"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def _feature(code, geometry=SQUARE, **props):
    return {"type": "Feature", "properties": {"code": code, **props}, "geometry": geometry}


def test_the_hull_holds_every_point_and_no_inner_one():
    points = [(0, 0), (2, 0), (2, 2), (0, 2), (1, 1), (1, 0)]
    assert set(geo.convex_hull(points)) == {(0, 0), (2, 0), (2, 2), (0, 2)}
    polygon = geo.hull_polygon(points)
    ring = polygon["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5
    # padded outwards: every corner lies beyond the points
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    assert min(xs) < 0 and max(xs) > 2 and min(ys) < 0 and max(ys) > 2
    # one or two points still make an area; none makes nothing
    assert len(geo.hull_polygon([(112.5, 37.8)])["coordinates"][0]) == 5
    assert geo.hull_polygon([]) is None


def test_the_district_map_has_street_outlines_compounds_party_orgs_and_open_cases(client, world):
    locate(world)
    org = PartyOrgFactory(community=world.community1, name="康宁小区党支部")
    org.compounds.add(world.compound1, world.compound2)
    make(world.compound1)  # open, in compound1
    make(world.compound2, accepted=5, solved=20)  # solved: not on the map
    client.force_login(world.user("district_officer"))
    data = client.get(f"/cockpit/units/{world.district.pk}/map.json").json()
    by_layer = {}
    for f in data["features"]:
        by_layer.setdefault(f["properties"]["layer"], []).append(f)
    assert {f["properties"]["name"] for f in by_layer["outline"]} == {world.street1.name, world.street2.name}
    assert all(f["properties"]["source"] == "hull" for f in by_layer["outline"])
    assert len(by_layer["compound"]) == 4
    assert [(f["properties"]["name"], f["properties"]["open_cases"]) for f in by_layer["cases"]] == [
        (world.compound1.name, 1)]
    party = by_layer["party"][0]
    assert party["properties"]["name"] == org.name and party["properties"]["compounds"] == 2
    # the party organisation sits between the two compounds it covers
    lngs = sorted(float(c.longitude) for c in (world.compound1, world.compound2))
    assert lngs[0] < party["geometry"]["coordinates"][0] < lngs[1]
    # a compound's map is the compound alone
    data = client.get(f"/cockpit/compounds/{world.compound4.pk}/map.json").json()
    assert {f["properties"]["name"] for f in data["features"]} == {world.compound4.name}


def test_a_loaded_outline_replaces_the_hull(client, world, tmp_path):
    locate(world)
    call_command("load-outlines", _file(tmp_path, _collection(_feature(world.street1.code, name="坞城"))))
    client.force_login(world.user("district_officer"))
    data = client.get(f"/cockpit/units/{world.district.pk}/map.json").json()
    outlines = {f["properties"]["name"]: f for f in data["features"] if f["properties"]["layer"] == "outline"}
    assert outlines[world.street1.name]["geometry"] == SQUARE and outlines[world.street1.name]["properties"]["source"] == "loaded"
    assert outlines[world.street2.name]["properties"]["source"] == "hull"


def test_load_outlines_stores_polygons_and_multipolygons_and_replaces_on_reload(world, tmp_path, capsys):
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}
    path = _file(tmp_path, _collection(_feature(world.street1.code), {"type": "Feature", "geometry": multi,
                                                                      "properties": {"区划代码": world.community3.code}}))
    call_command("load-outlines", path)
    assert "已导入 2 个区划边界" in capsys.readouterr().out
    assert AuditEntry.objects.filter(object_type="places.unitoutline", action="create").count() == 2
    assert UnitOutline.objects.get(unit=world.community3).geometry == multi
    call_command("load-outlines", _file(tmp_path, _collection(_feature(world.street1.code, multi)), "again.geojson"))
    outline = UnitOutline.objects.get(unit=world.street1)
    assert outline.geometry == multi and outline.source == "again.geojson" and UnitOutline.objects.count() == 2


BAD = [
    ("不是 JSON", "不是有效的 JSON"),
    ('{"type": "Feature"}', "FeatureCollection"),
    ('{"type": "FeatureCollection", "features": []}', "features 为空"),
    ("no-code", "缺少 properties.code"),
    ("unknown", "区划代码 999999999999 在系统中不存在"),
    ("open-ring", "不是有效的 Polygon"),
    ("point", "不是有效的 Polygon"),
    ("out-of-range", "不是有效的 Polygon"),
    ("twice", "在文件中出现了多次"),
]


@pytest.mark.parametrize("content, message", BAD)
def test_a_bad_file_is_refused_with_a_sentence_and_writes_nothing(world, tmp_path, content, message):
    good = _feature(world.street1.code)
    features = {
        "no-code": [good, {"type": "Feature", "properties": {}, "geometry": SQUARE}],
        "unknown": [good, _feature("999999999999")],
        "open-ring": [good, _feature(world.street2.code, {"type": "Polygon", "coordinates": [[[1, 1], [2, 1], [2, 2], [1, 2]]]})],
        "point": [good, _feature(world.street2.code, {"type": "Point", "coordinates": [1, 1]})],
        "out-of-range": [good, _feature(world.street2.code, {"type": "Polygon", "coordinates": [[[200, 1], [2, 1], [2, 2], [200, 1]]]})],
        "twice": [good, good],
    }
    data = _collection(*features[content]) if content in features else content
    before = table_counts()
    with pytest.raises(CommandError) as refused:
        call_command("load-outlines", _file(tmp_path, data))
    assert message in str(refused.value) and "边界未导入" in str(refused.value)
    # the good feature beside the bad one was not written either
    assert table_counts() == before and not UnitOutline.objects.exists()


def test_a_missing_or_non_utf8_file_is_refused(world, tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("load-outlines", str(tmp_path / "none.geojson"))
    path = tmp_path / "gbk.geojson"
    path.write_bytes(json.dumps(_collection(_feature(world.street1.code, name="坞城")), ensure_ascii=False).encode("gbk"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("load-outlines", str(path))
    assert not UnitOutline.objects.exists()
