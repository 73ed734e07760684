"""`<list API>/export?format=xlsx|csv[&unmask=1]` for every exportable list, and the caller's export jobs.

One operation per spec, generated from `specs.SPECS`: the list's own filters pass through as they are.
A small export is the file itself (200); a big one is a job (202) to poll and download when done.
"""

import datetime as dt
import uuid

from django.http import FileResponse
from django.urls import reverse
from ninja import Router, Schema

from linli.core.api import ErrorOut
from linli.core.pagination import paginated
from linli.core.replica import lagged_reads
from linli.exports import services, specs
from linli.exports.models import ExportJob
from linli.exports.responses import _headers, file_reply
from linli.exports.writer import CSV, XLSX

router = Router(tags=["导出"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
FILE_200 = {"responses": {200: {"description": "导出文件", "content": {
    XLSX: {"schema": {"type": "string", "format": "binary"}},
    "text/csv": {"schema": {"type": "string", "format": "binary"}}}}}}


class ExportJobOut(Schema):
    id: uuid.UUID
    title: str
    format: str
    status: str
    status_label: str = ""
    unmask: bool
    rows_total: int
    rows_written: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    download_url: str | None = None
    error: str

    @staticmethod
    def resolve_status_label(job: ExportJob) -> str:
        return job.get_status_display()

    @staticmethod
    def resolve_download_url(job: ExportJob) -> str | None:
        done = job.status == ExportJob.Status.DONE
        return reverse("api:export_job_download", args=[job.pk]) if done else None


def _job_out(job: ExportJob) -> ExportJob:
    return job


def _operation(spec: specs.Spec):
    def export(request, format: str = "xlsx", unmask: bool = False):  # noqa: A002 (the API's word)
        prepared = services.start(request.auth, spec.key, request.GET)
        if prepared.job is not None:
            return 202, _job_out(prepared.job)
        return file_reply(prepared)

    export.__name__ = f"export_{spec.key}"
    return lagged_reads()(export)


for _spec in specs.all_specs():
    if _spec.api_path:
        router.add_api_operation(
            f"{_spec.api_path}/export", ["GET"], _operation(_spec), response={202: ExportJobOut, **ERRORS},
            summary=f"导出{_spec.title}（.xlsx 或 .csv，筛选同列表；超过上限转为后台任务）",
            operation_id=f"export_{_spec.key}", url_name=f"export_{_spec.key}", openapi_extra=FILE_200,
            tags=[specs.TAGS.get(_spec.key, "导出")])


@router.get("/exports/jobs", response=list[ExportJobOut], summary="我的导出任务（分页）")
@paginated()
def job_list(request):
    return services.jobs_of(request.auth)


@router.get("/exports/jobs/{job_id}", response={200: ExportJobOut, 404: ErrorOut}, summary="导出任务进度")
def job_detail(request, job_id: uuid.UUID):
    return _job_out(services.owned_job(request.auth, job_id))


@router.post("/exports/jobs/{job_id}/cancel", response={200: ExportJobOut, 404: ErrorOut, 409: ErrorOut},
             summary="取消导出任务（仅导出人本人；任务在下一批行处停下，不留文件）")
def job_cancel(request, job_id: uuid.UUID):
    return _job_out(services.cancel_job(request.auth, job_id))


@router.get("/exports/jobs/{job_id}/download", response={404: ErrorOut}, url_name="export_job_download",
            summary="下载导出文件（仅导出人本人）", openapi_extra=FILE_200)
def job_download(request, job_id: uuid.UUID):
    job, path = services.download_path(request.auth, job_id)
    reply = FileResponse(open(path, "rb"), content_type=CSV if job.format == "csv" else XLSX)  # noqa: SIM115
    return _headers(reply, f"{job.title.replace('/', '、')}-{job.created_at:%Y%m%d}.{job.format}")
