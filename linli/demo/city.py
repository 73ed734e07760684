"""A generated city for `linli generate-city`: the demo generator's registry at city scale, and cases.

The registry comes from `generator.Generator` unchanged, one community at a time; only the way rows
reach the database differs. On PostgreSQL every batch is streamed with `COPY … FROM STDIN` (ids are
taken from the table's sequence first, because COPY returns none and the generator links the next
level to them); on SQLite it is `bulk_create`. Cases are generated one row at a time from their own
`random.Random` and written in batches, so memory does not grow with their number.

Encrypted columns hold real ciphertexts (the field's own `crypto.encrypt`) and lookup hashes are real
HMACs: `CryptoMeter` counts and times those calls, since they are a large part of the cost.
"""

import datetime as dt
import random
import resource
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils import timezone

from linli.cases.models import Case, HandlerKind, Level, Rating, ServiceCategory, Status, Tier
from linli.core import crypto
from linli.core.fields import EncryptedTextField
from linli.demo import names as words
from linli.demo.generator import DEFAULT_ANCHOR, Generator, Shape, ordered_counts
from linli.places.models import AdminUnit, Building, Compound

BATCH_ROWS = 5000
CASE_YEARS = 2

# Values psycopg adapts as they are, without the field's get_db_prep_save (which would only cost time).
_NATIVE = (models.AutoField, models.BigAutoField, models.IntegerField, models.CharField, models.TextField,
           models.BooleanField, models.ForeignKey, models.DateField, models.DecimalField)


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@dataclass
class TableStat:
    rows: int = 0
    seconds: float = 0.0


@dataclass
class Progress:
    """Rows written per table, with the time spent writing them; `report` prints one line."""

    out: Callable[[str], None] = print
    tables: dict[str, TableStat] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    def add(self, table: str, rows: int, seconds: float) -> None:
        stat = self.tables.setdefault(table, TableStat())
        stat.rows += rows
        stat.seconds += seconds

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.tables.values())

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


class CryptoMeter:
    """Times `crypto.encrypt` and `crypto.lookup_hash` while active (both are looked up on the module)."""

    def __init__(self):
        self.calls: Counter = Counter()
        self.seconds: Counter = Counter()
        self._saved = {}

    def __enter__(self):
        for name in ("encrypt", "lookup_hash"):
            original = getattr(crypto, name)
            self._saved[name] = original

            def timed(value, _original=original, _name=name):
                started = time.perf_counter()
                try:
                    return _original(value)
                finally:
                    self.seconds[_name] += time.perf_counter() - started
                    self.calls[_name] += 1

            setattr(crypto, name, timed)
        return self

    def __exit__(self, *exc):
        for name, original in self._saved.items():
            setattr(crypto, name, original)
        return False


# ---------------------------------------------------------------------------------------------
# Writers: COPY on PostgreSQL, bulk_create elsewhere


