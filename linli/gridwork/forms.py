"""Forms of the grid worker's pages: each field as the service takes it; the service checks the rules."""

import decimal

from django import forms

from linli.cases.models import ServiceCategory
from linli.core.picker import PickOne
from linli.gridwork.duties import ADMITTED, REFUSED
from linli.gridwork.models import TEXT_MAX, Trial, Visit
from linli.people import pickers
from linli.people import selectors as people
from linli.people.models import CareTag


class _Position(forms.Form):
    # Filled by locate.js from the phone's own location when the worker taps the button; optional.
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    accuracy_m = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0, max_value=100_000)


class CheckInForm(_Position):
    grid = forms.ChoiceField(label="报到网格")
    photo = forms.ImageField(label="现场照片（可选）", required=False)

    field_order = ["grid", "photo"]

    def __init__(self, *args, worker, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [(str(g.pk), g.name) for g in worker.grids.order_by("name")]


class FindingForm(_Position):
    building = forms.ChoiceField(label="地点（楼栋）")
    category = forms.ChoiceField(label="类别")
    text = forms.CharField(label="发现情况", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.ImageField(label="照片", required=False)

    field_order = ["building", "category", "text", "photo"]

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [(str(b.pk), f"{b.compound.name}{b.number}") for b in buildings]
        self.fields["category"].choices = list(
            ServiceCategory.objects.filter(active=True).order_by("sort", "id").values_list("code", "name"))
        self.fields["category"].initial = "safety-hazard"


class VisitForm(forms.Form):
    household = PickOne(pickers.HOUSEHOLDS, label="走访户")
    purpose = forms.ChoiceField(label="走访目的", choices=Visit.Purpose.choices)
    minutes = forms.IntegerField(label="用时（分钟）", min_value=1, max_value=480, initial=30)
    visited_at = forms.DateTimeField(label="走访时间（补登时填写，默认现在）", required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                format="%Y-%m-%dT%H:%M"))
    notes = forms.CharField(label="走访记录（仅工作人员可见）", required=False, max_length=TEXT_MAX,
                            widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(label="后续事项", required=False, max_length=200)
    follow_up_due = forms.DateField(label="后续事项期限", required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = people.household_picks(actor)


class TaskForm(forms.Form):
    grid = forms.ChoiceField(label="网格")
    matter = forms.ChoiceField(label="事项类别", choices=[(m.code, m.name) for m in ADMITTED]
                               + [(code, f"{name}（不在准入清单）") for code, (name, _note) in REFUSED.items()])
    title = forms.CharField(label="任务内容", max_length=100)
    department = forms.CharField(label="派单部门", max_length=50)
    due_on = forms.DateField(label="完成期限", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [(str(g.pk), f"{g.community.name} · {g.name}") for g in grids]


class PlanForm(forms.Form):
    grid = forms.ChoiceField(label="网格")
    care_tag = forms.ModelChoiceField(label="关爱对象", queryset=CareTag.objects.order_by("code"))
    every_days = forms.IntegerField(label="走访周期（天）", min_value=1, max_value=366, initial=30)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [(str(g.pk), f"{g.community.name} · {g.name}") for g in grids]


ASSESS_OUTCOMES = [(o.value, o.label) for o in (Trial.Outcome.CONFIRMED, Trial.Outcome.EXTENDED, Trial.Outcome.REPLACED)]


class TrialForm(forms.Form):
    worker = forms.ChoiceField(label="网格员（新上岗的在前）")
    starts_on = forms.DateField(label="试用开始", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                help_text="不填为今天；试用期两个月")
    trained_on = forms.DateField(label="岗前培训日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [(str(w.pk), f"{w.name}（{w.get_kind_display()}）") for w in workers]


class TrainingForm(forms.Form):
    worker = forms.ChoiceField(label="网格员")
    course = forms.CharField(label="培训课程", max_length=100)
    held_on = forms.DateField(label="培训日期", widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label="学时", min_value=decimal.Decimal("0.5"), max_value=200, decimal_places=1,
                               widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))
    certificate = forms.CharField(label="证书（名称或编号）", max_length=100, required=False,
                                  help_text="没有证书可不填")

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [(str(w.pk), f"{w.name}（{w.get_kind_display()}）") for w in workers]
