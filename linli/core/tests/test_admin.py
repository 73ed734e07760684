import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from linli.core import audit
from linli.core.models import AuditEntry
from linli.orgs.models import PartyOrg
from linli.orgs.tests.factories import PartyOrgFactory
from linli.people.models import Resident
from linli.places.models import Compound


def _staff(user, *codenames):
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def _compound_form(compound, **changes):
    data = {
        "community": compound.community_id, "name": compound.name, "kind": compound.kind,
        "address": compound.address, "build_year": compound.build_year or "",
        "responsible_department": compound.responsible_department, "latitude": "", "longitude": "",
        "walled": "on" if compound.walled else "", "has_property_room": "on" if compound.has_property_room else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != "" or k in ("address", "responsible_department")}


def test_changelist_of_a_community_staff_user_shows_only_their_compounds(world):
    # given
    client = _staff(world.user("community_secretary"), "view_compound")
    # when
    response = client.get("/admin/places/compound/")
    # then
    assert response.status_code == 200
    shown = set(response.context["cl"].result_list)
    assert shown == {world.compound1, world.compound2}


def test_out_of_sight_object_cannot_be_opened_in_admin(world):
    # given
    client = _staff(world.user("community_secretary"), "view_compound", "change_compound")
    # when
    response = client.get(f"/admin/places/compound/{world.compound4.pk}/change/")
    # then: the admin's "does not exist" answer, never the form
    assert response.status_code == 302
    assert "name=\"name\"" not in response.content.decode()


def test_staff_flag_is_required_even_with_permissions(world):
    # given
    user = world.user("community_secretary")
    user.user_permissions.add(*Permission.objects.filter(codename="view_compound"))
    client = Client()
    client.force_login(user)
    # when
    response = client.get("/admin/places/compound/")
    # then
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_change_through_admin_is_audited_with_channel_admin(world):
    # given
    client = _staff(world.user("community_secretary"), "view_compound", "change_compound")
    compound = world.compound1
    # when
    response = client.post(f"/admin/places/compound/{compound.pk}/change/",
                           _compound_form(compound, name="康宁新苑"))
    # then
    assert response.status_code == 302
    compound.refresh_from_db()
    assert compound.name == "康宁新苑"
    entry = AuditEntry.objects.get(object_type="places.compound", object_id=str(compound.pk))
    assert (entry.action, entry.channel, entry.actor) == ("update", "admin", world.user("community_secretary"))
    assert entry.changes == {"name": ["康宁小区", "康宁新苑"]}


def test_add_and_delete_through_admin_are_audited(world):
    # given
    client = _staff(world.user("admin"))
    # when
    client.post("/admin/places/compound/add/", {
        "community": world.community1.pk, "name": "新建小区", "kind": "planned", "address": "",
        "responsible_department": "", "walled": "on"})
    created = Compound.objects.get(name="新建小区")
    client.post(f"/admin/places/compound/{created.pk}/delete/", {"post": "yes"})
    # then
    entries = AuditEntry.objects.filter(object_type="places.compound", object_id=str(created.pk)).order_by("id")
    assert [(e.action, e.channel) for e in entries] == [("create", "admin"), ("delete", "admin")]
    assert not Compound.objects.filter(pk=created.pk).exists()


def test_admin_cannot_pick_a_community_out_of_sight(world, counts):
    # given
    client = _staff(world.user("community_secretary"), "view_compound", "add_compound")
    before = counts()
    # when
    response = client.post("/admin/places/compound/add/", {
        "community": world.community3.pk, "name": "越界小区", "kind": "planned", "address": "",
        "responsible_department": ""})
    # then
    assert response.status_code == 200
    assert "community" in response.context["adminform"].form.errors
    assert counts() == before


