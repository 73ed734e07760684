"""Every write to the organisation registry: checked against the actor's role and sight, validated, audited.

Services take plain data (field name → value; a reference may be a model instance or its id) and
re-read every referenced row through the actor's jurisdiction, so an id from a form or an API client
is never trusted. Validation problems come back as `ValidationError` with a field → messages dict:
pages show them next to the fields, the API answers 400.

A write must also leave the record inside the actor's sight: otherwise the actor would create
something they can never open again (e.g. a branch secretary registering a group that covers no
compound of theirs), so such a write is refused with a field error and rolled back.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction

from linli.core import audit, clock
from linli.core import services as core_services
from linli.core.access import require
from linli.core.services import OUT_OF_SIGHT
from linli.orgs import selectors
from linli.orgs.access import PAST_ONLY, may_write, require_editor
from linli.orgs.models import PartnerUnit, PartyOrg, Position, PropertyCompany, PropertyService, SelfOrg

LOST_FROM_SIGHT = "保存后该记录将不在您的辖区内，请选择您辖区内的{label}。"

PARTYORG_CREATE_FIELDS = ("name", "level", "parent", "community", "formation", "property_company", "founded_on")
# The level is fixed once created: changing it would silently break the tree below the organisation.
PARTYORG_UPDATE_FIELDS = ("name", "parent", "community", "formation", "property_company", "founded_on")
SELFORG_FIELDS = ("kind", "compound", "name", "elected_on", "term_start", "term_end")
COMPANY_FIELDS = ("name", "credit_code", "party_org", "has_party_org")
SERVICE_FIELDS = ("compound", "mode", "company", "provider_name", "start", "end", "fee_rate", "collection_rate")
PARTNER_FIELDS = ("name", "kind", "community", "offer", "agreement_on")
POSITION_CREATE_FIELDS = ("resident", "party_org", "self_org", "property_company", "partner", "role", "start", "end")
POSITION_UPDATE_FIELDS = ("role", "start", "end")
POSITION_ORGS = ("party_org", "self_org", "property_company", "partner")


def _sources(actor) -> dict:
    """For each reference an input may carry: the rows this actor may point it at."""
    return {
        "community": lambda: selectors.communities_visible_to(actor),
        "partner_community": lambda: selectors.communities_visible_to(actor, via_compounds=False),
        "compound": lambda: selectors.compounds_visible_to(actor),
        "parent": lambda: selectors.partyorgs_visible_to(actor),
        "party_org": lambda: selectors.partyorgs_visible_to(actor),
        "property_company": lambda: selectors.propertycompanies_visible_to(actor),
        "company": lambda: selectors.propertycompanies_visible_to(actor),
        "writable_company": lambda: selectors.propertycompanies_writable_by(actor),
        "self_org": lambda: selectors.selforgs_visible_to(actor),
        "partner": lambda: selectors.partners_visible_to(actor),
        "resident": lambda: selectors.residents_visible_to(actor),
    }


def _clean(actor, model, data: dict, allowed: tuple, *, source_names: dict | None = None, instance=None) -> dict:
    """Allowed fields, with every reference re-read among the rows this actor may point it at."""
    sources = _sources(actor)
    return core_services.resolve_references(
        model, data, allowed, current=instance,
        source=lambda name, field: sources[(source_names or {}).get(name, name)]())


def _compounds(actor, values) -> list:
    """Compounds given as instances or ids, each of which must be in the actor's sight."""
    ids = []
    for value in values or ():
        pk = value.pk if isinstance(value, models.Model) else value
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            raise ValidationError({"compounds": ["覆盖小区参数有误。"]}) from None
    found = list(selectors.compounds_visible_to(actor).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"compounds": [OUT_OF_SIGHT.format(label="覆盖小区")]})
    return found


def _keep_in_sight(actor, queryset, instance, field: str, label: str) -> None:
    if not queryset.filter(pk=instance.pk).exists():
        raise ValidationError({field: [LOST_FROM_SIGHT.format(label=label)]})


