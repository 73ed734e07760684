"""Reads of the volunteers domain, always through the jurisdiction filter, and the dual-registration
report per employer unit and per community (a constant number of queries)."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from linli.core.scoping import scope_for, visible
from linli.stations.models import MicroWish, Need
from linli.volunteers.models import Activity, Attendance, DualRegistration, Member, Team


def team_list_visible_to(*, actor, filters=None):
    filters = filters or {}
    qs = visible(Team.objects.select_related("community", "compound"), scope_for(actor))
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("mine"):
        qs = qs.filter(pk__in=Member.objects.filter(user=actor, active=True).values("team_id"))
    return (qs.annotate(member_count=Count("members", filter=Q(members__active=True), distinct=True))
            .order_by("community__code", "kind", "name", "id"))


def member_list_visible_to(*, actor, team):
    return visible(Member.objects.filter(team=team, active=True).select_related("partner"), scope_for(actor))


def activity_list_visible_to(*, actor, filters=None):
    filters = filters or {}
    qs = visible(Activity.objects.select_related("team", "community"), scope_for(actor))
    if filters.get("team"):
        qs = qs.filter(team_id=filters["team"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return (qs.annotate(taken=Count("attendances", filter=~Q(attendances__status=Attendance.Status.CANCELLED)))
            .order_by("-starts_at", "-id"))


def my_activities(*, actor):
    """The activities of the actor's teams, each with the actor's own attendance (or None)."""
    teams = Member.objects.filter(user=actor, active=True).values("team_id")
    rows = list(activity_list_visible_to(actor=actor).filter(team_id__in=teams).order_by("-starts_at", "-id")[:60])
    mine = {a.activity_id: a for a in Attendance.objects.filter(user=actor, activity__in=[r.pk for r in rows])}
    for row in rows:
        row.mine = mine.get(row.pk)
    return rows


def attendance_list_visible_to(*, actor, filters=None):
    filters = filters or {}
    qs = visible(Attendance.objects.select_related("activity", "member", "award"), scope_for(actor))
    if filters.get("activity"):
        qs = qs.filter(activity_id=filters["activity"])
    if filters.get("mine"):
        qs = qs.filter(user=actor)
    return qs


def my_hours(*, actor) -> Decimal:
    return _tenths(Attendance.objects.filter(user=actor, status=Attendance.Status.OUT)
                   .aggregate(total=Sum("hours"))["total"])


def _tenths(value) -> Decimal:
    """Sums of hours the same on every database (SQLite answers 2 where PostgreSQL answers 2.0)."""
    return Decimal(value or 0).quantize(Decimal("0.1"))


def registration_list_visible_to(*, actor, filters=None):
    filters = filters or {}
    qs = visible(DualRegistration.objects.select_related("member__resident", "community"), scope_for(actor))
    if filters.get("open", True):
        qs = qs.filter(ended_on__isnull=True)
    return qs


def report(*, actor, unit=None) -> dict:
    """Dual-registered members, their volunteer hours, wishes fulfilled and needs served, per employer
    unit and per community, over the actor's work area (or one unit of it); plus each community's
    volunteer teams and hours of all their members."""
    scope = scope_for(actor).work_area()
    regs = visible(DualRegistration.objects.filter(ended_on__isnull=True), scope)
    teams = visible(Team.objects.filter(active=True), scope)
    attendances = visible(Attendance.objects.filter(status=Attendance.Status.OUT), scope)
    if unit is not None:
        regs = regs.filter(community__code__startswith=unit.prefix)
        teams = teams.filter(community__code__startswith=unit.prefix)
        attendances = attendances.filter(activity__community__code__startswith=unit.prefix)
    rows = list(regs.values("employer", "community_id", "community__name", "member__resident__user_id"))
    users = {r["member__resident__user_id"] for r in rows if r["member__resident__user_id"]}
    hours = dict(Attendance.objects.filter(user_id__in=users, status=Attendance.Status.OUT)
                 .values_list("user_id").annotate(h=Sum("hours")))
    wishes = dict(MicroWish.objects.filter(claimed_by_id__in=users, status__in=(MicroWish.Status.FULFILLED,
                                                                                 MicroWish.Status.CONFIRMED))
                  .values_list("claimed_by_id").annotate(n=Count("id")))
    needs = dict(Need.objects.filter(resource__handler_id__in=users, status__in=(Need.Status.DONE, Need.Status.RATED))
                 .values_list("resource__handler_id").annotate(n=Count("id")))

    def grouped(key):
        out = defaultdict(lambda: {"members": 0, "hours": _tenths(0), "wishes": 0, "needs": 0})
        for r in rows:
            line, user = out[key(r)], r["member__resident__user_id"]
            line["members"] += 1
            line["hours"] += _tenths(hours.get(user))
            line["wishes"] += wishes.get(user, 0)
            line["needs"] += needs.get(user, 0)
        return [{"name": name, **values} for name, values in sorted(out.items())]

    team_counts = dict(teams.values_list("community__name").annotate(n=Count("id")))
    team_hours = dict(attendances.values_list("activity__community__name").annotate(h=Sum("hours")))
    by_community = {line["name"]: line for line in grouped(lambda r: r["community__name"])}
    for name in set(team_counts) | set(team_hours):
        by_community.setdefault(name, {"name": name, "members": 0, "hours": _tenths(0), "wishes": 0, "needs": 0})
    communities = [{**line, "teams": team_counts.get(name, 0), "team_hours": _tenths(team_hours.get(name))}
                   for name, line in sorted(by_community.items())]
    return {"employers": grouped(lambda r: r["employer"]), "communities": communities,
            "members": len(rows), "hours": sum((line["hours"] for line in communities), _tenths(0))}


def is_volunteer(user) -> bool:
    return Member.objects.filter(user=user, active=True).exists()

