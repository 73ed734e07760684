"""Stations and micro-wish pages: thin over selectors (lists), access (details) and services (writes).

A refusal (`Refused`) or a validation error comes back as a Chinese message on the page and writes
nothing.
"""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from linli.accounts.scope import can_edit
from linli.core.access import get_visible, require
from linli.core.errors import Refused
from linli.core.ids import parse_id
from linli.core.pages import act, page_errors, paginate, refusal_text
from linli.core.scoping import scope_for, visible
from linli.stations import access, forms, selectors, services
from linli.stations.models import MicroWish, Need, PartnerStaff, Project, Slot, Station, WishPhoto

# --- stations -------------------------------------------------------------------------------------

@login_required
@page_errors
def home(request):
    actor = request.user
    filters = {"kind": request.GET.get("kind", ""), "q": request.GET.get("q", "")[:100]}
    page, query = paginate(request, selectors.station_list_visible_to(actor=actor, filters=filters))
    scope = scope_for(actor)
    return render(request, "stations/home.html", {
        "page": page, "query": query, "kinds": Station.Kind.choices,
        "may_register": can_edit(actor) and bool(scope.work_area().unit_prefixes or scope.everything),
        "is_officer": scope.is_officer,
    })


@login_required
@page_errors
def station_new(request):
    actor = request.user
    require(can_edit(actor) and bool(scope_for(actor).work_area().unit_prefixes or scope_for(actor).everything),
            services.NOT_REGISTRAR)
    form = forms.StationForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            station = services.station_create(actor=actor, **data)
        except (Refused, ValidationError) as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, f"已登记“{station.name}”，并发布默认服务清单（6 大类 37 项）。")
            return redirect("stations:detail", station.pk)
    return render(request, "stations/form.html", {"form": form, "title": "登记服务站"})


def _timetable(slots):
    days = dict(Slot.WEEKDAYS)
    return [(days[day], list(rows)) for day, rows in groupby(slots, key=lambda s: s.weekday)]


def _home_communities(actor) -> set[int]:
    from linli.places.models import Compound

    ids = scope_for(actor).home_compound_ids
    return set(Compound.objects.filter(pk__in=ids).values_list("community_id", flat=True)) if ids else set()


def _by_category(items):
    """The catalogue under its categories, in the order each category first appears (an item added
    later joins its category rather than opening a second heading)."""
    grouped: dict[str, list] = {}
    for item in items:
        grouped.setdefault(item.category, []).append(item)
    return list(grouped.items())


@login_required
@page_errors
def detail(request, pk):
    actor = request.user
    station = access.station_get(actor, pk)
    editor = services.may_register(actor, station.community)
    inspector = services.may_inspect(actor, station)
    catalogue = selectors.service_list_visible_to(actor=actor, station=station, active_only=not editor)
    evidence = list(station.evidence.all()) if editor or inspector else []
    have = {e.item for e in evidence}
    return render(request, "stations/detail.html", {
        "station": station, "editor": editor, "inspector": inspector, "worker": services.may_work_at(actor, station),
        "may_order": station.community_id in _home_communities(actor),
        "timetable": _timetable(selectors.slot_list_visible_to(actor=actor, station=station)),
        "catalogue": _by_category(catalogue),
        "staff": station.staff.all() if editor or inspector else [],
        "checklist": [(code, label, code in have) for code, label in station.checklist],
        "evidence": evidence,
        "inspections": station.inspections.select_related("inspector")[:10] if editor or inspector else [],
        "slot_form": forms.SlotForm(), "staff_form": forms.StaffForm(), "service_form": forms.ServiceForm(),
        "evidence_form": forms.EvidenceForm(station=station), "inspection_form": forms.InspectionForm(station=station),
    })


