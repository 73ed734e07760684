"""Organisation pages: thin adapters over selectors, access and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from linli.accounts.scope import can_edit
from linli.core.errors import NotFound
from linli.core.pages import page_errors, paginate
from linli.orgs import access, forms, selectors, services
from linli.orgs.models import PartnerUnit, PartyOrg, PropertyCompany, PropertyService, SelfOrg

SAVED = "已保存。"
CHILD_LEVEL = {parent: child for child, parent in PartyOrg.PARENT_LEVEL.items()}


def _list(request, selector, template: str, **extra):
    page, query = paginate(request, selector(actor=request.user, filters=request.GET))
    return render(request, template, {"page": page, "query": query, "f": request.GET,
                                      "can_edit": can_edit(request.user), **extra})


def _form_page(request, form, write, title: str, back: str):
    """Show the form; on a valid POST call the service, then go to the saved record's page."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = write(form)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, SAVED)
            return redirect(_url_of(obj))
    return render(request, "orgs/form.html", {"form": form, "title": title, "back": back})


def _url_of(obj) -> str:
    if isinstance(obj, PartyOrg):
        return reverse("orgs:partyorg_detail", args=[obj.pk])
    if isinstance(obj, SelfOrg):
        return reverse("orgs:selforg_detail", args=[obj.pk])
    if isinstance(obj, PropertyCompany):
        return reverse("orgs:propertycompany_detail", args=[obj.pk])
    if isinstance(obj, PartnerUnit):
        return reverse("orgs:partner_detail", args=[obj.pk])
    if isinstance(obj, PropertyService):
        if obj.company_id:
            return reverse("orgs:propertycompany_detail", args=[obj.company_id])
        return reverse("orgs:propertycompany_list") + f"?compound={obj.compound_id}"
    return _url_of(obj.organisation)  # a position belongs on its organisation's page


def _bound(request):
    return request.POST if request.method == "POST" else None


# --- Party organisations ------------------------------------------------------------------------

@login_required
@page_errors
def partyorg_list(request):
    return _list(request, selectors.partyorg_list_visible_to, "orgs/partyorg_list.html",
                 levels=PartyOrg.Level.choices, formations=PartyOrg.Formation.choices)


@login_required
@page_errors
def partyorg_detail(request, pk):
    org = access.partyorg_get(request.user, pk)
    return render(request, "orgs/partyorg_detail.html", {
        "org": org,
        "compounds": selectors.partyorg_compounds(request.user, org),
        "tree": selectors.partyorg_tree(request.user, org),
        "member_count": selectors.partyorg_member_count(org),
        "positions": selectors.org_positions(request.user, org),
        "can_edit": can_edit(request.user),
        "org_param": "party_org",
        "child_level": CHILD_LEVEL.get(org.level, ""),
    })


@login_required
@page_errors
def partyorg_create(request):
    access.require_editor(request.user)
    initial = {k: request.GET[k] for k in ("parent", "community", "level") if request.GET.get(k)}
    form = forms.PartyOrgForm(_bound(request), actor=request.user, initial=initial)
    return _form_page(request, form, lambda f: services.partyorg_create(actor=request.user, data=f.data_for_service()),
                      "新增党组织", reverse("orgs:partyorg_list"))


@login_required
@page_errors
def partyorg_edit(request, pk):
    org = access.partyorg_get(request.user, pk, write=True)
    form = forms.PartyOrgForm(_bound(request), actor=request.user, instance=org)
    return _form_page(request, form,
                      lambda f: services.partyorg_update(actor=request.user, org=org, data=f.data_for_service()),
                      f"编辑：{org.name}", _url_of(org))


# --- self-organisations -------------------------------------------------------------------------

@login_required
@page_errors
def selforg_list(request):
    return _list(request, selectors.selforg_list_visible_to, "orgs/selforg_list.html", kinds=SelfOrg.Kind.choices)


@login_required
@page_errors
def selforg_detail(request, pk):
    selforg = access.selforg_get(request.user, pk)
    return render(request, "orgs/selforg_detail.html", {
        "selforg": selforg,
        "positions": selectors.org_positions(request.user, selforg),
        "carriages": selectors.compound_carriages(selforg.compound, actor=request.user),
        "can_edit": can_edit(request.user),
        "org_param": "self_org",
    })


@login_required
@page_errors
def selforg_create(request):
    access.require_editor(request.user)
    initial = {k: request.GET[k] for k in ("compound", "kind") if request.GET.get(k)}
    form = forms.SelfOrgForm(_bound(request), actor=request.user, initial=initial)
    return _form_page(request, form, lambda f: services.selforg_create(actor=request.user, data=f.data_for_service()),
                      "新增自治组织", reverse("orgs:selforg_list"))


@login_required
@page_errors
def selforg_edit(request, pk):
    selforg = access.selforg_get(request.user, pk, write=True)
    form = forms.SelfOrgForm(_bound(request), actor=request.user, instance=selforg)
    return _form_page(request, form,
                      lambda f: services.selforg_update(actor=request.user, selforg=selforg, data=f.data_for_service()),
                      f"编辑：{selforg.name}", _url_of(selforg))


