"""Re-tiering, turning a big matter into a council proposal link, and unmasking the reporter's contact."""

import datetime as dt
import json

import pytest

from linli.cases import services
from linli.cases.models import Case, CaseEvent, Channel, Tier
from linli.core import clock
from linli.core.models import AuditEntry
from linli.testing import PERSONAS

MIN = dt.timedelta(minutes=1)
EDITORS_WHO_SEE = {"grid_worker", "community_secretary", "branch_secretary", "street_officer", "district_officer",
                   "admin"}


def _post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def hotline_case(world, frozen):
    """A hotline call taken by the grid worker, with the caller's name and phone."""
    intake = services.Intake(category="sanitation", description="垃圾站满溢", compound=world.compound1.pk,
                             channel=Channel.HOTLINE, contact_name="赵大明", contact_phone="13912345678")
    return services.case_open(actor=world.user("grid_worker"), intake=intake)


# ---------------------------------------------------------------- re-tiering


def test_retier_on_the_page_recomputes_deadlines_from_now(client_for, open_case, world, frozen):
    # given an accepted ordinary case, 20 minutes in
    case = open_case()
    worker = world.user("grid_worker")
    services.case_dispatch(actor=worker, case=case, assignee=worker)
    services.case_accept(actor=worker, case=case)
    clock.advance(20 * MIN)
    # when the worker re-tiers it as complex on the page
    response = client_for("grid_worker").post(f"/cases/{case.pk}/retier/", {"tier": "complex", "note": "需要换管道"})
    # then the solving deadline is 4 hours from now; the arrival (already made) is untouched
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.tier == Tier.COMPLEX
    assert case.solve_by == frozen + 20 * MIN + 240 * MIN and case.arrive_by == frozen + 10 * MIN
    event = case.events.get(kind=CaseEvent.Kind.RETIERED)
    assert "复杂" in event.text and "需要换管道" in event.text
    assert AuditEntry.objects.filter(action="case.retier", object_id=str(case.pk)).exists()


def test_retier_by_api_and_its_errors(client_for, open_case, frozen):
    case = open_case()
    client = client_for("community_secretary")
    bad = _post_json(client, f"/api/v1/cases/{case.pk}/retier", {"tier": "huge"})
    same = _post_json(client, f"/api/v1/cases/{case.pk}/retier", {"tier": "ordinary"})
    assert bad.status_code == 400 and "tier" in bad.json()["errors"]
    assert same.status_code == 400 and "tier" in same.json()["errors"]
    ok = _post_json(client, f"/api/v1/cases/{case.pk}/retier", {"tier": "major"})
    assert ok.status_code == 200 and ok.json()["tier"] == "major"
    assert ok.json()["solve_by"].startswith("2025-03-04T01:00")  # UTC


@pytest.mark.parametrize("persona", ["resident", "property_staff", "outsider", "anonymous"])
def test_retier_refused_writes_nothing(client_for, open_case, counts, persona):
    case = open_case()
    before = counts()
    response = client_for(persona).post(f"/cases/{case.pk}/retier/", {"tier": "complex"})
    assert response.status_code == {"resident": 403, "anonymous": 302}.get(persona, 404)
    assert counts() == before


# ---------------------------------------------------------------- big matters to the council


def test_big_matter_goes_to_council_then_gets_its_proposal_ref(client_for, open_case, world, frozen):
    # given an open case
    case = open_case(description="小区想加装电梯")
    client = client_for("community_secretary")
    # when staff turn it into a council matter
    response = client.post(f"/cases/{case.pk}/council/", {"note": "涉及全体业主，需议事协商"})
    # then it is marked as waiting for a proposal, on the timeline the resident sees, and they are told
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.proposal_ref == services.PROPOSAL_PENDING
    page = client_for("resident").get(f"/cases/{case.pk}/").content.decode()
    assert "已转入邻里议事，待立项" in page and "涉及全体业主" in page
    assert case.reporter.notifications.filter(text__contains="议事协商").exists()
    # when the council's proposal number is filled in
    filled = _post_json(client, f"/api/v1/cases/{case.pk}/council", {"note": "已立项", "ref": "YS-2025-007"})
    # then the case links to it, and it cannot be linked again
    assert filled.status_code == 200 and filled.json()["proposal_ref"] == "YS-2025-007"
    again = _post_json(client, f"/api/v1/cases/{case.pk}/council", {"note": "再来", "ref": "YS-2025-008"})
    assert again.status_code == 400 and "ref" in again.json()["errors"]
    assert case.events.filter(kind=CaseEvent.Kind.NOTE).count() == 2


