"""Daily rollups behind the case figures, so a dashboard costs the same at one million cases or ten.

`CaseDay` holds, per local filing day, node of the place tree (compound, community, street,
district) and tier, the settled part of every measure in `figures`: counts, the handling-time sum
and a histogram of handling times for the 90th percentile. A figure for a unit over a period then
reads (days × tiers) rows for the node and as many per child, whatever the number of cases.

What is not settled is what depends on the moment of asking: a case still waiting past its
deadline counts as due now and was not due an hour ago. `figures` counts that live from the open
cases (partial indexes on open cases keep that independent of the closed history).

Freshness: triggers on cases and escalations (migration 0004) mark every changed case in
`CaseDayDirty`; `refresh` turns the marks into recomputed days. It runs before every figures read
and after every SLA sweep, so the figures are exact and current. `rebuild` recomputes everything
(`linli case-rollups --rebuild`), e.g. after a bulk load or a change of TIME_ZONE.

Handling times are kept in the histogram at whole minutes below a day, quarter hours below a week
and hours beyond: the 90th percentile is interpolated between those values exactly as
`percentile_cont` would between the cases' own times, so it can differ from the exact figure by
less than that resolution.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from linli.cases.models import (
    OPEN_STATUSES,
    UNACCEPTED_STATUSES,
    Case,
    CaseCategoryDay,
    CaseDay,
    CaseDayDirty,
    Escalation,
    Rating,
    RollupLevel,
)
from linli.places.models import AdminUnit, Compound

# Counters that add up from children to parents.
COUNTERS = ("cases", "arrive_settled", "arrive_on_time", "solve_settled", "solve_on_time", "solved", "handling_us",
            "rated", "satisfied", "escalations", "reopened")
DIRTY_CHUNK = 50_000
COMPOUND_CHUNK = 1_000
# Any constant: the one PostgreSQL advisory lock that serialises refreshes (see refresh).
_LOCK_KEY = 0x6C696E6C69  # "linli"
_MICRO = dt.timedelta(microseconds=1)

PARENT_LEVEL = {RollupLevel.COMPOUND: RollupLevel.COMMUNITY, RollupLevel.COMMUNITY: RollupLevel.STREET,
                RollupLevel.STREET: RollupLevel.DISTRICT}
# A node key's length at each unit level; a district's parent is the city prefix.
KEY_LENGTH = {RollupLevel.COMMUNITY: AdminUnit.PREFIX_LENGTH["community"],
              RollupLevel.STREET: AdminUnit.PREFIX_LENGTH["street"],
              RollupLevel.DISTRICT: AdminUnit.PREFIX_LENGTH["district"]}
CITY_PREFIX = 4


def bucket(handling: dt.timedelta) -> int:
    """The histogram key of a handling time: its start in minutes (1 min < 1 day, 15 min < 7 days, else 1 h)."""
    minutes = max(int(handling.total_seconds() // 60), 0)
    if minutes < 1440:
        return minutes
    if minutes < 7 * 1440:
        return minutes - minutes % 15
    return minutes - minutes % 60


def percentile(histogram: dict, tenths: int = 9) -> dt.timedelta | None:
    """The `tenths`/10 percentile of the histogram's values, interpolated like `percentile_cont`."""
    n = sum(histogram.values())
    if not n:
        return None
    lower, frac = divmod(tenths * (n - 1), 10)
    values = sorted((int(k), c) for k, c in histogram.items() if c)

    def value_at(index: int) -> int:
        seen = 0
        for value, count in values:
            seen += count
            if index < seen:
                return value
        return values[-1][0]

    low = value_at(lower)
    high = value_at(lower + 1) if frac else low
    low_td, high_td = dt.timedelta(minutes=low), dt.timedelta(minutes=high)
    return low_td + (high_td - low_td) * frac / 10


def merge(into: dict, histogram: dict) -> None:
    for key, count in histogram.items():
        into[str(key)] = into.get(str(key), 0) + count


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


# ---------------------------------------------------------------- recomputing one day


def _missed(reason) -> Exists:
    return Exists(Escalation.objects.filter(case=OuterRef("pk"), reason=reason))


def arrive_settled() -> Q:
    """A case whose arrival counts as due whatever the time: accepted, or escalated for not arriving."""
    return Q(accepted_at__isnull=False) | Q(_missed(Escalation.Reason.ARRIVE))


def solve_settled() -> Q:
    return Q(solved_at__isnull=False) | Q(_missed(Escalation.Reason.SOLVE))


def arrive_live(now) -> Q:
    """Still waiting past the arrival deadline at `now`, not yet settled: the part no rollup can hold."""
    return Q(status__in=UNACCEPTED_STATUSES, arrive_by__lt=now) & ~arrive_settled()


