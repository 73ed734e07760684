"""Finding what a row names by the words a clerk knows, within the importer's area only.

Every register resolves its references here: a community by name or code, a compound by name, a building,
entrance and dwelling by their numbers (“1号楼”, “1栋” and “1” are the same building), a grid by code or
name. Whatever lies outside the importer's area is not found, in the same words as a place that does not
exist at all.
"""

import re

from django.core.exceptions import ValidationError
from django.db.models import Q

from linli.core import crypto
from linli.core.scoping import visible
from linli.imports.engine import Row
from linli.orgs.models import PropertyCompany
from linli.people.models import Resident
from linli.places.models import AdminUnit, Building, Compound, Dwelling, Grid, MicroGrid

NOT_FOUND = "（不存在或不在您的辖区内）"
CHUNK = 500
# How a cell lists several things: “1号楼、2号楼”, “1号楼,2号楼”, “1号楼；2号楼”.
LIST_SPLIT = re.compile(r"[、,，;；/\s]+")

_SUFFIXES = {
    "building": ("号楼", "栋", "幢", "号", "楼"),
    "entrance": ("单元",),
    "dwelling": ("室", "号"),
}


def canon(kind: str, text: str) -> str:
    """“1号楼”, “1栋” and “1” name the same building; “1单元” and “1” the same entrance."""
    text = re.sub(r"\s+", "", str(text)).upper()
    for suffix in _SUFFIXES[kind]:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def split_list(text: str) -> list[str]:
    return [part for part in LIST_SPLIT.split(text or "") if part]


def reject_repeats(rows: list[Row], key, header: str) -> None:
    """Rows naming the same record in different words (“1号楼” and “1栋”): the later ones are rejected."""
    first = {}
    for row in rows:
        if row.errors:
            continue
        found = key(row)
        if found is None:
            continue
        if found in first:
            row.reject(f"与第 {first[found]} 行是同一{header}（写法不同）")
        else:
            first[found] = row.number


class Places:
    """The place register as the importer sees it, read once per file and kept for its rows."""

    def __init__(self, area):
        self.area = area
        self._communities = None
        self._compounds: dict = {}
        self._buildings: dict = {}
        self._grids: dict = {}
        self._dwellings: dict = {}

    # -- communities and compounds --------------------------------------------------------------

    def community(self, text: str):
        """(community, None) or (None, the reason)."""
        if self._communities is None:
            self._communities = list(visible(AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNITY), self.area))
        found = [c for c in self._communities if text in (c.code, c.name)]
        if not found:
            return None, f"找不到社区“{text}”{NOT_FOUND}"
        if len(found) > 1:
            return None, f"社区名称“{text}”有重名，请填写 12 位社区代码"
        return found[0], None

    def compounds_of(self, community) -> list:
        if community.pk not in self._compounds:
            self._compounds[community.pk] = list(visible(Compound.objects.filter(community=community), self.area))
        return self._compounds[community.pk]

    def find_compound(self, community, name: str):
        """(compound or None when there is none of that name, the reason when the name is ambiguous)."""
        found = [c for c in self.compounds_of(community) if c.name == name]
        if len(found) > 1:
            return None, f"{community.name}有多个名为“{name}”的小区，请在系统中改名区分后再导入"
        return (found[0] if found else None), None

    def compound(self, community, name: str):
        compound, reason = self.find_compound(community, name)
        if compound is None and reason is None:
            reason = f"{community.name}找不到小区“{name}”{NOT_FOUND}"
        return compound, reason

    def compound_of(self, values: dict):
        """The compound a row names by its 社区 and 小区 columns."""
        community, reason = self.community(values["community"])
        if reason:
            return None, reason
        return self.compound(community, values["compound"])

    # -- buildings ------------------------------------------------------------------------------

    def buildings_of(self, compound) -> dict:
        """canonical number → [buildings]: “1号楼” and “1栋” registered apart are both kept."""
        if compound.pk not in self._buildings:
            index: dict = {}
            for building in visible(Building.objects.filter(compound=compound), self.area).order_by("pk"):
                index.setdefault(canon("building", building.number), []).append(building)
            self._buildings[compound.pk] = index
        return self._buildings[compound.pk]

    def find_building(self, compound, number: str):
        """(building or None when not registered, the reason when the writing is ambiguous)."""
        found = self.buildings_of(compound).get(canon("building", number), [])
        if len(found) > 1:
            exact = [b for b in found if b.number == number]
            if len(exact) != 1:
                return None, f"{compound.name}{number}有多处相近的登记，请按系统中的写法填写"
            return exact[0], None
        return (found[0] if found else None), None

    # -- grids ----------------------------------------------------------------------------------

    def grids_of(self, community) -> list:
        if community.pk not in self._grids:
            self._grids[community.pk] = list(visible(Grid.objects.filter(community=community), self.area))
        return self._grids[community.pk]

    def find_grid(self, community, text: str):
        """(grid or None, the reason when the name is ambiguous): by 15-digit code or by name."""
        found = [g for g in self.grids_of(community) if text in (g.code, g.name)]
        if len(found) > 1:
            return None, f"{community.name}有多个名为“{text}”的网格，请填写 15 位网格编码"
        return (found[0] if found else None), None

    def grid(self, community, text: str):
        grid, reason = self.find_grid(community, text)
        if grid is None and reason is None:
            reason = f"{community.name}找不到网格“{text}”{NOT_FOUND}"
        return grid, reason

    def any_grid(self, text: str):
        """A grid of any community of the area, by 15-digit code or by name."""
        found = list(visible(Grid.objects.filter(Q(code=text) | Q(name=text)), self.area).select_related("community"))
        if len(found) > 1:
            return None, f"有多个名为“{text}”的网格，请填写 15 位网格编码"
        if not found:
            return None, f"找不到网格“{text}”{NOT_FOUND}"
        return found[0], None

    def micro_grid(self, grid, name: str):
        found = list(visible(MicroGrid.objects.filter(grid=grid, name=name), self.area))
        if len(found) > 1:
            return None, f"{grid.name}有多个名为“{name}”的微网格，请在系统中改名区分后再导入"
        return (found[0] if found else None), None

    # -- dwellings ------------------------------------------------------------------------------

    def _index(self, compound):
        if compound.pk not in self._dwellings:
            index, buildings, entrances = {}, set(), set()
            rows = visible(Dwelling.objects.filter(entrance__building__compound=compound), self.area).values_list(
                "pk", "entrance__building__number", "entrance__number", "number")
            for pk, b, e, d in rows:
                cb, ce, cd = canon("building", b), canon("entrance", e), canon("dwelling", d)
                buildings.add(cb)
                entrances.add((cb, ce))
                index.setdefault((cb, ce, cd), []).append(((b, e, d), pk))
            self._dwellings[compound.pk] = (index, buildings, entrances)
        return self._dwellings[compound.pk]

    def dwelling(self, values: dict):
        """(dwelling id, None) or (None, the reason)."""
        compound, reason = self.compound_of(values)
        if reason:
            return None, reason
        index, buildings, entrances = self._index(compound)
        b, e, d = values["building"], values["entrance"], values["dwelling"]
        cb, ce, cd = canon("building", b), canon("entrance", e), canon("dwelling", d)
        if cb not in buildings:
            return None, f"{compound.name}找不到楼栋“{b}”{NOT_FOUND}"
        if (cb, ce) not in entrances:
            return None, f"{compound.name}{b}找不到单元“{e}”"
        found = index.get((cb, ce, cd), [])
        if not found:
            return None, f"{compound.name}{b}{e}找不到房号“{d}”"
        if len(found) > 1:
            exact = [pk for words, pk in found if words == (b, e, d)]
            if len(exact) != 1:
                return None, f"{compound.name}{b}{e}{d}有多处相近的登记，请按系统中的写法填写"
            return exact[0], None
        return found[0][1], None


