"""Forms of the points pages. Choice lists only offer what the actor can see (residents through the
searched picker, never a list of them all); each form carries a hidden request key so a
double-submitted form books once."""

import uuid

from django import forms
from django.utils import timezone

from linli.core.picker import PickOne
from linli.core.scoping import scope_for, visible
from linli.people import pickers as people_pickers
from linli.people import selectors as people_selectors
from linli.people.models import PartyMember
from linli.places.models import AdminUnit, Compound
from linli.points import selectors
from linli.points.models import Award, Goods, PointRule


def new_key() -> str:
    return uuid.uuid4().hex


class KeyedForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("key", new_key())
        super().__init__(*args, **kwargs)


class AwardForm(KeyedForm):
    resident = PickOne(people_pickers.RESIDENTS, label="居民")
    rule = forms.ModelChoiceField(label="积分规则", queryset=None,
                                  help_text="志愿服务等按小时计的规则，时长按时间银行折算率换成积分")
    quantity = forms.DecimalField(label="数量（次数或小时）", min_value=0.5, max_value=100, decimal_places=1, initial=1)
    source_type = forms.ChoiceField(label="来源", choices=Award.Source.choices, initial=Award.Source.VOLUNTEER)
    source_id = forms.CharField(label="来源记录编号", max_length=64, required=False,
                                help_text="如活动编号、巡逻记录、调解记录、诉求编号")
    evidence = forms.CharField(label="凭证说明", max_length=300, required=False)

    field_order = ["resident", "rule", "quantity", "source_type", "source_id", "evidence", "key"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        # Residents of the work area: one's own household is not one's to award (the service says so too).
        self.fields["resident"].queryset = people_selectors.resident_picks(actor)
        self.fields["rule"].queryset = selectors.rule_list_visible_to(actor=actor, filters={"active": "1"})


class ClaimForm(KeyedForm):
    rule = forms.ModelChoiceField(label="申报项目", queryset=None)
    quantity = forms.DecimalField(label="数量（次数或小时）", min_value=0.5, max_value=24, decimal_places=1, initial=1)
    evidence = forms.CharField(label="凭证说明", max_length=300, help_text="活动名称、时间、组织人或证明人")

    def __init__(self, *args, actor, resident, **kwargs):
        super().__init__(*args, **kwargs)
        party = PartyMember.objects.filter(resident=resident).exists()
        self.fields["rule"].queryset = selectors.rule_list_visible_to(actor=actor, filters={"active": "1"}).filter(
            points__gt=0, audience="party" if party else "resident")


class RedeemForm(KeyedForm):
    quantity = forms.IntegerField(label="数量", min_value=1, max_value=100, initial=1)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200, required=False)


def _managed_communities(actor):
    # The communities the actor covers whole (Scope.covers_unit), as a filter.
    return visible(AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNITY).order_by("code"),
                   scope_for(actor).unit_area())


class RuleForm(forms.ModelForm):
    class Meta:
        model = PointRule
        fields = ["community", "audience", "category", "code", "name", "points", "unit", "evidence", "period", "cap",
                  "active"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = _managed_communities(actor)
        if self.instance.pk:
            self.fields["community"].disabled = True
            self.fields["code"].disabled = True


class GoodsForm(forms.ModelForm):
    class Meta:
        model = Goods
        fields = ["community", "name", "kind", "description", "price", "stock", "limit_per_person", "active"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = _managed_communities(actor)
        if self.instance.pk:
            self.fields["community"].disabled = True


class WindowForm(forms.Form):
    community = forms.ModelChoiceField(label="社区", queryset=None)
    name = forms.CharField(label="名称", max_length=60, required=False, help_text="留空：按半年自动命名")
    opens_at = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               help_text="开始和结束都留空：开放本半年兑换期")
    closes_at = forms.DateField(label="结束日期（含）", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    pickup_place = forms.CharField(label="领取地点", max_length=100, required=False, help_text="留空：社区党群服务中心")
    pickup_hours = forms.CharField(label="领取时间", max_length=100, required=False,
                                   help_text="留空：工作日 9:00–12:00、14:00–17:30")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = _managed_communities(actor)

    def bounds(self):
        import datetime as dt

        start, end = self.cleaned_data.get("opens_at"), self.cleaned_data.get("closes_at")
        if not start and not end:
            return None, None
        if not start or not end:
            return start and timezone.make_aware(dt.datetime.combine(start, dt.time.min)), None
        return (timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
                timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)))


class ReportFilterForm(forms.Form):
    start = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    compound = forms.ModelChoiceField(label="小区", queryset=None, required=False, empty_label="全部小区")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = visible(Compound.objects.all(), scope_for(actor)).order_by("name")
