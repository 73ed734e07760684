"""Registry counts per compound and grid, so an indicator reads as many rows as the node has compounds.

`RegistryCount` holds, per (compound, grid of the counted buildings), the number of residents,
households, dwellings, buildings, Party members by category and residents by care tag. A node of the
place tree (district, street, community, grid, compound, or an actor's whole area) sums the rows of
its compounds or grids: the cost follows the number of compounds, not the number of residents.

Freshness, as for the case rollups: triggers (migration people 0004) mark in `RegistryDirty` every
compound a write to residents, households, Party members, care tags, dwellings, entrances or
buildings changed, whatever wrote it (services, admin, imports, the generators' COPY). `refresh`
turns the marks into recomputed compounds under one lock; the indicators call it before every read,
so they are exact and current. `rebuild` recomputes everything (`linli registry-rollups --rebuild`);
`verify` compares the rows with counting the records (`linli registry-rollups --verify`).

65+ changes with the date without any write: a resident is 65 or older on day D when born on or
before `elderly_born_before(D)`. The rows keep `elderly`, the residents born on or before an anchor
date A (in `RegistryAnchor`), and `born:YYYY-MM-DD`, the residents born on each day within
`WINDOW_DAYS` either side of A. The count on D is then `elderly` plus the births in (A, B] when
B = elderly_born_before(D) is after A, or minus the births in (B, A] when before: exact, birthdays
included, for every date whose boundary lies in the window (about 400 days either side of the day of
the last rebuild). Outside it `elderly_on` answers None and the caller counts live; a monthly
`linli registry-rollups --rebuild` (cron, see docs/OPERATIONS.md) moves the anchor to the current
date, so that never happens in practice.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from linli.core import clock
from linli.core.scoping import Scope, disjoint, scope_index
from linli.people.models import (
    Household,
    PartyMember,
    RegistryAnchor,
    RegistryCount,
    RegistryDirty,
    Resident,
    elderly_born_before,
)
from linli.places.models import Building, Dwelling

WINDOW_DAYS = 400
COMPOUND_CHUNK = 1_000
DIRTY_CHUNK = 50_000
# The PostgreSQL advisory lock that serialises refreshes and rebuilds ("linreg"); cases use another.
_LOCK_KEY = 0x6C696E726567
BORN = "born:"

# Where each counted model reaches its building (compound and grid).
_BUILDING = {
    Resident: "household__dwelling__entrance__building__",
    Household: "dwelling__entrance__building__",
    Dwelling: "entrance__building__",
    Building: "",
    PartyMember: "resident__household__dwelling__entrance__building__",
    Resident.care_tags.through: "resident__household__dwelling__entrance__building__",
}


def _lock() -> None:
    """One refresher or rebuild at a time (PostgreSQL advisory lock to the end of the transaction).

    The rows of a compound are replaced (delete, insert) under this lock, so two refreshers never
    insert the same (compound, grid, measure) row: the insert race the unique constraint would turn
    into an IntegrityError cannot happen. SQLite has one writer at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


# ---------------------------------------------------------------- counting the records


def _grouped(model, compound_ids: list[int] | None, extra: tuple[str, ...] = (), q: Q | None = None) -> Iterable:
    """(compound, grid, *extra, n) of the model's rows, for the given compounds or all."""
    path = _BUILDING[model]
    rows = model.objects.all()
    if compound_ids is not None:
        rows = rows.filter(**{f"{path}compound_id__in": compound_ids})
    if q is not None:
        rows = rows.filter(q)
    return rows.order_by().values_list(f"{path}compound_id", f"{path}grid_id", *extra).annotate(n=Count("pk"))


def count_records(compound_ids: list[int] | None, anchor: dt.date) -> Counter:
    """{(compound, grid, measure): n} counted from the records, for the given compounds or all."""
    counts: Counter = Counter()
    low, high = anchor - dt.timedelta(days=WINDOW_DAYS), anchor + dt.timedelta(days=WINDOW_DAYS)
    for compound, grid, n in _grouped(Resident, compound_ids):
        counts[compound, grid, "residents"] += n
    for compound, grid, n in _grouped(Resident, compound_ids, q=Q(birth_date__lte=anchor)):
        counts[compound, grid, "elderly"] += n
    for compound, grid, born, n in _grouped(Resident, compound_ids, ("birth_date",),
                                            Q(birth_date__gt=low, birth_date__lte=high)):
        counts[compound, grid, f"{BORN}{born.isoformat()}"] += n
    for model, measure in ((Household, "households"), (Dwelling, "dwellings"), (Building, "buildings")):
        for compound, grid, n in _grouped(model, compound_ids):
            counts[compound, grid, measure] += n
    for compound, grid, category, n in _grouped(PartyMember, compound_ids, ("category",)):
        counts[compound, grid, f"party:{category}"] += n
    for compound, grid, tag, n in _grouped(Resident.care_tags.through, compound_ids, ("caretag_id",)):
        counts[compound, grid, f"care:{tag}"] += n
    return counts


def _rows(counts: Counter) -> list[RegistryCount]:
    return [RegistryCount(compound_id=c, grid_id=g, measure=m, n=n) for (c, g, m), n in counts.items() if n]