# --- property companies and services ------------------------------------------------------------

@login_required
@page_errors
def propertycompany_list(request):
    return _list(request, selectors.propertycompany_list_visible_to, "orgs/propertycompany_list.html")


@login_required
@page_errors
def propertycompany_detail(request, pk):
    company = access.propertycompany_get(request.user, pk)
    # A large company serves hundreds of compounds: its services come a page at a time.
    services_page, query = paginate(request, selectors.company_services(request.user, company))
    return render(request, "orgs/propertycompany_detail.html", {
        "company": company,
        "page": services_page, "query": query,
        "positions": selectors.org_positions(request.user, company),
        # A company that served the area only in the past is history here: shown, not offered for change.
        "can_edit": access.may_write(request.user, company),
        "org_param": "property_company",
    })


@login_required
@page_errors
def propertycompany_create(request):
    access.require_editor(request.user)
    form = forms.PropertyCompanyForm(_bound(request), actor=request.user,
                                     initial={"service_compound": request.GET.get("compound")})

    def write(f):
        return services.propertycompany_create(actor=request.user, data=f.data_for_service(), service=f.service_data())

    return _form_page(request, form, write, "新增物业服务企业", reverse("orgs:propertycompany_list"))


@login_required
@page_errors
def propertycompany_edit(request, pk):
    company = access.propertycompany_get(request.user, pk, write=True)
    form = forms.PropertyCompanyForm(_bound(request), actor=request.user, instance=company)

    def write(f):
        return services.propertycompany_update(actor=request.user, company=company, data=f.data_for_service())

    return _form_page(request, form, write, f"编辑：{company.name}", _url_of(company))


@login_required
@page_errors
def propertyservice_create(request):
    access.require_editor(request.user)
    initial = {k: request.GET[k] for k in ("compound", "company") if request.GET.get(k)}
    form = forms.PropertyServiceForm(_bound(request), actor=request.user, initial=initial)

    def write(f):
        return services.propertyservice_create(actor=request.user, data=f.data_for_service())

    return _form_page(request, form, write, "登记物业服务", reverse("orgs:propertycompany_list"))


@login_required
@page_errors
def propertyservice_edit(request, pk):
    service = access.propertyservice_get(request.user, pk, write=True)
    form = forms.PropertyServiceForm(_bound(request), actor=request.user, instance=service)

    def write(f):
        return services.propertyservice_update(actor=request.user, service=service, data=f.data_for_service())

    return _form_page(request, form, write, f"编辑物业服务：{service}", _url_of(service))


# --- partners ----------------------------------------------------------------------------------

@login_required
@page_errors
def partner_list(request):
    return _list(request, selectors.partner_list_visible_to, "orgs/partner_list.html", kinds=PartnerUnit.Kind.choices)


@login_required
@page_errors
def partner_detail(request, pk):
    partner = access.partner_get(request.user, pk)
    return render(request, "orgs/partner_detail.html", {
        "partner": partner,
        "positions": selectors.org_positions(request.user, partner),
        "can_edit": can_edit(request.user),
        "org_param": "partner",
    })


@login_required
@page_errors
def partner_create(request):
    access.require_editor(request.user)
    form = forms.PartnerForm(_bound(request), actor=request.user)
    return _form_page(request, form, lambda f: services.partner_create(actor=request.user, data=f.data_for_service()),
                      "新增共建单位/合伙人", reverse("orgs:partner_list"))


@login_required
@page_errors
def partner_edit(request, pk):
    partner = access.partner_get(request.user, pk, write=True)
    form = forms.PartnerForm(_bound(request), actor=request.user, instance=partner)
    return _form_page(request, form,
                      lambda f: services.partner_update(actor=request.user, partner=partner, data=f.data_for_service()),
                      f"编辑：{partner.name}", _url_of(partner))


# --- positions ----------------------------------------------------------------------------------

ORG_GETTERS = {"party_org": access.partyorg_get, "self_org": access.selforg_get,
               "property_company": access.propertycompany_get, "partner": access.partner_get}


def _position_org(request):
    """The organisation named in the query (?party_org=ID, ?self_org=ID, …): exactly one, in sight."""
    source = request.POST if request.method == "POST" else request.GET
    named = [(field, source.get(field) or request.GET.get(field)) for field in ORG_GETTERS]
    named = [(field, value) for field, value in named if value]
    if len(named) != 1:
        raise NotFound()
    field, value = named[0]
    return field, ORG_GETTERS[field](request.user, value, write=True)


@login_required
@page_errors
def position_create(request):
    access.require_editor(request.user)
    field, org = _position_org(request)
    form = forms.PositionForm(_bound(request), actor=request.user)

    def write(f):
        return services.position_create(actor=request.user, data={**f.data_for_service(), field: org})

    return _form_page(request, form, write, f"新增任职：{org}", _url_of(org))


@require_POST
@login_required
@page_errors
def position_end(request, pk):
    position = access.position_get(request.user, pk, write=True)
    try:
        services.position_end(actor=request.user, position=position)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已结束任职：{position.resident.name} · {position.role}")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = _url_of(position)
    return redirect(back)
