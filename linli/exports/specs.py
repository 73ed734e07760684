"""Every exportable list: its title, its selector (the one the page and the API already use) and its
columns. The writer, the views, the API and the task know nothing of any domain beyond this table.

A spec's `select(actor, filters)` is the list's own selector with the request's filters, so an export
holds exactly the rows the list shows; `registry` lists (places, people, organisations) are for staff
only, as their pages and API are.
"""

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field

from django.db.models import OuterRef, QuerySet, Subquery

from linli.core.errors import Forbidden
from linli.core.scoping import scope_for
from linli.core.validators import mask_id_number, mask_phone
from linli.exports.columns import Col, computed, field, fields, prefetched, secret


@dataclass(frozen=True)
class Spec:
    key: str
    title: str
    select: Callable[..., QuerySet]
    columns: tuple[Col, ...]
    api_path: str = ""               # the list API this export follows ("/residents")
    registry: bool = False           # staff only: residents never export a register
    prepare: Callable[[QuerySet], QuerySet] | None = None  # annotations the columns read
    choice_labels: dict = dc_field(default_factory=dict)    # filter → {value: 中文}

    @property
    def sensitive(self) -> bool:
        return any(c.sensitive for c in self.columns)

    def queryset(self, actor, filters: dict) -> QuerySet:
        if self.registry and not scope_for(actor).is_staff_scope:
            raise Forbidden("名单仅对工作人员开放，不能导出。")
        qs = self.select(actor=actor, filters=filters)
        related = sorted({path for col in self.columns for path in col.related})
        if related:
            qs = qs.select_related(*related)
        return self.prepare(qs) if self.prepare else qs


SPECS: dict[str, Spec] = {}
TAGS: dict[str, str] = {}  # the API tag of the list each export follows, so its /export sits beside it


def register(spec: Spec) -> Spec:
    SPECS[spec.key] = spec
    return spec


def get(key: str) -> Spec | None:
    build()
    return SPECS.get(key)


def all_specs() -> list[Spec]:
    build()
    return list(SPECS.values())


def _id_masked(value):
    return mask_id_number(value or "")


def _phone_masked(value):
    return mask_phone(value or "")


def build() -> None:
    """Fill SPECS (called once from AppConfig.ready, when every app's models are loaded)."""
    if SPECS:
        return
    for declare, tag in ((_places, "地"), (_people, "人"), (_orgs, "组织"), (_cases, "诉求事件"), (_points, "积分"),
                         (_council, "议事"), (_property, "物业")):
        before = set(SPECS)
        declare()
        for key in set(SPECS) - before:
            TAGS[key] = tag


# --- 地 ----------------------------------------------------------------------------------------------

def _places() -> None:
    from linli.places import selectors as s
    from linli.places.models import AdminUnit, Building, Compound, Dwelling, Entrance, Grid, MicroGrid

    register(Spec("units", "行政区划", s.unit_list_visible_to, fields(AdminUnit, "code", "name", "level", "parent__name"),
                  "/units", registry=True, choice_labels={"level": dict(AdminUnit.Level.choices)}))
    register(Spec("grids", "网格", s.grid_list_visible_to,
                  (field(Grid, "community__code", "社区代码"), field(Grid, "community__name", "所在社区"),
                   *fields(Grid, "code", "name")), "/grids", registry=True))
    register(Spec("micro_grids", "微网格", s.micro_grid_list_visible_to,
                  (field(MicroGrid, "grid__code", "网格编码"), *fields(MicroGrid, "grid__name", "name")),
                  "/micro-grids", registry=True))
    register(Spec("compounds", "小区/院落", s.compound_list_visible_to,
                  (field(Compound, "community__code", "社区代码"), field(Compound, "community__name", "所在社区"),
                   field(Compound, "name", "小区名称"),
                   *fields(Compound, "kind", "address", "build_year", "walled", "has_property_room",
                           "responsible_department", "latitude", "longitude")),
                  "/compounds", registry=True, choice_labels={"kind": dict(Compound.Kind.choices)}))
    register(Spec("buildings", "楼栋", s.building_list_visible_to,
                  (field(Building, "compound__community__code", "社区代码"), field(Building, "compound__name", "小区"),
                   field(Building, "number", "楼栋"), *fields(Building, "floors", "grid__name", "micro_grid__name")),
                  "/buildings", registry=True))
    register(Spec("entrances", "单元", s.entrance_list_visible_to,
                  (field(Entrance, "building__compound__community__code", "社区代码"),
                   field(Entrance, "building__compound__name", "小区"), field(Entrance, "building__number", "楼栋"),
                   field(Entrance, "number", "单元")), "/entrances", registry=True))
    place = "entrance__building__compound"
    register(Spec("dwellings", "房屋", s.dwelling_list_visible_to,
                  (field(Dwelling, f"{place}__community__code", "社区代码"), field(Dwelling, f"{place}__name", "小区"),
                   field(Dwelling, "entrance__building__number", "楼栋"), field(Dwelling, "entrance__number", "单元"),
                   field(Dwelling, "number", "房号"),
                   *fields(Dwelling, "floor", "registered_area", "surveyed_area", "contract_area", "developer_unsold"),
                   field(Dwelling, "entrance__building__floors", "楼栋层数"),
                   field(Dwelling, "entrance__building__grid__code", "网格编码"),
                   field(Dwelling, "entrance__building__micro_grid__name", "微网格")),
                  "/dwellings", registry=True))


