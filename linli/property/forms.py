"""Forms of the property pages. Choice lists only offer what the actor can see."""

import datetime as dt

from django import forms

from linli.core import clock
from linli.core.picker import PickMany
from linli.core.scoping import scope_for
from linli.orgs.models import PropertyCompany
from linli.places import pickers as place_pickers
from linli.property import selectors
from linli.property.models import CommonResource, Entry, FundKind, RevenueContract


class DateInput(forms.DateInput):
    input_type = "date"


class MonthField(forms.CharField):
    """A month as YYYY-MM (the phone's month picker sends that form)."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return dt.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError("月份格式应为 YYYY-MM。") from None


def parse_month(value):
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None


def parse_date(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label="科目", choices=Entry.Kind.choices)
    amount = forms.DecimalField(label="金额（元）", min_value=0.01, max_digits=14, decimal_places=2)
    date = forms.DateField(label="发生日期", widget=DateInput)
    description = forms.CharField(label="摘要", max_length=200)
    resource = forms.ModelChoiceField(label="公共资源（停车、广告、租金收益）", queryset=None, required=False)
    contract = forms.ModelChoiceField(label="收益合同", queryset=None, required=False)
    invoice = forms.FileField(label="发票扫描件（支出必传，PDF/JPEG/PNG，不超过 10 MB）", required=False)

    def __init__(self, *args, account, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", clock.today())
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = CommonResource.objects.filter(compound_id=account.compound_id)
        self.fields["contract"].queryset = RevenueContract.objects.filter(
            resource__compound_id=account.compound_id).select_related("resource")


class ReverseForm(forms.Form):
    reason = forms.CharField(label="冲销原因", max_length=150)


class CloseForm(forms.Form):
    month = MonthField(label="结账月份")


class AccountForm(forms.Form):
    compound = forms.ModelChoiceField(label="信托制物业小区", queryset=None)
    opened_on = forms.DateField(label="开户日期", widget=DateInput)
    bank_account = forms.CharField(label="银行共管账号", max_length=40, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = selectors.compound_choices_visible_to(actor=actor)


class AreaContractForm(forms.Form):
    name = forms.CharField(label="片区名称", max_length=100)
    compounds = PickMany(place_pickers.COMPOUNDS, label="相邻小区（同一街道，至少两个）")
    company = forms.ModelChoiceField(label="物业企业", queryset=PropertyCompany.objects.all(), required=False)
    provider_name = forms.CharField(label="服务主体（非企业）", max_length=100, required=False)
    start = forms.DateField(label="合同开始", widget=DateInput)
    end = forms.DateField(label="合同结束", widget=DateInput, required=False)
    fee_rate = forms.DecimalField(label="物业费（元/m²·月）", max_digits=6, decimal_places=2, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compounds"].queryset = selectors.compound_choices_visible_to(actor=actor)


class ResourceForm(forms.Form):
    compound = forms.ModelChoiceField(label="小区", queryset=None)
    kind = forms.ChoiceField(label="类型", choices=CommonResource.Kind.choices)
    name = forms.CharField(label="名称", max_length=100)
    size = forms.DecimalField(label="面积(m²)或数量", max_digits=10, decimal_places=2, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = selectors.compound_choices_visible_to(actor=actor)


class ContractForm(forms.Form):
    counterparty = forms.CharField(label="承租/使用方", max_length=100)
    amount = forms.DecimalField(label="金额（元）", min_value=0.01, max_digits=14, decimal_places=2)
    period = forms.ChoiceField(label="计费周期", choices=RevenueContract.Period.choices)
    start = forms.DateField(label="开始日期", widget=DateInput)
    end = forms.DateField(label="结束日期", widget=DateInput, required=False)


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(label="满意度", coerce=int,
                                   choices=[(5, "5 很满意"), (4, "4 满意"), (3, "3 一般"), (2, "2 不满意"),
                                            (1, "1 很不满意")])
    comment = forms.CharField(label="意见建议", max_length=300, required=False)


class ReviewForm(forms.Form):
    compound = forms.ModelChoiceField(label="小区", queryset=None)

    def __init__(self, *args, actor, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = selectors.compound_choices_visible_to(actor=actor)
        for c in scheme.criteria.all():
            self.fields[f"c{c.pk}"] = forms.DecimalField(label=f"{c.name}（权重 {c.weight}，满分 {c.max_score}）",
                                                         min_value=0, max_value=c.max_score, decimal_places=2)

    def scores(self) -> dict:
        return {int(k[1:]): v for k, v in self.cleaned_data.items() if k.startswith("c") and k[1:].isdigit()}


class BudgetForm(forms.Form):
    unit = forms.ModelChoiceField(label="预算单位", queryset=None)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label="类别", choices=FundKind.choices)
    amount = forms.DecimalField(label="预算金额（元）", min_value=0.01, max_digits=14, decimal_places=2)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, actor, **kwargs):
        from linli.core.scoping import visible
        from linli.places.models import AdminUnit

        kwargs.setdefault("initial", {}).setdefault("year", clock.today().year)
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible(AdminUnit.objects.all(), scope_for(actor).work_area())


class DisburseForm(forms.Form):
    amount = forms.DecimalField(label="拨付金额（元）", min_value=0.01, max_digits=14, decimal_places=2)
    paid_on = forms.DateField(label="拨付日期", widget=DateInput)
    note = forms.CharField(label="说明", max_length=200, required=False)