# --- Party organisations ------------------------------------------------------------------------

def _check_partyorg(parent, community, compounds: list) -> None:
    errors = {}
    if parent is not None and community is not None and parent.community_id != community.pk:
        errors["parent"] = ["上级组织须在同一社区。"]
    if community is not None and any(c.community_id != community.pk for c in compounds):
        errors["compounds"] = ["覆盖小区须属于所选社区。"]
    if errors:
        raise ValidationError(errors)


def _set_compounds(actor, org: PartyOrg, compounds: list) -> None:
    before = sorted(org.compounds.values_list("pk", flat=True))
    org.compounds.set(compounds)
    after = sorted(c.pk for c in compounds)
    if before != after:
        audit.record(actor=actor, action="update", obj=org, changes={"compounds": [before, after]})


@transaction.atomic
def partyorg_create(*, actor, data: dict) -> PartyOrg:
    require_editor(actor)
    cleaned = _clean(actor, PartyOrg, data, PARTYORG_CREATE_FIELDS)
    compounds = _compounds(actor, data.get("compounds"))
    _check_partyorg(cleaned.get("parent"), cleaned.get("community"), compounds)
    org = core_services.create(actor=actor, model=PartyOrg, data=cleaned)
    _set_compounds(actor, org, compounds)
    _keep_in_sight(actor, selectors.partyorgs_visible_to(actor), org, "compounds", "覆盖小区")
    return org


@transaction.atomic
def partyorg_update(*, actor, org: PartyOrg, data: dict) -> PartyOrg:
    require_editor(actor)
    cleaned = _clean(actor, PartyOrg, data, PARTYORG_UPDATE_FIELDS, instance=org)
    if "compounds" in data:
        chosen = _compounds(actor, data.get("compounds"))
        # Compounds the actor cannot see were not offered to them, so they stay as they were.
        in_sight = selectors.compounds_visible_to(actor).values("pk")
        kept = list(org.compounds.exclude(pk__in=in_sight))
        compounds = chosen + kept
    else:
        compounds = list(org.compounds.all())
    _check_partyorg(cleaned.get("parent", org.parent), cleaned.get("community", org.community), compounds)
    org = core_services.update(actor=actor, instance=org, data=cleaned)
    _set_compounds(actor, org, compounds)
    _keep_in_sight(actor, selectors.partyorgs_visible_to(actor), org, "compounds", "覆盖小区")
    return org


# --- self-organisations -------------------------------------------------------------------------

@transaction.atomic
def selforg_create(*, actor, data: dict) -> SelfOrg:
    require_editor(actor)
    cleaned = _clean(actor, SelfOrg, data, SELFORG_FIELDS)
    return core_services.create(actor=actor, model=SelfOrg, data=cleaned)


@transaction.atomic
def selforg_update(*, actor, selforg: SelfOrg, data: dict) -> SelfOrg:
    require_editor(actor)
    cleaned = _clean(actor, SelfOrg, data, SELFORG_FIELDS, instance=selforg)
    return core_services.update(actor=actor, instance=selforg, data=cleaned)


@transaction.atomic
def selforg_end(*, actor, selforg: SelfOrg, on=None) -> SelfOrg:
    """Close the term (today unless a date is given)."""
    require_editor(actor)
    return core_services.update(actor=actor, instance=selforg, data={"term_end": on or clock.today()}, action="end")


# --- property companies and services ------------------------------------------------------------

