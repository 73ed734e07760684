"""Demo grid work: the last month of two grid workers of grid1's community, through the services.

`grid1` (the demo's grid-worker login) and a second worker of the same community, given the login
`grid2` here, check in every working day (mostly on time), walk a patrol route with findings (a third
of them turned into cases, channel 网格巡查), and visit households of their grid, care groups first.
grid1's visits come to a little over half of the working time, grid2's to less, so the community's
figures show the 50 % rule met and missed. Each act runs with the clock set to its moment, so the
services' own rules (the backdating limit, a patrol's end after its start) hold for the history too.
Assistants of the community on trial (one confirmed, one replaced, one still on trial), tasks pushed
to grid1's grid and monthly visit plans for its living-alone and empty-nest households
complete the picture. Nothing is written for today.
"""

import datetime as dt

from django.utils import timezone

from linli.accounts.models import Assignment, Role, User
from linli.cases import services as cases
from linli.core import clock
from linli.gridwork import reminders, services
from linli.gridwork.models import CheckIn
from linli.people.models import CareTag, GridWorker, Household
from linli.places.models import Building

DAYS = 30
SECOND_LOGIN = "grid2"
PASSWORD = "linli-demo"
FINDINGS = (
    ("safety-hazard", "楼道内电动车飞线充电，存在火灾隐患。"),
    ("sanitation", "单元门口垃圾桶满溢，周边有散落垃圾。"),
    ("facilities", "楼前路灯不亮，夜间通行不便。"),
    ("parking", "车辆占用消防通道。"),
    ("greening", "绿地被踩踏出小路，部分苗木损坏。"),
    ("illegal-building", "一楼住户在公共绿地搭建棚子。"),
)
NOTES = ("老人身体状况良好，独自生活，子女每周探望。", "核对了家庭成员和联系方式，信息无变化。",
         "宣传了医保缴费和高龄补贴政策。", "反映楼上漏水，已联系双方协商。", "需要代办高龄津贴申请。")


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _second_worker(context, first: GridWorker, grid) -> GridWorker | None:
    """Another full-time or assistant worker of the same community, with a login of their own."""
    worker = (GridWorker.objects.filter(grids__community=grid.community, user__isnull=True)
              .exclude(pk=first.pk).order_by("kind", "id").first())
    if worker is None or User.objects.filter(username=SECOND_LOGIN).exists():
        return None
    own_grid = worker.grids.order_by("id").first()
    user = User.objects.create_user(username=SECOND_LOGIN, password=PASSWORD, display_name=worker.name)
    Assignment.objects.create(user=user, role=Role.GRID_WORKER, grid=own_grid)
    GridWorker.objects.filter(pk=worker.pk).update(user=user)
    worker.user = user
    context.add("演示账号", 1)
    return worker


def _settle(actor, case, filed: dt.datetime) -> None:
    """A finding filed on a past day was taken and solved that day, as the 1341 limits ask: the demo
    opens with no case older than a day left open (cases/tests/test_demo_state.py), and the first
    SLA sweep escalates nothing of this history."""
    with clock.frozen(filed + dt.timedelta(minutes=6)):
        case = cases.case_take(actor=actor, case=case)
    with clock.frozen(filed + dt.timedelta(minutes=25)):
        cases.case_solve(actor=actor, case=case, note="巡查发现当场协调处理完毕")


def _day(rng, worker, grid, day, households, buildings, counts, visit_share):
    actor = worker.user
    late = rng.random() < 0.12
    with clock.frozen(_at(day, 8, rng.randint(31, 55) if late else rng.randint(5, 29))):
        services.check_in(actor=actor, grid=grid, latitude=f"37.{rng.randint(700000, 899999)}",
                          longitude=f"112.{rng.randint(500000, 599999)}", accuracy_m=rng.randint(5, 60))
    counts["报到"] += 1
    start = _at(day, 9, rng.randint(0, 20))
    with clock.frozen(start):
        patrol = services.patrol_start(actor=actor, grid=grid)
    counts["巡查"] += 1
    route = rng.sample(buildings, min(len(buildings), rng.randint(2, 4)))
    moment = start
    for building in route:
        moment += dt.timedelta(minutes=rng.randint(8, 15))
        with clock.frozen(moment):
            services.patrol_stop(actor=actor, patrol=patrol, building=building)
            if rng.random() < 0.3:
                category, text = rng.choice(FINDINGS)
                finding = services.finding_record(actor=actor, patrol=patrol, building=building, category=category,
                                                  text=text)
                counts["巡查发现"] += 1
                if rng.random() < 0.4:
                    case = services.finding_to_case(actor=actor, finding=finding)
                    counts["发现转诉求"] += 1
                    _settle(actor, case, moment)
    with clock.frozen(moment + dt.timedelta(minutes=5)):
        services.patrol_end(actor=actor, patrol=patrol, note="按路线巡查完毕")
    # A working day of 08:xx–17:30 is about 540 minutes; visits fill visit_share of it.
    budget = int(540 * visit_share)
    moment = _at(day, 10, 30)
    while budget > 20 and households:
        minutes = min(budget, rng.randint(35, 60))
        household = rng.choice(households)
        follow = rng.random() < 0.15
        with clock.frozen(moment):
            visit = services.visit_record(
                actor=actor, household=household, minutes=minutes, purpose=rng.choice(("care", "care", "information",
                                                                                        "policy", "mediation")),
                notes=rng.choice(NOTES), follow_up="代办高龄津贴申请" if follow else "",
                follow_up_due=day + dt.timedelta(days=7) if follow else None)
        counts["走访"] += 1
        if follow and rng.random() < 0.6:
            with clock.frozen(moment + dt.timedelta(days=2)):
                services.follow_up_done(actor=actor, visit=visit)
        moment += dt.timedelta(minutes=minutes + 15)
        budget -= minutes
    with clock.frozen(_at(day, 17, 30 + rng.randint(0, 20))):
        services.check_out(actor=actor)


