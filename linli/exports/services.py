"""Starting an export: the format, the permission to unmask, the rows in sight, the audit entry, and
whether it is answered inline or as a job. Running a job and cleaning old files.

Unmasking is per row: with `unmask=1` an actor who holds an unmasking role (`accounts.scope.can_unmask`)
gets the full values of the rows that lie where that role works, and the mask on every other row of the
list (a street officer's list may reach further than their unmasking role). An actor without such a
role is refused (403) with a sentence that says so. Each unmasked export writes one audit entry
(`export_unmasked`) with the list, the filters, the rows exported and the rows shown unmasked.
"""

import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, QuerySet, Value, When

from linli.accounts.scope import can_unmask, unmask_scope
from linli.core import audit, clock
from linli.core.errors import Forbidden, NotFound, Refused
from linli.core.scoping import visible
from linli.exports import specs, writer
from linli.exports.models import ExportJob

log = logging.getLogger(__name__)

FORMATS = ("xlsx", "csv")
BAD_FORMAT = "导出格式只能是 xlsx（Excel）或 csv。"
BAD_FILTER = "筛选条件无法识别，请从列表页重新筛选后再导出。"
NOT_UNMASKER = "您的职责不需要查看完整的证件号和电话，只能导出脱敏名单（去掉“不脱敏”再试）。"


def inline_max() -> int:
    return getattr(settings, "LINLI_EXPORT_INLINE_MAX", 5000)


def keep_hours() -> int:
    return getattr(settings, "LINLI_EXPORT_KEEP_HOURS", 72)


def export_dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Prepared:
    spec: specs.Spec
    format: str
    filters: dict
    unmask: bool
    queryset: QuerySet
    total: int
    job: ExportJob | None = None

    @property
    def filename(self) -> str:
        return f"{self.spec.title.replace('/', '、')}-{clock.today():%Y%m%d}.{self.format}"


def spec_or_404(key: str) -> specs.Spec:
    spec = specs.get(key)
    if spec is None:
        raise NotFound
    return spec


def parse_format(value) -> str:
    fmt = str(value or "xlsx").strip().lower()
    if fmt not in FORMATS:
        raise Refused("bad_format", BAD_FORMAT, status=422, field="format")
    return fmt


def parse_unmask(value) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


def with_unmask(qs: QuerySet, actor) -> QuerySet:
    """Each row marked `export_full`: may this actor see it unmasked? One subquery, no query per row."""
    allowed = visible(qs.model._default_manager.all(), unmask_scope(actor)).values("pk")
    return qs.annotate(export_full=Case(When(pk__in=allowed, then=Value(True)), default=Value(False),
                                        output_field=BooleanField()))


def rows_for(actor, spec: specs.Spec, filters: dict, *, unmask: bool) -> QuerySet:
    if unmask and not can_unmask(actor):
        raise Forbidden(NOT_UNMASKER)
    try:
        qs = spec.queryset(actor, filters)
    except (ValueError, TypeError, ValidationError):
        raise Refused("bad_filter", BAD_FILTER, status=422) from None
    return with_unmask(qs, actor) if unmask else qs


def _count(qs: QuerySet) -> int:
    try:
        return qs.count()
    except (ValueError, TypeError, ValidationError):
        # A hand-edited filter the list's selector could not read (小区=abc).
        raise Refused("bad_filter", BAD_FILTER, status=422) from None


def start(actor, key: str, params) -> Prepared:
    """Check and count; audit an unmasked export; create a job when the export is too big to answer inline."""
    spec = spec_or_404(key)
    fmt = parse_format(params.get("format"))
    unmask = parse_unmask(params.get("unmask")) and spec.sensitive
    filters = writer.clean_filters(params)
    qs = rows_for(actor, spec, filters, unmask=unmask)
    total = _count(qs)
    prepared = Prepared(spec, fmt, filters, unmask, qs, total)
    with transaction.atomic():
        if unmask:
            shown = qs.filter(export_full=True).count()
            audit.record(actor=actor, action="export_unmasked", object_type="exports.exportjob",
                         object_repr=spec.title, changes={"list": spec.key, "filters": filters, "rows": total,
                                                          "rows_unmasked": shown, "format": fmt})
        if total > inline_max():
            prepared.job = ExportJob.objects.create(owner=actor, spec=spec.key, title=spec.title, format=fmt,
                                                    filters=filters, unmask=unmask, rows_total=total,
                                                    created_at=clock.now())
            job_id = str(prepared.job.pk)
            transaction.on_commit(lambda: _enqueue(job_id))
    return prepared