def test_council_needs_a_reason(client_for, open_case, counts):
    case = open_case()
    before = counts()
    response = client_for("grid_worker").post(f"/cases/{case.pk}/council/", {"note": ""})
    assert response.status_code == 400 and "请填写转议事理由" in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize("persona", ["resident", "property_staff", "outsider", "anonymous"])
def test_council_refused_writes_nothing(client_for, open_case, counts, persona):
    case = open_case()
    before = counts()
    response = _post_json(client_for(persona), f"/api/v1/cases/{case.pk}/council", {"note": "大事"})
    assert response.status_code == {"resident": 403, "anonymous": 401}.get(persona, 404)
    assert counts() == before


# ---------------------------------------------------------------- unmasking the reporter


UNMASK = {"grid_worker": 200, "community_secretary": 200, "admin": 403, "branch_secretary": 403,
          "street_officer": 403, "district_officer": 403, "resident": 404, "property_staff": 404, "outsider": 404,
          "anonymous": 401}


@pytest.mark.parametrize("persona", PERSONAS)
def test_unmask_by_api_only_for_roles_that_may_and_always_audited(client_for, hotline_case, persona):
    # when someone asks for the full contact
    before = AuditEntry.objects.filter(action="unmask").count()
    response = client_for(persona).post(f"/api/v1/cases/{hotline_case.pk}/unmask")
    # then only the unmasking roles in the jurisdiction get it, each time with an audit entry
    assert response.status_code == UNMASK[persona]
    audited = AuditEntry.objects.filter(action="unmask").count() - before
    if response.status_code == 200:
        assert response.json() == {"id": hotline_case.pk, "contact_name": "赵大明", "contact_phone": "13912345678",
                                   "description": "垃圾站满溢", "notes": []}
        assert response["Cache-Control"] == "no-store"
        assert audited == 1
    else:
        assert audited == 0


def test_unmask_on_the_page(client_for, hotline_case, world):
    client = client_for("grid_worker")
    page = client.get(f"/cases/{hotline_case.pk}/").content.decode()
    # the detail shows the contact masked, with the button to unmask
    assert "赵**" in page and "13912345678" not in page and "查看完整联系方式" in page
    # the htmx request swaps in the full contact; the plain form shows it once after the redirect
    partial = client.post(f"/cases/{hotline_case.pk}/unmask/", HTTP_HX_REQUEST="true").content.decode()
    assert "赵大明" in partial and "13912345678" in partial
    assert client.post(f"/cases/{hotline_case.pk}/unmask/").status_code == 302
    assert "13912345678" in client.get(f"/cases/{hotline_case.pk}/").content.decode()
    assert "13912345678" not in client.get(f"/cases/{hotline_case.pk}/").content.decode()
    entry = AuditEntry.objects.filter(action="unmask", object_id=str(hotline_case.pk)).first()
    assert entry.actor == world.user("grid_worker") and entry.changes == {"fields": ["contact_name", "contact_phone"]}
    assert AuditEntry.objects.filter(action="unmask").count() == 2


def test_officer_without_the_right_sees_no_unmask_button(client_for, hotline_case):
    page = client_for("street_officer").get(f"/cases/{hotline_case.pk}/").content.decode()
    assert "查看完整联系方式" not in page and "13912345678" not in page
    assert client_for("street_officer").post(f"/cases/{hotline_case.pk}/unmask/").status_code == 403


# ---------------------------------------------------------------- the map point


def test_resident_files_with_a_map_point(client_for, world, frozen):
    client = client_for("resident")
    page = client.get("/cases/new/").content.decode()
    assert 'name="latitude"' in page and 'type="number"' in page and "locate.js" in page
    response = client.post("/cases/new/", {"category": "facilities", "description": "路灯不亮",
                                           "compound": world.compound1.pk, "latitude": "37.857012",
                                           "longitude": "112.548933"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert (str(case.latitude), str(case.longitude)) == ("37.857012", "112.548933")
    assert "37.857012" in client.get(f"/cases/{case.pk}/").content.decode()


def test_half_a_map_point_is_a_field_error(client_for, world, counts):
    before = counts()
    response = client_for("resident").post("/cases/new/", {"category": "facilities", "description": "路灯不亮",
                                                           "compound": world.compound1.pk, "latitude": "91"})
    assert response.status_code == 200 and "纬度应在 -90 到 90 之间" in response.content.decode()
    assert counts() == before
