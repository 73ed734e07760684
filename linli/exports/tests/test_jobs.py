"""Big exports: a job with progress, a file under the data dir only its owner downloads, then deleted."""

import datetime as dt

import pytest
from django.core.management import call_command

from linli.core import clock
from linli.exports.models import ExportJob
from linli.exports.tests.helpers import csv_rows, table, xlsx_rows


@pytest.fixture(autouse=True)
def small_inline(settings, tmp_path):
    settings.LINLI_EXPORT_INLINE_MAX = 1
    settings.DATA_DIR = tmp_path


def test_a_big_export_runs_as_a_job_that_only_its_owner_downloads(client_for, world, django_capture_on_commit_callbacks,
                                                                  tmp_path):
    owner = client_for("community_secretary")
    with django_capture_on_commit_callbacks(execute=True):
        reply = owner.get("/exports/residents/?format=xlsx&q=李")
        assert reply.status_code == 200, "one row is not over the limit: answered inline"
        reply = owner.get("/exports/residents/?format=xlsx")
    assert reply.status_code == 302 and reply["Location"] == "/exports/mine/"
    job = ExportJob.objects.get()
    assert job.status == "done" and job.rows_total == 2 and job.rows_written == 2 and job.percent == 100
    assert (tmp_path / "exports" / f"{job.pk}.xlsx").exists()
    mine = owner.get("/exports/mine/").content.decode()
    assert "居民" in mine and f"/exports/jobs/{job.pk}/download/" in mine
    names = {r["姓名"] for r in table(xlsx_rows(owner.get(f"/exports/jobs/{job.pk}/download/")))}
    assert names == {"张秀英", "李建国"}
    for other in ("grid_worker", "street_officer", "admin"):
        assert client_for(other).get(f"/exports/jobs/{job.pk}/download/").status_code == 404, other
        assert client_for(other).get(f"/exports/jobs/{job.pk}/").status_code == 404, other
        assert client_for(other).get(f"/api/v1/exports/jobs/{job.pk}/download").status_code == 404, other
        assert str(job.pk) not in client_for(other).get("/exports/mine/").content.decode()


def test_the_api_answers_202_with_the_job_and_its_download_link(client_for, world, django_capture_on_commit_callbacks):
    client = client_for("community_secretary")
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.get("/api/v1/residents/export?format=csv&unmask=1")
    assert reply.status_code == 202
    job_id = reply.json()["id"]
    detail = client.get(f"/api/v1/exports/jobs/{job_id}").json()
    assert detail["status"] == "done" and detail["unmask"] and detail["rows_written"] == 2
    rows = table(csv_rows(client.get(detail["download_url"])))
    assert {r["公民身份号码"] for r in rows} == {world.resident.id_number, world.neighbour.id_number}
    assert [j["id"] for j in client.get("/api/v1/exports/jobs").json()["items"]] == [job_id]
    assert client_for("grid_worker").get("/api/v1/exports/jobs").json() == {"count": 0, "items": []}


def test_a_running_job_shows_its_progress_and_is_polled(client_for, world):
    user = world.user("community_secretary")
    job = ExportJob.objects.create(owner=user, spec="residents", title="居民", format="csv", rows_total=200,
                                   rows_written=50, status="running")
    row = client_for("community_secretary").get(f"/exports/jobs/{job.pk}/").content.decode()
    assert 'value="25"' in row and "已写 50 / 200 行" in row and 'hx-trigger="every 2s"' in row


def test_a_job_whose_owner_lost_the_unmasking_role_fails_and_leaves_no_file(client_for, world, tmp_path):
    from linli.exports.services import run_job

    job = ExportJob.objects.create(owner=world.user("street_officer"), spec="residents", title="居民",
                                   format="xlsx", unmask=True)
    assert run_job(str(job.pk)) == 0
    job.refresh_from_db()
    assert job.status == "failed" and "脱敏" in job.error
    assert not list((tmp_path / "exports").glob("*"))


def test_finished_files_are_deleted_after_the_keeping_period(client_for, world, django_capture_on_commit_callbacks,
                                                               tmp_path, settings):
    settings.LINLI_EXPORT_KEEP_HOURS = 72
    with django_capture_on_commit_callbacks(execute=True):
        client_for("community_secretary").get("/exports/residents/?format=csv")
    job = ExportJob.objects.get()
    path = tmp_path / "exports" / f"{job.pk}.csv"
    assert path.exists()
    call_command("exports_clean")
    assert path.exists(), "within the period the file stays"
    clock.freeze(clock.now() + dt.timedelta(hours=73))
    call_command("exports_clean")
    job.refresh_from_db()
    assert not path.exists() and job.status == "expired"
    assert client_for("community_secretary").get(f"/exports/jobs/{job.pk}/download/").status_code == 404
