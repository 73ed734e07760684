"""Demo volunteers: three teams of resident1's community, a month of activities with sign-ups,
check-ins and check-outs on the spot (one closed by the organiser), hours in the time bank, two open
activities to sign up for, and the dual registration of the district's in-service Party members.

Two logins are added (password as the other demo logins): `volunteer1`, an in-service Party member
of the home community who reports there (双报到), and `volunteer2`, a partner unit's staff member with
a login of their own and no home in the register, who sees only their own activities."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from linli.accounts.models import User
from linli.core import clock
from linli.people.models import PartyMember, Resident
from linli.places.models import AdminUnit
from linli.volunteers import services
from linli.volunteers.models import Attendance, Team

PASSWORD = "linli-demo"
PLACE = (Decimal("37.846200"), Decimal("112.566400"))
REGISTRATIONS_PER_COMMUNITY = 8

ACTIVITIES = [
    # (days before the anchor, start hour, hours, team index, title, place)
    (29, 9, 2, 0, "清理楼道杂物", "3号楼"),
    (25, 15, 2, 1, "陪老人义诊量血压", "党群服务站"),
    (21, 9, 3, 0, "垃圾分类桶边督导", "小区东门收集点"),
    (17, 19, 2, 2, "书法进楼院", "党员活动室"),
    (13, 9, 2, 1, "助餐送餐", "老年餐桌"),
    (9, 8, 2, 0, "文明劝导·规范停车", "小区北门"),
    (5, 14, 3, 1, "义务理发", "党群服务站"),
    (2, 9, 2, 0, "清理小广告", "各楼栋单元门"),
]


def _at(day: dt.date, hour: int, minute: int = 0):
    return clock.frozen(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute))))


def _near(n: int):
    """A position some metres from the place, as a phone reports it."""
    return PLACE[0] + Decimal(n % 5) / Decimal(10000), PLACE[1] + Decimal(n % 3) / Decimal(10000), 10 + n % 25


def _login(username, display_name, resident=None) -> User:
    user = User.objects.create_user(username, password=PASSWORD, display_name=display_name)
    if resident is not None:
        from linli.accounts.models import Assignment, Role

        Assignment.objects.create(user=user, role=Role.RESIDENT)
        Resident.objects.filter(pk=resident.pk).update(user=user)
        resident.user = user
    return user


def _in_service_login(community, exclude):
    member = (PartyMember.objects.filter(category=PartyMember.Category.IN_SERVICE, dual_registered_community=community,
                                         lost_contact=False, resident__user__isnull=True,
                                         resident__household__dwelling__entrance__building__compound__community=community)
              .exclude(resident__household__in=exclude).select_related("resident").order_by("id").first())
    if member is None:
        return None, None
    return member, _login("volunteer1", member.resident.name, member.resident)


def _residents_with_logins(community, count, exclude):
    """A few more residents of the community to fill the teams, each given a login named vdemoN."""
    found = []
    rows = (Resident.objects.filter(household__dwelling__entrance__building__compound__community=community,
                                    user__isnull=True, status=Resident.Status.REGISTERED)
            .exclude(household__in=exclude).order_by("id")[:count])
    for n, resident in enumerate(rows, start=1):
        _login(f"vdemo{n}", resident.name, resident)
        found.append(resident)
    return found


def _registrations(context, district_user):
    made = 0
    for community in AdminUnit.objects.filter(level="community").order_by("code"):
        members = (PartyMember.objects.filter(category=PartyMember.Category.IN_SERVICE, lost_contact=False,
                                              dual_registered_community=community)
                   .select_related("resident").order_by("id")[:REGISTRATIONS_PER_COMMUNITY])
        for member in members:
            if services.current_registration(member) is None:
                services.dual_register(actor=district_user, member=member, community=community)
                made += 1
    context.add("双报到", made)


def populate(context) -> None:
    users = context.users
    home = context.homes.get("resident1")
    if home is None or not {"community1", "district1"} <= set(users):
        return
    anchor = getattr(context, "anchor", None) or clock.today()
    community = home.community
    secretary = users["community1"]
    resident1 = Resident.objects.select_related("household").get(user=users["resident1"])
    member1 = User.objects.filter(username="member1").first()
    start = anchor - dt.timedelta(days=40)
    with _at(start, 9):
        _registrations(context, users["district1"])
        teams = [
            services.team_create(actor=secretary, community=community, kind=Team.Kind.VANGUARD,
                                 name=f"{community.name}党员先锋队", purpose="环境整治、文明劝导、急难险重"),
            services.team_create(actor=secretary, community=community, compound=home, kind=Team.Kind.V_STATION,
                                 name=f"{home.name}志愿V站", purpose="助老助餐、义诊义剪、代买代办"),
            services.team_create(actor=secretary, community=community, kind=Team.Kind.INTEREST,
                                 name=f"{community.name}书画兴趣小组", purpose="书法绘画进楼院"),
        ]
        _member, volunteer1 = _in_service_login(community, [resident1.household_id])
        partner = _login("volunteer2", "共建单位职工刘洋")
        others = _residents_with_logins(community, 4, [resident1.household_id])
        people = [users["resident1"]] + ([member1] if member1 else []) + ([volunteer1] if volunteer1 else [])
        people += [r.user for r in others]
        for n, user in enumerate(people):
            for index in {0, n % 3}:
                services.member_add(actor=secretary, team=teams[index], user=user)
        services.member_add(actor=secretary, team=teams[0], user=partner)
        services.member_add(actor=secretary, team=teams[1], user=partner)
    context.add("志愿服务队", len(teams))
    everyone = [partner] + people
    attended = 0
    for n, (days, hour, hours, index, title, place) in enumerate(ACTIVITIES):
        day = anchor - dt.timedelta(days=days)
        team = teams[index]
        with _at(day - dt.timedelta(days=3), 10):
            act = services.activity_create(
                actor=secretary, team=team, title=title, place=f"{home.name}{place}", latitude=PLACE[0],
                longitude=PLACE[1], starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(hour))),
                ends_at=timezone.make_aware(dt.datetime.combine(day, dt.time(hour + hours))), capacity=6)
        members = [u for u in everyone if team.members.filter(user=u, active=True).exists()][:6]
        with _at(day - dt.timedelta(days=2), 20):
            signed = [services.sign_up(actor=u, activity=act) for u in members]
        with _at(day, hour, 5):
            for k, attendance in enumerate(signed[:-1] if len(signed) > 2 else signed):
                lat, lng, acc = _near(n + k)
                services.check_in(actor=attendance.user, attendance=attendance, latitude=lat, longitude=lng,
                                  accuracy=acc)
        with _at(day, hour + hours, 10):
            for k, attendance in enumerate(Attendance.objects.filter(activity=act, status="in").order_by("id")):
                if k == 1 and n % 4 == 0:
                    continue  # forgot to check out: the organiser confirms the hours the next day
                lat, lng, acc = _near(n + k + 1)
                services.check_out(actor=attendance.user, attendance=attendance, latitude=lat, longitude=lng,
                                   accuracy=acc)
                attended += 1
        with _at(day + dt.timedelta(days=1), 9):
            for attendance in Attendance.objects.filter(activity=act, status="in"):
                services.hours_confirm(actor=secretary, attendance=attendance, hours=hours - 0.5)
                attended += 1
    with _at(anchor - dt.timedelta(days=1), 9):
        for days, title, place in ((3, "周末义诊", "党群服务站"), (6, "楼道微改造", "5号楼")):
            day = anchor + dt.timedelta(days=days)
            act = services.activity_create(
                actor=secretary, team=teams[days % 2], title=title, place=f"{home.name}{place}", latitude=PLACE[0],
                longitude=PLACE[1], starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
                ends_at=timezone.make_aware(dt.datetime.combine(day, dt.time(11))), capacity=8)
            if volunteer1 is not None and days == 3 and teams[1].members.filter(user=volunteer1).exists():
                services.sign_up(actor=volunteer1, activity=act)
    context.add("志愿活动", len(ACTIVITIES) + 2)
    context.add("签到记录", attended)
