"""In/out schemas of the organisation API. References travel as `<name>_id`."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from linli.core import clock
from linli.core.ids import Id


def _current(start, end) -> bool:
    today = clock.today()
    return start <= today and (end is None or end >= today)


# --- Party organisations ------------------------------------------------------------------------

class PartyOrgOut(Schema):
    id: int
    name: str
    level: str
    level_name: str = Field(alias="get_level_display")
    parent_id: int | None
    community_id: int
    community_name: str = Field(alias="community.name")
    formation: str
    property_company_id: int | None
    founded_on: dt.date | None
    compound_ids: list[int]

    @staticmethod
    def resolve_compound_ids(obj) -> list[int]:
        # Set by the API from the caller's sight: an org may cover compounds the caller must not learn of.
        return sorted(c.pk for c in obj.visible_compounds)


class PartyOrgFilters(Schema):
    q: str | None = None
    level: str | None = None
    formation: str | None = None
    community: str | None = Field(None, description="社区区划代码或其前缀（如街道的 9 位前缀）")
    compound: Id | None = Field(None, description="覆盖的小区 id")
    parent: Id | None = None


class PartyOrgIn(Schema):
    name: str
    level: str
    community_id: Id
    parent_id: Id | None = None
    formation: str = ""
    compound_ids: list[Id] = []
    property_company_id: Id | None = None
    founded_on: dt.date | None = None


class PartyOrgPatch(Schema):
    name: str | None = None
    community_id: Id | None = None
    parent_id: Id | None = None
    formation: str | None = None
    compound_ids: list[Id] | None = None
    property_company_id: Id | None = None
    founded_on: dt.date | None = None


# --- self-organisations -------------------------------------------------------------------------

class SelfOrgOut(Schema):
    id: int
    kind: str
    kind_name: str = Field(alias="get_kind_display")
    compound_id: int
    compound_name: str = Field(alias="compound.name")
    name: str
    elected_on: dt.date | None
    term_start: dt.date
    term_end: dt.date | None
    active: bool = Field(alias="is_active")


class SelfOrgFilters(Schema):
    q: str | None = None
    kind: str | None = None
    compound: Id | None = None
    community: str | None = Field(None, description="社区区划代码或其前缀")
    active: bool | None = Field(None, description="今天是否在任期内")


class SelfOrgIn(Schema):
    kind: str
    compound_id: Id
    name: str
    elected_on: dt.date | None = None
    term_start: dt.date
    term_end: dt.date | None = None


class SelfOrgPatch(Schema):
    kind: str | None = None
    compound_id: Id | None = None
    name: str | None = None
    elected_on: dt.date | None = None
    term_start: dt.date | None = None
    term_end: dt.date | None = None


# --- property companies and services ------------------------------------------------------------

class PropertyCompanyOut(Schema):
    id: int
    name: str
    credit_code: str
    party_org_id: int | None
    has_party_org: bool
    with_party_org: bool


class PropertyCompanyFilters(Schema):
    q: str | None = None
    party: bool | None = Field(None, description="true：已建党组织；false：未建")
    compound: Id | None = Field(None, description="服务过的小区 id")


class FirstServiceIn(Schema):
    compound_id: Id
    mode: str
    start: dt.date
    end: dt.date | None = None
    fee_rate: Decimal | None = None
    collection_rate: Decimal | None = None


class PropertyCompanyIn(Schema):
    name: str
    credit_code: str = ""
    party_org_id: Id | None = None
    has_party_org: bool = False
    service: FirstServiceIn | None = Field(None, description="首个服务小区；除系统管理员外必填，否则创建后无法查看")


class PropertyCompanyPatch(Schema):
    name: str | None = None
    credit_code: str | None = None
    party_org_id: Id | None = None
    has_party_org: bool | None = None


class PropertyServiceOut(Schema):
    id: int
    compound_id: int
    compound_name: str = Field(alias="compound.name")
    mode: str
    mode_name: str = Field(alias="get_mode_display")
    company_id: int | None
    provider_name: str
    start: dt.date
    end: dt.date | None
    fee_rate: Decimal | None
    collection_rate: Decimal | None
    current: bool

    @staticmethod
    def resolve_current(obj) -> bool:
        return _current(obj.start, obj.end)


class PropertyServiceFilters(Schema):
    compound: Id | None = None
    company: Id | None = None
    mode: str | None = None
    current: bool | None = Field(None, description="今天是否在服务期内")


class PropertyServiceIn(Schema):
    compound_id: Id
    mode: str
    company_id: Id | None = None
    provider_name: str = ""
    start: dt.date
    end: dt.date | None = None
    fee_rate: Decimal | None = None
    collection_rate: Decimal | None = None


class PropertyServicePatch(Schema):
    compound_id: Id | None = None
    mode: str | None = None
    company_id: Id | None = None
    provider_name: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    fee_rate: Decimal | None = None
    collection_rate: Decimal | None = None


# --- partners ----------------------------------------------------------------------------------

class PartnerOut(Schema):
    id: int
    name: str
    kind: str
    kind_name: str = Field(alias="get_kind_display")
    community_id: int
    community_name: str = Field(alias="community.name")
    offer: str
    agreement_on: dt.date | None


class PartnerFilters(Schema):
    q: str | None = None
    kind: str | None = None
    community: str | None = Field(None, description="社区 id，或 6 位以上的区划代码（前缀）")


class PartnerIn(Schema):
    name: str
    kind: str
    community_id: Id
    offer: str = ""
    agreement_on: dt.date | None = None


class PartnerPatch(Schema):
    name: str | None = None
    kind: str | None = None
    community_id: Id | None = None
    offer: str | None = None
    agreement_on: dt.date | None = None


# --- positions ----------------------------------------------------------------------------------

class PositionOut(Schema):
    id: int
    resident_id: int
    resident_name: str = Field(alias="resident.name")
    party_org_id: int | None
    self_org_id: int | None
    property_company_id: int | None
    partner_id: int | None
    organisation_name: str
    role: str
    start: dt.date
    end: dt.date | None
    current: bool

    @staticmethod
    def resolve_organisation_name(obj) -> str:
        return str(obj.organisation)

    @staticmethod
    def resolve_current(obj) -> bool:
        return _current(obj.start, obj.end)


class PositionFilters(Schema):
    party_org: Id | None = None
    self_org: Id | None = None
    property_company: Id | None = None
    partner: Id | None = None
    resident: Id | None = None
    current: bool | None = Field(None, description="今天是否在任")


class PositionIn(Schema):
    resident_id: Id
    party_org_id: Id | None = None
    self_org_id: Id | None = None
    property_company_id: Id | None = None
    partner_id: Id | None = None
    role: str
    start: dt.date
    end: dt.date | None = None


class PositionPatch(Schema):
    role: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