# --- 人 ----------------------------------------------------------------------------------------------

def _head_id_number(qs: QuerySet) -> QuerySet:
    """The head's ID number beside each member (the import's 户主身份证号), in the same query."""
    from linli.people.models import Resident

    heads = Resident.objects.filter(household=OuterRef("household_id"), relation=Resident.Relation.HEAD)
    field_ = Resident._meta.get_field("id_number")
    return qs.annotate(head_id=Subquery(heads.order_by("pk").values("id_number")[:1], output_field=field_))


def _head_of(row) -> str:
    head = getattr(row, "head_id", "") or ""
    return "" if head == row.id_number else head


def _people() -> None:
    from linli.people import selectors as s
    from linli.people.models import GridWorker, Household, PartyMember, Resident

    house = "household__dwelling__entrance__building__compound"
    # The headers are the residents import template's, so an unmasked export imports back as it is.
    register(Spec("residents", "居民", s.resident_list_visible_to, (
        field(Resident, f"{house}__community__code", "社区代码"),
        field(Resident, f"{house}__name", "小区"),
        field(Resident, "household__dwelling__entrance__building__number", "楼栋"),
        field(Resident, "household__dwelling__entrance__number", "单元"),
        field(Resident, "household__dwelling__number", "房号"),
        field(Resident, "household__number", "户号"),
        secret("户主身份证号", _head_of, lambda r: _id_masked(_head_of(r))),
        field(Resident, "name", "姓名"),
        secret("公民身份号码", lambda r: r.id_number, lambda r: r.id_number_masked),
        secret("联系电话", lambda r: r.phone, lambda r: r.phone_masked),
        field(Resident, "relation", "与户主关系"),
        field(Resident, "status", "人户状态"),
        field(Resident, "is_owner", "是否业主"),
        field(Resident, "email", "电子邮箱"),
        field(Resident, "gender", "性别"),
        field(Resident, "birth_date", "出生日期"),
        computed("党员", lambda r: hasattr(r, "party_member"), related=("party_member",)),
        computed("关怀标签", lambda r: "、".join(t.name for t in prefetched(r, "care_tags"))),
    ), "/residents", registry=True, prepare=_head_id_number,
        choice_labels={"status": dict(Resident.Status.choices)}))
    register(Spec("households", "户", s.household_list_visible_to, (
        field(Household, "dwelling__entrance__building__compound__community__code", "社区代码"),
        field(Household, "dwelling__entrance__building__compound__name", "小区"),
        field(Household, "dwelling__entrance__building__number", "楼栋"),
        field(Household, "dwelling__entrance__number", "单元"),
        field(Household, "dwelling__number", "房号"),
        field(Household, "number", "户号"),
        computed("成员数", lambda h: getattr(h, "member_count", "")),
    ), "/households", registry=True))
    register(Spec("party_members", "党员", s.partymember_list_visible_to, (
        field(PartyMember, "resident__name", "姓名"),
        secret("公民身份号码", lambda m: m.resident.id_number, lambda m: m.resident.id_number_masked,
               related=("resident",)),
        *fields(PartyMember, "category", "home_branch__name", "joined_on", "employer",
                "dual_registered_community__name", "dual_registered_on", "lost_contact"),
    ), "/party-members", registry=True))
    register(Spec("grid_workers", "网格员", s.gridworker_list_visible_to, (
        field(GridWorker, "name", "姓名"),
        secret("联系电话", lambda w: w.phone, lambda w: w.phone_masked),
        *fields(GridWorker, "kind", "duties", "started_on"),
    ), "/grid-workers", registry=True))


# --- 组织 -------------------------------------------------------------------------------------------

def _orgs() -> None:
    from linli.orgs import selectors as s
    from linli.orgs.models import PartnerUnit, PartyOrg, Position, PropertyCompany, PropertyService, SelfOrg

    register(Spec("party_orgs", "党组织", s.partyorg_list_visible_to,
                  fields(PartyOrg, "name", "level", "parent__name", "community__name", "formation",
                         "property_company__name", "founded_on"), "/party-orgs", registry=True))
    register(Spec("self_orgs", "自治组织", s.selforg_list_visible_to,
                  fields(SelfOrg, "kind", "compound__name", "name", "elected_on", "term_start", "term_end"),
                  "/self-orgs", registry=True, choice_labels={"kind": dict(SelfOrg.Kind.choices)}))
    register(Spec("property_companies", "物业服务企业", s.propertycompany_list_visible_to,
                  fields(PropertyCompany, "name", "credit_code", "party_org__name", "has_party_org"),
                  "/property-companies", registry=True))
    register(Spec("property_services", "物业服务", s.propertyservice_list_visible_to,
                  fields(PropertyService, "compound__name", "mode", "company__name", "provider_name", "start", "end",
                         "fee_rate", "collection_rate"), "/property-services", registry=True))
    register(Spec("partners", "共建单位", s.partner_list_visible_to,
                  fields(PartnerUnit, "name", "kind", "community__name", "offer", "agreement_on"),
                  "/partners", registry=True, choice_labels={"kind": dict(PartnerUnit.Kind.choices)}))
    register(Spec("positions", "任职", s.position_list_visible_to,
                  fields(Position, "resident__name", "party_org__name", "self_org__name", "property_company__name",
                         "partner__name", "role", "start", "end"), "/positions", registry=True))


