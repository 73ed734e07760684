"""/api/v1/volunteer-*: teams, activities, sign-up, check-in and check-out, hours, dual registration and
the report; the same operations as the pages."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema

from linli.core.access import get_visible, require
from linli.core.api import ErrorOut
from linli.core.errors import NotFound
from linli.core.ids import Id
from linli.core.pagination import paginated
from linli.core.scoping import scope_for
from linli.people.models import PartyMember, Resident
from linli.places.models import AdminUnit, Compound
from linli.volunteers import access, selectors, services

router = Router(tags=["志愿服务与双报到"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
NOT_OFFICER = "只有社区书记、街道和区级干部查看双报到统计。"


def _in_sight(actor, queryset, pk, *, work=True):
    """An optional id of the body: None stays None, anything out of sight (of the work area) is 404."""
    if pk is None:
        return None
    return get_visible(queryset, scope_for(actor).work_area() if work else scope_for(actor), pk)


# --- schemas --------------------------------------------------------------------------------------

class VolunteerTeamOut(Schema):
    id: int
    name: str
    kind: str
    kind_name: str
    community_id: int
    compound_id: int | None
    purpose: str
    active: bool

    @staticmethod
    def resolve_kind_name(obj):
        return obj.get_kind_display()


class VolunteerTeamIn(Schema):
    community_id: Id
    compound_id: Id | None = None
    kind: str = Field(max_length=10)
    name: str = Field(max_length=60)
    purpose: str = Field("", max_length=200)


class VolunteerMemberOut(Schema):
    id: int
    name: str
    kind: str
    kind_name: str
    has_time_bank: bool
    joined_at: dt.datetime

    @staticmethod
    def resolve_kind_name(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_has_time_bank(obj):
        return obj.resident_id is not None


class VolunteerMemberIn(Schema):
    resident_id: Id


class VolunteerActivityOut(Schema):
    id: int
    team_id: int
    title: str
    description: str
    place: str
    latitude: Decimal
    longitude: Decimal
    radius: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    taken: int | None = None
    status: str


class VolunteerActivityIn(Schema):
    team_id: Id
    title: str = Field(max_length=60)
    description: str = Field("", max_length=300)
    place: str = Field(max_length=100)
    latitude: Decimal = Field(ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal = Field(ge=-180, le=180, max_digits=9, decimal_places=6)
    radius: int = Field(300, ge=20, le=5000, description="签到范围（米）")
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int = Field(ge=1, le=500)


class AttendanceOut(Schema):
    id: int
    activity_id: int
    member_id: int
    status: str
    signed_at: dt.datetime
    in_at: dt.datetime | None
    in_accuracy: int | None
    in_distance: int | None
    out_at: dt.datetime | None
    hours: Decimal | None
    award_id: int | None
    booking: str


class AttendancePositionIn(Schema):
    latitude: Decimal = Field(ge=-90, le=90, max_digits=12, decimal_places=9)
    longitude: Decimal = Field(ge=-180, le=180, max_digits=12, decimal_places=9)
    accuracy: float = Field(ge=0, le=100000, description="定位精度（米）")


class HoursIn(Schema):
    hours: Decimal = Field(gt=0, le=24, max_digits=4, decimal_places=1)


class MyHoursOut(Schema):
    hours: Decimal
    attendances: int


class DualRegistrationOut(Schema):
    id: int
    member_id: int
    name: str
    community_id: int
    employer: str
    registered_on: dt.date
    ended_on: dt.date | None

    @staticmethod
    def resolve_name(obj):
        return obj.member.resident.name


class DualRegistrationIn(Schema):
    community_id: Id
    party_member_id: Id | None = Field(None, description="工作人员代登记时填写；党员本人登记时留空")
    employer: str = Field("", max_length=100)


class VolunteerReportLine(Schema):
    name: str
    members: int
    hours: Decimal
    wishes: int
    needs: int


class VolunteerCommunityLine(VolunteerReportLine):
    teams: int
    team_hours: Decimal


class VolunteerReportOut(Schema):
    members: int
    hours: Decimal
    employers: list[VolunteerReportLine]
    communities: list[VolunteerCommunityLine]


# --- teams ----------------------------------------------------------------------------------------

@router.get("/volunteer-teams", response=list[VolunteerTeamOut], summary="志愿服务队列表")
@paginated()
def team_list(request, kind: str = Query("", max_length=10), mine: bool = False):
    return selectors.team_list_visible_to(actor=request.auth, filters={"kind": kind, "mine": mine})


@router.post("/volunteer-teams", response={201: VolunteerTeamOut, **ERRORS}, summary="成立志愿服务队")
def team_create(request, payload: VolunteerTeamIn):
    actor = request.auth
    community = _in_sight(actor, AdminUnit.objects.filter(level="community"), payload.community_id)
    compound = _in_sight(actor, Compound.objects.all(), payload.compound_id)
    return 201, services.team_create(actor=actor, community=community, compound=compound, kind=payload.kind,
                                     name=payload.name, purpose=payload.purpose)


@router.get("/volunteer-teams/{team_id}", response={200: VolunteerTeamOut, **ERRORS}, summary="志愿服务队")
def team_detail(request, team_id: Id):
    return access.team_get(request.auth, team_id)


@router.get("/volunteer-teams/{team_id}/members", response=list[VolunteerMemberOut], summary="队员")
@paginated()
def member_list(request, team_id: Id):
    return selectors.member_list_visible_to(actor=request.auth, team=access.team_get(request.auth, team_id))


@router.post("/volunteer-teams/{team_id}/members", response={201: VolunteerMemberOut, **ERRORS},
             summary="加入队员（有登录账号的居民）")
def member_add(request, team_id: Id, payload: VolunteerMemberIn):
    actor = request.auth
    team = access.team_get(actor, team_id)
    resident = _in_sight(actor, Resident.objects.all(), payload.resident_id)
    return 201, services.member_add(actor=actor, team=team, resident=resident)


@router.delete("/volunteer-teams/{team_id}/members/{member_id}", response={204: None, **ERRORS}, summary="队员离队")
def member_remove(request, team_id: Id, member_id: Id):
    actor = request.auth
    member = access.member_get(actor, access.team_get(actor, team_id), member_id)
    services.member_remove(actor=actor, member=member)
    return 204, None


# --- activities -----------------------------------------------------------------------------------

@router.get("/volunteer-activities", response=list[VolunteerActivityOut], summary="志愿活动列表")
@paginated()
def activity_list(request, team_id: Id | None = None, status: str = Query("", max_length=10)):
    return selectors.activity_list_visible_to(actor=request.auth, filters={"team": team_id, "status": status})


@router.post("/volunteer-activities", response={201: VolunteerActivityOut, **ERRORS}, summary="发布志愿活动")
def activity_create(request, payload: VolunteerActivityIn):
    actor = request.auth
    team = access.team_get(actor, payload.team_id)
    data = payload.dict(exclude={"team_id"})
    return 201, services.activity_create(actor=actor, team=team, **data)


@router.get("/volunteer-activities/{activity_id}", response={200: VolunteerActivityOut, **ERRORS}, summary="志愿活动")
def activity_detail(request, activity_id: Id):
    return access.activity_get(request.auth, activity_id)


@router.post("/volunteer-activities/{activity_id}/cancel", response={200: VolunteerActivityOut, **ERRORS},
             summary="取消活动（尚无人签到时）")
def activity_cancel(request, activity_id: Id):
    return services.activity_cancel(actor=request.auth, activity=access.activity_get(request.auth, activity_id))


@router.post("/volunteer-activities/{activity_id}/signup", response={201: AttendanceOut, **ERRORS},
             summary="报名（本队队员，名额以内，时间不重叠）")
def sign_up(request, activity_id: Id):
    return 201, services.sign_up(actor=request.auth, activity=access.activity_get(request.auth, activity_id))


# --- attendances ----------------------------------------------------------------------------------

@router.get("/volunteer-attendances", response=list[AttendanceOut], summary="报名与签到：我的，或某项活动的")
@paginated()
def attendance_list(request, activity_id: Id | None = None, mine: bool = False):
    return selectors.attendance_list_visible_to(actor=request.auth, filters={"activity": activity_id, "mine": mine})


@router.get("/volunteer-attendances/hours", response={200: MyHoursOut, **ERRORS}, summary="我的志愿服务时长")
def my_hours(request):
    actor = request.auth
    done = selectors.attendance_list_visible_to(actor=actor, filters={"mine": True}).filter(status="out")
    return {"hours": selectors.my_hours(actor=actor), "attendances": done.count()}


@router.post("/volunteer-attendances/{attendance_id}/cancel", response={200: AttendanceOut, **ERRORS},
             summary="取消报名（签到前）")
def cancel_signup(request, attendance_id: Id):
    attendance = access.attendance_get(request.auth, attendance_id)
    return services.cancel_signup(actor=request.auth, attendance=attendance)


@router.post("/volunteer-attendances/{attendance_id}/check-in", response={200: AttendanceOut, **ERRORS},
             summary="现场签到（位置与定位精度）")
def check_in(request, attendance_id: Id, payload: AttendancePositionIn):
    attendance = access.attendance_get(request.auth, attendance_id)
    return services.check_in(actor=request.auth, attendance=attendance, **payload.dict())


@router.post("/volunteer-attendances/{attendance_id}/check-out", response={200: AttendanceOut, **ERRORS},
             summary="签退：时长按活动时间计，记入时间银行")
def check_out(request, attendance_id: Id, payload: AttendancePositionIn):
    attendance = access.attendance_get(request.auth, attendance_id)
    return services.check_out(actor=request.auth, attendance=attendance, **payload.dict())


@router.post("/volunteer-attendances/{attendance_id}/hours", response={200: AttendanceOut, **ERRORS},
             summary="组织人确认时长（未签退的，活动结束后；不超过活动时长）")
def hours_confirm(request, attendance_id: Id, payload: HoursIn):
    attendance = access.attendance_get(request.auth, attendance_id)
    return services.hours_confirm(actor=request.auth, attendance=attendance, hours=payload.hours)


# --- dual registration ----------------------------------------------------------------------------

@router.get("/dual-registrations", response=list[DualRegistrationOut], summary="双报到党员")
@paginated()
def registration_list(request):
    return selectors.registration_list_visible_to(actor=request.auth)


@router.post("/dual-registrations", response={201: DualRegistrationOut, **ERRORS},
             summary="双报到（在职党员向居住地社区报到，同一时间只能一个社区）")
def dual_register(request, payload: DualRegistrationIn):
    actor = request.auth
    # A member reports to the community where they live, which need not be in anyone's sight yet.
    community = AdminUnit.objects.filter(level="community", pk=payload.community_id).first()
    if community is None:
        raise NotFound()
    if payload.party_member_id is None:
        member = PartyMember.objects.filter(resident__user=actor).select_related("resident").first()
        if member is None:
            raise NotFound()
    else:
        member = _in_sight(actor, PartyMember.objects.select_related("resident"), payload.party_member_id)
    return 201, services.dual_register(actor=actor, member=member, community=community, employer=payload.employer)


@router.get("/volunteer-report", response={200: VolunteerReportOut, **ERRORS},
            summary="双报到统计：按工作单位和社区（党员数、服务时长、微心愿、需求）")
def report(request, unit_id: Id | None = None):
    actor = request.auth
    require(scope_for(actor).is_officer, NOT_OFFICER)
    unit = _in_sight(actor, AdminUnit.objects.all(), unit_id) if unit_id else None
    return selectors.report(actor=actor, unit=unit)
