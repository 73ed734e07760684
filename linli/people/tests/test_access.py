"""Who may open and change what, for every people page and API operation, across all personas."""

import json

import pytest
from django.urls import reverse

from linli.core.models import AuditEntry
from linli.people.models import GridWorker, PartyMember, Resident
from linli.people.tests.factories import GridWorkerFactory, PartyMemberFactory, make_id_number
from linli.testing import PERSONAS

NEW_ID = make_id_number(7, born="19770707")


def row(*codes):
    assert len(codes) == len(PERSONAS)
    return dict(zip(PERSONAS, codes, strict=True))


#                anon resident grid  cs   branch prop street district outsider admin
LIST_PAGE = row(302, 403, 200, 200, 200, 200, 200, 200, 200, 200)
NEAR_PAGE = row(302, 200, 200, 200, 200, 404, 200, 200, 404, 200)
FAR_PAGE = row(302, 404, 404, 404, 404, 404, 404, 200, 200, 200)
CREATE_FORM = row(302, 403, 200, 200, 200, 403, 200, 200, 200, 200)
# Posting a place the outsider cannot see: the form comes back with a field error.
CREATE_POST = row(302, 403, 302, 302, 302, 403, 302, 302, 200, 302)
EDIT_FORM = row(302, 403, 200, 200, 200, 404, 200, 200, 404, 200)
EDIT_POST = row(302, 403, 302, 302, 302, 404, 302, 302, 404, 302)
UNMASK_POST = row(302, 403, 302, 302, 403, 404, 403, 403, 404, 403)
GW_PAGE = row(302, 404, 200, 200, 404, 404, 200, 200, 404, 200)
GW_CREATE_POST = row(302, 403, 302, 302, 200, 403, 302, 302, 200, 302)
GW_EDIT_FORM = row(302, 404, 200, 200, 404, 404, 200, 200, 404, 200)
GW_EDIT_POST = row(302, 404, 302, 302, 404, 404, 302, 302, 404, 302)

LIST_API = row(401, 403, 200, 200, 200, 200, 200, 200, 200, 200)
NEAR_API = row(401, 200, 200, 200, 200, 404, 200, 200, 404, 200)
CREATE_API = row(401, 403, 201, 201, 201, 403, 201, 201, 400, 201)
EDIT_API = row(401, 403, 200, 200, 200, 404, 200, 200, 404, 200)
UNMASK_API = row(401, 403, 200, 200, 403, 404, 403, 403, 404, 403)
GW_API = row(401, 404, 200, 200, 404, 404, 200, 200, 404, 200)
GW_CREATE_API = row(401, 403, 201, 201, 400, 403, 201, 201, 400, 201)
GW_EDIT_API = row(401, 404, 200, 200, 404, 404, 200, 200, 404, 200)


@pytest.fixture
def things(world):
    member = PartyMemberFactory(resident=world.resident)
    worker = GridWorkerFactory(grids=[world.grid1])
    second_dwelling = world.household1.dwelling.entrance.dwellings.exclude(pk=world.household1.dwelling_id).get()
    return {"member": member, "worker": worker, "dwelling": second_dwelling}


def _resident_post(world, things):
    return {"name": "赵新", "id_number": NEW_ID, "phone": "13712345678", "household": world.household1.pk,
            "relation": "child", "status": "registered"}


def _resident_edit(world, things):
    return {"name": "张秀英", "household": world.household1.pk, "relation": "head", "status": "living",
            "email": "zhang@example.cn"}


def _member_post(world, things):
    return {"resident": world.neighbour.pk, "category": "retired"}


def _member_edit(world, things):
    return {"category": "retired", "employer": "太原钢铁"}


def _worker_post(world, things):
    return {"name": "刘芳", "phone": "13698765432", "kind": "part_time", "grids": [world.grid1.pk]}


def _worker_edit(world, things):
    return {"name": "刘芳", "kind": "assistant", "grids": [world.grid1.pk]}


