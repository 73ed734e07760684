from django import template
from django.utils import timezone

from linli.cases import selectors
from linli.cases.models import Status
from linli.core import channel as channels
from linli.core import clock

register = template.Library()


def _span(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时"
    if hours:
        return f"{hours} 小时 {mins} 分钟"
    return f"{mins} 分钟"


@register.filter
def remaining(due):
    """Server-rendered countdown: "剩余 8 分钟" or "已超时 1 小时 5 分钟"."""
    if not due:
        return ""
    seconds = (due - clock.now()).total_seconds()
    minutes = int(abs(seconds) // 60)
    return f"剩余 {_span(minutes)}" if seconds >= 0 else f"已超时 {_span(minutes)}"


@register.filter
def overdue(due):
    return bool(due) and due < clock.now()


@register.filter
def iso(moment):
    return timezone.localtime(moment).isoformat() if moment else ""


@register.simple_tag
def clock_now():
    """The server's time as the one clock has it, so the page's countdown agrees with the deadlines."""
    return iso(clock.now())


@register.inclusion_tag("cases/_bell_link.html", takes_context=True)
def notification_bell(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"show": bool(user and user.is_authenticated), "unread": selectors.unread_count(user)}


@register.filter
def channel_phrase(name):
    """Where a step was taken, as a worker says it ("网页办理", "系统自动"), not the audit code."""
    return channels.phrase(name)


@register.filter
def ago(moment):
    """How long ago, as one says it: "刚刚", "25 分钟前", "3 小时前", "2 天前"."""
    if not moment:
        return ""
    minutes = max(0, int((clock.now() - moment).total_seconds() // 60))
    if minutes < 1:
        return "刚刚"
    if minutes < 60:
        return f"{minutes} 分钟前"
    if minutes < 24 * 60:
        return f"{minutes // 60} 小时前"
    return f"{minutes // (24 * 60)} 天前"


_PROGRESS = {
    Status.NEW: "已受理，正在派单", Status.DISPATCHED: "已派单，等待承办人接单",
    Status.ACCEPTED: "承办人正在处理", Status.RETURNED: "正在重新派单", Status.REOPENED: "正在重新办理",
    Status.SOLVED: "已办结，等待确认", Status.CLOSED: "已办结",
}


@register.filter
def progress(case):
    """Where a case stands, in words a neighbour may read: the stage and the tier handling it, nothing of the reporter's."""
    stage = _PROGRESS.get(case.status, case.get_status_display())
    return f"{stage}（{case.get_level_display()}级办理）"
