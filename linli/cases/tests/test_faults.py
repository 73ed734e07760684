"""Faults in the middle of a write: a full upload disk during intake, a sweep that dies between batches.

The full runs (a killed sweep process, PostgreSQL restarted under load, a real full tmpfs) are in
bench/faults.py; these are the same faults injected in-process, quick enough for every run.
"""

import datetime as dt
import errno
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, default_storage
from django.db.models import Count
from django.test import Client

from linli.cases import services
from linli.cases.models import Case, CaseEvent, Escalation, Notification
from linli.cases.services import escalation
from linli.cases.tests.conftest import jpeg, media_files
from linli.core.models import AuditEntry

MIN = dt.timedelta(minutes=1)


class FullDisk(FileSystemStorage):
    """Saves `room` files, then fails like a full disk: the next file is left partly written, as
    Django's FileSystemStorage leaves it when write() or close() raises ENOSPC."""

    def __init__(self, room: int, partial: bool, **kwargs):
        super().__init__(**kwargs)
        self.room = room
        self.partial = partial

    def _save(self, name, content):
        if self.room > 0:
            self.room -= 1
            return super()._save(name, content)
        if self.partial:
            path = self.path(name)
            self._ensure_dir(path)
            with open(path, "wb") as out:
                out.write(content.read(8))
        raise OSError(errno.ENOSPC, "No space left on device")

    @staticmethod
    def _ensure_dir(path):
        import os

        os.makedirs(os.path.dirname(path), exist_ok=True)


@pytest.fixture
def full_disk(media, monkeypatch):
    """default_storage (what photos.store writes through) swapped for a disk with room for one file."""

    def install(room=1, partial=False):
        storage = FullDisk(room, partial, location=str(media))
        monkeypatch.setattr(default_storage, "_wrapped", storage)
        return storage

    return install


def _intake(world):
    return services.Intake(category="sanitation", description="楼道灯坏了", compound=world.compound1.pk)


def test_full_disk_during_intake_leaves_no_case_no_rows_and_no_file(world, frozen, counts, media, full_disk):
    # given an upload disk with room for one photo only
    full_disk(room=1)
    before = counts()
    # when a resident files a case with two photos
    with pytest.raises((OSError, ValidationError)):
        services.case_open(actor=world.user("resident"), intake=_intake(world), photo_files=[jpeg(), jpeg()])
    # then no case, event, audit entry or notice was written, and the first photo was removed again
    assert counts() == before
    assert media_files(media) == []


def test_full_disk_leaves_no_partly_written_file(world, frozen, counts, media, full_disk):
    # given a disk that fills up half-way through the first photo (as a real full disk does)
    full_disk(room=0, partial=True)
    before = counts()
    with pytest.raises((OSError, ValidationError)):
        services.case_open(actor=world.user("resident"), intake=_intake(world), photo_files=[jpeg()])
    assert counts() == before
    # then not even the fragment is left on disk
    assert media_files(media) == []


def test_full_disk_is_answered_with_a_chinese_message(world, frozen, counts, media, full_disk):
    full_disk(room=0)
    client = Client(raise_request_exception=False)
    client.force_login(world.user("resident"))
    before = counts()
    answer = client.post("/api/v1/cases", {"category": "sanitation", "description": "楼道灯坏了",
                                           "compound": world.compound1.pk, "photos": [jpeg()]})
    assert counts() == before
    # a refusal the phone can show (not Django's English "Server Error (500)")
    assert answer.status_code in (400, 503, 507)
    assert "照片" in json.dumps(answer.json(), ensure_ascii=False)


def test_sweep_interrupted_after_a_batch_then_rerun_escalates_each_case_once(
        open_case, world, frozen, monkeypatch):
    # given five breached cases and a sweep in batches of two that dies in its second batch
    cases = [open_case(description=f"第 {i} 件：楼道堆满杂物") for i in range(5)]
    from linli.core import clock

    clock.advance(11 * MIN)
    real = escalation._escalate_batch
    calls = []

    def dies_in_second_batch(rows, now, memo):
        calls.append(len(rows))
        done = real(rows, now, memo)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return done

    monkeypatch.setattr(escalation, "_escalate_batch", dies_in_second_batch)
    with pytest.raises(RuntimeError):
        services.sla_sweep(batch_size=2)
    # then the first batch stays escalated and the second left no trace
    assert Escalation.objects.count() == 2
    assert CaseEvent.objects.filter(kind="escalated").count() == 2
    assert AuditEntry.objects.filter(action="case.escalate").count() == 2
    half = Case.objects.filter(level="community").exclude(pk__in=Escalation.objects.values("case_id"))
    assert not half.exists()

    # when the sweep is run again for the same moment
    monkeypatch.setattr(escalation, "_escalate_batch", real)
    assert services.sla_sweep(batch_size=2).escalated == 3
    # then every case was escalated exactly once, with one event, one audit entry and its notices once
    assert services.sla_sweep(batch_size=2).escalated == 0
    assert set(Case.objects.values_list("level", flat=True)) == {"community"}
    for case in cases:
        assert Escalation.objects.filter(case=case).count() == 1
        assert CaseEvent.objects.filter(case=case, kind="escalated").count() == 1
        assert AuditEntry.objects.filter(action="case.escalate", object_id=str(case.pk)).count() == 1
    notices = (Notification.objects.filter(text__contains="提级").values("user_id", "text")
               .annotate(n=Count("id")))
    assert {row["n"] for row in notices} == {1}
    assert notices.filter(user_id=world.user("community_secretary").pk).count() == 5