class BulkWriter:
    name = "bulk_create"

    def __init__(self, progress: Progress, batch_rows: int = BATCH_ROWS):
        self.progress = progress
        self.batch_rows = batch_rows

    def objects(self, model, objs: list) -> None:
        started = time.perf_counter()
        model.objects.bulk_create(objs, batch_size=min(self.batch_rows, 1000))
        self.progress.add(model._meta.db_table, len(objs), time.perf_counter() - started)

    def rows(self, model, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        """Stream plain rows (values by attname, plaintext for encrypted fields) into the table."""
        count = 0
        batch = []
        for row in rows:
            batch.append(model(**dict(zip(columns, row, strict=True))))
            if len(batch) >= self.batch_rows:
                self.objects(model, batch)
                count += len(batch)
                batch = []
        if batch:
            self.objects(model, batch)
            count += len(batch)
        return count


class CopyWriter(BulkWriter):
    name = "COPY"

    def _preps(self, model, columns):
        fields = {f.attname: f for f in model._meta.concrete_fields}
        preps = []
        for name in columns:
            f = fields[name]
            native = isinstance(f, _NATIVE) and not isinstance(f, EncryptedTextField)
            preps.append(None if native else (lambda v, f=f: f.get_db_prep_save(v, connection)))
        return preps

    def _copy(self, model, columns, rows: Iterable[tuple]) -> int:
        preps = self._preps(model, columns)
        plain = all(p is None for p in preps)
        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in self._column_names(model, columns))
        sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
        count = 0
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                if not plain:
                    row = tuple(v if p is None or v is None else p(v) for p, v in zip(preps, row, strict=True))
                copy.write_row(row)
                count += 1
        return count

    @staticmethod
    def _column_names(model, attnames):
        fields = {f.attname: f for f in model._meta.concrete_fields}
        return [fields[a].column for a in attnames]

    def _take_ids(self, model, n: int) -> list[int]:
        pk = model._meta.pk
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [model._meta.db_table, pk.column, n])
            return [r[0] for r in cursor.fetchall()]

    def objects(self, model, objs: list) -> None:
        if not objs:
            return
        started = time.perf_counter()
        pk = model._meta.pk
        missing = [o for o in objs if o.pk is None]
        if missing:
            for obj, pk_value in zip(missing, self._take_ids(model, len(missing)), strict=True):
                setattr(obj, pk.attname, pk_value)
        fields = list(model._meta.concrete_fields)
        columns = tuple(f.attname for f in fields)
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
            obj._state.adding = False
            obj._state.db = connection.alias
        self._copy(model, columns, (tuple(f.pre_save(o, True) for f in fields) for o in objs))
        self.progress.add(model._meta.db_table, len(objs), time.perf_counter() - started)

    def rows(self, model, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        count = 0
        iterator = iter(rows)
        while True:
            started = time.perf_counter()
            # One COPY per batch: the server sees a stream, and progress can be printed between batches.
            n = self._copy(model, columns, _take(iterator, self.batch_rows))
            self.progress.add(model._meta.db_table, n, time.perf_counter() - started)
            count += n
            if n < self.batch_rows:
                return count


def _take(iterator: Iterator, n: int) -> Iterator:
    for _ in range(n):
        try:
            yield next(iterator)
        except StopIteration:
            return


def writer_for(progress: Progress, batch_rows: int = BATCH_ROWS, *, copy: bool | None = None) -> BulkWriter:
    if copy is None:
        copy = connection.vendor == "postgresql"
    return (CopyWriter if copy else BulkWriter)(progress, batch_rows)


# ---------------------------------------------------------------------------------------------
# The registry


class CityGenerator(Generator):
    """The demo generator writing through a writer, reporting progress after every community."""

    def __init__(self, shape: Shape, seed: int, *, writer: BulkWriter, out: Callable[[str], None] = print,
                 anchor: dt.date = DEFAULT_ANCHOR):
        super().__init__(shape, seed, anchor=anchor)
        self.writer = writer
        self.out = out
        self.total_communities = shape.districts * shape.streets * shape.communities_per_street
        self.done_communities = 0

    def _bulk(self, model, objs: list, label: str | None = None) -> list:
        if objs:
            self.writer.objects(model, objs)
        self.counts[label or model._meta.verbose_name_plural] += len(objs)
        return objs

    def _through(self, through, rows: list) -> None:
        if rows:
            self.writer.objects(through, rows)

    def _community(self, community: AdminUnit):
        result = super()._community(community)
        self.done_communities += 1
        progress = self.writer.progress
        residents = progress.tables.get("people_resident", TableStat()).rows
        elapsed = progress.elapsed()
        self.out(f"  社区 {self.done_communities:,}/{self.total_communities:,}  居民 {residents:,}  "
                 f"共 {progress.rows:,} 行  {progress.rows / elapsed:,.0f} 行/秒  "
                 f"已用 {elapsed:,.0f} 秒  内存峰值 {peak_rss_bytes() / 2**20:,.0f} MiB")
        return result


# ---------------------------------------------------------------------------------------------
# Cases


CASE_COLUMNS = (
    "category_id", "tier", "channel", "description", "compound_id", "building_id", "address",
    "contact_name", "contact_phone", "level", "status", "handler_kind", "handling_body",
    "requested_at", "updated_at", "arrive_by", "solve_by", "dispatched_at", "accepted_at", "solved_at",
    "closed_at", "solution", "reopen_count", "supervised", "supervise_note", "rating", "rating_note",
    "follow_up_note", "description_original",
)

# The newest cases take every state, in this order from the newest back, so a tiny run has them all.
EVERY_STATE = (Status.NEW, Status.DISPATCHED, Status.ACCEPTED, Status.RETURNED, Status.SOLVED, Status.REOPENED,
               Status.CLOSED)
_CHANNELS = (("online", 45), ("hotline", 30), ("walk_in", 8), ("patrol", 12), ("visit", 5))
_SOLVE = {Tier.ORDINARY: dt.timedelta(minutes=30), Tier.COMPLEX: dt.timedelta(hours=4),
          Tier.MAJOR: dt.timedelta(days=1)}
_ARRIVE = dt.timedelta(minutes=10)
_ASKS = ("请尽快处理", "已反映多次，希望尽快解决", "影响居民正常生活", "老人出行不便，请帮忙协调", "麻烦派人看一下")
_SOLUTIONS = ("已现场处理完毕", "已联系物业维修，恢复正常", "已协调相关部门解决", "已上门解释并处理", "已修复并回访确认")
_RATINGS = ((Rating.SATISFIED.value, 85), (Rating.BASIC.value, 11), (Rating.UNSATISFIED.value, 4))


def _status_for(rng: random.Random, age: dt.timedelta) -> str:
    """Older cases are mostly closed; the last day has every open state."""
    if age < dt.timedelta(days=1):
        options = ((Status.NEW, 20), (Status.DISPATCHED, 15), (Status.ACCEPTED, 25), (Status.RETURNED, 4),
                   (Status.REOPENED, 3), (Status.SOLVED, 18), (Status.CLOSED, 15))
    elif age < dt.timedelta(days=7):
        options = ((Status.NEW, 2), (Status.DISPATCHED, 2), (Status.ACCEPTED, 8), (Status.RETURNED, 1),
                   (Status.REOPENED, 2), (Status.SOLVED, 15), (Status.CLOSED, 70))
    else:
        options = ((Status.ACCEPTED, 2), (Status.REOPENED, 1), (Status.SOLVED, 1), (Status.CLOSED, 96))
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0].value


