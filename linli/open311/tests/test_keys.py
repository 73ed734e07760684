import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from linli.core.errors import Forbidden
from linli.core.models import AuditEntry
from linli.open311 import demo, services
from linli.open311.models import Open311Client


def test_demo_key_is_bound_to_district1_and_populating_twice_adds_nothing(world):
    # given the demo's context
    users = {u.username: u for u in world.users.values() if u is not None}
    # when
    made = demo.populate({"users": users})
    again = demo.populate({"users": users})
    # then
    assert (made, again) == (1, 0)
    client = services.client_authenticate("linli-demo-open311")
    assert client.user.username == "district1"
    assert Open311Client.objects.count() == 1
    assert not Open311Client.objects.filter(key_digest__contains="linli-demo").exists()


def test_demo_without_its_user_does_nothing(db):
    assert demo.populate({"users": {}}) == 0
    assert not Open311Client.objects.exists()


def test_issued_keys_are_stored_as_digests_and_audited(world):
    # when
    client, raw = services.client_issue(actor=world.user("admin"), name="12345 热线平台",
                                        user=world.user("street_officer"))
    # then
    assert client.key_digest == Open311Client.digest_of(raw) and raw not in client.key_digest
    assert services.client_authenticate(raw) == client
    entry = AuditEntry.objects.get(action="open311.client_issue")
    assert raw not in str(entry.changes)


@pytest.mark.parametrize("persona", ["district_officer", "street_officer", "resident"])
def test_only_a_superuser_issues_keys(world, counts, persona):
    before = counts()
    with pytest.raises(Forbidden):
        services.client_issue(actor=world.user(persona), name="平台", user=world.user("street_officer"))
    assert counts() == before


@pytest.mark.parametrize("persona", ["resident", "property_staff"])
def test_a_key_is_bound_to_a_user_who_edits(world, counts, persona):
    before = counts()
    with pytest.raises(ValidationError):
        services.client_issue(actor=world.user("admin"), name="平台", user=world.user(persona))
    assert counts() == before


def test_the_command_prints_a_working_key_once(world, capsys):
    # when
    call_command("open311-key", name="网格化平台", user="street1")
    # then
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert services.client_authenticate(raw).user.username == "street1"
    assert AuditEntry.objects.get(action="open311.client_issue").channel == "command"


@pytest.mark.parametrize("raw", ["", None, "nope"])
def test_unknown_keys_do_not_authenticate(world, raw):
    with pytest.raises(services.InvalidKey):
        services.client_authenticate(raw)


def test_admin_disables_a_key_through_the_audited_service(world, client):
    # given a key and the superuser in the admin
    issued, raw = services.client_issue(actor=world.user("admin"), name="平台", user=world.user("street_officer"))
    client.force_login(world.user("admin"))
    # when the key is disabled in the admin
    response = client.post(f"/admin/open311/open311client/{issued.pk}/change/",
                           {"name": "平台", "user": world.user("street_officer").pk})
    # then it no longer authenticates, and the change is in the audit log from the admin
    assert response.status_code == 302
    with pytest.raises(services.InvalidKey):
        services.client_authenticate(raw)
    assert AuditEntry.objects.filter(object_type="open311.open311client", channel="admin").exists()


@pytest.mark.parametrize("persona", ["district_officer", "street_officer"])
def test_officers_do_not_see_open311_keys_in_the_admin(world, client, persona):
    world.user(persona).is_staff = True
    world.user(persona).save()
    client.force_login(world.user(persona))
    assert client.get("/admin/open311/open311client/").status_code == 403
