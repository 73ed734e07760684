"""Points pages: thin over selectors (lists), access (details) and services (writes).

A refusal by the rules (`Refused`) comes back as a Chinese message on the page and books nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.scope import can_edit
from linli.core import clock
from linli.core.access import require
from linli.core.errors import Refused
from linli.core.pages import page_errors, paginate
from linli.core.scoping import scope_for
from linli.points import access, excel, forms, selectors, services
from linli.points.models import Award, Redemption
from linli.points.reports import REPORTS, report_data


def _done(request, obj, text):
    if getattr(obj, "replayed", False):
        messages.warning(request, "重复提交：此前已办理，本次未重复记账。")
    else:
        messages.success(request, text)


def _back(request, default):
    target = request.POST.get("next") or ""
    return redirect(target if target.startswith("/points/") else default)


# --- resident pages -------------------------------------------------------------------------------

@login_required
@page_errors
def my_points(request):
    resident = access.resident_required(request.user)
    account, household_account = services.accounts_of(resident)
    page, query = paginate(request, selectors.statement(account))
    claim_form = forms.ClaimForm(actor=request.user, resident=resident)
    claims = selectors.award_list_visible_to(actor=request.user, filters={"resident": resident.pk})[:10]
    return render(request, "points/my_points.html", {
        "resident": resident, "balance": account.balance if account else 0,
        "household_balance": household_account.balance if household_account else 0,
        "hours": selectors.time_bank_hours(resident), "page": page, "query": query,
        "claim_form": claim_form, "claims": claims,
    })


@login_required
@page_errors
def my_statement_xlsx(request):
    resident = access.resident_required(request.user)
    account, _ = services.accounts_of(resident)
    entries = selectors.statement(account).order_by("seq")
    return excel.response(f"积分明细-{resident.name}.xlsx", "积分明细", excel.STATEMENT_HEADERS,
                          excel.statement_rows(entries.iterator()))


@login_required
@page_errors
@require_POST
def claim(request):
    resident = access.resident_required(request.user)
    form = forms.ClaimForm(request.POST, actor=request.user, resident=resident)
    if form.is_valid():
        data = form.cleaned_data
        try:
            award = services.award_claim(actor=request.user, key=data["key"], rule=data["rule"],
                                         quantity=data["quantity"], evidence=data["evidence"])
        except Refused as exc:
            messages.error(request, exc.message)
        else:
            _done(request, award, "申报已提交，工作人员审核后记分。")
    else:
        messages.error(request, "申报信息不完整：" + "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("points:my_points")


@login_required
@page_errors
def shop(request):
    resident = access.resident_required(request.user)
    community = services.community_of_resident(resident)
    account, _ = services.accounts_of(resident)
    goods = list(selectors.goods_list_visible_to(actor=request.user, filters={"community": community.pk,
                                                                              "active": "1"}))
    balance = account.balance if account else 0
    for item in goods:
        # What a resident can take now, and how far they are from the rest.
        item.short_by = max(0, item.price - balance)
    return render(request, "points/shop.html", {
        "goods": goods, "window": services.open_window(community), "balance": balance,
        "upcoming": selectors.window_list_visible_to(
            actor=request.user, filters={"community": community.pk}).filter(opens_at__gt=clock.now()).last(),
    })


@login_required
@page_errors
@require_http_methods(["GET", "POST"])
def redeem(request, pk):
    """GET: what the redemption costs, what is left and where to collect it; POST from there books it."""
    resident = access.resident_required(request.user)
    goods = access.goods_get(request.user, pk)
    if request.method == "GET":
        community = services.community_of_resident(resident)
        account, _ = services.accounts_of(resident)
        balance = account.balance if account else 0
        return render(request, "points/redeem_confirm.html", {
            "goods": goods, "balance": balance, "after": balance - goods.price,
            "short_by": max(0, goods.price - balance),
            "window": services.open_window(community),
            # One request key per confirmation: a double tap books once.
            "request_key": forms.new_key(),
        })
    form = forms.RedeemForm(request.POST)
    if not form.is_valid():
        messages.error(request, "兑换数量不正确。")
        return redirect("points:shop")
    try:
        redemption = services.redemption_create(actor=request.user, goods=goods, key=form.cleaned_data["key"],
                                                quantity=form.cleaned_data["quantity"])
    except Refused as exc:
        messages.error(request, exc.message)
        return redirect("points:shop")
    _done(request, redemption, f"已兑换“{goods.name}”×{redemption.quantity}，扣除 {redemption.points} 分。")
    return redirect("points:redemption_detail", redemption.pk)


@login_required
@page_errors
def redemption_detail(request, pk):
    """The resident's voucher: the pickup code, the place and the opening times."""
    redemption = access.redemption_get(request.user, pk)
    return render(request, "points/redemption_detail.html", {
        "r": redemption, "window": redemption.window,
        # Only the resident sees the code: staff who know it could collect in their name.
        "own_ids": scope_for(request.user).resident_ids})


