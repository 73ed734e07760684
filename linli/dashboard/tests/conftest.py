"""A hand-built landscape on top of the world fixture, with indicators worked out on paper.

Today is 2025-06-15. Compounds (community / grid / kind):
  c1 康宁小区   community1 grid1 planned   P1 covers; self-org open; service by A (has_party_org)
  c2 幸福苑     community1 grid2 planned   P1 covers; self-org expired 2024-12-31; service by B ends today
  c3 双东院落   community2 grid3 old       nothing, no responsible department            → 三无
  c5 机床厂院落 community2 grid3 old       nothing but a department; self-org starts 2025-09-01
  c4 南内环小区 community3 grid4 planned   P2 covers; self-org open; A ended 2024, D starts 2026
  c6 零散楼栋   community3 grid4 scattered P2 covers; self-org to 2025-12-31; service by C from today
A community committee P0 in community2 covers nothing.

Positions (all current unless noted):
  X: P1 + self-org of c1 (cross for c1) + self-org of c4 (P1 does not cover c4: no cross there)
  Y: P2 + company A (A does not serve c4 or c6 today: no cross)
  Z: P2 ended 2025-01-31 + self-org of c4 (not at the same time: no cross)
  W: P2 + company C (C serves c6 today: cross for c6)
X, Y, Z, W live in one household in c6. Y turns 65 today; Z turns 65 tomorrow.
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from linli.core import clock
from linli.orgs.models import PartyOrg
from linli.orgs.tests.factories import (
    PartyOrgFactory,
    PositionFactory,
    PropertyCompanyFactory,
    PropertyServiceFactory,
    SelfOrgFactory,
)
from linli.people.models import PartyMember
from linli.people.tests.factories import (
    GridWorkerFactory,
    HouseholdFactory,
    PartyMemberFactory,
    ResidentFactory,
    make_id_number,
)
from linli.places.models import Compound
from linli.places.tests.factories import BuildingFactory, CompoundFactory, DwellingFactory, EntranceFactory

TODAY = dt.date(2025, 6, 15)


def _dwelling_in(compound, grid, number):
    building = BuildingFactory(compound=compound, grid=grid, number=number)
    return DwellingFactory(entrance=EntranceFactory(building=building, number="1单元"), number="101")


@pytest.fixture
def landscape(world):
    clock.freeze(dt.datetime(2025, 6, 15, 10, 0))
    w = world
    c1, c2, c4 = w.compound1, w.compound2, w.compound4
    c5 = CompoundFactory(community=w.community2, name="机床厂院落", kind=Compound.Kind.OLD_COURTYARD,
                         build_year=1975, responsible_department="太原机床厂")
    c6 = CompoundFactory(community=w.community3, name="零散楼栋", kind=Compound.Kind.SCATTERED)
    _dwelling_in(c5, w.grid3, "2号楼")
    d6 = _dwelling_in(c6, w.grid4, "1号楼")

    p0 = PartyOrgFactory(community=w.community2, name="双东社区党委", level=PartyOrg.Level.COMMITTEE, formation="")
    p1 = PartyOrgFactory(community=w.community1, name="康宁联合党支部", formation=PartyOrg.Formation.JOINT,
                         compounds=[c1, c2])
    p2 = PartyOrgFactory(community=w.community3, name="南内环党支部", compounds=[c4, c6])

    s1 = SelfOrgFactory(compound=c1, term_start=dt.date(2024, 1, 1))
    SelfOrgFactory(compound=c2, term_start=dt.date(2021, 1, 1), term_end=dt.date(2024, 12, 31))
    SelfOrgFactory(compound=c5, term_start=dt.date(2025, 9, 1))
    s4 = SelfOrgFactory(compound=c4, term_start=dt.date(2024, 1, 1))
    SelfOrgFactory(compound=c6, term_start=dt.date(2023, 1, 1), term_end=dt.date(2025, 12, 31))

    a = PropertyCompanyFactory(name="A物业", has_party_org=True)
    b = PropertyCompanyFactory(name="B物业")
    c = PropertyCompanyFactory(name="C物业", party_org=p2)
    d = PropertyCompanyFactory(name="D物业", has_party_org=True)
    PropertyServiceFactory(compound=c1, company=a, start=dt.date(2023, 1, 1))
    PropertyServiceFactory(compound=c2, company=b, start=dt.date(2023, 1, 1), end=TODAY)
    PropertyServiceFactory(compound=c4, company=a, start=dt.date(2020, 1, 1), end=dt.date(2024, 12, 31))
    PropertyServiceFactory(compound=c4, company=d, start=dt.date(2026, 1, 1))
    PropertyServiceFactory(compound=c6, company=c, start=TODAY)

    home = HouseholdFactory(dwelling=d6)
    x = ResidentFactory(household=home, name="X", id_number=make_id_number(401, born="19900101"))
    y = ResidentFactory(household=home, name="Y", id_number=make_id_number(402, born="19600615"))
    z = ResidentFactory(household=home, name="Z", id_number=make_id_number(403, born="19600616"))
    wr = ResidentFactory(household=home, name="W", id_number=make_id_number(404, born="19900101"))

    PositionFactory(resident=x, party_org=p1, role="委员")
    PositionFactory(resident=x, self_org=s1, role="业委会主任")
    PositionFactory(resident=x, self_org=s4, role="委员")
    PositionFactory(resident=y, party_org=p2, role="书记")
    PositionFactory(resident=y, property_company=a, role="项目经理")
    PositionFactory(resident=z, party_org=p2, role="委员", start=dt.date(2022, 1, 1), end=dt.date(2025, 1, 31))
    PositionFactory(resident=z, self_org=s4, role="委员", start=dt.date(2025, 2, 1))
    PositionFactory(resident=wr, party_org=p2, role="委员")
    PositionFactory(resident=wr, property_company=c, role="项目经理")

    PartyMemberFactory(resident=x, category=PartyMember.Category.RESIDENT)
    PartyMemberFactory(resident=y, category=PartyMember.Category.RETIRED)
    PartyMemberFactory(resident=wr, category=PartyMember.Category.IN_SERVICE,
                       dual_registered_community=w.community3, dual_registered_on=dt.date(2024, 3, 1))
    PartyMemberFactory(resident=w.resident, category=PartyMember.Category.FLOATING)

    GridWorkerFactory(grids=[w.grid1])
    GridWorkerFactory(grids=[w.grid3, w.grid4])
    return SimpleNamespace(world=w, c5=c5, c6=c6, p0=p0, p1=p1, p2=p2)
