"""The ballot API as an outside system uses it, the iCalendar export and the printable notice."""

import datetime as dt
import json
import re

from django.core.files.uploadedfile import SimpleUploadedFile

from linli.core import clock
from linli.council import services
from linli.council.models import Vote


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_outside_system_opens_votes_closes_and_reads_the_explained_tally(estate, world, client_for):
    # given
    staff, resident = client_for("branch_secretary"), client_for("resident")
    # when
    opened = _post(staff, "/api/v1/ballots", {
        "compound_id": world.compound1.pk, "title": "利用共有部分设置广告", "question": "是否同意",
        "rule": "owners_278", "matter": "major", "closes_at": (clock.now() + dt.timedelta(days=2)).isoformat()})
    ballot_id = opened.json()["id"]
    first = _post(resident, f"/api/v1/ballots/{ballot_id}/votes", {"choice": "disagree"})
    changed = _post(resident, f"/api/v1/ballots/{ballot_id}/votes", {"choice": "agree"})
    closed = _post(staff, f"/api/v1/ballots/{ballot_id}/close", {})
    late = _post(resident, f"/api/v1/ballots/{ballot_id}/votes", {"choice": "disagree"})
    tally = resident.get(f"/api/v1/ballots/{ballot_id}/tally")
    # then
    assert opened.status_code == 201 and opened.json()["electorate"] == 3
    assert first.status_code == 201 and changed.status_code == 200
    assert closed.status_code == 200
    assert late.status_code == 409 and late.json()["code"] == "ballot_closed"
    body = tally.json()
    assert body["passed"] is False and body["final"] is True
    names = [c["name"] for c in body["conditions"]]
    assert len(names) == 4 and "三分之二" in names[0]
    area = body["conditions"][0]
    assert (area["numerator"], area["denominator"], area["holds"]) == ("90.00", "300.00", False)
    assert body["conditions"][1]["numerator"] == 1 and body["conditions"][1]["denominator"] == 3
    assert Vote.objects.filter(ballot_id=ballot_id).get().choice == "agree"


def test_api_proxy_vote_needs_the_signed_form(estate, world, client_for, counts):
    # given
    ballot = services.ballot_open(actor=world.user("branch_secretary"), compound=world.compound1, title="t",
                                  question="q", rule="owners_278", closes_at=clock.now() + dt.timedelta(days=1))
    developer = ballot.voters.get(key="developer")
    staff = client_for("grid_worker")
    before = counts()
    # when
    refused = staff.post(f"/api/v1/ballots/{ballot.pk}/votes", {"choice": "agree", "voter_id": developer.pk,
                                                                "channel": "proxy", "proxy_name": "王代理"})
    # then
    assert refused.status_code == 400 and refused.json()["code"] == "proxy_form_missing"
    assert counts() == before
    # when the signed form is attached
    accepted = staff.post(f"/api/v1/ballots/{ballot.pk}/votes", {
        "choice": "agree", "voter_id": developer.pk, "channel": "proxy", "proxy_name": "王代理",
        "attachment": SimpleUploadedFile("form.pdf", b"%PDF-1.4 signed", content_type="application/pdf")})
    # then
    assert accepted.status_code == 201 and accepted.json()["channel"] == "proxy"


def _parse_ics(text: str) -> list[dict]:
    """Unfold (RFC 5545 §3.1) and split into components of NAME: value."""
    assert "\n" not in text.replace("\r\n", "")
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    events, current = [], None
    for line in unfolded.split("\r\n"):
        if not line:
            continue
        name, _, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            current[name.split(";")[0]] = value
    return events


def test_series_ics_parses_with_crlf_folding_and_recurrence(estate, world, client_for):
    # given a fortnightly joint meeting with a long Chinese name (more than 75 octets)
    series = services.series_create(actor=world.user("branch_secretary"), kind="joint", compound=world.compound1,
                                    name="康宁小区党支部与自治委员会联席会议（每两周一次，讨论加装电梯、停车、绿化等事项）",
                                    first_at=clock.now(), location="邻里议事厅，二楼", until=dt.date(2026, 12, 31))
    # when
    response = client_for("resident").get(f"/council/series/{series.pk}.ics")
    text = response.content.decode()
    # then
    assert response["Content-Type"].startswith("text/calendar")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    (event,) = _parse_ics(text)
    assert event["SUMMARY"] == series.name
    assert event["RRULE"] == "FREQ=WEEKLY;INTERVAL=2;UNTIL=20261231T155959Z"
    assert event["DTSTART"] == "20260510T020000Z"
    assert event["LOCATION"] == "邻里议事厅，二楼"


def test_notice_pdf_is_a4_with_chinese_font_and_a_qr_code(estate, world, client_for):
    # given a closed ballot with its notice
    secretary = world.user("branch_secretary")
    ballot = services.ballot_open(actor=secretary, compound=world.compound1, title="楼道照明", question="q",
                                  rule="household_consent", closes_at=clock.now() + dt.timedelta(days=1))
    ballot = services.ballot_close(actor=secretary, ballot=ballot)
    notice = services.notice_publish(actor=secretary, ballot=ballot)
    # when
    response = client_for("resident").get(f"/council/notices/{notice.pk}/notice.pdf")
    # then
    body = response.content
    assert response["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF")
    assert b"/STSong-Light" in body
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in body
    assert len(re.findall(rb"/Type /Page\b", body)) == 1
    assert b"/Subtype /Image" in body


def test_api_vote_body_that_is_not_a_vote_is_refused_with_nothing_written(estate, world, client_for, counts):
    # given an open ballot and bodies that are JSON but not a vote object
    ballot = services.ballot_open(actor=world.user("branch_secretary"), compound=world.compound1, title="t",
                                  question="q", rule="owners_278", closes_at=clock.now() + dt.timedelta(days=1))
    resident = client_for("resident")
    before = counts()
    for body in ({}, {"choice": "agree", "voter_id": "张三"}, [], ["agree"], "agree", None, 3):
        # when
        answer = _post(resident, f"/api/v1/ballots/{ballot.pk}/votes", body)
        # then
        assert answer.status_code == 400, body
        assert answer.json()["code"] == "vote_invalid", body
    assert counts() == before