@transaction.atomic
def propertycompany_create(*, actor, data: dict, service: dict | None = None) -> PropertyCompany:
    """Register a company, normally together with the first compound it serves.

    A company is in a community's sight through the compounds it serves, so without a first service
    only an actor who sees everything could find it again.
    """
    require_editor(actor)
    cleaned = _clean(actor, PropertyCompany, data, COMPANY_FIELDS)
    company = core_services.create(actor=actor, model=PropertyCompany, data=cleaned)
    if service:
        try:
            propertyservice_create(actor=actor, data=service, company=company)
        except ValidationError as exc:
            errors = getattr(exc, "error_dict", None) and exc.message_dict or {"__all__": exc.messages}
            raise ValidationError({("service" if name == "__all__" else f"service_{name}"): messages
                                   for name, messages in errors.items()}) from None
    _keep_in_sight(actor, selectors.propertycompanies_visible_to(actor), company, "service", "服务小区")
    return company


@transaction.atomic
def propertycompany_update(*, actor, company: PropertyCompany, data: dict) -> PropertyCompany:
    require_editor(actor)
    require(may_write(actor, company), PAST_ONLY)
    cleaned = _clean(actor, PropertyCompany, data, COMPANY_FIELDS, instance=company)
    return core_services.update(actor=actor, instance=company, data=cleaned)


@transaction.atomic
def propertyservice_create(*, actor, data: dict, company: PropertyCompany | None = None) -> PropertyService:
    """A compound's property service for a period; `company` is passed when it was just created."""
    require_editor(actor)
    cleaned = _clean(actor, PropertyService, data, SERVICE_FIELDS)
    if company is not None:
        cleaned["company"] = company
    return core_services.create(actor=actor, model=PropertyService, data=cleaned)


@transaction.atomic
def propertyservice_update(*, actor, service: PropertyService, data: dict) -> PropertyService:
    require_editor(actor)
    cleaned = _clean(actor, PropertyService, data, SERVICE_FIELDS, instance=service)
    return core_services.update(actor=actor, instance=service, data=cleaned)


@transaction.atomic
def propertyservice_end(*, actor, service: PropertyService, on=None) -> PropertyService:
    require_editor(actor)
    return core_services.update(actor=actor, instance=service, data={"end": on or clock.today()}, action="end")


# --- partners ----------------------------------------------------------------------------------

@transaction.atomic
def partner_create(*, actor, data: dict) -> PartnerUnit:
    require_editor(actor)
    cleaned = _clean(actor, PartnerUnit, data, PARTNER_FIELDS, source_names={"community": "partner_community"})
    return core_services.create(actor=actor, model=PartnerUnit, data=cleaned)


@transaction.atomic
def partner_update(*, actor, partner: PartnerUnit, data: dict) -> PartnerUnit:
    require_editor(actor)
    cleaned = _clean(actor, PartnerUnit, data, PARTNER_FIELDS, source_names={"community": "partner_community"},
                     instance=partner)
    return core_services.update(actor=actor, instance=partner, data=cleaned)


# --- positions ----------------------------------------------------------------------------------

@transaction.atomic
def position_create(*, actor, data: dict) -> Position:
    require_editor(actor)
    given = [name for name in POSITION_ORGS if data.get(name) not in (None, "")]
    if len(given) != 1:
        raise ValidationError({"__all__": ["任职必须且只能对应一个组织。"]})
    if data.get("resident") in (None, ""):
        raise ValidationError({"resident": ["请选择人员。"]})
    # Naming a company is reading it, but a position in it changes it: that needs a service today.
    cleaned = _clean(actor, Position, data, POSITION_CREATE_FIELDS,
                     source_names={"property_company": "writable_company"})
    return core_services.create(actor=actor, model=Position, data=cleaned)


@transaction.atomic
def position_update(*, actor, position: Position, data: dict) -> Position:
    require_editor(actor)
    require(may_write(actor, position), PAST_ONLY)
    cleaned = _clean(actor, Position, data, POSITION_UPDATE_FIELDS, instance=position)
    return core_services.update(actor=actor, instance=position, data=cleaned)


@transaction.atomic
def position_end(*, actor, position: Position, on=None) -> Position:
    require_editor(actor)
    require(may_write(actor, position), PAST_ONLY)
    return core_services.update(actor=actor, instance=position, data={"end": on or clock.today()}, action="end")
