"""API shapes for the people registry. ID numbers and phones only ever leave masked here."""

import datetime as dt

from ninja import Schema

from linli.core.ids import Id


class ResidentOut(Schema):
    id: int
    name: str
    id_number_masked: str
    phone_masked: str
    gender: str
    gender_name: str
    age: int | None
    is_elderly: bool
    household_id: int
    relation: str
    status: str
    is_owner: bool
    is_party_member: bool
    care_tags: list[str]
    compound_id: int
    compound_name: str
    community_code: str

    @staticmethod
    def resolve_gender_name(obj):
        return obj.get_gender_display() if obj.gender else ""

    @staticmethod
    def resolve_is_party_member(obj):
        return hasattr(obj, "party_member")

    @staticmethod
    def resolve_care_tags(obj):
        return [t.code for t in obj.care_tags.all()]

    @staticmethod
    def resolve_compound_id(obj):
        return obj.household.dwelling.entrance.building.compound_id

    @staticmethod
    def resolve_compound_name(obj):
        return obj.household.dwelling.entrance.building.compound.name

    @staticmethod
    def resolve_community_code(obj):
        return obj.household.dwelling.entrance.building.compound.community.code


class ResidentDetailOut(ResidentOut):
    email: str
    dwelling: str

    @staticmethod
    def resolve_dwelling(obj):
        return str(obj.household.dwelling)


class ResidentIn(Schema):
    name: str
    household: Id | None = None
    dwelling: Id | None = None
    household_number: str = ""
    id_number: str = ""
    phone: str = ""
    email: str = ""
    relation: str = "head"
    status: str = "registered"
    is_owner: bool = False
    care_tags: list[str] = []
    sensitive_tags: list[str] | None = None


class ResidentPatch(Schema):
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    email: str | None = None
    relation: str | None = None
    status: str | None = None
    is_owner: bool | None = None
    household: Id | None = None
    care_tags: list[str] | None = None
    sensitive_tags: list[str] | None = None


class TagOut(Schema):
    code: str
    name: str


class ResidentUnmaskOut(Schema):
    id: int
    id_number: str
    phone: str
    sensitive_tags: list[TagOut]


class HouseholdOut(Schema):
    id: int
    number: str
    dwelling_id: int
    dwelling: str
    compound_id: int
    compound_name: str
    member_count: int
    elderly_count: int
    party_member_count: int
    owner_count: int
    members: list[ResidentOut]


class HouseholdListOut(Schema):
    id: int
    number: str
    dwelling_id: int
    dwelling: str
    compound_id: int
    compound_name: str
    head_name: str | None
    member_count: int
    elderly_count: int
    party_member_count: int

    @staticmethod
    def resolve_dwelling(obj):
        return str(obj.dwelling)

    @staticmethod
    def resolve_compound_id(obj):
        return obj.dwelling.entrance.building.compound_id

    @staticmethod
    def resolve_compound_name(obj):
        return obj.dwelling.entrance.building.compound.name


class PartyMemberOut(Schema):
    id: int
    resident_id: int
    name: str
    phone_masked: str
    category: str
    home_branch_id: int | None
    joined_on: dt.date | None
    employer: str
    dual_registered_community_id: int | None
    dual_registered_on: dt.date | None
    lost_contact: bool
    search_record: str
    cared_households: list[int]

    @staticmethod
    def resolve_name(obj):
        return obj.resident.name

    @staticmethod
    def resolve_phone_masked(obj):
        return obj.resident.phone_masked

    @staticmethod
    def resolve_cared_households(obj):
        return [h.pk for h in obj.cared_households.all()]


class PartyMemberIn(Schema):
    resident: Id
    category: str
    home_branch: Id | None = None
    joined_on: dt.date | None = None
    employer: str = ""
    dual_registered_community: Id | None = None
    dual_registered_on: dt.date | None = None
    lost_contact: bool = False
    search_record: str = ""
    cared_households: list[Id] = []


class PartyMemberPatch(Schema):
    category: str | None = None
    home_branch: Id | None = None
    joined_on: dt.date | None = None
    employer: str | None = None
    dual_registered_community: Id | None = None
    dual_registered_on: dt.date | None = None
    lost_contact: bool | None = None
    search_record: str | None = None
    cared_households: list[Id] | None = None


class GridWorkerOut(Schema):
    id: int
    name: str
    phone_masked: str
    kind: str
    duties: str
    grids: list[int]
    started_on: dt.date | None

    @staticmethod
    def resolve_grids(obj):
        return [g.pk for g in obj.grids.all()]


class GridWorkerIn(Schema):
    name: str
    phone: str = ""
    kind: str = "full_time"
    duties: str = ""
    grids: list[Id]
    started_on: dt.date | None = None


class GridWorkerPatch(Schema):
    name: str | None = None
    phone: str | None = None
    kind: str | None = None
    duties: str | None = None
    grids: list[Id] | None = None
    started_on: dt.date | None = None
