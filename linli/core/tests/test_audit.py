import pytest
from django.db import DatabaseError, connection, transaction

from linli.core import audit, services
from linli.core.channel import using_channel
from linli.core.models import AppendOnlyError, AuditEntry
from linli.places.models import Compound

pytestmark = pytest.mark.django_db


def test_update_records_before_and_after_with_channel(world):
    # given
    actor = world.user("community_secretary")
    compound = world.compound1
    # when
    with using_channel("page"):
        services.update(actor=actor, instance=compound, data={"name": "康宁新村", "build_year": 1995})
    # then
    entry = AuditEntry.objects.get(object_type="places.compound", object_id=str(compound.pk), action="update")
    assert entry.actor == actor and entry.channel == "page"
    assert entry.changes == {"name": ["康宁小区", "康宁新村"], "build_year": [2005, 1995]}


def test_failed_validation_writes_neither_row_nor_audit(world, counts):
    before = counts()
    with pytest.raises(Exception, match="建成年份"):
        services.update(actor=world.user("admin"), instance=world.compound1, data={"build_year": 1700})
    assert counts() == before
    assert Compound.objects.get(pk=world.compound1.pk).build_year == 2005


def test_encrypted_values_never_enter_the_audit_log(world):
    resident = world.resident
    old_phone = resident.phone
    services.update(actor=world.user("admin"), instance=resident, data={"phone": "13900001111"})
    entry = AuditEntry.objects.filter(object_type="people.resident", action="update").latest("id")
    text = str(entry.changes)
    assert "13900001111" not in text and old_phone not in text and "v1:" not in text
    assert entry.changes["phone"] == [audit.REDACTED, audit.REDACTED]


def test_audit_entries_cannot_be_changed_or_deleted(world):
    entry = audit.record(actor=None, action="test", object_type="x", object_repr="x")
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


@pytest.mark.postgres
def test_postgres_refuses_update_and_delete_of_audit_rows(world):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    audit.record(actor=None, action="test", object_type="x", object_repr="x")
    for statement in ("UPDATE core_auditentry SET action = 'x'", "DELETE FROM core_auditentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)



def test_file_fields_are_recorded_by_their_stored_name():
    # given a file field value as a model instance would hold it
    from django.db import models

    field = models.FileField(upload_to="scans")
    field.set_attributes_from_name("scan")
    value = field.attr_class(instance=AuditEntry(), field=field, name="scans/vote-1.pdf")
    # when / then: the name is logged, and an empty file is an empty string
    assert audit._plain(value) == "scans/vote-1.pdf"
    assert audit._plain(field.attr_class(instance=AuditEntry(), field=field, name=None)) == ""
