"""The grid worker's day on a phone (today, check-in, patrol, visit, my figures) and the community's
figures: thin over selectors, access and services. A refusal comes back as the service's sentence."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from linli.core import clock
from linli.core.access import require
from linli.core.errors import Refused
from linli.core.ids import parse_id
from linli.core.pages import page_errors, paginate
from linli.core.scoping import scope_for, visible
from linli.gridwork import access, figures, forms, selectors, services
from linli.gridwork.duties import ADMITTED, REFUSED, duties_of
from linli.gridwork.models import CheckIn, Patrol, RosterMember
from linli.people.models import GridWorker, Household, Resident
from linli.places.models import Building, Grid


def _id(value) -> int | None:
    """An id from a form or query string, or None (bad input is a refusal, never a 500)."""
    try:
        return parse_id(value)
    except (TypeError, ValueError):
        return None


def _worker(request) -> GridWorker | None:
    return GridWorker.objects.filter(user_id=request.user.pk).prefetch_related("grids").first()


def _say(request, exc) -> None:
    if isinstance(exc, Refused):
        messages.error(request, exc.message)
    else:
        messages.error(request, "；".join(m for ms in exc.message_dict.values() for m in ms))


def _month(request) -> dt.date:
    value = request.GET.get("month", "")
    try:
        year, month = value.split("-")
        return dt.date(int(year), int(month), 1)
    except ValueError:
        return clock.today().replace(day=1)


def _not_registered(request):
    return render(request, "gridwork/not_registered.html", status=200)


# --- the worker's day -----------------------------------------------------------------------------

@login_required
@page_errors
def today(request):
    worker = _worker(request)
    if worker is None:
        return _not_registered(request)
    now = timezone.localtime(clock.now())
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    open_check = services.open_check_in(worker)
    running = Patrol.objects.filter(worker=worker, ended_at__isnull=True).select_related("grid").first()
    day = figures.per_worker([worker], now.date(), since=start_of_day)[0]
    return render(request, "gridwork/today.html", {
        "worker": worker, "open_check": open_check, "running": running, "day": day, "today_date": now.date(),
        "check_in_form": forms.CheckInForm(worker=worker),
        "follow_ups": selectors.visit_list_visible_to(actor=request.user, worker=worker.pk,
                                                      follow_up_open=True)[:10],
        "care": selectors.care_households_unvisited(actor=request.user, worker=worker),
        "plans": selectors.plan_status_visible_to(actor=request.user, worker=worker, overdue_limit=10),
        "tasks": selectors.task_list_visible_to(actor=request.user, open_only=True).filter(
            grid__in=worker.grids.all())[:10],
        "patrols": selectors.patrol_list_visible_to(actor=request.user, worker=worker.pk).filter(
            started_at__gte=start_of_day)[:10],
    })


@login_required
@require_POST
@page_errors
def check_in(request):
    worker = _worker(request)
    if worker is None:
        return _not_registered(request)
    try:
        row = services.check_in(actor=request.user, grid=_id(request.POST.get("grid")) or 0,
                                latitude=request.POST.get("latitude"), longitude=request.POST.get("longitude"),
                                accuracy_m=request.POST.get("accuracy_m"), photo=request.FILES.get("photo"))
    except (Refused, ValidationError) as exc:
        _say(request, exc)
    else:
        late = "" if row.on_time else "（晚于规定时间）"
        messages.success(request, f"已在{row.grid.name}报到，{timezone.localtime(row.checked_in_at):%H:%M}{late}。")
    return redirect("gridwork:today")


@login_required
@require_POST
@page_errors
def check_out(request):
    try:
        row = services.check_out(actor=request.user)
    except Refused as exc:
        _say(request, exc)
    else:
        messages.success(request, f"已签退，本次在岗 {row.minutes // 60} 小时 {row.minutes % 60} 分。")
    return redirect("gridwork:today")


# --- patrols --------------------------------------------------------------------------------------

@login_required
@require_POST
@page_errors
def patrol_start(request):
    try:
        patrol = services.patrol_start(actor=request.user, grid=_id(request.POST.get("grid")) or 0)
    except Refused as exc:
        _say(request, exc)
        return redirect("gridwork:today")
    return redirect("gridwork:patrol", patrol.pk)


@login_required
@page_errors
def patrol(request, pk):
    row = access.patrol_get(request.user, pk)
    buildings = list(Building.objects.filter(grid_id=row.grid_id).select_related("compound")
                     .order_by("compound__name", "number", "id"))
    stops = {s.building_id: s for s in row.stops.all()}
    last = max(stops.values(), key=lambda s: (s.at, s.pk)).building_id if stops else None
    mine = row.worker.user_id == request.user.pk
    return render(request, "gridwork/patrol.html", {
        "patrol": row, "mine": mine and row.ended_at is None,
        "route": [{"building": b, "stop": stops.get(b.pk)} for b in buildings],
        "findings": row.findings.select_related("building__compound", "case").order_by("at", "id"),
        "form": forms.FindingForm(buildings=buildings, initial={"building": last}),
    })


def _patrol_back(pk):
    return redirect("gridwork:patrol", pk)


@login_required
@require_POST
@page_errors
def patrol_stop(request, pk):
    row = access.patrol_get(request.user, pk)
    try:
        stop = services.patrol_stop(actor=request.user, patrol=row, building=_id(request.POST.get("building")) or 0)
    except Refused as exc:
        _say(request, exc)
    else:
        messages.success(request, f"已到达{stop.building.compound.name}{stop.building.number}。")
    return _patrol_back(pk)


@login_required
@require_POST
@page_errors
def finding_record(request, pk):
    row = access.patrol_get(request.user, pk)
    try:
        services.finding_record(actor=request.user, patrol=row, text=request.POST.get("text", ""),
                                building=_id(request.POST.get("building")) or 0,
                                category=request.POST.get("category", "other"), photo=request.FILES.get("photo"),
                                latitude=request.POST.get("latitude"), longitude=request.POST.get("longitude"),
                                accuracy_m=request.POST.get("accuracy_m"))
    except (Refused, ValidationError) as exc:
        _say(request, exc)
    else:
        messages.success(request, "已记录巡查发现。")
    return _patrol_back(pk)


@login_required
@require_POST
@page_errors
def finding_case(request, pk):
    finding = access.finding_get(request.user, pk)
    try:
        case = services.finding_to_case(actor=request.user, finding=finding)
    except (Refused, ValidationError) as exc:
        _say(request, exc)
    else:
        messages.success(request, f"已转为诉求 #{case.pk}（网格巡查），进入办理流程。")
    return _patrol_back(finding.patrol_id)


@login_required
@require_POST
@page_errors
def patrol_end(request, pk):
    row = access.patrol_get(request.user, pk)
    try:
        services.patrol_end(actor=request.user, patrol=row, note=request.POST.get("note", ""))
    except Refused as exc:
        _say(request, exc)
        return _patrol_back(pk)
    messages.success(request, "巡查已结束。")
    return redirect("gridwork:today")


# --- visits ---------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def visit_new(request):
    worker = _worker(request)
    if worker is None:
        return _not_registered(request)
    initial = {"household": request.GET.get("household")} if _id(request.GET.get("household")) else {}
    form = forms.VisitForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_record(actor=request.user, household=data["household"], visited_at=data["visited_at"],
                                  minutes=data["minutes"], purpose=data["purpose"], notes=data["notes"],
                                  follow_up=data["follow_up"], follow_up_due=data["follow_up_due"])
        except (Refused, ValidationError) as exc:
            _say(request, exc)
        else:
            messages.success(request, f"已登记走访：{data['household']}。")
            return redirect("gridwork:today")
    return render(request, "gridwork/visit_form.html", {"form": form})


@login_required
@require_POST
@page_errors
def follow_up_done(request, pk):
    visit = access.visit_get(request.user, pk)
    try:
        services.follow_up_done(actor=request.user, visit=visit)
    except Refused as exc:
        _say(request, exc)
    else:
        messages.success(request, f"后续事项已办结：{visit.follow_up}")
    return redirect("gridwork:today")


@login_required
@require_POST
@page_errors
def task_done(request, pk):
    task = access.task_get(request.user, pk)
    services.task_done(actor=request.user, task=task)
    messages.success(request, f"任务已完成：{task.title}")
    return redirect("gridwork:today")


# --- figures --------------------------------------------------------------------------------------

@login_required
@page_errors
def my_figures(request):
    worker = _worker(request)
    if worker is None:
        return _not_registered(request)
    month = _month(request)
    row = figures.per_worker([worker], month)[0]
    values = {"check_ins": row.check_in_days, "patrols": row.patrols, "findings": row.findings, "cases": row.cases,
              "visits": row.visits,
              "follow_ups": selectors.visit_list_visible_to(actor=request.user, worker=worker.pk, month=month)
              .exclude(follow_up="").filter(follow_up_done_at__isnull=False).count(),
              "tasks": selectors.task_list_visible_to(actor=request.user).filter(
                  grid__in=worker.grids.all(), done_at__isnull=False).count()}
    by_purpose = dict(selectors.visit_list_visible_to(actor=request.user, worker=worker.pk, month=month)
                      .order_by().values_list("purpose").annotate(n=Count("pk")))
    duties = [{"duty": d, "value": by_purpose.get(d.purpose, 0) if d.purpose else values.get(d.measure, 0)}
              for d in duties_of(worker.kind)]
    return render(request, "gridwork/my_figures.html", {
        "worker": worker, "row": row, "month": month, "duties": duties, "rule": figures.VISIT_SHARE_RULE,
        "visits": selectors.visit_list_visible_to(actor=request.user, worker=worker.pk, month=month)[:20]})


@login_required
@page_errors
def team(request):
    access.officer_required(request.user)
    month = _month(request)
    grid = _id(request.GET.get("grid"))
    workers = selectors.workers_visible_to(actor=request.user, grid=grid)
    months, total, grids = figures.team_month(workers, month)
    page, query = paginate(request, months)
    now = timezone.localtime(clock.now())
    late = now.date().weekday() < 5 and now.time() > settings.LINLI_CHECKIN_BY
    checked = set(CheckIn.objects.filter(worker__in=workers.order_by().values("pk"), checked_in_at__date=now.date())
                  .values_list("worker_id", flat=True))
    return render(request, "gridwork/team.html", {
        "not_in_today": [m.name for m in months if m.worker_id not in checked][:50]
        if late and month == now.date().replace(day=1) else [], "checkin_by": settings.LINLI_CHECKIN_BY,
        "month": month, "total": total, "grids": grids,
        "page": page, "query": query, "rule": figures.VISIT_SHARE_RULE,
        "grid_choices": visible(Grid.objects.select_related("community"), scope_for(request.user)).order_by("code")[:200],
        "grid": grid,
    })


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def tasks(request):
    access.officer_required(request.user)
    grids = visible(Grid.objects.select_related("community"), scope_for(request.user).unit_area()).order_by("code")
    form = forms.TaskForm(request.POST or None, grids=grids[:500])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.task_push(actor=request.user, grid=grids.get(pk=data["grid"]), matter=data["matter"],
                               title=data["title"], department=data["department"], due_on=data["due_on"])
        except (Refused, ValidationError) as exc:
            _say(request, exc)
        else:
            messages.success(request, "已派给网格。")
            return redirect("gridwork:tasks")
    page, query = paginate(request, selectors.task_list_visible_to(actor=request.user))
    return render(request, "gridwork/tasks.html", {"form": form, "page": page, "query": query,
                                                   "admitted": ADMITTED, "refused": REFUSED.values()})


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def plans(request):
    access.officer_required(request.user)
    grids = visible(Grid.objects.select_related("community"), scope_for(request.user).unit_area()).order_by("code")
    form = forms.PlanForm(request.POST or None, grids=grids[:500])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_set(actor=request.user, grid=grids.get(pk=data["grid"]), care_tag=data["care_tag"],
                              every_days=data["every_days"])
        except (Refused, ValidationError) as exc:
            _say(request, exc)
        else:
            messages.success(request, "走访计划已保存。")
            return redirect("gridwork:plans")
    return render(request, "gridwork/plans.html", {
        "form": form, "statuses": selectors.plan_status_visible_to(actor=request.user, overdue_limit=10)})


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def trials(request):
    access.officer_required(request.user)
    candidates = list(selectors.trial_candidates(actor=request.user))
    form = forms.TrialForm(request.POST or None, workers=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            worker = next(w for w in candidates if str(w.pk) == data["worker"])
            trial = services.trial_start(actor=request.user, worker=worker, starts_on=data["starts_on"],
                                         trained_on=data["trained_on"])
        except (Refused, ValidationError) as exc:
            _say(request, exc)
        else:
            messages.success(request, f"{trial.worker.name}的试用期到 {trial.ends_on:%Y-%m-%d}。")
            return redirect("gridwork:trials")
    rows = selectors.trial_list_visible_to(actor=request.user)
    page, query = paginate(request, rows)
    return render(request, "gridwork/trials.html", {
        "form": form, "page": page, "query": query, "summary": selectors.trial_summary(rows),
        "today_date": clock.today(), "outcomes": forms.ASSESS_OUTCOMES})


@login_required
@require_POST
@page_errors
def trial_assess(request, pk):
    trial = access.trial_get(request.user, pk)
    try:
        trial = services.trial_assess(actor=request.user, trial=trial, outcome=request.POST.get("outcome", ""),
                                      assessment=request.POST.get("assessment", ""),
                                      score=request.POST.get("score") or None)
    except (Refused, ValidationError) as exc:
        _say(request, exc)
    else:
        messages.success(request, f"{trial.worker.name}：{trial.get_outcome_display()}。")
    return redirect("gridwork:trials")


@login_required
@page_errors
def roster(request):
    require(scope_for(request.user).is_staff_scope, "两长四员名册由网格员和社区工作人员查看。")
    q = (request.GET.get("q") or "").strip()[:50]
    page, query = paginate(request, selectors.roster_buildings(actor=request.user, q=q))
    members: dict = {}
    for m in selectors.roster_list_visible_to(actor=request.user).filter(building__in=[b.pk for b in page]):
        members.setdefault(m.building_id, []).append(m)
    rows = [{"building": b, "members": members.get(b.pk, [])} for b in page]
    return render(request, "gridwork/roster.html", {"rows": rows, "page": page, "query": query, "q": q})


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def roster_building(request, pk):
    building = access.building_get(request.user, pk)
    residents = list(Resident.objects.filter(household__dwelling__entrance__building=building)
                     .select_related("household__dwelling__entrance").order_by("household__dwelling__entrance__number",
                                                                                  "household__dwelling__number", "id"))
    if request.method == "POST":
        resident = next((r for r in residents if str(r.pk) == request.POST.get("resident")), None)
        try:
            if resident is None:
                raise Refused("not_living_here", "请从本楼居民中选择担任人。")
            member = services.roster_appoint(actor=request.user, building=building,
                                             post=request.POST.get("post", ""), resident=resident)
        except (Refused, ValidationError) as exc:
            _say(request, exc)
        else:
            messages.success(request, f"{member.resident.name}担任{member.get_post_display()}。")
        return redirect("gridwork:roster_building", building.pk)
    households = (Household.objects.filter(dwelling__entrance__building=building).order_by()
                  .values("dwelling__entrance__number").annotate(n=Count("pk")).order_by("dwelling__entrance__number"))
    return render(request, "gridwork/roster_building.html", {
        "building": building, "residents": residents, "posts": RosterMember.Post.choices,
        "members": selectors.roster_list_visible_to(actor=request.user, building=building.pk),
        "households": households})


@login_required
@require_POST
@page_errors
def roster_end(request, pk):
    member = access.roster_get(request.user, pk)
    services.roster_end(actor=request.user, member=member)
    messages.success(request, f"{member.resident.name}已卸任{member.get_post_display()}。")
    return redirect("gridwork:roster_building", member.building_id)


# --- overdue visits and missed check-ins ----------------------------------------------------------

@login_required
@page_errors
def overdue(request):
    worker = _worker(request)
    if worker is None:
        access.officer_required(request.user)
    visits = selectors.overdue_visible_to(actor=request.user, worker=worker)
    page, query = paginate(request, visits)
    return render(request, "gridwork/overdue.html", {
        "worker": worker, "page": page, "query": query, "overdue_count": len(visits),
        "missed": selectors.missed_check_ins_visible_to(actor=request.user, worker=worker)[:200]})


# --- training records -----------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def trainings(request):
    worker = _worker(request)
    if worker is not None:
        rows = selectors.training_list_visible_to(actor=request.user, worker=worker.pk)
        page, query = paginate(request, rows)
        return render(request, "gridwork/trainings.html", {"worker": worker, "page": page, "query": query})
    access.officer_required(request.user)
    candidates = list(selectors.training_workers(actor=request.user))
    form = forms.TrainingForm(request.POST or None, workers=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            chosen = next(w for w in candidates if str(w.pk) == data["worker"])
            training = services.training_record(actor=request.user, worker=chosen, course=data["course"],
                                                held_on=data["held_on"], hours=data["hours"],
                                                certificate=data["certificate"])
        except (Refused, ValidationError) as exc:
            _say(request, exc)
        else:
            messages.success(request, f"已登记{training.worker.name}的培训：{training.course}。")
            return redirect("gridwork:trainings")
    page, query = paginate(request, selectors.training_list_visible_to(actor=request.user))
    return render(request, "gridwork/trainings.html", {"form": form, "page": page, "query": query})