def _post(request, pk, form_class, work, success, **form_kwargs):
    station = access.station_get(request.user, pk, write=True)
    form = form_class(request.POST, request.FILES, **form_kwargs) if form_kwargs else form_class(request.POST, request.FILES)
    if form.is_valid():
        act(request, lambda: work(station, form.cleaned_data), success)
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("stations:detail", pk)


@login_required
@page_errors
@require_POST
def slot_add(request, pk):
    return _post(request, pk, forms.SlotForm, lambda s, d: services.slot_add(actor=request.user, station=s, **d),
                 "已增加开放时段。")


@login_required
@page_errors
@require_POST
def slot_remove(request, pk, slot_pk):
    station = access.station_get(request.user, pk, write=True)
    slot = access.slot_get(request.user, station, slot_pk)
    act(request, lambda: services.slot_remove(actor=request.user, slot=slot), "已删除开放时段。")
    return redirect("stations:detail", pk)


@login_required
@page_errors
@require_POST
def staff_add(request, pk):
    return _post(request, pk, forms.StaffForm, lambda s, d: services.staff_add(actor=request.user, station=s, **d),
                 "已增加值守人员。")


@login_required
@page_errors
@require_POST
def service_add(request, pk):
    return _post(request, pk, forms.ServiceForm,
                 lambda s, d: services.service_add(actor=request.user, station=s, **d), "已增加服务事项。")


@login_required
@page_errors
@require_POST
def service_toggle(request, pk, item_pk):
    station = access.station_get(request.user, pk, write=True)
    item = access.service_get(request.user, station, item_pk)
    act(request, lambda: services.service_toggle(actor=request.user, item=item, active=not item.active),
         "已恢复该服务事项。" if not item.active else "已暂停该服务事项。")
    return redirect("stations:detail", pk)


@login_required
@page_errors
@require_POST
def evidence_add(request, pk):
    station = access.station_get(request.user, pk, write=True)
    return _post(request, pk, forms.EvidenceForm,
                 lambda s, d: services.evidence_add(actor=request.user, station=s, item=d["item"], text=d["text"],
                                                    photo=d.get("photo")),
                 "已提交佐证。", station=station)


@login_required
@page_errors
@require_POST
def inspect(request, pk):
    station = access.station_get(request.user, pk)
    require(services.may_inspect(request.user, station), services.NOT_INSPECTOR)
    form = forms.InspectionForm(request.POST, station=station)
    if form.is_valid():
        result = act(request, lambda: services.inspect(actor=request.user, station=station, **form.cleaned_data),
                      "已记录验收。")
        if result and result is not True and not result.passed:
            messages.warning(request, "本次验收未通过：尚有未达标项。")
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("stations:detail", pk)


@never_cache
@login_required
@page_errors
def evidence_photo(request, pk, evidence_pk):
    station = access.station_get(request.user, pk)
    require(services.may_register(request.user, station.community) or services.may_inspect(request.user, station))
    evidence = access.evidence_get(request.user, station, evidence_pk)
    return _file(evidence.photo, evidence.content_type)


def _file(field, content_type):
    if not field:
        raise Http404("未找到")
    try:
        handle = field.open("rb")
    except OSError:
        raise Http404("未找到") from None
    return FileResponse(handle, content_type=content_type)


@login_required
@page_errors
def indicators(request):
    require(scope_for(request.user).is_officer, "只有社区书记、街道和区级干部查看指标。")
    units = selectors.indicator_units(actor=request.user)
    unit = None
    if request.GET.get("unit"):
        try:
            unit = units.filter(pk=parse_id(request.GET["unit"])).first()
        except ValueError:
            unit = None
        if unit is None:
            raise Http404("未找到")
    return render(request, "stations/indicators.html", {
        "figures": selectors.indicators(actor=request.user, unit=unit), "unit": unit, "units": units[:200]})


# --- wishes ---------------------------------------------------------------------------------------