def solve_live(now) -> Q:
    return Q(status__in=OPEN_STATUSES, solve_by__lt=now) & ~solve_settled()


def handling() -> ExpressionWrapper:
    return ExpressionWrapper(F("solved_at") - F("requested_at"), output_field=DurationField())


def settled_measures() -> dict:
    """The aggregates of the figures that do not depend on the time of asking (see figures' definitions)."""
    escalations = (Escalation.objects.filter(case=OuterRef("pk")).order_by().values("case")
                   .annotate(n=Count("pk")).values("n"))
    solved = Q(solved_at__isnull=False)
    return {
        "cases": Count("pk"),
        "arrive_settled": Count("pk", filter=arrive_settled()),
        "arrive_on_time": Count("pk", filter=Q(accepted_at__lte=F("arrive_by"))
                                & ~Q(_missed(Escalation.Reason.ARRIVE))),
        "solve_settled": Count("pk", filter=solve_settled()),
        "solve_on_time": Count("pk", filter=Q(solved_at__lte=F("solve_by")) & ~Q(_missed(Escalation.Reason.SOLVE))),
        "solved": Count("pk", filter=solved),
        "handling_total": Sum(handling(), filter=solved),
        "rated": Count("pk", filter=~Q(rating="")),
        "satisfied": Count("pk", filter=Q(rating__in=(Rating.SATISFIED, Rating.BASIC))),
        "escalations": Sum(Coalesce(Subquery(escalations, output_field=IntegerField()), 0)),
        "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
    }


def _compound_rows(day: dt.date, compound_ids: list[int] | None) -> tuple[list[CaseDay], set[str]]:
    """The compound rows of one day (for the given compounds, or all), and the communities they sit in."""
    cases = Case.objects.filter(requested_at__gte=_midnight(day), requested_at__lt=_midnight(day + dt.timedelta(days=1)))
    if compound_ids is not None:
        cases = cases.filter(compound_id__in=compound_ids)
    cases = cases.order_by()
    histograms: dict = defaultdict(dict)
    for compound_id, tier, requested_at, solved_at in cases.filter(solved_at__isnull=False).values_list(
            "compound_id", "tier", "requested_at", "solved_at"):
        key = str(bucket(solved_at - requested_at))
        histogram = histograms[compound_id, tier]
        histogram[key] = histogram.get(key, 0) + 1
    rows = []
    for r in cases.values("compound_id", "tier", "compound__community__code").annotate(**settled_measures()):
        total = r.pop("handling_total") or dt.timedelta(0)
        compound_id, tier = r.pop("compound_id"), r.pop("tier")
        rows.append(CaseDay(
            day=day, level=RollupLevel.COMPOUND, unit=str(compound_id), tier=tier,
            parent=r.pop("compound__community__code"), handling_us=total // _MICRO,
            handling=histograms.get((compound_id, tier), {}), **{k: v or 0 for k, v in r.items()}))
    communities = {row.parent for row in rows}
    if compound_ids is not None:
        # Compounds whose cases of the day are gone still need their communities recomputed.
        communities |= set(Compound.objects.filter(pk__in=compound_ids).values_list("community__code", flat=True))
    return rows, communities


def _roll_up(day: dt.date, level: str, children: list[CaseDay]) -> list[CaseDay]:
    """Rows of `level` for one day, summed from its children's rows."""
    length = KEY_LENGTH[level]
    parent_length = KEY_LENGTH[PARENT_LEVEL[level]] if level in PARENT_LEVEL else CITY_PREFIX
    sums: dict = {}
    for child in children:
        unit = child.parent[:length]
        row = sums.get((unit, child.tier))
        if row is None:
            row = sums[unit, child.tier] = CaseDay(day=day, level=level, unit=unit, parent=unit[:parent_length],
                                                   tier=child.tier, handling={})
        for name in COUNTERS:
            setattr(row, name, getattr(row, name) + getattr(child, name))
        merge(row.handling, child.handling)
    return list(sums.values())


def _replace(day: dt.date, level: str, units: Iterable[str] | None, rows: list, model=CaseDay) -> None:
    stale = model.objects.filter(day=day, level=level)
    if units is not None:
        stale = stale.filter(unit__in=list(units))
    stale.delete()
    model.objects.bulk_create(rows, batch_size=1000)


def _category_compound_rows(day: dt.date, compound_ids: list[int] | None) -> list[CaseCategoryDay]:
    """Cases per compound and category filed on the day (the compounds given, or all)."""
    cases = Case.objects.filter(requested_at__gte=_midnight(day), requested_at__lt=_midnight(day + dt.timedelta(days=1)))
    if compound_ids is not None:
        cases = cases.filter(compound_id__in=compound_ids)
    grouped = cases.order_by().values("compound_id", "category_id", "compound__community__code").annotate(n=Count("pk"))
    return [CaseCategoryDay(day=day, level=RollupLevel.COMPOUND, unit=str(r["compound_id"]), category_id=r["category_id"],
                            parent=r["compound__community__code"], cases=r["n"]) for r in grouped]


