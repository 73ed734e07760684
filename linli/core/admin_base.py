"""The base of every Linli admin page: jurisdiction-filtered, audited, sensitive fields write-only.

The admin is one more door to the same data, so it obeys the same rules as pages and the API:
rows come through `core.scoping.visible`, choices offered in forms too, and every save or delete
goes through `core.services` (the audit log marks them with the "admin" channel).
"""

from django import forms
from django.contrib import admin
from django.db import transaction

from linli.core import audit, services
from linli.core.fields import EncryptedTextField
from linli.core.scoping import visible
from linli.core.validators import mask_id_number, mask_phone

KEEP_HINT = "出于隐私保护不显示原值；留空则保持不变。"


def _scope(request):
    from linli.core.scoping import scope_for

    return scope_for(request.user)


def masked(field_name: str, value: str) -> str:
    if not value:
        return ""
    if "phone" in field_name:
        return mask_phone(value)
    if "id_number" in field_name:
        return mask_id_number(value)
    return "（已填写，加密保存）"


def encrypted_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


class WriteOnlySecretsForm(forms.ModelForm):
    """Encrypted fields are shown empty with their masked value as a hint; blank keeps the stored value.

    Showing the plain value in a form would be an unmasking that nobody asked for and nobody audits.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in encrypted_fields(self._meta.model):
            if name not in self.fields:
                continue
            field = self.fields[name]
            field.widget = forms.TextInput(attrs={"autocomplete": "off"})
            field.required = False
            self.initial[name] = ""
            current = getattr(self.instance, name, "") if self.instance.pk else ""
            field.help_text = f"当前：{masked(name, current)}。{KEEP_HINT}" if current else "未填写。"

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            for name in encrypted_fields(self._meta.model):
                if name in self.fields and not cleaned.get(name):
                    cleaned[name] = getattr(self.instance, name)
        return cleaned


def _data_of(obj) -> dict:
    """The editable column values of an instance, by attribute name (FKs as ids)."""
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields
            if f.editable and not f.primary_key}


def audited_save(request, obj, change: bool):
    """Save an admin-built instance through the audited services; obj ends up saved (pk set)."""
    model = type(obj)
    if change:
        fresh = model._default_manager.get(pk=obj.pk)
        services.update(actor=request.user, instance=fresh, data=_data_of(obj))
    else:
        created = services.create(actor=request.user, model=model, data=_data_of(obj))
        obj.pk = created.pk
        obj._state.adding = False
        obj._state.db = created._state.db


class ScopedAdmin(admin.ModelAdmin):
    form = WriteOnlySecretsForm
    # Bulk deletion would bypass the per-object audited delete.
    actions = None

    def get_queryset(self, request):
        return visible(super().get_queryset(request), _scope(request))

    # --- permissions: staff flag AND the usual Django model permissions -----------------------

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return request.user.is_staff and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_staff and super().has_change_permission(request, obj) and self._writable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_staff and super().has_delete_permission(request, obj) and self._writable(request, obj)

    def _writable(self, request, obj) -> bool:
        # A row in sight only through a past relation (see Scoping.write) is history here: shown, not changed.
        if obj is None or obj.pk is None:
            return True
        return visible(type(obj)._default_manager.filter(pk=obj.pk), _scope(request), write=True).exists()

    # --- choices: only what the user can see ---------------------------------------------------

    def _limit(self, request, db_field, kwargs):
        related = db_field.remote_field.model
        if getattr(related, "scoping", None) is not None and "queryset" not in kwargs:
            kwargs["queryset"] = visible(related._default_manager.all(), _scope(request))
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **self._limit(request, db_field, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **self._limit(request, db_field, kwargs))

    # --- writes: through the audited services ---------------------------------------------------

    def save_model(self, request, obj, form, change):
        audited_save(request, obj, change)

    def delete_model(self, request, obj):
        services.delete(actor=request.user, instance=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                services.delete(actor=request.user, instance=obj)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        m2m = [f for f in obj._meta.many_to_many if f.name in form.cleaned_data]
        before = {f.name: set(getattr(obj, f.name).values_list("pk", flat=True)) if change else set() for f in m2m}
        super().save_related(request, form, formsets, change)
        scope = _scope(request)
        for f in m2m:
            related = f.remote_field.model
            if getattr(related, "scoping", None) is None or scope.everything:
                continue
            # Links to rows the user cannot see were not offered in the form, so they must survive it.
            shown = set(visible(related._default_manager.filter(pk__in=before[f.name]), scope)
                        .values_list("pk", flat=True))
            hidden = before[f.name] - shown
            if hidden:
                getattr(obj, f.name).add(*hidden)
        after = {f.name: set(getattr(obj, f.name).values_list("pk", flat=True)) for f in m2m}
        changes = audit.diff({k: sorted(v) for k, v in before.items()}, {k: sorted(v) for k, v in after.items()})
        if changes:
            audit.record(actor=request.user, action="update", obj=obj, changes=changes)

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                services.delete(actor=request.user, instance=obj)
            for obj in instances:
                audited_save(request, obj, change=obj.pk is not None and not obj._state.adding)
            formset.save_m2m()


class ScopedInline(admin.TabularInline):
    """Inline rows obey the same visibility and choice limits as their parent page."""

    form = WriteOnlySecretsForm
    extra = 0

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if getattr(qs.model, "scoping", None) is not None:
            qs = visible(qs, _scope(request))
        return qs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if getattr(related, "scoping", None) is not None and "queryset" not in kwargs:
            kwargs["queryset"] = visible(related._default_manager.all(), _scope(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For append-only records: view, never add, change or delete."""

    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
