import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from linli.core.validators import (
    id_check_char,
    mask_id_number,
    mask_phone,
    validate_admin_code,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)

# A published sample number (GB 11643 worked example): 11010519491231002X.
SAMPLE = "11010519491231002X"


def test_sample_id_number_is_valid_and_normalised():
    assert validate_id_number(" 11010519491231002x ") == SAMPLE


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1101051949123100", "应为 18 位"),
        ("11010519491231002Y", "最后一位为数字或 X"),
        ("99010519491231002X", "地区码无效"),
        ("110105194902300028", "出生日期不存在"),
        ("110105194912310021", "校验位不正确"),
    ],
)
def test_bad_id_numbers_are_refused_in_chinese(value, message):
    with pytest.raises(ValidationError) as info:
        validate_id_number(value)
    assert message in info.value.messages[0]


def test_id_number_born_in_the_future_is_refused():
    first17 = "11010520990101001"
    with pytest.raises(ValidationError, match="不合理"):
        validate_id_number(first17 + id_check_char(first17), today=dt.date(2026, 11, 23))


@given(st.integers(min_value=0, max_value=999), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)))
def test_every_number_with_its_check_char_validates_and_any_other_char_fails(seq, born):
    first17 = f"140105{born:%Y%m%d}{seq:03d}"
    good = first17 + id_check_char(first17)
    assert validate_id_number(good) == good
    wrong = next(c for c in "0123456789X" if c != good[-1])
    with pytest.raises(ValidationError):
        validate_id_number(first17 + wrong)


@pytest.mark.parametrize("value", ["13812345678", "+86 139 1234 5678", "0351-7654321", "01087654321"])
def test_good_phones(value):
    assert validate_phone(value)


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "abc", "138123456789"])
def test_bad_phones_are_refused(value):
    with pytest.raises(ValidationError, match="手机号"):
        validate_phone(value)


@pytest.mark.parametrize(
    ("code", "level", "ok"),
    [
        ("140105000000", "district", True),
        ("140105001000", "street", True),
        ("140105001001", "community", True),
        ("990105000000", "district", False),  # no province 99
        ("140100000000", "district", False),  # county digits 00
        ("140105001000", "district", False),  # district must end 000000
        ("140105000001", "community", False),  # community needs a street part
        ("14010500100", "street", False),  # 11 digits
    ],
)
def test_admin_codes(code, level, ok):
    if ok:
        assert validate_admin_code(code, level) == code
    else:
        with pytest.raises(ValidationError):
            validate_admin_code(code, level)


def test_masks_hide_the_middle():
    assert mask_id_number(SAMPLE) == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("") == "" and mask_phone("") == ""


def test_credit_code_checks_length_characters_and_check_character():
    assert validate_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"
    for bad, code in (("9135010", "uscc_length"), ("91350100M000100I43", "uscc_chars"),
                      ("91350100M000100Y44", "uscc_checksum")):
        with pytest.raises(ValidationError) as info:
            validate_credit_code(bad)
        assert info.value.code == code