def case_stream(seed: int, part: int = 0) -> str:
    """The seed of the cases' own random stream: part 0 is the city's first load, 1, 2, … each `--add-cases`."""
    return f"{seed}:cases" if part == 0 else f"{seed}:cases:{part}"


def settled_status_for(rng: random.Random, age: dt.timedelta) -> str:
    """A settled history (the demo's): everything older than a day is closed, the last day partly solved.

    Unlike `_status_for`, nothing is left open, so the history never breaches a deadline when the demo
    starts; the demo's own handful of live cases (cases/demo.py) shows the open states.
    """
    if age < dt.timedelta(days=1):
        return rng.choices((Status.SOLVED, Status.CLOSED), weights=(30, 70))[0].value
    return Status.CLOSED.value


def case_rows(n: int, seed: int, *, end: dt.datetime, compounds: list[tuple[int, str, list]],
              categories: list[tuple[int, str, str, str]], years: float = CASE_YEARS,
              part: int = 0, status_for: Callable[[random.Random, dt.timedelta], str] | None = None
              ) -> Iterator[tuple]:
    """`n` cases, oldest first, filed evenly over `years` years before `end`, as rows in CASE_COLUMNS order.

    `compounds` are (id, name, [(building id, number), …]); `categories` (id, name, default tier, handler kind).
    Each `part` draws from its own stream over the same window, so parts added later do not repeat earlier ones.
    `status_for` replaces the city's mix of states (whose newest cases show every open state).
    """
    rng = random.Random(case_stream(seed, part))
    people = words.NamePicker(rng)
    span = dt.timedelta(days=365 * years)
    pick_status = status_for or _status_for
    start = end - span
    channels, channel_weights = zip(*_CHANNELS, strict=True)
    ratings, rating_weights = zip(*_RATINGS, strict=True)
    for i in range(n):
        requested = start + span * ((i + rng.random()) / n)
        age = end - requested
        newest = n - 1 - i
        if status_for is None and newest < len(EVERY_STATE):
            status = EVERY_STATE[newest].value
        else:
            status = pick_status(rng, age)
        compound_id, compound_name, buildings = rng.choice(compounds)
        building_id, building_number = rng.choice(buildings) if buildings and rng.random() < 0.6 else (None, "")
        category_id, category_name, tier, handler = rng.choice(categories)
        roll = rng.random()
        tier = Tier.MAJOR.value if roll < 0.005 else Tier.COMPLEX.value if roll < 0.1 else tier
        arrive_by, solve_by = requested + _ARRIVE, requested + _SOLVE[tier]

        def step(at, typical, _end=end):
            # A step of about its usual length, but never past the end of the window.
            return at + min(typical * (0.3 + rng.random()), (_end - at) * 0.3)

        dispatched = accepted = solved = closed = None
        if status != Status.NEW:
            dispatched = step(requested, dt.timedelta(minutes=4))
        if status in (Status.ACCEPTED, Status.SOLVED, Status.REOPENED, Status.CLOSED):
            accepted = step(dispatched, dt.timedelta(minutes=8))
        if status in (Status.SOLVED, Status.REOPENED, Status.CLOSED):
            solved = step(accepted, _SOLVE[tier] * 0.8)
        if status == Status.CLOSED:
            closed = step(solved, dt.timedelta(hours=20))
        updated = closed or solved or accepted or dispatched or requested

        late = status not in (Status.SOLVED, Status.CLOSED) and age > _SOLVE[tier]
        level_roll = rng.random()
        if late or level_roll < 0.15:
            level = (Level.COMMUNITY if level_roll < 0.6 else Level.STREET if level_roll < 0.9 else Level.DISTRICT)
        else:
            level = Level.COMPOUND
        solution = rng.choice(_SOLUTIONS) if solved else ""
        rating = rng.choices(ratings, weights=rating_weights)[0] if closed else ""
        supervised = rng.random() < 0.01
        gender = rng.choice("MF")
        place = f"{compound_name}{building_number}"
        yield (
            category_id, tier, rng.choices(channels, weights=channel_weights)[0],
            f"{place}：{category_name}问题，{rng.choice(_ASKS)}。", compound_id, building_id, "",
            people.full(gender, rng.randint(1945, 2002)),
            rng.choice(words.MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}",
            level.value if isinstance(level, Level) else level, status,
            handler if dispatched else "", "", requested, updated, arrive_by, solve_by, dispatched, accepted, solved,
            closed, solution, 1 if status == Status.REOPENED else 0, supervised,
            # The generated texts carry no ID number or phone: nothing typed to keep encrypted.
            "请加快办理进度" if supervised else "", rating, "", "", "",
        )


