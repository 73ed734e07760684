"""The service catalogue as Open311 describes it: services and their attributes (service definitions).

Every service takes the same attributes, because every case hangs on a compound and may name a
building and an urgency; the values of the compound picker depend on who asks (see `attributes`).
"""

from django.conf import settings

from linli.cases.models import ServiceCategory, Tier, TierRule

ATTRIBUTE_CODES = ("compound", "building", "urgency")

# Services whose name does not say what is to be done (the catch-all, a question, an errand for
# someone): a request for one of them must describe itself. The attributes (compound, building,
# urgency) say where and how urgent, never what, so they cannot stand in for a description.
DESCRIPTION_REQUIRED = ("other", "policy", "proxy-service")


def services():
    return ServiceCategory.objects.filter(active=True).order_by("sort", "code")


def service_get(code: str):
    return services().filter(code=code).first()


def description_required() -> tuple[str, ...]:
    return tuple(getattr(settings, "LINLI_OPEN311_DESCRIPTION_REQUIRED", DESCRIPTION_REQUIRED))


def summary(category) -> str | None:
    """What a request without a description is about (the service's name), or None if that says nothing."""
    return None if category.code in description_required() else category.name


def keywords(category) -> str:
    words = [w.strip() for w in category.description.replace("，", "、").split("、") if w.strip()]
    return ", ".join(words)


def service_out(category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": True,
        "type": "realtime",
        "keywords": keywords(category),
        "group": category.group,
    }


def tier_notice(tier: str) -> str:
    arrive, solve = TierRule.limits(tier)
    row = TierRule.objects.filter(tier=tier).first()
    label = row.solve_label if row else ("拿出解决方案" if tier == Tier.MAJOR else "解决")
    return f"{Tier(tier).label}：{_span(arrive)}内响应到场，{_span(solve)}内{label}"


def _span(delta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} 天"
    if minutes % 60 == 0:
        return f"{minutes // 60} 小时"
    return f"{minutes} 分钟"


def attributes(category, compounds) -> list[dict]:
    """The service definition's attributes; `compounds` are the ones the asker may choose from."""
    return [
        {
            "variable": True,
            "code": "compound",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "小区编号。也可以只给 address_id（同为小区编号）或经纬度（就近匹配小区）",
            "order": 1,
            "description": "诉求所在的小区/院落",
            "values": [{"key": str(c.pk), "name": c.name} for c in compounds],
        },
        {
            "variable": True,
            "code": "building",
            "datatype": "string",
            "required": False,
            "datatype_description": "楼栋号，与小区登记的写法一致，例如“1号楼”",
            "order": 2,
            "description": "诉求所在的楼栋（须在所选小区内）",
            "values": [],
        },
        {
            "variable": True,
            "code": "urgency",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": f"不填则按该事项的默认分级（{category.get_default_tier_display()}）",
            "order": 3,
            "description": "紧急程度，决定“1341”办理时限",
            "values": [{"key": t.value, "name": tier_notice(t.value)} for t in Tier],
        },
    ]


def definition_out(category, compounds) -> dict:
    return {"service_code": category.code, "attributes": attributes(category, compounds)}