def _roll_up_categories(day: dt.date, level: str, children: list[CaseCategoryDay]) -> list[CaseCategoryDay]:
    length = KEY_LENGTH[level]
    parent_length = KEY_LENGTH[PARENT_LEVEL[level]] if level in PARENT_LEVEL else CITY_PREFIX
    sums: dict = {}
    for child in children:
        unit = child.parent[:length]
        row = sums.get((unit, child.category_id))
        if row is None:
            row = sums[unit, child.category_id] = CaseCategoryDay(
                day=day, level=level, unit=unit, parent=unit[:parent_length], category_id=child.category_id, cases=0)
        row.cases += child.cases
    return list(sums.values())


def recompute_day(day: dt.date, compound_ids: list[int] | None = None) -> None:
    """Recompute the rows of one day: of the given compounds (all if None) and of every unit above them.

    Both rollups: the figures' `CaseDay` and the per-category `CaseCategoryDay`.
    """
    whole = compound_ids is None
    rows, touched = _compound_rows(day, compound_ids)
    categories = _category_compound_rows(day, compound_ids)
    keys = None if whole else [str(pk) for pk in compound_ids]
    _replace(day, RollupLevel.COMPOUND, keys, rows)
    _replace(day, RollupLevel.COMPOUND, keys, categories, CaseCategoryDay)
    children = rows
    for level in (RollupLevel.COMMUNITY, RollupLevel.STREET, RollupLevel.DISTRICT):
        units = {key[:KEY_LENGTH[level]] for key in touched}
        if not whole:
            # The untouched siblings count too: read every child row of the touched units.
            children = list(CaseDay.objects.filter(day=day, level=_child_level(level), parent__in=units))
            categories = list(CaseCategoryDay.objects.filter(day=day, level=_child_level(level), parent__in=units))
        rolled = _roll_up(day, level, children)
        _replace(day, level, None if whole else units, rolled)
        categories = _roll_up_categories(day, level, categories)
        _replace(day, level, None if whole else units, categories, CaseCategoryDay)
        children, touched = rolled, units


MONTH_COUNTERS = ("cases", "arrive_settled", "arrive_on_time", "solve_settled", "solve_on_time", "rated", "satisfied")