@login_required
@page_errors
def my_redemptions(request):
    resident = access.resident_required(request.user)
    page, query = paginate(request, selectors.redemption_list_visible_to(actor=request.user,
                                                                         filters={"resident": resident.pk}))
    return render(request, "points/my_redemptions.html", {"page": page, "query": query})


@login_required
@page_errors
@require_POST
def redemption_cancel(request, pk):
    redemption = access.redemption_get(request.user, pk, write=True)
    try:
        services.redemption_cancel(actor=request.user, redemption=redemption, reason=request.POST.get("reason", ""))
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已取消兑换，{redemption.points} 分已退还。")
    default = "points:pickups" if scope_for(request.user).is_staff_scope else "points:my_redemptions"
    return _back(request, reverse(default))


# --- staff pages ----------------------------------------------------------------------------------

@login_required
@page_errors
def staff_home(request):
    access.staff_required(request.user)
    recent = selectors.award_list_visible_to(actor=request.user, filters=request.GET.dict())
    page, query = paginate(request, recent)
    return render(request, "points/staff_home.html", {
        "pending": selectors.pending_counts(actor=request.user), "page": page, "query": query,
        "can_edit": can_edit(request.user), "statuses": Award.Status.choices,
    })


@login_required
@page_errors
def award(request):
    access.staff_required(request.user)
    require(can_edit(request.user), services.NOT_EDITOR)
    initial = {k: request.GET[k] for k in ("resident", "rule", "source_type") if request.GET.get(k)}
    form = forms.AwardForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.award_grant(
                actor=request.user, key=data["key"], rule=data["rule"], resident=data["resident"],
                quantity=data["quantity"], source_type=data["source_type"], source_id=data["source_id"],
                evidence=data["evidence"])
        except Refused as exc:
            form.add_error(None, exc.message)
        else:
            _done(request, result, f"已为{result.resident.name}记 {result.points:+d} 分（{result.rule.name}）。")
            return redirect("points:award")
    return render(request, "points/form.html", {"form": form, "title": "记分（含志愿服务时长）",
                                                "submit": "记分", "cancel_url": reverse("points:staff_home")})


@login_required
@page_errors
def approve_list(request):
    access.staff_required(request.user)
    page, query = paginate(request, selectors.award_list_visible_to(actor=request.user,
                                                                    filters={"status": "pending"}))
    return render(request, "points/approve.html", {"page": page, "query": query, "can_edit": can_edit(request.user)})


@login_required
@page_errors
@require_POST
def award_decide(request, pk, decision):
    if decision not in ("approve", "reject", "correct"):
        raise Http404("未找到")
    award_ = access.award_get(request.user, pk, write=True)
    note = request.POST.get("note", "")
    try:
        if decision == "approve":
            award_ = services.award_approve(actor=request.user, award=award_, note=note)
            messages.success(request, f"已通过，{award_.resident or award_.household}记 {award_.points:+d} 分。")
        elif decision == "reject":
            services.award_reject(actor=request.user, award=award_, note=note)
            messages.success(request, "已退回该申报。")
        else:
            services.award_correct(actor=request.user, award=award_, reason=note)
            messages.success(request, "已记一笔冲销更正，原记录保留。")
    except Refused as exc:
        messages.error(request, exc.message)
    return _back(request, reverse("points:approve"))


@login_required
@page_errors
def stock(request):
    access.staff_required(request.user)
    goods = selectors.goods_list_visible_to(actor=request.user, filters=request.GET.dict())
    page, query = paginate(request, goods)
    return render(request, "points/stock.html", {
        "page": page, "query": query, "windows": selectors.window_list_visible_to(actor=request.user)[:20],
        "can_manage": bool(forms._managed_communities(request.user).exists()) and can_edit(request.user),
        "now": clock.now(),
    })


def _model_form_page(request, form, title, save):
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form)
        except Refused as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已保存：{obj}")
            return None
    return render(request, "points/form.html", {"form": form, "title": title, "submit": "保存",
                                                "cancel_url": reverse("points:stock")})


def _values(form, names):
    return {k: form.cleaned_data[k] for k in names if k in form.cleaned_data}


@login_required
@page_errors
def goods_create(request):
    access.staff_required(request.user)
    require(can_edit(request.user), services.NOT_EDITOR)
    form = forms.GoodsForm(request.POST or None, actor=request.user)
    reply = _model_form_page(request, form, "上架商品/服务", lambda f: services.goods_create(
        actor=request.user, community=f.cleaned_data["community"], data=_values(f, services.GOODS_FIELDS)))
    return reply or redirect("points:stock")


@login_required
@page_errors
def goods_edit(request, pk):
    goods = access.goods_get(request.user, pk, write=True)
    form = forms.GoodsForm(request.POST or None, instance=goods, actor=request.user)
    reply = _model_form_page(request, form, f"修改：{goods.name}", lambda f: services.goods_update(
        actor=request.user, goods=goods, data=_values(f, services.GOODS_FIELDS)))
    return reply or redirect("points:stock")