@login_required
@page_errors
def wishes(request):
    actor = request.user
    scope = scope_for(actor)
    member = services.member_of(actor)
    status = request.GET.get("status", "")
    status = status if status in MicroWish.Status.values else ""
    page, query = paginate(request, selectors.wish_list_visible_to(actor=actor, filters={"status": status,
                                                                                         "area": True}))
    mine = (selectors.wish_list_visible_to(actor=actor, filters={"mine": "posted"})[:20]
            if scope.resident_ids else [])
    claimed = selectors.wish_list_visible_to(actor=actor, filters={"mine": "claimed"})[:20] if member else []
    open_wishes = (selectors.wish_list_visible_to(actor=actor, filters={"status": "open"})
                   .exclude(resident_id__in=scope.resident_ids)[:30]) if member else []
    return render(request, "stations/wishes.html", {
        "page": page, "query": query, "statuses": MicroWish.Status.choices, "status": status,
        "mine": mine, "claimed": claimed, "open_wishes": open_wishes, "member": member,
        "is_staff": scope.is_staff_scope, "may_post": bool(scope.resident_ids), "may_post_for": can_edit(actor),
    })


@login_required
@page_errors
def wish_new(request):
    actor = request.user
    for_resident = request.GET.get("for") == "resident" or "resident" in request.POST
    if for_resident:
        require(can_edit(actor), "只有工作人员可以代居民发布微心愿。")
        form = forms.WishForResidentForm(request.POST or None, actor=actor)
    else:
        form = forms.WishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            wish = services.wish_post(actor=actor, title=data["title"], body=data["body"],
                                      resident=data.get("resident"))
        except (Refused, ValidationError) as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, "微心愿已发布，本社区党员认领后会通知您。")
            return redirect("stations:wish_detail", wish.pk)
    return render(request, "stations/form.html", {
        "form": form, "title": "代居民发布微心愿" if for_resident else "发布微心愿", "button": "发布"})


@login_required
@page_errors
def wish_detail(request, pk):
    actor = request.user
    wish = access.wish_get(actor, pk)
    mine = actor.pk in (wish.resident.user_id, wish.posted_by_id)
    return render(request, "stations/wish_detail.html", {
        "wish": wish, "identity": access.shows_identity(actor, wish),
        "events": wish.events.all(), "photos": wish.photos.all(),
        "may_claim": wish.status == MicroWish.Status.OPEN and services.may_claim(actor, wish),
        "may_fulfil": wish.status == MicroWish.Status.CLAIMED and wish.claimed_by_id == actor.pk,
        "may_confirm": wish.status == MicroWish.Status.FULFILLED and mine,
        "may_withdraw": wish.status == MicroWish.Status.OPEN and mine,
        "fulfil_form": forms.FulfilForm(),
    })


def _wish_act(request, pk, work, success):
    wish = access.wish_get(request.user, pk)
    act(request, lambda: work(wish), success)
    return redirect("stations:wish_detail", pk)


@login_required
@page_errors
@require_POST
def wish_claim(request, pk):
    return _wish_act(request, pk, lambda w: services.wish_claim(actor=request.user, wish=w),
                     "认领成功，请尽快帮助实现心愿。")


@login_required
@page_errors
@require_POST
def wish_fulfil(request, pk):
    return _wish_act(request, pk, lambda w: services.wish_fulfil(
        actor=request.user, wish=w, note=request.POST.get("note", ""), photo_files=request.FILES.getlist("photos")),
        "已登记实现，等待心愿人确认。")


@login_required
@page_errors
@require_POST
def wish_confirm(request, pk):
    return _wish_act(request, pk, lambda w: services.wish_confirm(actor=request.user, wish=w,
                                                                  note=request.POST.get("note", "")),
                     "已确认，谢谢您的反馈。")


@login_required
@page_errors
@require_POST
def wish_withdraw(request, pk):
    return _wish_act(request, pk, lambda w: services.wish_withdraw(actor=request.user, wish=w), "已撤回。")


