"""ID numbers and phones typed into a case: masked at rest, the original only through the audited unmask."""

import importlib
import json

from django.apps import apps
from django.db import connection

from linli.cases.models import Case, CaseEvent
from linli.core.models import AuditEntry

ID = "110105198003071234"
PHONE = "13812345678"
DESCRIPTION = f"我是独居老人，身份证{ID}，请打{PHONE}联系我女儿"


def _every_stored_value():
    """Every cell of every table, as the database file holds it (raw SQL, no model decryption)."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                yield from (str(cell) for cell in row)


def _file(client, world):
    return client.post("/api/v1/cases", json.dumps({
        "category": "sanitation", "description": DESCRIPTION, "compound": world.compound1.pk}),
        content_type="application/json")


def test_numbers_in_a_description_and_a_note_are_nowhere_in_plain_text(client_for, world, frozen):
    # given a resident filing a case with an ID number and a phone in the description
    response = _file(client_for("resident"), world)
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    # and a grid worker noting another phone on the timeline
    officer = client_for("grid_worker")
    note = officer.post(f"/api/v1/cases/{case.pk}/dispatch", json.dumps({
        "assignee": world.user("grid_worker").pk, "note": "住户另留电话 139 8765 4321"}),
        content_type="application/json")
    assert note.status_code == 200, note.content
    # when the database is read as stored
    stored = list(_every_stored_value())
    # then no number is there in plain text, and the masked text is
    for number in (ID, PHONE, "13987654321", "139 8765 4321"):
        assert not any(number in cell for cell in stored), number
    assert any("110105********1234" in cell and "138****5678" in cell for cell in stored)
    # and the API shows the masked text to everyone who may see the case
    assert client_for("resident").get(f"/api/v1/cases/{case.pk}").json()["description"] == (
        "我是独居老人，身份证110105********1234，请打138****5678联系我女儿")


def test_the_unmask_shows_the_typed_text_once_audited_and_others_see_it_masked(client_for, world, frozen):
    # given a case whose description holds an ID number and a phone
    case_id = _file(client_for("resident"), world).json()["id"]
    # when a grid worker (who may unmask) unmasks it
    response = client_for("grid_worker").post(f"/api/v1/cases/{case_id}/unmask")
    # then the typed description comes back and the look is audited
    assert response.status_code == 200
    assert response.json()["description"] == DESCRIPTION
    entry = AuditEntry.objects.get(action="unmask", object_id=str(case_id))
    assert entry.actor == world.user("grid_worker") and "description" in entry.changes["fields"]
    # and the page unmask shows it too
    partial = client_for("grid_worker").post(f"/cases/{case_id}/unmask/", HTTP_HX_REQUEST="true").content.decode()
    assert ID in partial and PHONE in partial
    # when an officer without the right asks, or reads the page
    assert client_for("street_officer").post(f"/api/v1/cases/{case_id}/unmask").status_code == 403
    page = client_for("street_officer").get(f"/cases/{case_id}/").content.decode()
    # then only the masked text is shown, and no further audit entry was written
    assert "110105********1234" in page and ID not in page and PHONE not in page
    assert AuditEntry.objects.filter(action="unmask", object_id=str(case_id)).count() == 2


def test_a_timeline_note_is_unmasked_with_the_case(client_for, world, open_case):
    # given a case with a staff note holding a phone
    case = open_case()
    client_for("grid_worker").post(f"/api/v1/cases/{case.pk}/dispatch", json.dumps({
        "assignee": world.user("grid_worker").pk, "note": f"联系业主 {PHONE}"}), content_type="application/json")
    event = CaseEvent.objects.filter(case=case).exclude(text_original="").get()
    assert PHONE not in event.text
    # when it is unmasked
    notes = client_for("grid_worker").post(f"/api/v1/cases/{case.pk}/unmask").json()["notes"]
    # then the note comes back as typed
    assert notes == [{"id": event.pk, "text": event.text_original}] and PHONE in notes[0]["text"]


def test_the_data_migration_masks_rows_written_before(world, open_case):
    # given a case and a note written in plain text before masking existed (update() skips the mask)
    case = open_case()
    Case.objects.filter(pk=case.pk).update(description=DESCRIPTION)
    CaseEvent.objects.filter(case=case).update(text=f"电话 {PHONE}")
    # when the migration's step runs
    importlib.import_module("linli.cases.migrations.0009_redact_free_text").mask_existing(apps, None)
    # then the rows hold the masked text and the original encrypted
    stored = list(_every_stored_value())
    assert not any(ID in cell or PHONE in cell for cell in stored)
    case = Case.objects.get(pk=case.pk)
    assert case.description_original == DESCRIPTION and ID not in case.description
    assert all(e.text_original == f"电话 {PHONE}" for e in case.events.all())


def test_notes_copied_onto_the_case_are_masked_too(client_for, world, open_case):
    # given a case escalated, solved and followed up with notes holding numbers
    case = open_case()
    officer = client_for("grid_worker")

    def act(name, **body):
        response = officer.post(f"/api/v1/cases/{case.pk}/{name}", json.dumps(body), content_type="application/json")
        assert response.status_code == 200, response.content

    act("escalate", note=f"业主电话 {PHONE}")
    case.refresh_from_db()
    act("dispatch", assignee=world.user("grid_worker").pk)
    act("solve", note=f"已联系身份证{ID}的业主")
    act("follow-up", note=f"回访 {PHONE} 满意")
    # when the database is read as stored
    stored = list(_every_stored_value())
    # then the case's own copies (solution, follow-up, escalation) hold no number in plain text
    assert not any(ID in cell or PHONE in cell for cell in stored)
    case.refresh_from_db()
    assert case.solution == "已联系身份证110105********1234的业主" and "138****5678" in case.follow_up_note
    # and the unmask still gives every typed note
    notes = [n["text"] for n in officer.post(f"/api/v1/cases/{case.pk}/unmask").json()["notes"]]
    assert any(ID in n for n in notes) and sum(PHONE in n for n in notes) == 2
