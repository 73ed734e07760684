import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Sum

from linli.people.tests.factories import PartyMemberFactory
from linli.points import ledger, services
from linli.points.models import Account, Award, Entry, Redemption, Transfer
from linli.testing import refused


def _award(world, shop, hours="2", key="k1", actor=None, rule=None, resident=None):
    return services.award_grant(actor=actor or world.user("grid_worker"), key=key, rule=rule or shop.volunteer,
                                resident=resident or world.resident, quantity=hours, source_type="volunteer",
                                source_id="活动-1")


def _balance(resident) -> int:
    account = Account.objects.filter(resident=resident).first()
    return account.balance if account else 0


def _assert_consistent():
    report = ledger.verify()
    assert report.ok, report.first_bad
    assert Account.objects.aggregate(s=Sum("balance"))["s"] == 0
    for account in Account.objects.all():
        assert account.balance == (Entry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0)


def test_volunteer_hours_become_points_at_the_rule_rate(world, shop):
    # given a rule of 10 points per hour
    # when a grid worker books 2.5 hours
    award = _award(world, shop, hours="2.5")
    # then 25 points are booked from the community's issuing account, by double entry
    assert award.status == Award.Status.BOOKED and award.points == 25
    assert _balance(world.resident) == 25
    issuer = ledger.issuing_account(world.community1)
    issuer.refresh_from_db()
    assert issuer.balance == -25
    assert award.transfer.entries.count() == 2
    _assert_consistent()


def test_the_same_key_twice_books_once_and_returns_the_first_award(world, shop, counts):
    # given an award booked with a key
    first = _award(world, shop, key="same")
    before = counts()
    # when the same request arrives again
    again = _award(world, shop, key="same")
    # then nothing more is written and the first award is returned
    assert again.pk == first.pk and again.replayed is True
    assert counts() == before
    assert _balance(world.resident) == 20


def test_a_key_reused_for_a_different_request_is_refused(world, shop, counts):
    _award(world, shop, key="same", hours="2")
    before = counts()
    with refused("key_reused") as info:
        _award(world, shop, key="same", hours="3")
    assert info.value.status == 409
    assert counts() == before


def test_an_award_over_the_rules_cap_is_refused_and_nothing_booked(world, shop, counts):
    # given the patrol rule (5 points, 20 per month) used four times
    for n in range(4):
        services.award_grant(actor=world.user("grid_worker"), key=f"p{n}", rule=shop.patrol,
                             resident=world.resident, source_type="patrol")
    before = counts()
    # when a fifth patrol is awarded in the same month
    with refused("cap_exceeded"):
        services.award_grant(actor=world.user("grid_worker"), key="p5", rule=shop.patrol,
                             resident=world.resident, source_type="patrol")
    # then nothing is booked
    assert counts() == before
    assert _balance(world.resident) == 20


def test_party_rules_only_apply_to_party_members(world, shop, counts):
    before = counts()
    with refused("rule_party_only"):
        services.award_grant(actor=world.user("grid_worker"), key="x", rule=shop.party_study,
                             resident=world.resident, source_type="meeting")
    assert counts() == before
    # and a Party member must be awarded under the Party rule set
    PartyMemberFactory(resident=world.neighbour)
    with refused("rule_not_for_party_members"):
        services.award_grant(actor=world.user("grid_worker"), key="y", rule=shop.patrol,
                             resident=world.neighbour, source_type="patrol")
    award = services.award_grant(actor=world.user("grid_worker"), key="z", rule=shop.party_study,
                                 resident=world.neighbour, source_type="meeting")
    assert award.points == 8


def test_a_deduction_beyond_the_balance_is_refused_person_accounts_never_go_negative(world, shop, counts):
    before = counts()
    with refused("insufficient_points"):
        services.award_grant(actor=world.user("grid_worker"), key="d", rule=shop.litter, resident=world.resident)
    assert counts() == before
    _award(world, shop, hours="2")
    services.award_grant(actor=world.user("grid_worker"), key="d2", rule=shop.litter, resident=world.resident)
    assert _balance(world.resident) == 10
    _assert_consistent()


