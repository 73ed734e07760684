from django import template
from django.utils import timezone

from linli.cases import selectors
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
