"""Demo stations and wishes: one station of each kind around resident1's home, with timetables, the
default catalogue, staff, evidence and inspections (the home compound's station accepted, so the
property demo can grant its award), and micro-wishes open, claimed and fulfilled.

A Party member of the home community gets the login `member1` (password as the other demo logins)
to claim wishes, and a partner unit's staff member the login `partner1` (the narrow role: the needs
dispatched to them); neither is one of the generator's `LOGINS`. Co-building projects, proxy errands
at the home station and cases handled by it complete the picture."""

import contextlib
import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from linli.accounts.models import Assignment, Role, User
from linli.core import clock
from linli.people.models import PartyMember, Resident
from linli.places.models import Compound
from linli.stations import services
from linli.stations.models import ServiceItem, Slot, Station

PASSWORD = "linli-demo"


def _at(day: dt.date, hour: int = 10):
    return clock.frozen(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))))


def _photo(colour) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="PNG")
    return SimpleUploadedFile("demo.png", out.getvalue(), content_type="image/png")


def _timetable(actor, station, staggered=True):
    for day in range(5):
        services.slot_add(actor=actor, station=station, weekday=day, opens=dt.time(9), closes=dt.time(12))
        services.slot_add(actor=actor, station=station, weekday=day, opens=dt.time(14, 30), closes=dt.time(17, 30))
    if staggered:
        services.slot_add(actor=actor, station=station, weekday=5, opens=dt.time(9), closes=dt.time(12),
                          mode=Slot.Mode.STAGGERED)
        services.slot_add(actor=actor, station=station, weekday=2, opens=dt.time(18, 30), closes=dt.time(20, 30),
                          mode=Slot.Mode.STAGGERED)


def _evidence(actor, station, skip=()):
    for n, (code, label) in enumerate(station.checklist):
        if code in skip:
            continue
        services.evidence_add(actor=actor, station=station, item=code, text=f"{label}：已落实，见现场照片",
                              photo=_photo((180, 30 + 20 * n, 40)))


def _member_login(community, resident1) -> User | None:
    member = (PartyMember.objects.filter(
        resident__household__dwelling__entrance__building__compound__community=community, lost_contact=False,
        resident__user__isnull=True).exclude(resident__household=resident1.household).order_by("id")
        .select_related("resident").first())
    if member is None:
        return None
    user = User.objects.create_user("member1", password=PASSWORD, display_name=member.resident.name)
    Assignment.objects.create(user=user, role=Role.RESIDENT)
    Resident.objects.filter(pk=member.resident_id).update(user=user)
    return user


