"""Organisations on top of the shared world, the same in every orgs test.

community1: 康宁社区党委 (committee, no compounds) → 康宁小区党支部 (branch covering compound1);
compound1: 康宁小区业主委员会, where world.resident is a branch member AND the committee's chair
(cross-appointment); compound2 is served by 幸福苑物业; a co-building unit is registered in community1.
"""

import datetime as dt
from dataclasses import dataclass

import pytest

from linli.orgs.models import PartyOrg
from linli.orgs.tests.factories import (
    PartnerUnitFactory,
    PartyOrgFactory,
    PositionFactory,
    PropertyCompanyFactory,
    PropertyServiceFactory,
    SelfOrgFactory,
)

# Who sees what in the world (see linli.testing.build_world for where each persona sits).
STAFF = {"grid_worker", "community_secretary", "branch_secretary", "property_staff", "street_officer",
         "district_officer", "outsider", "admin"}
EDITORS = STAFF - {"property_staff"}
SEE_COMPOUND1 = {"grid_worker", "community_secretary", "branch_secretary", "street_officer", "district_officer",
                 "admin"}
SEE_COMPOUND2 = {"community_secretary", "property_staff", "street_officer", "district_officer", "admin"}
SEE_COMMUNITY1 = {"community_secretary", "street_officer", "district_officer", "admin"}


@dataclass
class Orgs:
    committee: object
    branch: object
    owners: object
    company: object
    service: object
    partner: object
    branch_position: object
    owners_position: object


@pytest.fixture
def orgs(world):
    committee = PartyOrgFactory(name="康宁社区党委", level=PartyOrg.Level.COMMITTEE, formation="",
                                community=world.community1)
    branch = PartyOrgFactory(name="康宁小区党支部", parent=committee, community=world.community1,
                             compounds=[world.compound1])
    owners = SelfOrgFactory(compound=world.compound1, name="康宁小区业主委员会", term_start=dt.date(2024, 1, 1))
    company = PropertyCompanyFactory(name="幸福苑物业有限公司")
    service = PropertyServiceFactory(compound=world.compound2, company=company, start=dt.date(2023, 1, 1))
    partner = PartnerUnitFactory(name="康宁共建单位", community=world.community1)
    branch_position = PositionFactory(resident=world.resident, party_org=branch, role="支部委员",
                                      start=dt.date(2024, 1, 1))
    owners_position = PositionFactory(resident=world.resident, self_org=owners, role="业委会主任",
                                      start=dt.date(2024, 3, 1))
    return Orgs(committee, branch, owners, company, service, partner, branch_position, owners_position)
