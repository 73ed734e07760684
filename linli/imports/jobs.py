"""Imports of big files, as background jobs: the same check and commit as the page, with a progress bar.

The page hands the uploaded file to `start`, which seals it (AES-GCM, `crypto.encrypt_bytes`) into an
`ImportJob` and queues the check. The worker checks every row (the job counts them as it goes), stores
the report (encrypted: it holds the rejected rows' cells) and waits. The importer confirms; the worker
checks the file again and writes every row in one transaction, counting the rows written between
batches. Cancelling marks the job; the worker sees the mark at its next batch and rolls back, so a
cancelled or failed import leaves no rows.

The sealed file is emptied as soon as the job ends (done, failed, cancelled, or a check that rejected
rows, which can never be confirmed); a checked job nobody confirms keeps it at most
`LINLI_IMPORT_FILE_HOURS`, after which `purge_files` (run by `linli import-purge`, and at every new job)
empties it. The file's bytes and cells are never logged.

Progress is written outside the import's transaction: on PostgreSQL through a second connection of its
own, so the page sees the count while the rows are still uncommitted.
"""

import datetime as dt
import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections

from linli.core import clock, crypto
from linli.core.errors import Forbidden, NotFound, Refused
from linli.imports import engine, registers, services
from linli.imports.engine import MAX_BYTES, REJECTED, Report, Row
from linli.imports.models import ImportJob

State = ImportJob.State
# How many rejected rows the page lists (all of them are in the downloadable file).
SHOWN_REJECTED = 200


def background_bytes() -> int:
    return getattr(settings, "LINLI_IMPORT_BACKGROUND_BYTES", 256 * 1024)


def keep_hours() -> int:
    return getattr(settings, "LINLI_IMPORT_FILE_HOURS", 24)


def runs_in_background(data: bytes) -> bool:
    return len(data) > background_bytes()


# --- the stored report ----------------------------------------------------------------------------

@dataclass
class StoredReport:
    """What the page shows of a job's check: the counts and the rejected rows (with their cells)."""

    register: engine.Register
    counts: dict
    headers: list[str]
    ignored_headers: list[str]
    rejected: list[Row] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.rejected

    @property
    def shown(self) -> list[Row]:
        return self.rejected[:SHOWN_REJECTED]

    @property
    def label_header(self) -> str:
        return self.register.column(self.register.label).header


def _cell(value):
    return value if value is None or isinstance(value, int | float | str) else engine._text(value)


def dump_report(report: Report) -> str:
    return json.dumps({
        "counts": report.counts,
        "headers": report.headers,
        "ignored": report.ignored_headers,
        "rows": len(report.rows),
        "rejected": [[r.number, r.label, r.reason, [_cell(c) for c in r.cells or ()]] for r in report.rejected],
    }, ensure_ascii=False)


def load_report(job: ImportJob) -> StoredReport | None:
    if not job.report:
        return None
    data = json.loads(job.report)
    register = registers.get(job.register)
    rejected = [Row(number=number, cells=cells, values={}, errors=[reason], status=REJECTED, label=label)
                for number, label, reason, cells in data["rejected"]]
    return StoredReport(register=register, counts=data["counts"], headers=data["headers"],
                        ignored_headers=data["ignored"], rejected=rejected, rows=data["rows"])


# --- what the importer does -------------------------------------------------------------------------

