"""Generic audited writes that domain services build on: validate, save, audit, in one transaction."""

from django.db import transaction

from linli.core import audit


@transaction.atomic
def create(*, actor, model, data: dict, action: str = "create"):
    instance = model(**data)
    instance.full_clean()
    instance.save()
    audit.record(actor=actor, action=action, obj=instance, changes=audit.diff({}, audit.snapshot(instance)))
    return instance


@transaction.atomic
def update(*, actor, instance, data: dict, action: str = "update"):
    before = audit.snapshot(instance)
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    changes = audit.diff(before, audit.snapshot(instance))
    if changes:
        audit.record(actor=actor, action=action, obj=instance, changes=changes)
    return instance


@transaction.atomic
def delete(*, actor, instance, action: str = "delete"):
    before = audit.snapshot(instance)
    ident, label, text = instance.pk, instance._meta.label_lower, str(instance)
    instance.delete()
    audit.record(actor=actor, action=action, object_type=label, object_id=ident, object_repr=text,
                 changes=audit.diff(before, {}))