@never_cache
@login_required
@page_errors
def wish_photo(request, pk, photo_pk):
    wish = access.wish_get(request.user, pk)
    photo = WishPhoto.objects.filter(wish=wish, pk=parse_id(photo_pk)).first()
    if photo is None:
        raise Http404("未找到")
    return _file(photo.file, photo.content_type)


# --- needs and resources ------------------------------------------------------------------------

@login_required
@page_errors
def needs(request):
    actor = request.user
    scope = scope_for(actor)
    status = request.GET.get("status", "")
    status = status if status in Need.Status.values else ""
    page, query = paginate(request, selectors.need_list_visible_to(actor=actor, filters={"status": status,
                                                                                         "area": True}))
    tasks = selectors.need_list_visible_to(actor=actor, filters={"mine": "tasks"})[:30]
    return render(request, "stations/needs.html", {
        "page": page, "query": query, "statuses": Need.Status.choices, "status": status, "tasks": tasks,
        "mine": selectors.need_list_visible_to(actor=actor, filters={"mine": "ordered"})[:20] if scope.resident_ids else [],
        "is_staff": scope.is_staff_scope, "may_order": bool(scope.resident_ids), "may_record": can_edit(actor),
        "is_partner": selectors.is_partner_staff(actor),
    })


@login_required
@page_errors
def need_new(request):
    actor = request.user
    for_resident = request.GET.get("for") == "resident" or "resident" in request.POST
    if for_resident:
        require(can_edit(actor), "只有工作人员可以代居民登记需求。")
        form = forms.NeedForResidentForm(request.POST or None, actor=actor)
    else:
        initial = {}
        if request.method == "GET" and request.GET.get("service"):
            try:
                item = selectors.service_list_visible_to(actor=actor, station=None, any_station=True).filter(
                    pk=parse_id(request.GET["service"])).first()
            except ValueError:
                item = None
            if item is not None:
                initial = {"service": item.pk, "title": item.name}
        form = forms.NeedForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            need = services.need_post(actor=actor, title=data["title"], body=data["body"],
                                      resident=data.get("resident"), source=data.get("source") or "resident",
                                      service=data.get("service"))
        except (Refused, ValidationError) as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, "需求已提交，社区会尽快派单。")
            return redirect("stations:need_detail", need.pk)
    return render(request, "stations/form.html", {
        "form": form, "title": "代居民登记需求" if for_resident else "我要点单", "button": "提交"})


@login_required
@page_errors
def need_detail(request, pk):
    actor = request.user
    need = access.need_get(actor, pk)
    dispatcher = services.may_dispatch(actor, need.community)
    handler = need.resource_id is not None and need.resource.handler_id == actor.pk
    return render(request, "stations/need_detail.html", {
        "need": need, "events": need.events.all(), "dispatcher": dispatcher,
        "identity": dispatcher or need.resident_id in scope_for(actor).resident_ids or need.posted_by_id == actor.pk,
        "resources": (selectors.resource_list_visible_to(actor=actor, filters={"community": need.community_id})
                      if dispatcher and need.status == Need.Status.OPEN else []),
        "may_accept": handler and need.status == Need.Status.DISPATCHED,
        "may_done": handler and need.status == Need.Status.ACCEPTED,
        "may_rate": need.status == Need.Status.DONE and need.resident.user_id == actor.pk,
    })


def _need_act(request, pk, work, success):
    need = access.need_get(request.user, pk)
    act(request, lambda: work(need), success)
    return redirect("stations:need_detail", pk)


@login_required
@page_errors
@require_POST
def need_dispatch(request, pk):
    def work(need):
        try:
            resource = access.resource_get(request.user, parse_id(request.POST.get("resource", "")))
        except ValueError:
            raise Refused("resource_required", "请选择派给哪个资源。", field="resource") from None
        return services.need_dispatch(actor=request.user, need=need, resource=resource)

    return _need_act(request, pk, work, "已派单，等待接单。")


