"""The navigation bar: which sections a user's roles open, in order."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from linli.core.scoping import scope_for

# (url name, label, who sees it: "any", "resident", "staff", "officer" or "admin")
SECTIONS = [
    ("cases:my_cases", _("我的诉求"), "resident"),
    ("cases:case_list", _("诉求事件"), "staff"),
    ("points:my_points", _("我的积分"), "resident"),
    ("points:shop", _("积分超市"), "resident"),
    ("points:staff_home", _("积分管理"), "staff"),
    ("council:home", _("议事"), "any"),
    ("property:home", _("物业治理"), "staff"),
    ("places:compound_list", _("小区"), "staff"),
    ("places:grid_list", _("网格"), "staff"),
    ("places:unit_list", _("区划"), "officer"),
    ("people:resident_list", _("居民"), "staff"),
    ("people:partymember_list", _("党员"), "staff"),
    ("people:gridworker_list", _("网格员"), "staff"),
    ("orgs:partyorg_list", _("党组织"), "staff"),
    ("orgs:selforg_list", _("自治组织"), "staff"),
    ("orgs:propertycompany_list", _("物业企业"), "staff"),
    ("orgs:partner_list", _("共建单位"), "staff"),
    ("dashboard:indicators", _("指标"), "officer"),
    ("core:audit_list", _("审计日志"), "admin"),
]


def nav_items(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    allowed = {"any"}
    if scope.resident_ids:
        allowed.add("resident")
    if scope.is_staff_scope:
        allowed.add("staff")
    if scope.everything or scope.unit_prefixes:
        allowed.add("officer")
    if scope.everything:
        allowed.add("admin")
    items = []
    for name, label, who in SECTIONS:
        if who not in allowed:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": request.path.startswith(url)})
    return {"nav_items": items}