def populate(context) -> None:
    users = context.users
    home = context.homes.get("resident1")
    if home is None or not {"community1", "street1", "grid1"} <= set(users):
        return
    anchor = getattr(context, "anchor", None) or clock.today()
    community = home.community
    secretary, street, grid_worker = users["community1"], users["street1"], users["grid1"]
    resident1 = Resident.objects.select_related("household").get(user=users["resident1"])
    start = anchor - dt.timedelta(days=75)
    made = []
    with _at(start):
        centre = services.station_create(actor=secretary, community=community, kind=Station.Kind.CENTRE,
                                         name=f"{community.name}党群服务中心", address=f"{community.name}居委会一层",
                                         rooms="便民服务大厅、党员活动室、议事厅、四点半课堂", on_call=True,
                                         on_call_phone="0351-7654321")
        station = services.station_create(actor=secretary, community=community, compound=home,
                                          kind=Station.Kind.COMPOUND, name=f"{home.name}党群服务站",
                                          address=f"{home.name}3号楼架空层", rooms="党员活动室、调解室")
        grid = context.homes.get("grid1")
        micro = services.station_create(actor=secretary, community=community, grid=grid, kind=Station.Kind.MICRO,
                                        name=f"{grid.name}党群服务微站", address=f"{grid.name}网格员工作点",
                                        on_call=True, on_call_phone="0351-7654322")
        other = (Compound.objects.filter(community=community).exclude(pk=home.pk).order_by("id").first() or home)
        red = services.station_create(actor=secretary, community=community, compound=other, kind=Station.Kind.RED,
                                      name=f"{other.name}红色阵地", address=f"{other.name}物业用房二层",
                                      rooms="红色物业服务站、党员示范岗")
        made = [centre, station, micro, red]
        _timetable(secretary, centre)
        _timetable(secretary, station)
        _timetable(secretary, micro, staggered=False)
        services.slot_add(actor=secretary, station=red, weekday=5, opens=dt.time(9), closes=dt.time(17),
                          mode=Slot.Mode.STAGGERED)
        services.staff_add(actor=secretary, station=station, name=secretary.display_name or "社区书记", role="站长",
                           hours="周一至周五")
        services.staff_add(actor=secretary, station=station, name=grid_worker.display_name or "网格员",
                           role="值班网格员", hours="周一、三、五 9:00–12:00")
        services.staff_add(actor=secretary, station=micro, name=grid_worker.display_name or "网格员",
                           role="微站站长", hours="工作日全天，随时电话")
        services.service_add(actor=secretary, station=station, category="便民服务", name="代收快递")
    with _at(start + dt.timedelta(days=20)):
        _evidence(secretary, station)
        _evidence(secretary, micro)
        _evidence(secretary, red, skip=("activities",))
    with _at(start + dt.timedelta(days=30), 15):
        services.inspect(actor=street, station=station, met=[c for c, _ in station.checklist], note="四有齐全")
        services.inspect(actor=street, station=micro, met=[c for c, _ in micro.checklist])
        services.inspect(actor=street, station=red, met=[c for c, _ in red.checklist if c != "activities"],
                         note="尚未开展经常性活动，下月复验")
    context.add("党群服务站", len(made))

    member = _member_login(community, resident1)
    wishes = 0
    with _at(anchor - dt.timedelta(days=20), 9):
        done = services.wish_post(actor=users["resident1"], title="想要一副老花镜", body="看药品说明书很吃力，300 度左右")
        wishes += 1
    with _at(anchor - dt.timedelta(days=12), 9):
        neighbour = (Resident.objects.filter(household__dwelling__entrance__building__compound=home)
                     .exclude(household=resident1.household).exclude(party_member__isnull=False).order_by("id").first())
        helped = services.wish_post(actor=grid_worker, resident=neighbour, title="想学用智能手机挂号") if neighbour else None
        wishes += bool(helped)
    with _at(anchor - dt.timedelta(days=3), 19):
        services.wish_post(actor=users["resident1"], title="希望有人陪同去社区医院复查", body="周三上午，步行约 15 分钟")
        wishes += 1
    if member is not None:
        with _at(anchor - dt.timedelta(days=19), 20):
            services.wish_claim(actor=member, wish=done)
        with _at(anchor - dt.timedelta(days=16), 11):
            done.refresh_from_db()
            services.wish_fulfil(actor=member, wish=done, note="已送到家中，试戴合适", photo_files=[_photo((40, 120, 200))])
        with _at(anchor - dt.timedelta(days=15), 9):
            done.refresh_from_db()
            services.wish_confirm(actor=users["resident1"], wish=done, note="非常合适，谢谢！")
        if helped is not None:
            with _at(anchor - dt.timedelta(days=10), 18):
                services.wish_claim(actor=member, wish=helped)
    context.add("微心愿", wishes)
    if member is not None:
        _needs(context, community, home, secretary, grid_worker, member, resident1, anchor)