def test_a_mistake_is_corrected_by_a_compensating_entry_only(world, shop, counts):
    # given a booked award
    award = _award(world, shop, hours="3")
    # when staff correct it
    fix = services.award_correct(actor=world.user("community_secretary"), award=award, reason="时长登记错误")
    # then the original stays, a compensating entry brings the balance back, and it cannot be done twice
    assert Award.objects.filter(pk=award.pk, status=Award.Status.BOOKED).exists()
    assert fix.points == -30 and fix.transfer.kind == Transfer.Kind.CORRECTION
    assert _balance(world.resident) == 0
    assert Entry.objects.filter(account__resident=world.resident).count() == 2
    before = counts()
    with refused("already_corrected"):
        services.award_correct(actor=world.user("community_secretary"), award=award, reason="再次")
    assert counts() == before
    _assert_consistent()


def test_award_for_record_is_idempotent_per_source_record(world, shop, counts):
    first = services.award_for_record(source_type="patrol", source_id="PT-7", resident=world.resident,
                                      rule_code="patrol")
    before = counts()
    again = services.award_for_record(source_type="patrol", source_id="PT-7", resident=world.resident,
                                      rule_code="patrol")
    assert again.pk == first.pk and again.replayed
    assert counts() == before
    assert first.transfer.actor is None and first.source_id == "PT-7"
    with refused("rule_missing"):
        services.award_for_record(source_type="case", source_id="C1", resident=world.resident, rule_code="nope")


def test_a_claim_is_booked_only_when_approved_and_only_once(world, shop, counts):
    claim = services.award_claim(actor=world.user("resident"), key="c1", rule=shop.volunteer, quantity="1",
                                 evidence="社区义诊志愿者 5月9日")
    assert claim.status == Award.Status.PENDING and _balance(world.resident) == 0
    services.award_approve(actor=world.user("grid_worker"), award=claim)
    assert _balance(world.resident) == 10
    before = counts()
    with refused("already_decided"):
        services.award_approve(actor=world.user("grid_worker"), award=claim)
    assert counts() == before


def test_redeem_reserves_then_pickup_settles(world, shop):
    # given 30 points
    _award(world, shop, hours="3")
    # when the resident redeems two soaps
    r = services.redemption_create(actor=world.user("resident"), goods=shop.soap, quantity=2, key="r1")
    # then stock and points are reserved in the shop account
    shop.soap.refresh_from_db()
    assert shop.soap.stock == 3 and _balance(world.resident) == 10
    assert ledger.shop_account(world.community1).balance == 20
    # when staff confirm the pickup
    services.redemption_pickup(actor=world.user("grid_worker"), redemption=r)
    r.refresh_from_db()
    assert r.status == Redemption.Status.COMPLETED
    assert ledger.shop_account(world.community1).balance == 0
    assert ledger.issuing_account(world.community1).balance == -10
    _assert_consistent()


def test_cancel_refunds_points_and_restores_stock(world, shop, counts):
    _award(world, shop, hours="3")
    r = services.redemption_create(actor=world.user("resident"), goods=shop.soap, quantity=1, key="r1")
    services.redemption_cancel(actor=world.user("resident"), redemption=r, reason="不需要了")
    shop.soap.refresh_from_db()
    assert shop.soap.stock == 5 and _balance(world.resident) == 30
    before = counts()
    with refused("already_closed"):
        services.redemption_cancel(actor=world.user("resident"), redemption=r)
    with refused("already_closed"):
        services.redemption_pickup(actor=world.user("grid_worker"), redemption=r)
    assert counts() == before
    _assert_consistent()


