"""Every write of the points domain. Each is atomic, audited, and books money-like points through
`ledger.post` only. Refusals raise `Refused` (a Chinese message) before anything is written.

Idempotency: awards and redemptions carry the client's key (unique). Sending the same key again
returns the first record with `replayed = True` and books nothing; the same key with different
content is refused (code `key_reused`, 409).

Other domains award points for their completed records through `award_for_record(...)`.
"""

import datetime as dt
import secrets
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from linli.accounts.scope import can_edit
from linli.core import audit, clock
from linli.core import services as core_services
from linli.core.access import require
from linli.core.errors import KEY_REUSED, Forbidden, NotFound, Refused
from linli.core.scoping import scope_for, visible
from linli.people.models import PartyMember, Resident
from linli.places.models import AdminUnit
from linli.points import ledger
from linli.points.models import (
    Account,
    Audience,
    Award,
    Goods,
    Period,
    PointRule,
    Redemption,
    RedemptionWindow,
    Transfer,
)

NOT_EDITOR = "您的角色只能查看，不能办理积分业务。"
MAX_HOURS = Decimal("24")


def _key_reused() -> Refused:
    return Refused(KEY_REUSED, "该请求编号已用于另一笔不同的业务，本次未办理。", status=409)


# --- helpers ------------------------------------------------------------------------------------

def _clean_key(key) -> str:
    key = str(key or "").strip()
    if not key or len(key) > 64:
        raise Refused("key_missing", "缺少请求编号（幂等键，1–64 个字符），本次未办理。")
    return key


def acting_resident(actor) -> Resident:
    """The resident record of a resident user; staff without one are refused."""
    scope = scope_for(actor)
    if not scope.resident_ids:
        raise Forbidden("只有登记的居民本人可以办理此项。")
    # The household's place up to the community in the same query: the shop and the rules need it.
    return Resident.objects.select_related("household__dwelling__entrance__building__compound__community").get(
        pk=scope.resident_ids[0])


def community_of_resident(resident) -> AdminUnit:
    return ledger.community_of_household(resident.household)


def require_community_manager(actor, community) -> None:
    """Rules, goods and windows are set by editors whose jurisdiction covers the whole community."""
    require(can_edit(actor), NOT_EDITOR)
    scope = scope_for(actor)
    ok = scope.covers_unit(community.code)
    require(ok, "只有社区及以上的工作人员可以设置积分规则、商品和兑换期。")


def is_party_member(resident) -> bool:
    return PartyMember.objects.filter(resident_id=resident.pk).exists()


