"""Reads that list stations and wishes, always through the jurisdiction filter, and the indicators."""

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from linli.core.scoping import scope_for, visible
from linli.places.models import Building, Compound
from linli.stations.models import (
    Errand,
    MicroWish,
    Need,
    PartnerStaff,
    Project,
    Resource,
    ServiceItem,
    Slot,
    Station,
    StationCase,
)


def station_list_visible_to(*, actor, filters=None):
    filters = filters or {}
    qs = visible(Station.objects.select_related("community", "compound", "grid"), scope_for(actor))
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("accepted") in ("1", True):
        qs = qs.filter(accepted_on__isnull=False)
    if filters.get("q"):
        qs = qs.filter(name__icontains=filters["q"])
    return qs


def slot_list_visible_to(*, actor, station):
    return visible(Slot.objects.filter(station=station), scope_for(actor)).order_by("weekday", "opens")


def service_list_visible_to(*, actor, station, active_only=True, any_station=False):
    qs = ServiceItem.objects.all() if any_station else ServiceItem.objects.filter(station=station)
    qs = visible(qs, scope_for(actor))
    return qs.filter(active=True) if active_only else qs


def wish_list_visible_to(*, actor, filters=None):
    """`area`: only the wishes of the actor's work area (the staff's table, which names the residents),
    not those they see as a resident or a Party member."""
    filters = filters or {}
    scope = scope_for(actor).work_area() if filters.get("area") else scope_for(actor)
    qs = visible(MicroWish.objects.select_related("compound", "community", "resident"), scope)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("mine") == "claimed":
        qs = qs.filter(claimed_by=actor)
    elif filters.get("mine") == "posted":
        qs = qs.filter(Q(resident_id__in=scope_for(actor).resident_ids) | Q(posted_by=actor))
    return qs


def resource_list_visible_to(*, actor, filters=None):
    filters = filters or {}
    qs = visible(Resource.objects.select_related("community", "handler"), scope_for(actor))
    if filters.get("community"):
        qs = qs.filter(community_id=filters["community"], active=True)
    return qs


def need_list_visible_to(*, actor, filters=None):
    filters = filters or {}
    scope = scope_for(actor).work_area() if filters.get("area") else scope_for(actor)
    qs = visible(Need.objects.select_related("compound", "resident", "resource"), scope)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("mine") == "tasks":
        qs = qs.filter(resource__handler=actor)
    elif filters.get("mine") == "ordered":
        qs = qs.filter(resident_id__in=scope_for(actor).resident_ids)
    return qs


def indicator_units(*, actor):
    """The administrative units (district, street, community) whose figures the actor may read."""
    from linli.places.models import AdminUnit

    return visible(AdminUnit.objects.all(), scope_for(actor).unit_area()).order_by("code")


def indicators(*, actor, unit=None) -> dict:
    """Stations by kind, the share accepted to the standard, compounds covered, wishes posted and
    fulfilled, over the actor's area or one unit of it (a constant number of queries)."""
    scope = scope_for(actor).work_area()
    stations = visible(Station.objects.all(), scope)
    compounds = visible(Compound.objects.all(), scope)
    wishes = visible(MicroWish.objects.all(), scope)
    if unit is not None:
        stations = stations.filter(community__code__startswith=unit.prefix)
        compounds = compounds.filter(community__code__startswith=unit.prefix)
        wishes = wishes.filter(community__code__startswith=unit.prefix)
    by_kind = dict(stations.values_list("kind").annotate(n=Count("id")))
    total = sum(by_kind.values())
    accepted = stations.filter(accepted_on__isnull=False).count()
    covered = compounds.filter(Q(pk__in=stations.filter(compound__isnull=False).values("compound_id"))
                               | Q(pk__in=Building.objects.filter(grid__in=stations.filter(grid__isnull=False)
                                                                   .values("grid_id")).values("compound_id"))
                               | Q(community__in=stations.filter(kind=Station.Kind.CENTRE).values("community_id")))
    counts = wishes.aggregate(posted=Count("id", filter=~Q(status=MicroWish.Status.WITHDRAWN)),
                              fulfilled=Count("id", filter=Q(status__in=(MicroWish.Status.FULFILLED,
                                                                         MicroWish.Status.CONFIRMED))),
                              open=Count("id", filter=Q(status=MicroWish.Status.OPEN)))
    delivered = delivered_per_month(scope=scope, stations=stations)
    cases = station_case_figures(scope=scope, stations=stations)[:60]
    compound_total = compounds.count()
    covered_count = covered.count()
    return {
        "by_kind": [(label, by_kind.get(value, 0)) for value, label in Station.Kind.choices],
        "stations": total, "accepted": accepted,
        "accepted_share": round(100 * accepted / total, 1) if total else None,
        "compounds": compound_total, "compounds_covered": covered_count,
        "covered_share": round(100 * covered_count / compound_total, 1) if compound_total else None,
        "delivered": delivered, "cases": cases,
        "wishes_posted": counts["posted"], "wishes_fulfilled": counts["fulfilled"], "wishes_open": counts["open"],
    }


