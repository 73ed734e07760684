"""导出 pages: a list page's 导出 menu lands here with the page's filters; 我的导出 lists the big ones."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from linli.core.errors import Forbidden, NotFound, Refused
from linli.core.pages import paginate
from linli.core.replica import lagged_reads
from linli.exports import services
from linli.exports.responses import _headers, file_reply
from linli.exports.writer import CSV, XLSX


def _refused(request, message: str, status: int):
    return render(request, "exports/refused.html", {"message": message}, status=status)


@login_required
@never_cache
@lagged_reads()
def export(request, key):
    try:
        prepared = services.start(request.user, key, request.GET)
    except NotFound:
        raise Http404("未找到") from None
    except Forbidden as exc:
        return _refused(request, str(exc), 403)
    except Refused as exc:
        return _refused(request, exc.message, 400 if exc.status < 500 else exc.status)
    if prepared.job is not None:
        return redirect("exports:mine")
    return file_reply(prepared)


@login_required
@never_cache
def mine(request):
    page, query = paginate(request, services.jobs_of(request.user))
    return render(request, "exports/mine.html", {"page": page, "query": query,
                                                 "keep_hours": services.keep_hours()})


@login_required
@never_cache
def job_row(request, pk):
    try:
        job = services.owned_job(request.user, pk)
    except NotFound:
        raise Http404("未找到") from None
    return render(request, "exports/_job.html", {"job": job})


@login_required
@never_cache
@require_POST
def cancel(request, pk):
    """取消: the owner's queued or running job stops; anybody else's is 404. htmx gets the job's row back."""
    message = ""
    try:
        job = services.cancel_job(request.user, pk)
    except NotFound:
        raise Http404("未找到") from None
    except Refused as exc:
        message = exc.message
        job = services.owned_job(request.user, pk)
    if request.headers.get("HX-Request"):
        return render(request, "exports/_job.html", {"job": job, "message": message},
                      status=409 if message else 200)
    if message:
        return _refused(request, message, 409)
    return redirect("exports:mine")


@login_required
@never_cache
def download(request, pk):
    try:
        job, path = services.download_path(request.user, pk)
    except NotFound:
        raise Http404("未找到") from None
    reply = FileResponse(open(path, "rb"), content_type=CSV if job.format == "csv" else XLSX)  # noqa: SIM115
    return _headers(reply, f"{job.title.replace('/', '、')}-{job.created_at:%Y%m%d}.{job.format}")