@login_required
@page_errors
def window_create(request):
    access.staff_required(request.user)
    require(can_edit(request.user), services.NOT_EDITOR)
    form = forms.WindowForm(request.POST or None, actor=request.user)

    def save(f):
        opens_at, closes_at = f.bounds()
        return services.window_create(actor=request.user, community=f.cleaned_data["community"],
                                      name=f.cleaned_data["name"], opens_at=opens_at, closes_at=closes_at,
                                      pickup_place=f.cleaned_data["pickup_place"],
                                      pickup_hours=f.cleaned_data["pickup_hours"])

    reply = _model_form_page(request, form, "设置兑换期", save)
    return reply or redirect("points:stock")


@login_required
@page_errors
def rules(request):
    access.staff_required(request.user)
    page, query = paginate(request, selectors.rule_list_visible_to(actor=request.user, filters=request.GET.dict()))
    return render(request, "points/rules.html", {
        "page": page, "query": query,
        "can_manage": bool(forms._managed_communities(request.user).exists()) and can_edit(request.user),
    })


@login_required
@page_errors
def rule_create(request):
    access.staff_required(request.user)
    require(can_edit(request.user), services.NOT_EDITOR)
    form = forms.RuleForm(request.POST or None, actor=request.user)
    reply = _model_form_page(request, form, "新增积分规则", lambda f: services.rule_create(
        actor=request.user, community=f.cleaned_data["community"], data=_values(f, services.RULE_FIELDS)))
    return reply or redirect("points:rules")


@login_required
@page_errors
def rule_edit(request, pk):
    rule = access.rule_get(request.user, pk, write=True)
    form = forms.RuleForm(request.POST or None, instance=rule, actor=request.user)
    reply = _model_form_page(request, form, f"修改规则：{rule.name}", lambda f: services.rule_update(
        actor=request.user, rule=rule, data=_values(f, services.RULE_FIELDS)))
    return reply or redirect("points:rules")


@login_required
@page_errors
def pickups(request):
    access.staff_required(request.user)
    status = request.GET.get("status") or Redemption.Status.RESERVED
    page, query = paginate(request, selectors.redemption_list_visible_to(
        actor=request.user, filters={**request.GET.dict(), "status": status}))
    return render(request, "points/pickups.html", {"page": page, "query": query, "status": status,
                                                   "statuses": Redemption.Status.choices,
                                                   "can_edit": can_edit(request.user)})


@login_required
@page_errors
@require_POST
def pickup(request, pk):
    redemption = access.redemption_get(request.user, pk)
    require(can_edit(request.user), services.NOT_EDITOR)
    try:
        services.redemption_pickup(actor=request.user, redemption=redemption,
                                   code=request.POST.get("code", ""))
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已确认{redemption.resident.name}领取“{redemption.goods.name}”。")
    return _back(request, reverse("points:pickups"))


@login_required
@page_errors
def resident_statement(request, pk):
    access.staff_required(request.user)
    resident = access.resident_get(request.user, pk)
    account, household_account = services.accounts_of(resident)
    if request.GET.get("format") == "xlsx":
        entries = selectors.statement(account).order_by("seq")
        return excel.response(f"积分明细-{resident.name}.xlsx", "积分明细", excel.STATEMENT_HEADERS,
                              excel.statement_rows(entries.iterator()))
    page, query = paginate(request, selectors.statement(account))
    awards = selectors.award_list_visible_to(actor=request.user, filters={"resident": resident.pk})[:20]
    return render(request, "points/statement.html", {
        "resident": resident, "balance": account.balance if account else 0,
        "household_balance": household_account.balance if household_account else 0,
        "hours": selectors.time_bank_hours(resident), "page": page, "query": query, "awards": awards,
        "can_edit": can_edit(request.user),
    })


# --- reports --------------------------------------------------------------------------------------

@login_required
@page_errors
def reports(request, kind="households"):
    access.staff_required(request.user)
    if kind not in REPORTS:
        kind = "households"
    filters = {"from": request.GET.get("start"), "to": request.GET.get("end"),
               "compound": request.GET.get("compound"), "limit": request.GET.get("limit")}
    headers, rows, to_cells = report_data(request.user, kind, filters)
    title = REPORTS[kind]
    if request.GET.get("format") == "xlsx":
        start, end = selectors.period_from(filters)
        return excel.response(f"{title}-{start}至{end}.xlsx", title, headers, to_cells(rows))
    start, end = selectors.period_from(filters)
    page, query = paginate(request, rows)
    form = forms.ReportFilterForm(request.GET or None, actor=request.user)
    return render(request, "points/reports.html", {
        "kind": kind, "title": title, "reports": REPORTS, "headers": headers,
        "rows": [list(zip(headers, cells, strict=False)) for cells in to_cells(page)], "page": page, "query": query, "form": form,
        "start": start, "end": end,
    })
