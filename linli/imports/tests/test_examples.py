"""The demo's filled example files: each imports cleanly into the demo for community1 and street1, once."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from linli.accounts.models import Role, User
from linli.core.models import AuditEntry
from linli.demo.generator import SHAPES, generate
from linli.imports import examples, services
from linli.imports.registers import REGISTERS
from linli.people.models import Resident
from linli.places.models import AdminUnit, Compound
from linli.testing import make_user, table_counts


@pytest.fixture
def demo(db, monkeypatch):
    """The small demo city with this app's demo data only (the other domains' add nothing the files need)."""
    monkeypatch.setattr("linli.demo.generator.extension_modules", lambda: [("imports", "linli.imports.demo")])
    with transaction.atomic():
        return generate(SHAPES["small"])


@pytest.mark.parametrize("login", ["community1", "street1"])
def test_every_example_file_imports_cleanly_in_order_and_again_changes_nothing(demo, login):
    # given: 示范家园 has dwellings and nobody living there
    actor = User.objects.get(username=login)
    compound = Compound.objects.get(name=examples.DEMO_COMPOUND)
    assert compound.community == demo.homes["community1"]
    assert not Resident.objects.filter(household__dwelling__entrance__building__compound=compound).exists()
    files = {name: examples.example_file(actor, register) for name, register in REGISTERS.items()}
    # when: each file in the page's order
    for name, register in REGISTERS.items():
        report = services.import_commit(actor=actor, register=register, data=files[name], filename=f"{name}.xlsx",
                                        token=None)
        # then
        assert report.committed, (name, [(r.number, r.errors) for r in report.rows if r.errors])
        assert report.counts["created"] + report.counts["updated"] > 0, name
    assert Resident.objects.filter(household__dwelling__entrance__building__compound=compound).count() == 6
    # when: all of them again
    before, audited = table_counts(), AuditEntry.objects.count()
    for name, register in REGISTERS.items():
        again = services.import_commit(actor=actor, register=register, data=files[name], filename=f"{name}.xlsx",
                                       token=None)
        assert {r.status for r in again.rows} == {"unchanged"}, name
    # then
    assert table_counts() == before and AuditEntry.objects.count() == audited


def test_the_page_offers_the_examples_only_where_the_demo_compound_is_in_the_area(demo):
    # given: community1 works where 示范家园 is; another community's worker does not
    elsewhere = AdminUnit.objects.filter(level="community").exclude(pk=demo.homes["community1"].pk).first()
    outsider = make_user("elsewhere1", Role.COMMUNITY_WORKER, elsewhere)
    inside, outside = Client(), Client()
    inside.force_login(User.objects.get(username="community1"))
    outside.force_login(outsider)
    url = reverse("imports:example", args=["residents"])
    # when / then
    assert "下载示例文件" in inside.get(reverse("imports:home")).content.decode()
    assert "下载示例文件" not in outside.get(reverse("imports:home")).content.decode()
    reply = inside.get(url)
    assert reply.status_code == 200 and "no-store" in reply["Cache-Control"]
    assert outside.get(url).status_code == 404
    assert inside.get(reverse("imports:example", args=["nothing"])).status_code == 404
