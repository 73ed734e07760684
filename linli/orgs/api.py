"""The organisation API (/api/v1/…, tag 组织): thin handlers over selectors, access and services.

Out of sight → 404, read-only actor writing → 403, model validation → 400 with
`{"code": "invalid", "detail": …, "errors": {field: [messages]}}` where the field names are the API's (`community_id`).
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from ninja import Query, Router

from linli.core.api import ErrorOut, error
from linli.core.errors import INVALID as INVALID_CODE
from linli.core.pagination import paginated
from linli.orgs import access, selectors, services
from linli.orgs.schemas import (
    PartnerFilters,
    PartnerIn,
    PartnerOut,
    PartnerPatch,
    PartyOrgFilters,
    PartyOrgIn,
    PartyOrgOut,
    PartyOrgPatch,
    PositionFilters,
    PositionIn,
    PositionOut,
    PositionPatch,
    PropertyCompanyFilters,
    PropertyCompanyIn,
    PropertyCompanyOut,
    PropertyCompanyPatch,
    PropertyServiceFilters,
    PropertyServiceIn,
    PropertyServiceOut,
    PropertyServicePatch,
    SelfOrgFilters,
    SelfOrgIn,
    SelfOrgOut,
    SelfOrgPatch,
)

router = Router(tags=["组织"])

PAGE_SIZE = 50
INVALID = "数据校验未通过"
READ = {403: ErrorOut, 404: ErrorOut}
WRITE = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _data(payload, *, unset: bool = False) -> dict:
    """API field names → service field names (`community_id` → `community`, `compound_ids` → `compounds`)."""
    raw = payload.dict(exclude_unset=unset)
    data = {}
    for name, value in raw.items():
        if name == "compound_ids":
            data["compounds"] = value
        elif name.endswith("_id"):
            data[name[:-3]] = value
        else:
            data[name] = value
    return data


def _api_name(name: str, payload_fields) -> str:
    if name == NON_FIELD_ERRORS:
        return NON_FIELD_ERRORS
    if name == "compounds":
        return "compound_ids"
    if name.startswith("service_"):
        inner = name.removeprefix("service_")
        return f"service.{inner}_id" if inner in ("compound", "company") else f"service.{inner}"
    return f"{name}_id" if f"{name}_id" in payload_fields else name


def _write(call, payload_schema, status: int = 200):
    """Run a service call; a ValidationError becomes a 400 with the errors under the API's field names."""
    try:
        return status, call()
    except ValidationError as exc:
        raw = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        fields = payload_schema.model_fields
        return 400, error(INVALID_CODE, INVALID, errors={_api_name(k, fields): v for k, v in raw.items()})


def _filters(filters) -> dict:
    return filters.dict(exclude_none=True)


def _visible_compounds(actor) -> Prefetch:
    """An org's covered compounds as the actor may know them: ids outside their sight are not shown.

    One query per page (or per org on detail/write), whatever the number of orgs; updates keep the
    unseen ones (see services.partyorg_update).
    """
    in_sight = selectors.compounds_visible_to(actor).select_related(None).order_by().only("pk")
    return Prefetch("compounds", queryset=in_sight, to_attr="visible_compounds")


def _with_compounds(queryset, actor):
    return queryset.prefetch_related(_visible_compounds(actor))


def _partyorg_out(actor, org):
    prefetch_related_objects([org], _visible_compounds(actor))
    return org


# --- Party organisations ------------------------------------------------------------------------

@router.get("/party-orgs", response=list[PartyOrgOut], summary="党组织列表")
@paginated(PAGE_SIZE)
def partyorg_list(request, filters: Query[PartyOrgFilters]):
    return _with_compounds(selectors.partyorg_list_visible_to(actor=request.auth, filters=_filters(filters)),
                           request.auth)


@router.post("/party-orgs", response={201: PartyOrgOut, **WRITE}, summary="新增党组织")
def partyorg_create(request, payload: PartyOrgIn):
    return _write(lambda: _partyorg_out(request.auth, services.partyorg_create(actor=request.auth,
                                                                              data=_data(payload))),
                  PartyOrgIn, 201)


@router.get("/party-orgs/{org_id}", response={200: PartyOrgOut, **READ}, summary="党组织详情")
def partyorg_detail(request, org_id: int):
    return _partyorg_out(request.auth, access.partyorg_get(request.auth, org_id))


@router.patch("/party-orgs/{org_id}", response={200: PartyOrgOut, **WRITE}, summary="修改党组织（层级不可改）")
def partyorg_update(request, org_id: int, payload: PartyOrgPatch):
    org = access.partyorg_get(request.auth, org_id, write=True)
    return _write(lambda: _partyorg_out(request.auth, services.partyorg_update(
        actor=request.auth, org=org, data=_data(payload, unset=True))), PartyOrgPatch)


# --- self-organisations -------------------------------------------------------------------------

@router.get("/self-orgs", response=list[SelfOrgOut], summary="自治组织列表")
@paginated(PAGE_SIZE)
def selforg_list(request, filters: Query[SelfOrgFilters]):
    return selectors.selforg_list_visible_to(actor=request.auth, filters=_filters(filters))


@router.post("/self-orgs", response={201: SelfOrgOut, **WRITE}, summary="新增自治组织")
def selforg_create(request, payload: SelfOrgIn):
    return _write(lambda: services.selforg_create(actor=request.auth, data=_data(payload)), SelfOrgIn, 201)


@router.get("/self-orgs/{selforg_id}", response={200: SelfOrgOut, **READ}, summary="自治组织详情")
def selforg_detail(request, selforg_id: int):
    return access.selforg_get(request.auth, selforg_id)