def differences(instance, wanted: dict) -> dict:
    """The wanted values that differ from what is registered (a blank cell was never put in `wanted`)."""
    return {name: value for name, value in wanted.items() if getattr(instance, name) != value}


def given(values: dict, names) -> dict:
    """The cells of these columns that were filled in: a blank optional cell keeps what is registered."""
    return {name: values[name] for name in names if values[name] not in (None, "")}


def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start: start + size]


def registered_residents(id_numbers: set[str], area, hashes_of: dict | None = None) -> tuple[dict, set]:
    """Residents already registered under these ID numbers (by the keyed hash), and which are in the area.

    `hashes_of` (ID number → its lookup hash), when the caller computed them already.
    """
    hashes_of = hashes_of or {}
    hashes = sorted({hashes_of.get(n) or crypto.lookup_hash(n) for n in id_numbers if n})
    found = {}
    for chunk in chunks(hashes):
        for resident in Resident.objects.filter(id_number_hash__in=chunk).select_related("household"):
            found[resident.id_number_hash] = resident
    ids = sorted(r.pk for r in found.values())
    in_area = set()
    for chunk in chunks(ids):
        in_area |= set(visible(Resident.objects.filter(pk__in=chunk), area).values_list("pk", flat=True))
    return found, in_area


def residents_in_area(id_numbers: set[str], area) -> dict:
    """ID number → the resident registered under it, for those in the importer's area only."""
    found, in_area = registered_residents(id_numbers, area)
    by_hash = {crypto.lookup_hash(n): n for n in id_numbers if n}
    return {by_hash[h]: r for h, r in found.items() if r.pk in in_area}


def by_name(rows, name: str, label: str):
    """(the one row of that name or None, the reason when there are several)."""
    found = [r for r in rows if r.name == name]
    if len(found) > 1:
        return None, f"有多个名为“{name}”的{label}，请在系统中改名区分后再导入"
    return (found[0] if found else None), None


def check_rules(row: Row, probe) -> None:
    """The model's own rules on what the row would leave registered, in the dry run already."""
    try:
        probe.clean()
    except ValidationError as exc:
        for messages in (exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]):
            for message in messages:
                row.reject(message)


def find_company(area, text: str, *, write: bool = False):
    """(the property company of that name or credit code in the area, or None; the reason when ambiguous).

    With write, only a company serving a compound of the area today (a past service lets it be read only).
    """
    found = list(visible(PropertyCompany.objects.filter(Q(name=text) | Q(credit_code=text)), area, write=write))
    if len(found) > 1:
        return None, f"有多个物业企业与“{text}”相符，请填写企业全称"
    return (found[0] if found else None), None