def _trials(secretary, grid, today) -> int:
    """The community's assistants on trial: one assessed and confirmed, one replaced, the newest still on trial."""
    assistants = list(GridWorker.objects.filter(grids__community=grid.community, kind="assistant")
                      .distinct().order_by("id")[:3])
    plans = ((100, "confirmed", "按时报到，走访记录完整。", 90), (80, "replaced", "多次未按时报到，走访记录不实。", 55),
             (20, None, "", None))
    for worker, (days_ago, outcome, note, score) in zip(assistants, plans, strict=False):
        start = today - dt.timedelta(days=days_ago)
        with clock.frozen(_at(start, 9, 0)):
            trial = services.trial_start(actor=secretary, worker=worker, starts_on=start,
                                         trained_on=start - dt.timedelta(days=3))
        if outcome:
            at = trial.ends_on if outcome == "confirmed" else start + dt.timedelta(days=40)
            with clock.frozen(_at(at, 15, 0)):
                services.trial_assess(actor=secretary, trial=trial, outcome=outcome, assessment=note, score=score)
    return len(assistants)


def _roster(actor, grid) -> int:
    """两长四员 for the first buildings of grid1: a building head, a unit head and the four members."""
    from linli.people.models import Resident

    n = 0
    posts = ("building_head", "unit_head", "information", "policy", "mediation", "safety")
    for building in Building.objects.filter(grid=grid).order_by("id")[:3]:
        people = list(Resident.objects.filter(household__dwelling__entrance__building=building)
                      .order_by("id")[:len(posts)])
        for post, resident in zip(posts, people, strict=False):
            services.roster_appoint(actor=actor, building=building, post=post, resident=resident)
            n += 1
    return n


COURSES = (("网格员岗前培训", 16, "岗前培训合格证"), ("矛盾纠纷调解实务", 4, ""), ("应急处置与消防安全", 3, "消防安全培训证书"))


def _trainings(secretary, workers, today) -> int:
    n = 0
    for worker in workers:
        for back, (course, hours, certificate) in zip((40, 21, 6), COURSES, strict=True):
            services.training_record(actor=secretary, worker=worker, course=course, hours=hours,
                                     held_on=today - dt.timedelta(days=back), certificate=certificate)
            n += 1
    return n


def populate(context) -> None:
    first_user = context.users.get("grid1")
    first = getattr(first_user, "grid_worker", None) if first_user is not None else None
    grid = context.homes.get("grid1")
    if first is None or grid is None or CheckIn.objects.filter(worker=first).exists():
        return
    rng = context.rng
    crew = [(first, grid, 0.55)]
    second = _second_worker(context, first, grid)
    if second is not None:
        crew.append((second, second.grids.order_by("id").first(), 0.4))
    counts = {"报到": 0, "巡查": 0, "巡查发现": 0, "发现转诉求": 0, "走访": 0}
    today = clock.today()
    for worker, own_grid, share in crew:
        buildings = list(Building.objects.filter(grid=own_grid).order_by("id"))
        households = list(Household.objects.filter(dwelling__entrance__building__grid=own_grid).order_by("id"))
        cared = [h for h in households if h.members.filter(care_tags__isnull=False).exists()]
        pool = (cared * 3 + households)[:200] if households else []
        if not buildings:
            continue
        for back in range(DAYS, 0, -1):
            day = today - dt.timedelta(days=back)
            if day.weekday() < 5:
                _day(rng, worker, own_grid, day, pool, buildings, counts, share)
    secretary = context.users.get("community1")
    if secretary is not None:
        for matter, title, department in (("care_visit", "本月独居老人走访全覆盖", "民政科"),
                                          ("hazard_check", "冬季燃气安全入户排查", "应急管理局")):
            services.task_push(actor=secretary, grid=grid, matter=matter, title=title, department=department,
                               due_on=today + dt.timedelta(days=14))
        counts["网格任务"] = 2
        for tag in CareTag.objects.filter(code__in=("living_alone", "empty_nest")):
            services.plan_set(actor=secretary, grid=grid, care_tag=tag, every_days=30)
            counts["走访计划"] = counts.get("走访计划", 0) + 1
        counts["试用期考核"] = _trials(secretary, grid, today)
        counts["培训记录"] = _trainings(secretary, [w for w, _g, _s in crew], today)
    counts["两长四员"] = _roster(first.user, grid)
    # The morning's reminders: overdue visits of the plans and the working days someone missed.
    swept = reminders.sweep()
    counts["逾期提醒"] = swept.overdue_visits + swept.missed_check_ins
    for label, n in counts.items():
        context.add(label, n)
