"""The seeds' coverage figures rebuilt from generated data: Nanchong (seed 000) and Xiaodian (seed 003)."""

import datetime as dt
from decimal import Decimal

import pytest

from linli.dashboard.selectors import node_for_unit
from linli.orgs.models import PartyOrg, PropertyCompany, PropertyService
from linli.places.models import AdminUnit, Compound
from linli.property.selectors import coverage

pytestmark = pytest.mark.django_db


def _area(code: str, name: str) -> tuple[AdminUnit, AdminUnit]:
    district = AdminUnit.objects.create(code=f"{code}000000", name=name, level="district")
    street = AdminUnit.objects.create(code=f"{code}001000", name=f"{name}一街道", level="street", parent=district)
    community = AdminUnit.objects.create(code=f"{code}001001", name=f"{name}一社区", level="community", parent=street)
    return district, community


def _compounds(community, n: int, prefix: str) -> list[Compound]:
    return Compound.objects.bulk_create(
        [Compound(community=community, name=f"{prefix}{i:04d}", kind="planned") for i in range(n)], batch_size=500)


def _companies(prefix: str, n: int) -> list[PropertyCompany]:
    return PropertyCompany.objects.bulk_create([PropertyCompany(name=f"{prefix}物业{i:02d}") for i in range(n)])


def test_nanchong_four_modes_cover_every_compound(django_assert_num_queries):
    # given 1,299 compounds: 314 market-selected, 343 red property, 618 self-managed, 24 state-owned
    district, community = _area("511302", "顺庆区")
    compounds = _compounds(community, 1299, "南充小区")
    market_companies = _companies("南充", 20)
    state = _companies("南充国有", 1)[0]
    plan = [("market", 314), ("red_property", 343), ("self_managed", 618), ("state_owned", 24)]
    rows, i = [], 0
    for mode, n in plan:
        for _ in range(n):
            company = market_companies[i % 20] if mode == "market" else state if mode == "state_owned" else None
            rows.append(PropertyService(compound=compounds[i], mode=mode, company=company,
                                        provider_name="" if company else f"{mode}服务主体",
                                        start=dt.date(2022, 3, 1)))
            i += 1
    PropertyService.objects.bulk_create(rows, batch_size=500)
    # when
    with django_assert_num_queries(3):
        result = coverage(node_for_unit(district), as_of=dt.date(2024, 6, 30))
    # then
    counts = {code: n for code, _label, n in result.by_mode}
    assert (counts["market"], counts["red_property"], counts["self_managed"], counts["state_owned"]) == (
        314, 343, 618, 24)
    assert result.compounds == 1299 and result.served == 1299 and result.without == 0
    assert result.coverage.percent == Decimal("100.0")
    # and before the services started nothing was covered
    assert coverage(node_for_unit(district), as_of=dt.date(2022, 2, 28)).served == 0


def test_xiaodian_coverage_elimination_and_party_organisations(django_assert_num_queries):
    # given 1,157 compounds (dates: baseline 2019-01-01, mid-campaign 2020-06-30, end 2023-12-31)
    district, community = _area("140105", "小店区")
    served_all_along = _compounds(community, 814, "常住物业")   # served since 2015
    newly_served = _compounds(community, 47, "新引物业")        # without at the baseline, served from 2021
    still_without = _compounds(community, 3, "仍无物业")        # without throughout
    handed_over = _compounds(community, 293, "移交院落")       # work-unit service ended 2022-06-30
    first_wave = _companies("老牌", 11)    # serve since 2015
    second_wave = _companies("新进", 44)   # arrive with the campaign in 2021
    rows = []
    for n, compound in enumerate(served_all_along):
        company = first_wave[n % 11] if n % 2 == 0 else None
        rows.append(PropertyService(compound=compound, mode="market" if company else "self_managed", company=company,
                                    provider_name="" if company else "自管小组", start=dt.date(2015, 1, 1)))
    for n, compound in enumerate(newly_served):
        rows.append(PropertyService(compound=compound, mode="red_property", company=second_wave[n % 44],
                                    start=dt.date(2021, 1, 1)))
    for compound in handed_over:
        rows.append(PropertyService(compound=compound, mode="unit_cobuild", provider_name="原产权单位",
                                    start=dt.date(2015, 1, 1), end=dt.date(2022, 6, 30)))
    PropertyService.objects.bulk_create(rows, batch_size=500)
    # Party organisations in companies: 3 of the first 11 by 2018, 40 more (companies 4–43) in 2022.
    companies = first_wave + second_wave
    orgs = PartyOrg.objects.bulk_create([
        PartyOrg(name=f"{c.name}党支部", level="branch", formation="standalone", community=community,
                 founded_on=dt.date(2018, 5, 1) if n < 3 else dt.date(2022, 7, 1))
        for n, c in enumerate(companies[:43])])
    for company, org in zip(companies[:43], orgs, strict=True):
        company.party_org = org
    PropertyCompany.objects.bulk_update(companies[:43], ["party_org"])
    node = node_for_unit(district)
    # when
    with django_assert_num_queries(3):
        end = coverage(node, as_of=dt.date(2023, 12, 31), baseline=dt.date(2019, 1, 1))
    mid = coverage(node, as_of=dt.date(2020, 6, 30))
    # then
    assert end.compounds == 1157 and end.served == 861 and end.without == 296
    assert end.coverage.display == "74.4%"
    assert end.baseline_without == 50 and end.eliminated == 47
    assert end.eliminated_share.display == "94.0%"
    assert (mid.companies, mid.companies_with_party_org, mid.party_org_coverage.display) == (11, 3, "27.3%")
    assert (end.companies, end.companies_with_party_org, end.party_org_coverage.display) == (55, 43, "78.2%")
    assert len(still_without) == 3