def case_places() -> list[tuple[int, str, list]]:
    """Every compound with its buildings (id and number): a few MB even for a whole city."""
    buildings: dict[int, list] = {}
    for pk, compound_id, number in Building.objects.order_by("id").values_list("id", "compound_id", "number"):
        buildings.setdefault(compound_id, []).append((pk, number))
    return [(pk, name, buildings.get(pk, [])) for pk, name in Compound.objects.order_by("id").values_list("id", "name")]


def case_categories() -> list[tuple[int, str, str, str]]:
    rows = ServiceCategory.objects.filter(active=True).order_by("sort", "code").values_list(
        "id", "name", "default_tier", "handler_kind")
    return [(pk, name, tier, handler or HandlerKind.STATION.value) for pk, name, tier, handler in rows]


def generate_cases(n: int, seed: int, *, writer: BulkWriter, end: dt.datetime,
                   out: Callable[[str], None] = print, report_every: int = 100_000, part: int = 0,
                   years: float = CASE_YEARS, status_for=None) -> int:
    compounds, categories = case_places(), case_categories()
    if not compounds or not categories:
        raise ValueError("no compounds or no active service categories to file cases against")
    progress = writer.progress
    rows = case_rows(n, seed, end=end, compounds=compounds, categories=categories, part=part, years=years,
                     status_for=status_for)

    def reported(rows):
        for i, row in enumerate(rows, 1):
            yield row
            if i % report_every == 0:
                elapsed = progress.elapsed()
                out(f"  诉求 {i:,}/{n:,}  {i / elapsed:,.0f} 行/秒  已用 {elapsed:,.0f} 秒  "
                    f"内存峰值 {peak_rss_bytes() / 2**20:,.0f} MiB")

    with transaction.atomic():
        return writer.rows(Case, CASE_COLUMNS, reported(rows))


