"""Every write of the property domain: atomic, audited, refused with a Chinese reason before anything is booked.

Trust accounts are money: a posted entry is never changed (only reversed by a new entry), the account
row is locked (`select_for_update`) while a line is numbered and booked or a month is closed, and
amounts are `Decimal` with two places.
"""

import datetime as dt
import hashlib
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse

from linli.accounts.models import EDITOR_ROLES, Role
from linli.accounts.scope import can_edit
from linli.core import audit, clock
from linli.core import services as core_services
from linli.core.access import require
from linli.core.errors import NotFound, Refused
from linli.core.scoping import scope_for, visible
from linli.orgs.models import PartyOrg, PropertyService
from linli.people.models import Resident
from linli.places.models import AdminUnit, Compound
from linli.property.models import (
    AreaContract,
    Assessment,
    Budget,
    CommonResource,
    Disbursement,
    Entry,
    FundKind,
    Grant,
    MonthClose,
    RatingCriterion,
    RatingScheme,
    RevenueContract,
    Statement,
    SurveyResponse,
    TrustAccount,
    month_label,
    month_start,
    next_month,
)
from linli.stations.models import Station

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")
MAX_INVOICE_BYTES = 10 * 1024 * 1024
# Scanned invoices are recognised by their first bytes, whatever the file is called.
INVOICE_SIGNATURES = ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))

# Who books in a trust account: registry editors, and the two other carriages of the compound.
BOOKER_ROLES = EDITOR_ROLES | {Role.PROPERTY_STAFF.value, Role.COMMITTEE_MEMBER.value}
# The street's review and the funding decisions belong to street and district offices.
REVIEW_ROLES = frozenset({Role.STREET_OFFICER.value, Role.DISTRICT_OFFICER.value, Role.ADMIN.value})
FUNDING_ROLES = REVIEW_ROLES | {Role.COMMUNITY_SECRETARY.value}

NOT_BOOKER = "您的角色只能查看共管账户，不能记账或结账。"
NOT_EDITOR = "您的角色只能查看，不能修改物业登记信息。"
NOT_REVIEWER = "星级评审由街道及以上工作人员办理。"
NOT_FUNDER = "经费预算与下达由社区书记、街道及以上工作人员办理。"

STATION_AWARD = Decimal("100000.00")
# Yearly Party-building funds per compound branch by the population it serves: (below, yuan).
POPULATION_BANDS = ((300, Decimal("2000.00")), (1000, Decimal("3000.00")), (2000, Decimal("4000.00")),
                    (3000, Decimal("5000.00")))
TOP_BAND = Decimal("6000.00")


# --- helpers ---------------------------------------------------------------------------------------

