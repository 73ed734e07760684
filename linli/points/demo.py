"""Demo points: rule sets and a stocked supermarket in every community, a window open this half year,
and some awards, a claim and redemptions around resident1 so every persona's points pages have content."""

from linli.people.models import PartyMember, Resident
from linli.points import services
from linli.points.models import Audience, PointRule

RULES = [
    # (audience, category, code, name, points, unit, evidence, period, cap)
    ("resident", "study", "lecture", "参加社区讲座、普法学习", 5, "time", "签到表", "month", 20),
    ("resident", "public_good", "volunteer", "志愿服务（时间银行）", 10, "hour", "活动签到及组织人确认", "month", 200),
    ("resident", "public_good", "patrol", "平安巡逻", 5, "time", "巡逻记录", "month", 40),
    ("resident", "public_good", "mediation", "参与矛盾调解", 10, "time", "调解记录", "month", 30),
    ("resident", "public_good", "case_help", "协助办结诉求", 5, "time", "诉求办结记录", "month", 20),
    ("resident", "law", "litter", "乱扔垃圾、乱堆乱放", -10, "time", "网格员现场记录及照片", "month", 50),
    ("resident", "law", "fire_escape", "占用消防通道", -20, "time", "现场照片", "month", 60),
    ("party", "study", "party_life", "参加组织生活、“三会一课”", 8, "time", "会议记录", "month", 32),
    ("party", "public_good", "volunteer", "党员志愿服务（时间银行）", 10, "hour", "活动签到及组织人确认", "month", 240),
    ("party", "public_good", "lead_household", "党员中心户联系群众", 5, "time", "走访记录", "month", 20),
    ("party", "law", "absence", "无故缺席组织生活", -10, "time", "会议记录", "quarter", 30),
]

GOODS = [
    # (name, kind, description, price, stock, limit)
    ("毛巾", "goods", "纯棉毛巾一条", 20, 60, 2),
    ("香皂", "goods", "香皂一块", 10, 100, 3),
    ("雨伞", "goods", "折叠雨伞一把", 60, 20, 1),
    ("四点半课堂", "service", "放学后托管一周（社区活动室）", 80, 15, 1),
    ("作业辅导", "service", "大学生志愿者作业辅导两次", 40, 20, 1),
]


def _get(context, name, default=None):
    if isinstance(context, dict):
        return context.get(name, default)
    return getattr(context, name, default)


def populate(context) -> int:
    if PointRule.objects.exists():
        return 0
    users = _get(context, "users", {}) or {}
    admin = users.get("admin")
    places = _get(context, "places")
    communities = list(getattr(places, "communities", []) or [])
    if admin is None or not communities:
        return 0
    rules = goods = 0
    for community in communities:
        for audience, category, code, name, points, unit, evidence, period, cap in RULES:
            services.rule_create(actor=admin, community=community, data={
                "audience": audience, "category": category, "code": code, "name": name, "points": points,
                "unit": unit, "evidence": evidence, "period": period, "cap": cap})
            rules += 1
        for name, kind, description, price, stock, limit in GOODS:
            services.goods_create(actor=admin, community=community, data={
                "name": name, "kind": kind, "description": description, "price": price, "stock": stock,
                "limit_per_person": limit})
            goods += 1
        services.window_create(actor=admin, community=community)
    context.add("积分规则", rules)
    context.add("积分超市商品", goods)
    context.add("兑换期", len(communities))
    return rules + goods + len(communities) + _activity(context, users)


def _rule(resident, code):
    community = services.community_of_resident(resident)
    audience = Audience.PARTY if services.is_party_member(resident) else Audience.RESIDENT
    return PointRule.objects.get(community=community, audience=audience, code=code)


def _activity(context, users) -> int:
    """Awards for resident1's neighbours, then resident1's own points, a claim and a redemption."""
    from linli.points.models import Goods

    user = users.get("resident1")
    resident = getattr(user, "resident", None) if user is not None else None
    worker = users.get("grid1") or users.get("community1")
    if resident is None or worker is None:
        return 0
    rng = _get(context, "rng")
    compound_id = resident.household.dwelling.entrance.building.compound_id
    neighbours = list(Resident.objects.filter(household__dwelling__entrance__building__compound_id=compound_id)
                      .exclude(pk=resident.pk).order_by("id")[:30])
    awards = 0
    for n, person in enumerate(neighbours):
        hours = (rng.randint(1, 8) if rng else 2) / 2 + 0.5
        try:
            services.award_grant(actor=worker, key=f"demo-v-{person.pk}", rule=_rule(person, "volunteer"),
                                 resident=person, quantity=str(hours), source_type="volunteer",
                                 source_id=f"志愿活动-{n % 5 + 1:02d}")
            awards += 1
            if n % 4 == 0:
                code = "party_life" if services.is_party_member(person) else "patrol"
                services.award_grant(actor=worker, key=f"demo-p-{person.pk}", rule=_rule(person, code),
                                     resident=person, source_type="meeting" if code == "party_life" else "patrol")
                awards += 1
            if n % 7 == 3 and not services.is_party_member(person):
                services.award_grant(actor=worker, key=f"demo-l-{person.pk}", rule=_rule(person, "litter"),
                                     resident=person, source_type="other", evidence="楼道堆放杂物，已劝导清理")
                awards += 1
        except services.Refused:
            continue
    services.award_grant(actor=worker, key="demo-r1-volunteer", rule=_rule(resident, "volunteer"), resident=resident,
                         quantity="3", source_type="volunteer", source_id="敬老院陪护")
    services.award_grant(actor=worker, key="demo-r1-lecture",
                         rule=_rule(resident, "party_life" if services.is_party_member(resident) else "lecture"),
                         resident=resident, source_type="meeting", source_id="垃圾分类讲座")
    awards += 2
    services.award_claim(actor=user, key="demo-r1-claim", rule=_rule(resident, "patrol" if not
                         PartyMember.objects.filter(resident=resident).exists() else "lead_household"),
                         quantity="1", evidence="周六晚间参加平安巡逻，组织人：王师傅")
    soap = Goods.objects.get(community=services.community_of_resident(resident), name="香皂")
    services.redemption_create(actor=user, goods=soap, quantity=1, key="demo-r1-soap")
    context.add("积分记录", awards + 1)
    context.add("积分兑换", 1)
    return awards + 2