def case_window_end(anchor: dt.date) -> dt.datetime:
    """Cases run up to the start of the anchor day, in the server's time zone."""
    return timezone.make_aware(dt.datetime.combine(anchor, dt.time()))


# ---------------------------------------------------------------------------------------------
# The whole run


BASELINE_ROWS = 100_000


def copy_baseline(rows: int = BASELINE_ROWS) -> float | None:
    """Rows/s of a bare COPY of short rows into an unindexed temporary table, on the same connection.

    Printed beside the load's own rates: the machine and the disk change a lot between runs (and other
    work shares the server), the ratio much less. None where there is no COPY (not PostgreSQL).
    """
    if connection.vendor != "postgresql":
        return None
    at = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE linli_copy_baseline (n bigint, word text, at timestamptz)")
        started = time.perf_counter()
        with cursor.cursor.copy("COPY linli_copy_baseline FROM STDIN") as copy:
            for i in range(rows):
                copy.write_row((i, "基线", at))
        elapsed = time.perf_counter() - started
        # Dropped here, not ON COMMIT: inside an outer transaction this block only releases a savepoint.
        cursor.execute("DROP TABLE linli_copy_baseline")
        return rows / elapsed


def print_summary(out: Callable[[str], None], progresses: Iterable[Progress], meter: CryptoMeter,
                  sections: Iterable[tuple[str, int, float]], started: float) -> tuple[float, int]:
    """Rows and rows/s per table with their total, each section's rate, the crypto cost and the peak RSS."""
    progresses = list(progresses)
    out("")
    out(f"{'表':<34}{'行数':>12}{'写入秒数':>10}{'行/秒':>12}")
    for progress in progresses:
        for table, stat in sorted(progress.tables.items(), key=lambda item: -item[1].rows):
            rate = stat.rows / stat.seconds if stat.seconds else 0
            out(f"{table:<34}{stat.rows:>12,}{stat.seconds:>10.1f}{rate:>12,.0f}")
    rows = sum(p.rows for p in progresses)
    seconds = sum(s.seconds for p in progresses for s in p.tables.values())
    out(f"{'合计（仅写入）':<34}{rows:>12,}{seconds:>10.1f}{rows / seconds if seconds else 0:>12,.0f}")
    out("")
    for label, n, elapsed in sections:
        if n:
            out(f"{label}：{n:,} 行，用时 {elapsed:,.1f} 秒，{n / elapsed:,.0f} 行/秒（含生成）")
    for name, label in (("encrypt", "加密 crypto.encrypt"), ("lookup_hash", "查找哈希 crypto.lookup_hash")):
        calls, spent = meter.calls[name], meter.seconds[name]
        per = spent / calls * 1e6 if calls else 0
        out(f"{label}：{calls:,} 次，{spent:,.1f} 秒（每次 {per:.1f} 微秒）")
    total = time.perf_counter() - started
    baseline = copy_baseline()
    if baseline:
        out(f"基线（同次运行）：同一连接 COPY {BASELINE_ROWS:,} 行短记录到无索引临时表，{baseline:,.0f} 行/秒")
    peak = peak_rss_bytes()
    out(f"合计用时 {total:,.1f} 秒，{rows:,} 行，{rows / total if total else 0:,.0f} 行/秒；内存峰值（RSS）{peak / 2**20:,.0f} MiB")
    return total, peak


def generate_city(shape: Shape, seed: int, n_cases: int, *, batch_rows: int = BATCH_ROWS,
                  copy: bool | None = None, out=print) -> dict:
    """Generate and print the progress and the figures; returns the counts and timings."""
    started = time.perf_counter()
    registry_progress = Progress(out=out)
    writer = writer_for(registry_progress, batch_rows, copy=copy)
    out(f"生成城市：规模 {shape.name}，种子 {seed}，写入方式 {writer.name}，"
        f"{shape.districts} 个区 × {shape.streets} 个街道 × {shape.communities_per_street} 个社区，诉求 {n_cases:,} 件")
    with CryptoMeter() as meter:
        out("区划与人口：")
        with transaction.atomic():
            context = CityGenerator(shape, seed, writer=writer, out=out).run()
        registry_seconds = registry_progress.elapsed()
        out("诉求：")
        case_progress = Progress(out=out)
        writer.progress = case_progress
        loaded = generate_cases(n_cases, seed, writer=writer, end=case_window_end(DEFAULT_ANCHOR),
                                out=out) if n_cases else 0
        case_seconds = case_progress.elapsed()

    counts = ordered_counts(context.counts)
    counts["诉求"] = loaded
    total, peak = print_summary(out, (registry_progress, case_progress), meter, (
        ("区划与人口", registry_progress.rows, registry_seconds), ("诉求", loaded, case_seconds)), started)
    return {"counts": counts, "seconds": total, "peak_rss": peak, "writer": writer.name,
            "encrypt": (meter.calls["encrypt"], meter.seconds["encrypt"]),
            "lookup_hash": (meter.calls["lookup_hash"], meter.seconds["lookup_hash"])}