def money(value, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A positive amount in yuan with at most two decimals (floats are refused: they are not exact)."""
    if isinstance(value, float):
        raise Refused("amount_float", "金额须以文本或定点数传入，不能使用浮点数。", field=field)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Refused("amount_invalid", "金额格式不正确。", field=field) from None
    if not amount.is_finite():
        raise Refused("amount_precision", "金额最多保留两位小数。", field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise Refused("amount_not_positive", "金额必须大于零。", field=field)
    # Before rounding: an amount like 1e30 has more digits than Decimal's context and cannot be rounded.
    if amount > MAX_AMOUNT:
        raise Refused("amount_too_large", "金额过大。", field=field)
    if amount != amount.quantize(CENT):
        raise Refused("amount_precision", "金额最多保留两位小数。", field=field)
    return amount.quantize(CENT)


def may_book(actor) -> bool:
    scope = scope_for(actor)
    return scope.is_staff_scope and bool(scope.roles & BOOKER_ROLES)


def is_reviewer(actor) -> bool:
    scope = scope_for(actor)
    return scope.everything or bool(scope.roles & REVIEW_ROLES)


def is_funder(actor) -> bool:
    scope = scope_for(actor)
    return scope.everything or bool(scope.roles & FUNDING_ROLES)


def _visible_compound(actor, compound) -> Compound:
    if compound is None or not visible(Compound.objects.filter(pk=getattr(compound, "pk", compound)),
                                       scope_for(actor).work_area()).exists():
        raise NotFound()
    return compound


def current_services(day: dt.date):
    return PropertyService.objects.filter(Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day)))


def check_invoice(upload) -> str:
    """Validate a scanned invoice (PDF/JPEG/PNG by content, ≤ 10 MB); rename it by its digest."""
    if upload is None:
        raise Refused("invoice_missing", "支出须上传发票扫描件（PDF、JPEG 或 PNG），本次未记账。", field="invoice")
    if upload.size > MAX_INVOICE_BYTES:
        raise Refused("invoice_too_large", "发票扫描件不能超过 10 MB，本次未记账。", field="invoice")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    ext = next((e for magic, e in INVOICE_SIGNATURES if head.startswith(magic)), None)
    if ext is None:
        raise Refused("invoice_type", "发票扫描件须为 PDF、JPEG 或 PNG 文件，本次未记账。", field="invoice")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    sha = digest.hexdigest()
    # The client's file name is never used on disk.
    upload.name = f"{sha[:24]}.{ext}"
    return sha


# --- area-wide property -------------------------------------------------------------------------------

@transaction.atomic
def area_contract_create(*, actor, name: str, compounds, start: dt.date, company=None, provider_name: str = "",
                         end: dt.date | None = None, fee_rate=None) -> AreaContract:
    """Neighbouring compounds (same street) under one contract; each gets an area-wide service from `start`."""
    require(can_edit(actor), NOT_EDITOR)
    ids = sorted({getattr(c, "pk", c) for c in compounds})
    found = list(visible(Compound.objects.filter(pk__in=ids), scope_for(actor).work_area()).select_related("community"))
    if len(found) != len(ids):
        raise NotFound()
    if len(found) < 2:
        raise Refused("area_too_small", "片区大物业至少包括两个相邻小区。", field="compounds")
    if len({c.community.parent_id for c in found}) != 1:
        raise Refused("area_not_adjacent", "片区内的小区须在同一街道内相邻。", field="compounds")
    if company is not None and not company.pk:
        raise NotFound()
    if fee_rate not in (None, ""):
        fee_rate = money(fee_rate, field="fee_rate")
    later = PropertyService.objects.filter(compound_id__in=ids, start__gte=start).select_related("compound").first()
    if later is not None:
        raise Refused("area_overlaps_service", f"{later.compound}在 {later.start} 已有物业服务记录，片区合同不能早于它开始。", field="start")
    contract = core_services.create(actor=actor, model=AreaContract, data={
        "name": name, "company": company, "provider_name": provider_name, "start": start, "end": end,
        "fee_rate": fee_rate or None})
    contract.compounds.set(found)
    for service in current_services(start).filter(compound_id__in=ids):
        core_services.update(actor=actor, instance=service, data={"end": start - dt.timedelta(days=1)},
                             action="end_for_area_contract")
    for compound in found:
        core_services.create(actor=actor, model=PropertyService, data={
            "compound": compound, "mode": PropertyService.Mode.AREA_WIDE, "company": company,
            "provider_name": provider_name if company is None else "", "start": start, "end": end,
            "fee_rate": fee_rate or None})
    return contract


# --- common resources -------------------------------------------------------------------------------

def resource_create(*, actor, compound, kind: str, name: str, size=None, note: str = "") -> CommonResource:
    require(may_book(actor), NOT_BOOKER)
    _visible_compound(actor, compound)
    return core_services.create(actor=actor, model=CommonResource, data={
        "compound": compound, "kind": kind, "name": name, "size": size, "note": note})


def contract_create(*, actor, resource, counterparty: str, start: dt.date, amount, end: dt.date | None = None,
                    period: str = RevenueContract.Period.MONTH, note: str = "") -> RevenueContract:
    require(may_book(actor), NOT_BOOKER)
    return core_services.create(actor=actor, model=RevenueContract, data={
        "resource": resource, "counterparty": counterparty, "start": start, "end": end,
        "amount": money(amount), "period": period, "note": note})


# --- trust accounts ---------------------------------------------------------------------------------

def account_open(*, actor, compound, opened_on: dt.date, name: str = "", bank_account: str = "",
                 company=None) -> TrustAccount:
    require(may_book(actor), NOT_BOOKER)
    _visible_compound(actor, compound)
    service = current_services(opened_on).filter(compound=compound, mode=PropertyService.Mode.TRUST).first()
    if service is None:
        raise Refused("not_trust_compound", "该小区在开户日不是信托制物业，不能开设共管账户。", field="compound")
    if TrustAccount.objects.filter(compound=compound).exists():
        raise Refused("account_exists", "该小区已有共管账户。", status=409, field="compound")
    return core_services.create(actor=actor, model=TrustAccount, data={
        "compound": compound, "name": name or f"{compound.name}信托制物业共管账户", "bank_account": bank_account,
        "company": company or service.company, "opened_on": opened_on})


def _entry_audit(actor, entry, action):
    after = audit.snapshot(entry)
    # The stored file is recorded by its name (its content is identified by invoice_sha256).
    after["invoice"] = entry.invoice.name or ""
    audit.record(actor=actor, action=action, obj=entry, object_repr=f"{entry.account} 第{entry.seq}号分录",
                 changes=audit.diff({}, after))


def _book(*, actor, account, kind, amount: Decimal, day: dt.date, description: str, invoice=None,
          invoice_sha256: str = "", resource=None, contract=None, reverses=None) -> Entry:
    """Number and book one line under the account's row lock (the only place entries are created)."""
    locked = TrustAccount.objects.select_for_update().get(pk=account.pk)
    month = month_start(day)
    if locked.is_closed(month):
        raise Refused("month_closed", f"{month_label(month)}已结账，不能再记入该月；请记入未结账的月份。", status=409, field="date")
    seq = locked.last_seq + 1
    balance = locked.balance + amount
    entry = Entry(account=locked, seq=seq, month=month, date=day, kind=kind, amount=amount,
                  description=description, resource=resource, contract=contract, invoice_sha256=invoice_sha256,
                  reverses=reverses, balance_after=balance, posted_at=clock.now(),
                  posted_by=actor if getattr(actor, "pk", None) else None)
    if invoice is not None:
        entry.invoice = invoice
    entry.save()
    TrustAccount.objects.filter(pk=locked.pk).update(balance=balance, last_seq=seq)
    account.balance, account.last_seq = balance, seq
    _entry_audit(actor, entry, "reverse" if reverses is not None else "post")
    return entry


def entry_post(*, actor, account, kind: str, amount, date: dt.date, description: str, invoice=None,
               resource=None, contract=None) -> Entry:
    """Book an income (fees, parking, advertising, rent) or an expense (which needs a scanned invoice)."""
    require(may_book(actor), NOT_BOOKER)
    if kind not in Entry.Kind.values:
        raise Refused("kind_invalid", "请选择正确的收支科目。", field="kind")
    value = money(amount)
    description = (description or "").strip()
    if not description:
        raise Refused("description_missing", "请填写摘要。", field="description")
    if date is None:
        raise Refused("date_missing", "请填写发生日期。", field="date")
    if date > clock.today():
        raise Refused("date_in_future", "发生日期不能晚于今天。", field="date")
    if date < account.opened_on:
        raise Refused("date_before_opening", "发生日期早于共管账户开户日期。", field="date")
    income = kind in Entry.INCOME
    sha = ""
    if not income or invoice is not None:
        sha = check_invoice(invoice)
    if contract is not None:
        if resource is not None and contract.resource_id != resource.pk:
            raise Refused("contract_other_resource", "收益合同不属于所选公共资源。", field="contract")
        resource = contract.resource
        if not contract.active_on(date):
            raise Refused("date_outside_contract", "发生日期不在收益合同期限内。", field="contract")
    if resource is not None:
        if resource.compound_id != account.compound_id:
            raise Refused("resource_other_compound", "公共资源不属于该小区。", field="resource")
        if kind not in Entry.RESOURCE_KINDS:
            raise Refused("resource_kind_mismatch", "只有停车、广告、租金收益可以关联公共资源。", field="resource")
    with transaction.atomic():
        return _book(actor=actor, account=account, kind=kind, amount=value if income else -value, day=date,
                     description=description, invoice=invoice if sha else None, invoice_sha256=sha,
                     resource=resource, contract=contract)


def entry_update(*, actor, entry, **changes) -> Entry:
    """Posted entries are never edited: the answer is always a refusal, whoever asks."""
    require(may_book(actor), NOT_BOOKER)
    raise Refused("entry_posted", f"第{entry.seq}号分录已记账，不能修改；如有错误请冲销后重新记账。", status=409)


def entry_reverse(*, actor, entry, reason: str) -> Entry:
    require(may_book(actor), NOT_BOOKER)
    reason = (reason or "").strip()
    if not reason:
        raise Refused("reason_missing", "请填写冲销原因。", field="reason")
    if entry.reverses_id:
        raise Refused("reversal_not_reversible", "冲销分录本身不能再冲销。", status=409)
    today = clock.today()
    with transaction.atomic():
        TrustAccount.objects.select_for_update().get(pk=entry.account_id)
        # Reverse what was booked, never an in-memory copy that someone may have altered.
        original = Entry.objects.select_related("account").get(pk=entry.pk)
        if Entry.objects.filter(reverses=original).exists():
            raise Refused("already_reversed", f"第{original.seq}号分录已冲销过。", status=409)
        return _book(actor=actor, account=original.account, kind=original.kind, amount=-original.amount, day=today,
                     description=f"冲销第{original.seq}号：{reason}"[:200], reverses=original)


def _close_through(actor, locked: TrustAccount, month: dt.date) -> list[MonthClose]:
    first = next_month(locked.closed_through) if locked.closed_through else month_start(locked.opened_on)
    rows, current = [], first
    while current <= month:
        rows.append(MonthClose.objects.create(account=locked, month=current, closed_at=clock.now(),
                                              closed_by=actor if getattr(actor, "pk", None) else None))
        current = next_month(current)
    TrustAccount.objects.filter(pk=locked.pk).update(closed_through=month)
    locked.closed_through = month
    audit.record(actor=actor, action="close_month", obj=locked,
                 changes={"closed_through": [None if first == month else str(first), str(month)]})
    return rows


def month_close(*, actor, account, month: dt.date) -> TrustAccount:
    """Close a month (and every earlier open one): no entry can be booked into it afterwards."""
    require(may_book(actor), NOT_BOOKER)
    month = month_start(month)
    if month >= month_start(clock.today()):
        raise Refused("month_not_over", "该月尚未结束，不能结账。", field="month")
    if month < month_start(account.opened_on):
        raise Refused("month_before_opening", "该月早于共管账户开户日期。", field="month")
    with transaction.atomic():
        locked = TrustAccount.objects.select_for_update().get(pk=account.pk)
        if locked.is_closed(month):
            raise Refused("month_closed", f"{month_label(month)}已结账。", status=409, field="month")
        _close_through(actor, locked, month)
    account.closed_through = month
    return account


def _owner_users(compound_id):
    residents = Resident.objects.filter(is_owner=True, user__isnull=False, user__is_active=True,
                                        household__dwelling__entrance__building__compound_id=compound_id)
    return [r.user for r in residents.select_related("user")]


def _statement_figures(account, month: dt.date) -> dict:
    earlier = Entry.objects.filter(account=account, month__lt=month).aggregate(total=Sum("amount"))["total"]
    opening = (earlier or Decimal("0")).quantize(CENT)
    rows = (Entry.objects.filter(account=account, month=month).order_by().values("kind")
            .annotate(total=Sum("amount"), n=Count("pk")))
    totals = {r["kind"]: r["total"].quantize(CENT) for r in rows}
    income = sum((v for k, v in totals.items() if k in Entry.INCOME), Decimal("0")).quantize(CENT)
    expense = (-sum((v for k, v in totals.items() if k not in Entry.INCOME), Decimal("0"))).quantize(CENT)
    seq_list = list(Entry.objects.filter(account=account, month=month).order_by("seq")
                    .values_list("seq", flat=True))
    return {"opening": opening, "income": income, "expense": expense, "closing": opening + income - expense,
            "totals": {k: str(v) for k, v in sorted(totals.items())}, "entry_count": len(seq_list),
            "first_seq": seq_list[0] if seq_list else None, "last_seq": seq_list[-1] if seq_list else None}


def statement_publish(month: dt.date | None = None, *, actor=None) -> list[Statement]:
    """Close the month and publish each trust account's statement to its owners. Safe to run again:
    an account whose statement for the month exists is left as it is."""
    today = clock.today()
    month = month_start(month) if month else month_start(month_start(today) - dt.timedelta(days=1))
    if month >= month_start(today):
        raise Refused("month_not_over", "只能公示已经结束的月份。", field="month")
    published = []
    for account_id in (TrustAccount.objects.filter(opened_on__lt=next_month(month))
                       .exclude(statements__month=month).order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            locked = TrustAccount.objects.select_for_update().select_related("compound").get(pk=account_id)
            if Statement.objects.filter(account=locked, month=month).exists():
                continue
            if not locked.is_closed(month):
                _close_through(actor, locked, month)
            figures = _statement_figures(locked, month)
            statement = Statement(account=locked, month=month, published_at=clock.now(), **figures)
            statement.gaps = reconcile(locked, extra=statement)
            statement.save()
            audit.record(actor=actor, action="publish", obj=statement,
                         changes=audit.diff({}, audit.snapshot(statement)))
            _notify_owners(locked, statement)
            published.append(statement)
    return published


def _notify_owners(account, statement) -> None:
    from linli.cases.services import notify

    text = (f"{statement.title}：期初 {statement.opening} 元，收入 {statement.income} 元，"
            f"支出 {statement.expense} 元，期末 {statement.closing} 元。")
    link = reverse("property:statement_detail", args=[statement.pk])
    notify(_owner_users(account.compound_id), text, link)


def reconcile(account, *, extra: Statement | None = None) -> list[str]:
    """Gaps in an account: missing entry numbers, a broken balance chain, a balance that differs from its
    entries, a statement whose opening is not the previous closing or whose closing misses entries."""
    gaps = []
    rows = list(Entry.objects.filter(account=account).order_by("seq")
                .values_list("seq", "month", "amount", "balance_after"))
    present = {r[0] for r in rows}
    missing = [n for n in range(1, account.last_seq + 1) if n not in present]
    if missing:
        shown = "、".join(str(n) for n in missing[:20]) + ("等" if len(missing) > 20 else "")
        gaps.append(f"分录号不连续：缺少第 {shown} 号分录。")
    running, by_month = Decimal("0"), {}
    for seq, month, amount, balance_after in rows:
        running += amount
        by_month[month] = by_month.get(month, Decimal("0")) + amount
        if balance_after != running:
            gaps.append(f"第 {seq} 号分录的记账后余额 {balance_after} 元与此前分录累计 {running} 元不符。")
            running = balance_after
            break
    total = sum((r[2] for r in rows), Decimal("0"))
    if total != account.balance:
        gaps.append(f"账户余额 {account.balance} 元与全部分录合计 {total} 元不符。")
    statements = list(Statement.objects.filter(account=account).order_by("month"))
    if extra is not None:
        statements = sorted([s for s in statements if s.month != extra.month] + [extra], key=lambda s: s.month)
    previous = None
    for s in statements:
        label = month_label(s.month)
        if previous is not None and next_month(previous.month) == s.month and s.opening != previous.closing:
            gaps.append(f"{label}期初余额 {s.opening} 元与上月期末余额 {previous.closing} 元不符。")
        booked = by_month.get(s.month, Decimal("0"))
        if s.closing != s.opening + booked:
            gaps.append(f"{label}期末余额 {s.closing} 元与期初加本月分录（{s.opening + booked} 元）不符。")
        previous = s
    return gaps


# --- star ratings -----------------------------------------------------------------------------------

@transaction.atomic
def scheme_create(*, actor, name: str, year: int, unit, criteria: list[tuple[str, object, int]],
                  survey_weight=40, review_weight=60, thresholds=(60, 70, 80, 90, 95)) -> RatingScheme:
    require(is_reviewer(actor), NOT_REVIEWER)
    if not visible(AdminUnit.objects.filter(pk=unit.pk), scope_for(actor).work_area()).exists():
        raise NotFound()
    if not criteria:
        raise Refused("criteria_missing", "请至少设置一个评审项目。", field="criteria")
    scheme = core_services.create(actor=actor, model=RatingScheme, data={
        "name": name, "year": year, "unit": unit, "survey_weight": Decimal(str(survey_weight)),
        "review_weight": Decimal(str(review_weight)), "thresholds": list(thresholds)})
    for label, weight, max_score in criteria:
        weight = Decimal(str(weight))
        if weight <= 0 or max_score <= 0:
            raise Refused("criteria_invalid", "评审项目的权重和满分须大于零。", field="criteria")
        core_services.create(actor=actor, model=RatingCriterion, data={
            "scheme": scheme, "name": label, "weight": weight, "max_score": max_score})
    return scheme


def survey_submit(*, actor, scheme, compound_id: int, score: int, comment: str = "") -> SurveyResponse:
    """A resident rates the property service of the compound they live in; nobody else may."""
    scope = scope_for(actor)
    if not scope.resident_ids or compound_id not in scope.home_compound_ids:
        raise Refused("not_resident_of_compound", "只有居住在本小区的居民可以参加本小区的满意度测评。", status=403)
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise Refused("score_out_of_range", "满意度请在 1 至 5 分之间选择。", field="score")
    resident_id = scope.resident_ids[0]
    with transaction.atomic():
        if SurveyResponse.objects.filter(scheme=scheme, compound_id=compound_id, resident_id=resident_id).exists():
            raise Refused("already_surveyed", "您已参加过本次满意度测评。", status=409)
        return core_services.create(actor=actor, model=SurveyResponse, data={
            "scheme": scheme, "compound_id": compound_id, "resident_id": resident_id, "score": score,
            "comment": (comment or "")[:300], "at": clock.now()})


def stars_for(scheme, total: Decimal) -> int:
    return sum(1 for mark in scheme.thresholds if total >= Decimal(str(mark)))


def assessment_record(*, actor, scheme, compound, scores: dict) -> Assessment:
    """The street's review of a compound, combined with its residents' survey, gives the year's stars."""
    _visible_compound(actor, compound)
    require(is_reviewer(actor), NOT_REVIEWER)
    criteria = list(scheme.criteria.all())
    given = {int(k): v for k, v in (scores or {}).items()}
    weighted, weights, shown = Decimal("0"), Decimal("0"), {}
    for criterion in criteria:
        if criterion.pk not in given:
            raise Refused("score_missing", f"请为“{criterion.name}”打分。", field="scores")
        try:
            value = Decimal(str(given[criterion.pk]))
        except InvalidOperation:
            raise Refused("score_invalid", f"“{criterion.name}”的得分不正确。", field="scores") from None
        if not 0 <= value <= criterion.max_score:
            raise Refused("score_out_of_range", f"“{criterion.name}”的得分须在 0 至 {criterion.max_score} 之间。", field="scores")
        weighted += criterion.weight * value / criterion.max_score
        weights += criterion.weight
        shown[str(criterion.pk)] = str(value)
    if set(given) - {c.pk for c in criteria}:
        raise Refused("criterion_unknown", "评分中含有不属于该评定办法的项目。", field="scores")
    survey = SurveyResponse.objects.filter(scheme=scheme, compound=compound).aggregate(
        n=Count("pk"), total=Sum("score"))
    if not survey["n"]:
        raise Refused("survey_missing", "该小区还没有居民满意度测评结果，暂不能评定。")
    two = Decimal("0.01")
    survey_score = (Decimal(survey["total"]) * 20 / survey["n"]).quantize(two, ROUND_HALF_UP)
    review_score = (weighted * 100 / weights).quantize(two, ROUND_HALF_UP)
    total = ((scheme.survey_weight * survey_score + scheme.review_weight * review_score) / 100).quantize(
        two, ROUND_HALF_UP)
    year_end = dt.date(scheme.year, 12, 31)
    service = current_services(min(year_end, clock.today())).filter(compound=compound, company__isnull=False).first()
    with transaction.atomic():
        if Assessment.objects.filter(compound=compound, year=scheme.year).exists():
            raise Refused("already_assessed", f"{compound}的{scheme.year}年星级已评定。", status=409)
        return core_services.create(actor=actor, model=Assessment, data={
            "scheme": scheme, "compound": compound, "year": scheme.year,
            "company": service.company if service else None, "survey_score": survey_score,
            "survey_count": survey["n"], "review_score": review_score, "total": total,
            "stars": stars_for(scheme, total), "scores": shown, "assessed_at": clock.now(),
            "assessed_by": actor})


# --- funding ---------------------------------------------------------------------------------------

def party_building_amount(population: int) -> Decimal:
    for below, amount in POPULATION_BANDS:
        if population < below:
            return amount
    return TOP_BAND


def budget_create(*, actor, unit, year: int, kind: str, amount, note: str = "") -> Budget:
    require(is_funder(actor), NOT_FUNDER)
    if not visible(AdminUnit.objects.filter(pk=unit.pk), scope_for(actor).work_area()).exists():
        raise NotFound()
    if kind not in FundKind.values:
        raise Refused("kind_invalid", "请选择经费类别。", field="kind")
    if Budget.objects.filter(unit=unit, year=year, kind=kind).exists():
        raise Refused("budget_exists", f"{unit}{year}年已有该类预算。", status=409)
    return core_services.create(actor=actor, model=Budget, data={
        "unit": unit, "year": year, "kind": kind, "amount": money(amount), "note": note})


def _grant(actor, locked: Budget, rows: list[dict]) -> list[Grant]:
    """Commit grants from a locked budget; refused as a whole when the budget would be exceeded."""
    granted = locked.grants.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    wanted = sum((r["amount"] for r in rows), Decimal("0"))
    if granted + wanted > locked.amount:
        raise Refused("budget_exceeded", f"预算不足：预算 {locked.amount} 元，已下达 {granted} 元，本次需 {wanted} 元。")
    return [core_services.create(actor=actor, model=Grant, data={
        "budget": locked, "granted_at": clock.now(), "granted_by": actor, **row}) for row in rows]


def _locked_budget(actor, budget, kind) -> Budget:
    require(is_funder(actor), NOT_FUNDER)
    locked = Budget.objects.select_for_update().select_related("unit").get(pk=budget.pk)
    if locked.kind != kind:
        raise Refused("budget_kind_mismatch", f"该预算是“{locked.get_kind_display()}”，不能用于此项。")
    return locked


@transaction.atomic
def grants_party_building(*, actor, budget) -> list[Grant]:
    """One yearly grant per compound branch in the budget's area, banded by the population it serves."""
    locked = _locked_budget(actor, budget, FundKind.PARTY_BUILDING)
    done = locked.grants.filter(party_org__isnull=False).values("party_org_id")
    branches = (PartyOrg.objects.filter(level=PartyOrg.Level.BRANCH, community__code__startswith=locked.unit.prefix)
                .exclude(pk__in=done)
                .annotate(population=Count("compounds__buildings__entrances__dwellings__households__members",
                                           distinct=True))
                .order_by("community__code", "name"))
    rows = [{"community_id": b.community_id, "party_org": b, "amount": party_building_amount(b.population),
             "basis": f"服务人口 {b.population} 人，{locked.year}年党建经费"} for b in branches]
    return _grant(actor, locked, rows)


@transaction.atomic
def grant_station_award(*, actor, budget, station) -> Grant:
    """100,000 yuan for a service station that passed acceptance (stations.services.inspect), once."""
    if station is None or not visible(Station.objects.filter(pk=station.pk), scope_for(actor).work_area()).exists():
        raise NotFound()
    locked = _locked_budget(actor, budget, FundKind.STATION_AWARD)
    station = Station.objects.select_for_update(of=("self",)).select_related("community", "compound").get(pk=station.pk)
    if not station.community.code.startswith(locked.unit.prefix):
        raise Refused("station_outside_unit", "该服务站不在预算单位辖区内。", field="station")
    if station.accepted_on is None:
        raise Refused("station_not_accepted", f"“{station.name}”尚未通过街道验收，不能申请奖补。", field="station")
    if Grant.objects.filter(station=station).exists():
        raise Refused("station_awarded", f"“{station.name}”已获得过验收奖补。", status=409, field="station")
    return _grant(actor, locked, [{"community_id": station.community_id, "compound": station.compound,
                                   "station": station, "amount": STATION_AWARD,
                                   "basis": f"{station.name} {station.accepted_on} 验收合格"}])[0]


@transaction.atomic
def grant_subsidy(*, actor, budget, compound, amount, basis: str = "") -> Grant:
    """A transitional subsidy, only for a compound that has no property service today."""
    _visible_compound(actor, compound)
    locked = _locked_budget(actor, budget, FundKind.SUBSIDY)
    if not compound.community.code.startswith(locked.unit.prefix):
        raise Refused("compound_outside_unit", "该小区不在预算单位辖区内。", field="compound")
    if current_services(clock.today()).filter(compound=compound).exists():
        raise Refused("compound_has_service", "该小区已有物业服务，过渡补贴只用于无物业小区。", field="compound")
    return _grant(actor, locked, [{"community_id": compound.community_id, "compound": compound,
                                   "amount": money(amount), "basis": basis or "无物业小区过渡补贴"}])[0]


@transaction.atomic
def disbursement_create(*, actor, grant, amount, paid_on: dt.date, note: str = "") -> Disbursement:
    require(is_funder(actor), NOT_FUNDER)
    value = money(amount)
    locked = Grant.objects.select_for_update().get(pk=grant.pk)
    if paid_on > clock.today():
        raise Refused("date_in_future", "拨付日期不能晚于今天。", field="paid_on")
    paid = locked.disbursements.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if paid + value > locked.amount:
        raise Refused("grant_exceeded", f"拨付超出下达金额：下达 {locked.amount} 元，已拨付 {paid} 元。", field="amount")
    return core_services.create(actor=actor, model=Disbursement, data={
        "grant": locked, "amount": value, "paid_on": paid_on, "note": note, "at": clock.now(), "by": actor})
