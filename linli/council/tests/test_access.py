"""Every council page and API operation across personas: the status, and nothing written when refused."""

import datetime as dt
import json

import pytest

from linli.core import clock
from linli.council import services
from linli.council.tests.conftest import open_ballot
from linli.testing import PERSONAS

IN_SIGHT = ["resident", "grid_worker", "community_secretary", "branch_secretary", "street_officer",
            "district_officer", "admin"]
STAFF_IN_SIGHT = [p for p in IN_SIGHT if p != "resident"]
# The first five-step step (collect and vet) is moved by workers and secretaries in their jurisdiction.
MOVERS = ["grid_worker", "community_secretary", "branch_secretary", "admin"]
EDITORS = STAFF_IN_SIGHT + ["outsider"]


def _for(personas, status, rest, **extra):
    table = {p: (status if p in personas else rest) for p in PERSONAS}
    table.update(extra)
    return table


PAGE_IN_SIGHT = _for(IN_SIGHT, 200, 404, anonymous=302)
EVERYONE = _for(PERSONAS, 200, 200, anonymous=302)


@pytest.fixture
def state(estate, world):
    resident, secretary = world.user("resident"), world.user("branch_secretary")
    proposal = services.proposal_submit(actor=resident, compound=world.compound1, title="加装电梯",
                                        body="1号楼1单元老人多，希望加装电梯。")
    comment = services.comment_add(actor=resident, proposal=proposal, body="支持")
    ballot = open_ballot(world, proposal=proposal)
    done = open_ballot(world, title="楼道照明改造", rule="household_consent")
    services.vote_cast(actor=resident, ballot=done, choice="agree")
    done = services.ballot_close(actor=secretary, ballot=done)
    notice = services.notice_publish(actor=secretary, ballot=done)
    services.notice_executed(actor=secretary, notice=notice)
    series = services.series_create(actor=secretary, kind="forum", name="康宁邻里议事厅", compound=world.compound1,
                                    first_at=clock.now() + dt.timedelta(days=1), location="议事厅")
    meeting = services.meeting_create(actor=secretary, series=series, title="第1次议事",
                                      starts_at=clock.now() + dt.timedelta(days=1))
    decision = services.decision_add(actor=secretary, meeting=meeting, text="报装电梯", owner="王书记",
                                     due_on=dt.date(2026, 6, 30), proposal=proposal)
    return {"p": proposal.pk, "c": comment.pk, "b": ballot.pk, "closed": done.pk, "n": notice.pk, "s": series.pk,
            "m": meeting.pk, "d": decision.pk}


GETS = [
    ("/council/", EVERYONE),
    ("/council/meetings/", EVERYONE),
    ("/council/proposals/{p}/", PAGE_IN_SIGHT),
    ("/council/ballots/{b}/", PAGE_IN_SIGHT),
    ("/council/ballots/{closed}/", PAGE_IN_SIGHT),
    ("/council/notices/{n}/", PAGE_IN_SIGHT),
    ("/council/notices/{n}/notice.pdf", PAGE_IN_SIGHT),
    ("/council/meetings/{m}/", PAGE_IN_SIGHT),
    ("/council/series/{s}.ics", PAGE_IN_SIGHT),
    ("/council/proposals/new/", _for(["resident"] + EDITORS, 200, 403, anonymous=302)),
    ("/council/ballots/new/", _for(EDITORS, 200, 403, anonymous=302)),
    ("/council/series/new/", _for(EDITORS, 200, 403, anonymous=302)),
    ("/council/meetings/new/", _for(EDITORS, 200, 403, anonymous=302)),
    ("/api/v1/ballots", _for(PERSONAS, 200, 200, anonymous=401)),
    ("/api/v1/ballots/{b}", _for(IN_SIGHT, 200, 404, anonymous=401)),
    ("/api/v1/ballots/{b}/tally", _for(STAFF_IN_SIGHT, 200, 404, anonymous=401, resident=403)),
    ("/api/v1/ballots/{closed}/tally", _for(IN_SIGHT, 200, 404, anonymous=401)),
    ("/api/v1/proposals", _for(PERSONAS, 200, 200, anonymous=401)),
    ("/api/v1/proposals/{p}", _for(IN_SIGHT, 200, 404, anonymous=401)),
    ("/api/v1/meetings", _for(PERSONAS, 200, 200, anonymous=401)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "statuses"), GETS, ids=[g[0] for g in GETS])
