"""Ballots end to end through the services: the electorate, one vote per voter, refusals, close, notice."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from linli.core import clock
from linli.council import services
from linli.council.models import Vote
from linli.council.tests.conftest import open_ballot
from linli.testing import refused

PDF = b"%PDF-1.4\n%scan\n"


def test_owners_electorate_counts_one_buyer_once_and_the_developer_once(estate, world):
    # given / when
    ballot = open_ballot(world)
    # then 101 (resident), 201+301 (neighbour), 401 (developer): three owners
    voters = {v.key: v for v in ballot.voters.all()}
    assert len(voters) == 3
    assert voters["developer"].area == 100
    neighbour = next(v for v in voters.values() if world.neighbour in v.residents.all())
    assert neighbour.area == 110  # 60 registered + 50 surveyed
    assert set(neighbour.dwellings.all()) == {estate.d201, estate.d301}


def test_changed_vote_replaces_the_first(estate, world, counts):
    # given
    ballot = open_ballot(world)
    services.vote_cast(actor=world.user("resident"), ballot=ballot, choice="disagree")
    # when
    vote = services.vote_cast(actor=world.user("resident"), ballot=ballot, choice="agree")
    # then
    assert Vote.objects.filter(ballot=ballot).count() == 1
    assert vote.choice == "agree" and vote.changes == 1
    assert services.live_tally(ballot)["counts"]["agree"] == 1


@pytest.mark.parametrize("case", ["after_close", "deadline_passed", "not_in_electorate", "proxy_without_form",
                                  "paper_without_scan", "second_paper"])
def test_refused_votes_write_nothing_and_are_never_counted(estate, world, counts, case):
    # given
    ballot = open_ballot(world)
    developer = ballot.voters.get(key="developer")
    kwargs = {"actor": world.user("resident"), "ballot": ballot, "choice": "agree"}
    if case == "after_close":
        services.ballot_close(actor=world.user("branch_secretary"), ballot=ballot)
    elif case == "deadline_passed":
        clock.advance(dt.timedelta(days=8))
    elif case == "not_in_electorate":
        kwargs = {"actor": world.user("grid_worker"), "ballot": ballot, "choice": "agree"}
    elif case == "proxy_without_form":
        kwargs = {"actor": world.user("grid_worker"), "ballot": ballot, "choice": "agree", "voter": developer,
                  "channel": "proxy", "proxy_name": "王代理"}
    elif case == "paper_without_scan":
        kwargs = {"actor": world.user("grid_worker"), "ballot": ballot, "choice": "agree", "voter": developer,
                  "channel": "paper"}
    elif case == "second_paper":
        services.vote_cast(actor=world.user("grid_worker"), ballot=ballot, choice="agree", voter=developer,
                           channel="paper", attachment=SimpleUploadedFile("a.pdf", PDF))
        kwargs = {"actor": world.user("grid_worker"), "ballot": ballot, "choice": "disagree", "voter": developer,
                  "channel": "paper", "attachment": SimpleUploadedFile("b.pdf", PDF)}
    before = counts()
    tally_before = services.ballot_tally(ballot)
    # when
    code = {"after_close": "ballot_closed", "deadline_passed": "ballot_closed", "not_in_electorate": "not_in_electorate",
            "proxy_without_form": "proxy_form_missing", "paper_without_scan": "scan_missing",
            "second_paper": "already_voted"}[case]
    with refused(code):
        services.vote_cast(**kwargs)
    # then
    assert counts() == before
    assert services.ballot_tally(ballot) == tally_before


def test_tenant_is_not_an_owner(estate, world):
    # given a tenant with a login in 301 (owned by the neighbour)
    from linli.testing import make_user

    estate.tenant.user = make_user("tenant1")
    estate.tenant.save()
    ballot = open_ballot(world)
    # when / then
    with refused("not_in_electorate"):
        services.vote_cast(actor=estate.tenant.user, ballot=ballot, choice="agree")


def test_close_freezes_the_explained_result_and_notice_publishes_it(estate, world):
    # given resident (90 m²) and neighbour (110 m²) agree; developer (100 m²) does not vote
    ballot = open_ballot(world, matter="major")
    services.vote_cast(actor=world.user("resident"), ballot=ballot, choice="agree")
    services.vote_cast(actor=_neighbour_user(world),
                       ballot=ballot, choice="agree")
    # when
    closed = services.ballot_close(actor=world.user("branch_secretary"), ballot=ballot)
    notice = services.notice_publish(actor=world.user("branch_secretary"), ballot=closed)
    # then participation 200/300 = 2/3 by area and 2/3 by head: exactly on the threshold, so it passes
    conditions = closed.result["conditions"]
    assert [c["fraction"] for c in conditions] == ["2/3", "2/3", "1/1", "1/1"]
    assert conditions[0]["numerator"] == "200.00" and conditions[0]["denominator"] == "300.00"
    assert closed.passed is True
    assert notice.ballot == closed and "通过" in notice.body


def test_paper_vote_with_scan_counts_for_the_developer(estate, world):
    # given
    ballot = open_ballot(world)
    developer = ballot.voters.get(key="developer")
    # when
    vote = services.vote_cast(actor=world.user("grid_worker"), ballot=ballot, choice="disagree", voter=developer,
                              channel="paper", attachment=SimpleUploadedFile("scan.pdf", PDF))
    # then
    assert vote.attachment.name.endswith(".pdf")
    assert services.live_tally(ballot)["counts"]["disagree"] == 1


def test_entrance_ballot_records_cost_split_and_counts_as_major(estate, world):
    # given / when
    ballot = open_ballot(world, rule="entrance_owners", entrance=estate.entrance, cost_total="300000.00",
                         cost_split=[{"dwelling_id": estate.d101.pk, "amount": "100000.00"},
                                     {"dwelling_id": estate.d201.pk, "amount": "120000.00"},
                                     {"dwelling_id": estate.d301.pk, "amount": "80000.00"}])
    # then
    assert ballot.matter == "major"
    assert ballot.cost_shares.count() == 3
    assert services.live_tally(ballot)["conditions"][2]["threshold"] == "3/4"


def test_cost_split_must_add_up(estate, world, counts):
    # given
    before = counts()
    # when / then
    with pytest.raises(Exception, match="分摊"):
        open_ballot(world, rule="entrance_owners", entrance=estate.entrance, cost_total="1000.00",
                    cost_split=[{"dwelling_id": estate.d101.pk, "amount": "999.00"}])
    assert counts() == before


def _neighbour_user(world):
    from linli.testing import make_user

    user = make_user("neighbour1")
    world.neighbour.user = user
    world.neighbour.save()
    world.users["neighbour"] = user
    return user


def test_a_negative_cost_total_is_refused_with_a_sentence_on_the_api_and_the_page(estate, world, client_for, counts):
    # given a secretary opening a ballot whose total cost is negative
    closes = (clock.now() + dt.timedelta(days=7)).isoformat()
    client = client_for("branch_secretary")
    before = counts()
    # when it is sent over the API and through the page form
    api = client.post("/api/v1/ballots", json.dumps({
        "compound_id": world.compound1.pk, "title": "加装电梯", "question": "是否同意", "rule": "owners_278",
        "closes_at": closes, "cost_total": "-100.00"}), content_type="application/json")
    page = client.post("/council/ballots/new/", {
        "compound": world.compound1.pk, "title": "加装电梯", "question": "是否同意", "rule": "owners_278",
        "matter": "ordinary", "closes_at": clock.now().strftime("%Y-%m-%d") + "T23:59", "threshold_percent": 80,
        "cost_total": "-100.00"})
    # then both refuse it with a sentence, and nothing is written
    assert api.status_code == 400 and "总费用不能为负数" in api.json()["detail"]
    assert "总费用不能为负数" in page.content.decode()
    assert counts() == before
