"""取消导出: only the owner cancels a queued or running job; the task stops at its next chunk and leaves
no file; anybody else gets 404 and nothing changes."""

import os

import pytest

from linli.exports import services, writer
from linli.exports.models import ExportJob
from linli.testing import PERSONAS, table_counts


@pytest.fixture(autouse=True)
def small_chunks(settings, tmp_path, monkeypatch):
    settings.LINLI_EXPORT_INLINE_MAX = 1
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(writer, "CHUNK", 1)  # progress (and the look at the job) after every row


def _job(world, **kw):
    fields = {"owner": world.user("community_secretary"), "spec": "residents", "title": "居民", "format": "csv"}
    return ExportJob.objects.create(**{**fields, **kw})


def _files(tmp_path):
    return sorted(p.name for p in (tmp_path / "exports").glob("*")) if (tmp_path / "exports").exists() else []


def test_the_owner_cancels_a_queued_job_on_the_page_and_the_task_then_writes_nothing(client_for, world, tmp_path):
    job = _job(world)
    reply = client_for("community_secretary").post(f"/exports/jobs/{job.pk}/cancel/", HTTP_HX_REQUEST="true")
    assert reply.status_code == 200
    page = reply.content.decode()
    assert "已取消" in page and "没有留下文件" in page and "hx-trigger" not in page, "a cancelled job is not polled"
    job.refresh_from_db()
    assert job.status == "cancelled" and job.finished_at is not None
    assert services.run_job(str(job.pk)) == 0
    job.refresh_from_db()
    assert job.status == "cancelled" and _files(tmp_path) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_job_cancelled_while_it_writes_stops_and_leaves_no_file(world, tmp_path, monkeypatch, fmt):
    owner = world.user("community_secretary")
    job = _job(world, format=fmt)
    rows_seen = []
    real_values = writer.values

    def cancelled_after_the_first_row(spec, rows, *, unmask):
        for cells in real_values(spec, rows, unmask=unmask):
            rows_seen.append(cells)
            if len(rows_seen) == 1:
                services.cancel_job(owner, job.pk)  # the owner presses 取消 while the task writes row 1
            yield cells

    monkeypatch.setattr(writer, "values", cancelled_after_the_first_row)
    assert services.run_job(str(job.pk)) == 0
    job.refresh_from_db()
    assert job.status == "cancelled" and job.file_name == "" and job.rows_written < 2
    assert len(rows_seen) == 1, "the task stopped at the next chunk instead of writing the rest"
    assert _files(tmp_path) == [], "neither the partial file nor a finished one is left"
    if fmt == "xlsx":
        from openpyxl.worksheet._writer import ALL_TEMP_FILES

        assert not [p for p in ALL_TEMP_FILES if os.path.exists(p)], "openpyxl's temporary sheet files are gone"


def test_the_api_cancels_the_owners_job_and_refuses_an_ended_one(client_for, world):
    client = client_for("community_secretary")
    job = _job(world, status="running", rows_total=10, rows_written=4)
    reply = client.post(f"/api/v1/exports/jobs/{job.pk}/cancel")
    assert reply.status_code == 200
    assert reply.json()["status"] == "cancelled" and reply.json()["download_url"] is None
    before = table_counts()
    again = client.post(f"/api/v1/exports/jobs/{job.pk}/cancel")
    assert again.status_code == 409 and again.json()["code"] == "not_active" and "不能再取消" in again.json()["detail"]
    done = _job(world, status="done", rows_total=2, rows_written=2, file_name="x.csv")
    assert client.post(f"/api/v1/exports/jobs/{done.pk}/cancel").status_code == 409
    page = client.post(f"/exports/jobs/{done.pk}/cancel/")
    assert page.status_code == 409 and "不能再取消" in page.content.decode()
    done.refresh_from_db()
    assert done.status == "done" and table_counts() == {**before, "exports.exportjob": before["exports.exportjob"] + 1}


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "community_secretary"])
def test_only_the_owner_cancels_anybody_else_gets_404_and_nothing_changes(client_for, world, persona):
    job = _job(world, status="running", rows_total=10, rows_written=4)
    before = table_counts()
    client = client_for(persona)
    page = client.post(f"/exports/jobs/{job.pk}/cancel/")
    api = client.post(f"/api/v1/exports/jobs/{job.pk}/cancel")
    if persona == "anonymous":
        assert page.status_code == 302 and "/login" in page["Location"] or page.status_code == 302
        assert api.status_code == 401
    else:
        assert page.status_code == 404 and api.status_code == 404
    job.refresh_from_db()
    assert job.status == "running" and table_counts() == before


def test_cancel_is_a_post(client_for, world):
    job = _job(world)
    assert client_for("community_secretary").get(f"/exports/jobs/{job.pk}/cancel/").status_code == 405
    job.refresh_from_db()
    assert job.status == "queued"


def test_a_running_job_offers_the_cancel_button(client_for, world):
    job = _job(world, status="running", rows_total=200, rows_written=50)
    row = client_for("community_secretary").get(f"/exports/jobs/{job.pk}/").content.decode()
    assert f'hx-post="/exports/jobs/{job.pk}/cancel/"' in row and "取消导出" in row
    done = _job(world, status="done", rows_total=2, rows_written=2)
    assert "取消导出" not in client_for("community_secretary").get(f"/exports/jobs/{done.pk}/").content.decode()
