import datetime as dt
import re

import pytest

from linli.core import audit, clock
from linli.core.channel import using_channel
from linli.core.models import AuditEntry
from linli.testing import PERSONAS


def _entry(*, actor, action, when, channel="page", changes=None, object_type="places.compound", obj_id=1):
    clock.freeze(when)
    with using_channel(channel):
        return audit.record(actor=actor, action=action, object_type=object_type, object_id=obj_id,
                            object_repr=f"对象{obj_id}", changes=changes or {})


@pytest.fixture
def log(world):
    admin, worker = world.user("admin"), world.user("grid_worker")
    entries = [
        _entry(actor=worker, action="update", when=dt.datetime(2025, 3, 1, 9), changes={"name": ["旧名", "新名"]}),
        _entry(actor=worker, action="create", when=dt.datetime(2025, 3, 2, 9), channel="api",
               object_type="people.resident", obj_id=7),
        _entry(actor=admin, action="delete", when=dt.datetime(2025, 3, 3, 9), channel="admin",
               changes={"name": ["幸福苑", None]}),
    ]
    clock.reset()
    return entries


@pytest.mark.parametrize("persona", PERSONAS)
def test_audit_page_is_for_admins_only(world, client_for, counts, persona):
    # given
    client = client_for(persona)
    before = counts()
    # when
    response = client.get("/audit/")
    # then
    assert response.status_code == (200 if persona == "admin" else 404)
    assert counts() == before


def test_audit_page_shows_changes_before_and_after(log, client_for):
    # when
    response = client_for("admin").get("/audit/")
    # then
    html = response.content.decode()
    assert "旧名" in html and "新名" in html
    assert [e.pk for e in response.context["page"]] == [log[2].pk, log[1].pk, log[0].pk]


@pytest.mark.parametrize("query, expected", [
    ("actor=grid1", [1, 0]),
    ("actor=GRID1", [1, 0]),
    ("action=delete", [2]),
    ("object_type=people.resident", [1]),
    ("channel=admin", [2]),
    ("date_from=2025-03-02", [2, 1]),
    ("date_to=2025-03-02", [1, 0]),
    ("date_from=2025-03-02&date_to=2025-03-02", [1]),
    ("actor=grid1&channel=page", [0]),
    ("actor=nobody", []),
])
def test_audit_filters(log, client_for, query, expected):
    # when
    response = client_for("admin").get(f"/audit/?{query}")
    # then
    assert [e.pk for e in response.context["page"]] == [log[i].pk for i in expected]


def test_audit_page_is_paginated(world, client_for):
    # given more entries than a page holds
    entries = [_entry(actor=None, action="update", when=dt.datetime(2025, 1, 1, 8) + dt.timedelta(minutes=n), obj_id=n)
               for n in range(25)]
    clock.reset()
    client = client_for("admin")
    # when
    first, second = client.get("/audit/"), client.get("/audit/?page=2")
    # then the newest 20 are on page 1, the oldest on page 2 only, and the pager says where one is
    assert [e.pk for e in first.context["page"]] == [e.pk for e in reversed(entries[5:])]
    assert [e.pk for e in second.context["page"]] == [e.pk for e in reversed(entries[:5])]
    assert ">对象0 <" not in first.content.decode() and ">对象0 <" in second.content.decode()
    assert "第 2 / 2 页" in second.content.decode() and "上一页" in second.content.decode()
    assert "下一页" in first.content.decode()


def test_audit_page_names_a_reverse_relation_by_its_rows(world, client_for):
    # given an entry as the ballot service writes it: the voters it drew up, a reverse relation
    _entry(actor=world.user("branch_secretary"), action="create", when=dt.datetime(2025, 3, 1, 9),
           object_type="council.ballot", changes={"voters": [None, 12], "cost_shares": [None, 3]})
    clock.reset()
    # when
    response = client_for("admin").get("/audit/")
    # then the page answers, in words
    assert response.status_code == 200
    html = response.content.decode()
    assert "<dt>表决人</dt>" in html and "<dt>费用分摊</dt>" in html


def test_audit_page_folds_each_entrys_changes_under_their_names(world, client_for):
    # given an entry that changed five fields
    _entry(actor=world.user("grid_worker"), action="update", when=dt.datetime(2025, 3, 1, 9),
           changes={name: ["甲", "乙"] for name in ("name", "address", "kind", "build_year", "walled")})
    clock.reset()
    # when
    html = client_for("admin").get("/audit/").content.decode()
    # then the values are there, behind a line naming three of the fields and the count
    assert '<details class="changes"><summary>' in html
    assert re.search(r"<summary>[^<]*、[^<]*、[^<]* 等 5 项</summary>", html)


def test_audit_page_offers_no_way_to_change_entries(log, client_for, counts):
    # given
    client = client_for("admin")
    before = counts()
    # when
    response = client.post("/audit/", {"id": log[0].pk, "action": "delete"})
    # then
    assert response.status_code == 405
    assert counts() == before
    assert AuditEntry.objects.get(pk=log[0].pk).action == "update"


def test_audit_page_reads_in_chinese_not_in_codes(world, client_for):
    # given entries as the services write them: codes, model labels, booleans and ISO times
    worker = world.user("grid_worker")
    _entry(actor=worker, action="case.escalate", when=dt.datetime(2025, 3, 4, 9), channel="command",
           object_type="cases.case", obj_id=3,
           changes={"supervised": [False, True], "solve_by": ["2025-03-04T09:30:00+08:00", "2025-03-04T13:30:00+08:00"]})
    clock.reset()
    # when the administrator reads the log
    html = client_for("admin").get("/audit/").content.decode()
    html = re.sub(r"<[^>]+>", " ", html)  # what the reader sees: the text, not the option values
    # then the action, the object kind, the field names and the values are words, not codes
    assert "提级" in html and "case.escalate" not in html
    assert "cases.case" not in html and "诉求" in html
    assert "True" not in html and "False" not in html and "是" in html
    assert "T09:30" not in html and "2025-03-04 09:30" in html
    assert "supervised" not in html and "solve_by" not in html
    assert "系统自动" in html and "命令" not in html
