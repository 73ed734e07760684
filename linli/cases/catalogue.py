"""The default service catalogue and tier rules: plain data, used by the data migration and by
`catalogue_seed()` (so a deployment that deleted a row can restore it without a migration)."""

# (code, name, group, default tier, handler kind, description)
CATEGORIES = [
    ("sanitation", "环境卫生", "环境", "ordinary", "station", "垃圾清运、楼道堆物、卫生死角"),
    ("greening", "绿化养护", "环境", "ordinary", "property", "树木修剪、绿地破坏、杂草"),
    ("facilities", "公共设施", "设施", "ordinary", "property", "路灯、健身器材、座椅、井盖损坏"),
    ("water-power", "水电气暖", "设施", "complex", "department", "停水停电、管道漏水、供暖不热、燃气"),
    ("lift", "电梯故障", "设施", "complex", "property", "电梯停运、困人以外的故障"),
    ("property-service", "物业服务", "物业", "ordinary", "property", "物业服务质量、收费、门禁"),
    ("parking", "停车管理", "物业", "ordinary", "property", "乱停乱放、占用消防通道"),
    ("neighbour-dispute", "邻里纠纷", "矛盾调解", "complex", "station", "噪音、漏水、宠物等邻里矛盾"),
    ("safety-hazard", "安全隐患", "安全", "complex", "grid", "消防隐患、飞线充电、高空坠物"),
    ("illegal-building", "违章建筑", "城市管理", "complex", "department", "私搭乱建、占用公共部位"),
    ("elderly-help", "为老服务", "民生服务", "ordinary", "partner", "独居老人照料、助餐助浴、代办"),
    ("proxy-service", "帮办代办", "民生服务", "ordinary", "grid", "证照、社保、医保等事项的帮办代办"),
    ("policy", "政策咨询", "民生服务", "ordinary", "station", "社保、低保、住房等政策咨询"),
    ("renovation", "老旧小区改造", "设施", "major", "department", "改造需求、施工扰民、改造质量"),
    ("other", "其他诉求", "其他", "ordinary", "station", "以上类别以外的诉求"),
]

# (tier, arrive minutes, solve minutes, what "solve" means)
TIERS = [
    ("ordinary", 10, 30, "解决"),
    ("complex", 10, 4 * 60, "解决"),
    ("major", 10, 24 * 60, "拿出解决方案"),
]


def seed(category_model, tier_model) -> tuple[int, int]:
    """Create missing rows only: edited names, tiers or deactivations are kept."""
    made_categories = made_tiers = 0
    for sort, (code, name, group, tier, kind, description) in enumerate(CATEGORIES, start=1):
        _, created = category_model.objects.get_or_create(
            code=code, defaults={"name": name, "group": group, "default_tier": tier, "handler_kind": kind,
                                 "description": description, "sort": sort * 10},
        )
        made_categories += created
    for tier, arrive, solve, label in TIERS:
        _, created = tier_model.objects.get_or_create(
            tier=tier, defaults={"arrive_minutes": arrive, "solve_minutes": solve, "solve_label": label},
        )
        made_tiers += created
    return made_categories, made_tiers


# Categories about a person rather than a place: never another resident's duplicate, nobody follows
# them, and the public Open311 list leaves them out. Configurable as LINLI_OPEN311_PRIVATE_CATEGORIES.
PRIVATE_CATEGORIES = ("neighbour-dispute", "elderly-help", "proxy-service", "policy")


def private_categories() -> tuple[str, ...]:
    from django.conf import settings

    return tuple(getattr(settings, "LINLI_OPEN311_PRIVATE_CATEGORIES", PRIVATE_CATEGORIES))
