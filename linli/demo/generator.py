"""Reproducible demo data: a district with its streets, communities, compounds, people and organisations.

Everything is drawn from one `random.Random(seed)`, and every date is laid out relative to a fixed
anchor date, so the same seed gives the same rows (names, codes, ID numbers, dates) on any day.
Only the ciphertexts of encrypted fields differ between runs (each value gets a fresh nonce).

The amount of data is a `Shape`; the generator works one community at a time and writes each level
with `bulk_create`, so memory stays bounded by the largest community and the same code can fill a
city. `bulk_create` does not call `Model.save()`, so the columns that `Resident.save()` derives
(lookup and tail hashes, birth date, gender) are filled in here.

Extension hook for other domains
--------------------------------
After the registry is loaded, `run_extensions(context)` imports `linli.<app>.demo` for every
installed Linli app that has such a module (in INSTALLED_APPS order) and calls its
`populate(context)`, inside the same transaction. The context (`DemoContext`) carries:

- `rng`: a `random.Random` derived from the seed and the app label, so one domain's demo data does
  not change when another domain adds or draws more;
- `anchor`: the reference date of the data; `seed`, `shape`;
- `users`: the demo logins by user name (`resident1`, `grid1`, `community1`, `branch1`,
  `property1`, `street1`, `district1`, `admin`), and `homes`: the place each one works in or lives in;
- `places`: the district, streets, communities, grids and compounds created;
- `add(label, n)`: to report how many rows of a kind the extension created (printed and audited).

A domain's module looks like::

    # linli/cases/demo.py
    def populate(context):
        resident = context.users["resident1"].resident
        ...
        context.add("诉求", n)
"""

import dataclasses
import datetime as dt
import importlib
import importlib.util
import random
from array import array
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.hashers import make_password

from linli.accounts.models import Assignment, Role, User
from linli.core import crypto
from linli.core.validators import id_check_char
from linli.demo import names as words
from linli.orgs.models import PartnerUnit, PartyOrg, Position, PropertyCompany, PropertyService, SelfOrg
from linli.people.models import (
    SENSITIVE_TAGS,
    CareTag,
    GridWorker,
    Household,
    PartyMember,
    Resident,
    tail_hash,
)
from linli.places.models import AdminUnit, Building, Compound, Dwelling, Entrance, Grid, MicroGrid

DEFAULT_SEED = 20261123
# Dates are laid out relative to this day, so reruns on later days give the same rows.
DEFAULT_ANCHOR = dt.date(2026, 11, 1)
PASSWORD = "linli-demo"
BATCH_SIZE = 1000

CARE_TAGS = (
    ("living_alone", "独居"),
    ("empty_nest", "空巢"),
    ("chronic", "慢性病"),
    ("disabled", "残疾"),
    ("low_income", "低保"),
)

LOGINS = ("resident1", "grid1", "community1", "branch1", "property1", "street1", "district1", "admin")

PLANNED = Compound.Kind.PLANNED.value
OLD = Compound.Kind.OLD_COURTYARD.value
SCATTERED = Compound.Kind.SCATTERED.value


@dataclass(frozen=True)
class Geometry:
    """How big the compounds of one kind are: ranges are inclusive (low, high)."""

    buildings: tuple[int, int]
    entrances: tuple[int, int]
    floors: tuple[int, int]
    per_floor: int = 2


@dataclass(frozen=True)
class Shape:
    name: str
    district_code: str = "140105000000"
    district_name: str = "小店区"
    streets: int = 3
    communities_per_street: int = 2
    compounds_per_community: int = 7
    grids_per_community: int = 3
    micro_grids_per_grid: int = 2
    property_companies: int = 8
    partners_per_community: tuple[int, int] = (2, 4)
    planned: Geometry = Geometry(buildings=(2, 3), entrances=(1, 2), floors=(4, 6))
    old_courtyard: Geometry = Geometry(buildings=(1, 3), entrances=(1, 2), floors=(3, 5))
    scattered: Geometry = Geometry(buildings=(1, 1), entrances=(1, 1), floors=(3, 6))
    kind_weights: tuple[int, int, int] = (40, 35, 25)  # planned, old courtyard, scattered
    occupancy: float = 0.8
    party_member_rate: float = 0.08
    # A city shape: more districts of the same city (codes and names from names.CITY_DISTRICTS), and
    # the cases `linli generate-city` spreads over the last two years. `linli demo` ignores `cases`.
    districts: int = 1
    cases: int = 0

    def geometry(self, kind: str) -> Geometry:
        return {PLANNED: self.planned, OLD: self.old_courtyard, SCATTERED: self.scattered}[kind]


SHAPES = {
    # A few hundred residents: for tests and a quick look.
    "small": Shape(name="small", streets=2, communities_per_street=2, compounds_per_community=3,
                   grids_per_community=2, property_companies=4, partners_per_community=(1, 2),
                   planned=Geometry(buildings=(1, 2), entrances=(1, 1), floors=(3, 4)),
                   old_courtyard=Geometry(buildings=(1, 1), entrances=(1, 1), floors=(3, 4)),
                   scattered=Geometry(buildings=(1, 1), entrances=(1, 1), floors=(2, 3))),
    # One district, about 40 compounds and 2,000 residents.
    "demo": Shape(name="demo"),
}

# City scale, for `linli generate-city`. `city` is Taiyuan's size: 6 districts, 60 streets, 600 communities,
# about 5,000 compounds, 12,000 grids, 2 million dwellings, 5 million residents, 200,000 Party members
# and 10 million cases; `district` is one sixth of it and `street` one sixtieth.
_CITY_COMMUNITY = dict(
    compounds_per_community=8, grids_per_community=20, property_companies=60, partners_per_community=(2, 5),
    planned=Geometry(buildings=(8, 22), entrances=(2, 3), floors=(6, 20)),
    old_courtyard=Geometry(buildings=(3, 8), entrances=(1, 3), floors=(4, 6)),
    scattered=Geometry(buildings=(1, 2), entrances=(1, 2), floors=(3, 6)),
    occupancy=0.92, party_member_rate=0.042,
)
CITY_SHAPES = {
    "street": Shape(name="street", districts=1, streets=1, communities_per_street=10, cases=166_667,
                    **_CITY_COMMUNITY),
    "district": Shape(name="district", districts=1, streets=10, communities_per_street=10, cases=1_666_667,
                      **_CITY_COMMUNITY),
    "city": Shape(name="city", districts=6, streets=10, communities_per_street=10, cases=10_000_000,
                  **_CITY_COMMUNITY),
}


@dataclass
class Places:
    district: AdminUnit
    streets: list = field(default_factory=list)
    communities: list = field(default_factory=list)
    grids: list = field(default_factory=list)
    compounds: list = field(default_factory=list)