def _needs(context, community, home, secretary, grid_worker, member, resident1, anchor):
    """The resource list with member1 as the handler, and needs in every state of the order → rate loop."""
    with _at(anchor - dt.timedelta(days=30)):
        own = services.resource_create(actor=secretary, community=community, kind="member",
                                       name=f"{member.display_name}（党员）", offer="家电维修、教老人用智能手机",
                                       handler=member, capacity=6, available="工作日晚上、周末")
        team = services.resource_create(actor=secretary, community=community, kind="volunteer_team",
                                        name=f"{community.name}党员先锋队", offer="陪同就医、代买药品、助餐送餐",
                                        handler=member, capacity=10, available="每天 8:00–18:00")
    with _at(anchor - dt.timedelta(days=9), 8):
        fixed = services.need_post(actor=context.users["resident1"], title="家里电饭煲坏了，想请人看看")
        services.need_dispatch(actor=secretary, need=fixed, resource=own)
    with _at(anchor - dt.timedelta(days=8), 19):
        services.need_accept(actor=member, need=fixed)
    with _at(anchor - dt.timedelta(days=7), 20):
        services.need_done(actor=member, need=fixed, result="更换了温控器，已能正常使用")
    with _at(anchor - dt.timedelta(days=6), 9):
        services.need_rate(actor=context.users["resident1"], need=fixed, rating=5, note="修得很好")
    with _at(anchor - dt.timedelta(days=2), 10):
        neighbour = (Resident.objects.filter(household__dwelling__entrance__building__compound=home)
                     .exclude(household=resident1.household).exclude(user=member).order_by("id").first())
        visit = services.need_post(actor=grid_worker, resident=neighbour or resident1, title="独居老人需要每周代买药品",
                                   source="visit")
        services.need_dispatch(actor=secretary, need=visit, resource=team)
    with _at(anchor - dt.timedelta(days=1), 16):
        services.need_post(actor=context.users["resident1"], title="想参加智能手机使用培训")
    # A proxy errand ordered from the home station's catalogue, done last month and this month.
    item = ServiceItem.objects.filter(station__compound=home, name="社保卡申领代办").first()
    errands = 0
    for days in (40, 5):
        with _at(anchor - dt.timedelta(days=days), 9):
            errand = services.need_post(actor=context.users["resident1"], service=item)
            services.need_dispatch(actor=secretary, need=errand, resource=team)
            services.need_accept(actor=member, need=errand)
        with _at(anchor - dt.timedelta(days=days - 2), 15):
            services.need_done(actor=member, need=errand, result="已代为提交材料，社保卡寄到社区后送上门")
        errands += 1
    context.add("资源清单", 2)
    context.add("需求清单", 3 + errands)
    _cobuild(context, community, home, secretary, grid_worker, resident1, anchor)


