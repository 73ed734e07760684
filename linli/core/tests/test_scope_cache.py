"""An actor's sight is built once and reused across requests until their assignments or home change."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from linli.accounts.models import Assignment, Role
from linli.core import scoping
from linli.core import services as core
from linli.core.scoping import Scope, scope_for
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


def test_a_narrowed_sight_is_seen_at_once_though_the_wider_one_is_still_kept(world, client_for):
    # given a grid worker holding grid1 and grid2, their wider sight kept in this process and the cache
    core.create(actor=world.user("admin"), model=Assignment,
                data={"user": world.user("grid_worker"), "role": Role.GRID_WORKER, "grid": world.grid2})
    client = client_for("grid_worker")
    assert compound_names(client) == {"康宁小区", "幸福苑"}
    wider_key = next(key for key, scope in scoping._local.items()
                     if key.startswith(f"linli:scope:{world.user('grid_worker').pk}:") and len(scope.grid_ids) == 2)
    # when grid2 is taken away
    core.delete(actor=world.user("admin"), instance=Assignment.objects.get(user=world.user("grid_worker"),
                                                                            grid=world.grid2))
    # then the next request sees grid1's compound only, while the wider entry is still stored under its old key
    assert compound_names(client) == {"康宁小区"}
    assert wider_key in scoping._local and cache.get(wider_key) is not None
    assert scope_for(fresh(world.user("grid_worker"))).grid_ids == (world.grid1.pk,)


def test_an_entry_under_another_version_is_never_used(world):
    # given a sight that sees everything stored for the resident under any version but their current one
    user = fresh(world.user("resident"))
    stale = f"linli:scope:{user.pk}:not-the-current-version.0"
    scoping._local[stale] = Scope(everything=True)
    cache.set(stale, Scope(everything=True))
    # when the resident's sight is asked for / then it is built from their own rows: no staff sight
    scope = scope_for(user)
    assert not scope.everything and not scope.is_staff_scope
    assert scope.home_compound_ids == (world.compound1.pk,)


def test_the_process_copy_is_bounded(world, monkeypatch):
    # given a process copy that holds as many entries as it may
    monkeypatch.setattr(scoping, "_local", {f"linli:scope:0:{n}": Scope() for n in range(3)})
    monkeypatch.setattr(scoping, "LOCAL_MAX", 3)
    # when another user's sight is kept / then the copy starts again with that one entry only
    scope_for(fresh(world.user("grid_worker")))
    assert len(scoping._local) == 1
