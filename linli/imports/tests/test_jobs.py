"""Big files as background jobs: check, confirm, cancel, fail, progress, who sees a job, the kept file."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from linli.core import clock, crypto
from linli.imports import engine, jobs, residents
from linli.imports.models import ImportJob
from linli.imports.registers import get
from linli.imports.tests.helpers import family, write_xlsx
from linli.people.models import Household, Resident
from linli.testing import PERSONAS, table_counts

REGISTER = get("residents")
PAGE = reverse("imports:register", args=["residents"])
State = ImportJob.State


@pytest.fixture
def background(settings):
    """Every file goes through a job."""
    settings.LINLI_IMPORT_BACKGROUND_BYTES = 0


def counts_but_jobs() -> dict:
    return {k: v for k, v in table_counts().items() if k != "imports.importjob"}


def upload(client, path):
    with open(path, "rb") as file:
        return client.post(PAGE, {"file": file, "action": "check"}, HTTP_HX_REQUEST="true")


def job_url(name, job, *suffix):
    return reverse(f"imports:{name}", args=["residents", job.pk, *suffix])


def checked_job(world, client_for, tmp_path, rows=None) -> ImportJob:
    path = write_xlsx(tmp_path / "family.xlsx", family() if rows is None else rows)
    reply = upload(client_for("community_secretary"), path)
    assert reply.status_code == 200
    return ImportJob.objects.latest("pk")


def test_a_big_file_is_checked_then_written_by_the_job(world, rooms, client_for, tmp_path, background):
    # given
    client = client_for("community_secretary")
    path = write_xlsx(tmp_path / "family.xlsx", family())
    # when: the file is checked
    reply = upload(client, path)
    # then: the job has checked every row and written none
    job = ImportJob.objects.get()
    assert (job.state, job.rows_checked, job.rows_total, job.rows_to_write, job.rows_written) == (
        State.CHECKED, 3, 3, 3, 0)
    assert "全部 3 行通过检查：将新增 3 行" in reply.content.decode()
    assert not Resident.objects.filter(name="孙丽").exists()
    assert job.actor == world.user("community_secretary") and job.register == "residents"
    # when: the importer confirms
    reply = client.post(job_url("job_confirm", job), HTTP_HX_REQUEST="true")
    # then
    job.refresh_from_db()
    assert (job.state, job.rows_written) == (State.DONE, 3)
    assert "已导入：新增 3 行" in reply.content.decode()
    assert set(Resident.objects.filter(household__dwelling=rooms["康宁小区"]).values_list("name", flat=True)) == {
        "赵志强", "孙丽", "赵小明"}
    assert job.sealed_file is None and job.finished_at is not None


def test_a_small_file_stays_on_the_page_without_a_job(world, rooms, client_for, tmp_path):
    reply = upload(client_for("community_secretary"), write_xlsx(tmp_path / "family.xlsx", family()))
    assert "全部 3 行通过检查" in reply.content.decode()
    assert not ImportJob.objects.exists()


def test_importing_the_same_file_again_changes_nothing(world, rooms, client_for, tmp_path, background):
    # given: the file imported once
    client = client_for("community_secretary")
    first = checked_job(world, client_for, tmp_path)
    client.post(job_url("job_confirm", first))
    before = counts_but_jobs()
    # when: the same file goes through a second job
    second = checked_job(world, client_for, tmp_path)
    client.post(job_url("job_confirm", second))
    # then
    second.refresh_from_db()
    report = jobs.load_report(second)
    assert second.state == State.DONE
    assert (report.counts["created"], report.counts["updated"], report.counts["unchanged"]) == (0, 0, 3)
    assert (second.rows_to_write, second.rows_written) == (0, 0)
    assert counts_but_jobs() == before


def test_cancelling_while_writing_leaves_no_rows(world, rooms, client_for, tmp_path, background, monkeypatch):
    # given: a checked job, written one row a batch; the importer cancels after the first batch
    monkeypatch.setattr(engine, "BATCH_ROWS", 1)
    job = checked_job(world, client_for, tmp_path)
    before = counts_but_jobs()
    seen = []
    real = jobs._Tracker.written

    def cancel_after_first(tracker, rows, total):
        if rows == 1:
            seen.append(Resident.objects.filter(household__dwelling=rooms["康宁小区"]).count())
            ImportJob.objects.filter(pk=job.pk).update(state=State.CANCELLED)
        return real(tracker, rows, total)

    monkeypatch.setattr(jobs._Tracker, "written", cancel_after_first)
    # when
    client_for("community_secretary").post(job_url("job_confirm", job))
    # then: a row had been written when the cancellation was seen, and it was rolled back
    job.refresh_from_db()
    assert seen == [1]
    assert (job.state, job.rows_written, job.sealed_file) == (State.CANCELLED, 0, None)
    assert counts_but_jobs() == before
    assert not Household.objects.filter(dwelling=rooms["康宁小区"]).exists()


def test_cancelling_a_checked_job_empties_its_file_and_it_can_no_longer_be_confirmed(
        world, rooms, client_for, tmp_path, background):
    job = checked_job(world, client_for, tmp_path)
    client = client_for("community_secretary")
    reply = client.post(job_url("job_cancel", job), HTTP_HX_REQUEST="true")
    assert "已取消，没有导入任何一行" in reply.content.decode()
    before = counts_but_jobs()
    reply = client.post(job_url("job_confirm", job), HTTP_HX_REQUEST="true")
    job.refresh_from_db()
    assert "不能确认导入" in reply.content.decode()
    assert (job.state, job.sealed_file) == (State.CANCELLED, None)
    assert counts_but_jobs() == before


def test_a_failure_in_the_last_row_leaves_nothing(world, rooms, client_for, tmp_path, background, monkeypatch):
    # given: the service writes the first two residents and refuses the last one
    job = checked_job(world, client_for, tmp_path)
    before = counts_but_jobs()
    real = residents.people_services.residents_create_many

    def refuse_last(*, actor, items):
        real(actor=actor, items=items[:-1])
        refusal = ValidationError({"name": "写入失败"})
        refusal.item = len(items) - 1
        raise refusal

    monkeypatch.setattr(residents.people_services, "residents_create_many", refuse_last)
    # when
    reply = client_for("community_secretary").post(job_url("job_confirm", job), HTTP_HX_REQUEST="true")
    # then
    job.refresh_from_db()
    report = jobs.load_report(job)
    assert (job.state, job.rows_written) == (State.FAILED, 0)
    assert [(r.number, r.reason) for r in report.rejected] == [(4, "写入时未通过：写入失败")]
    assert report.rejected[0].cells[7] == "赵小明"  # read again for the rejected-rows file
    assert "第 4 行" in reply.content.decode()
    assert counts_but_jobs() == before


def test_rejected_rows_are_reported_and_downloadable_and_the_file_is_not_kept(
        world, rooms, client_for, tmp_path, background):
    # given: the spouse's ID number is wrong
    rows = family()
    rows[1][8] = "1401051972040500"
    job = checked_job(world, client_for, tmp_path, rows)
    client = client_for("community_secretary")
    # then
    assert job.state == State.CHECKED and job.sealed_file is None
    page = client.get(job_url("job", job)).content.decode()
    assert "有 1 行未通过检查" in page and "第 3 行" in page
    download = client.get(job_url("job_rejected", job))
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "不能确认导入" in client.post(job_url("job_confirm", job), HTTP_HX_REQUEST="true").content.decode()


def test_progress_counts_every_batch_and_estimates_the_time_left(
        world, rooms, client_for, tmp_path, background, monkeypatch):
    # given: one row a batch, and the counts the job is told
    monkeypatch.setattr(engine, "BATCH_ROWS", 1)
    told = []
    real_checked, real_written = jobs._Tracker.checked, jobs._Tracker.written
    monkeypatch.setattr(jobs._Tracker, "checked", lambda t, rows, total: (told.append(("checked", rows, total)),
                                                                           real_checked(t, rows, total)))
    monkeypatch.setattr(jobs._Tracker, "written", lambda t, rows, total: (told.append(("written", rows, total)),
                                                                           real_written(t, rows, total)))
    # when
    job = checked_job(world, client_for, tmp_path)
    client_for("community_secretary").post(job_url("job_confirm", job))
    # then: the check counts the rows read (against the sheet's size), the commit checks again, then writes
    assert told == [("checked", 1, 3), ("checked", 2, 3), ("checked", 3, 3), ("checked", 3, 3),
                    ("checked", 1, 3), ("checked", 2, 3), ("checked", 3, 3), ("checked", 3, 3),
                    ("written", 0, 3), ("written", 1, 3), ("written", 2, 3), ("written", 3, 3)]
    # and a running job's bar: a quarter written in 10 seconds leaves about 30 seconds
    job.state, job.rows_written, job.rows_to_write = State.IMPORTING, 1, 4
    job.started_at = clock.now() - dt.timedelta(seconds=10)
    shown = jobs.progress(job)
    assert (shown["done"], shown["total"], shown["percent"], shown["verb"]) == (1, 4, 25, "已写入")
    assert shown["left"] in ("30 秒", "31 秒")


def test_the_page_polls_a_running_job_and_offers_to_cancel(world, rooms, client_for, tmp_path, background):
    job = checked_job(world, client_for, tmp_path)
    # The time left is read against the clock: held still so a slow machine cannot add a second.
    with clock.frozen(clock.now()):
        ImportJob.objects.filter(pk=job.pk).update(state=State.IMPORTING, rows_written=1000, rows_to_write=4000,
                                                   started_at=clock.now() - dt.timedelta(seconds=20))
        html = client_for("community_secretary").get(job_url("job", job), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "已写入 1000 / 4000 行（25%）" in html and "预计还需 1 分 0 秒" in html
    assert job_url("job_cancel", job) in html
    # an ended job is not polled any more
    ImportJob.objects.filter(pk=job.pk).update(state=State.DONE)
    assert "every 1s" not in client_for("community_secretary").get(job_url("job", job)).content.decode()


def row(*codes):
    return dict(zip(PERSONAS, codes, strict=True))


#            anon resident grid  cs  branch prop street district outsider admin
OPEN_JOB = row(302, 403, 403, 200, 403, 403, 404, 403, 404, 403)
ACT_ON_JOB = row(302, 403, 403, 200, 403, 403, 404, 403, 404, 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_importer_sees_and_moves_a_job(world, rooms, client_for, tmp_path, background, persona):
    # given: the community secretary's checked job
    job = checked_job(world, client_for, tmp_path)
    client = client_for(persona)
    # when / then: anybody else finds no such job (the street officer above the same community too)
    assert client.get(job_url("job", job)).status_code == OPEN_JOB[persona]
    assert client.get(job_url("job_rejected", job)).status_code in (OPEN_JOB[persona], 404)
    before = table_counts()
    reply = client.post(job_url("job_cancel", job))
    assert reply.status_code == ACT_ON_JOB[persona]
    job.refresh_from_db()
    assert (job.state == State.CANCELLED) is (persona == "community_secretary")
    if persona != "community_secretary":
        assert table_counts() == before
        # nor may they confirm it
        assert client.post(job_url("job_confirm", job)).status_code == ACT_ON_JOB[persona]
        job.refresh_from_db()
        assert job.state == State.CHECKED
        assert table_counts() == before


@pytest.mark.parametrize("persona", ["resident", "grid_worker", "district_officer"])
def test_who_may_not_import_starts_no_job(world, rooms, client_for, tmp_path, background, persona):
    before = table_counts()
    reply = upload(client_for(persona), write_xlsx(tmp_path / "family.xlsx", family()))
    assert reply.status_code == 403
    assert table_counts() == before


def test_the_file_is_kept_sealed_and_emptied_after_its_time(world, rooms, client_for, tmp_path, background):
    # given: a checked job keeps the file, encrypted, and the report too
    path = write_xlsx(tmp_path / "family.xlsx", family())
    data = path.read_bytes()
    upload(client_for("community_secretary"), path)
    job = ImportJob.objects.get()
    assert bytes(job.sealed_file) != data and crypto.decrypt_bytes(job.sealed_file) == data
    assert job.keep_until == job.created_at + dt.timedelta(hours=24)
    with connection.cursor() as cursor:
        cursor.execute("SELECT report FROM imports_importjob WHERE id = %s", [job.pk])
        assert cursor.fetchone()[0].startswith(crypto.PREFIX)
    # when: the time has not come, nothing is emptied; then it has
    assert jobs.purge_files(job.keep_until - dt.timedelta(minutes=1)) == 0
    assert jobs.purge_files(job.keep_until + dt.timedelta(minutes=1)) == 1
    # then: the job can no longer be confirmed
    job.refresh_from_db()
    assert job.sealed_file is None
    reply = client_for("community_secretary").post(job_url("job_confirm", job), HTTP_HX_REQUEST="true")
    assert "不能确认导入" in reply.content.decode()
    assert not Resident.objects.filter(name="孙丽").exists()


def test_the_purge_command_empties_the_files_past_their_time(world, rooms, client_for, tmp_path, background):
    job = checked_job(world, client_for, tmp_path)
    ImportJob.objects.filter(pk=job.pk).update(keep_until=clock.now() - dt.timedelta(seconds=1))
    call_command("import-purge")
    job.refresh_from_db()
    assert job.sealed_file is None