def _cobuild(context, community, home, secretary, grid_worker, resident1, anchor):
    """The partner's login `partner1` with a dispatched need waiting on their phone, co-building
    projects (one from a need), proxy errands at the home station and cases handled by it."""
    from linli.cases import services as case_services
    from linli.cases.models import Channel, HandlerKind
    from linli.orgs.models import PartnerUnit

    station = Station.objects.filter(compound=home, kind=Station.Kind.COMPOUND).first()
    unit = PartnerUnit.objects.filter(community=community).order_by("id").first()
    if station is None or unit is None:
        return
    resident_user = context.users["resident1"]
    with _at(anchor - dt.timedelta(days=20)):
        staff = services.partner_staff_add(actor=secretary, partner=unit, name="王师傅", username="partner1",
                                           password=PASSWORD)
        repair = services.resource_create(actor=secretary, community=community, kind="partner", name=unit.name,
                                          offer="上门维修家电、疏通管道", handler=staff.user, partner=unit, capacity=8,
                                          available="每天 9:00–18:00")
    with _at(anchor - dt.timedelta(days=4), 9):
        rated = services.need_post(actor=resident_user, title="卫生间下水道堵了")
        services.need_dispatch(actor=secretary, need=rated, resource=repair)
    with _at(anchor - dt.timedelta(days=4), 11):
        services.need_accept(actor=staff.user, need=rated)
    with _at(anchor - dt.timedelta(days=3), 16):
        services.need_done(actor=staff.user, need=rated, result="已疏通，建议不要倒油污")
    with _at(anchor - dt.timedelta(days=3), 19):
        services.need_rate(actor=resident_user, need=rated, rating=5, note="师傅很专业")
    with _at(anchor - dt.timedelta(hours=5)):
        waiting = services.need_post(actor=resident_user, title="厨房水龙头一直滴水")
        services.need_dispatch(actor=secretary, need=waiting, resource=repair)
    context.add("共建单位人员账号", 1)

    # Co-building projects: one from a need, done; one under way; one just planned.
    with _at(anchor - dt.timedelta(days=60)):
        handrail_need = services.need_post(actor=grid_worker, resident=resident1, source="visit",
                                           title="楼道没有扶手，老人上下楼困难")
        handrail = services.project_create(actor=secretary, community=community, need=handrail_need,
                                           title=f"{home.name}老旧楼道加装扶手", starts_on=anchor - dt.timedelta(days=55),
                                           ends_on=anchor - dt.timedelta(days=25),
                                           body="由走访收集的需求转入：为 6 个单元加装楼道扶手。")
        services.project_owner_add(actor=secretary, project=handrail, partner=unit, user=staff.user,
                                   part="提供材料并安装")
        services.project_owner_add(actor=secretary, project=handrail, name=f"{home.name}党支部", part="组织居民议事、监督施工")
    with _at(anchor - dt.timedelta(days=55)):
        services.project_start(actor=secretary, project=handrail)
    with _at(anchor - dt.timedelta(days=28)):
        services.project_finish(actor=secretary, project=handrail, result="6 个单元加装扶手 180 米，居民验收满意")
    with _at(anchor - dt.timedelta(days=14)):
        garden = services.project_create(actor=secretary, community=community, compound=home,
                                         title="共建“口袋花园”", starts_on=anchor - dt.timedelta(days=10),
                                         ends_on=anchor + dt.timedelta(days=30), body="共建单位出资，党员志愿者认养")
        services.project_owner_add(actor=secretary, project=garden, partner=unit, part="出资 2 万元购买苗木")
    with _at(anchor - dt.timedelta(days=10)):
        services.project_start(actor=secretary, project=garden)
    with _at(anchor - dt.timedelta(days=1)):
        services.project_create(actor=secretary, community=community, title="四点半课堂暑期托管",
                                starts_on=anchor + dt.timedelta(days=20), ends_on=anchor + dt.timedelta(days=60))
    context.add("共建项目", 3)

    # Proxy errands at the station, over the last two months.
    neighbours = list(Resident.objects.filter(household__dwelling__entrance__building__compound=home)
                      .order_by("id")[:6]) or [resident1]
    items = list(ServiceItem.objects.filter(station=station, active=True).order_by("position")[:8])
    errands = 0
    for n in range(10):
        with _at(anchor - dt.timedelta(days=3 + 5 * n), 10):
            services.errand_record(actor=grid_worker if n % 2 else secretary, station=station,
                                   service=items[n % len(items)], resident=neighbours[n % len(neighbours)],
                                   result="已代为办理，材料已提交" if n % 4 else "已转交街道便民服务中心办理",
                                   outcome="done" if n % 4 else "referred")
        errands += 1
    context.add("帮办代办", errands)

    # Cases handled by the station: filed at its window, and dispatched to it. The two left open are
    # filed at the demo's own moment: a demo opens with no case older than a day still waiting.
    cases = 0
    # (The open ones are disputes: a complex case's four hours to settle outlast the demo's first hour.)
    window = ((40, "sanitation", "居民到服务站反映：楼道堆放杂物，影响通行"),
              (25, "sanitation", "居民到服务站反映：楼道堆放杂物，影响通行"),
              (0, "neighbour-dispute", "居民到服务站反映：楼上夜间噪音扰民，希望调解"))
    for n, (days, category, text) in enumerate(window):
        with _at(anchor - dt.timedelta(days=days), 9) if days else contextlib.nullcontext():
            link = services.station_case_file(actor=secretary, station=station, intake=case_services.Intake(
                category=category, description=text, compound=home.pk,
                channel=Channel.WALK_IN, contact_name="居民", contact_phone="13800000000"))
            cases += 1
        if n < 2:
            _handle_at_station(secretary, station, link.case, anchor - dt.timedelta(days=days), n)
        else:  # taken at once by the station, so its first hour's sweeps have nothing to move
            case_services.case_dispatch(actor=secretary, case=link.case, handler_kind=HandlerKind.STATION,
                                        handling_body=station.name)
            case_services.case_accept(actor=secretary, case=link.case)
    online = case_services.case_open(actor=resident_user, intake=case_services.Intake(
        category="neighbour-dispute", description="邻居在楼道长期堆放杂物，多次沟通无果", compound=home.pk,
        channel=Channel.ONLINE))
    services.station_case_assign(actor=secretary, station=station, case=online, note="请服务站协调调解")
    case_services.case_accept(actor=secretary, case=online)
    cases += 1
    context.add("服务站承办诉求", cases)


def _handle_at_station(actor, station, case, day, n):
    """The station's own handling of a case filed at its window: taken, solved, called back and rated."""
    from linli.cases import services as case_services
    from linli.cases.models import HandlerKind, Rating

    with _at(day, 10):
        case_services.case_dispatch(actor=actor, case=case, handler_kind=HandlerKind.STATION,
                                    handling_body=station.name)
        case_services.case_accept(actor=actor, case=case)
    with _at(day, 16 if n == 0 else 20):
        case_services.case_solve(actor=actor, case=case, note="已联系物业清运杂物，楼道恢复通畅")
    with _at(day + dt.timedelta(days=1), 10):
        case_services.case_follow_up(actor=actor, case=case, note="电话回访，居民表示满意",
                                     rating=Rating.SATISFIED if n == 0 else Rating.BASIC)