def test_reads(state, client_for, counts, persona, url, statuses):
    # given
    client = client_for(persona)
    before = counts()
    # when
    response = client.get(url.format(**state))
    # then
    assert response.status_code == statuses[persona]
    assert counts() == before


def _page(url, data=None):
    return ("page", url, data or {})


def _api(url, data=None):
    return ("api", url, data or {})


def _ballot_payload(world):
    return {"compound_id": world.compound1.pk, "title": "更换单元门禁", "question": "是否同意", "rule": "owners_278",
            "closes_at": (clock.now() + dt.timedelta(days=3)).isoformat()}


WRITES = [
    ("advance", _page("/council/proposals/{p}/advance/"), _for(MOVERS, 302, 404, anonymous=302, resident=403,
                                                               street_officer=403, district_officer=403)),
    ("comment", _page("/council/proposals/{p}/comments/", {"body": "同意加装"}),
     _for(IN_SIGHT, 302, 404, anonymous=302)),
    ("moderate", _page("/council/comments/{c}/moderate/", {"action": "hide", "reason": "广告"}),
     _for(STAFF_IN_SIGHT, 302, 404, anonymous=302, resident=403)),
    ("vote", _page("/council/ballots/{b}/vote/", {"choice": "agree"}), _for(["resident"], 302, 404, anonymous=302,
                                                                           **{p: "302-refused" for p in STAFF_IN_SIGHT})),
    ("close", _page("/council/ballots/{b}/close/"), _for(STAFF_IN_SIGHT, 302, 404, anonymous=302, resident=403)),
    ("evaluate", _page("/council/notices/{n}/evaluate/", {"score": "satisfied"}),
     _for(["resident"], 302, 404, anonymous=302, **{p: 403 for p in STAFF_IN_SIGHT})),
    ("progress", _page("/council/decisions/{d}/progress/", {"percent": "40", "note": "已报装"}),
     _for(STAFF_IN_SIGHT, 302, 404, anonymous=302, resident=403)),
    ("agenda", _page("/council/meetings/{m}/agenda/", {"topic": "电梯分摊"}),
     _for(STAFF_IN_SIGHT, 302, 404, anonymous=302, resident=403)),
    ("api_open", _api("/api/v1/ballots", "ballot"), _for(STAFF_IN_SIGHT, 201, 403, anonymous=401, outsider=400)),
    ("api_vote", _api("/api/v1/ballots/{b}/votes", {"choice": "agree"}),
     _for(["resident"], 201, 404, anonymous=401, **{p: 403 for p in STAFF_IN_SIGHT})),
    ("api_close", _api("/api/v1/ballots/{b}/close", {}), _for(STAFF_IN_SIGHT, 200, 404, anonymous=401, resident=403)),
    ("api_propose", _api("/api/v1/proposals", "proposal"),
     _for(["resident"] + STAFF_IN_SIGHT, 201, 403, anonymous=401, outsider=400)),
    ("api_advance", _api("/api/v1/proposals/{p}/advance", {}),
     _for(MOVERS, 200, 404, anonymous=401, resident=403, street_officer=403, district_officer=403)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "request_", "statuses"), WRITES, ids=[w[0] for w in WRITES])
def test_writes(state, world, client_for, counts, persona, name, request_, statuses):
    # given
    kind, url, data = request_
    if data == "ballot":
        data = _ballot_payload(world)
    elif data == "proposal":
        data = {"compound_id": world.compound1.pk, "title": "增设充电桩", "body": "电动车充电难"}
    client = client_for(persona)
    before = counts()
    # when
    if kind == "api":
        response = client.post(url.format(**state), json.dumps(data), content_type="application/json")
    else:
        response = client.post(url.format(**state), data)
    # then
    expected = statuses[persona]
    refused_softly = expected == "302-refused"
    assert response.status_code == (302 if refused_softly else expected)
    if expected in (200, 201) or (expected == 302 and persona != "anonymous"):
        assert counts() != before
    else:
        assert counts() == before
