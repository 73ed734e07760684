"""Validators for Chinese identifiers, with messages in Chinese."""

import datetime as dt
import re

from django.core.exceptions import ValidationError

# GB 11643-1999: weights for the first 17 digits, and the check character for sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# GB/T 2260 province-level codes (the first two digits of every administrative code).
PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}

_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def id_birth_date(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_gender(value: str) -> str:
    """The 17th digit is odd for men and even for women."""
    return "M" if int(value[16]) % 2 else "F"


def validate_id_number(value: str, *, today: dt.date | None = None) -> str:
    value = normalise_id_number(value)
    if len(value) != 18:
        raise ValidationError("身份证号码应为 18 位，当前为 %(n)s 位。", code="id_length", params={"n": len(value)})
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError("身份证号码前 17 位须为数字，最后一位为数字或 X。", code="id_chars")
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError("身份证号码的地区码无效。", code="id_region")
    try:
        born = id_birth_date(value)
    except ValueError:
        raise ValidationError("身份证号码中的出生日期不存在。", code="id_birth") from None
    if born.year < 1880 or (today is not None and born > today):
        raise ValidationError("身份证号码中的出生日期不合理。", code="id_birth")
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError("身份证号码校验位不正确，请核对。", code="id_checksum")
    return value


def normalise_phone(value: str) -> str:
    value = (value or "").strip().replace(" ", "")
    if value.startswith("+86"):
        value = value[3:]
    return value


def validate_phone(value: str) -> str:
    """A mainland mobile number (11 digits starting 13–19) or a landline with area code."""
    value = normalise_phone(value)
    if _PHONE_RE.match(value) or _LANDLINE_RE.match(value):
        return value
    raise ValidationError("请输入有效的手机号（11 位，以 1 开头）或带区号的固定电话。", code="phone")


def validate_admin_code(value: str, level: str) -> str:
    """12-digit statistical division code: 6 digits of GB/T 2260, 3 street/town, 3 community."""
    value = (value or "").strip()
    if len(value) != 12 or not value.isdigit():
        raise ValidationError("区划代码应为 12 位数字。", code="code_format")
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError("区划代码的前两位不是有效的 GB/T 2260 省级代码。", code="code_province")
    county, street, community = value[4:6], value[6:9], value[9:12]
    if county == "00":
        raise ValidationError("区划代码第 5–6 位（区县）不能为 00。", code="code_county")
    if level == "district" and (street != "000" or community != "000"):
        raise ValidationError("区县级代码的后 6 位应为 000000。", code="code_level")
    if level == "street" and (street == "000" or community != "000"):
        raise ValidationError("街道级代码第 7–9 位不能为 000，后 3 位应为 000。", code="code_level")
    if level == "community" and (street == "000" or community == "000"):
        raise ValidationError("社区级代码第 7–9 位与第 10–12 位都不能为 000。", code="code_level")
    return value


# GB 32100-2015: the unified social credit code's 31 characters (no I, O, S, V, Z) and weights.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def validate_credit_code(value: str) -> str:
    """An organisation's unified social credit code: 18 characters, the last one a check character."""
    value = (value or "").strip().replace(" ", "").upper()
    if len(value) != 18:
        raise ValidationError("统一社会信用代码应为 18 位，当前为 %(n)s 位。", code="uscc_length", params={"n": len(value)})
    if any(c not in _USCC_CHARS for c in value):
        raise ValidationError("统一社会信用代码只能由数字和大写字母组成（不含 I、O、S、V、Z）。", code="uscc_chars")
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(value[:17], _USCC_WEIGHTS, strict=True))
    if _USCC_CHARS[(31 - total % 31) % 31] != value[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对。", code="uscc_checksum")
    return value


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    return value[:6] + "*" * 8 + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    return value[:4] + "*" * max(len(value) - 6, 0) + value[-2:]
