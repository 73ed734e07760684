"""Page forms of the stations domain; the rules themselves are the services'."""

from django import forms

from linli.core.picker import PickOne
from linli.core.scoping import scope_for, visible
from linli.people import pickers as people_pickers
from linli.people.models import Resident
from linli.places import pickers as place_pickers
from linli.places.models import AdminUnit, Compound, Grid
from linli.stations.models import Slot, Station

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class StationForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=Station.Kind.choices)
    community = forms.ModelChoiceField(label="所属社区", queryset=None)
    compound = PickOne(place_pickers.COMPOUNDS, label="服务小区", required=False)
    grid = PickOne(place_pickers.GRIDS, label="服务网格", required=False)
    address = forms.CharField(label="地址", max_length=200)
    rooms = forms.CharField(label="功能用房", max_length=300, required=False,
                            help_text="如：党员活动室、议事厅、便民服务窗口")
    latitude = forms.DecimalField(label="纬度", max_digits=9, decimal_places=6, min_value=-90, max_value=90,
                                  required=False)
    longitude = forms.DecimalField(label="经度", max_digits=9, decimal_places=6, min_value=-180, max_value=180,
                                   required=False)
    on_call = forms.BooleanField(label="提供随时服务（电话预约上门）", required=False)
    on_call_phone = forms.CharField(label="随时服务电话", max_length=20, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(actor).work_area()
        self.fields["community"].queryset = visible(AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNITY), scope)
        self.fields["compound"].queryset = visible(Compound.objects.all(), scope)
        self.fields["grid"].queryset = visible(Grid.objects.all(), scope)


class SlotForm(forms.Form):
    weekday = forms.TypedChoiceField(label="星期", choices=Slot.WEEKDAYS, coerce=int)
    mode = forms.ChoiceField(label="开放方式", choices=Slot.Mode.choices)
    opens = forms.TimeField(label="开始", widget=TIME)
    closes = forms.TimeField(label="结束", widget=TIME)


class StaffForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    role = forms.CharField(label="岗位", max_length=50)
    hours = forms.CharField(label="值班时间", max_length=100, required=False)


class ServiceForm(forms.Form):
    category = forms.CharField(label="大类", max_length=30)
    name = forms.CharField(label="服务事项", max_length=60)


class EvidenceForm(forms.Form):
    item = forms.ChoiceField(label="标准项")
    text = forms.CharField(label="佐证说明", max_length=300)
    photo = forms.FileField(label="照片", required=False)

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = station.checklist


class InspectionForm(forms.Form):
    met = forms.MultipleChoiceField(label="达标项", required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="验收意见", max_length=300, required=False)

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["met"].choices = station.checklist


