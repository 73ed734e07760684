"""Forms of the volunteers pages; every choice is bounded by the actor's work area."""

from django import forms

from linli.core.picker import PickOne
from linli.core.scoping import scope_for, visible
from linli.people import pickers as people_pickers
from linli.people.models import Resident
from linli.places import pickers as place_pickers
from linli.places.models import AdminUnit, Compound
from linli.volunteers.models import DEFAULT_RADIUS_M, Team

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TeamForm(forms.Form):
    name = forms.CharField(label="名称", max_length=60)
    kind = forms.ChoiceField(label="类型", choices=Team.Kind.choices)
    community = forms.ModelChoiceField(label="所属社区", queryset=None)
    compound = PickOne(place_pickers.COMPOUNDS, label="所在小区", required=False, help_text="留空表示全社区的队伍")
    purpose = forms.CharField(label="服务内容", max_length=200, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(actor).work_area()
        self.fields["community"].queryset = visible(AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNITY), scope)
        self.fields["compound"].queryset = visible(Compound.objects.all(), scope)


class MemberForm(forms.Form):
    resident = PickOne(people_pickers.RESIDENTS, label="加入的居民（须已开通登录账号）")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = visible(Resident.objects.all(), scope_for(actor).work_area())


class ActivityForm(forms.Form):
    title = forms.CharField(label="活动名称", max_length=60)
    description = forms.CharField(label="内容", max_length=300, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.CharField(label="地点", max_length=100)
    latitude = forms.DecimalField(label="纬度", max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    longitude = forms.DecimalField(label="经度", max_digits=9, decimal_places=6, min_value=-180, max_value=180)
    radius = forms.IntegerField(label="签到范围（米）", min_value=20, max_value=5000, initial=DEFAULT_RADIUS_M)
    starts_at = forms.DateTimeField(label="开始时间", widget=WHEN)
    ends_at = forms.DateTimeField(label="结束时间", widget=WHEN)
    capacity = forms.IntegerField(label="名额", min_value=1, max_value=500)


class HoursForm(forms.Form):
    hours = forms.DecimalField(label="服务时长（小时）", max_digits=4, decimal_places=1, min_value=0.5, max_value=24)


class RegisterForm(forms.Form):
    community = forms.ModelChoiceField(label="居住地社区", queryset=AdminUnit.objects.filter(
        level=AdminUnit.Level.COMMUNITY).order_by("code"))
    employer = forms.CharField(label="工作单位（党组织）", max_length=100)
