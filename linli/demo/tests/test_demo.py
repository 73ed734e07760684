import datetime as dt
import io
import random
import sys
import types
from importlib.machinery import ModuleSpec

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from linli.accounts.models import Assignment, Role, User
from linli.core import clock, crypto
from linli.core.models import AuditEntry
from linli.core.scoping import scope_for, visible
from linli.core.validators import validate_admin_code, validate_id_number, validate_phone
from linli.demo.generator import LOGINS, PASSWORD, SHAPES, Generator, credit_code, generate
from linli.orgs.models import PartnerUnit, PartyOrg, Position, PropertyCompany, PropertyService, SelfOrg
from linli.people.models import CareTag, GridWorker, Household, PartyMember, Resident
from linli.places.models import AdminUnit, Building, Compound, Dwelling, Entrance, Grid, MicroGrid

EXPECTED_ROLES = {
    "resident1": Role.RESIDENT, "grid1": Role.GRID_WORKER, "community1": Role.COMMUNITY_SECRETARY,
    "branch1": Role.BRANCH_SECRETARY, "property1": Role.PROPERTY_STAFF, "street1": Role.STREET_OFFICER,
    "district1": Role.DISTRICT_OFFICER,
}


def run_demo(*args) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def registry_only(monkeypatch):
    """Leave other domains' demo modules out: these tests look at the registry, and stay fast."""
    monkeypatch.setattr("linli.demo.generator.extension_modules", lambda: [])


@pytest.fixture
def small(db, registry_only):
    return run_demo("--scale", "small")


@pytest.fixture
def demo(db, registry_only):
    return run_demo("--history", "0")


def snapshot():
    return {
        "units": list(AdminUnit.objects.order_by("code").values_list("code", "name")),
        "grids": list(Grid.objects.order_by("code").values_list("code", "name")),
        "compounds": list(Compound.objects.order_by("id").values_list("name", "kind", "build_year")),
        "residents": [(r.name, r.id_number, r.phone, r.relation, r.status) for r in Resident.objects.order_by("id")],
        "orgs": list(PartyOrg.objects.order_by("id").values_list("name", "level", "formation")),
        "users": list(User.objects.order_by("username").values_list("username", "display_name")),
    }


def generate_and_roll_back(seed: int) -> dict:
    with transaction.atomic():
        generate(SHAPES["small"], seed, extensions=False)
        taken = snapshot()
        transaction.set_rollback(True)
    return taken


# --- the command ---------------------------------------------------------------------------------


def test_demo_shape_has_about_forty_compounds_and_two_thousand_residents(db):
    # when the whole demo is loaded, other domains' demo modules included
    demo = run_demo()
    # then
    assert AdminUnit.objects.filter(level="district").count() == 1
    assert AdminUnit.objects.filter(level="street").count() == 3
    assert AdminUnit.objects.filter(level="community").count() == 6
    assert 35 <= Compound.objects.count() <= 45
    assert 1700 <= Resident.objects.count() <= 2400
    assert Grid.objects.count() >= 12 and MicroGrid.objects.count() >= Grid.objects.count()
    assert 600 <= Household.objects.count() <= 1100
    assert 80 <= PartyMember.objects.count() <= 300
    assert "已载入演示数据" in demo and "居民" in demo
    for login in LOGINS:
        assert login in demo
    assert PASSWORD in demo


def test_demo_covers_every_kind_category_formation_and_mode(demo):
    # given the demo shape (fixture)
    # then every value of every choice that the indicators look at occurs
    def values(model_or_qs, name):
        qs = model_or_qs.objects.all() if isinstance(model_or_qs, type) else model_or_qs
        return set(qs.values_list(name, flat=True))

    assert values(Compound, "kind") == set(Compound.Kind.values)
    assert values(PartyMember, "category") == set(PartyMember.Category.values)
    assert values(PartyOrg, "level") == set(PartyOrg.Level.values)
    assert values(PartyOrg.objects.filter(level="branch"), "formation") == set(PartyOrg.Formation.values)
    assert values(PropertyService, "mode") == set(PropertyService.Mode.values)
    assert values(SelfOrg, "kind") == set(SelfOrg.Kind.values)
    assert values(GridWorker, "kind") == set(GridWorker.Kind.values)
    assert values(PartnerUnit, "kind") == set(PartnerUnit.Kind.values)
    assert values(Resident, "relation") >= {"head", "spouse", "child", "parent"}
    assert values(Resident, "status") == set(Resident.Status.values)
    assert values(Resident.care_tags.through.objects.all(), "caretag__code") == {
        "living_alone", "empty_nest", "chronic", "disabled", "low_income"}