class WishForm(forms.Form):
    title = forms.CharField(label="心愿", max_length=60, help_text="一句话说清楚，如：想要一副老花镜")
    body = forms.CharField(label="说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class WishForResidentForm(WishForm):
    resident = PickOne(people_pickers.RESIDENTS, label="代哪位居民发布")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = visible(Resident.objects.all(), scope_for(actor).work_area())


class FulfilForm(forms.Form):
    note = forms.CharField(label="实现情况", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    photos = forms.FileField(label="照片", widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))


class NeedForm(forms.Form):
    title = forms.CharField(label="需求", max_length=60, help_text="如：家里水龙头漏水，需要上门维修")
    body = forms.CharField(label="说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    service = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, actor=None, **kwargs):
        from linli.stations.models import ServiceItem

        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = visible(ServiceItem.objects.filter(active=True), scope_for(actor))


class NeedForResidentForm(NeedForm):
    resident = PickOne(people_pickers.RESIDENTS, label="为哪位居民登记")
    source = forms.ChoiceField(label="来源", choices=[("visit", "走访收集"), ("case", "诉求转入")])

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["resident"].queryset = visible(Resident.objects.all(), scope_for(actor).work_area())


class ResourceForm(forms.Form):
    community = forms.ModelChoiceField(label="社区", queryset=None)
    kind = forms.ChoiceField(label="类型", choices=[])
    name = forms.CharField(label="提供方", max_length=100)
    offer = forms.CharField(label="可提供的服务", max_length=300)
    capacity = forms.IntegerField(label="每月可接单数", min_value=1, max_value=100, initial=4)
    available = forms.CharField(label="服务时间", max_length=100, required=False)
    handler = PickOne(people_pickers.RESIDENTS, label="接单人（须已开通账号）", required=False)
    partner_handler = forms.ModelChoiceField(label="或：共建单位人员账号", queryset=None, required=False,
                                             help_text="在“共建单位人员账号”中开通")

    def __init__(self, *args, actor, **kwargs):
        from linli.stations.models import PartnerStaff, Resource

        super().__init__(*args, **kwargs)
        scope = scope_for(actor).work_area()
        self.fields["community"].queryset = visible(AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNITY), scope)
        self.fields["kind"].choices = Resource.Kind.choices
        self.fields["handler"].queryset = visible(Resident.objects.filter(user__isnull=False), scope)
        self.fields["partner_handler"].queryset = visible(
            PartnerStaff.objects.filter(active=True).select_related("partner"), scope)
        self.fields["partner_handler"].label_from_instance = lambda s: f"{s.name}（{s.partner.name}）"

    def clean(self):
        data = super().clean()
        if not data.get("handler") and not data.get("partner_handler"):
            raise forms.ValidationError("请指定接单人：居民账号或共建单位人员账号。")
        return data


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ErrandForm(forms.Form):
    service = forms.ModelChoiceField(label="帮办代办事项", queryset=None)
    resident = PickOne(people_pickers.RESIDENTS, label="服务对象")
    outcome = forms.ChoiceField(label="结果", choices=[])
    result = forms.CharField(label="办理情况", max_length=300, help_text="如：已代为提交社保卡申领材料")

    def __init__(self, *args, actor, station, **kwargs):
        from linli.stations.models import Errand, ServiceItem

        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = visible(ServiceItem.objects.filter(station=station, active=True),
                                                  scope_for(actor))
        self.fields["resident"].queryset = visible(Resident.objects.all(), scope_for(actor).work_area())
        self.fields["outcome"].choices = Errand.Outcome.choices


class StationCaseForm(forms.Form):
    case = forms.IntegerField(label="诉求编号", min_value=1, max_value=2**62, help_text="诉求详情页标题中的 # 号后数字")
    note = forms.CharField(label="派单说明", max_length=200, required=False)


class ProjectForm(forms.Form):
    title = forms.CharField(label="项目名称", max_length=80)
    community = forms.ModelChoiceField(label="社区", queryset=None)
    body = forms.CharField(label="项目内容", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    ends_on = forms.DateField(label="计划完成日期", widget=DATE)
    need = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, actor, **kwargs):
        from linli.stations.models import Need

        super().__init__(*args, **kwargs)
        scope = scope_for(actor).work_area()
        self.fields["community"].queryset = visible(AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNITY), scope)
        self.fields["need"].queryset = visible(Need.objects.all(), scope)


class ProjectOwnerForm(forms.Form):
    partner = forms.ModelChoiceField(label="共建单位", queryset=None, required=False)
    name = forms.CharField(label="或责任人/单位名称", max_length=100, required=False)
    part = forms.CharField(label="分工", max_length=100, required=False)

    def __init__(self, *args, actor, project, **kwargs):
        from linli.orgs.models import PartnerUnit

        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = visible(PartnerUnit.objects.filter(community=project.community),
                                                  scope_for(actor).work_area())


class PartnerStaffForm(forms.Form):
    partner = forms.ModelChoiceField(label="共建单位", queryset=None)
    name = forms.CharField(label="姓名", max_length=50)
    username = forms.CharField(label="登录名", max_length=150, help_text="字母、数字和 . _ - @")
    password = forms.CharField(label="初始密码", max_length=128, widget=forms.PasswordInput(render_value=False))

    def __init__(self, *args, actor, **kwargs):
        from linli.orgs.models import PartnerUnit

        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = visible(PartnerUnit.objects.all(), scope_for(actor).work_area())