@login_required
@page_errors
@require_POST
def need_accept(request, pk):
    return _need_act(request, pk, lambda n: services.need_accept(actor=request.user, need=n), "已接单。")


@login_required
@page_errors
@require_POST
def need_decline(request, pk):
    return _need_act(request, pk, lambda n: services.need_decline(actor=request.user, need=n,
                                                                  reason=request.POST.get("reason", "")),
                     "已拒单，需求退回社区重新派单。")


@login_required
@page_errors
@require_POST
def need_done(request, pk):
    return _need_act(request, pk, lambda n: services.need_done(actor=request.user, need=n,
                                                               result=request.POST.get("result", "")),
                     "已登记办理结果，等待居民评价。")


@login_required
@page_errors
@require_POST
def need_rate(request, pk):
    def work(need):
        try:
            rating = int(request.POST.get("rating", ""))
        except ValueError:
            rating = 0
        return services.need_rate(actor=request.user, need=need, rating=rating, note=request.POST.get("note", ""))

    return _need_act(request, pk, work, "谢谢您的评价。")


@login_required
@page_errors
def resources(request):
    actor = request.user
    require(scope_for(actor).is_staff_scope, "资源清单由社区工作人员维护。")
    page, query = paginate(request, selectors.resource_list_visible_to(actor=actor))
    return render(request, "stations/resources.html", {"page": page, "query": query, "may_add": can_edit(actor)})


@login_required
@page_errors
def resource_new(request):
    actor = request.user
    require(can_edit(actor), services.NOT_DISPATCHER)
    form = forms.ResourceForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        staff = data.pop("partner_handler")
        data["handler"] = staff.user if staff else data["handler"].user
        if staff:
            data["partner"] = staff.partner
        try:
            services.resource_create(actor=actor, **data)
        except (Refused, ValidationError) as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, "已加入资源清单。")
            return redirect("stations:resources")
    return render(request, "stations/form.html", {"form": form, "title": "登记资源"})


# --- partner staff, cases at a station, projects, errands -------------------------------------------

@login_required
@page_errors
def partner_staff(request):
    actor = request.user
    require(can_edit(actor), services.NOT_DISPATCHER)
    page, query = paginate(request, selectors.partner_staff_list_visible_to(actor=actor))
    form = forms.PartnerStaffForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff = services.partner_staff_add(actor=actor, **data)
        except (Refused, ValidationError) as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, f"已为{staff.name}开通账号“{staff.user.username}”，登记资源时可选为接单人。")
            return redirect("stations:partner_staff")
    return render(request, "stations/partner_staff.html", {"page": page, "query": query, "form": form})


@login_required
@page_errors
@require_POST
def partner_staff_close(request, pk):
    staff = get_visible(PartnerStaff.objects.select_related("user"), scope_for(request.user), pk)
    act(request, lambda: services.partner_staff_deactivate(actor=request.user, staff=staff),
        f"已停用{staff.name}的账号，派给他的需求记录仍然保留。")
    return redirect("stations:partner_staff")


@login_required
@page_errors
def station_cases(request, pk):
    actor = request.user
    station = access.station_get(actor, pk)
    worker = services.may_work_at(actor, station)
    require(worker or scope_for(actor).is_staff_scope, "服务站承办的诉求由工作人员查看。")
    form = forms.StationCaseForm(request.POST or None)
    if request.method == "POST":
        require(worker, services.NOT_STATION_WORKER)
        if form.is_valid():
            from linli.cases.models import Case

            case = visible(Case.objects.filter(pk=form.cleaned_data["case"]), scope_for(actor)).first()
            if case is None:
                form.add_error("case", "未找到该诉求，或不在您的辖区。")
            elif act(request, lambda: services.station_case_assign(actor=actor, station=station, case=case,
                                                                    note=form.cleaned_data["note"]),
                      f"诉求 #{case.pk} 已派给{station.name}。"):
                return redirect("stations:station_cases", pk)
    page, query = paginate(request, selectors.station_case_list_visible_to(actor=actor, filters={"station": station.pk}))
    return render(request, "stations/station_cases.html", {
        "station": station, "page": page, "query": query, "form": form if worker else None,
        "figures": selectors.station_figures(actor=actor, station=station)})