# ---------------------------------------------------------------- keeping rows fresh


def anchor(*, create: bool = True) -> dt.date | None:
    """The anchor of the `elderly` rows; the first refresh sets it to today's boundary (under the lock)."""
    row = RegistryAnchor.objects.order_by("pk").first()
    if row is None and create:
        row = RegistryAnchor.objects.create(born_on_or_before=elderly_born_before(clock.today()))
    return row.born_on_or_before if row else None


def _take_dirty(limit: int) -> list[int]:
    """Remove up to `limit` committed marks and return their compounds."""
    # Marks committed while a refresh works stay for the next one: a compound is recomputed from
    # records at least as new as the write that marked it.
    _lock()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM people_registrydirty WHERE id IN "
                "(SELECT id FROM people_registrydirty ORDER BY id LIMIT %s) RETURNING compound_id", [limit])
            return [row[0] for row in cursor.fetchall()]
    marks = list(RegistryDirty.objects.order_by("id").values_list("id", "compound_id")[:limit])
    if marks:
        RegistryDirty.objects.filter(id__lte=marks[-1][0]).delete()
    return [compound_id for _, compound_id in marks]


def recompute(compound_ids: list[int], at: dt.date) -> None:
    """Replace the rows of these compounds by counting their records (inside the caller's lock)."""
    for start in range(0, len(compound_ids), COMPOUND_CHUNK):
        ids = compound_ids[start:start + COMPOUND_CHUNK]
        rows = _rows(count_records(ids, at))
        RegistryCount.objects.filter(compound_id__in=ids).delete()
        RegistryCount.objects.bulk_create(rows, batch_size=2000)


def refresh(*, limit: int = DIRTY_CHUNK) -> int:
    """Recompute every compound marked since the last refresh; returns how many."""
    done = 0
    while True:
        with transaction.atomic():
            marks = _take_dirty(limit)
            if not marks:
                return done
            ids = sorted(set(marks))
            recompute(ids, anchor())
            done += len(ids)
        if len(marks) < limit:
            return done


def rebuild(*, out: Callable[[str], None] | None = None) -> int:
    """Recompute every row from the records and move the 65+ anchor to today; returns the row count."""
    with transaction.atomic():
        _lock()
        # Committed marks only (DELETE, not TRUNCATE): a write committing during the rebuild keeps its mark.
        RegistryDirty.objects.all().delete()
        RegistryAnchor.objects.all().delete()
        at = RegistryAnchor.objects.create(born_on_or_before=elderly_born_before(clock.today())).born_on_or_before
        RegistryCount.objects.all().delete()
        rows = _rows(count_records(None, at))
        RegistryCount.objects.bulk_create(rows, batch_size=5000)
        if out:
            out(f"  65 岁及以上按 {at.isoformat()} 及以前出生计；共 {len(rows):,} 行汇总")
        return len(rows)


def drift() -> list[tuple[int, int, str, int, int]]:
    """(compound, grid, measure, kept, counted) of every row that differs from counting the records."""
    refresh()
    at = anchor()
    counted = count_records(None, at)
    kept: Counter = Counter()
    for c, g, m, n in RegistryCount.objects.values_list("compound_id", "grid_id", "measure", "n"):
        kept[c, g, m] = n
    return sorted((c, g, m, kept[c, g, m], counted[c, g, m]) for (c, g, m) in set(kept) | set(counted)
                  if kept[c, g, m] != counted[c, g, m])


# ---------------------------------------------------------------- reading


def totals(scope: Scope, today: dt.date) -> dict | None:
    """Every measure of the node summed, `elderly` moved to `today`; None when 65+ on `today` cannot
    be read from the rows (its boundary is outside the window kept around the anchor)."""
    return totals_of([scope], today)[0]


def totals_of(scopes: list[Scope], today: dt.date) -> list[dict | None]:
    """`totals` of several scopes, in one query when they share no rows (the children of a unit)."""
    if len(scopes) > 1 and not disjoint(scopes):
        return [totals_of([scope], today)[0] for scope in scopes]
    at = anchor(create=False)
    boundary = elderly_born_before(today)
    if at is None or abs((boundary - at).days) > WINDOW_DAYS:
        return [None] * len(scopes)
    if not scopes:
        return []
    low, high = sorted((at, boundary))
    union, index = scope_index(RegistryCount, scopes)
    rows = (RegistryCount.objects.filter(union).annotate(node=index)
            .filter(~Q(measure__startswith=BORN) | Q(measure__gt=f"{BORN}{low.isoformat()}",
                                                     measure__lte=f"{BORN}{high.isoformat()}"))
            .order_by().values_list("node", "measure").annotate(n=Sum("n")))
    sums: list[dict] = [defaultdict(int) for _ in scopes]
    moved = [0] * len(scopes)
    for node, measure, n in rows:
        if measure.startswith(BORN):
            moved[node] += n
        else:
            sums[node][measure] += n
    for node, counts in enumerate(sums):
        counts["elderly"] += moved[node] if boundary > at else -moved[node]
    return [dict(counts) for counts in sums]
