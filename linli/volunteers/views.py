"""Volunteer pages: thin over selectors (lists), access (details) and services (writes).

A refusal (`Refused`) or a validation error comes back as a Chinese message on the page and writes
nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from linli.accounts.scope import can_edit
from linli.core.access import require
from linli.core.errors import Refused
from linli.core.ids import parse_id
from linli.core.pages import act, page_errors, paginate
from linli.core.scoping import scope_for
from linli.people.models import PartyMember
from linli.volunteers import access, forms, selectors, services

NOT_OFFICER = "只有社区书记、街道和区级干部查看双报到统计。"


def _may_manage_any(actor) -> bool:
    scope = scope_for(actor).work_area()
    return can_edit(actor) and bool(scope.unit_prefixes or scope.compound_ids or scope.everything)


# --- the volunteer's own page ----------------------------------------------------------------------

@login_required
@page_errors
def mine(request):
    actor = request.user
    member = PartyMember.objects.filter(resident__user=actor).select_related("dual_registered_community").first()
    in_service = member is not None and member.category == PartyMember.Category.IN_SERVICE
    return render(request, "volunteers/mine.html", {
        "activities": selectors.my_activities(actor=actor),
        "teams": selectors.team_list_visible_to(actor=actor, filters={"mine": True}),
        "hours": selectors.my_hours(actor=actor),
        "has_statement": bool(scope_for(actor).resident_ids),
        "in_service": in_service,
        "registration": services.current_registration(member) if in_service else None,
        "member": member,
        "may_manage": _may_manage_any(actor),
    })


@login_required
@page_errors
@require_POST
def sign_up(request, pk):
    activity = access.activity_get(request.user, pk)
    act(request, lambda: services.sign_up(actor=request.user, activity=activity),
         f"已报名“{activity.title}”，请在活动开始前 30 分钟内到现场签到。")
    return redirect("volunteers:mine")


@login_required
@page_errors
@require_POST
def cancel(request, pk):
    attendance = access.attendance_get(request.user, pk)
    act(request, lambda: services.cancel_signup(actor=request.user, attendance=attendance), "已取消报名。")
    return redirect("volunteers:mine")


def _position(request):
    values = [request.POST.get(name, "").strip()[:30] for name in ("latitude", "longitude", "accuracy")]
    if not all(values):
        raise Refused("location_missing", "没有取得您的位置：请允许浏览器获取位置后再试。")
    return dict(zip(("latitude", "longitude", "accuracy"), values, strict=True))


@login_required
@page_errors
@require_POST
def check_in(request, pk):
    attendance = access.attendance_get(request.user, pk)
    act(request, lambda: services.check_in(actor=request.user, attendance=attendance, **_position(request)),
         lambda done: f"签到成功（距活动地点约 {done.in_distance} 米）。")
    return redirect("volunteers:mine")


@login_required
@page_errors
@require_POST
def check_out(request, pk):
    attendance = access.attendance_get(request.user, pk)
    act(request, lambda: services.check_out(actor=request.user, attendance=attendance, **_position(request)),
         lambda done: f"签退成功，本次服务 {done.hours} 小时。{done.booking}")
    return redirect("volunteers:mine")


@login_required
@page_errors
def register(request):
    actor = request.user
    member = PartyMember.objects.filter(resident__user=actor).select_related("resident").first()
    require(member is not None and member.category == PartyMember.Category.IN_SERVICE, "双报到只适用于在职党员。")
    form = forms.RegisterForm(request.POST or None, initial={"employer": member.employer})
    if request.method == "POST" and form.is_valid():
        done = act(request, lambda: services.dual_register(actor=actor, member=member, **form.cleaned_data),
                    lambda made: f"已向{made.community.name}报到。")
        if done is not None:
            return redirect("volunteers:mine")
    return render(request, "volunteers/form.html", {"form": form, "title": "双报到：向居住地社区报到",
                                                    "button": "报到"})


# --- staff: teams and activities -------------------------------------------------------------------

@login_required
@page_errors
def teams(request):
    actor = request.user
    page, query = paginate(request, selectors.team_list_visible_to(actor=actor, filters={
        "kind": request.GET.get("kind", "")[:10]}))
    return render(request, "volunteers/teams.html", {"page": page, "query": query,
                                                     "may_manage": _may_manage_any(actor)})


@login_required
@page_errors
def team_new(request):
    actor = request.user
    require(_may_manage_any(actor), services.NOT_MANAGER)
    form = forms.TeamForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        made = act(request, lambda: services.team_create(actor=actor, **form.cleaned_data),
                    lambda team: f"已成立“{team.name}”。")
        if made is not None:
            return redirect("volunteers:team_detail", made.pk)
    return render(request, "volunteers/form.html", {"form": form, "title": "成立志愿服务队", "button": "成立"})


@login_required
@page_errors
def team_detail(request, pk):
    actor = request.user
    team = access.team_get(actor, pk)
    may = services.may_manage(actor, team.community, team.compound)
    form = forms.MemberForm(request.POST or None, actor=actor) if may else None
    if request.method == "POST":
        require(may, services.NOT_MANAGER)
        if form.is_valid():
            act(request, lambda: services.member_add(actor=actor, team=team, resident=form.cleaned_data["resident"]),
                 lambda member: f"{member.name}已加入。")
            return redirect("volunteers:team_detail", team.pk)
    activities = selectors.activity_list_visible_to(actor=actor, filters={"team": team.pk})
    page, query = paginate(request, activities)
    return render(request, "volunteers/team_detail.html", {
        "team": team, "members": selectors.member_list_visible_to(actor=actor, team=team), "page": page,
        "query": query, "may_manage": may, "form": form})


@login_required
@page_errors
def activity_new(request, pk):
    actor = request.user
    team = access.team_get(actor, pk)
    require(services.may_manage(actor, team.community, team.compound), services.NOT_MANAGER)
    form = forms.ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = act(request, lambda: services.activity_create(actor=actor, team=team, **form.cleaned_data),
                    lambda act: f"已发布“{act.title}”。")
        if made is not None:
            return redirect("volunteers:activity_detail", made.pk)
    return render(request, "volunteers/form.html", {"form": form, "title": f"{team.name}：发布活动",
                                                    "button": "发布"})


@login_required
@page_errors
def activity_detail(request, pk):
    actor = request.user
    activity = access.activity_get(actor, pk)
    may = services.may_manage(actor, activity.community, activity.compound)
    rows = selectors.attendance_list_visible_to(actor=actor, filters={"activity": activity.pk})
    if not may:
        rows = rows.filter(user=actor)
    page, query = paginate(request, rows.order_by("signed_at", "id"))
    return render(request, "volunteers/activity_detail.html", {
        "activity": activity, "page": page, "query": query, "may_manage": may, "hours_form": forms.HoursForm()})


@login_required
@page_errors
@require_POST
def hours_confirm(request, pk):
    attendance = access.attendance_get(request.user, pk)
    form = forms.HoursForm(request.POST)
    if form.is_valid():
        act(request, lambda: services.hours_confirm(actor=request.user, attendance=attendance,
                                                     hours=form.cleaned_data["hours"]),
             lambda done: f"已确认{done.member.name}的时长 {done.hours} 小时。{done.booking}")
    else:
        messages.error(request, "时长须为 0.5–24 之间、以半小时为单位的数字。")
    return redirect("volunteers:activity_detail", attendance.activity_id)


# --- officers: the dual-registration report --------------------------------------------------------

@login_required
@page_errors
def report(request):
    actor = request.user
    require(scope_for(actor).is_officer, NOT_OFFICER)
    from linli.stations.selectors import indicator_units

    units = indicator_units(actor=actor)
    unit = None
    if request.GET.get("unit"):
        try:
            unit = units.filter(pk=parse_id(request.GET["unit"])).first()
        except ValueError:
            unit = None
        if unit is None:
            raise Http404("未找到")
    return render(request, "volunteers/report.html", {"report": selectors.report(actor=actor, unit=unit),
                                                      "units": units[:200], "unit": unit})
