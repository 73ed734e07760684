"""On the demo data set, a case filed for any building has someone who sees it and takes it at once."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from linli.accounts.models import Role, User
from linli.cases import actions, routing, services
from linli.cases.access import case_get
from linli.cases.models import Channel, Notification, Status
from linli.people.models import Resident
from linli.places.models import Building

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    # The live demo without the year of settled history: routing does not depend on it.
    call_command("demo", "--history", "0", stdout=io.StringIO())


def _filer(compound, kept: dict):
    """A resident of the compound with a login (given one if they have none); None when nobody lives there."""
    if compound.pk not in kept:
        resident = (Resident.objects.filter(household__dwelling__entrance__building__compound=compound)
                    .select_related("user").order_by(F("user_id").desc(nulls_last=True), "id").first())
        if resident is not None and resident.user is None:
            resident.user = User.objects.create_user(f"resident-of-{compound.pk}")
            resident.save(update_fields=["user"])
        kept[compound.pk] = resident.user if resident is not None else None
    return kept[compound.pk]


def test_every_building_of_the_demo_has_someone_who_sees_and_takes_its_cases(demo):
    hotline = User.objects.get(username="district1")
    kept: dict = {}
    fallbacks = []
    buildings = list(Building.objects.select_related("compound").order_by("compound_id", "number"))
    assert len(buildings) > 50  # the demo has about forty compounds
    for building in buildings:
        # given a case filed for the building, by a resident of its compound (else by hotline)
        filer = _filer(building.compound, kept)
        channel = Channel.ONLINE if filer is not None else Channel.HOTLINE
        case = services.case_open(actor=filer or hotline, intake=services.Intake(
            category="facilities", description=f"{building.number}单元门坏了", compound=building.compound_id,
            building=building.pk, channel=channel, contact_phone="13900000000"))
        where = f"{building}（{building.grid.name}）"
        # then someone holds it from the moment it is filed, and exactly they were told
        responsible = routing.responsible_for(case)
        assert responsible, where
        told = set(Notification.objects.filter(link=reverse("cases:case_detail", args=[case.pk]))
                   .values_list("user_id", flat=True))
        assert told == {u.pk for u in responsible}, where
        # and each of them reads it and is offered to take it
        for user in responsible:
            assert case_get(user, case.pk).pk == case.pk, where
            assert "take" in actions.available_actions(user, case), where
        # and the first to take it has it; the others no longer can
        first, *others = responsible
        services.case_take(actor=first, case=case)
        case.refresh_from_db()
        assert (case.status, case.assignee_id) == (Status.ACCEPTED, first.pk), where
        for user in others:
            assert "take" not in actions.available_actions(user, case), where
            with pytest.raises(ValidationError):
                services.case_take(actor=user, case=case)
        if not first.assignments.filter(role=Role.GRID_WORKER, grid=building.grid).exists():
            fallbacks.append(where)
    # the demo has buildings whose grid has no worker with a login: the fallback up the tree covered them
    assert fallbacks