# --- 事 ----------------------------------------------------------------------------------------------

def _cases() -> None:
    from linli.cases import selectors as s
    from linli.cases.models import Case, Level, Status, Tier

    def staff_cases(*, actor, filters):
        if not scope_for(actor).is_staff_scope:
            raise Forbidden("工作台仅供工作人员使用，不能导出。")
        return s.case_list_visible_to(actor=actor, filters=filters)

    register(Spec("cases", "诉求事件", staff_cases, (
        computed("编号", lambda c: c.pk),
        *fields(Case, "category__name", "tier", "channel", "status", "level", "compound__name", "address",
                "description", "requested_at", "due_at", "solved_at", "closed_at", "assignee__username",
                "handling_body", "supervised", "rating"),
        secret("联系人", lambda c: c.contact_name, lambda c: (c.contact_name or "")[:1] + "**" if c.contact_name else ""),
        secret("联系电话", lambda c: c.contact_phone, lambda c: _phone_masked(c.contact_phone)),
    ), "/cases", choice_labels={"status": {"open": "未办结", **dict(Status.choices)}, "level": dict(Level.choices),
                                "tier": dict(Tier.choices)}))


# --- 积分 ---------------------------------------------------------------------------------------------

def _points() -> None:
    from linli.points import selectors as s
    from linli.points.models import Award, Goods, PointRule, Redemption, RedemptionWindow

    register(Spec("point_rules", "积分规则", s.rule_list_visible_to,
                  fields(PointRule, *[f.name for f in PointRule._meta.concrete_fields
                                      if f.name != "id" and not f.is_relation], "community__name"), "/points/rules"))
    register(Spec("awards", "积分记录", s.award_list_visible_to,
                  fields(Award, "created_at", "rule__name", "resident__name", "household__number", "quantity", "points",
                         "status", "evidence", "decided_at", "decision_note"), "/points/awards",
                  choice_labels={"status": dict(Award.Status.choices)}))
    register(Spec("goods", "积分超市商品", s.goods_list_visible_to,
                  fields(Goods, "community__name", "name", "kind", "price", "stock", "limit_per_person", "active"),
                  "/points/goods"))
    register(Spec("windows", "兑换期", s.window_list_visible_to,
                  fields(RedemptionWindow, "community__name", *[f.name for f in RedemptionWindow._meta.concrete_fields
                                                                 if f.name != "id" and not f.is_relation]),
                  "/points/windows"))
    register(Spec("redemptions", "积分兑换", s.redemption_list_visible_to,
                  fields(Redemption, "created_at", "goods__name", "resident__name", "quantity", "points", "status",
                         "closed_at", "cancel_reason"), "/points/redemptions",
                  choice_labels={"status": dict(Redemption.Status.choices)}))


# --- 议事 ---------------------------------------------------------------------------------------------

def _council() -> None:
    from linli.council import selectors as s
    from linli.council.models import Ballot, Meeting, Notice, Proposal

    register(Spec("proposals", "议事提案", s.proposal_list_visible_to,
                  fields(Proposal, "created_at", "compound__name", "title", "status", "source", "organisation",
                         "urgent", "body"), "/proposals", choice_labels={"status": dict(Proposal.Status.choices)}))
    register(Spec("meetings", "会议", s.meeting_list_visible_to,
                  fields(Meeting, "starts_at", "title", "kind", "community__name", "compound__name", "location"),
                  "/meetings"))
    register(Spec("ballots", "表决", s.ballot_list_visible_to,
                  fields(Ballot, "compound__name", "title", "rule", "matter", "status", "opened_at", "closes_at",
                         "closed_at", "passed", "result"), "/ballots",
                  choice_labels={"status": dict(Ballot.Status.choices)}))
    register(Spec("notices", "公示", s.notice_list_visible_to,
                  fields(Notice, "compound__name", "title", "starts_on", "ends_on", "published_at", "executed_on")))


# --- 物业 ---------------------------------------------------------------------------------------------

def _property() -> None:
    from linli.property import selectors as s
    from linli.property.models import CommonResource, TrustAccount

    register(Spec("trust_accounts", "共管账户", s.account_list_visible_to,
                  fields(TrustAccount, "compound__name", "name", "bank_account", "company__name", "opened_on", "balance",
                         "closed_through"), "/property/accounts"))
    register(Spec("resources", "公共资源", s.resource_list_visible_to,
                  (*fields(CommonResource, "compound__name", "kind", "name", "size", "note"),
                   computed("累计收入(元)", lambda r: getattr(r, "revenue", None))), "/property/resources",
                  choice_labels={"kind": dict(CommonResource.Kind.choices)}))