def test_demo_has_the_gaps_and_histories_that_make_indicators_interesting(demo):
    # given the demo shape (fixture)
    today = clock.today()
    current_service = PropertyService.objects.filter(start__lte=today).exclude(end__lt=today)
    active_self_org = SelfOrg.objects.filter(term_start__lte=today).exclude(term_end__lt=today)
    # then some compounds are not covered by any Party organisation
    assert 1 <= Compound.objects.filter(party_orgs__isnull=True).count() <= 10
    # and a few are 三无: no property service, no responsible department, no self-organisation
    three_none = (Compound.objects.filter(responsible_department="")
                  .exclude(pk__in=current_service.values("compound_id"))
                  .exclude(pk__in=active_self_org.values("compound_id")))
    assert 1 <= three_none.count() <= 10
    # and old courtyards were built before 2000, many with a responsible department
    old = Compound.objects.filter(kind="old_courtyard")
    assert not old.filter(build_year__gte=2000).exists()
    assert old.exclude(responsible_department="").count() * 2 >= old.count()
    # and there are ended services and terms next to current ones
    assert PropertyService.objects.filter(end__lt=today).exists() and current_service.exists()
    assert SelfOrg.objects.filter(term_end__lt=today).exists() and active_self_org.exists()
    # and companies with and without a Party organisation
    assert {c.with_party_org for c in PropertyCompany.objects.all()} == {True, False}
    # and dwellings with only surveyed or only contract area, and a few unsold by the developer
    assert Dwelling.objects.filter(registered_area__isnull=True, surveyed_area__isnull=False).exists()
    assert Dwelling.objects.filter(registered_area__isnull=True, surveyed_area__isnull=True,
                                   contract_area__isnull=False).exists()
    unsold = Dwelling.objects.filter(developer_unsold=True)
    assert 1 <= unsold.count() <= 40 and not unsold.filter(households__isnull=False).exists()
    # and lost-contact members with a search record, dual registration, cared households
    lost = PartyMember.objects.filter(lost_contact=True)
    assert lost.exists() and not lost.filter(search_record="").exists()
    in_service = PartyMember.objects.filter(category="in_service")
    assert not in_service.filter(dual_registered_community__isnull=True).exists()
    assert PartyMember.cared_households.through.objects.exists()
    # and a few sensitive tags
    assert 1 <= sum(1 for r in Resident.objects.all() if r.sensitive_tag_codes) <= 30


def test_demo_has_cross_appointments(demo):
    # given the demo shape (fixture)
    # then a branch member also sits on a self-organisation of a compound the branch covers
    branch_seats = Position.objects.filter(party_org__level="branch", end__isnull=True)
    on_committee = Position.objects.filter(self_org__compound__party_orgs__positions__in=branch_seats,
                                           resident__positions__in=branch_seats)
    assert on_committee.exists()
    # and a property manager is a part-time member of a branch
    manager = Position.objects.filter(property_company__isnull=False, resident__positions__role="兼职委员",
                                      resident__positions__party_org__level="branch")
    assert manager.exists()


def test_demo_records_one_audit_entry_for_the_whole_registry_load(db):
    # given
    before = set(AuditEntry.objects.values_list("id", flat=True))
    # when
    run_demo("--scale", "small", "--seed", "7")
    # then (other domains' demo modules may audit their own work through their services)
    entries = AuditEntry.objects.exclude(id__in=before)
    registry = ("places.", "people.", "orgs.", "accounts.")
    assert not [e for e in entries if e.object_type.startswith(registry)]
    (entry,) = entries.filter(action="demo_load")
    assert entry.action == "demo_load" and entry.object_type == "demo" and entry.actor is None
    assert entry.channel == "command"
    assert entry.changes["seed"] == 7
    assert entry.changes["counts"]["居民"] == Resident.objects.count()


