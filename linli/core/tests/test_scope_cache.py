"""An actor's sight is built once and reused across requests until their assignments or home change."""

import pytest
from django.contrib.auth import get_user_model

from linli.accounts.models import Assignment, Role
from linli.core import services as core
from linli.core.scoping import scope_for
from linli.people import services as people

pytestmark = pytest.mark.django_db


def compound_names(client) -> set:
    response = client.get("/api/v1/compounds")
    assert response.status_code == 200
    body = response.json()
    rows = body["items"] if isinstance(body, dict) and "items" in body else body
    return {row["name"] for row in rows}


def fresh(user):
    """The user as the next request loads it."""
    return get_user_model().objects.get(pk=user.pk)


def test_the_next_request_reuses_the_sight_without_a_query(world, django_assert_num_queries):
    # given a grid worker whose sight one request built
    scope_for(fresh(world.user("grid_worker")))
    user = fresh(world.user("grid_worker"))
    # when the next request asks again / then no query is made
    with django_assert_num_queries(0):
        scope = scope_for(user)
    assert scope.grid_ids == (world.grid1.pk,)


def test_a_new_assignment_is_seen_on_the_next_request(world, client_for):
    # given a grid worker who sees compound1 only, their sight cached by a first request
    client = client_for("grid_worker")
    assert compound_names(client) == {"康宁小区"}
    # when the admin's save path gives them grid2 as well
    core.create(actor=world.user("admin"), model=Assignment,
                data={"user": world.user("grid_worker"), "role": Role.GRID_WORKER, "grid": world.grid2})
    # then the next request sees grid2's compound
    assert compound_names(client) == {"康宁小区", "幸福苑"}


def test_a_removed_assignment_is_gone_on_the_next_request(world, client_for):
    # given a street officer who sees the street's three compounds
    client = client_for("street_officer")
    assert compound_names(client) == {"康宁小区", "幸福苑", "双东院落"}
    # when their assignment is deleted through the audited delete (the admin's delete path)
    assignment = Assignment.objects.get(user=world.user("street_officer"))
    core.delete(actor=world.user("admin"), instance=assignment)
    # then the next request has no jurisdiction left: the staff list is refused
    assert client.get("/api/v1/compounds").status_code == 403
    assert not scope_for(fresh(world.user("street_officer"))).is_staff_scope


def test_a_move_changes_the_home_on_the_next_request(world):
    # given the resident, whose home is compound1, and a household in compound2
    assert scope_for(fresh(world.user("resident"))).home_compound_ids == (world.compound1.pk,)
    target = people.household_create(actor=world.user("community_secretary"),
                                     dwelling=world.compound2.buildings.first().entrances.first().dwellings.first())
    # when they move there
    people.resident_move(actor=world.user("community_secretary"), resident=world.resident, household=target)
    # then the next request has the new home
    assert scope_for(fresh(world.user("resident"))).home_compound_ids == (world.compound2.pk,)


def test_a_full_save_of_an_old_copy_keeps_the_new_version(world):
    # given a copy of the grid worker loaded before their assignments change
    old_copy = fresh(world.user("grid_worker"))
    core.create(actor=world.user("admin"), model=Assignment,
                data={"user": world.user("grid_worker"), "role": Role.GRID_WORKER, "grid": world.grid2})
    bumped = fresh(world.user("grid_worker")).scope_version
    # when the old copy is saved whole (a profile edit)
    old_copy.display_name = "改名"
    old_copy.save()
    # then the version is still the bumped one, so the old cached sight stays unused
    user = fresh(world.user("grid_worker"))
    assert user.scope_version == bumped
    assert user.display_name == "改名"
    assert scope_for(user).grid_ids == tuple(sorted((world.grid1.pk, world.grid2.pk)))


def test_becoming_superuser_widens_the_sight_on_the_next_request(world):
    # given a grid worker's cached sight
    scope_for(fresh(world.user("grid_worker")))
    # when they are made superuser
    get_user_model().objects.filter(pk=world.user("grid_worker").pk).update(is_superuser=True)
    # then the next request sees everything
    assert scope_for(fresh(world.user("grid_worker"))).everything


def test_an_assignment_added_in_the_admin_is_seen_on_the_next_request(world, client_for):
    # given a grid worker whose sight a first request cached
    worker = client_for("grid_worker")
    assert compound_names(worker) == {"康宁小区"}
    # when the admin adds grid2 to their assignments on the admin's add page
    response = client_for("admin").post("/admin/accounts/assignment/add/", {
        "user": world.user("grid_worker").pk, "role": Role.GRID_WORKER, "unit": "", "grid": world.grid2.pk,
        "compound": ""})
    assert response.status_code == 302
    # then the worker's next request sees grid2's compound
    assert compound_names(worker) == {"康宁小区", "幸福苑"}
