import pytest
from django.db import models
from django.test.utils import isolate_apps

from linli.core.fields import EncryptedTextField
from linli.core.pii import RedactedTextField, redact

ID = "110105198003071234"


def test_a_valid_id_number_and_phones_are_masked_and_reported():
    # given free text with an ID number, a mobile with a country code and separators, and a landline
    text = f"我的身份证{ID}，电话+86 139-1234-5678，单位0571-87654321。"
    # when it is redacted
    masked, found = redact(text)
    # then every number is masked, the length is kept, and a second pass finds nothing
    assert masked == "我的身份证110105********1234，电话+86 139-****-5678，单位0571*******21。"
    assert [f.kind for f in found] == ["id_number", "phone", "phone"]
    assert [f.value for f in found] == [ID, "139-1234-5678", "0571-87654321"]
    assert redact(masked) == (masked, [])


@pytest.mark.parametrize("text", [
    "订单号 110105198003071235",  # 18 digits with a wrong check digit: not an ID number
    "快递单号 1391234567890123",  # a mobile-like run inside a longer number
    "12345678901", "房号 3-2-1101", "",
])
def test_what_is_not_an_id_number_or_phone_is_left_alone(text):
    assert redact(text) == (text, [])


def test_a_lower_case_check_letter_is_an_id_number():
    masked, found = redact("11010519491231002x")
    assert masked == "110105********002X" and found[0].kind == "id_number"


@isolate_apps("linli.core")
def test_a_redacted_field_must_name_an_encrypted_companion_declared_before_it():
    # given fields naming a missing companion, a plain text one, and a proper one
    class Note(models.Model):
        original = EncryptedTextField(blank=True)
        plain = models.TextField(blank=True)
        good = RedactedTextField(original="original", blank=True)
        missing = RedactedTextField(original="nowhere", blank=True)
        unencrypted = RedactedTextField(original="plain", blank=True)

        class Meta:
            app_label = "core"

    # when the system checks run on each field, then only the proper one passes
    def ids(name):
        return [e.id for e in Note._meta.get_field(name).check()]

    assert "linli.E001" not in ids("good")
    assert "linli.E001" in ids("missing")
    assert "linli.E001" in ids("unencrypted")
