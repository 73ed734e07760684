"""Forms for the people pages. Choices only ever list what the actor may work on; rows of growing
tables (residents, households, dwellings, grids) are chosen with the searched picker (core.picker)."""

from django import forms
from django.core.exceptions import ValidationError

from linli.accounts.scope import can_unmask
from linli.core.picker import PickMany, PickOne
from linli.core.scoping import scope_for
from linli.people import pickers, selectors
from linli.people.models import SENSITIVE_TAGS, GridWorker, PartyMember, Resident
from linli.places import pickers as place_pickers
from linli.places import selectors as place_selectors

YES_NO = [("", "全部"), ("1", "是"), ("0", "否")]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's validation errors on the form: on the field when the form has it."""
    for name, messages in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


class ResidentFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "姓名，或完整身份证号/手机号"}))
    community = forms.ChoiceField(label="社区", required=False)
    compound = forms.ChoiceField(label="小区", required=False)
    grid = forms.ChoiceField(label="网格", required=False)
    status = forms.ChoiceField(label="居住状态", required=False,
                               choices=[("", "全部")] + list(Resident.Status.choices))
    care_tag = forms.ChoiceField(label="关爱标签", required=False)
    elderly = forms.ChoiceField(label="65 岁以上", required=False, choices=YES_NO)
    party_member = forms.ChoiceField(label="党员", required=False, choices=YES_NO)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", "全部")] + [
            (c.code, c.name) for c in selectors.communities_visible_to(actor)]
        self.fields["compound"].choices = [("", "全部")] + [
            (str(c.pk), c.name) for c in selectors.compounds_visible_to(actor)]
        self.fields["grid"].choices = [("", "全部")] + [(str(g.pk), g.name) for g in selectors.grids_visible_to(actor)]
        self.fields["care_tag"].choices = [("", "全部")] + [(t.code, t.name) for t in selectors.care_tags()]


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "户号或成员姓名"}))
    community = forms.ChoiceField(label="社区", required=False)
    compound = forms.ChoiceField(label="小区", required=False)
    grid = forms.ChoiceField(label="网格", required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", "全部")] + [
            (c.code, c.name) for c in selectors.communities_visible_to(actor)]
        self.fields["compound"].choices = [("", "全部")] + [
            (str(c.pk), c.name) for c in selectors.compounds_visible_to(actor)]
        self.fields["grid"].choices = [("", "全部")] + [(str(g.pk), g.name) for g in selectors.grids_visible_to(actor)]


class _ResidentFields(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", required=False, max_length=30)
    phone = forms.CharField(label="联系电话", required=False, max_length=30)
    email = forms.EmailField(label="电子邮箱", required=False)
    relation = forms.ChoiceField(label="与户主关系", choices=Resident.Relation.choices)
    status = forms.ChoiceField(label="居住状态", choices=Resident.Status.choices)
    is_owner = forms.BooleanField(label="业主", required=False)
    care_tags = forms.ModelMultipleChoiceField(label="关爱标签", required=False, queryset=selectors.care_tags(),
                                               widget=forms.CheckboxSelectMultiple)


class ResidentCreateForm(_ResidentFields):
    household = PickOne(pickers.HOUSEHOLDS, label="所在户", required=False,
                        help_text="已有的户；新的一户请改选下面的房屋")
    dwelling = PickOne(place_pickers.DWELLINGS, label="房屋（新建一户）", required=False)
    household_number = forms.CharField(label="新户户号", required=False, max_length=30)
    sensitive_tags = forms.MultipleChoiceField(label="敏感标签", required=False, choices=list(SENSITIVE_TAGS.items()),
                                               widget=forms.CheckboxSelectMultiple,
                                               help_text="仅限有权查看者知悉，加密存储")

    field_order = ["name", "id_number", "phone", "email", "household", "dwelling", "household_number",
                   "relation", "status", "is_owner", "care_tags", "sensitive_tags"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = selectors.household_picks(actor)
        self.fields["dwelling"].queryset = place_selectors.dwelling_picks(actor)
        if not can_unmask(actor):
            del self.fields["sensitive_tags"]


class ResidentEditForm(_ResidentFields):
    household = PickOne(pickers.HOUSEHOLDS, label="所在户", help_text="改选其他户即为迁移")

    field_order = ["name", "id_number", "phone", "email", "household", "relation", "status", "is_owner",
                   "care_tags"]

    def __init__(self, *args, actor, resident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = selectors.household_picks(actor)
        # The full numbers are never put into the form: that would unmask them without an audit entry.
        self.fields["id_number"].help_text = f"留空则不修改。当前：{resident.id_number_masked or '未登记'}"
        self.fields["phone"].help_text = f"留空则不修改。当前：{resident.phone_masked or '未登记'}"


class SensitiveTagsForm(forms.Form):
    sensitive_tags = forms.MultipleChoiceField(label="敏感标签", required=False, choices=list(SENSITIVE_TAGS.items()),
                                               widget=forms.CheckboxSelectMultiple)


class HouseholdForm(forms.Form):
    dwelling = PickOne(place_pickers.DWELLINGS, label="房屋")
    number = forms.CharField(label="户号", required=False, max_length=30)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dwelling"].queryset = place_selectors.dwelling_picks(actor)


class PartyMemberFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "姓名，或完整身份证号/手机号"}))
    category = forms.ChoiceField(label="类别", required=False,
                                 choices=[("", "全部")] + list(PartyMember.Category.choices))
    lost_contact = forms.ChoiceField(label="失联", required=False, choices=YES_NO)
    dual_community = forms.ChoiceField(label="双报到社区", required=False)
    branch = forms.ChoiceField(label="所在支部", required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dual_community"].choices = [("", "全部")] + [
            (str(c.pk), c.name) for c in selectors.communities_visible_to(actor)]
        self.fields["branch"].choices = [("", "全部")] + [
            (str(o.pk), o.name) for o in selectors.party_orgs_visible_to(actor)]