@login_required
@page_errors
def errands(request, pk):
    actor = request.user
    station = access.station_get(actor, pk)
    worker = services.may_work_at(actor, station)
    form = forms.ErrandForm(request.POST or None, actor=actor, station=station) if worker else None
    if request.method == "POST":
        require(worker, services.NOT_STATION_WORKER)
        if form.is_valid():
            data = form.cleaned_data
            if act(request, lambda: services.errand_record(actor=actor, station=station, **data),
                    "已登记帮办代办。"):
                return redirect("stations:errands", pk)
    page, query = paginate(request, selectors.errand_list_visible_to(actor=actor, filters={"station": station.pk}))
    return render(request, "stations/errands.html", {"station": station, "page": page, "query": query, "form": form})


@login_required
@page_errors
def projects(request):
    actor = request.user
    status = request.GET.get("status", "")
    status = status if status in Project.Status.values else ""
    page, query = paginate(request, selectors.project_list_visible_to(actor=actor, filters={"status": status}))
    return render(request, "stations/projects.html", {
        "page": page, "query": query, "statuses": Project.Status.choices, "status": status,
        "may_add": can_edit(actor) and bool(scope_for(actor).work_area().unit_prefixes or scope_for(actor).everything)})


@login_required
@page_errors
def project_new(request):
    actor = request.user
    require(can_edit(actor), services.NOT_DISPATCHER)
    initial = {}
    if request.method == "GET" and request.GET.get("need"):
        try:
            need = access.need_get(actor, parse_id(request.GET["need"]))
        except ValueError:
            raise Http404("未找到") from None
        initial = {"need": need.pk, "title": need.title, "community": need.community_id}
    form = forms.ProjectForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=actor, **form.cleaned_data)
        except (Refused, ValidationError) as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, "共建项目已立项，请确定责任方。")
            return redirect("stations:project_detail", project.pk)
    return render(request, "stations/form.html", {"form": form, "title": "共建项目立项", "button": "立项"})


@login_required
@page_errors
def project_detail(request, pk):
    actor = request.user
    project = access.project_get(actor, pk)
    manager = services.may_dispatch(actor, project.community)
    return render(request, "stations/project_detail.html", {
        "project": project, "manager": manager, "owners": project.owners.select_related("partner"),
        "events": project.events.all(), "owner_form": forms.ProjectOwnerForm(actor=actor, project=project)})


def _project_act(request, pk, work, success):
    project = access.project_get(request.user, pk)
    act(request, lambda: work(project), success)
    return redirect("stations:project_detail", pk)


@login_required
@page_errors
@require_POST
def project_owner_add(request, pk):
    project = access.project_get(request.user, pk)
    form = forms.ProjectOwnerForm(request.POST, actor=request.user, project=project)
    if form.is_valid():
        act(request, lambda: services.project_owner_add(actor=request.user, project=project, **form.cleaned_data),
             "已增加责任方。")
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("stations:project_detail", pk)


@login_required
@page_errors
@require_POST
def project_start(request, pk):
    return _project_act(request, pk, lambda p: services.project_start(actor=request.user, project=p), "项目开始实施。")


@login_required
@page_errors
@require_POST
def project_finish(request, pk):
    return _project_act(request, pk, lambda p: services.project_finish(actor=request.user, project=p,
                                                                       result=request.POST.get("result", "")),
                        "已登记项目完成。")


@login_required
@page_errors
@require_POST
def project_cancel(request, pk):
    return _project_act(request, pk, lambda p: services.project_cancel(actor=request.user, project=p,
                                                                       reason=request.POST.get("reason", "")),
                        "项目已终止。")