# (name, method, url, data, expected statuses, statuses that mean "it was written")
PAGE_CASES = [
    ("resident_list", "get", lambda w, t: reverse("people:resident_list"), None, LIST_PAGE, ()),
    ("resident_detail", "get", lambda w, t: reverse("people:resident_detail", args=[w.resident.pk]), None,
     NEAR_PAGE, ()),
    ("resident_detail_far", "get", lambda w, t: reverse("people:resident_detail", args=[w.far_resident.pk]), None,
     FAR_PAGE, ()),
    ("resident_create_form", "get", lambda w, t: reverse("people:resident_create"), None, CREATE_FORM, ()),
    ("resident_create", "post", lambda w, t: reverse("people:resident_create"), _resident_post, CREATE_POST,
     (302,)),
    ("resident_edit_form", "get", lambda w, t: reverse("people:resident_edit", args=[w.resident.pk]), None,
     EDIT_FORM, ()),
    ("resident_edit", "post", lambda w, t: reverse("people:resident_edit", args=[w.resident.pk]), _resident_edit,
     EDIT_POST, (302,)),
    ("resident_unmask", "post", lambda w, t: reverse("people:resident_unmask", args=[w.resident.pk]), lambda w, t: {},
     UNMASK_POST, (302,)),
    ("household_detail", "get", lambda w, t: reverse("people:household_detail", args=[w.household1.pk]), None,
     NEAR_PAGE, ()),
    ("household_create_form", "get", lambda w, t: reverse("people:household_create"), None, CREATE_FORM, ()),
    ("household_create", "post", lambda w, t: reverse("people:household_create"),
     lambda w, t: {"dwelling": t["dwelling"].pk, "number": "H9"}, CREATE_POST, (302,)),
    ("partymember_list", "get", lambda w, t: reverse("people:partymember_list"), None, LIST_PAGE, ()),
    ("partymember_detail", "get", lambda w, t: reverse("people:partymember_detail", args=[t["member"].pk]), None,
     NEAR_PAGE, ()),
    ("partymember_create_form", "get", lambda w, t: reverse("people:partymember_create"), None, CREATE_FORM, ()),
    ("partymember_create", "post", lambda w, t: reverse("people:partymember_create"), _member_post, CREATE_POST,
     (302,)),
    ("partymember_edit_form", "get", lambda w, t: reverse("people:partymember_edit", args=[t["member"].pk]), None,
     EDIT_FORM, ()),
    ("partymember_edit", "post", lambda w, t: reverse("people:partymember_edit", args=[t["member"].pk]),
     _member_edit, EDIT_POST, (302,)),
    ("gridworker_list", "get", lambda w, t: reverse("people:gridworker_list"), None, LIST_PAGE, ()),
    ("gridworker_detail", "get", lambda w, t: reverse("people:gridworker_detail", args=[t["worker"].pk]), None,
     GW_PAGE, ()),
    ("gridworker_create_form", "get", lambda w, t: reverse("people:gridworker_create"), None, CREATE_FORM, ()),
    ("gridworker_create", "post", lambda w, t: reverse("people:gridworker_create"), _worker_post, GW_CREATE_POST,
     (302,)),
    ("gridworker_edit_form", "get", lambda w, t: reverse("people:gridworker_edit", args=[t["worker"].pk]), None,
     GW_EDIT_FORM, ()),
    ("gridworker_edit", "post", lambda w, t: reverse("people:gridworker_edit", args=[t["worker"].pk]),
     _worker_edit, GW_EDIT_POST, (302,)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", PAGE_CASES, ids=[c[0] for c in PAGE_CASES])
def test_page_access(case, persona, world, things, client_for, counts):
    # given
    name, method, url, data, expected, written = case
    client = client_for(persona)
    before = counts()
    # when
    if method == "get":
        response = client.get(url(world, things))
    else:
        response = client.post(url(world, things), data(world, things))
    # then
    assert response.status_code == expected[persona], response.content[:300]
    if response.status_code == 302 and persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if response.status_code in written and persona != "anonymous":
        assert counts() != before
    else:
        assert counts() == before


API_CASES = [
    ("residents", "get", lambda w, t: "/api/v1/residents", None, LIST_API, ()),
    ("resident", "get", lambda w, t: f"/api/v1/residents/{w.resident.pk}", None, NEAR_API, ()),
    ("resident_far", "get", lambda w, t: f"/api/v1/residents/{w.far_resident.pk}", None,
     row(401, 404, 404, 404, 404, 404, 404, 200, 200, 200), ()),
    ("resident_create", "post", lambda w, t: "/api/v1/residents", _resident_post, CREATE_API, (201,)),
    ("resident_patch", "patch", lambda w, t: f"/api/v1/residents/{w.resident.pk}",
     lambda w, t: {"status": "living"}, EDIT_API, (200,)),
    ("resident_unmask", "post", lambda w, t: f"/api/v1/residents/{w.resident.pk}/unmask", None, UNMASK_API,
     (200,)),
    ("household", "get", lambda w, t: f"/api/v1/households/{w.household1.pk}", None, NEAR_API, ()),
    ("party_members", "get", lambda w, t: "/api/v1/party-members", None, LIST_API, ()),
    ("party_member_create", "post", lambda w, t: "/api/v1/party-members", _member_post, CREATE_API, (201,)),
    ("party_member", "get", lambda w, t: f"/api/v1/party-members/{t['member'].pk}", None, NEAR_API, ()),
    ("party_member_patch", "patch", lambda w, t: f"/api/v1/party-members/{t['member'].pk}", _member_edit,
     EDIT_API, (200,)),
    ("grid_workers", "get", lambda w, t: "/api/v1/grid-workers", None, LIST_API, ()),
    ("grid_worker_create", "post", lambda w, t: "/api/v1/grid-workers", _worker_post, GW_CREATE_API, (201,)),
    ("grid_worker", "get", lambda w, t: f"/api/v1/grid-workers/{t['worker'].pk}", None, GW_API, ()),
    ("grid_worker_patch", "patch", lambda w, t: f"/api/v1/grid-workers/{t['worker'].pk}", _worker_edit,
     GW_EDIT_API, (200,)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", API_CASES, ids=[c[0] for c in API_CASES])
def test_api_access(case, persona, world, things, client_for, counts):
    # given
    name, method, url, data, expected, written = case
    client = client_for(persona)
    before = counts()
    # when
    body = json.dumps(data(world, things)) if data else None
    response = getattr(client, method)(url(world, things), body, content_type="application/json")
    # then
    assert response.status_code == expected[persona], response.content[:300]
    if response.status_code in written:
        assert counts() != before
    else:
        assert counts() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_unmask_page_audits_only_success(persona, world, client_for):
    # given
    client = client_for(persona)
    before = AuditEntry.objects.filter(action="unmask").count()
    # when
    response = client.post(reverse("people:resident_unmask", args=[world.resident.pk]), HTTP_HX_REQUEST="true")
    # then
    entries = AuditEntry.objects.filter(action="unmask")
    if persona in ("grid_worker", "community_secretary"):
        assert response.status_code == 200
        assert world.resident.id_number in response.content.decode()
        assert entries.count() == before + 1
        entry = entries.first()
        assert entry.object_id == str(world.resident.pk) and entry.actor == world.user(persona)
        assert set(entry.changes["fields"]) >= {"id_number", "phone"}
        assert entry.channel == "page"
    else:
        assert response.status_code in (302, 403, 404)
        assert world.resident.id_number not in response.content.decode()
        assert entries.count() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_unmask_api_audits_only_success(persona, world, client_for):
    # given
    client = client_for(persona)
    before = AuditEntry.objects.filter(action="unmask").count()
    # when
    response = client.post(f"/api/v1/residents/{world.resident.pk}/unmask")
    # then
    if persona in ("grid_worker", "community_secretary"):
        assert response.status_code == 200
        assert response.json()["id_number"] == world.resident.id_number
        assert response.json()["phone"] == world.resident.phone
        assert AuditEntry.objects.filter(action="unmask").count() == before + 1
        assert AuditEntry.objects.filter(action="unmask").first().channel == "api"
    else:
        assert world.resident.id_number not in response.content.decode()
        assert AuditEntry.objects.filter(action="unmask").count() == before


def test_refused_writes_leave_records_unchanged(world, things, client_for):
    # given: a street officer may edit but not set sensitive tags
    client = client_for("street_officer")
    # when
    response = client.patch(f"/api/v1/residents/{world.resident.pk}",
                            json.dumps({"status": "floating", "sensitive_tags": ["mental"]}),
                            content_type="application/json")
    # then: the whole request is refused, the status change included
    assert response.status_code == 403
    world.resident.refresh_from_db()
    assert world.resident.status == Resident.Status.REGISTERED
    assert world.resident.sensitive_tags == ""
    assert PartyMember.objects.count() == 1 and GridWorker.objects.count() == 1