def _month(value) -> dt.date:
    """A truncated month as a date (a datetime from a DateTimeField, in the local time zone)."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def node_months(level: str, unit: str, cases: Q, since: dt.date, until: dt.date, now) -> dict:
    """{(first day of month, tier): counters} of one node over the days, refreshed first: two queries.

    The settled counters are summed from the daily rows (days × tiers of the node); `arrive_live` and
    `solve_live`, what is overdue at `now` and not settled, are counted from the node's open cases
    (`cases` selects the node's cases), so `*_settled + *_live` is the figures' "due".
    """
    refresh()
    rows = (CaseDay.objects.filter(level=level, unit=unit, day__gte=since, day__lte=until).order_by()
            .annotate(month=TruncMonth("day")).values("month", "tier")
            .annotate(**{name: Sum(name) for name in MONTH_COUNTERS}))
    out: dict = {}
    for r in rows:
        out[_month(r.pop("month")), r.pop("tier")] = {**r, "arrive_live": 0, "solve_live": 0}
    live = (Case.objects.filter(cases, status__in=OPEN_STATUSES, requested_at__gte=_midnight(since),
                                requested_at__lt=_midnight(until + dt.timedelta(days=1))).order_by()
            .annotate(month=TruncMonth("requested_at")).values("month", "tier")
            .annotate(arrive=Count("pk", filter=arrive_live(now)), solve=Count("pk", filter=solve_live(now))))
    for r in live:
        row = out.setdefault((_month(r["month"]), r["tier"]),
                             {**dict.fromkeys(MONTH_COUNTERS, 0), "arrive_live": 0, "solve_live": 0})
        row["arrive_live"] += r["arrive"]
        row["solve_live"] += r["solve"]
    return out


def category_months(level: str, unit: str, since: dt.date, until: dt.date) -> list[tuple[dt.date, str, str, int]]:
    """(first day of the month, category code, category name, cases) of one node over the days; refreshed first.

    Reads (days × categories) rollup rows of the node, whatever the number of cases.
    """
    refresh()
    rows = (CaseCategoryDay.objects.filter(level=level, unit=unit, day__gte=since, day__lte=until).order_by()
            .annotate(month=TruncMonth("day")).values("month", "category__code", "category__name")
            .annotate(n=Sum("cases")).order_by("month", "category__code"))
    return [(r["month"], r["category__code"], r["category__name"], r["n"]) for r in rows]


def _child_level(level: str) -> str:
    return {parent: child for child, parent in PARENT_LEVEL.items()}[level]


# ---------------------------------------------------------------- keeping rows fresh


def _lock() -> None:
    """One refresher or rebuild at a time (PostgreSQL advisory lock, held to the end of the transaction).

    SQLite has one writer at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def case_days() -> tuple[dt.date, dt.date] | None:
    """The first and last local filing days of all cases, or None without cases."""
    first = Case.objects.order_by("requested_at").values_list("requested_at", flat=True).first()
    if first is None:
        return None
    last = Case.objects.order_by("-requested_at").values_list("requested_at", flat=True).first()
    return local_day(first), local_day(last)


def _take_dirty(limit: int) -> tuple[int, dict[dt.date, set[int]]]:
    """Remove up to `limit` marks; returns how many were removed and the (day → compounds) they name.

    On PostgreSQL the marks are reduced to their distinct (compound, local day) pairs by the DELETE
    itself, so a sweep's million marks come back as a few hundred pairs.
    """
    # Marks committed while a refresh works stay for the next one: nothing is lost, and no day is
    # computed by two refreshers at once.
    _lock()
    by_day: dict = defaultdict(set)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH taken AS (DELETE FROM cases_casedaydirty WHERE id IN "
                "(SELECT id FROM cases_casedaydirty ORDER BY id LIMIT %s) RETURNING compound_id, requested_at) "
                "SELECT compound_id, (requested_at AT TIME ZONE %s)::date, count(*) FROM taken "
                "GROUP BY 1, 2",
                [limit, timezone.get_current_timezone_name()])
            rows = cursor.fetchall()
        for compound_id, day, _ in rows:
            by_day[day].add(compound_id)
        return sum(n for *_, n in rows), by_day
    # SQLite has one writer at a time: marks read here cannot be joined by an older uncommitted one.
    marks = list(CaseDayDirty.objects.order_by("id").values_list("id", "compound_id", "requested_at")[:limit])
    if marks:
        CaseDayDirty.objects.filter(id__lte=marks[-1][0]).delete()
    for _, compound_id, at in marks:
        by_day[local_day(at)].add(compound_id)
    return len(marks), by_day


def refresh(*, limit: int = DIRTY_CHUNK) -> int:
    """Recompute every day marked since the last refresh; returns the (day, compound) pairs recomputed.

    All marks are taken first (in chunks of `limit`) and each marked day is recomputed once, in the
    same transaction: after a sweep, the three marks of each case (filed, moved, escalated) and the
    thousands of cases of one day cost one recomputation of that day, not one per chunk.
    """
    with transaction.atomic():
        by_day: dict = defaultdict(set)
        while True:
            taken, chunk = _take_dirty(limit)
            for day, ids in chunk.items():
                by_day[day] |= ids
            if taken < limit:
                break
        if by_day and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # A day's aggregate runs in a fraction of a second: compiling it (JIT) costs more than it saves.
                cursor.execute("SET LOCAL jit = off")
        done = 0
        for day in sorted(by_day):
            ids = sorted(by_day[day])
            for start in range(0, len(ids), COMPOUND_CHUNK):
                recompute_day(day, ids[start:start + COMPOUND_CHUNK])
            done += len(ids)
        return done


def wipe() -> None:
    """Drop every rollup row and every mark (before a rebuild)."""
    with transaction.atomic():
        _lock()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # TRUNCATE: after a bulk load the marks can be millions of rows.
                cursor.execute("TRUNCATE cases_casedaydirty, cases_caseday, cases_casecategoryday")
        else:
            CaseDayDirty.objects.all().delete()
            CaseDay.objects.all().delete()
            CaseCategoryDay.objects.all().delete()


def rebuild(*, since: dt.date | None = None, until: dt.date | None = None,
            out: Callable[[str], None] | None = None) -> int:
    """Recompute every day from the cases; returns the number of days.

    Without bounds everything is dropped first (marks included). With `since`/`until` only those
    days are recomputed and nothing else is touched, so several processes can rebuild disjoint
    ranges of a large database side by side.
    """
    whole = since is None and until is None
    if whole:
        wipe()
    days_with_cases = case_days()
    if days_with_cases is None:
        return 0
    day, end = max(days_with_cases[0], since or dt.date.min), min(days_with_cases[1], until or dt.date.max)
    days = 0
    while day <= end:
        # A day per transaction: a long rebuild commits as it goes, and a refresh can interleave.
        with transaction.atomic():
            recompute_day(day)
        days += 1
        if out and days % 30 == 0:
            out(f"  已汇总至 {day.isoformat()}（{days:,} 天）")
        day += dt.timedelta(days=1)
    return days