# From this many rows on, `add_cases` on PostgreSQL drops the case table's indexes and builds them again
# after the load: 18 B-trees updated row by row (and evicted from shared buffers as they grow) cost more
# than building them once from the finished table.
REBUILD_INDEXES_FROM = 100_000


def secondary_indexes(model) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the table's indexes that back no constraint (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = %s::regclass AND NOT x.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
            " ORDER BY i.relname", [model._meta.db_table])
        return cursor.fetchall()


def add_cases(n: int, seed: int, part: int, *, batch_rows: int = BATCH_ROWS, copy: bool | None = None,
              rebuild_indexes: bool | None = None, out=print) -> dict:
    """Append `n` cases to a city already loaded: part `part` of its cases, over the same window.

    The registry is only read (compounds, buildings, categories). Part numbers above 0 never draw the
    stream of the first load, so the new rows do not repeat existing ones, while their spread over
    time, states and places is the same: a city of 1M cases plus 9M more looks like one of 10M.

    With `rebuild_indexes` (by default on PostgreSQL from REBUILD_INDEXES_FROM rows) the case table's
    secondary indexes are dropped before the load and created again after it, in the same transaction:
    the table is locked against readers meanwhile, and an error leaves the indexes as they were.
    """
    if part < 1:
        raise ValueError("part 0 is the city's first load")
    started = time.perf_counter()
    progress = Progress(out=out)
    writer = writer_for(progress, batch_rows, copy=copy)
    postgres = connection.vendor == "postgresql"
    if rebuild_indexes is None:
        rebuild_indexes = postgres and n >= REBUILD_INDEXES_FROM
    end = case_window_end(DEFAULT_ANCHOR)
    out(f"追加诉求：{n:,} 件，种子 {seed}，第 {part} 部分，写入方式 {writer.name}，"
        f"时间窗 {(end - dt.timedelta(days=365 * CASE_YEARS)):%Y-%m-%d} 至 {end:%Y-%m-%d}")
    with CryptoMeter() as meter, transaction.atomic():
        indexes = secondary_indexes(Case) if rebuild_indexes and postgres else []
        with connection.cursor() as cursor:
            if postgres:
                # Foreign keys are checked per batch instead of queueing one event per row until the commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        if indexes:
            out(f"  载入期间暂时删除 {len(indexes)} 个索引，载入后重建")
        loaded = generate_cases(n, seed, writer=writer, end=end, out=out, part=part)
        seconds = progress.elapsed()
        rebuilt = time.perf_counter()
        with connection.cursor() as cursor:
            if indexes:
                # Sorting ten million keys in memory rather than in temporary files; for this transaction only.
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _, definition in indexes:
                cursor.execute(definition)
        rebuild_seconds = time.perf_counter() - rebuilt
    total, peak = print_summary(out, (progress,), meter, (("诉求", loaded, seconds),), started)
    if indexes:
        out(f"重建索引 {len(indexes)} 个：{rebuild_seconds:,.1f} 秒（已计入合计用时）")
    return {"cases": loaded, "seconds": total, "peak_rss": peak, "writer": writer.name,
            "indexes_rebuilt": len(indexes), "rebuild_seconds": rebuild_seconds,
            "encrypt": (meter.calls["encrypt"], meter.seconds["encrypt"]),
            "lookup_hash": (meter.calls["lookup_hash"], meter.seconds["lookup_hash"])}
