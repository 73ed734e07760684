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
    choices = [(code, text) for code, texts in TEXTS.items() for text in texts]
    if rng is not None:
        rng.shuffle(choices)
    home = resident.resident.household.dwelling.entrance.building.compound_id
    start = clock.now() - dt.timedelta(hours=3)
    made = []

    def file(code, text, minutes_ago, *, channel=Channel.ONLINE):
        with clock.frozen(start + dt.timedelta(minutes=180 - minutes_ago)):
            if channel == Channel.ONLINE:
                intake = services.Intake(category=code, description=text, compound=home)
                case = services.case_open(actor=resident, intake=intake)
            else:
                intake = services.Intake(category=code, description=text, compound=home, channel=channel,
                                         contact_name="赵桂兰", contact_phone="13935100000")
                case = services.case_open(actor=staff, intake=intake)
        made.append(case)
        return case

    def at(minutes_ago):
        return clock.frozen(start + dt.timedelta(minutes=180 - minutes_ago))

    # new, waiting for dispatch (recent: on time)
    file(*choices[0], 3)
    # dispatched but nobody went: overdue, the sweep escalates it
    case = file(*choices[1], 40)
    if staff:
        with at(38):
            services.case_dispatch(actor=staff, case=case, assignee=worker)
        # accepted and being handled
        case = file(*choices[2], 20)
        with at(18):
            services.case_dispatch(actor=staff, case=case, assignee=worker)
        with at(12):
            services.case_accept(actor=worker, case=case)
        # solved, waiting for the resident to rate it
        case = file(*choices[3], 120)
        with at(115):
            services.case_dispatch(actor=staff, case=case, assignee=worker)
        with at(110):
            services.case_accept(actor=worker, case=case)
        with at(95):
            services.case_solve(actor=worker, case=case, note="已到现场处理完毕")
        # closed and rated
        case = file(*choices[4], 170)
        with at(168):
            services.case_dispatch(actor=staff, case=case, assignee=worker)
        with at(162):
            services.case_accept(actor=worker, case=case)
        with at(150):
            services.case_solve(actor=worker, case=case, note="已清理完毕")
        with at(140):
            services.case_confirm(actor=resident, case=case, rating="satisfied")
        # a hotline case, returned once and escalated by hand, supervised from above
        case = file(*choices[5], 60, channel=Channel.HOTLINE)
        with at(58):
            services.case_dispatch(actor=staff, case=case, assignee=worker)
        with at(50):
            services.case_return(actor=worker, case=case, reason="需要物业和社区共同处理")
        with at(45):
            services.case_escalate(actor=staff, case=case, note="涉及多方，提请社区协调")
        street = users.get("street1")
        if street is not None:
            with at(30):
                services.case_supervise(actor=street, case=case, deadline=clock.now() + dt.timedelta(hours=4),
                                        note="请社区今天内拿出处理意见")
    with at(0):
        services.sla_sweep()
    return len(made)
