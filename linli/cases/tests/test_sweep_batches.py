import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.cases import services
from linli.cases.models import Case, CaseEvent, Escalation, Notification
from linli.core import clock
from linli.core.models import AuditEntry

MIN = dt.timedelta(minutes=1)


def _sweep_queries(open_case, n: int) -> int:
    for i in range(n):
        open_case(description=f"第 {i} 件：楼道堆满杂物")
    clock.advance(11 * MIN)
    with CaptureQueriesContext(connection) as queries:
        assert services.sla_sweep(batch_size=100).escalated == n
    return len(queries.captured_queries)


def test_sweep_statements_do_not_grow_with_the_cases_in_a_batch(open_case, world, frozen):
    # given a sweep over 2 breached cases, measured, and the cases then removed
    few = _sweep_queries(open_case, 2)
    Case.objects.all().delete()
    # when 30 cases breach and are swept in one batch of the same size
    many = _sweep_queries(open_case, 30)
    # then it took the same statements as for 2: nothing is issued once per case
    assert many == few


def test_batched_sweep_records_everything_for_each_case(open_case, world, frozen):
    # given three breached cases in compound1
    cases = [open_case(description=f"第 {i} 件") for i in range(3)]
    clock.advance(11 * MIN)
    # when the sweep runs in batches of two
    assert services.sla_sweep(batch_size=2).escalated == 3
    # then each case has its escalation, timeline line, audit entry and a notice to the community
    for case in cases:
        case.refresh_from_db()
        assert case.level == "community"
        assert case.arrive_by == frozen + 21 * MIN and case.updated_at == frozen + 11 * MIN
        assert Escalation.objects.filter(case=case, from_level="compound", reason="arrive").count() == 1
        assert CaseEvent.objects.get(case=case, kind="escalated").text == "超过到场时限未接单，由小区提级至社区"
        entry = AuditEntry.objects.get(action="case.escalate", object_id=str(case.pk))
        assert entry.changes["level"] == ["compound", "community"]
        assert set(entry.changes) == {"level", "arrive_by", "solve_by", "updated_at"}
        assert Notification.objects.filter(user=world.user("community_secretary"),
                                           text__startswith=f"诉求 #{case.pk} ").exists()
