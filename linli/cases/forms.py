"""Page forms. They only render and collect; the services validate (one set of rules for pages and API)."""

from django import forms
from django.urls import reverse

from linli.cases.access import intake_buildings, intake_compounds, intake_dwellings
from linli.cases.models import DESCRIPTION_MAX, Channel, HandlerKind, Rating, ServiceCategory, Tier


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files: the plain FileField rejects the widget's list of them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return super().clean(data, initial)


def _select(choices, blank="请选择"):
    return forms.Select(choices=[("", blank)] + list(choices))


class CaseForm(forms.Form):
    category = forms.CharField(label="事项类别", required=False)
    description = forms.CharField(label="诉求内容", required=False, widget=forms.Textarea(
        attrs={"rows": 5, "maxlength": DESCRIPTION_MAX, "placeholder": "请描述问题、位置和时间"}))
    compound = forms.CharField(label="小区", required=False)
    building = forms.CharField(label="楼栋", required=False)
    dwelling = forms.CharField(label="房屋", required=False)
    address = forms.CharField(label="具体位置", required=False, max_length=200,
                              widget=forms.TextInput(attrs={"placeholder": "如：3 号楼东侧垃圾站"}))
    # A plain number pair (no map tiles: intranets have no internet); the page can fill it from the
    # device's location.
    latitude = forms.CharField(label="纬度（可选）", required=False, widget=forms.NumberInput(
        attrs={"step": "0.000001", "min": "-90", "max": "90", "inputmode": "decimal", "placeholder": "如 37.8570"}))
    longitude = forms.CharField(label="经度（可选）", required=False, widget=forms.NumberInput(
        attrs={"step": "0.000001", "min": "-180", "max": "180", "inputmode": "decimal", "placeholder": "如 112.5489"}))
    photos = MultipleFileField(label="照片（最多 6 张，每张不超过 10 MB）", required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        categories = ServiceCategory.objects.filter(active=True)
        self.fields["category"].widget = _select((c.code, f"{c.group} · {c.name}" if c.group else c.name)
                                                 for c in categories)
        compounds = list(intake_compounds(actor).order_by("name")[:500])
        self.fields["compound"].widget = _select((c.pk, c.name) for c in compounds)
        self.fields["compound"].widget.attrs.update({
            "hx-get": reverse("cases:place_options"), "hx-target": "#id_building", "hx-swap": "innerHTML",
        })
        chosen = self.data.get("compound") or self.initial.get("compound")
        if not chosen and len(compounds) == 1:
            chosen = compounds[0].pk
            self.initial["compound"] = chosen
        compound = next((c for c in compounds if str(c.pk) == str(chosen)), None)
        self.fields["building"].widget = _select(building_choices(actor, compound), "（不指定）")
        self.fields["dwelling"].widget = _select(dwelling_choices(actor, compound), "（不指定）")


def building_choices(actor, compound):
    if compound is None:
        return []
    return [(b.pk, b.number) for b in intake_buildings(actor, compound).order_by("number")]


def dwelling_choices(actor, compound):
    if compound is None:
        return []
    rows = intake_dwellings(actor, compound).select_related("entrance__building").order_by(
        "entrance__building__number", "entrance__number", "number")[:300]
    return [(d.pk, f"{d.entrance.building.number} {d.entrance.number} {d.number}") for d in rows]


class IntakeForm(CaseForm):
    channel = forms.ChoiceField(label="来源渠道", choices=[(c.value, c.label) for c in Channel if c != Channel.ONLINE])
    contact_name = forms.CharField(label="反映人姓名", required=False, max_length=50)
    contact_phone = forms.CharField(label="联系电话", required=False, max_length=20)
    tier = forms.ChoiceField(label="分级", required=False, choices=[("", "按事项默认")] + list(Tier.choices))

    field_order = ["channel", "contact_name", "contact_phone", "category", "tier", "description", "compound",
                   "building", "dwelling", "address", "photos"]


class AssignForm(forms.Form):
    assignee = forms.CharField(label="承办人", required=False)
    handler_kind = forms.ChoiceField(label="承办主体类型", required=False,
                                     choices=[("", "按事项默认")] + list(HandlerKind.choices))
    handling_body = forms.CharField(label="承办单位", required=False, max_length=100)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].widget = _select(((u.pk, u.label) for u in candidates), "（不指定个人）")


class DispatchForm(AssignForm):
    tier = forms.ChoiceField(label="分级", required=False, choices=[("", "不调整")] + list(Tier.choices))
    note = forms.CharField(label="派单说明", required=False, max_length=500)


class TransferForm(AssignForm):
    reason = forms.CharField(label="转办原因", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="退回原因", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TapForm(forms.Form):
    """An action done in one tap (接单): nothing to fill in."""


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SolveForm(forms.Form):
    note = forms.CharField(label="办理结果", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label="照片（可选，最多 6 张）", required=False)


class ConfirmForm(forms.Form):
    rating = forms.ChoiceField(label="评价", required=False, choices=Rating.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="意见", required=False, max_length=500)


class FollowUpForm(forms.Form):
    note = forms.CharField(label="回访记录", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    rating = forms.ChoiceField(label="电话评价", required=False, choices=[("", "（不评价）")] + list(Rating.choices))


class SuperviseForm(forms.Form):
    deadline = forms.DateTimeField(label="督办时限", required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
    note = forms.CharField(label="督办意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RetierForm(forms.Form):
    tier = forms.ChoiceField(label="新的分级", required=False, choices=[("", "请选择")] + list(Tier.choices))
    note = forms.CharField(label="说明", required=False, max_length=500)


class CouncilForm(forms.Form):
    note = forms.CharField(label="转议事理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    ref = forms.CharField(label="议事提案编号（已立项时填写）", required=False, max_length=64)
