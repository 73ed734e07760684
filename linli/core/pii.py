"""ID numbers and phone numbers typed into free text: masked at rest, the original kept encrypted.

`redact(text)` finds valid GB 11643 ID numbers and mainland phone numbers and masks them the way
residents' own ID numbers and phones are masked. `RedactedTextField` applies it on assignment, so the
plain number never reaches the column, the audit log or a notification: the text column holds the
masked text and a companion `EncryptedTextField` holds the original, which only `reveal()` returns
(the same permission and audit entry as unmasking a resident).
"""

import re
from dataclasses import dataclass

from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from linli.core.fields import EncryptedTextField
from linli.core.validators import mask_id_number, mask_phone, validate_id_number, validate_phone

# Digits on either side would make the match part of a longer number (an order number, a bank card).
_CANDIDATES = re.compile(
    r"(?<![0-9A-Za-z])(?P<id>\d{17}[0-9Xx])(?![0-9A-Za-z])"
    r"|(?<!\d)(?:\+86[- ]?)?(?P<mobile>1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?!\d)"
    r"|(?<!\d)(?P<landline>0\d{2,3}-\d{7,8})(?!\d)"
)


@dataclass(frozen=True)
class Found:
    kind: str  # "id_number" or "phone"
    value: str  # as typed


def _is_valid(check, value) -> bool:
    try:
        check(value)
    except ValidationError:
        return False
    return True


def _mask_keeping_separators(value: str, masked_digits: str) -> str:
    digits = iter(masked_digits)
    return "".join(next(digits) if ch.isdigit() else ch for ch in value)


def _mask(match: re.Match, found: list) -> str:
    text = match.group(0)
    if match.group("id") is not None:
        value = match.group("id")
        if not _is_valid(validate_id_number, value):
            return text
        found.append(Found("id_number", value))
        return mask_id_number(value.upper())
    if match.group("mobile") is not None:
        value = match.group("mobile")
        digits = re.sub(r"\D", "", value)
        if not _is_valid(validate_phone, digits):
            return text
        found.append(Found("phone", value))
        return text[: match.start("mobile") - match.start()] + _mask_keeping_separators(value, mask_phone(digits))
    value = match.group("landline")
    if not _is_valid(validate_phone, value):
        return text
    found.append(Found("phone", value))
    return mask_phone(value)


def redact(text: str) -> tuple[str, list[Found]]:
    """The text with every valid ID number and phone number masked, and what was masked.

    Masking keeps the length and leaves nothing a second pass would find, so redacting masked text
    changes nothing (rows read back from the database stay as they are).
    """
    if not text:
        return text, []
    found: list[Found] = []
    masked = _CANDIDATES.sub(lambda m: _mask(m, found), text)
    return masked, found


def masked(text: str) -> str:
    """Only the masked text, for a copy whose original is kept elsewhere (a note also on the timeline)."""
    return redact(text)[0]


class _RedactingAttribute(DeferredAttribute):
    def __set__(self, instance, value):
        if isinstance(value, str):
            masked, found = redact(value)
            if found:
                instance.__dict__[self.field.original] = value
            value = masked
        instance.__dict__[self.field.attname] = value


class RedactedTextField(models.TextField):
    """Free text whose ID numbers and phones are masked; `original` names the encrypted companion.

    The companion must be declared before this field: a model built from keyword arguments sets its
    fields in order, and a companion set later would overwrite the original with its default.
    """

    descriptor_class = _RedactingAttribute

    def __init__(self, *args, original: str = "", **kwargs):
        self.original = original
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["original"] = self.original
        return name, path, args, kwargs

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        opts = self.model._meta
        try:
            companion = opts.get_field(self.original)
        except FieldDoesNotExist:
            companion = None
        if not isinstance(companion, EncryptedTextField) or companion.creation_counter > self.creation_counter:
            errors.append(checks.Error(
                f"{opts.label}.{self.name}: original={self.original!r} must name an EncryptedTextField "
                "declared before this field.", obj=self, id="linli.E001"))
        return errors


def original(instance, name: str) -> str:
    """The text as typed, for display after an audited unmask.

    A stored original counts only while it still masks to the current text: text edited since (and
    now without numbers) keeps the stale ciphertext, which must not come back in place of the edit.
    """
    current = getattr(instance, name)
    typed = getattr(instance, type(instance)._meta.get_field(name).original)
    if typed and redact(typed)[0] == current:
        return typed
    return current


def has_original(instance, name: str) -> bool:
    return original(instance, name) != getattr(instance, name)


def redact_existing(model, names, *, batch: int = 500) -> int:
    """Mask rows written before the field was redacted (for data migrations); returns rows changed.

    Works on historical models: only rows with a run of digits are read, and each changed row is
    written with `update`, so the companion is encrypted by its field and nothing else is touched.
    """
    changed = 0
    for name in names:
        companion = model._meta.get_field(name).original
        rows = model._default_manager.filter(**{f"{name}__regex": r"[0-9]{7}"}).values_list("pk", name)
        for pk, text in rows.iterator(chunk_size=batch):
            masked, found = redact(text)
            if found:
                model._default_manager.filter(pk=pk).update(**{name: masked, companion: text})
                changed += 1
    return changed


def reveal(*, actor, obj, names, related=(), object_repr: str = "") -> dict:
    """The originals of `names` on `obj`, audited as "unmask" with `related` (what the caller shows too).

    The caller has decided the actor may unmask `obj` (the domain's unmask rule, `can_unmask`); core
    names no domain, so the check is not made here.
    """
    from linli.core import audit

    audit.record(actor=actor, action="unmask", obj=obj, object_repr=object_repr or str(obj),
                 changes={"fields": [*names, *related]})
    return {name: original(obj, name) for name in names}
