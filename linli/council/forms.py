"""Council forms: choices limited to what the actor can see, so a posted id outside it is a field error."""

import datetime as dt

from django import forms
from django.utils import timezone

from linli.accounts.scope import can_edit
from linli.core import clock
from linli.core.picker import PickOne
from linli.core.scoping import scope_for, visible
from linli.council import services
from linli.council.models import Choice, Evaluation, Matter, MeetingKind, ProcessTemplate, Proposal, Rule
from linli.orgs.models import PartyOrg
from linli.places import pickers as place_pickers
from linli.places.models import AdminUnit, Entrance

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProposalForm(forms.Form):
    compound = forms.ModelChoiceField(label="小区", queryset=None)
    title = forms.CharField(label="议题", max_length=100)
    body = forms.CharField(label="内容与理由", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    template = forms.ModelChoiceField(label="议事流程", queryset=ProcessTemplate.objects.all(), required=False,
                                      empty_label="五议工作法（默认）")
    source = forms.ChoiceField(label="来源", choices=[c for c in Proposal.Source.choices if c[0] != "case"],
                               required=False)
    organisation = forms.CharField(label="提议组织", max_length=100, required=False)
    urgent = forms.BooleanField(label="紧急（随时召开）", required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        compounds = services.compounds_for(actor)
        self.fields["compound"].queryset = compounds
        if compounds.count() == 1:
            self.fields["compound"].initial = compounds.first()
        if not can_edit(actor):
            for name in ("source", "organisation", "template"):
                del self.fields[name]


class BallotForm(forms.Form):
    compound = forms.ModelChoiceField(label="小区", queryset=None)
    title = forms.CharField(label="表决事项", max_length=100)
    question = forms.CharField(label="表决内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    rule = forms.ChoiceField(label="表决规则", choices=Rule.choices)
    matter = forms.ChoiceField(label="事项类别（业主共同决定）", choices=Matter.choices, initial=Matter.ORDINARY)
    threshold_percent = forms.IntegerField(label="同意比例(%)（按户同意）", min_value=50, max_value=100, initial=80)
    entrance = PickOne(place_pickers.ENTRANCES, label="单元（单元表决）", required=False)
    party_org = forms.ModelChoiceField(label="党支部（党员表决）", queryset=None, required=False)
    cost_total = forms.DecimalField(label="总费用(元)（单元表决）", max_digits=12, decimal_places=2, required=False)
    closes_at = forms.DateTimeField(label="截止时间", widget=DATETIME)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(actor)
        self.fields["compound"].queryset = services.compounds_for(actor)
        self.fields["entrance"].queryset = visible(Entrance.objects.all(), scope)
        self.fields["party_org"].queryset = visible(PartyOrg.objects.all(), scope)
        self.fields["closes_at"].initial = timezone.localtime(clock.now() + dt.timedelta(days=7))


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label="您的意见", choices=Choice.choices, widget=forms.RadioSelect)


class NoticeForm(forms.Form):
    title = forms.CharField(label="标题", max_length=100, required=False)
    starts_on = forms.DateField(label="公示开始", widget=DATE, required=False)
    ends_on = forms.DateField(label="公示结束", widget=DATE, required=False)


class EvaluationForm(forms.Form):
    score = forms.ChoiceField(label="评价", choices=Evaluation.Score.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="意见", max_length=300, required=False)


class SeriesForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=[c for c in MeetingKind.choices if c[0] != "other"])
    name = forms.CharField(label="名称", max_length=100)
    community = forms.ModelChoiceField(label="社区", queryset=None, required=False)
    compound = forms.ModelChoiceField(label="小区", queryset=None, required=False)
    location = forms.CharField(label="地点", max_length=100, required=False)
    first_at = forms.DateTimeField(label="首次开始时间", widget=DATETIME)
    duration_minutes = forms.IntegerField(label="时长（分钟）", min_value=15, max_value=600, initial=90)
    until = forms.DateField(label="截止日期", widget=DATE, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(actor)
        self.fields["community"].queryset = visible(AdminUnit.objects.filter(level="community"), scope)
        self.fields["compound"].queryset = services.compounds_for(actor)


class MeetingForm(SeriesForm):
    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        for name in ("kind", "duration_minutes", "until"):
            del self.fields[name]
        self.fields["name"].label = "会议名称"
        self.fields["first_at"].label = "开始时间"