def _enqueue(job_id: str) -> None:
    from linli.exports.tasks import run_export

    run_export.enqueue(job_id=job_id)


# --- jobs ------------------------------------------------------------------------------------------

def job_path(job: ExportJob) -> Path:
    return export_dir() / f"{job.pk}.{job.format}"


class Cancelled(Exception):
    """The owner cancelled the job while it was being written."""


ACTIVE = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)


def run_job(job_id: str) -> int:
    """Write the job's file under the data dir, with progress; the rows written.

    Between chunks the job's state is read with the progress: a job its owner cancelled stops there,
    its partial file is deleted and it stays cancelled.
    """
    job = ExportJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or job.status != ExportJob.Status.QUEUED:
        return 0
    clean_expired()
    if not ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED).update(
            status=ExportJob.Status.RUNNING):
        return 0  # cancelled between the read above and now
    spec = specs.get(job.spec)
    path = job_path(job)
    part = path.with_suffix(path.suffix + ".part")

    def progress(n: int) -> None:
        if not ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(rows_written=n):
            raise Cancelled

    try:
        if spec is None:
            raise Refused("gone", "该名单已不能导出。")
        # Sight and the unmasking role are read again: a job runs with the owner's rights of now.
        qs = rows_for(job.owner, spec, job.filters, unmask=job.unmask)
        total = qs.count()
        ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
        if job.format == "csv":
            with open(part, "wb") as out:
                for chunk in writer.csv_lines(spec, qs, job.filters, unmask=job.unmask, total=total,
                                              progress=progress):
                    out.write(chunk)
            written = total
        else:
            written = writer.write_xlsx(str(part), spec, qs, job.filters, unmask=job.unmask, total=total,
                                        progress=progress)
        os.replace(part, path)
    except Cancelled:
        part.unlink(missing_ok=True)
        log.info("export job %s cancelled by its owner", job.pk)
        return 0
    except (Forbidden, Refused, NotFound, OSError) as exc:
        part.unlink(missing_ok=True)
        message = getattr(exc, "message", "") or str(exc) or "导出失败"
        log.warning("export job %s failed: %s", job.pk, type(exc).__name__)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, error=message[:200],
                                                   finished_at=clock.now())
        return 0
    finished = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.DONE, rows_written=written, file_name=path.name, finished_at=clock.now())
    if not finished:  # cancelled after the last chunk: no file is left behind
        path.unlink(missing_ok=True)
        return 0
    return written


def cancel_job(actor, job_id) -> ExportJob:
    """Cancel the actor's own queued or running job: the task stops at its next chunk and leaves no file.

    Anybody else's job is 404 (`owned_job`); a job that has already ended is refused (409), unchanged.
    """
    job = owned_job(actor, job_id)
    with transaction.atomic():
        cancelled = ExportJob.objects.filter(pk=job.pk, status__in=ACTIVE).update(
            status=ExportJob.Status.CANCELLED, finished_at=clock.now())
    if not cancelled:
        raise Refused("not_active", "这项导出已经结束，不能再取消。", status=409)
    job.refresh_from_db()
    return job


def owned_job(actor, job_id) -> ExportJob:
    """The actor's own job; anybody else's (or none) is 404."""
    job = ExportJob.objects.filter(pk=job_id, owner_id=getattr(actor, "pk", None)).first()
    if job is None:
        raise NotFound
    return job


def download_path(actor, job_id) -> tuple[ExportJob, Path]:
    job = owned_job(actor, job_id)
    path = job_path(job)
    if job.status != ExportJob.Status.DONE or not path.exists():
        raise NotFound
    return job, path


def jobs_of(actor) -> QuerySet:
    return ExportJob.objects.filter(owner_id=getattr(actor, "pk", None)).order_by("-created_at")


def clean_expired(now: dt.datetime | None = None) -> int:
    """Delete the files of jobs finished more than LINLI_EXPORT_KEEP_HOURS ago; the number deleted."""
    cutoff = (now or clock.now()) - dt.timedelta(hours=keep_hours())
    old = ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lt=cutoff)
    removed = 0
    for job in old:
        job_path(job).unlink(missing_ok=True)
        removed += 1
    old.update(status=ExportJob.Status.EXPIRED, file_name="")
    # Parts left by a worker that died mid-job.
    for stale in export_dir().glob("*.part"):
        if dt.datetime.fromtimestamp(stale.stat().st_mtime, tz=dt.UTC) < cutoff:
            stale.unlink(missing_ok=True)
    return removed
