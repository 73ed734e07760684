"""The set-based writers an import uses, with a batch big enough for PostgreSQL's COPY path."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from linli.core import bulk, crypto
from linli.core.channel import using_channel
from linli.core.models import AuditEntry
from linli.people import services
from linli.people.models import Resident
from linli.people.tests.factories import make_id_number

N = bulk.COPY_FROM_ROWS + 10


def _items(world, start=0):
    return [(world.household1.pk, {"name": f"批量{i}", "id_number": make_id_number(500 + i), "phone": f"1390000{i:04d}"},
             None) for i in range(start, start + N)]


def test_a_batch_is_written_encrypted_with_ids_and_audit_entries(world):
    # given
    audits = AuditEntry.objects.count()
    # when
    with using_channel("import"):
        made = services.residents_create_many(actor=world.user("community_secretary"), items=_items(world))
    # then: every object has its id, the stored numbers are ciphertext, the lookup hash finds them
    assert all(r.pk for r in made)
    first = Resident.objects.get(pk=made[0].pk)
    assert first.id_number == make_id_number(500) and first.phone == "13900000000"
    assert first.id_number_hash == crypto.lookup_hash(make_id_number(500))
    assert first.birth_date is not None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number FROM {Resident._meta.db_table} WHERE id = %s", [made[0].pk])
        assert cursor.fetchone()[0].startswith(crypto.PREFIX)
    entries = AuditEntry.objects.filter(object_type="people.resident", action="create", channel="import")
    assert AuditEntry.objects.count() == audits + N
    assert {e.object_id for e in entries} >= {str(r.pk) for r in made}
    assert all(e.at is not None for e in entries)


def test_a_number_already_registered_fails_the_whole_batch(world):
    # given: the last item's number is already registered
    actor = world.user("community_secretary")
    services.residents_create_many(actor=actor, items=_items(world)[-1:])
    residents, audits = Resident.objects.count(), AuditEntry.objects.count()
    # when / then
    with pytest.raises(ValidationError, match="已登记"):
        services.residents_create_many(actor=actor, items=_items(world))
    assert (Resident.objects.count(), AuditEntry.objects.count()) == (residents, audits)