@dataclass
class DemoContext:
    rng: random.Random
    seed: int
    shape: Shape
    anchor: dt.date
    places: Places
    users: dict = field(default_factory=dict)
    homes: dict = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)

    def add(self, label: str, n: int) -> None:
        self.counts[label] += n


@dataclass(eq=False)
class _Person:
    """What the generator remembers about a resident while it works on their community."""

    id: int
    name: str
    age: int
    gender: str
    status: str
    relation: str
    household_id: int
    compound_id: int
    is_owner: bool
    member: PartyMember | None = None


# ---------------------------------------------------------------------------------------------
# Identifiers


_SERIAL_EPOCH = dt.date(1880, 1, 1).toordinal()
_SERIAL_DAYS = dt.date(2100, 1, 1).toordinal() - _SERIAL_EPOCH
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code(rng: random.Random, region: str) -> str:
    """A unified social credit code (GB 32100) with valid organisation-code and final check characters."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    org_check = 11 - sum(int(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    organisation = body + {10: "X", 11: "0"}.get(org_check, str(org_check))
    first17 = "91" + region + organisation
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return first17 + _USCC_CHARS[(31 - total % 31) % 31]


# ---------------------------------------------------------------------------------------------
# The generator


class Generator:
    def __init__(self, shape: Shape, seed: int = DEFAULT_SEED, *, anchor: dt.date = DEFAULT_ANCHOR,
                 batch_size: int = BATCH_SIZE):
        self.shape = shape
        self.seed = seed
        self.anchor = anchor
        self.batch_size = batch_size
        self.rng = random.Random(seed)
        self.people = words.NamePicker(self.rng)
        self.counts: Counter = Counter()
        self._id_serial: dict[str, array] = {}
        self._seen: dict[str, set] = {}
        self._used_names: set[str] = set()
        self.care_tags: dict[str, int] = {}
        self.companies: list[PropertyCompany] = []
        self.state_company: PropertyCompany | None = None
        self._company_party_org: dict[int, int] = {}

    # -- small helpers -------------------------------------------------------------------------

    def _bulk(self, model, objs: list, label: str | None = None) -> list:
        if objs:
            model.objects.bulk_create(objs, batch_size=self.batch_size)
        self.counts[label or model._meta.verbose_name_plural] += len(objs)
        return objs

    def _through(self, through, rows: list) -> None:
        if rows:
            through.objects.bulk_create(rows, batch_size=self.batch_size)

    def _between(self, bounds: tuple[int, int]) -> int:
        return self.rng.randint(*bounds)

    def _pick(self, topic: str, options, weights=None):
        """A weighted choice that first makes sure every option of the topic appears at least once."""
        options = list(options)
        seen = self._seen.setdefault(topic, set())
        fresh = [o for o in options if o not in seen]
        choice = self.rng.choice(fresh) if fresh else self.rng.choices(options, weights=weights)[0]
        seen.add(choice)
        return choice

    def _first(self, topic: str) -> bool:
        """True the first time a topic is asked about: guarantees at least one case of a rare thing."""
        seen = self._seen.setdefault("_first", set())
        if topic in seen:
            return False
        seen.add(topic)
        return True

    def _days_ago(self, low: int, high: int) -> dt.date:
        return self.anchor - dt.timedelta(days=self.rng.randint(low, high))

    def _birth_date(self, age: int) -> dt.date:
        year = self.anchor.year - age
        first = dt.date(year, 1, 1)
        day = self.rng.randrange(365)
        latest = self.anchor - dt.timedelta(days=30)
        span = (latest - first).days + 1
        if span < 1:
            return latest - dt.timedelta(days=day)
        if span < 365:
            # This year's births spread over the days before `latest`: clamping them all to that one day
            # would give a city's infants more people per birthday than the ID serials can number.
            day = day * span // 365
        return first + dt.timedelta(days=day)

    def _unique_name(self, make) -> str:
        for _ in range(50):
            name = make()
            if name not in self._used_names:
                self._used_names.add(name)
                return name
        name = make()
        suffix = 2
        while f"{name}{suffix}" in self._used_names:
            suffix += 1
        self._used_names.add(f"{name}{suffix}")
        return f"{name}{suffix}"

    def id_number(self, born: dt.date, gender: str, region: str) -> str:
        """A valid ID number (GB 11643): the 3-digit serial is odd for men, even for women, and unique."""
        # One small counter per region, birthday and gender (a flat array, not a dict of tuples),
        # so that memory stays a few hundred KB per region however many people are generated.
        serial = self._id_serial_for(born, gender, region)
        if serial is None:
            # That region has no serial left for the day: take the first other region that has one
            # (a fixed order, so the same seed still gives the same numbers).
            for other in dict.fromkeys(words.LOCAL_REGIONS + words.OTHER_REGIONS):
                serial = self._id_serial_for(born, gender, other)
                if serial is not None:
                    region = other
                    break
            else:
                raise ValueError(f"no ID number serial left for {born} ({gender}) in any region")
        first17 = f"{region}{born:%Y%m%d}{serial:03d}"
        return first17 + id_check_char(first17)

    def _id_serial_for(self, born: dt.date, gender: str, region: str) -> int | None:
        """The next free serial of that region, day and gender, or None when all are taken."""
        counters = self._id_serial.get(region)
        if counters is None:
            counters = self._id_serial[region] = array("H", bytes(2 * 2 * _SERIAL_DAYS))
        slot = 2 * (born.toordinal() - _SERIAL_EPOCH) + (gender == "M")
        n = counters[slot]
        # Start each day's serials at a different place so the numbers do not all end alike.
        start = (born.toordinal() * 7 + int(region)) % 200
        serial = 2 * (start + n) + (1 if gender == "M" else 0)
        if serial > 999:
            return None
        counters[slot] = n + 1
        return serial

    def phone(self) -> str:
        return self.rng.choice(words.MOBILE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"

    def _area(self, low: int, high: int) -> Decimal:
        return Decimal(self.rng.randint(low * 100, high * 100)) / 100

    # -- the whole run -------------------------------------------------------------------------

    def run(self) -> DemoContext:
        shape = self.shape
        self._seed_care_tags()
        places = None
        for code, name in self._district_names():
            if places is None:
                places = self._district(code, name, first=True)
                continue
            more = self._district(code, name, first=False)
            for part in ("streets", "communities", "grids", "compounds"):
                getattr(places, part).extend(getattr(more, part))

        self._finish_companies()
        context = DemoContext(rng=self.rng, seed=self.seed, shape=shape, anchor=self.anchor, places=places,
                              counts=self.counts)
        self._logins(context)
        return context

    def _district_names(self) -> list[tuple[str, str]]:
        """The shape's own district first, then others of the same city for a multi-district shape."""
        first = (self.shape.district_code, self.shape.district_name)
        others = [d for d in words.CITY_DISTRICTS if d[0] != first[0]]
        return [first] + others[: self.shape.districts - 1]

    def _district(self, code: str, name: str, *, first: bool) -> Places:
        shape = self.shape
        district = AdminUnit(code=code, name=name, level=AdminUnit.Level.DISTRICT)
        self._bulk(AdminUnit, [district], "区/县")
        places = Places(district=district)
        # Property companies work across the whole city: they are made once, with the first district.
        if first:
            self._companies(district)

        street_names = list(words.STREET_NAMES) if first else []
        streets = []
        for s in range(shape.streets):
            name = street_names[s] if s < len(street_names) else self._unique_name(
                lambda: self.rng.choice(words.STREET_WORDS) + "街道")
            self._used_names.add(name)
            streets.append(AdminUnit(code=f"{district.code[:6]}{s + 1:03d}000", name=name,
                                     level=AdminUnit.Level.STREET, parent=district))
        self._bulk(AdminUnit, streets, "街道/乡镇")
        places.streets = streets

        for street in streets:
            communities = []
            for c in range(shape.communities_per_street):
                name = self._unique_name(lambda: self.rng.choice(words.COMMUNITY_WORDS) + "社区")
                communities.append(AdminUnit(code=f"{street.code[:9]}{c + 1:03d}", name=name,
                                             level=AdminUnit.Level.COMMUNITY, parent=street))
            self._bulk(AdminUnit, communities, "社区")
            places.communities.extend(communities)
            for community in communities:
                grids, compounds = self._community(community)
                places.grids.extend(grids)
                places.compounds.extend(compounds)
        return places

    def _seed_care_tags(self) -> None:
        for code, name in CARE_TAGS:
            tag, created = CareTag.objects.get_or_create(code=code, defaults={"name": name})
            self.care_tags[code] = tag.pk
            self.counts["关爱标签"] += created

    def _companies(self, district: AdminUnit) -> None:
        region = district.code[:6]
        companies = [PropertyCompany(name=words.STATE_OWNED_COMPANY, credit_code=credit_code(self.rng, region),
                                     has_party_org=True)]
        for _ in range(self.shape.property_companies - 1):
            def make():
                word = self.rng.choice(words.COMPANY_WORDS)
                return self.rng.choice((f"山西{word}物业服务有限公司", f"太原市{word}物业管理有限公司"))
            companies.append(PropertyCompany(name=self._unique_name(make), credit_code=credit_code(self.rng, region),
                                             has_party_org=self.rng.random() < 0.4))
        self._bulk(PropertyCompany, companies)
        self.state_company = companies[0]
        self.companies = companies[1:]

    def _finish_companies(self) -> None:
        # A company whose only Party organisation is a branch built jointly with it points at that branch.
        for company in self.companies:
            org_id = self._company_party_org.get(company.pk)
            if org_id and not company.has_party_org:
                PropertyCompany.objects.filter(pk=company.pk).update(party_org_id=org_id, has_party_org=True)

    # -- one community -------------------------------------------------------------------------

    def _community(self, community: AdminUnit):
        shape = self.shape
        word = community.name.removesuffix("社区")
        grids = [Grid(community=community, code=f"{community.code}{g + 1:03d}",
                      name=f"{word}第{g + 1}网格") for g in range(shape.grids_per_community)]
        self._bulk(Grid, grids)
        micro = {grid.pk: [MicroGrid(grid=grid, name=f"第{m + 1}微网格") for m in range(shape.micro_grids_per_grid)]
                 for grid in grids}
        self._bulk(MicroGrid, [m for ms in micro.values() for m in ms])

        compounds = self._compounds(community)
        buildings = self._buildings(compounds, grids, micro)
        people, households = self._residents(compounds, buildings)
        services = self._property_services(community, compounds)
        self._party(community, compounds, buildings, people, households, services)
        self._self_orgs(compounds, people)
        self._partners(community, people)
        self._grid_workers(grids)
        # Drop the planning notes, so finished communities do not keep their people in memory.
        for compound in compounds:
            for note in ("_three_none", "_uncovered", "_branch", "_property_manager"):
                compound.__dict__.pop(note, None)
        return grids, compounds

    def _compounds(self, community: AdminUnit) -> list[Compound]:
        rng = self.rng
        kinds = [PLANNED, OLD, SCATTERED]
        rng.shuffle(kinds)
        while len(kinds) < self.shape.compounds_per_community:
            kinds.append(rng.choices((PLANNED, OLD, SCATTERED), weights=self.shape.kind_weights)[0])
        kinds = kinds[: self.shape.compounds_per_community]
        compounds = []
        for kind in kinds:
            road = rng.choice(words.ROADS)
            number = rng.randint(1, 260)
            department = ""
            if kind == PLANNED:
                name = self._unique_name(lambda: rng.choice(words.PLANNED_WORDS) + rng.choice(words.PLANNED_SUFFIXES))
                year = rng.randint(2000, 2021)
                walled, room = True, rng.random() < 0.85
            elif kind == OLD:
                unit = rng.choice(words.WORK_UNITS)
                name = self._unique_name(lambda u=unit: u + rng.choice(words.COURTYARD_SUFFIXES))
                year = rng.randint(1962, 1999)
                walled, room = rng.random() < 0.6, rng.random() < 0.3
                if rng.random() < 0.75:
                    department = self.rng.choice(("太原", "山西省", "小店区")) + unit
            else:
                name = self._unique_name(lambda r=road: f"{r}{rng.randint(1, 300)}号院")
                year = rng.randint(1985, 2012)
                walled, room = False, False
                if rng.random() < 0.15:
                    department = "小店区住房和城乡建设局"
            compounds.append(Compound(
                community=community, name=name, kind=kind, address=f"{road}{number}号", build_year=year,
                walled=walled, has_property_room=room, responsible_department=department,
                latitude=Decimal(f"{37.7400 + rng.uniform(-0.04, 0.04):.6f}"),
                longitude=Decimal(f"{112.5600 + rng.uniform(-0.05, 0.05):.6f}"),
            ))
        self._bulk(Compound, compounds)
        self._plan_compounds(compounds)
        return compounds

    def _plan_compounds(self, compounds: list[Compound]) -> None:
        """Decide which compounds lack things, so that the indicators have something to show."""
        for compound in compounds:
            weak = compound.kind != PLANNED
            three_none = weak and not compound.responsible_department and (
                self._first("three_none") or self.rng.random() < 0.35)
            compound._three_none = three_none
            compound._uncovered = (three_none and self.rng.random() < 0.6) or (
                not three_none and (self._first("uncovered") or self.rng.random() < 0.06))

    def _buildings(self, compounds, grids, micro) -> dict[int, list[Building]]:
        rng = self.rng
        by_compound: dict[int, list[Building]] = {}
        buildings = []
        for i, compound in enumerate(compounds):
            geometry = self.shape.geometry(compound.kind)
            count = self._between(geometry.buildings)
            home, next_grid = grids[i % len(grids)], grids[(i + 1) % len(grids)]
            first = rng.randint(1, 3) if compound.kind == SCATTERED else 1
            for b in range(count):
                # Large compounds straddle two grids.
                grid = next_grid if count >= 3 and b >= (count + 1) // 2 else home
                micro_grid = micro[grid.pk][(i + b) % len(micro[grid.pk])]
                building = Building(compound=compound, number=f"{first + b}号楼", grid=grid, micro_grid=micro_grid,
                                    floors=self._between(geometry.floors))
                building._geometry = geometry
                buildings.append(building)
                by_compound.setdefault(compound.pk, []).append(building)
        self._bulk(Building, buildings)

        entrances = []
        for building in buildings:
            for e in range(self._between(building._geometry.entrances)):
                entrance = Entrance(building=building, number=f"{e + 1}单元")
                entrance._building = building
                entrances.append(entrance)
        self._bulk(Entrance, entrances)

        dwellings = []
        for entrance in entrances:
            building = entrance._building
            compound = building.compound
            newish = compound.kind == PLANNED and compound.build_year >= 2012
            low, high = {PLANNED: (68, 140), OLD: (42, 86), SCATTERED: (48, 96)}[compound.kind]
            for floor in range(1, building.floors + 1):
                for pos in range(1, building._geometry.per_floor + 1):
                    area = self._area(low, high)
                    registered = surveyed = contract = None
                    roll = rng.random()
                    if roll < (0.8 if compound.kind == PLANNED else 0.6):
                        registered = area
                        if compound.kind == PLANNED and rng.random() < 0.5:
                            contract = area + self._area(1, 4)
                    elif roll < 0.88:
                        surveyed = area
                    else:
                        contract = area
                    dwellings.append(Dwelling(
                        entrance=entrance, number=f"{floor}{pos:02d}", floor=floor, registered_area=registered,
                        surveyed_area=surveyed, contract_area=contract,
                        developer_unsold=newish and (self._first("unsold") or rng.random() < 0.04),
                    ))
        self._bulk(Dwelling, dwellings)
        for building in buildings:
            building._dwellings = []
        for dwelling in dwellings:
            dwelling.entrance._building._dwellings.append(dwelling)
        return by_compound

    # -- residents -----------------------------------------------------------------------------

    _HOUSEHOLD_KINDS = ("alone_elderly", "elderly_couple", "family", "three_generations", "couple",
                        "with_adult_child", "single", "tenants", "grandparents")
    _HOUSEHOLD_WEIGHTS = {
        PLANNED: (5, 9, 30, 11, 11, 13, 9, 8, 4),
        OLD: (14, 19, 14, 9, 9, 12, 7, 10, 6),
        SCATTERED: (10, 14, 20, 9, 10, 12, 9, 12, 4),
    }

    def _members(self, kind: str) -> list[dict]:
        """Who lives in one household: relation, age and gender of each member, head first."""
        rng = self.rng
        ages = []

        def add(relation, age, gender):
            ages.append({"relation": relation, "age": max(0, age), "gender": gender})

        if kind == "alone_elderly":
            add("head", rng.randint(66, 93), "F" if rng.random() < 0.65 else "M")
        elif kind == "elderly_couple":
            head = rng.randint(62, 88)
            add("head", head, "M")
            add("spouse", head - rng.randint(-2, 5), "F")
        elif kind == "family":
            head = rng.randint(29, 50)
            add("head", head, "M" if rng.random() < 0.8 else "F")
            add("spouse", head - rng.randint(-2, 4), "F" if ages[0]["gender"] == "M" else "M")
            for _ in range(1 if rng.random() < 0.6 else 2):
                add("child", rng.randint(0, max(0, head - 24)), rng.choice("MF"))
        elif kind == "three_generations":
            head = rng.randint(33, 55)
            add("head", head, "M")
            add("spouse", head - rng.randint(-2, 4), "F")
            add("child", rng.randint(0, max(0, head - 24)), rng.choice("MF"))
            parent = head + rng.randint(24, 32)
            add("parent", parent, "F" if rng.random() < 0.6 else "M")
            if rng.random() < 0.4:
                add("parent", parent + rng.randint(-1, 4), "M" if ages[-1]["gender"] == "F" else "F")
        elif kind == "couple":
            head = rng.randint(25, 62)
            add("head", head, "M")
            add("spouse", head - rng.randint(-2, 4), "F")
        elif kind == "with_adult_child":
            head = rng.randint(50, 68)
            add("head", head, "M" if rng.random() < 0.85 else "F")
            if rng.random() < 0.8:
                add("spouse", head - rng.randint(-2, 4), "F" if ages[0]["gender"] == "M" else "M")
            add("child", head - rng.randint(24, 32), rng.choice("MF"))
        elif kind == "single":
            add("head", rng.randint(22, 60), rng.choice("MF"))
        elif kind == "tenants":
            add("head", rng.randint(20, 45), rng.choice("MF"))
            for _ in range(rng.randint(1, 2)):
                add("other", rng.randint(20, 45), rng.choice("MF"))
        else:  # grandparents raising a grandchild
            head = rng.randint(58, 74)
            add("head", head, "M")
            add("spouse", head - rng.randint(-2, 4), "F")
            add("grandchild", rng.randint(3, 14), rng.choice("MF"))
        return ages

    def _residents(self, compounds, buildings) -> tuple[list[_Person], dict[int, list[_Person]]]:
        rng = self.rng
        households, plans = [], []
        for compound in compounds:
            weights = self._HOUSEHOLD_WEIGHTS[compound.kind]
            for building in buildings.get(compound.pk, []):
                for dwelling in building._dwellings:
                    if dwelling.developer_unsold or rng.random() > self.shape.occupancy:
                        continue
                    kind = rng.choices(self._HOUSEHOLD_KINDS, weights=weights)[0]
                    households.append(Household(dwelling=dwelling,
                                                number=f"{compound.community.code[6:]}{len(households) + 1:04d}"))
                    plans.append((compound, kind, self._members(kind)))
        self._bulk(Household, households)

        residents, people, tags = [], [], []
        tag = self.care_tags
        for household, (compound, kind, members) in zip(households, plans, strict=True):
            renting = kind == "tenants" or (kind == "single" and rng.random() < 0.4)
            floating = renting and rng.random() < 0.6
            status = ("floating" if floating else "tenant") if renting else (
                "registered" if rng.random() < 0.75 else "living")
            father_surname = self.people.surname()
            low_income = rng.random() < 0.04
            for m in members:
                gender, age = m["gender"], m["age"]
                own_family = m["relation"] in ("child", "grandchild") or (m["relation"] == "head" and gender == "M")
                surname = father_surname if own_family else None
                born = self._birth_date(age)
                name = self.people.full(gender, born.year, surname)
                regions = words.OTHER_REGIONS if status == "floating" or rng.random() < 0.12 else words.LOCAL_REGIONS
                id_number = self.id_number(born, gender, rng.choice(regions))
                phone = self.phone() if 16 <= age <= 88 and rng.random() < 0.93 else ""
                sensitive = ""
                if 18 <= age <= 60 and (self._first("sensitive") or rng.random() < 0.004):
                    sensitive = rng.choice(sorted(SENSITIVE_TAGS))
                member_status = status if m["relation"] != "other" else rng.choice(("tenant", "floating"))
                is_owner = not renting and (m["relation"] == "head" or (m["relation"] == "spouse" and rng.random() < 0.5))
                resident = Resident(
                    name=name, id_number=id_number, id_number_hash=crypto.lookup_hash(id_number),
                    birth_date=born, gender=gender, phone=phone,
                    phone_hash=crypto.lookup_hash(phone) if phone else "",
                    id_number_tail_hash=tail_hash(id_number), phone_tail_hash=tail_hash(phone),
                    household=household, relation=m["relation"], status=member_status,
                    sensitive_tags=sensitive, is_owner=is_owner,
                )
                residents.append(resident)
                codes = []
                if kind == "alone_elderly":
                    codes.append("living_alone")
                if kind == "elderly_couple" and age >= 60:
                    codes.append("empty_nest")
                if age >= 60 and rng.random() < 0.3 or age >= 18 and rng.random() < 0.03:
                    codes.append("chronic")
                if rng.random() < (0.04 if age >= 60 else 0.015):
                    codes.append("disabled")
                if low_income and m["relation"] == "head":
                    codes.append("low_income")
                people.append((resident, compound, codes))
        self._bulk(Resident, residents)

        through = Resident.care_tags.through
        result, by_household = [], {}
        for resident, compound, codes in people:
            tags.extend(through(resident_id=resident.pk, caretag_id=tag[c]) for c in codes)
            age = self.anchor.year - resident.birth_date.year
            person = _Person(resident.pk, resident.name, age, resident.gender, resident.status, resident.relation,
                             resident.household_id, compound.pk, resident.is_owner)
            result.append(person)
            by_household.setdefault(resident.household_id, []).append(person)
        self._through(through, tags)
        return result, by_household

    # -- property ------------------------------------------------------------------------------

    _COMPANY_MODES = {"market", "trust", "area_wide", "state_owned", "subsidy"}
    _MODES = {
        PLANNED: (("market", "trust", "area_wide", "red_property", "state_owned"), (60, 8, 8, 14, 5)),
        OLD: (("red_property", "self_managed", "state_owned", "unit_cobuild", "subsidy", "community_fallback",
               "area_wide"), (20, 20, 10, 12, 10, 14, 14)),
        SCATTERED: (("area_wide", "community_fallback", "self_managed", "red_property", "subsidy"),
                    (30, 25, 15, 15, 15)),
    }

    def _property_services(self, community, compounds) -> dict[int, PropertyService]:
        """Current (and some past) property services; returns the current company service by compound."""
        rng = self.rng
        area_company = rng.choice(self.companies)
        rows, current = [], {}
        for compound in compounds:
            if compound._three_none:
                continue
            if compound.kind != PLANNED and rng.random() < 0.12:
                # The company left and nobody took over: a compound without property service.
                if rng.random() < 0.5:
                    start = self._days_ago(6 * 365, 10 * 365)
                    rows.append(PropertyService(compound=compound, mode="market", company=rng.choice(self.companies),
                                                start=start, end=start + dt.timedelta(days=rng.randint(700, 1800)),
                                                fee_rate=Decimal("0.50")))
                continue
            options, weights = self._MODES[compound.kind]
            if not compound.responsible_department:
                options, weights = zip(*[(o, w) for o, w in zip(options, weights, strict=True) if o != "unit_cobuild"],
                                       strict=True)
            mode = self._pick("property_mode", options, weights)
            company, provider = None, ""
            if mode == "state_owned":
                company = self.state_company
            elif mode == "area_wide":
                company = area_company
            elif mode in self._COMPANY_MODES:
                company = rng.choice(self.companies)
            elif mode == "red_property":
                if rng.random() < 0.5:
                    company = rng.choice(self.companies)
                else:
                    provider = f"{community.name}红色物业服务中心"
            elif mode == "self_managed":
                provider = f"{compound.name}自管小组"
            elif mode == "unit_cobuild":
                provider = compound.responsible_department
            else:
                provider = f"{community.name}居民委员会"
            start = self._days_ago(60, 8 * 365)
            fee = (0.9, 2.8) if compound.kind == PLANNED else (0.2, 0.8)
            service = PropertyService(compound=compound, mode=mode, company=company, provider_name=provider,
                                      start=start, fee_rate=Decimal(f"{rng.uniform(*fee):.2f}"),
                                      collection_rate=Decimal(f"{rng.uniform(58, 98):.2f}"))
            rows.append(service)
            if company is not None:
                current[compound.pk] = service
                if self._first("previous_service") or rng.random() < 0.25:
                    earlier = start - dt.timedelta(days=rng.randint(3 * 365, 6 * 365))
                    rows.append(PropertyService(compound=compound, mode="market", company=rng.choice(self.companies),
                                                start=earlier, end=start - dt.timedelta(days=1),
                                                fee_rate=Decimal(f"{rng.uniform(*fee):.2f}")))
        self._bulk(PropertyService, rows)
        return current

    # -- Party organisations and members -------------------------------------------------------

    def _party(self, community, compounds, buildings, people, households, services) -> None:
        rng = self.rng
        by_compound: dict[int, list[_Person]] = {}
        for p in people:
            by_compound.setdefault(p.compound_id, []).append(p)

        # Members first (their organisations are known later), as plans.
        members = []
        for p in people:
            if p.age < 20:
                continue
            rate = self.shape.party_member_rate * (1.8 if p.age >= 60 else 1.0 if p.age >= 30 else 0.5)
            if rng.random() >= rate:
                continue
            if p.status == "floating":
                category = PartyMember.Category.FLOATING
            elif p.age >= 60:
                category = PartyMember.Category.RETIRED if rng.random() < 0.9 else PartyMember.Category.RESIDENT
            else:
                category = PartyMember.Category.IN_SERVICE if rng.random() < 0.45 else PartyMember.Category.RESIDENT
            born_year = self.anchor.year - p.age
            joined = dt.date(born_year + rng.randint(19, max(19, min(45, p.age - 1))), rng.randint(1, 12),
                             rng.randint(1, 28))
            member = PartyMember(category=category, joined_on=min(joined, self.anchor - dt.timedelta(days=400)))
            member.resident_id = p.id
            if category == PartyMember.Category.IN_SERVICE:
                member.employer = rng.choice(words.EMPLOYERS)
                member.dual_registered_community = community
                member.dual_registered_on = self._days_ago(30, 3 * 365)
            elif category == PartyMember.Category.FLOATING:
                member.employer = rng.choice(("个体经营", "外卖配送", "建筑施工", "家政服务", ""))
            lost_rate = 0.2 if category == PartyMember.Category.FLOATING else 0.01
            if category != PartyMember.Category.RETIRED and (
                    (category == PartyMember.Category.FLOATING and self._first("lost_contact"))
                    or rng.random() < lost_rate):
                member.lost_contact = True
                member.search_record = f"{self._days_ago(30, 400):%Y年%m月%d日}起：" + rng.choice(words.SEARCH_RECORDS)
            p.member = member
            members.append(p)

        committee = PartyOrg(name=f"{community.name}{'党委' if len(members) >= 30 else '党总支'}",
                             level=PartyOrg.Level.COMMITTEE, community=community,
                             founded_on=self._days_ago(8 * 365, 20 * 365))
        self._bulk(PartyOrg, [committee], "党组织")

        # Branches over the covered compounds.
        covered = [c for c in compounds if not c._uncovered]
        plans = []  # (formation, [compounds], company)
        olds = [c for c in covered if c.kind == OLD]
        scattered = [c for c in covered if c.kind == SCATTERED]
        for c in covered:
            if c.kind == PLANNED:
                service = services.get(c.pk)
                options = ["standalone", "dispatched"] + (["with_property"] if service else [])
                formation = self._pick("formation_planned", options, [6, 1, 3][: len(options)])
                plans.append((formation, [c], service.company if formation == "with_property" else None))
        while olds:
            if len(olds) >= 2 and (self._first("joint") or rng.random() < 0.6):
                plans.append(("joint", olds[:2], None))
                olds = olds[2:]
            else:
                plans.append((rng.choice(("standalone", "dispatched")), olds[:1], None))
                olds = olds[1:]
        if scattered:
            plans.append(("contiguous", scattered, None))

        word = community.name.removesuffix("社区")
        branches = []
        for formation, covered_compounds, company in plans:
            first = covered_compounds[0]
            if formation == "joint":
                name = f"{first.name}等{len(covered_compounds)}个院落联合党支部"
            elif formation == "contiguous":
                name = f"{word}片区零散楼栋连片党支部"
            elif formation == "with_property":
                name = f"{first.name}物业联建党支部"
            else:
                name = f"{first.name}党支部"
            branch = PartyOrg(name=name, level=PartyOrg.Level.BRANCH, parent=committee, community=community,
                              formation=formation, property_company=company,
                              founded_on=self._days_ago(200, 6 * 365))
            branch._compounds = covered_compounds
            branches.append(branch)
        self._bulk(PartyOrg, branches, "党组织")
        for branch in branches:
            if branch.property_company_id:
                self._company_party_org.setdefault(branch.property_company_id, branch.pk)

        branch_of = {c.pk: b for b in branches for c in b._compounds}
        groups = []
        for branch in branches:
            for compound in branch._compounds:
                blds = buildings.get(compound.pk, [])
                n = min(3, (len(blds) + 1) // 2) if compound.kind == PLANNED else (1 if len(branch._compounds) > 1 else 0)
                for g in range(n):
                    building = blds[min(2 * g, len(blds) - 1)]
                    group = PartyOrg(name=f"{compound.name}{building.number}党小组", level=PartyOrg.Level.GROUP,
                                     parent=branch, community=community, founded_on=self._days_ago(100, 4 * 365))
                    group._compounds = [compound]
                    groups.append(group)
        self._bulk(PartyOrg, groups, "党组织")

        # Lead households: a member's household that looks after its neighbours.
        leads = []
        lead_candidates = {}
        for p in members:
            if p.member.category in ("resident", "retired") and not p.member.lost_contact:
                lead_candidates.setdefault(p.compound_id, []).append(p)
        for group in groups:
            compound = group._compounds[0]
            candidates = [p for p in lead_candidates.get(compound.pk, []) if not getattr(p, "_lead", False)]
            for p in candidates[: (2 if rng.random() < 0.3 else 1)]:
                p._lead = True
                lead = PartyOrg(name=f"{p.name}党员中心户", level=PartyOrg.Level.LEAD_HOUSEHOLD, parent=group,
                                community=community, founded_on=self._days_ago(60, 3 * 365))
                lead._compounds = [compound]
                leads.append(lead)
        self._bulk(PartyOrg, leads, "党组织")

        org_through = PartyOrg.compounds.through
        self._through(org_through, [org_through(partyorg_id=o.pk, compound_id=c.pk)
                                    for o in branches + groups + leads for c in o._compounds])

        for p in members:
            if p.member.category in ("resident", "retired"):
                branch = branch_of.get(p.compound_id)
                p.member.home_branch = branch or committee
        self._bulk(PartyMember, [p.member for p in members])

        # Members looking after households (党员联系户): lead households always, others sometimes.
        cared = PartyMember.cared_households.through
        rows = []
        households_by_compound: dict[int, list[int]] = {}
        for hid, hpeople in households.items():
            households_by_compound.setdefault(hpeople[0].compound_id, []).append(hid)
        for p in members:
            if p.member.lost_contact or p.member.category == "floating":
                continue
            if not getattr(p, "_lead", False) and rng.random() >= 0.3:
                continue
            neighbours = [h for h in households_by_compound.get(p.compound_id, []) if h != p.household_id]
            k = min(len(neighbours), rng.randint(3, 5) if getattr(p, "_lead", False) else rng.randint(1, 3))
            rows.extend(cared(partymember_id=p.member.pk, household_id=h) for h in rng.sample(neighbours, k))
        self._through(cared, rows)

        self._party_positions(committee, branches, by_compound, members, people, services)

    def _party_positions(self, committee, branches, by_compound, members, people, services) -> None:
        rng = self.rng
        positions = []
        active = [p for p in members if not p.member.lost_contact and p.member.category != "floating"]
        adults = [p for p in people if 25 <= p.age <= 70]

        def pick(pool, fallback):
            pool = [p for p in pool if not getattr(p, "_office", False)] or fallback
            person = rng.choice(pool)
            person._office = True
            return person

        def hold(person, role, start=None, end=None, **org):
            positions.append(Position(resident_id=person.id, role=role, start=start or self._days_ago(60, 5 * 365),
                                      end=end, **org))

        middle = [p for p in active if 30 <= p.age <= 60] or active or adults
        secretary = pick(middle, adults)
        committee._secretary = secretary
        hold(secretary, "书记", party_org=committee)
        hold(pick(middle, adults), "副书记", party_org=committee)
        for _ in range(3):
            hold(pick(active or adults, adults), "委员", party_org=committee)
        if rng.random() < 0.5:
            start = self._days_ago(6 * 365, 9 * 365)
            hold(pick(active or adults, adults), "书记", start=start, end=start + dt.timedelta(days=5 * 365),
                 party_org=committee)

        for branch in branches:
            ids = {c.pk for c in branch._compounds}
            local = [p for p in active if p.compound_id in ids]
            if branch.formation == "dispatched" or not local:
                # A cadre sent from outside the compound leads the branch.
                secretary = pick([p for p in active if p.compound_id not in ids] or active or adults, adults)
            else:
                secretary = pick(local, adults)
            branch._secretary = secretary
            hold(secretary, "书记", party_org=branch)
            branch._members = []
            for _ in range(2):
                person = pick(local or active or adults, adults)
                branch._members.append(person)
                hold(person, "委员", party_org=branch)
            # The property manager of a company serving the compound joins the branch part-time.
            for compound in branch._compounds:
                service = services.get(compound.pk)
                if service is None:
                    continue
                residents = [p for p in by_compound.get(compound.pk, []) if 28 <= p.age <= 55] or adults
                manager = pick(residents, adults)
                compound._property_manager = manager
                hold(manager, f"{compound.name}项目经理", property_company=service.company)
                if self._first("manager_in_branch") or rng.random() < 0.5:
                    hold(manager, "兼职委员", party_org=branch)
        for compound_id, service in services.items():
            compound = service.compound
            if getattr(compound, "_property_manager", None) is None:
                residents = [p for p in by_compound.get(compound_id, []) if 28 <= p.age <= 55] or adults
                compound._property_manager = pick(residents, adults)
                hold(compound._property_manager, f"{compound.name}项目经理", property_company=service.company)
        for branch in branches:
            for compound in branch._compounds:
                compound._branch = branch
        self._bulk(Position, positions, "任职")

    # -- self-organisations --------------------------------------------------------------------

    _SELF_ORG_NAMES = {"owners_committee": "业主委员会", "property_committee": "物业管理委员会",
                       "self_management": "院委会"}
    _TERM_YEARS = {"owners_committee": 5, "property_committee": 3, "self_management": 3}

    def _self_orgs(self, compounds, people) -> None:
        rng = self.rng
        by_compound: dict[int, list[_Person]] = {}
        for p in people:
            by_compound.setdefault(p.compound_id, []).append(p)
        orgs, seats = [], []
        for compound in compounds:
            if compound._three_none:
                continue
            if compound.kind == PLANNED:
                options, weights = ("owners_committee", "property_committee"), (7, 3)
            elif compound.kind == OLD:
                options, weights = ("self_management", "property_committee"), (6, 4)
            else:
                options, weights = ("self_management", "property_committee"), (2, 1)
            if compound.kind != PLANNED and rng.random() < 0.2 and compound.responsible_department:
                continue
            kind = self._pick("self_org", options, weights)
            years = self._TERM_YEARS[kind]
            start = self._days_ago(30, 2 * 365)
            end = start.replace(year=start.year + years) - dt.timedelta(days=1)
            org = SelfOrg(kind=kind, compound=compound, name=f"{compound.name}{self._SELF_ORG_NAMES[kind]}",
                          elected_on=start, term_start=start, term_end=end)
            orgs.append(org)
            seats.append((org, compound, years))
            if self._first("previous_term") or rng.random() < 0.3:
                prev_start = start.replace(year=start.year - years)
                orgs.append(SelfOrg(kind=kind, compound=compound,
                                    name=f"{compound.name}{self._SELF_ORG_NAMES[kind]}（上届）",
                                    elected_on=prev_start, term_start=prev_start,
                                    term_end=start - dt.timedelta(days=1)))
        self._bulk(SelfOrg, orgs)

        positions = []
        for org, compound, _ in seats:
            residents = by_compound.get(compound.pk, [])
            if org.kind == "owners_committee":
                pool = [p for p in residents if p.is_owner and p.age >= 25]
            else:
                pool = [p for p in residents if p.age >= 25]
            size = rng.randint(5, 7) if org.kind == "self_management" else rng.randint(3, 5)
            chosen = rng.sample(pool, min(size, len(pool)))
            branch = getattr(compound, "_branch", None)
            if branch is not None and branch._members and (self._first("cross") or rng.random() < 0.7):
                # Cross-appointment: a branch member also sits on the committee.
                crossing = branch._members[0]
                if crossing not in chosen:
                    chosen = [crossing] + chosen[: max(0, size - 1)]
                elif chosen.index(crossing):
                    chosen.remove(crossing)
                    chosen.insert(0, crossing)
            for i, person in enumerate(chosen):
                role = "主任" if i == 0 else "副主任" if i == 1 else "委员"
                positions.append(Position(resident_id=person.id, self_org=org, role=role, start=org.term_start,
                                          end=org.term_end))
        self._bulk(Position, positions, "任职")

    # -- partners and grid workers -------------------------------------------------------------

    def _partners(self, community, people) -> None:
        rng = self.rng
        partners = []
        word = community.name.removesuffix("社区")
        for _ in range(self._between(self.shape.partners_per_community)):
            kind = self._pick("partner", [k for k, _ in PartnerUnit.Kind.choices])
            if kind == "unit":
                name = rng.choice(words.PARTNER_UNITS)
            elif kind == "red_partner":
                name = f"{word}{rng.choice(words.SHOPS)}"
            elif kind == "craftsperson":
                trade = rng.choice(words.PARTNER_OFFERS["craftsperson"])
                name = f"{self.people.full(rng.choice('MMF'), rng.randint(1960, 1990))}（{trade}）"
            else:
                name = f"{community.name}{rng.choice(words.VOLUNTEER_TEAMS)}"
            offer = rng.choice(words.PARTNER_OFFERS[kind])
            partners.append(PartnerUnit(name=name, kind=kind, community=community, offer=offer,
                                        agreement_on=self._days_ago(30, 3 * 365)))
        self._bulk(PartnerUnit, partners)
        adults = [p for p in people if 25 <= p.age <= 65]
        if adults:
            self._bulk(Position, [Position(resident_id=rng.choice(adults).id, partner=partner,
                                           role="队长" if partner.kind == "volunteer_team" else "联系人",
                                           start=partner.agreement_on) for partner in partners], "任职")

    def _grid_workers(self, grids) -> None:
        rng = self.rng
        workers, links = [], []
        for i, grid in enumerate(grids):
            kinds = ["full_time"]
            if self._first("part_time") or rng.random() < 0.4:
                kinds.append("part_time")
            if self._first("assistant") or rng.random() < 0.6:
                kinds.append("assistant")
            for kind in kinds:
                gender = rng.choice("MF")
                duties = words.ASSISTANT_DUTIES if kind == "assistant" else words.GRID_WORKER_DUTIES
                worker = GridWorker(name=self.people.full(gender, rng.randint(1968, 2000)), phone=self.phone(),
                                    kind=kind, duties="\n".join(f"{n}. {d}" for n, d in enumerate(duties, 1)),
                                    started_on=self._days_ago(90, 8 * 365))
                # A part-time worker often looks after the neighbouring grid too.
                covers = [grid] + ([grids[(i + 1) % len(grids)]] if kind == "part_time" and len(grids) > 1 else [])
                workers.append(worker)
                links.append((worker, covers))
        self._bulk(GridWorker, workers)
        through = GridWorker.grids.through
        self._through(through, [through(gridworker_id=w.pk, grid_id=g.pk) for w, gs in links for g in gs])

    # -- demo logins ---------------------------------------------------------------------------

    def _logins(self, context: DemoContext) -> None:
        """One login per role, each in a different place, found among the rows just generated."""
        district = context.places.district
        compound_ids = [c.pk for c in context.places.compounds]
        branch_compounds = set(PartyOrg.compounds.through.objects.filter(
            partyorg__level=PartyOrg.Level.BRANCH, compound_id__in=compound_ids).values_list("compound_id", flat=True))
        covered = [c for c in context.places.compounds if c.pk in branch_compounds]
        home = next((c for c in covered if c.kind == PLANNED), covered[0])
        dwelling_residents = Resident.objects.filter(household__dwelling__entrance__building__compound=home,
                                                     relation=Resident.Relation.HEAD).order_by("id")
        born_after = self.anchor.replace(year=self.anchor.year - 60)
        born_before = self.anchor.replace(year=self.anchor.year - 25)
        resident = (dwelling_residents.filter(birth_date__gte=born_after, birth_date__lte=born_before,
                                              party_member__isnull=True).first() or dwelling_residents.first())
        grid = resident.household.dwelling.entrance.building.grid
        community = home.community
        street = community.parent
        services = PropertyService.objects.filter(company__isnull=False, end__isnull=True).exclude(compound=home)
        # Prefer a planned compound of the same community: that is where property staff work most.
        served = (services.filter(compound__community=community, compound__kind=PLANNED).order_by("compound_id").first()
                  or services.filter(compound__community=community).order_by("compound_id").first()
                  or services.order_by("compound_id").first())
        worker = GridWorker.objects.filter(grids=grid, kind=GridWorker.Kind.FULL_TIME).order_by("id").first()

        def holder(**filters):
            position = Position.objects.filter(end__isnull=True, **filters).select_related("resident").order_by("id")
            position = position.first()
            return position.resident.name if position else self.people.full(self.rng.choice("MF"), 1975)

        homes = {"resident1": home, "grid1": grid, "community1": community, "branch1": home,
                 "property1": served.compound, "street1": street, "district1": district, "admin": None}
        display = {
            "resident1": resident.name,
            "grid1": worker.name,
            "community1": holder(party_org__community=community, party_org__level="committee", role="书记"),
            "branch1": holder(party_org__compounds=home, party_org__level="branch", role="书记"),
            "property1": holder(property_company=served.company, role__startswith=served.compound.name),
            "street1": self.people.full("M", 1972),
            "district1": self.people.full("F", 1970),
            "admin": "系统管理员",
        }
        roles = {"resident1": Role.RESIDENT, "grid1": Role.GRID_WORKER, "community1": Role.COMMUNITY_SECRETARY,
                 "branch1": Role.BRANCH_SECRETARY, "property1": Role.PROPERTY_STAFF,
                 "street1": Role.STREET_OFFICER, "district1": Role.DISTRICT_OFFICER}
        # One hash for the shared demo password: hashing is deliberately slow.
        password = make_password(PASSWORD)
        users = {login: User(username=login, display_name=display[login], password=password,
                             is_superuser=login == "admin", is_staff=login == "admin") for login in LOGINS}
        self._bulk(User, list(users.values()), "演示账号")
        assignments = []
        for login, role in roles.items():
            node = homes[login]
            target = {"unit": node} if isinstance(node, AdminUnit) else {node._meta.model_name: node}
            if role == Role.RESIDENT:
                target = {}
            assignments.append(Assignment(user=users[login], role=role, **target))
        self._bulk(Assignment, assignments, "角色与辖区")
        Resident.objects.filter(pk=resident.pk).update(user=users["resident1"])
        GridWorker.objects.filter(pk=worker.pk).update(user=users["grid1"])
        context.users = users
        context.homes = homes


# ---------------------------------------------------------------------------------------------
# Extensions


COUNT_ORDER = ("区/县", "街道/乡镇", "社区", "网格", "微网格", "小区/院落", "楼栋", "单元", "房屋", "户", "居民",
               "关爱标签", "党员", "网格员", "党组织", "自治组织", "物业服务企业", "物业服务", "共建单位/合伙人",
               "任职", "演示账号", "角色与辖区")


def ordered_counts(counts: Counter) -> dict[str, int]:
    """Non-zero counts, registry first in the order above, then whatever extensions added."""
    rank = {label: i for i, label in enumerate(COUNT_ORDER)}
    items = [(label, n) for label, n in counts.items() if n]
    return dict(sorted(items, key=lambda item: rank.get(item[0], len(rank))))


def extension_modules() -> list[tuple[str, str]]:
    """(app label, module name) of every installed Linli app with a `demo` module, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("linli.") or config.name == "linli.demo":
            continue
        module = f"{config.name}.demo"
        if importlib.util.find_spec(module) is not None:
            found.append((config.label, module))
    return found


def run_extensions(context: DemoContext) -> list[str]:
    ran = []
    for label, module_name in extension_modules():
        module = importlib.import_module(module_name)
        populate = getattr(module, "populate", None)
        if populate is None:
            continue
        populate(dataclasses.replace(context, rng=random.Random(f"{context.seed}:{label}")))
        ran.append(module_name)
    return ran


def generate(shape: Shape, seed: int = DEFAULT_SEED, *, anchor: dt.date = DEFAULT_ANCHOR,
             extensions: bool = True) -> DemoContext:
    """Write the whole demo data set (call inside a transaction); returns the context with counts."""
    context = Generator(shape, seed, anchor=anchor).run()
    if extensions:
        run_extensions(context)
    return context
