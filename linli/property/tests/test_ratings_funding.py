"""Star ratings, funding, area-wide contracts and the Excel exports."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from linli.core import clock
from linli.core.errors import Forbidden, NotFound
from linli.orgs.models import PartyOrg, PropertyCompany, PropertyService
from linli.people.tests.factories import HouseholdFactory, ResidentFactory
from linli.property import services
from linli.property.models import FundKind, Grant, SurveyResponse
from linli.property.selectors import company_averages
from linli.stations.models import Station
from linli.testing import refused


@pytest.fixture
def scheme(world):
    return services.scheme_create(actor=world.user("street_officer"), name="星级小区评定", year=2026,
                                  unit=world.street1, criteria=[("环境卫生", 40, 100), ("安全秩序", 60, 50)])


def test_stars_combine_survey_and_street_review_and_companies_average(world, scheme, counts):
    # given a company serving compound1 and two residents' survey answers (5 and 4 → 90 points)
    company = PropertyCompany.objects.create(name="红星物业")
    PropertyService.objects.create(compound=world.compound1, mode="market", company=company, start=dt.date(2024, 1, 1))
    services.survey_submit(actor=world.user("resident"), scheme=scheme, compound_id=world.compound1.pk, score=5)
    # (the neighbour has no login: their paper answer is entered as a row)
    SurveyResponse.objects.create(scheme=scheme, compound=world.compound1, resident=world.neighbour, score=4)
    c1, c2 = scheme.criteria.order_by("id")
    # when the street reviews: 80/100 on weight 40, 45/50 on weight 60 → review 86
    result = services.assessment_record(actor=world.user("street_officer"), scheme=scheme, compound=world.compound1,
                                        scores={c1.pk: 80, c2.pk: 45})
    # then total = 0.4 × 90 + 0.6 × 86 = 87.60 → 3 stars (60, 70, 80 reached; 90 not)
    assert (result.survey_score, result.review_score, result.total, result.stars) == (
        Decimal("90.00"), Decimal("86.00"), Decimal("87.60"), 3)
    assert result.company == company
    averages = company_averages(actor=world.user("district_officer"), year=2026)
    assert averages == [{"company_id": company.pk, "company": "红星物业", "compounds": 1, "average": Decimal("3.00")}]
    # and a second rating of the same compound that year is refused
    before = counts()
    with refused("already_assessed"):
        services.assessment_record(actor=world.user("street_officer"), scheme=scheme, compound=world.compound1,
                                   scores={c1.pk: 80, c2.pk: 45})
    assert counts() == before


def test_a_rating_by_someone_outside_the_compound_is_refused(world, scheme, counts):
    before = counts()
    # a resident of another compound
    with refused("not_resident_of_compound") as info:
        services.survey_submit(actor=world.user("resident"), scheme=scheme, compound_id=world.compound4.pk, score=1)
    assert info.value.status == 403
    # an officer of another street cannot see the compound; a grid worker may not review
    outsider = world.user("outsider")
    with pytest.raises(NotFound):
        services.assessment_record(actor=outsider, scheme=scheme, compound=world.compound1, scores={})
    with pytest.raises(Forbidden):
        services.assessment_record(actor=world.user("grid_worker"), scheme=scheme, compound=world.compound1, scores={})
    assert counts() == before


def test_party_building_funds_follow_population_bands_and_disbursement_is_capped(world, counts):
    # given a branch over compound1 (2 residents) and one over compound3 with 350 residents
    small = PartyOrg.objects.create(name="康宁支部", level="branch", formation="standalone", community=world.community1)
    small.compounds.add(world.compound1)
    big = PartyOrg.objects.create(name="双东支部", level="branch", formation="standalone", community=world.community2)
    big.compounds.add(world.compound3)
    dwelling = world.compound3.buildings.first().entrances.first().dwellings.first()
    household = HouseholdFactory(dwelling=dwelling)
    for _ in range(350):
        ResidentFactory(household=household)
    officer = world.user("street_officer")
    budget = services.budget_create(actor=officer, unit=world.street1, year=2026, kind=FundKind.PARTY_BUILDING,
                                    amount="10000.00")
    # when
    grants = services.grants_party_building(actor=officer, budget=budget)
    # then 2 residents → 2,000 yuan; 350 → 3,000 yuan; running it again grants nothing new
    assert {g.party_org.name: g.amount for g in grants} == {"康宁支部": Decimal("2000.00"), "双东支部": Decimal("3000.00")}
    assert services.grants_party_building(actor=officer, budget=budget) == []
    # and paying out more than granted is refused
    grant = Grant.objects.get(party_org=small)
    services.disbursement_create(actor=officer, grant=grant, amount="1500.00", paid_on=clock.today())
    before = counts()
    with refused("grant_exceeded"):
        services.disbursement_create(actor=officer, grant=grant, amount="600.00", paid_on=clock.today())
    assert counts() == before
    from linli.dashboard.selectors import node_for_unit
    from linli.property.selectors import funding

    row = funding(node_for_unit(world.street1), year=2026)["rows"][0]
    assert (row["budget"], row["granted"], row["disbursed"], row["left"], row["unallocated"]) == (
        Decimal("10000.00"), Decimal("5000.00"), Decimal("1500.00"), Decimal("8500.00"), Decimal("5000.00"))


def test_station_award_only_for_an_accepted_station_and_once(world, counts):
    # given a station of compound2 that has not passed acceptance
    officer = world.user("district_officer")
    award_budget = services.budget_create(actor=officer, unit=world.district, year=2026, kind="station_award",
                                          amount="300000.00")
    station = Station.objects.create(community=world.community1, compound=world.compound2, name="幸福苑党群服务站",
                                     kind="compound", address="幸福苑1号楼底商")
    before = counts()
    # when the award is asked for before acceptance, then it is refused and nothing is written
    with refused("station_not_accepted"):
        services.grant_station_award(actor=officer, budget=award_budget, station=station)
    assert counts() == before
    # when the street has accepted it, the award is granted once, pointing at the station
    Station.objects.filter(pk=station.pk).update(accepted_on=dt.date(2026, 1, 5))
    station.refresh_from_db()
    grant = services.grant_station_award(actor=officer, budget=award_budget, station=station)
    assert (grant.amount, grant.station, grant.compound) == (Decimal("100000.00"), station, world.compound2)
    before = counts()
    with refused("station_awarded"):
        services.grant_station_award(actor=officer, budget=award_budget, station=station)
    assert counts() == before


def test_subsidy_only_for_compounds_without_service(world, counts):
    officer = world.user("district_officer")
    subsidy_budget = services.budget_create(actor=officer, unit=world.district, year=2026, kind="subsidy",
                                            amount="50000.00")
    PropertyService.objects.create(compound=world.compound1, mode="market", provider_name="某物业",
                                   start=dt.date(2020, 1, 1))
    before = counts()
    with refused("compound_has_service"):
        services.grant_subsidy(actor=officer, budget=subsidy_budget, compound=world.compound1, amount="8000.00")
    with refused("budget_exceeded"):
        services.grant_subsidy(actor=officer, budget=subsidy_budget, compound=world.compound3, amount="60000.00")
    assert counts() == before
    assert services.grant_subsidy(actor=officer, budget=subsidy_budget, compound=world.compound3,
                                  amount="8000.00").amount == Decimal("8000.00")


def test_area_wide_contract_groups_neighbouring_compounds(world, counts):
    # given compound1 had a market company until now
    old = PropertyService.objects.create(compound=world.compound1, mode="market", provider_name="旧物业",
                                         start=dt.date(2020, 1, 1))
    officer = world.user("street_officer")
    company = PropertyCompany.objects.create(name="片区物业")
    # when compounds 1–3 (one street) are put under one contract
    contract = services.area_contract_create(actor=officer, name="坞城片区", company=company, start=dt.date(2026, 1, 1),
                                             compounds=[world.compound1, world.compound2, world.compound3])
    # then each has an area-wide service from the start, and the old service ended the day before
    assert contract.compounds.count() == 3
    assert PropertyService.objects.filter(mode="area_wide", company=company, start=dt.date(2026, 1, 1)).count() == 3
    old.refresh_from_db()
    assert old.end == dt.date(2025, 12, 31)
    # and compounds of two streets are not neighbours
    before = counts()
    with refused("area_not_adjacent"):
        services.area_contract_create(actor=world.user("district_officer"), name="跨街道", company=company,
                                      start=dt.date(2026, 2, 1), compounds=[world.compound3, world.compound4])
    assert counts() == before


def test_coverage_table_exports_to_excel(world, client_for):
    # given one served compound of four
    PropertyService.objects.create(compound=world.compound1, mode="trust", provider_name="信托物业",
                                   start=dt.date(2020, 1, 1))
    # when
    response = client_for("district_officer").get("/property/coverage/?format=xlsx&as_of=2026-01-01")
    # then
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("区域", "统计日", "小区数", "有物业服务", "覆盖率(%)")
    district = next(r for r in rows if r[0] == "小店区")
    assert district[2:6] == (4, 1, 25, 3)
    street = next(r for r in rows if r[0] == "坞城街道")
    assert street[2:5] == (3, 1, 33.3)
