import pytest
from django.db import connection

from linli.core import crypto


def test_encrypt_round_trips_and_differs_each_time():
    # given / when
    a, b = crypto.encrypt("110101199003070011"), crypto.encrypt("110101199003070011")
    # then
    assert a != b and a.startswith("v1:")
    assert crypto.decrypt(a) == crypto.decrypt(b) == "110101199003070011"


def test_lookup_hash_is_stable_and_normalised():
    assert crypto.lookup_hash("11010119900307001x") == crypto.lookup_hash(" 11010119900307001X ")
    assert crypto.lookup_hash("1") != crypto.lookup_hash("2")


@pytest.mark.django_db
def test_resident_id_and_phone_are_ciphertext_in_the_raw_columns(world):
    # given
    resident = world.resident
    # when
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_number_hash FROM people_resident WHERE id = %s", [resident.pk])
        raw_id, raw_phone, raw_hash = cursor.fetchone()
    # then
    assert raw_id.startswith("v1:") and resident.id_number not in raw_id
    assert raw_phone.startswith("v1:") and resident.phone not in raw_phone
    assert raw_hash == crypto.lookup_hash(resident.id_number)
    assert crypto.decrypt(raw_id) == resident.id_number