def start(*, actor, register: engine.Register, data: bytes, filename: str) -> ImportJob:
    """Keep the file sealed with a new job and queue its check."""
    from linli.imports.tasks import check_job

    services.require_importer(actor)
    if len(data) > MAX_BYTES:
        raise Refused("too_large", f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请分成几个文件导入。")
    purge_files()
    now = clock.now()
    job = ImportJob.objects.create(
        register=register.name, actor=actor, filename=(filename or "")[:255], state=State.CHECKING,
        created_at=now, started_at=now, sealed_file=crypto.encrypt_bytes(data),
        file_digest=hashlib.sha256(data).hexdigest(), keep_until=now + dt.timedelta(hours=keep_hours()))
    check_job.enqueue(job.pk)
    job.refresh_from_db()  # a worker that runs at once (tests, ImmediateBackend) has moved it on
    return job


def job_for(actor, pk) -> ImportJob:
    """The importer's own job; anybody else's reads as not found."""
    services.require_importer(actor)
    job = ImportJob.objects.filter(pk=pk, actor=actor).first() if str(pk).isdigit() else None
    if job is None:
        raise NotFound()
    return job


def confirm(*, actor, job: ImportJob) -> ImportJob:
    """Queue the writing of a job whose check passed."""
    from linli.imports.tasks import commit_job

    job = job_for(actor, job.pk)
    report = load_report(job)
    if job.state != State.CHECKED or report is None or not report.ok or job.sealed_file is None:
        raise Refused("not_checked", "这份文件尚未通过检查，或已导入、已取消，不能确认导入。")
    moved = ImportJob.objects.filter(pk=job.pk, state=State.CHECKED).update(
        state=State.IMPORTING, started_at=clock.now(), rows_written=0, rows_checked=0)
    if not moved:
        raise Refused("not_checked", "这份文件已在导入中。")
    commit_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def cancel(*, actor, job: ImportJob) -> ImportJob:
    """Stop a job that has not ended: the worker rolls back at its next batch; the file is emptied now."""
    job = job_for(actor, job.pk)
    ImportJob.objects.filter(pk=job.pk, state__in=ImportJob.OPEN).update(
        state=State.CANCELLED, finished_at=clock.now(), sealed_file=None)
    job.refresh_from_db()
    return job


def purge_files(now: dt.datetime | None = None) -> int:
    """Empty the sealed files kept past their time; the number emptied."""
    return ImportJob.objects.filter(sealed_file__isnull=False, keep_until__lte=now or clock.now()).update(
        sealed_file=None)


def _duration(seconds: float) -> str:
    seconds = max(1, round(seconds))
    if seconds < 60:
        return f"{seconds} 秒"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} 分 {seconds} 秒"
    return f"{minutes // 60} 小时 {minutes % 60} 分"


def progress(job: ImportJob) -> dict | None:
    """How far a running job has come: rows done of the total, and the time left at the pace so far."""
    if job.state not in ImportJob.RUNNING:
        return None
    if job.state == State.CHECKING:
        done, total, verb = job.rows_checked, job.rows_total, "已检查"
    else:
        done, total, verb = job.rows_written, job.rows_to_write, "已写入"
    total = max(total, done)
    left = ""
    if job.started_at and 0 < done < total:
        elapsed = (clock.now() - job.started_at).total_seconds()
        left = _duration(elapsed * (total - done) / done)
    return {"done": done, "total": total, "verb": verb, "left": left,
            "percent": round(done * 100 / total) if total else 0}


# --- the worker ---------------------------------------------------------------------------------------