@router.patch("/self-orgs/{selforg_id}", response={200: SelfOrgOut, **WRITE}, summary="修改自治组织（含结束任期）")
def selforg_update(request, selforg_id: int, payload: SelfOrgPatch):
    selforg = access.selforg_get(request.auth, selforg_id, write=True)
    return _write(lambda: services.selforg_update(actor=request.auth, selforg=selforg,
                                                  data=_data(payload, unset=True)), SelfOrgPatch)


# --- property companies -------------------------------------------------------------------------

@router.get("/property-companies", response=list[PropertyCompanyOut], summary="物业服务企业列表")
@paginated(PAGE_SIZE)
def propertycompany_list(request, filters: Query[PropertyCompanyFilters]):
    return selectors.propertycompany_list_visible_to(actor=request.auth, filters=_filters(filters))


@router.post("/property-companies", response={201: PropertyCompanyOut, **WRITE},
             summary="新增物业服务企业（连同首个服务小区）")
def propertycompany_create(request, payload: PropertyCompanyIn):
    data = _data(payload)
    service = data.pop("service", None)
    if service is not None:
        service = {("compound" if k == "compound_id" else k): v for k, v in service.items()}
    return _write(lambda: services.propertycompany_create(actor=request.auth, data=data, service=service),
                  PropertyCompanyIn, 201)


@router.get("/property-companies/{company_id}", response={200: PropertyCompanyOut, **READ}, summary="物业服务企业详情")
def propertycompany_detail(request, company_id: int):
    return access.propertycompany_get(request.auth, company_id)


@router.patch("/property-companies/{company_id}", response={200: PropertyCompanyOut, **WRITE},
              summary="修改物业服务企业")
def propertycompany_update(request, company_id: int, payload: PropertyCompanyPatch):
    company = access.propertycompany_get(request.auth, company_id, write=True)
    return _write(lambda: services.propertycompany_update(actor=request.auth, company=company,
                                                          data=_data(payload, unset=True)), PropertyCompanyPatch)


# --- property services --------------------------------------------------------------------------

@router.get("/property-services", response=list[PropertyServiceOut], summary="物业服务记录列表")
@paginated(PAGE_SIZE)
def propertyservice_list(request, filters: Query[PropertyServiceFilters]):
    return selectors.propertyservice_list_visible_to(actor=request.auth, filters=_filters(filters))


@router.post("/property-services", response={201: PropertyServiceOut, **WRITE}, summary="登记物业服务")
def propertyservice_create(request, payload: PropertyServiceIn):
    return _write(lambda: services.propertyservice_create(actor=request.auth, data=_data(payload)),
                  PropertyServiceIn, 201)


@router.get("/property-services/{service_id}", response={200: PropertyServiceOut, **READ}, summary="物业服务记录详情")
def propertyservice_detail(request, service_id: int):
    return access.propertyservice_get(request.auth, service_id)


@router.patch("/property-services/{service_id}", response={200: PropertyServiceOut, **WRITE},
              summary="修改物业服务记录（含结束服务）")
def propertyservice_update(request, service_id: int, payload: PropertyServicePatch):
    service = access.propertyservice_get(request.auth, service_id, write=True)
    return _write(lambda: services.propertyservice_update(actor=request.auth, service=service,
                                                          data=_data(payload, unset=True)), PropertyServicePatch)


# --- partners ----------------------------------------------------------------------------------

@router.get("/partners", response=list[PartnerOut], summary="共建单位/合伙人列表")
@paginated(PAGE_SIZE)
def partner_list(request, filters: Query[PartnerFilters]):
    return selectors.partner_list_visible_to(actor=request.auth, filters=_filters(filters))


@router.post("/partners", response={201: PartnerOut, **WRITE}, summary="新增共建单位/合伙人")
def partner_create(request, payload: PartnerIn):
    return _write(lambda: services.partner_create(actor=request.auth, data=_data(payload)), PartnerIn, 201)


@router.get("/partners/{partner_id}", response={200: PartnerOut, **READ}, summary="共建单位/合伙人详情")
def partner_detail(request, partner_id: int):
    return access.partner_get(request.auth, partner_id)


@router.patch("/partners/{partner_id}", response={200: PartnerOut, **WRITE}, summary="修改共建单位/合伙人")
def partner_update(request, partner_id: int, payload: PartnerPatch):
    partner = access.partner_get(request.auth, partner_id, write=True)
    return _write(lambda: services.partner_update(actor=request.auth, partner=partner,
                                                  data=_data(payload, unset=True)), PartnerPatch)


# --- positions ----------------------------------------------------------------------------------

@router.get("/positions", response=list[PositionOut], summary="任职列表（交叉任职即同一人员的多条任职）")
@paginated(PAGE_SIZE)
def position_list(request, filters: Query[PositionFilters]):
    return selectors.position_list_visible_to(actor=request.auth, filters=_filters(filters))


@router.post("/positions", response={201: PositionOut, **WRITE}, summary="新增任职（须且只能对应一个组织）")
def position_create(request, payload: PositionIn):
    return _write(lambda: services.position_create(actor=request.auth, data=_data(payload)), PositionIn, 201)


@router.get("/positions/{position_id}", response={200: PositionOut, **READ}, summary="任职详情")
def position_detail(request, position_id: int):
    return access.position_get(request.auth, position_id)


@router.patch("/positions/{position_id}", response={200: PositionOut, **WRITE}, summary="修改任职（含结束任职）")
def position_update(request, position_id: int, payload: PositionPatch):
    position = access.position_get(request.auth, position_id, write=True)
    return _write(lambda: services.position_update(actor=request.auth, position=position,
                                                   data=_data(payload, unset=True)), PositionPatch)