def period_bounds(period: str, at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = timezone.localtime(at)
    year, month = local.year, local.month
    first = {Period.MONTH: month, Period.QUARTER: (month - 1) // 3 * 3 + 1,
             Period.HALF_YEAR: 1 if month <= 6 else 7, Period.YEAR: 1}[Period(period)]
    span = {Period.MONTH: 1, Period.QUARTER: 3, Period.HALF_YEAR: 6, Period.YEAR: 12}[Period(period)]
    start = timezone.make_aware(dt.datetime(year, first, 1))
    end_month = first + span
    end = timezone.make_aware(dt.datetime(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1))
    return start, end


def points_for(rule: PointRule, quantity) -> tuple[Decimal, int]:
    try:
        quantity = Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        raise Refused("quantity_invalid", "数量格式不正确。") from None
    if rule.unit == PointRule.Unit.HOUR:
        if quantity <= 0 or quantity > MAX_HOURS:
            raise Refused("hours_out_of_range", "服务时长须大于 0 且不超过 24 小时。")
        if quantity != quantity.quantize(Decimal("0.5")):
            raise Refused("hours_not_half_hour", "服务时长以半小时为单位，如 1.5。")
        points = int((quantity * rule.points).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    else:
        if quantity != quantity.to_integral_value() or not 1 <= quantity <= 100:
            raise Refused("count_out_of_range", "次数须为 1–100 的整数。")
        points = int(quantity) * rule.points
    if points == 0:
        raise Refused("zero_points", "折算后积分为 0，未记分。")
    return quantity, points


# --- rules --------------------------------------------------------------------------------------

RULE_FIELDS = ("audience", "category", "code", "name", "points", "unit", "evidence", "period", "cap", "active")


def rule_create(*, actor, community, data: dict) -> PointRule:
    require_community_manager(actor, community)
    values = {k: v for k, v in data.items() if k in RULE_FIELDS}
    return core_services.create(actor=actor, model=PointRule, data={"community": community, **values})


def rule_update(*, actor, rule: PointRule, data: dict) -> PointRule:
    require_community_manager(actor, rule.community)
    # Points already booked keep the value they were booked with; changing a rule affects new awards only.
    values = {k: v for k, v in data.items() if k in RULE_FIELDS and k != "code"}
    return core_services.update(actor=actor, instance=rule, data=values)


# --- awards -------------------------------------------------------------------------------------

def _check_rule_fits(rule: PointRule, resident, household) -> None:
    community = ledger.community_of_household(household)
    if rule.community_id != community.pk:
        raise Refused("rule_other_community", "该规则不属于此居民所在社区。")
    if not rule.active:
        raise Refused("rule_inactive", "该规则已停用。")
    party = resident is not None and is_party_member(resident)
    if rule.audience == Audience.PARTY and not party:
        raise Refused("rule_party_only", "该规则属于党员积分规则，此居民不是党员。")
    if rule.audience == Audience.RESIDENT and party:
        raise Refused("rule_not_for_party_members", "此居民是党员，请使用党员积分规则。")


def _same_request(award: Award, *, rule, resident, household, quantity) -> bool:
    return (award.rule_id == rule.pk and award.resident_id == getattr(resident, "pk", None)
            and award.household_id == household.pk and Decimal(award.quantity) == Decimal(quantity))


def _replayed(obj):
    obj.replayed = True
    return obj


def _book_award(award: Award, *, actor) -> None:
    """Book an award's points under locks on the issuer and the target account, within its rule's cap."""
    rule = award.rule
    issuer = ledger.issuing_account(rule.community)
    target = (ledger.resident_account(award.resident) if award.resident_id
              else ledger.household_account(award.household))
    locked = ledger.lock_accounts(issuer.pk, target.pk)
    if rule.cap:
        # Checked after the target account is locked, so two awards for one person cannot both slip in.
        start, end = period_bounds(rule.period, clock.now())
        same_target = {"resident_id": award.resident_id} if award.resident_id else {
            "resident__isnull": True, "household_id": award.household_id}
        so_far = (Award.objects.filter(rule=rule, status=Award.Status.BOOKED, decided_at__gte=start,
                                       decided_at__lt=end, **same_target)
                  .exclude(pk=award.pk).aggregate(s=Sum("points"))["s"] or 0)
        if abs(so_far + award.points) > rule.cap:
            raise Refused("cap_exceeded", f"超过“{rule.name}”的{rule.get_period_display()}上限：上限 {rule.cap} 分，"
                          f"本期已记 {abs(so_far)} 分，本次 {abs(award.points)} 分。")
    who = award.resident.name if award.resident_id else f"{award.household}户"
    reason = f"{rule.get_category_display()}·{rule.name}（{award.source_label}"
    reason += f" {award.source_id}）" if award.source_id else "）"
    if award.points > 0:
        transfer = ledger.post(key=f"award:{award.key}", source=issuer, target=target, amount=award.points,
                               kind=Transfer.Kind.AWARD, reason=reason, actor=actor, locked=locked)
    else:
        transfer = ledger.post(key=f"award:{award.key}", source=target, target=issuer, amount=-award.points,
                               kind=Transfer.Kind.DEDUCTION, reason=reason, actor=actor, locked=locked)
    award.transfer = transfer
    award.status = Award.Status.BOOKED
    award.decided_by = actor if getattr(actor, "pk", None) else None
    award.decided_at = clock.now()
    award.save()
    audit.record(actor=actor, action="points.award_book", obj=award,
                 changes={"points": [None, award.points], "to": [None, who], "rule": [None, rule.code]})


def _award_new(*, actor, key, rule, resident, household, quantity, source_type, source_id, evidence, book: bool):
    key = _clean_key(key)
    if household is None:
        household = resident.household
    quantity, points = points_for(rule, quantity)
    _check_rule_fits(rule, resident, household)
    if source_type not in Award.Source.values:
        raise Refused("source_type_invalid", "来源类型不正确。")
    existing = Award.objects.filter(key=key).first()
    if existing is not None:
        if not _same_request(existing, rule=rule, resident=resident, household=household, quantity=quantity):
            raise _key_reused()
        return _replayed(existing)
    try:
        with transaction.atomic():
            award = Award.objects.create(
                key=key, rule=rule, resident=resident, household=household, quantity=quantity, points=points,
                source_type=source_type, source_id=str(source_id or "")[:64], evidence=(evidence or "")[:300],
                requested_by=actor if getattr(actor, "pk", None) else None,
            )
            audit.record(actor=actor, action="points.award_create", obj=award,
                         changes={"points": [None, points], "status": [None, award.status]})
            if book:
                _book_award(award, actor=actor)
    except IntegrityError:
        existing = Award.objects.filter(key=key).first()
        if existing is None:
            raise
        if not _same_request(existing, rule=rule, resident=resident, household=household, quantity=quantity):
            raise _key_reused() from None
        return _replayed(existing)
    award.replayed = False
    return award


def award_grant(*, actor, key, rule, resident=None, household=None, quantity=1, source_type="other",
                source_id="", evidence="") -> Award:
    """Staff record a verified activity and book it at once (volunteer hours go through an hour rule)."""
    require(can_edit(actor), NOT_EDITOR)
    if resident is None and household is None:
        raise Refused("recipient_missing", "请选择居民或家庭。")
    scope = scope_for(actor)
    target = resident if resident is not None else household
    if not visible(type(target).objects.filter(pk=target.pk), scope).exists():
        raise NotFound()
    require(not (resident is not None and resident.pk in scope.resident_ids and not scope.everything),
            "不能给本人记分。")
    return _award_new(actor=actor, key=key, rule=rule, resident=resident, household=household, quantity=quantity,
                      source_type=source_type, source_id=source_id, evidence=evidence, book=True)


def award_claim(*, actor, key, rule, quantity=1, source_type="volunteer", source_id="", evidence="") -> Award:
    """A resident reports an activity with its evidence; staff approve it before any point is booked."""
    resident = acting_resident(actor)
    if rule.points < 0:
        raise Refused("deduction_not_claimable", "扣分项不能由居民申报。")
    if not evidence.strip():
        raise Refused("evidence_missing", f"请填写凭证说明（{rule.evidence or '如活动名称、时间、组织人'}）。")
    return _award_new(actor=actor, key=key, rule=rule, resident=resident, household=None, quantity=quantity,
                      source_type=source_type, source_id=source_id, evidence=evidence, book=False)


def award_approve(*, actor, award: Award, note: str = "") -> Award:
    require(can_edit(actor), NOT_EDITOR)
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        if locked.status != Award.Status.PENDING:
            raise Refused("already_decided", f"该申报已审核（{locked.get_status_display()}），未重复记分。", status=409)
        locked.decision_note = note[:200]
        _book_award(locked, actor=actor)
    return locked


def award_reject(*, actor, award: Award, note: str) -> Award:
    require(can_edit(actor), NOT_EDITOR)
    if not (note or "").strip():
        raise Refused("reason_missing", "请填写不通过的理由。")
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        if locked.status != Award.Status.PENDING:
            raise Refused("already_decided", f"该申报已审核（{locked.get_status_display()}）。", status=409)
        return core_services.update(actor=actor, instance=locked, action="points.award_reject", data={
            "status": Award.Status.REJECTED, "decided_by": actor, "decided_at": clock.now(),
            "decision_note": note[:200]})


def award_correct(*, actor, award: Award, reason: str) -> Award:
    """Undo a booked award with a compensating entry; the original stays in the ledger."""
    require(can_edit(actor), NOT_EDITOR)
    if not (reason or "").strip():
        raise Refused("reason_missing", "请填写更正原因。")
    if award.status != Award.Status.BOOKED or award.corrects_id:
        raise Refused("not_correctable", "只能更正已记分的原始记录。")
    if Award.objects.filter(corrects=award).exists():
        raise Refused("already_corrected", "该记录已更正过，未重复冲销。", status=409)
    try:
        with transaction.atomic():
            original = Award.objects.select_for_update().get(pk=award.pk)
            fix = Award.objects.create(
                key=f"fix:{original.pk}", rule=original.rule, resident=original.resident,
                household=original.household, quantity=-original.quantity, points=-original.points,
                source_type=original.source_type, source_id=original.source_id, evidence=reason[:300],
                requested_by=actor, corrects=original, status=Award.Status.BOOKED, decided_by=actor,
                decided_at=clock.now(),
            )
            issuer = ledger.issuing_account(original.rule.community)
            target = ledger.resident_account(original.resident) if original.resident_id else \
                ledger.household_account(original.household)
            text = f"更正冲销：{original.rule.name}（原记录 #{original.pk}）：{reason}"
            if original.points > 0:
                transfer = ledger.post(key=f"fix:{original.pk}", source=target, target=issuer,
                                       amount=original.points, kind=Transfer.Kind.CORRECTION, reason=text, actor=actor)
            else:
                transfer = ledger.post(key=f"fix:{original.pk}", source=issuer, target=target,
                                       amount=-original.points, kind=Transfer.Kind.CORRECTION, reason=text, actor=actor)
            fix.transfer = transfer
            fix.save(update_fields=["transfer"])
            audit.record(actor=actor, action="points.award_correct", obj=original,
                         changes={"correction": [None, fix.pk], "reason": [None, reason[:200]]})
    except IntegrityError:
        raise Refused("already_corrected", "该记录已更正过，未重复冲销。", status=409) from None
    return fix


def award_for_record(*, source_type: str, source_id, resident, rule_code: str, quantity=1, actor=None,
                     key: str | None = None) -> Award:
    """Points for a completed record of another domain (a patrol, a mediation, a solved case…).

    The calling domain has verified the record; this books it at once under the resident's
    community rule with that code (the Party-member rule set for Party members). Calling it again
    for the same record books nothing and returns the first award. Over the rule's cap, or with no
    such rule, it raises `Refused`.
    """
    household = resident.household
    community = ledger.community_of_household(household)
    audience = Audience.PARTY if is_party_member(resident) else Audience.RESIDENT
    rule = PointRule.objects.filter(community=community, audience=audience, code=rule_code, active=True).first()
    if rule is None:
        raise Refused("rule_missing", f"{community}没有适用于{Audience(audience).label}的启用规则“{rule_code}”。")
    key = key or f"{source_type}:{source_id}:r{resident.pk}:{rule_code}"[:64]
    return _award_new(actor=actor, key=key, rule=rule, resident=resident, household=None, quantity=quantity,
                      source_type=source_type if source_type in Award.Source.values else Award.Source.OTHER,
                      source_id=source_id, evidence="系统按已办结记录自动记分", book=True)


# --- goods and windows --------------------------------------------------------------------------

GOODS_FIELDS = ("name", "kind", "description", "price", "stock", "limit_per_person", "active")


def goods_create(*, actor, community, data: dict) -> Goods:
    require_community_manager(actor, community)
    values = {k: v for k, v in data.items() if k in GOODS_FIELDS}
    return core_services.create(actor=actor, model=Goods, data={"community": community, **values})


def goods_update(*, actor, goods: Goods, data: dict) -> Goods:
    """Edit goods; stock is changed under the row lock so it cannot race a redemption."""
    require_community_manager(actor, goods.community)
    values = {k: v for k, v in data.items() if k in GOODS_FIELDS}
    with transaction.atomic():
        locked = Goods.objects.select_for_update().get(pk=goods.pk)
        return core_services.update(actor=actor, instance=locked, data=values)


def default_window_bounds(at: dt.datetime) -> tuple[dt.datetime, dt.datetime, str]:
    start, end = period_bounds(Period.HALF_YEAR, at)
    half = "上半年" if start.month == 1 else "下半年"
    return start, end, f"{start.year}年{half}兑换期"


def window_create(*, actor, community, name: str = "", opens_at=None, closes_at=None, pickup_place: str = "",
                  pickup_hours: str = "") -> RedemptionWindow:
    """A redemption window; without dates, the current half year (redemption opens every half year)."""
    require_community_manager(actor, community)
    if opens_at is None and closes_at is None:
        opens_at, closes_at, default_name = default_window_bounds(clock.now())
        name = name or default_name
    if opens_at is None or closes_at is None or closes_at <= opens_at:
        raise Refused("window_invalid", "请填写兑换期的开始和结束时间，结束须晚于开始。")
    overlap = RedemptionWindow.objects.filter(community=community, opens_at__lt=closes_at, closes_at__gt=opens_at)
    if overlap.exists():
        raise Refused("window_overlap", f"与已有兑换期“{overlap.first()}”时间重叠。")
    return core_services.create(actor=actor, model=RedemptionWindow, data={
        "community": community, "name": name or f"{timezone.localtime(opens_at):%Y年%m月}兑换期",
        "opens_at": opens_at, "closes_at": closes_at, "pickup_place": pickup_place.strip(),
        "pickup_hours": pickup_hours.strip()})


def open_window(community, at=None) -> RedemptionWindow | None:
    at = at or clock.now()
    return RedemptionWindow.objects.filter(community=community, opens_at__lte=at, closes_at__gt=at).first()


# --- redemptions --------------------------------------------------------------------------------

def _same_redemption(r: Redemption, goods, resident, quantity) -> bool:
    return r.goods_id == goods.pk and r.resident_id == resident.pk and r.quantity == quantity


def redemption_create(*, actor, goods: Goods, quantity: int = 1, key) -> Redemption:
    """Reserve stock and points: the points move to the community's shop account until pickup."""
    key = _clean_key(key)
    resident = acting_resident(actor)
    community = community_of_resident(resident)
    if goods.community_id != community.pk:
        raise NotFound()
    if not isinstance(quantity, int) or quantity < 1:
        raise Refused("quantity_invalid", "兑换数量须为正整数。")
    existing = Redemption.objects.filter(key=key).first()
    if existing is not None:
        if not _same_redemption(existing, goods, resident, quantity):
            raise _key_reused()
        return _replayed(existing)
    if connection.vendor == "postgresql":
        account, shop = ledger.redemption_accounts(resident, community)
        return _redeem_pg(actor=actor, goods=goods, quantity=quantity, key=key, resident=resident,
                          community=community, account=account, shop=shop)
    account = ledger.resident_account(resident)
    shop = ledger.shop_account(community)
    try:
        with transaction.atomic():
            item = Goods.objects.select_for_update().get(pk=goods.pk)
            # A concurrent duplicate that got the lock first has committed by now: answer with it.
            existing = Redemption.objects.filter(key=key).first()
            if existing is not None:
                if not _same_redemption(existing, goods, resident, quantity):
                    raise _key_reused()
                return _replayed(existing)
            if not item.active:
                raise Refused("goods_inactive", f"“{item.name}”已下架。")
            window = open_window(community)
            if window is None:
                upcoming = (RedemptionWindow.objects.filter(community=community, opens_at__gt=clock.now())
                            .order_by("opens_at").first())
                hint = f"下一期：{timezone.localtime(upcoming.opens_at):%Y-%m-%d} 开始。" if upcoming else "请留意社区通知。"
                raise Refused("window_closed", f"现在不在积分兑换期内，暂不能兑换。{hint}")
            if item.stock < quantity:
                raise Refused("out_of_stock", f"“{item.name}”库存不足：剩余 {item.stock} 件。")
            taken = (Redemption.objects.filter(goods=item, resident=resident, window=window)
                     .exclude(status=Redemption.Status.CANCELLED).aggregate(s=Sum("quantity"))["s"] or 0)
            if taken + quantity > item.limit_per_person:
                raise Refused("limit_per_person_exceeded", f"超过每人限兑数量：本期每人限兑 {item.limit_per_person} 件，您已兑换 {taken} 件。")
            cost = item.price * quantity
            transfer = ledger.post(key=f"redeem:{key}", source=account, target=shop, amount=cost,
                                   kind=Transfer.Kind.RESERVE, reason=f"积分超市兑换：{item.name}×{quantity}",
                                   actor=actor)
            item.stock -= quantity
            item.save(update_fields=["stock"])
            redemption = Redemption.objects.create(key=key, goods=item, window=window, resident=resident,
                                                   quantity=quantity, points=cost, reserve_transfer=transfer,
                                                   pickup_code=new_pickup_code())
            audit.record(actor=actor, action="points.redeem", obj=redemption,
                         changes={"points": [None, cost], "stock": [item.stock + quantity, item.stock]})
    except IntegrityError:
        existing = Redemption.objects.filter(key=key).first()
        if existing is None:
            raise
        if not _same_redemption(existing, goods, resident, quantity):
            raise _key_reused() from None
        return _replayed(existing)
    redemption.replayed = False
    return redemption


def _window_refusal(community) -> Refused:
    upcoming = (RedemptionWindow.objects.filter(community=community, opens_at__gt=clock.now())
                .order_by("opens_at").first())
    hint = f"下一期：{timezone.localtime(upcoming.opens_at):%Y-%m-%d} 开始。" if upcoming else "请留意社区通知。"
    return Refused("window_closed", f"现在不在积分兑换期内，暂不能兑换。{hint}")


# Takes the goods row's lock only when the item can be sold: on the shelf and enough in stock.
_TAKE_STOCK_SQL = ("UPDATE points_goods SET stock = stock - %(quantity)s WHERE id = %(goods)s AND active "
                   "AND stock >= %(quantity)s RETURNING name, price, stock, limit_per_person")

# Then the two accounts, in ascending id order like every other writer, and what this resident has
# already taken of the item in the window (read after the goods lock, so no other redemption of it
# can be in flight).
_LOCK_ACCOUNTS_SQL = """
SELECT a.id, a.kind, a.balance, a.last_seq, a.last_hash,
       (SELECT COALESCE(sum(r.quantity), 0) FROM points_redemption r
         WHERE r.goods_id = %(goods)s AND r.resident_id = %(resident)s AND r.window_id = %(window)s
           AND r.status <> %(cancelled)s)
  FROM points_account a WHERE a.id IN (%(source)s, %(target)s) ORDER BY a.id FOR UPDATE OF a
"""

# The transfer, its two entries, the accounts' new balances, the redemption and its audit entry.
_BOOK_SQL = """
WITH t AS (
    INSERT INTO points_transfer (key, kind, source_id, target_id, amount, reason, actor_id, at)
    VALUES (%(t_key)s, %(t_kind)s, %(source)s, %(target)s, %(amount)s, %(reason)s, %(actor)s, %(at)s)
    RETURNING id),
e AS (
    INSERT INTO points_entry (account_id, transfer_id, seq, amount, balance_after, at, prev_hash, hash)
    SELECT v.account_id, t.id, v.seq, v.amount, v.balance_after, %(at)s, v.prev_hash, v.hash
      FROM t, (VALUES (%(e1_account)s::bigint, %(e1_seq)s::int, %(e1_amount)s::bigint, %(e1_balance)s::bigint,
                       %(e1_prev)s::text, %(e1_hash)s::text),
                      (%(e2_account)s, %(e2_seq)s, %(e2_amount)s, %(e2_balance)s, %(e2_prev)s, %(e2_hash)s))
           AS v(account_id, seq, amount, balance_after, prev_hash, hash)),
a AS (
    UPDATE points_account SET balance = v.balance, last_seq = v.seq, last_hash = v.hash
      FROM (VALUES (%(e1_account)s::bigint, %(e1_balance)s::bigint, %(e1_seq)s::int, %(e1_hash)s::text),
                   (%(e2_account)s, %(e2_balance)s, %(e2_seq)s, %(e2_hash)s)) AS v(id, balance, seq, hash)
     WHERE points_account.id = v.id),
r AS (
    INSERT INTO points_redemption (key, goods_id, window_id, resident_id, quantity, points, status,
                                   reserve_transfer_id, close_transfer_id, created_at, closed_at, closed_by_id,
                                   cancel_reason, pickup_code)
    SELECT %(key)s, %(goods)s, %(window)s, %(resident)s, %(quantity)s, %(amount)s, %(status)s, t.id, NULL,
           %(at)s, NULL, NULL, '', %(pickup_code)s FROM t
    RETURNING id, reserve_transfer_id),
au AS (
    INSERT INTO core_auditentry (at, actor_id, actor_repr, action, object_type, object_id, object_repr, changes,
                                 channel)
    SELECT %(at)s, %(actor)s, %(actor_repr)s, 'points.redeem', %(object_type)s, r.id::text, %(object_repr)s,
           %(changes)s::jsonb, %(channel)s FROM r)
SELECT r.id, r.reserve_transfer_id FROM r
"""


def _book(cursor, params: dict) -> tuple[int, int]:
    """Run `_BOOK_SQL`; returns the ids of the redemption and of its transfer."""
    cursor.execute(_BOOK_SQL, params)
    return cursor.fetchone()


def _redeem_pg(*, actor, goods, quantity, key, resident, community, account, shop) -> Redemption:
    """`redemption_create` on PostgreSQL: three statements and the commit while the item is locked.

    The same checks, ledger entries and records as the portable path, in fewer round trips: a
    conditional UPDATE takes the stock (and the item's lock), one SELECT locks both accounts and
    sums what the resident already took, and one statement writes the transfer, both chained
    entries, the balances, the redemption and its audit entry. A duplicate key sent concurrently
    fails on the unique keys and is answered with the first redemption.
    """
    import json

    window = open_window(community)  # the windows are set ahead by staff; read before taking locks
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_TAKE_STOCK_SQL, {"quantity": quantity, "goods": goods.pk})
            row = cursor.fetchone()
            if row is None or window is None:
                item = Goods.objects.get(pk=goods.pk)
                if not item.active:
                    raise Refused("goods_inactive", f"“{item.name}”已下架。")
                if window is None:
                    raise _window_refusal(community)
                raise Refused("out_of_stock", f"“{item.name}”库存不足：剩余 {item.stock} 件。")
            name, price, stock, limit = row
            cursor.execute(_LOCK_ACCOUNTS_SQL, {"goods": goods.pk, "resident": resident.pk, "window": window.pk,
                                                "cancelled": Redemption.Status.CANCELLED,
                                                "source": account.pk, "target": shop.pk})
            locked, taken = {}, 0
            for pk, kind, balance, last_seq, last_hash, already in cursor.fetchall():
                locked[pk] = Account(pk=pk, kind=kind, balance=balance, last_seq=last_seq, last_hash=last_hash)
                taken = already
            if taken + quantity > limit:
                raise Refused("limit_per_person_exceeded",
                              f"超过每人限兑数量：本期每人限兑 {limit} 件，您已兑换 {taken} 件。")
            cost = price * quantity
            if locked[account.pk].balance < cost:
                raise Refused("insufficient_points",
                              f"积分余额不足：需要 {cost} 分，当前余额 {locked[account.pk].balance} 分。")
            at = clock.now()
            transfer = Transfer(key=f"redeem:{key}", kind=Transfer.Kind.RESERVE, source_id=account.pk,
                                target_id=shop.pk, amount=cost, reason=f"积分超市兑换：{name}×{quantity}"[:300],
                                actor=actor if getattr(actor, "pk", None) else None, at=at)
            (_, e1), (_, e2) = ledger.entries_for(transfer, locked, at)
            item = goods  # as the caller read it, with what the locked row says now
            item.name, item.price, item.stock, item.limit_per_person, item.active = name, price, stock, limit, True
            redemption = Redemption(key=key, goods=item, window=window, resident=resident, quantity=quantity,
                                    points=cost, status=Redemption.Status.RESERVED, created_at=at,
                                    pickup_code=new_pickup_code())
            entry = audit.entry(actor=actor, action="points.redeem", obj=redemption, object_id="-",
                                changes={"points": [None, cost], "stock": [stock + quantity, stock]})
            redemption.pk, transfer.pk = _book(cursor, {
                "t_key": transfer.key, "t_kind": transfer.kind, "source": account.pk, "target": shop.pk,
                "amount": cost, "reason": transfer.reason, "actor": transfer.actor_id, "at": at,
                **{f"{p}_{name}": value for p, e in (("e1", e1), ("e2", e2)) for name, value in (
                    ("account", e.account_id), ("seq", e.seq), ("amount", e.amount), ("balance", e.balance_after),
                    ("prev", e.prev_hash), ("hash", e.hash))},
                "key": key, "goods": goods.pk, "window": window.pk, "resident": resident.pk, "quantity": quantity,
                "status": redemption.status, "pickup_code": redemption.pickup_code,
                "actor_repr": entry.actor_repr, "object_type": entry.object_type, "object_repr": entry.object_repr,
                "changes": json.dumps(entry.changes), "channel": entry.channel,
            })
            redemption.reserve_transfer = transfer
            redemption._state.adding, transfer._state.adding = False, False
            redemption._state.db = transfer._state.db = connection.alias
    except IntegrityError:
        existing = Redemption.objects.filter(key=key).first()
        if existing is None:
            raise
        if not _same_redemption(existing, goods, resident, quantity):
            raise _key_reused() from None
        return _replayed(existing)
    redemption.replayed = False
    return redemption


def new_pickup_code() -> str:
    return f"{secrets.randbelow(10 ** 6):06d}"


def redemption_pickup(*, actor, redemption: Redemption, code: str | None = None) -> Redemption:
    """Staff hand over the item: the reserved points are settled back to the community issuer.

    With `code` (the station's page always sends it) the resident's pickup code must match.
    """
    require(can_edit(actor), NOT_EDITOR)
    with transaction.atomic():
        r = Redemption.objects.select_for_update().select_related("goods").get(pk=redemption.pk)
        if r.status != Redemption.Status.RESERVED:
            raise Refused("already_closed", f"该兑换已办结（{r.get_status_display()}），未重复办理。", status=409)
        if code is not None and r.pickup_code and code.strip() != r.pickup_code:
            raise Refused("wrong_pickup_code", "领取码不正确，请核对居民出示的 6 位领取码。")
        community = r.goods.community
        r.close_transfer = ledger.post(
            key=f"settle:{r.pk}", source=ledger.shop_account(community), target=ledger.issuing_account(community),
            amount=r.points, kind=Transfer.Kind.SETTLE, reason=f"积分超市领取核销：{r.goods.name}×{r.quantity}",
            actor=actor)
        r.status, r.closed_at, r.closed_by = Redemption.Status.COMPLETED, clock.now(), actor
        r.save()
        audit.record(actor=actor, action="points.pickup", obj=r, changes={"status": ["reserved", "completed"]})
    return r


def redemption_cancel(*, actor, redemption: Redemption, reason: str = "") -> Redemption:
    """Cancel before pickup: stock goes back on the shelf and the points back to the resident."""
    scope = scope_for(actor)
    own = redemption.resident_id in scope.resident_ids
    require(own or can_edit(actor), NOT_EDITOR)
    with transaction.atomic():
        item = Goods.objects.select_for_update().get(pk=redemption.goods_id)
        r = Redemption.objects.select_for_update().select_related("resident__household").get(pk=redemption.pk)
        if r.status != Redemption.Status.RESERVED:
            raise Refused("already_closed", f"该兑换已办结（{r.get_status_display()}），不能取消。", status=409)
        r.close_transfer = ledger.post(
            key=f"refund:{r.pk}", source=ledger.shop_account(item.community), target=ledger.resident_account(r.resident),
            amount=r.points, kind=Transfer.Kind.REFUND,
            reason=f"取消兑换退还积分：{item.name}×{r.quantity}" + (f"（{reason[:100]}）" if reason else ""),
            actor=actor)
        item.stock += r.quantity
        item.save(update_fields=["stock"])
        r.status, r.closed_at, r.closed_by = Redemption.Status.CANCELLED, clock.now(), actor
        r.cancel_reason = (reason or ("本人取消" if own else "工作人员取消"))[:200]
        r.save()
        audit.record(actor=actor, action="points.redeem_cancel", obj=r,
                     changes={"status": ["reserved", "cancelled"], "stock": [item.stock - r.quantity, item.stock]})
    return r


def accounts_of(resident) -> tuple[Account | None, Account | None]:
    return (Account.objects.filter(resident=resident).first(),
            Account.objects.filter(household_id=resident.household_id).first())
