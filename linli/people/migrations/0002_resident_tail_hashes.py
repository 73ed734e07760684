from django.db import migrations, models

from linli.core import crypto

BATCH = 2000


def tail_hash(value):
    # As people.models.tail_hash at the time of writing (a migration keeps its own copy).
    return crypto.lookup_hash(f"tail:{value[-4:]}")[:16] if len(value or "") >= 4 else ""


def fill_tails(apps, schema_editor):
    """Existing residents get the digests of their tails (the numbers are decrypted one batch at a time)."""
    Resident = apps.get_model("people", "Resident")
    last = 0
    while True:
        batch = list(Resident.objects.filter(pk__gt=last).order_by("pk").only("id_number", "phone")[:BATCH])
        if not batch:
            return
        for resident in batch:
            resident.id_number_tail_hash = tail_hash(resident.id_number)
            resident.phone_tail_hash = tail_hash(resident.phone)
        Resident.objects.bulk_update(batch, ["id_number_tail_hash", "phone_tail_hash"])
        last = batch[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='resident',
            name='id_number_tail_hash',
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=16),
        ),
        migrations.AddField(
            model_name='resident',
            name='phone_tail_hash',
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=16),
        ),
        migrations.RunPython(fill_tails, migrations.RunPython.noop),
    ]
