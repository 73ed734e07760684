"""Page forms for the place registry.

Forms parse and offer choices; the services do the checking and the writing. Every reference field
offers only what the actor can see, and the service checks again, so a forged id gets a field error.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q

from linli.core.scoping import scope_for, visible
from linli.places import services
from linli.places.models import AdminUnit, Building, Compound, Dwelling, Entrance, Grid, MicroGrid


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: known fields by name, the rest on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, messages in exc.message_dict.items():
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
            continue
        label = "" if field == NON_FIELD_ERRORS else _label(form, field)
        for message in messages:
            form.add_error(None, f"{label}：{message}" if label else message)


def _label(form, field: str) -> str:
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is None:
        return ""
    try:
        return str(model._meta.get_field(field).verbose_name)
    except Exception:  # noqa: BLE001 - an unknown name just gets no label
        return ""


class ScopedForm(forms.ModelForm):
    """A model form whose reference choices are limited to what the actor can see.

    Model validation is left to the service (it runs full_clean inside the write transaction),
    so the form's own instance validation is skipped.
    """

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        scope = scope_for(actor)
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                keep = visible(field.queryset, scope)
                current = getattr(self.instance, f"{name}_id", None) if self.instance.pk else None
                if current is not None:
                    # The current value stays selectable even when the actor cannot see it.
                    keep = field.queryset.filter(Q(pk__in=keep.values("pk")) | Q(pk=current))
                field.queryset = keep

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class UnitCreateForm(ScopedForm):
    class Meta:
        model = AdminUnit
        fields = services.UNIT_CREATE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(level=AdminUnit.Level.COMMUNITY)
        self.fields["parent"].help_text = "街道选择所属区县，社区选择所属街道；区县不填"
        self.fields["code"].help_text = "12 位统计用区划代码"


class UnitUpdateForm(ScopedForm):
    class Meta:
        model = AdminUnit
        fields = services.UNIT_UPDATE_FIELDS


class GridForm(ScopedForm):
    class Meta:
        model = Grid
        fields = services.GRID_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = self.fields["community"].queryset.filter(
            level=AdminUnit.Level.COMMUNITY)


class MicroGridForm(ScopedForm):
    class Meta:
        model = MicroGrid
        fields = ("name",)


class CompoundForm(ScopedForm):
    class Meta:
        model = Compound
        fields = services.COMPOUND_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = self.fields["community"].queryset.filter(
            level=AdminUnit.Level.COMMUNITY)


class BuildingForm(ScopedForm):
    """The compound comes from the page; grids are those of the compound's community."""

    class Meta:
        model = Building
        fields = ("number", "floors", "grid", "micro_grid")

    def __init__(self, *args, compound, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = self.fields["grid"].queryset.filter(community_id=compound.community_id)
        self.fields["micro_grid"].queryset = self.fields["micro_grid"].queryset.filter(
            grid__community_id=compound.community_id).select_related("grid")


class EntranceForm(ScopedForm):
    class Meta:
        model = Entrance
        fields = ("number",)


class DwellingForm(ScopedForm):
    class Meta:
        model = Dwelling
        fields = ("number", "floor", "registered_area", "surveyed_area", "contract_area", "developer_unsold")


def _add_street_choice(form: forms.Form, scope) -> None:
    """Officers over several streets also filter by street."""
    streets = list(visible(AdminUnit.objects.filter(level=AdminUnit.Level.STREET), scope))
    if len(streets) > 1:
        form.fields["street"] = forms.ChoiceField(
            label="街道", required=False, choices=[("", "全部街道")] + [(u.code, u.name) for u in streets])
        form.order_fields(["q", "street"])


class CompoundFilterForm(forms.Form):
    """The compound list's search box and filters (GET)."""

    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "小区名称或地址", "type": "search"}))
    community = forms.ChoiceField(label="社区", required=False)
    grid = forms.ChoiceField(label="网格", required=False)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *Compound.Kind.choices])
    old = forms.ChoiceField(label="建成年代", required=False,
                            choices=[("", "不限年代"), ("1", "2000 年前（老旧）"), ("0", "2000 年及以后")])
    walled = forms.ChoiceField(label="封闭", required=False,
                               choices=[("", "封闭与开放"), ("1", "封闭式"), ("0", "开放式")])

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(actor)
        _add_street_choice(self, scope)
        communities = visible(AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNITY), scope)
        self.fields["community"].choices = [("", "全部社区")] + [(u.code, u.name) for u in communities]
        grids = visible(Grid.objects.all(), scope)
        self.fields["grid"].choices = [("", "全部网格")] + [(str(g.pk), g.name) for g in grids]


class GridFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "网格名称或编码", "type": "search"}))
    community = forms.ChoiceField(label="社区", required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        _add_street_choice(self, scope_for(actor))
        communities = visible(AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNITY), scope_for(actor))
        self.fields["community"].choices = [("", "全部社区")] + [(u.code, u.name) for u in communities]


class UnitFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "名称或代码", "type": "search"}))
    level = forms.ChoiceField(label="层级", required=False, choices=[("", "全部层级"), *AdminUnit.Level.choices])