def test_many_to_many_edit_keeps_links_out_of_sight_and_is_audited(world):
    # given: a joint branch that also covers a compound of another street
    org = PartyOrgFactory(community=world.community1, name="联合党支部", formation=PartyOrg.Formation.JOINT,
                          compounds=[world.compound1, world.compound4])
    client = _staff(world.user("community_secretary"), "view_partyorg", "change_partyorg")
    # when: the secretary adds compound2 (compound4 is not even offered)
    response = client.post(f"/admin/orgs/partyorg/{org.pk}/change/", {
        "name": org.name, "level": org.level, "community": world.community1.pk, "formation": org.formation,
        "compounds": [world.compound1.pk, world.compound2.pk]})
    # then
    assert response.status_code == 302
    assert set(org.compounds.all()) == {world.compound1, world.compound2, world.compound4}
    entry = AuditEntry.objects.filter(object_type="orgs.partyorg", channel="admin").latest("id")
    assert entry.changes == {"compounds": [sorted([world.compound1.pk, world.compound4.pk]),
                                           sorted([world.compound1.pk, world.compound2.pk, world.compound4.pk])]}


def test_encrypted_fields_are_masked_in_lists_and_forms(world):
    # given
    resident = world.resident
    client = _staff(world.user("admin"))
    # when
    listing = client.get("/admin/people/resident/").content.decode()
    form = client.get(f"/admin/people/resident/{resident.pk}/change/").content.decode()
    # then
    raw_column = Resident.objects.filter(pk=resident.pk).values_list("phone", flat=True)
    for html in (listing, form):
        assert resident.phone not in html and resident.id_number not in html
        assert "v1:" not in html
    assert resident.phone_masked in listing and resident.id_number_masked in listing
    assert resident.phone_masked in form
    assert raw_column  # the value is there, only never shown


def test_blank_encrypted_field_in_admin_keeps_the_stored_value(world):
    # given
    resident = world.resident
    phone = resident.phone
    client = _staff(world.user("admin"))
    # when
    response = client.post(f"/admin/people/resident/{resident.pk}/change/", {
        "name": "张秀英（改）", "id_number": "", "phone": "", "email": "", "household": resident.household_id,
        "relation": resident.relation, "status": resident.status, "sensitive_tags": "", "user": resident.user_id})
    # then
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.name == "张秀英（改）" and resident.phone == phone
    entry = AuditEntry.objects.filter(object_type="people.resident").latest("id")
    assert set(entry.changes) == {"name"}


def test_password_hash_never_reaches_the_audit_log(world):
    # given
    client = _staff(world.user("admin"))
    # when
    client.post("/admin/accounts/user/add/", {
        "username": "newbie", "display_name": "新人", "password1": "Linli-strong-9", "password2": "Linli-strong-9",
        "assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0"})
    # then
    entry = AuditEntry.objects.get(object_type="accounts.user", action="create")
    assert entry.channel == "admin"
    assert entry.changes["password"] == [audit.REDACTED, audit.REDACTED]
    assert "md5" not in str(entry.changes) and "pbkdf2" not in str(entry.changes)


@pytest.mark.parametrize("url, method", [
    ("/admin/core/auditentry/add/", "get"),
    ("/admin/core/auditentry/{pk}/change/", "post"),
    ("/admin/core/auditentry/{pk}/delete/", "get"),
    ("/admin/core/auditentry/{pk}/delete/", "post"),
])
def test_audit_entries_cannot_be_added_changed_or_deleted_in_admin(world, counts, url, method):
    # given
    entry = audit.record(actor=world.user("admin"), action="update", object_type="places.compound", object_id=1,
                         changes={"name": ["甲", "乙"]})
    client = _staff(world.user("admin"))
    before = counts()
    # when
    response = getattr(client, method)(url.format(pk=entry.pk), {"action": "delete", "post": "yes"})
    # then
    assert response.status_code == 403
    assert counts() == before
    assert AuditEntry.objects.get(pk=entry.pk).action == "update"