@pytest.mark.parametrize("case", ["outside_window", "over_limit", "beyond_stock", "beyond_balance", "replay"])
def test_bad_redemptions_are_refused_and_nothing_booked(world, shop, counts, case):
    from linli.core import clock

    # given 100 points and one redemption of a soap already made
    _award(world, shop, hours="10")
    first = services.redemption_create(actor=world.user("resident"), goods=shop.soap, quantity=1, key="first")
    kwargs = {"goods": shop.soap, "quantity": 1, "key": "second"}
    if case == "outside_window":
        clock.advance(datetime.timedelta(days=60))
        code = "window_closed"
    elif case == "over_limit":
        kwargs["quantity"] = 2
        code = "limit_per_person_exceeded"
    elif case == "beyond_stock":
        kwargs.update(goods=shop.umbrella, quantity=2)
        code = "out_of_stock"
    elif case == "beyond_balance":
        services.award_grant(actor=world.user("grid_worker"), key="d1", rule=shop.litter, resident=world.resident)
        for n in range(8):
            services.award_grant(actor=world.user("grid_worker"), key=f"dd{n}", rule=shop.litter,
                                 resident=world.resident)
        kwargs["goods"] = shop.umbrella
        code = "insufficient_points"
    else:
        kwargs.update(key="first", quantity=2)
        code = "key_reused"
    before = counts()
    # when the resident tries to redeem
    with refused(code):
        services.redemption_create(actor=world.user("resident"), **kwargs)
    # then nothing is written
    assert counts() == before
    assert Redemption.objects.get(pk=first.pk).status == Redemption.Status.RESERVED
    _assert_consistent()


def test_default_window_is_the_current_half_year(world, shop):
    from linli.points.models import RedemptionWindow

    RedemptionWindow.objects.all().delete()
    window = services.window_create(actor=world.user("community_secretary"), community=world.community1)
    assert window.name == "2026年上半年兑换期"
    assert (window.opens_at.month, window.closes_at.month) == (1, 7)


def test_ledger_verify_passes_on_a_sound_ledger_and_counts_entries(world, shop):
    _award(world, shop, hours="2")
    services.redemption_create(actor=world.user("resident"), goods=shop.soap, quantity=1, key="r1")
    out = io.StringIO()
    call_command("ledger-verify", stdout=out)
    assert "已核对 4 条分录" in out.getvalue()
    assert "账本完整" in out.getvalue()


@pytest.mark.parametrize("tamper", [
    "UPDATE points_entry SET amount = amount + 100, balance_after = balance_after + 100 WHERE id = %(first)s",
    "UPDATE points_transfer SET reason = '改过的事由' WHERE id = %(transfer)s",
    "UPDATE points_account SET balance = balance + 5 WHERE id = %(account)s",
    "DELETE FROM points_entry WHERE id = %(last)s",
])
def test_ledger_verify_names_the_first_bad_entry_after_raw_sql_tampering(world, shop, tamper):
    # given a sound ledger
    _award(world, shop, hours="2", key="a")
    _award(world, shop, hours="1", key="b")
    account = Account.objects.get(resident=world.resident)
    entries = list(Entry.objects.filter(account=account).order_by("seq"))
    # when a row is changed behind the application's back
    with connection.cursor() as cursor:
        cursor.execute(tamper % {"first": entries[0].pk, "last": entries[-1].pk,
                                 "transfer": entries[0].transfer_id, "account": account.pk})
    # then verification fails with exit status 1 and names what is wrong
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("ledger-verify", stdout=out)
    assert exc.value.returncode == 1
    assert "第一处错误" in str(exc.value)
    assert "已核对" in out.getvalue()
    if "points_entry SET" in tamper:
        assert f"分录 #{entries[0].pk}（" in str(exc.value)
    if "points_transfer" in tamper:
        # Both sides of the transfer break; the issuer's side comes first (lower account id).
        first_side = Entry.objects.filter(transfer_id=entries[0].transfer_id).order_by("account_id").first()
        assert f"分录 #{first_side.pk}（" in str(exc.value)
