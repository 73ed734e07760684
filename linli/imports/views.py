"""数据导入 pages: thin adapters over the import services.

The uploaded file is read into memory for the request and closed at its end; nothing of it is stored,
put in the session or logged. The page keeps the chosen file in its form (htmx swaps only the report),
so checking and then confirming sends the same file twice, bound by the dry run's token.
"""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from linli.core.errors import NotFound, Refused
from linli.core.pages import page_errors
from linli.imports import examples, jobs, registers, services, sheets
from linli.imports.engine import MAX_BYTES, STATUS_LABELS


def _xlsx(filename: str, content: bytes) -> HttpResponse:
    reply = HttpResponse(content, content_type=sheets.XLSX)
    reply["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    reply["Cache-Control"] = "no-store"
    return reply


@login_required
@page_errors
def home(request):
    services.require_importer(request.user)
    return render(request, "imports/home.html", {"registers": registers.REGISTERS.values(),
                                                 "examples": examples.available(request.user)})


@login_required
@page_errors
def template(request, name):
    services.require_importer(request.user)
    register = registers.get(name)
    return _xlsx(f"导入模板-{register.title}.xlsx", sheets.template(register))


@login_required
@page_errors
def example(request, name):
    """A filled example file about the demo's 示范家园 (404 where the compound is out of the importer's area)."""
    services.require_importer(request.user)
    register = registers.get(name)
    return _xlsx(f"示例-{register.title}.xlsx", examples.example_file(request.user, register))


def _uploaded(request) -> tuple[bytes, str]:
    upload = request.FILES.get("file")
    if upload is None:
        raise Refused("no_file", "请先选择要导入的文件。")
    try:
        if upload.size > MAX_BYTES:
            raise Refused("too_large", f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请分成几个文件导入。")
        return upload.read(), upload.name
    finally:
        upload.close()


@never_cache  # the report names people
@login_required
@page_errors
def register_page(request, name):
    services.require_importer(request.user)
    register = registers.get(name)
    context = {"register": register, "labels": STATUS_LABELS, "examples": examples.available(request.user)}
    if request.method == "POST":
        action = request.POST.get("action", "check")
        try:
            data, filename = _uploaded(request)
            if action == "check" and jobs.runs_in_background(data):
                # A big file: checked (and, once confirmed, written) by the worker, with a progress bar.
                job = jobs.start(actor=request.user, register=register, data=data, filename=filename)
                return _job_reply(request, register, job)
            if action == "commit":
                report = services.import_commit(actor=request.user, register=register, data=data, filename=filename,
                                                token=request.POST.get("token", ""))
            else:
                report = services.import_check(actor=request.user, register=register, data=data, filename=filename)
            if action == "rejected":
                return _xlsx(f"未通过的行-{register.title}.xlsx", sheets.rejected_rows(report))
            context["report"] = report
        except Refused as exc:
            context["refusal"] = exc.message
        if request.htmx:
            return render(request, "imports/_report.html", context)
    return render(request, "imports/register.html", context)


def _job_context(request, register, job) -> dict:
    return {"register": register, "job": job, "report": jobs.load_report(job), "progress": jobs.progress(job),
            "examples": examples.available(request.user)}


def _job_reply(request, register, job, refusal: str = ""):
    context = _job_context(request, register, job) | {"refusal": refusal}
    if request.htmx:
        return render(request, "imports/_job.html", context)
    return render(request, "imports/register.html", context)


@never_cache
@login_required
@page_errors
def job_page(request, name, pk):
    """The job's progress: the whole page, or (polled by htmx every second) the bar alone."""
    register = registers.get(name)
    job = jobs.job_for(request.user, pk)
    if job.register != register.name:
        raise NotFound()
    return _job_reply(request, register, job)


@never_cache
@require_POST
@login_required
@page_errors
def job_action(request, name, pk, action):
    register = registers.get(name)
    job = jobs.job_for(request.user, pk)
    if job.register != register.name:
        raise NotFound()
    refusal = ""
    try:
        job = jobs.confirm(actor=request.user, job=job) if action == "confirm" else jobs.cancel(actor=request.user,
                                                                                              job=job)
    except Refused as exc:
        refusal = exc.message
    return _job_reply(request, register, job, refusal)


@never_cache
@login_required
@page_errors
def job_rejected(request, name, pk):
    register = registers.get(name)
    job = jobs.job_for(request.user, pk)
    report = jobs.load_report(job)
    if job.register != register.name or report is None:
        raise NotFound()
    return _xlsx(f"未通过的行-{register.title}.xlsx", sheets.rejected_rows(report))
