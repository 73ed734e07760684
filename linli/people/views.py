"""People pages: thin adapters over selectors (lists), access (details) and services (writes)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from linli.accounts.scope import can_edit
from linli.core import picker
from linli.core.access import require
from linli.core.errors import Forbidden, NotFound
from linli.core.ids import parse_id
from linli.core.pages import page_errors, paginate
from linli.core.scoping import scope_for
from linli.people import access, forms, pickers, selectors, services
from linli.people.models import SENSITIVE_TAGS, Resident

UNMASKED_ONCE = "people.unmasked.{pk}"


def _staff_only(actor):
    # Residents may open their own household, never a register of other people.
    require(scope_for(actor).is_staff_scope, "名单仅对工作人员开放。")


def _may_unmask(actor, resident) -> bool:
    try:
        access.resident_get_for_unmask(actor, resident.pk)
    except (NotFound, Forbidden):
        return False
    return True


def _form_page(request, form, *, title, cancel, submit="保存"):
    return render(request, "people/form.html", {"form": form, "title": title, "cancel": cancel, "submit": submit})


# Residents

@login_required
@page_errors
def resident_list(request):
    _staff_only(request.user)
    form = forms.ResidentFilterForm(request.GET or None, actor=request.user)
    residents = selectors.resident_list_visible_to(actor=request.user, filters=request.GET)
    page, query = paginate(request, residents)
    return render(request, "people/resident_list.html", {
        "filter_form": form, "page": page, "query": query, "can_edit": can_edit(request.user)})


def _unmasked_context(resident) -> dict:
    return {
        "resident": resident,
        "unmasked": {
            "id_number": resident.id_number, "phone": resident.phone,
            "sensitive_tags": [{"code": c, "name": SENSITIVE_TAGS.get(c, c)} for c in resident.sensitive_tag_codes],
        },
        "sensitive_form": forms.SensitiveTagsForm(initial={"sensitive_tags": resident.sensitive_tag_codes}),
    }


@never_cache  # may carry the values of a just-audited unmasking
@login_required
@page_errors
def resident_detail(request, pk):
    resident = access.resident_get(request.user, pk)
    may_unmask = _may_unmask(request.user, resident)
    context = {
        "resident": resident, "may_unmask": may_unmask,
        "can_edit": can_edit(request.user) and may_edit(request.user, resident),
        "party_member": getattr(resident, "party_member", None) if _has_member(resident) else None,
    }
    # Shown once after a page (non-htmx) unmasking, which was audited when it happened.
    if request.session.pop(UNMASKED_ONCE.format(pk=resident.pk), False) and may_unmask:
        context.update(_unmasked_context(resident))
        context["can_set_sensitive"] = context["can_edit"]
    return render(request, "people/resident_detail.html", context)


def _has_member(resident) -> bool:
    try:
        resident.party_member  # noqa: B018
    except Resident.party_member.RelatedObjectDoesNotExist:
        return False
    return True


def may_edit(actor, resident) -> bool:
    try:
        access.resident_get(actor, resident.pk, write=True)
    except (NotFound, Forbidden):
        return False
    return True


@require_POST
@never_cache
@login_required
@page_errors
def resident_unmask(request, pk):
    resident = access.resident_get_for_unmask(request.user, pk)
    services.resident_unmask(actor=request.user, resident=resident)
    if request.htmx:
        context = _unmasked_context(resident)
        context["can_set_sensitive"] = may_edit(request.user, resident)
        return render(request, "people/_unmasked.html", context)
    request.session[UNMASKED_ONCE.format(pk=resident.pk)] = True
    return redirect("people:resident_detail", pk=resident.pk)


@require_POST
@login_required
@page_errors
def resident_sensitive_tags(request, pk):
    access.resident_get_for_unmask(request.user, pk)
    resident = access.resident_get(request.user, pk, write=True)
    form = forms.SensitiveTagsForm(request.POST)
    if form.is_valid():
        services.resident_set_sensitive_tags(actor=request.user, resident=resident,
                                             codes=form.cleaned_data["sensitive_tags"])
        messages.success(request, "敏感标签已更新。")
    else:
        messages.error(request, "敏感标签无效。")
    return redirect("people:resident_detail", pk=resident.pk)


@login_required
@page_errors
def resident_create(request):
    require(can_edit(request.user), "您没有登记居民的权限。")
    initial = {"relation": Resident.Relation.HEAD, "status": Resident.Status.REGISTERED}
    if request.GET.get("household"):
        initial["household"] = request.GET["household"]
        initial["relation"] = Resident.Relation.OTHER
    form = forms.ResidentCreateForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            resident = services.resident_create(actor=request.user, **{
                **data,
                "household": data["household"].pk if data.get("household") else None,
                "dwelling": data["dwelling"].pk if data.get("dwelling") else None,
                "sensitive_tags": data.get("sensitive_tags") or None,
            })
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, f"已登记居民 {resident.name}。")
            return redirect("people:resident_detail", pk=resident.pk)
    return _form_page(request, form, title="登记居民", cancel=reverse("people:resident_list"))


@login_required
@page_errors
def resident_edit(request, pk):
    resident = access.resident_get(request.user, pk, write=True)
    initial = {f: getattr(resident, f) for f in ("name", "email", "relation", "status", "is_owner")}
    initial |= {"household": resident.household_id, "care_tags": list(resident.care_tags.all())}
    form = forms.ResidentEditForm(request.POST or None, actor=request.user, resident=resident, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {f: data[f] for f in ("name", "email", "relation", "status", "is_owner")}
        for secret in ("id_number", "phone"):
            if data[secret].strip():
                changes[secret] = data[secret]
        try:
            services.resident_update(actor=request.user, resident=resident, data=changes,
                                     care_tags=data["care_tags"], household=data["household"].pk,
                                     relation=data["relation"])
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("people:resident_detail", pk=resident.pk)
    return _form_page(request, form, title=f"编辑居民：{resident.name}",
                      cancel=reverse("people:resident_detail", args=[resident.pk]))


# Households

@login_required
@page_errors
def household_list(request):
    _staff_only(request.user)
    form = forms.HouseholdFilterForm(request.GET or None, actor=request.user)
    households = selectors.household_list_visible_to(actor=request.user, filters=request.GET)
    page, query = paginate(request, households)
    return render(request, "people/household_list.html", {
        "filter_form": form, "page": page, "query": query, "can_edit": can_edit(request.user)})


@login_required
@page_errors
def household_detail(request, pk):
    household = access.household_get(request.user, pk)
    return render(request, "people/household_detail.html", {
        "household": household, "members": selectors.household_members(household),
        "summary": selectors.household_summary(household),
        "can_edit": can_edit(request.user) and scope_for(request.user).is_staff_scope,
    })


@login_required
@page_errors
def household_create(request):
    require(can_edit(request.user), "您没有新建户的权限。")
    form = forms.HouseholdForm(request.POST or None, actor=request.user,
                               initial={"dwelling": request.GET.get("dwelling")})
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(actor=request.user, dwelling=form.cleaned_data["dwelling"].pk,
                                                   number=form.cleaned_data["number"])
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, "已新建一户。")
            return redirect("people:household_detail", pk=household.pk)
    return _form_page(request, form, title="新建户", cancel=reverse("people:resident_list"))


# Party members

@login_required
@page_errors
def partymember_list(request):
    _staff_only(request.user)
    form = forms.PartyMemberFilterForm(request.GET or None, actor=request.user)
    members = selectors.partymember_list_visible_to(actor=request.user, filters=request.GET)
    page, query = paginate(request, members)
    return render(request, "people/partymember_list.html", {
        "filter_form": form, "page": page, "query": query, "can_edit": can_edit(request.user)})


@login_required
@page_errors
def partymember_detail(request, pk):
    member = access.partymember_get(request.user, pk)
    return render(request, "people/partymember_detail.html", {
        "member": member, "cared": member.cared_households.select_related("dwelling__entrance__building__compound"),
        "can_edit": can_edit(request.user) and scope_for(request.user).is_staff_scope,
    })


_MEMBER_FIELDS = ("category", "home_branch", "joined_on", "employer", "dual_registered_community",
                  "dual_registered_on", "lost_contact", "search_record")


@login_required
@page_errors
def partymember_create(request):
    require(can_edit(request.user), "您没有登记党员的权限。")
    resident = None
    if request.GET.get("resident"):
        resident = access.resident_get(request.user, request.GET["resident"], write=True)
    form = forms.PartyMemberForm(request.POST or None, actor=request.user, resident=resident,
                                 initial={"resident": resident.pk if resident else None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.partymember_create(
                actor=request.user, resident=data["resident"].pk,
                cared_households=[h.pk for h in data["cared_households"]],
                **{f: (data[f].pk if hasattr(data[f], "pk") else data[f]) for f in _MEMBER_FIELDS})
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, "已登记党员。")
            return redirect("people:partymember_detail", pk=member.pk)
    title = f"登记党员：{resident.name}" if resident else "登记党员"
    return _form_page(request, form, title=title, cancel=reverse("people:partymember_list"))


@login_required
@page_errors
def partymember_edit(request, pk):
    member = access.partymember_get(request.user, pk, write=True)
    initial = {f: getattr(member, f) for f in _MEMBER_FIELDS}
    initial["cared_households"] = list(member.cared_households.all())
    form = forms.PartyMemberForm(request.POST or None, actor=request.user, member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {f: (data[f].pk if hasattr(data[f], "pk") else data[f]) for f in _MEMBER_FIELDS}
        changes["cared_households"] = [h.pk for h in data["cared_households"]]
        try:
            services.partymember_update(actor=request.user, member=member, data=changes)
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("people:partymember_detail", pk=member.pk)
    return _form_page(request, form, title=f"编辑党员：{member.resident.name}",
                      cancel=reverse("people:partymember_detail", args=[member.pk]))


# Grid workers

@login_required
@page_errors
def gridworker_list(request):
    _staff_only(request.user)
    form = forms.GridWorkerFilterForm(request.GET or None, actor=request.user)
    workers = selectors.gridworker_list_visible_to(actor=request.user, filters=request.GET)
    page, query = paginate(request, workers)
    return render(request, "people/gridworker_list.html", {
        "filter_form": form, "page": page, "query": query, "can_edit": can_edit(request.user)})


@login_required
@page_errors
def gridworker_detail(request, pk):
    worker = access.gridworker_get(request.user, pk)
    return render(request, "people/gridworker_detail.html", {
        "worker": worker, "grids": worker.grids.select_related("community"),
        "can_edit": can_edit(request.user)})


@login_required
@page_errors
def gridworker_create(request):
    require(can_edit(request.user), "您没有登记网格员的权限。")
    form = forms.GridWorkerForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["grids"] = [g.pk for g in data["grids"]]
        try:
            worker = services.gridworker_create(actor=request.user, **data)
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, "已登记网格员。")
            return redirect("people:gridworker_detail", pk=worker.pk)
    return _form_page(request, form, title="登记网格员", cancel=reverse("people:gridworker_list"))


@login_required
@page_errors
def gridworker_edit(request, pk):
    worker = access.gridworker_get(request.user, pk, write=True)
    initial = {f: getattr(worker, f) for f in ("name", "kind", "duties", "started_on")}
    initial["grids"] = list(worker.grids.all())
    form = forms.GridWorkerForm(request.POST or None, actor=request.user, worker=worker, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {f: data[f] for f in ("name", "kind", "duties", "started_on")}
        if data["phone"].strip():
            changes["phone"] = data["phone"]
        try:
            services.gridworker_update(actor=request.user, worker=worker, data=changes,
                                       grids=[g.pk for g in data["grids"]])
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("people:gridworker_detail", pk=worker.pk)
    return _form_page(request, form, title=f"编辑网格员：{worker.name}",
                      cancel=reverse("people:gridworker_detail", args=[worker.pk]))


# Searched pickers (core.picker): matches within the actor's work area, at most a few, masked.

@require_safe
@login_required
def pick_residents(request):
    return picker.answer(request, selectors.resident_picks(request.user), pickers.RESIDENTS)


@require_safe
@login_required
def pick_households(request):
    # A form may narrow the households to one compound (a Party member's neighbours).
    try:
        compound = parse_id(request.GET["compound"]) if request.GET.get("compound") else None
    except ValueError:
        return picker.answer(request, selectors.household_picks(request.user).none(), pickers.HOUSEHOLDS)
    return picker.answer(request, selectors.household_picks(request.user, compound=compound), pickers.HOUSEHOLDS)