def test_audit_entries_are_readable_in_admin_by_the_whole_area_roles_only(world):
    # given
    entry = audit.record(actor=None, action="update", object_type="places.compound", object_id=1)
    admin_client = _staff(world.user("admin"))
    officer_client = _staff(world.user("district_officer"), "view_auditentry")
    # when
    as_admin = admin_client.get(f"/admin/core/auditentry/{entry.pk}/change/")
    as_officer = officer_client.get("/admin/core/auditentry/")
    # then
    assert as_admin.status_code == 200
    assert "_save" not in as_admin.content.decode()
    assert as_officer.status_code == 403


def test_every_registered_model_opens_in_admin(world):
    # given
    from django.contrib import admin as django_admin

    client = _staff(world.user("admin"))
    models = [m for m in django_admin.site._registry
              if m._meta.app_label in {"places", "people", "orgs", "accounts", "core"}]
    # when
    statuses = {m._meta.label: client.get(f"/admin/{m._meta.app_label}/{m._meta.model_name}/").status_code
                for m in models}
    # then
    assert {"places.Compound", "people.Resident", "orgs.Position", "accounts.User", "accounts.Assignment",
            "core.AuditEntry"} <= set(statuses)
    assert set(statuses.values()) == {200}


def test_assignment_added_inline_on_the_user_page_is_audited(world):
    # given
    from linli.accounts.models import Assignment
    from linli.testing import make_user

    user = make_user("newworker", display_name="新网格员")
    client = _staff(world.user("admin"))
    # when
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", {
        "username": "newworker", "display_name": "新网格员", "first_name": "", "last_name": "", "email": "",
        "is_active": "on", "assignments-TOTAL_FORMS": "1", "assignments-INITIAL_FORMS": "0",
        "assignments-0-role": "grid_worker", "assignments-0-grid": world.grid4.pk})
    # then
    assert response.status_code == 302
    assignment = Assignment.objects.get(user=user)
    assert assignment.grid == world.grid4
    entry = AuditEntry.objects.get(object_type="accounts.assignment", object_id=str(assignment.pk))
    assert (entry.action, entry.channel) == ("create", "admin")


def test_admin_index_names_the_task_queue_in_chinese(client_for):
    html = client_for("admin").get("/admin/").content.decode()
    assert "后台任务" in html
    assert "Tasks Database Backend" not in html and "TASKS DATABASE BACKEND" not in html


def test_a_company_served_only_in_the_past_is_read_only_in_admin(world, counts):
    # given a company that served compound1 until 2019 and serves compound4 today
    import datetime as dt

    from linli.orgs.models import PropertyCompany
    from linli.orgs.tests.factories import PropertyCompanyFactory, PropertyServiceFactory

    company = PropertyCompanyFactory(name="金盾物业服务有限公司")
    PropertyServiceFactory(compound=world.compound1, company=company, start=dt.date(2015, 1, 3),
                           end=dt.date(2019, 6, 1))
    PropertyServiceFactory(compound=world.compound4, company=company, start=dt.date(2020, 1, 2))
    secretary = _staff(world.user("community_secretary"), "view_propertycompany", "change_propertycompany")
    outsider = _staff(world.user("outsider"), "view_propertycompany", "change_propertycompany")
    url = f"/admin/orgs/propertycompany/{company.pk}/change/"
    before = counts()
    # when compound1's secretary opens and posts the change form
    shown = secretary.get(url)
    posted = secretary.post(url, {"name": "改名物业", "credit_code": "", "has_party_org": ""})
    # then the company is shown read-only and the post changes nothing
    assert shown.status_code == 200 and 'name="name"' not in shown.content.decode()
    assert posted.status_code == 403
    assert PropertyCompany.objects.get(pk=company.pk).name == "金盾物业服务有限公司"
    assert counts() == before
    # and compound4's community worker, whose area it serves today, gets the form
    assert 'name="name"' in outsider.get(url).content.decode()
