"""An unmasked export imports back as it is: the residents register into a register emptied of them
(every field compared), and the compounds and dwellings registers as a re-import that changes nothing."""

from linli.core import crypto
from linli.exports.tests.helpers import body
from linli.imports import services as import_services
from linli.imports.registers import get as register
from linli.people.models import Household, Resident
from linli.people.tests.factories import HouseholdFactory, ResidentFactory, make_id_number

FIELDS = ("name", "id_number", "phone", "email", "relation", "status", "is_owner", "gender", "birth_date")


def _snapshot(residents) -> dict:
    """Each person by ID number: every field the register keeps, their dwelling and household."""
    return {r.id_number: {
        **{name: getattr(r, name) for name in FIELDS},
        "dwelling": r.household.dwelling_id,
        "household_number": r.household.number,
        "housemates": sorted(m.id_number for m in r.household.members.all()),
    } for r in residents}


def _export(client, key: str, fmt: str = "xlsx") -> bytes:
    reply = client.get(f"/exports/{key}/?format={fmt}&unmask=1")
    assert reply.status_code == 200
    return body(reply)


def _family(world):
    """A second household in 幸福苑 with no 户号: a head, a spouse with e-mail, a tenant child."""
    dwelling = world.compound2.buildings.get().entrances.get().dwellings.order_by("number").first()
    home = HouseholdFactory(dwelling=dwelling, number="")
    ResidentFactory(household=home, name="赵志强", id_number=make_id_number(201, born="19700203"),
                    phone="13900000001", is_owner=True)
    ResidentFactory(household=home, name="孙丽", id_number=make_id_number(202, born="19720405", male=False),
                    phone="0351-7654321", email="sunli@example.cn", relation=Resident.Relation.SPOUSE)
    ResidentFactory(household=home, name="赵小明", id_number=make_id_number(203, born="20010607"), phone="",
                    relation=Resident.Relation.CHILD, status=Resident.Status.TENANT)


def test_the_residents_register_exported_unmasked_imports_back_field_for_field(client_for, world):
    _family(world)
    actor = world.user("community_secretary")
    mine = Resident.objects.filter(household__dwelling__entrance__building__compound__community=world.community1)
    before = _snapshot(mine.select_related("household").prefetch_related("household__members"))
    assert len(before) == 5
    data = _export(client_for("community_secretary"), "residents")

    # An empty register for the community: the people and their households go, the places stay.
    world.resident.user = None
    world.resident.save()
    households = list(Household.objects.filter(members__in=mine).values_list("pk", flat=True).distinct())
    mine.delete()
    Household.objects.filter(pk__in=households).delete()
    assert not mine.exists()

    report = import_services.import_commit(actor=actor, register=register("residents"), data=data,
                                           filename="居民.xlsx", token=None)
    assert report.committed, [(r.number, r.errors) for r in report.rows if r.errors]
    assert [r.status for r in report.rows] == ["created"] * 5
    after = _snapshot(mine.select_related("household").prefetch_related("household__members"))
    assert after == before
    assert Resident.objects.get(id_number_hash=crypto.lookup_hash(world.resident.id_number)).name == "张秀英"


def test_a_re_import_of_the_residents_export_changes_nothing_in_csv_too(client_for, world):
    _family(world)
    actor = world.user("community_secretary")
    for fmt in ("xlsx", "csv"):
        data = _export(client_for("community_secretary"), "residents", fmt)
        report = import_services.import_check(actor=actor, register=register("residents"), data=data,
                                              filename=f"居民.{fmt}")
        assert report.ok and {r.status for r in report.rows} == {"unchanged"}, fmt


def test_the_compounds_and_dwellings_exports_import_back_unchanged(client_for, world):
    client = client_for("community_secretary")
    world.compound1.address, world.compound1.build_year, world.compound1.walled = "坞城路 8 号", 1998, True
    world.compound1.save()
    for key in ("compounds", "dwellings"):
        report = import_services.import_check(actor=world.user("community_secretary"), register=register(key),
                                              data=_export(client, key), filename=f"{key}.xlsx")
        assert report.ok, [(r.number, r.errors) for r in report.rows if r.errors]
        assert len(report.rows) >= 2 and {r.status for r in report.rows} == {"unchanged"}, key