def test_if_empty_does_nothing_the_second_time(db, counts):
    # given a first load
    first = run_demo("--scale", "small", "--if-empty")
    assert "已载入演示数据" in first
    before = counts()
    # when
    second = run_demo("--scale", "small", "--if-empty")
    # then
    assert "未载入演示数据" in second
    assert counts() == before


def test_loading_twice_without_if_empty_is_refused_and_writes_nothing(small, counts):
    # given the small shape (fixture)
    before = counts()
    # when / then
    with pytest.raises(CommandError, match="已有区划数据"):
        run_demo("--scale", "small")
    assert counts() == before


def test_existing_login_name_is_refused_before_writing(db, counts):
    # given an operator already created an account named like a demo login
    User.objects.create_user("admin", password="other-password")
    before = counts()
    # when / then
    with pytest.raises(CommandError, match="admin"):
        run_demo("--scale", "small")
    assert counts() == before


# --- the data ------------------------------------------------------------------------------------


def test_every_id_number_phone_and_derived_column_is_valid(small):
    # given the small shape (fixture)
    today = clock.today()
    residents = list(Resident.objects.all())
    assert residents
    for r in residents:
        # then
        assert validate_id_number(r.id_number, today=today) == r.id_number
        assert r.id_number_hash == crypto.lookup_hash(r.id_number)
        assert r.birth_date.strftime("%Y%m%d") == r.id_number[6:14]
        assert r.gender == ("M" if int(r.id_number[16]) % 2 else "F")
        if r.phone:
            assert validate_phone(r.phone) == r.phone and len(r.phone) == 11
            assert r.phone_hash == crypto.lookup_hash(r.phone)
        else:
            assert r.phone_hash == ""
    assert len({r.id_number for r in residents}) == len(residents)
    for worker in GridWorker.objects.all():
        assert validate_phone(worker.phone)


def test_codes_follow_their_parents(small):
    # given the small shape (fixture)
    # then
    for unit in AdminUnit.objects.select_related("parent"):
        validate_admin_code(unit.code, unit.level)
        if unit.parent:
            assert unit.code.startswith(unit.parent.prefix)
    for grid in Grid.objects.select_related("community"):
        assert len(grid.code) == 15 and grid.code.startswith(grid.community.code)


def test_every_generated_row_passes_model_validation(small):
    # given the small shape (fixture)
    models = (AdminUnit, Grid, Compound, Building, Entrance, Dwelling, Household, Resident, PartyMember,
              GridWorker, PartyOrg, SelfOrg, PropertyCompany, PropertyService, PartnerUnit, Position, Assignment)
    for model in models:
        rows = list(model.objects.all())
        assert rows, model
        for row in rows:
            # then
            row.full_clean()


def test_names_are_chinese_and_households_have_one_head(small):
    # given the small shape (fixture)
    # then
    for name in Resident.objects.values_list("name", flat=True):
        assert 2 <= len(name) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in name)
    heads = Resident.objects.filter(relation="head").values_list("household_id", flat=True)
    assert sorted(heads) == sorted(Household.objects.values_list("id", flat=True))
    assert set(CareTag.objects.values_list("code", flat=True)) >= {
        "living_alone", "empty_nest", "chronic", "disabled", "low_income"}


def test_same_seed_gives_the_same_data_and_another_seed_does_not(db):
    # when
    first = generate_and_roll_back(20261123)
    second = generate_and_roll_back(20261123)
    other = generate_and_roll_back(42)
    # then
    assert first == second
    assert first["residents"] and first["units"]
    assert [r[0] for r in other["residents"]] != [r[0] for r in first["residents"]]


def test_credit_codes_have_valid_check_characters():
    # given
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    rng = random.Random(1)
    for _ in range(200):
        # when
        code = credit_code(rng, "140105")
        # then
        total = sum(chars.index(c) * w for c, w in zip(code, weights, strict=False)) + chars.index(code[17])
        assert len(code) == 18 and total % 31 == 0


def test_id_serials_stay_unique_when_many_share_a_birthday():
    # given many people born on the same day in the same place
    gen = Generator(SHAPES["small"], 1)
    born = clock.today().replace(year=1960)
    # when
    numbers = [gen.id_number(born, "F", "140105") for _ in range(400)]
    # then
    assert len(set(numbers)) == 400
    for number in numbers:
        validate_id_number(number)


