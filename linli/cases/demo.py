"""Demo cases: the catalogue, and a few cases in every state so each persona's worklist has content."""

import datetime as dt

from linli.cases import services
from linli.cases.models import Case, Channel
from linli.core import clock

TEXTS = {
    "sanitation": ["3 号楼楼道堆放大量纸箱，影响通行", "垃圾站两天没有清运，气味很大"],
    "facilities": ["小区东门路灯不亮", "健身器材松动，老人使用有危险"],
    "property-service": ["门禁卡失灵，物业一直没来修"],
    "neighbour-dispute": ["楼上每天深夜有噪音"],
    "safety-hazard": ["有人在楼道里给电动车充电", "消防通道被车辆堵住"],
    "elderly-help": ["独居老人需要代买药品"],
    "lift": ["2 单元电梯停运一天了"],
}


def _get(context, name, default=None):
    if isinstance(context, dict):
        return context.get(name, default)
    return getattr(context, name, default)


def populate(context) -> int:
    services.catalogue_seed()
    users = _get(context, "users", {}) or {}
    rng = _get(context, "rng")
    resident = users.get("resident1")
    if resident is None or not hasattr(resident, "resident"):
        return 0
    if Case.objects.exists():
        return 0
    worker = users.get("grid1")
    officer = users.get("community1") or worker
    staff = worker or officer
    pick = {code: list(texts) for code, texts in TEXTS.items()}
    if rng is not None:
        for texts in pick.values():
            rng.shuffle(texts)

    def text(code):
        return pick[code][0] if len(pick[code]) == 1 else pick[code].pop()

    home = resident.resident.household.dwelling.entrance.building.compound_id
    now = clock.now()
    made = []

    def at(minutes_ago):
        return clock.frozen(now - dt.timedelta(minutes=minutes_ago))

    def file(code, minutes_ago, *, channel=Channel.ONLINE):
        with at(minutes_ago):
            if channel == Channel.ONLINE:
                intake = services.Intake(category=code, description=text(code), compound=home)
                case = services.case_open(actor=resident, intake=intake)
            else:
                intake = services.Intake(category=code, description=text(code), compound=home, channel=channel,
                                         contact_name="赵桂兰", contact_phone="13935100000")
                case = services.case_open(actor=staff, intake=intake)
        made.append(case)
        return case

    # The demo opens in a believable state and stays so for its first hour (the real 1341 limits: 10
    # minutes to take a case, 30 minutes or 4 hours to solve it): the history behind these is settled,
    # two cases are due soon (a case nobody takes goes up a level every 10 minutes, as it should), one
    # is already late (the sweep below escalates it once), the rest run on the 4-hour tier or are done.
    # new, just filed: due within minutes
    file("sanitation", 2)
    if staff:
        # dispatched to the grid worker, not yet taken: due within minutes
        case = file("facilities", 4)
        with at(3):
            services.case_dispatch(actor=staff, case=case, assignee=worker)
        # accepted on the 4-hour tier, hours left
        case = file("lift", 50)
        with at(47):
            services.case_dispatch(actor=staff, case=case, assignee=worker)
        with at(45):
            services.case_accept(actor=worker, case=case)
        # accepted on the 4-hour tier and not solved in time: the sweep escalates it once, with a fresh
        # 4-hour limit at the community (a 30-minute case would walk up to the district within the hour)
        case = file("safety-hazard", 250)
        with at(247):
            services.case_dispatch(actor=staff, case=case, assignee=worker)
        with at(244):
            services.case_accept(actor=worker, case=case)
        # solved, waiting for the resident to rate it
        case = file("property-service", 120)
        with at(115):
            services.case_dispatch(actor=staff, case=case, assignee=worker)
        with at(110):
            services.case_accept(actor=worker, case=case)
        with at(95):
            services.case_solve(actor=worker, case=case, note="已到现场处理完毕")
        # closed and rated
        case = file("sanitation", 170)
        with at(168):
            services.case_dispatch(actor=staff, case=case, assignee=worker)
        with at(162):
            services.case_accept(actor=worker, case=case)
        with at(150):
            services.case_solve(actor=worker, case=case, note="已清理完毕")
        with at(140):
            services.case_confirm(actor=resident, case=case, rating="satisfied")
        # a hotline case, returned once, escalated by hand, taken by the community, supervised from above
        case = file("neighbour-dispute", 60, channel=Channel.HOTLINE)
        with at(58):
            services.case_dispatch(actor=staff, case=case, assignee=worker)
        with at(50):
            services.case_return(actor=worker, case=case, reason="需要物业和社区共同处理")
        with at(45):
            services.case_escalate(actor=staff, case=case, note="涉及多方，提请社区协调")
        if officer is not None and officer is not worker:
            with at(42):
                services.case_dispatch(actor=officer, case=case, assignee=officer)
            with at(40):
                services.case_accept(actor=officer, case=case)
        street = users.get("street1")
        if street is not None:
            with at(30):
                services.case_supervise(actor=street, case=case, deadline=clock.now() + dt.timedelta(hours=4),
                                        note="请社区今天内拿出处理意见")
    with at(0):
        services.sla_sweep()
    return len(made)