def delivered_per_month(*, scope, stations, limit=60) -> list[tuple[str, object, int, int, int]]:
    """Services delivered per station and month: needs done for residents plus proxy errands done at
    the station. Rows (station, month, total, needs, errands), newest month first (two grouped queries)."""
    needs = (visible(Need.objects.filter(station__isnull=False, done_at__isnull=False), scope)
             .filter(station__in=stations).annotate(month=TruncMonth("done_at"))
             .values_list("station_id", "station__name", "month").annotate(n=Count("id")).order_by())
    errands = (visible(Errand.objects.all(), scope).filter(station__in=stations)
               .annotate(month=TruncMonth("done_at"))
               .values_list("station_id", "station__name", "month").annotate(n=Count("id")).order_by())
    found: dict[tuple, list] = {}
    for station_id, name, month, n in needs:
        found.setdefault((station_id, name, month), [0, 0])[0] += n
    for station_id, name, month, n in errands:
        found.setdefault((station_id, name, month), [0, 0])[1] += n
    rows = sorted(found.items(), key=lambda kv: (-kv[0][2].toordinal(), kv[0][1]))
    return [(name, month, a + b, a, b) for (_sid, name, month), (a, b) in rows[:limit]]


def station_case_figures(*, scope, stations):
    """The case figures per station and month of filing: cases, still open, solved, solved on time,
    rated and satisfied (满意 or 基本满意), with the shares. One grouped query."""
    from django.db.models import F

    from linli.cases.models import OPEN_STATUSES, Rating

    rows = (visible(StationCase.objects.all(), scope).filter(station__in=stations)
            .annotate(month=TruncMonth("case__requested_at"))
            .values("station_id", "station__name", "month")
            .annotate(cases=Count("id"),
                      open=Count("id", filter=Q(case__status__in=OPEN_STATUSES)),
                      solved=Count("id", filter=Q(case__solved_at__isnull=False)),
                      on_time=Count("id", filter=Q(case__solved_at__isnull=False, case__solved_at__lte=F("case__solve_by"))),
                      rated=Count("id", filter=~Q(case__rating="")),
                      satisfied=Count("id", filter=Q(case__rating__in=(Rating.SATISFIED, Rating.BASIC))))
            .order_by("-month", "station__name"))

    def pct(part, whole):
        return round(100 * part / whole, 1) if whole else None

    return [{**row, "on_time_pct": pct(row["on_time"], row["solved"]),
             "satisfaction_pct": pct(row["satisfied"], row["rated"])} for row in rows]


def station_figures(*, actor, station) -> dict:
    """One station's page: its case figures and services delivered per month (the actor's sight)."""
    scope = scope_for(actor)
    stations = Station.objects.filter(pk=station.pk)
    return {"cases": station_case_figures(scope=scope, stations=stations)[:12],
            "delivered": delivered_per_month(scope=scope, stations=stations, limit=12)}


def station_case_list_visible_to(*, actor, filters=None):
    filters = filters or {}
    qs = visible(StationCase.objects.select_related("case__category", "case__compound", "station"), scope_for(actor))
    if filters.get("station"):
        qs = qs.filter(station_id=filters["station"])
    return qs


def project_list_visible_to(*, actor, filters=None):
    filters = filters or {}
    qs = visible(Project.objects.select_related("community", "compound"), scope_for(actor))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs


def errand_list_visible_to(*, actor, filters=None):
    filters = filters or {}
    qs = visible(Errand.objects.select_related("station", "service", "resident", "done_by"), scope_for(actor))
    if filters.get("station"):
        qs = qs.filter(station_id=filters["station"])
    return qs


def partner_staff_list_visible_to(*, actor, filters=None):
    return visible(PartnerStaff.objects.select_related("partner", "user"), scope_for(actor).work_area())


def is_partner_staff(user) -> bool:
    """Whether the login belongs to a partner unit's staff (the narrow role 共建单位人员)."""
    return PartnerStaff.objects.filter(user_id=user.pk, active=True).exists()
