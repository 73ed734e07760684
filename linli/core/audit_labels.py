"""The audit log in words its readers use: actions, object kinds, field names and values in Chinese.

The log itself keeps stable codes (`case.escalate`, `cases.case`, ISO times) so that it can be
searched and compared; only the page translates them. Object kinds and field names come from the
models' own verbose names through the app registry, so core names no domain.
"""

import datetime as dt

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

ACTIONS = {
    "create": "新建", "update": "修改", "delete": "删除", "end": "结束任职/服务", "move": "迁移",
    "unmask": "查看完整敏感信息", "set_sensitive_tags": "设置敏感标签", "publish": "公示",
    "close_month": "月度结账", "end_for_area_contract": "因片区合同结束服务",
    "token_issue": "签发接口令牌", "password_change": "修改密码",
    "demo_load": "载入演示数据", "generate_city": "生成城市数据", "generate_city_cases": "生成城市诉求数据",
    "case.open": "受理诉求", "case.dispatch": "派单", "case.accept": "接单", "case.take": "自行接单", "case.return": "退单",
    "case.transfer": "转办", "case.solve": "办结", "case.confirm": "居民评价", "case.retier": "调整办理时限",
    "case.escalate": "提级", "case.supervise": "督办", "case.follow_up": "回访", "case.follow": "关注诉求",
    "case.autoclose": "超时自动关闭", "case.to_council": "转入议事",
    "points.award_create": "申报积分", "points.award_book": "记入积分", "points.award_correct": "更正积分",
    "points.award_reject": "驳回积分", "points.redeem": "积分兑换", "points.redeem_cancel": "取消兑换",
    "points.pickup": "兑换领取",
    "station.accept": "服务站验收合格", "wish.post": "发布微心愿", "wish.claim": "认领微心愿",
    "wish.fulfil": "登记心愿实现", "wish.confirm": "确认心愿实现", "wish.withdraw": "撤回微心愿",
    "need.order": "居民点单", "need.dispatch": "需求派单", "need.accept": "资源接单", "need.decline": "资源拒单",
    "need.done": "登记需求办理", "need.rate": "居民评价需求",
    "partner_staff.add": "开通共建单位人员账号", "partner_staff.close": "停用共建单位人员账号",
    "station.case": "诉求由服务站承办", "project.create": "共建项目立项", "project.owner": "增加项目责任方",
    "project.start": "共建项目开始实施", "project.finish": "共建项目完成", "project.cancel": "终止共建项目",
    "errand.record": "登记帮办代办",
    "volunteer.team_create": "成立志愿服务队", "volunteer.member_add": "加入志愿队", "volunteer.member_remove": "队员离队",
    "volunteer.activity_create": "发布志愿活动", "volunteer.activity_cancel": "取消志愿活动",
    "volunteer.sign_up": "志愿活动报名", "volunteer.cancel": "取消活动报名", "volunteer.check_in": "志愿活动签到",
    "volunteer.check_out": "志愿活动签退", "volunteer.hours_confirm": "确认志愿服务时长",
    "volunteer.book": "志愿时长记入时间银行", "volunteer.dual_register": "在职党员双报到",
    "council_advance": "议事进入下一步", "council_close": "结束表决", "council_electorate": "确定表决范围",
    "council_escalate": "议事提级", "council_executed": "决议执行完毕", "council_minutes": "记录会议纪要",
    "council_moderate": "审核留言", "council_progress": "更新决议进度", "council_reject": "不予受理",
    "council_vote": "投票", "council_vote_change": "改票",
    "login_lockout": "登录失败次数过多被锁定", "import": "表格导入",
    "gridwork_check_in": "网格员报到", "gridwork_check_out": "网格员签退", "gridwork_patrol_start": "开始巡查",
    "gridwork_patrol_stop": "巡查到达楼栋", "gridwork_patrol_end": "结束巡查", "gridwork_finding": "记录巡查发现",
    "gridwork_finding_case": "巡查发现转为诉求", "gridwork_visit": "登记走访", "gridwork_follow_up_done": "办结走访后续事项",
    "gridwork_task_push": "向网格派单", "gridwork_task_done": "网格任务完成", "gridwork_plan_set": "制定走访计划",
    "gridwork_trial_start": "开始试用期", "gridwork_trial_assess": "试用期考核",
    "gridwork_roster_appoint": "两长四员任职", "gridwork_roster_end": "两长四员卸任",
    "gridwork_training_record": "登记培训记录",
    "export_unmasked": "不脱敏导出",
}

WORDS = {
    "case": "诉求", "points": "积分", "council": "议事", "property": "物业", "import": "导入",
    "create": "新建", "update": "修改", "delete": "删除", "close": "关闭", "open": "开启",
}


def action_label(code: str) -> str:
    """A Chinese name for an action code; codes added later read as their parts, never as the raw code."""
    if code in ACTIONS:
        return ACTIONS[code]
    parts = [WORDS.get(part) for part in code.replace(".", "_").split("_")]
    known = [part for part in parts if part]
    return "·".join(known) if known else "其他操作"


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_label(object_type: str) -> str:
    model = _model(object_type)
    if model is not None:
        return str(model._meta.verbose_name)
    return {"demo": "演示数据", "": "—"}.get(object_type, "其他对象")


def field_label(object_type: str, name: str) -> str:
    model = _model(object_type)
    if model is not None and name:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return name
        if hasattr(field, "verbose_name"):
            return str(field.verbose_name)
        # A reverse relation (a ballot's voters, its cost shares) has no name of its own: the rows' name.
        return str(field.related_model._meta.verbose_name_plural)
    return name


def value_label(value) -> object:
    """True/False as 是/否, ISO times as local minutes, lists joined; other values as they are."""
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list | tuple):
        return "、".join(str(value_label(v)) for v in value)
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-":
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return moment.strftime("%Y-%m-%d %H:%M")
        day = parse_date(value) if len(value) == 10 else None
        if isinstance(day, dt.date):
            return day.strftime("%Y-%m-%d")
    return value