def test_id_serials_move_to_other_regions_when_a_day_is_full():
    # given more people born on one day than every local region has serials for
    gen = Generator(SHAPES["small"], 1)
    born = dt.date(2026, 10, 2)
    # when
    numbers = [gen.id_number(born, "M", "140105") for _ in range(5000)]
    # then each is still unique and valid, and the overflow went to other regions
    assert len(set(numbers)) == 5000
    for number in numbers[::97]:
        validate_id_number(number)
    assert len({n[:6] for n in numbers}) > 7


def test_infants_birthdays_spread_over_the_months_before_the_anchor():
    # given
    gen = Generator(SHAPES["small"], 1, anchor=dt.date(2026, 11, 1))
    # when
    births = [gen._birth_date(0) for _ in range(3650)]
    # then no day holds a pile of them, and none is in the last 30 days
    assert max(births) <= dt.date(2026, 10, 2) and min(births) >= dt.date(2026, 1, 1)
    assert max(births.count(day) for day in set(births)) < 40


# --- logins --------------------------------------------------------------------------------------


def test_every_login_exists_with_its_role_and_the_demo_password(small):
    # given the small shape (fixture)
    for login, role in EXPECTED_ROLES.items():
        user = User.objects.get(username=login)
        # then
        assert user.check_password(PASSWORD) and user.display_name
        assert list(user.assignments.values_list("role", flat=True)) == [role]
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(PASSWORD)
    assert Resident.objects.get(user__username="resident1")
    assert GridWorker.objects.get(user__username="grid1")


def test_each_persona_sees_a_different_part_of_the_district(small):
    # given the small shape (fixture)
    users = {login: User.objects.get(username=login) for login in LOGINS}
    scopes = {login: scope_for(user) for login, user in users.items()}
    # then every scope is different, and staff sit on different nodes
    assert len(set(scopes.values())) == len(LOGINS)
    nodes = [(a.unit_id, a.grid_id, a.compound_id) for a in Assignment.objects.exclude(role="resident")]
    assert len(set(nodes)) == len(nodes)
    seen = {login: set(visible(Resident.objects.all(), scope).values_list("id", flat=True))
            for login, scope in scopes.items()}
    me = Resident.objects.get(user=users["resident1"])
    assert seen["resident1"] == set(Resident.objects.filter(household=me.household).values_list("id", flat=True))
    # and the people around resident1 see them, widening up the tree
    for login in ("grid1", "community1", "branch1", "street1", "district1", "admin"):
        assert me.pk in seen[login], login
    assert seen["branch1"] < seen["community1"] < seen["street1"] < seen["district1"] == seen["admin"]
    assert seen["grid1"] < seen["community1"]
    assert me.pk not in seen["property1"] and seen["property1"]


def test_property_login_works_where_a_company_serves(small):
    # given the small shape (fixture)
    assignment = Assignment.objects.get(user__username="property1")
    # then
    assert PropertyService.objects.filter(compound=assignment.compound, company__isnull=False,
                                          end__isnull=True).exists()


# --- extensions ----------------------------------------------------------------------------------


def fake_demo_module(name: str, calls: list):
    module = types.ModuleType(name)
    module.__spec__ = ModuleSpec(name, None)

    def populate(context):
        calls.append((name, context))
        context.add("测试扩展", 3)

    module.populate = populate
    return module


def test_command_calls_populate_of_each_app_demo_module_in_installed_apps_order(db, monkeypatch):
    # given two apps with a demo module
    calls = []
    for name in ("linli.orgs.demo", "linli.places.demo"):
        monkeypatch.setitem(sys.modules, name, fake_demo_module(name, calls))
    # when
    out = run_demo("--scale", "small")
    # then places comes before orgs in INSTALLED_APPS
    assert [name for name, _ in calls] == ["linli.places.demo", "linli.orgs.demo"]
    context = calls[0][1]
    assert set(context.users) == set(LOGINS) and context.users["grid1"].grid_worker
    assert context.places.district.code == "140105000000" and context.places.compounds
    assert isinstance(context.rng, random.Random) and calls[0][1].rng is not calls[1][1].rng
    assert context.homes["resident1"] == Resident.objects.get(user__username="resident1").household.dwelling.entrance.building.compound
    assert "测试扩展" in out
    assert AuditEntry.objects.get(action="demo_load").changes["counts"]["测试扩展"] == 6
