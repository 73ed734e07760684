"""The navigation bar: which sections a user's roles open, in order."""

from django.urls import NoReverseMatch, reverse

from linli.accounts.scope import scope_for

# (url name, label, who sees it: "any", "resident", "staff", "officer" or "admin")
SECTIONS = [
    ("cases:my_cases", "我的诉求", "resident"),
    ("cases:case_list", "诉求事件", "staff"),
    ("points:my_points", "我的积分", "resident"),
    ("points:shop", "积分超市", "resident"),
    ("points:staff_home", "积分管理", "staff"),
    ("council:home", "议事", "any"),
    ("property:home", "物业治理", "staff"),
    ("places:compound_list", "小区", "staff"),
    ("places:grid_list", "网格", "staff"),
    ("places:unit_list", "区划", "officer"),
    ("people:resident_list", "居民", "staff"),
    ("people:partymember_list", "党员", "staff"),
    ("people:gridworker_list", "网格员", "staff"),
    ("orgs:partyorg_list", "党组织", "staff"),
    ("orgs:selforg_list", "自治组织", "staff"),
    ("orgs:propertycompany_list", "物业企业", "staff"),
    ("orgs:partner_list", "共建单位", "staff"),
    ("dashboard:indicators", "指标", "officer"),
    ("core:audit_list", "审计日志", "admin"),
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
