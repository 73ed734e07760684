"""Council on a phone: a resident proposes, the committee moves it through the five steps, owners vote
on their phones, the ballot closes, the notice explains the tally, and the printable PDF renders."""

from decimal import Decimal

import pytest

from linli.council.models import Ballot, Proposal
from linli.testing import make_user
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(phone, live_server, username):
    phone.context.clear_cookies()
    login(phone, live_server, username)
    phone.wait_for_url(lambda url: "/login/" not in url)


def _advance(phone):
    phone.click("#advance")
    phone.wait_for_load_state("networkidle")


def test_proposal_to_ballot_to_notice_on_a_phone(world, live_server, phone):
    # given two owners in compound1 (90 m² and 60 m²), the neighbour with a login
    for resident, area in ((world.resident, "90.00"), (world.neighbour, "60.00")):
        resident.is_owner = True
        resident.save()
        dwelling = resident.household.dwelling
        dwelling.registered_area = Decimal(area)
        dwelling.save()
    world.neighbour.user = make_user("neighbour1")
    world.neighbour.save()

    # when the resident proposes from the council page
    _as(phone, live_server, "resident1")
    phone.goto(f"{live_server.url}/council/")
    phone.click("text=提出议题")
    phone.fill("#id_title", "单元门口增设无障碍坡道")
    phone.fill("#id_body", "老人推轮椅进出困难，建议在1单元门口增设坡道和扶手。")
    phone.click("main form button[type=submit]")
    phone.wait_for_load_state("networkidle")
    # then the proposal waits in the first of the five steps
    assert "一议：征集意见·审核把关" in phone.inner_text("#current-step")
    proposal = Proposal.objects.get(title="单元门口增设无障碍坡道")

    # when the branch secretary moves it through consultation and the draft to the decision step
    _as(phone, live_server, "branch1")
    phone.goto(f"{live_server.url}/council/proposals/{proposal.pk}/")
    for _ in range(3):
        _advance(phone)
    assert "四议：民主决策·组织实施" in phone.inner_text("#current-step")
    # and opens an owners' ballot for it
    phone.click("text=为本议题发起表决")
    phone.fill("#id_question", "是否同意利用共有部分增设坡道，费用由维修资金列支？")
    phone.select_option("#id_rule", value="owners_278")
    phone.select_option("#id_matter", value="major")
    phone.click("main form button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert "表决已发起，表决人 2 个" in phone.content()
    ballot = Ballot.objects.get(proposal=proposal)

    # when both owners vote on their phones (the resident changes her mind before the close)
    for username, choices in (("resident1", ["disagree", "agree"]), ("neighbour1", ["agree"])):
        _as(phone, live_server, username)
        for choice in choices:
            phone.goto(f"{live_server.url}/council/ballots/{ballot.pk}/")
            phone.check(f"#my-vote input[value={choice}]")
            phone.click("#cast")
            phone.wait_for_load_state("networkidle")
        assert phone.inner_text("#my-choice") == "同意"
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # when the secretary closes the ballot, publishes the notice and finishes the last two steps
    _as(phone, live_server, "branch1")
    phone.goto(f"{live_server.url}/council/ballots/{ballot.pk}/")
    phone.click("#close-ballot")
    phone.wait_for_load_state("networkidle")
    phone.click("#publish")
    phone.wait_for_load_state("networkidle")
    notice_url = phone.url
    phone.goto(f"{live_server.url}/council/proposals/{proposal.pk}/")
    _advance(phone)
    assert "五议：全程公开·评议问效" in phone.inner_text("#current-step")
    _advance(phone)
    assert "已办结" in phone.inner_text("#proposal-status")

    # then the resident sees the notice with the explained tally
    _as(phone, live_server, "resident1")
    phone.goto(notice_url)
    tally = phone.inner_text("section.tally")
    assert "参与表决的专有部分面积占总面积三分之二以上" in tally
    assert "150.00" in tally and "100.00%" in tally
    assert "不少于四分之三（75%）" in tally
    assert "结果：通过" in tally
    assert phone.locator("tr.condition").count() == 4
    # and the printable PDF renders
    response = phone.request.get(f"{notice_url}notice.pdf")
    assert response.status == 200
    body = response.body()
    assert body.startswith(b"%PDF") and body.rstrip().endswith(b"%%EOF")
    assert b"/STSong-Light" in body and b"/Subtype /Image" in body