class PartyMemberForm(forms.Form):
    resident = PickOne(pickers.RESIDENTS, label="居民",
                       help_text="可按姓名、完整身份证号或手机号、证件号或手机号后四位查找")
    category = forms.ChoiceField(label="类别", choices=PartyMember.Category.choices)
    home_branch = forms.ModelChoiceField(label="组织关系所在支部", required=False, queryset=Resident.objects.none())
    joined_on = forms.DateField(label="入党日期", required=False, widget=DATE)
    employer = forms.CharField(label="工作单位", required=False, max_length=100)
    dual_registered_community = forms.ModelChoiceField(label="双报到社区", required=False,
                                                       queryset=Resident.objects.none())
    dual_registered_on = forms.DateField(label="双报到日期", required=False, widget=DATE)
    lost_contact = forms.BooleanField(label="失联", required=False)
    search_record = forms.CharField(label="查找记录", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    cared_households = PickMany(pickers.HOUSEHOLDS, label="联系户", required=False)

    def __init__(self, *args, actor, member=None, resident=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        scope = scope_for(actor).work_area()
        self.fields["home_branch"].queryset = selectors.party_orgs_visible_to(actor, scope=scope)
        self.fields["dual_registered_community"].queryset = selectors.communities_visible_to(actor, scope=scope)
        self.fields["resident"].queryset = selectors.resident_picks(actor)
        person = member.resident if member else resident
        households = selectors.household_picks(actor)
        if person is not None:
            # Members look after neighbours: offer the households of the member's own compound.
            compound_id = person.household.dwelling.entrance.building.compound_id
            current = member.cared_households.values("pk") if member else []
            households = households.filter(dwelling__entrance__building__compound_id=compound_id) | \
                households.filter(pk__in=current)
            self.fields["cared_households"].narrow(compound=compound_id)
            self.fields["cared_households"].help_text = "本人所在小区的住户"
        self.fields["cared_households"].queryset = households.distinct()
        if member is not None:
            del self.fields["resident"]


class GridWorkerFilterForm(forms.Form):
    q = forms.CharField(label="姓名", required=False)
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部")] + list(GridWorker.Kind.choices))
    grid = forms.ChoiceField(label="网格", required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [("", "全部")] + [(str(g.pk), g.name) for g in selectors.grids_visible_to(actor)]


class GridWorkerForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="联系电话", required=False, max_length=30)
    kind = forms.ChoiceField(label="类别", choices=GridWorker.Kind.choices)
    grids = PickMany(place_pickers.GRIDS, label="负责网格")
    duties = forms.CharField(label="职责清单", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    started_on = forms.DateField(label="上岗日期", required=False, widget=DATE)

    def __init__(self, *args, actor, worker=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grids"].queryset = place_selectors.grid_picks(actor)
        if worker is not None:
            self.fields["phone"].help_text = f"留空则不修改。当前：{worker.phone_masked or '未登记'}"
