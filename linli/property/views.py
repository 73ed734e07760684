"""Property pages: thin over selectors (lists), access (details) and services (writes).

A refusal by the rules (`Refused`) comes back as a Chinese message on the page and books nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from linli.accounts.scope import can_edit
from linli.core import clock
from linli.core.access import require
from linli.core.errors import Refused
from linli.core.pages import page_errors, paginate
from linli.core.scoping import scope_for
from linli.property import access, excel, forms, selectors, services
from linli.property.models import CommonResource, Entry, FundKind, month_label


def _dates(request):
    as_of = forms.parse_date(request.GET.get("as_of")) or clock.today()
    baseline = forms.parse_date(request.GET.get("baseline"))
    return as_of, baseline


def _refused(request, exc: Refused):
    messages.error(request, exc.message)


def _form_errors(request, form):
    messages.error(request, "填写有误：" + "；".join(e for errs in form.errors.values() for e in errs))


# --- home and coverage -----------------------------------------------------------------------------

@login_required
@page_errors
def home(request):
    scope = scope_for(request.user)
    if not scope.is_staff_scope:
        return redirect("property:my")
    today = clock.today()
    sections = selectors.coverage_table(actor=request.user, as_of=today)
    return render(request, "property/home.html", {
        "totals": [s["total"] for s in sections],
        "accounts": selectors.account_list_visible_to(actor=request.user)[:10],
        "may_book": services.may_book(request.user),
    })


@login_required
@page_errors
def coverage(request):
    access.staff_required(request.user)
    as_of, baseline = _dates(request)
    unit = access.unit_get(request.user, request.GET["unit"]) if request.GET.get("unit") else None
    sections = selectors.coverage_table(actor=request.user, unit=unit, as_of=as_of, baseline=baseline)
    if request.GET.get("format") == "xlsx":
        return excel.response(f"物业覆盖-{as_of}.xlsx", excel.coverage_book(sections))
    return render(request, "property/coverage.html", {
        "sections": sections, "as_of": as_of, "baseline": baseline, "unit": unit,
        "query": request.GET.urlencode(),
    })


@login_required
@page_errors
def areas(request):
    access.staff_required(request.user)
    form = forms.AreaContractForm(request.POST or None, actor=request.user)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                contract = services.area_contract_create(actor=request.user, **data)
            except Refused as exc:
                _refused(request, exc)
            else:
                messages.success(request, f"已登记片区大物业“{contract.name}”，覆盖 {len(data['compounds'])} 个小区。")
                return redirect("property:areas")
        else:
            _form_errors(request, form)
    page, query = paginate(request, selectors.area_contract_list_visible_to(actor=request.user))
    return render(request, "property/areas.html", {"page": page, "query": query, "form": form,
                                                   "can_edit": can_edit(request.user)})


# --- trust accounts -------------------------------------------------------------------------------

@login_required
@page_errors
def accounts(request):
    access.staff_required(request.user)
    form = forms.AccountForm(request.POST or None, actor=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                account = services.account_open(actor=request.user, **form.cleaned_data)
            except Refused as exc:
                _refused(request, exc)
            else:
                messages.success(request, f"已开设“{account.name}”。")
                return redirect("property:account_detail", account.pk)
        else:
            _form_errors(request, form)
    page, query = paginate(request, selectors.account_list_visible_to(actor=request.user, filters=request.GET))
    return render(request, "property/accounts.html", {"page": page, "query": query, "form": form,
                                                      "may_book": services.may_book(request.user)})


@login_required
@page_errors
def account_detail(request, pk):
    account = access.account_get(request.user, pk)
    page, query = paginate(request, selectors.entry_list(account, filters={
        "kind": request.GET.get("kind"), "month": forms.parse_month(request.GET.get("month"))}))
    may_book = services.may_book(request.user)
    return render(request, "property/account.html", {
        "account": account, "page": page, "query": query, "may_book": may_book,
        "entry_form": forms.EntryForm(account=account) if may_book else None,
        "close_form": forms.CloseForm() if may_book else None,
        "statements": selectors.statement_list_visible_to(actor=request.user, filters={"account": account.pk})[:24],
        "kinds": Entry.Kind.choices, "gaps": services.reconcile(account) if may_book else [],
    })


@login_required
@page_errors
@require_POST
def entry_create(request, pk):
    account = access.account_get(request.user, pk, write=True)
    form = forms.EntryForm(request.POST, request.FILES, account=account)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("property:account_detail", account.pk)
    data = form.cleaned_data
    try:
        entry = services.entry_post(actor=request.user, account=account, kind=data["kind"], amount=data["amount"],
                                    date=data["date"], description=data["description"],
                                    invoice=data.get("invoice"), resource=data.get("resource"),
                                    contract=data.get("contract"))
    except Refused as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"已记账：第{entry.seq}号 {entry.get_kind_display()} {abs(entry.amount)} 元，"
                                  f"余额 {entry.balance_after} 元。")
    return redirect("property:account_detail", account.pk)


@login_required
@page_errors
@require_POST
def entry_reverse(request, pk):
    entry = access.entry_get(request.user, pk, write=True)
    form = forms.ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写冲销原因。")
    else:
        try:
            reversal = services.entry_reverse(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except Refused as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"已冲销第{entry.seq}号分录（冲销分录第{reversal.seq}号）。")
    return redirect("property:account_detail", entry.account_id)


@login_required
@page_errors
def entry_invoice(request, pk):
    entry = access.entry_get(request.user, pk)
    if not entry.invoice:
        raise Http404("没有凭证")
    ext = entry.invoice.name.rsplit(".", 1)[-1]
    kinds = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
    return FileResponse(entry.invoice.open("rb"), content_type=kinds.get(ext, "application/octet-stream"),
                        filename=f"凭证-{entry.account.compound.name}-{entry.seq}.{ext}")


@login_required
@page_errors
@require_POST
def month_close(request, pk):
    account = access.account_get(request.user, pk, write=True)
    form = forms.CloseForm(request.POST)
    if not form.is_valid() or form.cleaned_data["month"] is None:
        messages.error(request, "请选择结账月份。")
    else:
        try:
            services.month_close(actor=request.user, account=account, month=form.cleaned_data["month"])
        except Refused as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"已结账至{month_label(account.closed_through)}。")
    return redirect("property:account_detail", account.pk)


@login_required
@page_errors
def account_xlsx(request, pk):
    account = access.account_get(request.user, pk)
    month = forms.parse_month(request.GET.get("month"))
    entries = selectors.entry_list(account, filters={"month": month}).order_by("seq")
    summary = {"月份": month.strftime("%Y-%m")} if month else {"范围": "全部分录"}
    name = f"{account.compound.name}收支明细{'-' + month.strftime('%Y-%m') if month else ''}.xlsx"
    return excel.response(name, excel.statement_book(account, entries.iterator(), summary))


@login_required
@page_errors
def statement_detail(request, pk):
    statement = access.statement_get(request.user, pk)
    totals = [(Entry.Kind(k).label, v, k in Entry.INCOME) for k, v in statement.totals.items()]
    return render(request, "property/statement.html", {
        "statement": statement, "totals": totals, "entries": selectors.entries_of_statement(statement),
        "staff": scope_for(request.user).is_staff_scope,
    })


@login_required
@page_errors
def statement_xlsx(request, pk):
    statement = access.statement_get(request.user, pk)
    summary = {"月份": statement.month.strftime("%Y-%m"), "期初余额(元)": statement.opening,
               "本月收入(元)": statement.income, "本月支出(元)": statement.expense, "期末余额(元)": statement.closing}
    for code, amount in statement.totals.items():
        summary[Entry.Kind(code).label] = amount
    return excel.response(f"{statement.title}.xlsx", excel.statement_book(
        statement.account, selectors.entries_of_statement(statement), summary))


# --- residents ---------------------------------------------------------------------------------------

@login_required
@page_errors
def my(request):
    scope = scope_for(request.user)
    if not scope.resident_ids:
        return redirect("property:home")
    accounts = list(selectors.owned_accounts(request.user))
    statements = selectors.statement_list_visible_to(actor=request.user).filter(
        account__in=accounts)[:24] if accounts else []
    year = clock.today().year
    schemes = selectors.scheme_list_visible_to(actor=request.user).filter(year=year)
    return render(request, "property/my.html", {
        "accounts": accounts, "statements": statements, "schemes": schemes, "survey_form": forms.SurveyForm(),
        "compound_id": scope.home_compound_ids[0] if scope.home_compound_ids else None,
    })


@login_required
@page_errors
@require_POST
def survey(request, pk):
    scheme = access.scheme_get(request.user, pk)
    form = forms.SurveyForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("property:my")
    try:
        compound_id = int(request.POST.get("compound", ""))
    except ValueError:
        compound_id = None
    try:
        services.survey_submit(actor=request.user, scheme=scheme, compound_id=compound_id,
                               score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
    except Refused as exc:
        _refused(request, exc)
        if exc.status == 403:
            return render(request, "property/refused.html", {"message": exc.message}, status=403)
    else:
        messages.success(request, "感谢参与满意度测评。")
    return redirect("property:my")


# --- common resources ----------------------------------------------------------------------------------

@login_required
@page_errors
def resources(request):
    access.staff_required(request.user)
    form = forms.ResourceForm(request.POST or None, actor=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                resource = services.resource_create(actor=request.user, **form.cleaned_data)
            except Refused as exc:
                _refused(request, exc)
            else:
                messages.success(request, f"已登记公共资源“{resource.name}”。")
                return redirect("property:resources")
        else:
            _form_errors(request, form)
    page, query = paginate(request, selectors.resource_list_visible_to(actor=request.user, filters=request.GET))
    contracts = selectors.contract_list_visible_to(actor=request.user).filter(
        resource_id__in=[r.pk for r in page])
    by_resource = {}
    for c in contracts:
        by_resource.setdefault(c.resource_id, []).append(c)
    for r in page:
        r.contract_rows = by_resource.get(r.pk, [])
    return render(request, "property/resources.html", {
        "page": page, "query": query, "form": form, "contract_form": forms.ContractForm(),
        "may_book": services.may_book(request.user), "kinds": CommonResource.Kind.choices,
    })


@login_required
@page_errors
@require_POST
def contract_create(request, pk):
    resource = access.resource_get(request.user, pk, write=True)
    form = forms.ContractForm(request.POST)
    if form.is_valid():
        try:
            services.contract_create(actor=request.user, resource=resource, **form.cleaned_data)
        except Refused as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"已登记“{resource.name}”的收益合同。")
    else:
        _form_errors(request, form)
    return redirect("property:resources")


# --- star ratings ------------------------------------------------------------------------------------

@login_required
@page_errors
def ratings(request):
    access.staff_required(request.user)
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else clock.today().year
    schemes = list(selectors.scheme_list_visible_to(actor=request.user).filter(year=year))
    reviewer = services.is_reviewer(request.user)
    for s in schemes:
        s.review_form = forms.ReviewForm(actor=request.user, scheme=s) if reviewer else None
    # One assessment per compound and year: a district's year is hundreds of rows, a page at a time.
    assessments, query = paginate(request, selectors.assessment_list_visible_to(actor=request.user,
                                                                                filters={"year": year}))
    return render(request, "property/ratings.html", {
        "year": year, "schemes": schemes, "page": assessments, "query": query,
        "companies": selectors.company_averages(actor=request.user, year=year),
    })


@login_required
@page_errors
@require_POST
def review(request, pk):
    scheme = access.scheme_get(request.user, pk)
    access.staff_required(request.user)
    form = forms.ReviewForm(request.POST, actor=request.user, scheme=scheme)
    if not form.is_valid():
        if "compound" in form.errors:
            raise Http404("未找到")
        _form_errors(request, form)
        return redirect("property:ratings")
    try:
        result = services.assessment_record(actor=request.user, scheme=scheme, compound=form.cleaned_data["compound"],
                                            scores=form.scores())
    except Refused as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"{result.compound}{result.year}年评定为 {result.stars} 星（总分 {result.total}）。")
    return redirect(f"{reverse('property:ratings')}?year={scheme.year}")


# --- funding -------------------------------------------------------------------------------------------

@login_required
@page_errors
def funding(request):
    access.staff_required(request.user)
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else clock.today().year
    funder = services.is_funder(request.user)
    form = forms.BudgetForm(request.POST or None, actor=request.user) if funder else None
    if request.method == "POST":
        require(form is not None, services.NOT_FUNDER)
        if form.is_valid():
            try:
                services.budget_create(actor=request.user, **form.cleaned_data)
            except Refused as exc:
                _refused(request, exc)
            else:
                messages.success(request, "已登记预算。")
                return redirect(f"{reverse('property:funding')}?year={form.cleaned_data['year']}")
        else:
            _form_errors(request, form)
    grants_page, query = paginate(request, selectors.grant_list_visible_to(actor=request.user,
                                                                           filters={"year": year}))
    # Budgets are per unit and kind: a district's year has a row for each community, so they page too.
    budgets_page, budgets_query = paginate(request, selectors.budget_list_visible_to(
        actor=request.user, filters={"year": year}), param="budgets_page")
    return render(request, "property/funding.html", {
        "year": year, "sections": selectors.funding_table(actor=request.user, year=year), "form": form,
        "budgets": budgets_page, "budgets_query": budgets_query,
        "page": grants_page, "query": query, "funder": funder, "party_kind": FundKind.PARTY_BUILDING.value,
        "disburse_form": forms.DisburseForm(initial={"paid_on": clock.today()}),
    })


@login_required
@page_errors
@require_POST
def party_building(request, pk):
    budget = access.budget_get(request.user, pk, write=True)
    try:
        grants = services.grants_party_building(actor=request.user, budget=budget)
    except Refused as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"已按人口档次为 {len(grants)} 个小区党支部下达党建经费。")
    return redirect(f"{reverse('property:funding')}?year={budget.year}")


@login_required
@page_errors
@require_POST
def disburse(request, pk):
    grant = access.grant_get(request.user, pk, write=True)
    form = forms.DisburseForm(request.POST)
    if form.is_valid():
        try:
            services.disbursement_create(actor=request.user, grant=grant, **form.cleaned_data)
        except Refused as exc:
            _refused(request, exc)
        else:
            messages.success(request, "已登记拨付。")
    else:
        _form_errors(request, form)
    return redirect(f"{reverse('property:funding')}?year={grant.budget.year}")
