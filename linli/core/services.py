"""Generic audited writes that domain services build on: validate, save, audit, in one transaction."""

from django.core.exceptions import ValidationError
from django.db import models, transaction

from linli.core import audit, memo
from linli.core.scoping import scope_changed, sight_users

OUT_OF_SIGHT = "所选{label}不存在或不在您的辖区内。"


def resolve_references(model, data: dict, allowed: tuple, *, source, current=None) -> dict:
    """Keep the allowed fields and swap every foreign-key value for the row the actor may point it at.

    `source(name, field)` gives the queryset of rows allowed for that reference (the actor's sight);
    an id from a form or API client is never trusted. On an update (`current`), a reference left at its
    present value is kept even if its target is out of sight, so editing other fields still works.
    Out-of-sight or unknown targets are field errors, all reported together.
    """
    references = {f.name: f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)}
    cleaned, errors = {}, {}
    for name, value in (data or {}).items():
        if name not in allowed:
            continue
        field = references.get(name)
        if field is None:
            cleaned[name] = value
            continue
        if value in (None, ""):
            cleaned[name] = None
            continue
        pk = value.pk if isinstance(value, models.Model) else value
        if current is not None and str(pk) == str(getattr(current, field.attname)):
            cleaned[name] = getattr(current, name)
            continue
        rows = source(name, field)
        try:
            cleaned[name] = rows.get(pk=pk)
        except (rows.model.DoesNotExist, ValueError, TypeError):
            errors[name] = [OUT_OF_SIGHT.format(label=field.verbose_name)]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def create(*, actor, model, data: dict, action: str = "create"):
    instance = model(**data)
    instance.full_clean()
    instance.save()
    scope_changed(sight_users(instance))
    audit.record(actor=actor, action=action, obj=instance, changes=audit.diff({}, audit.snapshot(instance)))
    return instance


@transaction.atomic
def update(*, actor, instance, data: dict, action: str = "update"):
    before = audit.snapshot(instance)
    # Both the users this row gave sight before and after (a resident moved, a login relinked).
    shaped = sight_users(instance)
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    scope_changed(shaped | sight_users(instance))
    changes = audit.diff(before, audit.snapshot(instance))
    if changes:
        audit.record(actor=actor, action=action, obj=instance, changes=changes)
    return instance


@transaction.atomic
def update_where(*, actor, instance, where: dict, data: dict, action: str):
    """Change the row only while it still matches `where` (e.g. the status a step expects): one
    conditional UPDATE decides, so of two people acting at once exactly one passes. Audited as
    `update`; answers the refreshed instance, or None when the row no longer matched."""
    before = audit.snapshot(instance)
    memo.forget()
    if type(instance).objects.filter(pk=instance.pk, **where).update(**data) != 1:
        return None
    instance.refresh_from_db()
    audit.record(actor=actor, action=action, obj=instance, changes=audit.diff(before, audit.snapshot(instance)))
    return instance


@transaction.atomic
def delete(*, actor, instance, action: str = "delete"):
    before = audit.snapshot(instance)
    ident, label, text = instance.pk, instance._meta.label_lower, str(instance)
    shaped = sight_users(instance)
    instance.delete()
    scope_changed(shaped)
    audit.record(actor=actor, action=action, object_type=label, object_id=ident, object_repr=text,
                 changes=audit.diff(before, {}))
