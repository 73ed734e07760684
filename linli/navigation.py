"""Navigation: each role's own few entries (a bottom tab bar on phones, a sidebar on desktops), the
rest one tap away on the "更多" page.

A person with several roles gets the tabs of their main work role (the first of ROLE_ORDER they
hold) and every other section they may open under "更多"; a section none of their roles may use is
not shown at all, so no link the UI offers leads to a refusal.
"""

from functools import cache

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import IMPORT_ROLES
from linli.core.scoping import scope_for

# url name → (label, icon, the roles that may use it). "resident" is a person with a home in the
# register; the staff roles are Role values.
STAFF = {"grid_worker", "community_worker", "community_secretary", "branch_secretary", "property_staff",
         "committee_member", "street_officer", "district_officer", "admin"}
OFFICERS = {"community_secretary", "street_officer", "district_officer", "admin"}
REGISTRY = STAFF - {"property_staff", "committee_member"}
# Property staff and committee members neither award points nor run the shop.
POINTS_STAFF = REGISTRY
# The community office and the street bring their 台账 in.
IMPORTERS = set(IMPORT_ROLES)

SECTIONS = {
    "cases:my_cases": (_("我的诉求"), "cases", {"resident"}),
    "gridwork:today": (_("网格工作"), "grid", {"grid_worker"}),
    "cases:case_list": (_("诉求"), "cases", STAFF),
    "points:my_points": (_("积分"), "points", {"resident"}),
    "points:shop": (_("积分超市"), "shop", {"resident"}),
    "points:staff_home": (_("积分管理"), "points", POINTS_STAFF),
    "council:home": (_("议事"), "council", {"resident"} | STAFF),
    "property:home": (_("物业治理"), "property", STAFF),
    "cockpit:home": (_("驾驶舱"), "map", OFFICERS),
    "stations:wishes": (_("微心愿"), "accept", {"resident"} | STAFF),
    "stations:needs": (_("点单"), "list", {"resident", "partner"} | REGISTRY),
    "stations:home": (_("服务站"), "place", {"resident"} | REGISTRY),
    "stations:indicators": (_("服务站指标"), "chart", OFFICERS),
    "stations:projects": (_("共建项目"), "list", {"partner"} | REGISTRY),
    "dashboard:indicators": (_("指标"), "chart", OFFICERS),
    "gridwork:team": (_("网格员统计"), "chart", OFFICERS),
    "places:compound_list": (_("小区"), "place", REGISTRY),
    "places:grid_list": (_("网格"), "grid", REGISTRY),
    "places:unit_list": (_("区划"), "map", OFFICERS),
    "people:resident_list": (_("居民"), "people", REGISTRY),
    "people:partymember_list": (_("党员"), "org", REGISTRY),
    "people:gridworker_list": (_("网格员"), "people", REGISTRY),
    "orgs:partyorg_list": (_("党组织"), "org", REGISTRY),
    "orgs:selforg_list": (_("自治组织"), "org", REGISTRY),
    "orgs:propertycompany_list": (_("物业企业"), "property", REGISTRY | {"property_staff"}),
    "orgs:partner_list": (_("共建单位"), "org", REGISTRY),
    "imports:home": (_("数据导入"), "list", IMPORTERS),
    "exports:mine": (_("我的导出"), "list", STAFF),
    "core:audit_list": (_("审计日志"), "audit", {"admin"}),
    "volunteers:mine": (_("我的活动"), "calendar", {"resident", "volunteer"}),
    "volunteers:teams": (_("志愿服务队"), "people", REGISTRY),
    "volunteers:report": (_("双报到统计"), "chart", OFFICERS),
}

# Each role's tab bar after 首页 (at most four, then 更多): the work they do every day.
TABS = {
    "admin": ["dashboard:indicators", "cases:case_list", "people:resident_list", "core:audit_list"],
    "district_officer": ["cockpit:home", "cases:case_list", "property:home", "council:home"],
    "street_officer": ["cockpit:home", "cases:case_list", "property:home", "council:home"],
    "community_secretary": ["cases:case_list", "cockpit:home", "people:resident_list", "council:home"],
    "community_worker": ["cases:case_list", "people:resident_list", "points:staff_home", "council:home"],
    "branch_secretary": ["cases:case_list", "council:home", "people:partymember_list", "points:staff_home"],
    "grid_worker": ["gridwork:today", "cases:case_list", "people:resident_list", "points:staff_home"],
    "property_staff": ["cases:case_list", "property:home", "council:home", "orgs:propertycompany_list"],
    "committee_member": ["council:home", "property:home", "cases:case_list"],
    "resident": ["cases:my_cases", "points:my_points", "council:home", "points:shop"],
    # A partner unit's staff (a login with no assignment and no home): the needs dispatched to them,
    # and their activities when they also volunteer in a team (the tab shows only for that role).
    "partner": ["stations:needs", "stations:projects", "volunteers:mine"],
    # A volunteer with a login of their own (no home, no jurisdiction).
    "volunteer": ["volunteers:mine"],
}
ROLE_ORDER = ["admin", "district_officer", "street_officer", "community_secretary", "community_worker",
              "branch_secretary", "grid_worker", "property_staff", "committee_member", "resident", "partner",
              "volunteer"]


def roles_of(user) -> set[str]:
    scope = scope_for(user)
    roles = set(scope.roles)
    if scope.resident_ids:
        roles.add("resident")
    if scope.everything:
        roles.add("admin")
    if not roles and user.is_authenticated:
        # Only a login with neither a role nor a home asks: the narrow roles of a partner unit's
        # staff and of a volunteer (one login may be both).
        from linli.stations.selectors import is_partner_staff
        from linli.volunteers.selectors import is_volunteer

        if is_partner_staff(user):
            roles.add("partner")
        if is_volunteer(user):
            roles.add("volunteer")
    return roles


def main_role(roles: set[str]) -> str | None:
    return next((role for role in ROLE_ORDER if role in roles), None)


@cache
def _url(name: str, prefix: str) -> str | None:
    """A section's address, worked out once per process (and script prefix)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _item(name, request):
    label, icon, _who = SECTIONS[name]
    url = _url(name, get_script_prefix())
    if url is None:
        return None
    return {"name": name, "url": url, "label": label, "icon": icon, "active": request.path.startswith(url)}


def menu(request) -> dict:
    """The tabs of the user's main role and the other sections they may open, in SECTIONS order."""
    roles = roles_of(request.user)
    role = main_role(roles)
    allowed = [name for name, (_label, _icon, who) in SECTIONS.items() if who & roles]
    tab_names = [name for name in TABS.get(role, []) if name in allowed]
    tabs = [item for item in (_item(name, request) for name in tab_names) if item]
    more = [item for item in (_item(name, request) for name in allowed if name not in tab_names) if item]
    if request.user.is_staff:
        more.append({"name": "admin", "url": "/admin/", "label": _("管理后台"), "icon": "settings", "active": False})
    return {"tabs": tabs, "more": more, "role": role}


def nav_items(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    found = menu(request)
    return {"nav_tabs": found["tabs"], "nav_more": found["more"],
            "nav_more_active": any(item["active"] for item in found["more"]) or request.path == "/more/"}


@login_required
def more_page(request):
    """Every section the person may open beyond their tabs, as large tiles (the phone's "更多" tab)."""
    return render(request, "more.html", {"items": menu(request)["more"]})
