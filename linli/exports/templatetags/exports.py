"""`{% export_menu "residents" %}`: the 导出 menu of a list page, keeping the page's filters."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from linli.accounts.scope import can_unmask
from linli.exports import specs

register = template.Library()


@register.inclusion_tag("exports/_menu.html", takes_context=True)
def export_menu(context, key: str, **fixed):
    """`fixed`: filters the page applies without a parameter of its own (审核 lists pending awards)."""
    request = context.get("request")
    spec = specs.get(key)
    if request is None or spec is None or not request.user.is_authenticated:
        return {"links": []}
    kept = [(k, v) for k, v in request.GET.items() if k not in ("page", "format", "unmask", *fixed)]
    kept += [(k, v) for k, v in fixed.items() if v not in ("", None)]
    base = reverse("exports:export", args=[key])
    links = [("Excel（.xlsx）", f"{base}?{urlencode([*kept, ('format', 'xlsx')])}"),
             ("CSV", f"{base}?{urlencode([*kept, ('format', 'csv')])}")]
    if spec.sensitive and can_unmask(request.user):
        links.append(("Excel（不脱敏，记入审计）", f"{base}?{urlencode([*kept, ('format', 'xlsx'), ('unmask', '1')])}"))
    return {"links": links, "title": spec.title}