class _Tracker(engine.Progress):
    """Writes the counts to the job between batches and stops the import when the job was cancelled."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self._side = None

    def _cancelled(self) -> bool:
        return ImportJob.objects.filter(pk=self.job_id, state=State.CANCELLED).exists()

    def _save(self, **counts) -> None:
        if connection.in_atomic_block and connection.vendor == "postgresql":
            # Inside the import's transaction: a connection of its own, so the page sees the count now.
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            names = ", ".join(f"{name} = %s" for name in counts)
            with self._side.cursor() as cursor:
                cursor.execute(f"UPDATE {ImportJob._meta.db_table} SET {names} WHERE id = %s",  # noqa: S608
                               [*counts.values(), self.job_id])
        else:
            ImportJob.objects.filter(pk=self.job_id).update(**counts)

    def checked(self, rows: int, total: int) -> None:
        if self._cancelled():
            raise engine.Cancelled()
        self._save(rows_checked=rows, rows_total=max(rows, total))

    def written(self, rows: int, total: int) -> None:
        if self._cancelled():
            raise engine.Cancelled()
        self._save(rows_written=rows, rows_to_write=total)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def _open(job_id: int, state: str):
    job = ImportJob.objects.filter(pk=job_id, state=state).select_related("actor").first()
    if job is None or job.sealed_file is None or job.actor is None:
        return None, None
    return job, crypto.decrypt_bytes(job.sealed_file)


def _end(job_id: int, state: str, **fields) -> None:
    """Leave a running job in its final state (not one the importer cancelled meanwhile)."""
    ImportJob.objects.filter(pk=job_id, state__in=ImportJob.RUNNING).update(
        state=state, finished_at=clock.now(), **fields)


def _refusal(exc: Exception) -> str:
    return engine.refusal_reason(exc) if isinstance(exc, engine.WRITE_REFUSALS) else str(exc)


@contextmanager
def _guarded(job_id: int):
    """Whatever stops the worker unexpectedly (the error goes to the worker's log), the job ends failed."""
    finished = False
    try:
        yield
        finished = True
    finally:
        if not finished:
            _end(job_id, State.FAILED, error="导入意外中断，没有导入任何一行。请重新上传文件。", sealed_file=None,
                 rows_written=0)


def run_check(job_id: int) -> str:
    with _guarded(job_id):
        return _run_check(job_id)


def run_commit(job_id: int) -> str:
    with _guarded(job_id):
        return _run_commit(job_id)


def _run_check(job_id: int) -> str:
    job, data = _open(job_id, State.CHECKING)
    if job is None:
        return "skipped"
    tracker = _Tracker(job_id)
    try:
        services.require_importer(job.actor)
        report = engine.check(job.actor, registers.get(job.register), data, job.filename, progress=tracker)
    except engine.Cancelled:
        ImportJob.objects.filter(pk=job_id).update(state=State.CANCELLED, sealed_file=None, finished_at=clock.now())
        return State.CANCELLED
    except (Refused, Forbidden, NotFound) as exc:
        _end(job_id, State.FAILED, error=_refusal(exc), sealed_file=None)
        return State.FAILED
    finally:
        tracker.close()
    fields = {"rows_checked": len(report.rows), "rows_total": len(report.rows), "report": dump_report(report),
              "rows_to_write": report.counts["created"] + report.counts["updated"]}
    if not report.ok:
        fields["sealed_file"] = None  # it can never be confirmed: the clerk fixes it and uploads it again
    ImportJob.objects.filter(pk=job_id, state=State.CHECKING).update(state=State.CHECKED, finished_at=clock.now(),
                                                                      **fields)
    return State.CHECKED


def _run_commit(job_id: int) -> str:
    job, data = _open(job_id, State.IMPORTING)
    if job is None:
        return "skipped"
    tracker = _Tracker(job_id)
    try:
        services.require_importer(job.actor)
        report = engine.commit(job.actor, registers.get(job.register), data, job.filename, token=None,
                               progress=tracker)
    except engine.Cancelled:
        # Everything written is rolled back; the mark stays (set again, in case it was made in this connection).
        ImportJob.objects.filter(pk=job_id).update(state=State.CANCELLED, rows_written=0, sealed_file=None,
                                                   finished_at=clock.now())
        return State.CANCELLED
    except (Refused, Forbidden, NotFound) as exc:
        _end(job_id, State.FAILED, error=_refusal(exc), sealed_file=None, rows_written=0)
        return State.FAILED
    finally:
        tracker.close()
    fields = {"report": dump_report(report), "sealed_file": None, "rows_checked": len(report.rows),
              "rows_total": len(report.rows)}
    if report.committed:
        _end(job_id, State.DONE, rows_written=report.counts["created"] + report.counts["updated"], **fields)
        return State.DONE
    _end(job_id, State.FAILED, rows_written=0, error=f"有 {report.counts['rejected']} 行未通过，没有导入任何一行。",
         **fields)
    return State.FAILED
