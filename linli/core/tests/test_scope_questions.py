"""The questions about an actor's sight that used to be answered by hand in several domains.

Pinned through the entry points that ask them (people access, case access, property choices, the
points managers, the coverage page's officer check), so the move onto `Scope` keeps the answers.
"""

import pytest

from linli.accounts.models import Role
from linli.cases import services as cases
from linli.cases.access import may_see
from linli.cases.models import Channel
from linli.core.errors import Forbidden, NotFound
from linli.people.access import resident_get
from linli.places.tests.factories import CommunityFactory
from linli.points.forms import RuleForm
from linli.points.services import require_community_manager
from linli.property.access import officer_required
from linli.property.selectors import compound_choices_visible_to
from linli.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_at_home_elsewhere(world):
    """A grid worker of grid1 who lives in compound4, outside their grid."""
    user = make_user("gw-home", Role.GRID_WORKER, world.grid1)
    world.far_resident.user = user
    world.far_resident.save(update_fields=["user"])
    return user


def test_a_worker_reads_their_own_home_but_works_on_their_area_only(world, worker_at_home_elsewhere):
    # given a grid worker whose own household is outside their grid
    user = worker_at_home_elsewhere
    # when / then they may read themselves like any resident
    assert resident_get(user, world.far_resident.pk) == world.far_resident
    # but changing it is work, bounded by the jurisdiction
    with pytest.raises(NotFound):
        resident_get(user, world.far_resident.pk, write=True)
    # and their grid's residents are theirs to change
    assert resident_get(user, world.resident.pk, write=True) == world.resident


def test_a_worker_sees_their_own_case_at_home_but_not_as_work(world, worker_at_home_elsewhere):
    # given a case filed by the worker at their home in compound4
    user = worker_at_home_elsewhere
    case = cases.case_open(actor=user, intake=cases.Intake(
        category="sanitation", description="楼道堆满杂物，影响通行", compound=world.compound4.pk,
        channel=Channel.ONLINE))
    # when / then
    assert may_see(user, case)
    assert not may_see(user, case, work_only=True)


def test_property_compound_choices_are_the_work_area_only(world, worker_at_home_elsewhere):
    # given / when
    choices = list(compound_choices_visible_to(actor=worker_at_home_elsewhere))
    # then their home compound4 is not a compound they manage
    assert choices == [world.compound1]


@pytest.mark.parametrize(("persona", "covers"), [
    ("admin", True), ("district_officer", True), ("street_officer", True), ("community_secretary", True),
    ("grid_worker", False), ("branch_secretary", False), ("property_staff", False), ("outsider", False),
])
def test_who_covers_a_whole_community(world, persona, covers):
    # given community1 and a persona
    actor = world.user(persona)
    # when
    try:
        require_community_manager(actor, world.community1)
        allowed = True
    except Forbidden:
        allowed = False
    # then
    assert allowed is covers
    managed = set(RuleForm(actor=actor).fields["community"].queryset)
    assert (world.community1 in managed) is covers


def test_the_managed_communities_are_below_the_actor_only(world):
    # given a community under street2 only
    other = CommunityFactory(parent=world.community3.parent, code="140105002009", name="另一社区")
    # when
    managed = set(RuleForm(actor=world.user("street_officer")).fields["community"].queryset)
    # then
    assert managed == {world.community1, world.community2}
    assert other not in managed


@pytest.mark.parametrize(("persona", "officer"), [
    ("admin", True), ("district_officer", True), ("street_officer", True), ("community_secretary", True),
    ("outsider", True), ("grid_worker", False), ("branch_secretary", False), ("property_staff", False),
    ("resident", False),
])
def test_who_is_an_officer_for_the_coverage_pages(world, persona, officer):
    # given / when
    try:
        officer_required(world.user(persona))
        allowed = True
    except Forbidden:
        allowed = False
    # then a unit (or the whole area) makes an officer, a grid or compound does not
    assert allowed is officer
