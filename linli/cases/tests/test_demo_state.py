"""The demo opens in a believable state and stays believable for its first hour (real 1341 limits)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from linli.accounts.models import User
from linli.cases import services
from linli.cases.models import Case, Escalation, Level, Notification, Status
from linli.core import clock

pytestmark = pytest.mark.django_db

OPEN = (Status.NEW, Status.DISPATCHED, Status.ACCEPTED, Status.RETURNED, Status.REOPENED)


@pytest.fixture
def demo():
    call_command("demo", stdout=io.StringIO())


def test_the_demo_opens_believable_and_stays_so_for_its_first_hour(demo):
    # given the demo just loaded
    now = clock.now()
    # then a year of history lies behind it, with nothing older than a day left open
    oldest = Case.objects.order_by("requested_at").values_list("requested_at", flat=True).first()
    assert Case.objects.count() >= 3000
    assert now - oldest > dt.timedelta(days=330)
    assert not Case.objects.filter(status__in=OPEN, requested_at__lt=now - dt.timedelta(days=1)).exists()
    assert Case.objects.filter(status=Status.CLOSED).exclude(rating="").count() > 1000
    # and the live cases show the open states, most of them on time
    live = Case.objects.filter(status__in=OPEN)
    assert {Status.NEW, Status.DISPATCHED, Status.ACCEPTED} <= set(live.values_list("status", flat=True))
    late = [case for case in live if case.overdue(now)]
    assert not late
    # and the load itself escalated one late case besides the hotline case escalated by hand
    assert Escalation.objects.count() <= 2
    # and the grid worker logs in to at most one overdue notice
    grid1 = User.objects.get(username="grid1")
    overdue_notices = Notification.objects.filter(user=grid1, text__contains="时限").count()
    assert overdue_notices <= 1
    # and a sweep every ten minutes for an hour moves only the few live cases, never the history
    before = Escalation.objects.count()
    for minutes in range(10, 61, 10):
        services.sla_sweep(now=now + dt.timedelta(minutes=minutes))
    moved = Escalation.objects.count() - before
    assert moved <= 6
    assert Case.objects.filter(level=Level.DISTRICT).count() <= 2
