"""The duty catalogues and the admission list 网格事项准入, as data.

Seed 003 names "网格员8项职责、网格辅助员6项职责" and "完善网格事项准入机制" without listing them; the
items below are this project's reading of what the grid work in the seeds consists of (信息采集,
巡查, 走访, 事件上报, 矛盾调解, 政策宣传, 便民服务/帮办代办, 特殊人群关爱). Each duty says what counts
as doing it, and which record of the system shows it (`measure`, one of MEASURES), so a worker's
month can be read against their duties.
"""

from dataclasses import dataclass

# The records a duty is measured by (the figures of `linli.gridwork.figures`).
MEASURES = {
    "check_ins": "报到",
    "patrols": "巡查",
    "findings": "巡查发现",
    "cases": "发现转诉求",
    "visits": "走访",
    "follow_ups": "走访后续事项",
    "tasks": "准入事项",
}


@dataclass(frozen=True)
class Duty:
    code: str
    name: str
    counts: str  # what counts as doing it, in the words of the catalogue
    measure: str  # a key of MEASURES
    purpose: str = ""  # for visits: only those of this purpose (people.Visit.Purpose) count


GRID_WORKER_DUTIES = (
    Duty("information", "信息采集", "入户走访时核对、更新居民和房屋信息，走访目的为“信息核对”。", "visits",
         "information"),
    Duty("hazards", "隐患排查", "按巡查路线逐栋巡查，发现隐患当场拍照记录（巡查发现）。", "findings"),
    Duty("mediation", "矛盾调解", "走访中发现的邻里矛盾，记录走访目的为“矛盾调解”并跟进到办结。", "visits",
         "mediation"),
    Duty("policy", "政策宣传", "入户或在网格微站宣传政策，走访目的为“政策宣传”。", "visits", "policy"),
    Duty("services", "便民服务", "为居民帮办代办准入清单内的事项，并在走访后续事项中办结。", "follow_ups"),
    Duty("care", "特殊人群关爱", "关爱对象（独居、空巢、慢性病、残疾、低保）每月至少走访一次，走访目的为“关爱探访”。",
         "visits", "care"),
    Duty("reporting", "事件上报", "巡查发现的问题一键转为诉求（渠道“网格巡查”），进入办理闭环。", "cases"),
    Duty("patrol", "定时报到、集中巡查", "每个工作日按时报到、签退，并完成至少一次巡查。", "patrols"),
)

ASSISTANT_DUTIES = (
    Duty("assist_information", "协助信息采集", "随网格员入户核对信息，走访目的为“信息核对”。", "visits",
         "information"),
    Duty("assist_patrol", "协助巡查走访", "按路线巡查，记录发现。", "patrols"),
    Duty("policy", "政策宣传", "入户或在网格微站宣传政策，走访目的为“政策宣传”。", "visits", "policy"),
    Duty("assist_services", "协助便民服务", "协助办理准入清单内的帮办代办事项。", "follow_ups"),
    Duty("elderly", "关爱独居老人", "独居老人每月至少走访一次，走访目的为“关爱探访”。", "visits", "care"),
    Duty("reporting", "事件上报", "巡查发现的问题拍照记录，转为诉求。", "cases"),
)


def duties_of(kind: str) -> tuple[Duty, ...]:
    """The catalogue of a grid worker's kind (people.GridWorker.Kind)."""
    return ASSISTANT_DUTIES if kind == "assistant" else GRID_WORKER_DUTIES


@dataclass(frozen=True)
class Matter:
    code: str
    name: str
    note: str


# 网格事项准入: the only tasks other departments may push down to grids.
ADMITTED = (
    Matter("information", "基础信息采集核对", "人口、房屋、单位信息的采集和核对。"),
    Matter("hazard_check", "安全隐患排查", "消防、燃气、用电、高空坠物等隐患的排查和上报。"),
    Matter("care_visit", "特殊人群走访关爱", "独居、空巢、低保、残疾等关爱对象的走访。"),
    Matter("policy", "政策宣传", "上级政策的入户宣传和告知。"),
    Matter("proxy_service", "帮办代办", "社保、医保、证照等民生事项的帮办代办。"),
    Matter("mediation", "矛盾纠纷排查", "邻里、物业矛盾的排查和先期调解。"),
    Matter("emergency", "应急处置协助", "疫情、灾害等突发事件中的信息报送和协助处置。"),
)

# Tasks departments have pushed down before and that the list keeps out, each with its reason.
REFUSED = {
    "law_enforcement": ("行政执法", "网格员没有执法权，执法事项应由综合执法部门办理。"),
    "fee_collection": ("收缴费用", "网格员不经手钱款，收费事项应由收费单位办理。"),
    "demolition": ("征收拆迁动员", "征收拆迁由征收实施单位负责，不属于网格事项。"),
    "investment": ("招商引资", "招商引资不属于网格服务管理事项。"),
    "statistics_forms": ("部门报表填报", "部门自身的统计报表应由部门填报，不得转嫁网格。"),
}


def admitted(code: str) -> Matter | None:
    return next((m for m in ADMITTED if m.code == code), None)


def refusal_reason(code: str) -> str:
    """Why a task of this kind may not be pushed down to grids."""
    if code in REFUSED:
        name, reason = REFUSED[code]
        return f"“{name}”不在网格事项准入清单内：{reason}"
    return "该事项不在网格事项准入清单内，不能派给网格。准入事项：" + "、".join(m.name for m in ADMITTED) + "。"
