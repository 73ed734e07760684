"""Test support shared by every domain: a small world with personas, and a write detector."""

from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps

from linli.accounts.models import Assignment, Role, User

PASSWORD = "linli-demo"


# Caches derived from other tables, rebuilt on reads (the figures refresh their rollups): a read that
# refreshes them wrote no data of anyone's.
DERIVED_TABLES = ("cases.caseday", "cases.casedaydirty", "cases.casecategoryday", "people.registrycount",
                  "people.registrydirty", "people.registryanchor", "gridwork.workmonth", "gridwork.workdirty")


def table_counts() -> dict[str, int]:
    """Row counts of every Linli and task table: equal before and after means nothing was written."""
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        # axes.*: the login throttle's count of failed attempts, bookkeeping rather than data.
        if label.startswith(("sessions.", "contenttypes.", "auth.permission", "admin.", "axes.")) or label in DERIVED_TABLES:
            continue
        counts[label] = model._default_manager.count()
    return counts


def ensure_reference_data() -> None:
    """Put back the rows that data migrations ship (case catalogue, council processes).

    A transactional test ends by emptying every table, data-migration rows included; the next
    transactional test would otherwise start without them. Both seeders are idempotent.
    """
    import importlib

    from django.apps import apps as django_apps

    from linli.cases.services import catalogue_seed

    catalogue_seed()
    importlib.import_module("linli.council.migrations.0002_process_templates").seed(django_apps, None)


def make_user(username: str, role: str | None = None, node=None, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    if role:
        kwargs = {}
        if node is not None:
            kind = node._meta.model_name
            kwargs = {"unit": node} if kind == "adminunit" else {kind: node}
        Assignment.objects.create(user=user, role=role, **kwargs)
    return user


@dataclass
class World:
    district: object
    street1: object
    street2: object
    community1: object
    community2: object
    community3: object
    grid1: object
    grid2: object
    grid3: object
    grid4: object
    compound1: object
    compound2: object
    compound3: object
    compound4: object
    household1: object
    resident: object
    neighbour: object
    far_resident: object
    users: dict

    def user(self, persona: str):
        return self.users[persona]


PERSONAS = [
    "anonymous", "resident", "grid_worker", "community_secretary", "branch_secretary",
    "property_staff", "street_officer", "district_officer", "outsider", "admin",
]


def build_world() -> World:
    """District 小店区 with two streets; each persona sits in a different place.

    street1 ⊃ community1 ⊃ {grid1 ⊃ compound1 (resident lives here), grid2 ⊃ compound2}
    street1 ⊃ community2 ⊃ grid3 ⊃ compound3
    street2 ⊃ community3 ⊃ grid4 ⊃ compound4 (the outsider works here)
    """
    from linli.people.tests.factories import HouseholdFactory, ResidentFactory, make_id_number
    from linli.places.tests.factories import (
        BuildingFactory,
        CommunityFactory,
        CompoundFactory,
        DistrictFactory,
        DwellingFactory,
        EntranceFactory,
        GridFactory,
        StreetFactory,
    )

    district = DistrictFactory(code="140105000000", name="小店区")
    street1 = StreetFactory(parent=district, code="140105001000", name="坞城街道")
    street2 = StreetFactory(parent=district, code="140105002000", name="营盘街道")
    community1 = CommunityFactory(parent=street1, code="140105001001", name="康宁社区")
    community2 = CommunityFactory(parent=street1, code="140105001002", name="双东社区")
    community3 = CommunityFactory(parent=street2, code="140105002001", name="南内环社区")
    grid1 = GridFactory(community=community1, code="140105001001001", name="康宁一网格")
    grid2 = GridFactory(community=community1, code="140105001001002", name="康宁二网格")
    grid3 = GridFactory(community=community2, code="140105001002001", name="双东一网格")
    grid4 = GridFactory(community=community3, code="140105002001001", name="南内环一网格")
    compound1 = CompoundFactory(community=community1, name="康宁小区")
    compound2 = CompoundFactory(community=community1, name="幸福苑")
    compound3 = CompoundFactory(community=community2, name="双东院落", kind="old_courtyard", build_year=1988)
    compound4 = CompoundFactory(community=community3, name="南内环小区")
    dwellings = {}
    for compound, grid in ((compound1, grid1), (compound2, grid2), (compound3, grid3), (compound4, grid4)):
        building = BuildingFactory(compound=compound, grid=grid, number="1号楼")
        entrance = EntranceFactory(building=building, number="1单元")
        dwellings[compound.pk] = [DwellingFactory(entrance=entrance, number=f"{n}01") for n in (1, 2)]
    household1 = HouseholdFactory(dwelling=dwellings[compound1.pk][0])
    # Fixed ID numbers (birth dates other than 1 January, which factories never use, so no clash):
    # tests may rely on these people's ages whatever order they run in.
    resident = ResidentFactory(household=household1, name="张秀英",
                               id_number=make_id_number(1, born="19560312", male=False))
    neighbour = ResidentFactory(household=HouseholdFactory(dwelling=dwellings[compound1.pk][1]), name="李建国",
                                id_number=make_id_number(2, born="19491001"))
    far_resident = ResidentFactory(household=HouseholdFactory(dwelling=dwellings[compound4.pk][0]), name="王磊",
                                   id_number=make_id_number(3, born="19520520"))

    users = {"anonymous": None}
    users["resident"] = make_user("resident1", Role.RESIDENT)
    resident.user = users["resident"]
    resident.save()
    users["grid_worker"] = make_user("grid1", Role.GRID_WORKER, grid1)
    users["community_secretary"] = make_user("community1", Role.COMMUNITY_SECRETARY, community1)
    users["branch_secretary"] = make_user("branch1", Role.BRANCH_SECRETARY, compound1)
    users["property_staff"] = make_user("property1", Role.PROPERTY_STAFF, compound2)
    users["street_officer"] = make_user("street1", Role.STREET_OFFICER, street1)
    users["district_officer"] = make_user("district1", Role.DISTRICT_OFFICER, district)
    users["outsider"] = make_user("outsider1", Role.COMMUNITY_WORKER, community3)
    users["admin"] = User.objects.create_superuser("admin", password=PASSWORD)
    return World(district, street1, street2, community1, community2, community3, grid1, grid2, grid3, grid4,
                 compound1, compound2, compound3, compound4, household1, resident, neighbour, far_resident, users)


@contextmanager
def refused(code: str):
    """Expect a rules refusal with this stable code: tests match codes, not the Chinese sentence."""
    import pytest

    from linli.core.errors import Refused

    with pytest.raises(Refused) as info:
        yield info
    assert info.value.code == code, f"{info.value.code}: {info.value.message}"
