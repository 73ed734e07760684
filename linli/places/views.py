"""Pages of the place registry: thin over selectors (lists), access (details) and services (writes)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from linli.accounts.scope import can_edit
from linli.core import picker
from linli.core.access import require
from linli.core.pages import page_errors, paginate
from linli.core.scoping import scope_for
from linli.places import access, forms, pickers, selectors, services
from linli.places.models import AdminUnit

# Up to this many dwellings the compound page shows the whole building → entrance → dwelling tree;
# beyond it each building opens on its own (inline with htmx, as a page without).
TREE_INLINE_LIMIT = 300


def _form_page(request, *, form, save, title, cancel_url, success_url):
    """GET shows the form; a valid POST goes through the service; service errors land on the fields."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.service_data())
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存：{obj}")
            return redirect(success_url(obj))
    return render(request, "places/form.html", {"form": form, "title": title, "cancel_url": cancel_url})


def _compound_url(compound_id, anchor=""):
    return reverse("places:compound_detail", args=[compound_id]) + (f"#{anchor}" if anchor else "")


# --- compounds --------------------------------------------------------------------------------

@login_required
@page_errors
def compound_list(request):
    selectors.require_staff(request.user)
    filter_form = forms.CompoundFilterForm(request.GET, actor=request.user)
    compounds = selectors.compound_list_visible_to(actor=request.user, filters=request.GET.dict())
    page, query = paginate(request, compounds)
    return render(request, "places/compound_list.html", {
        "filter_form": filter_form, "page": page, "query": query, "can_edit": can_edit(request.user),
    })


@login_required
@page_errors
def compound_detail(request, pk):
    compound = selectors.compound_with_counts(access.compound_get(request.user, pk))
    staff = scope_for(request.user).is_staff_scope
    context = {"compound": compound, "staff": staff, "can_edit": staff and can_edit(request.user)}
    if staff:
        buildings = list(selectors.building_list_visible_to(actor=request.user, filters={"compound": pk}))
        inline = sum(b.dwellings_count for b in buildings) <= TREE_INLINE_LIMIT
        if inline:
            selectors.building_tree(actor=request.user, buildings=buildings)
        context.update(buildings=buildings, inline=inline)
    return render(request, "places/compound_detail.html", context)


@login_required
@page_errors
def compound_create(request):
    require(can_edit(request.user), access.NOT_EDITOR)
    initial = {"community": request.GET.get("community")} if request.GET.get("community") else None
    form = forms.CompoundForm(request.POST or None, initial=initial, actor=request.user)
    return _form_page(
        request, form=form, title="新增小区/院落", cancel_url=reverse("places:compound_list"),
        save=lambda data: services.compound_create(actor=request.user, data=data),
        success_url=lambda obj: _compound_url(obj.pk),
    )


@login_required
@page_errors
def compound_edit(request, pk):
    compound = access.compound_get(request.user, pk, write=True)
    form = forms.CompoundForm(request.POST or None, instance=compound, actor=request.user)
    return _form_page(
        request, form=form, title=f"编辑小区：{compound.name}", cancel_url=_compound_url(pk),
        save=lambda data: services.compound_update(actor=request.user, compound=compound, data=data),
        success_url=lambda obj: _compound_url(obj.pk),
    )


# --- buildings, entrances, dwellings (reached from the compound page) -------------------------

@login_required
@page_errors
def building_detail(request, pk):
    selectors.require_staff(request.user)
    access.building_get(request.user, pk)
    building = selectors.building_list_visible_to(actor=request.user).get(pk=pk)
    selectors.building_tree(actor=request.user, buildings=[building])
    context = {"building": building, "compound": building.compound, "can_edit": can_edit(request.user)}
    if request.headers.get("HX-Request"):
        return render(request, "places/_building_tree.html", context)
    return render(request, "places/building_detail.html", context)


@login_required
@page_errors
def building_create(request, compound_pk):
    compound = access.compound_get(request.user, compound_pk, write=True)
    form = forms.BuildingForm(request.POST or None, actor=request.user, compound=compound)
    return _form_page(
        request, form=form, title=f"{compound.name} · 新增楼栋", cancel_url=_compound_url(compound.pk),
        save=lambda data: services.building_create(actor=request.user, data={**data, "compound": compound}),
        success_url=lambda obj: _compound_url(obj.compound_id, f"b{obj.pk}"),
    )


@login_required
@page_errors
def building_edit(request, pk):
    building = access.building_get(request.user, pk, write=True)
    form = forms.BuildingForm(request.POST or None, instance=building, actor=request.user,
                              compound=building.compound)
    return _form_page(
        request, form=form, title=f"编辑楼栋：{building}", cancel_url=_compound_url(building.compound_id),
        save=lambda data: services.building_update(actor=request.user, building=building, data=data),
        success_url=lambda obj: _compound_url(obj.compound_id, f"b{obj.pk}"),
    )


@login_required
@page_errors
def entrance_create(request, building_pk):
    building = access.building_get(request.user, building_pk, write=True)
    form = forms.EntranceForm(request.POST or None, actor=request.user)
    return _form_page(
        request, form=form, title=f"{building} · 新增单元", cancel_url=_compound_url(building.compound_id),
        save=lambda data: services.entrance_create(actor=request.user, data={**data, "building": building}),
        success_url=lambda obj: _compound_url(building.compound_id, f"b{building.pk}"),
    )


@login_required
@page_errors
def entrance_edit(request, pk):
    entrance = access.entrance_get(request.user, pk, write=True)
    compound_id = entrance.building.compound_id
    form = forms.EntranceForm(request.POST or None, instance=entrance, actor=request.user)
    return _form_page(
        request, form=form, title=f"编辑单元：{entrance}", cancel_url=_compound_url(compound_id),
        save=lambda data: services.entrance_update(actor=request.user, entrance=entrance, data=data),
        success_url=lambda obj: _compound_url(compound_id, f"b{entrance.building_id}"),
    )


@login_required
@page_errors
def dwelling_create(request, entrance_pk):
    entrance = access.entrance_get(request.user, entrance_pk, write=True)
    compound_id = entrance.building.compound_id
    form = forms.DwellingForm(request.POST or None, actor=request.user)
    return _form_page(
        request, form=form, title=f"{entrance} · 新增房屋", cancel_url=_compound_url(compound_id),
        save=lambda data: services.dwelling_create(actor=request.user, data={**data, "entrance": entrance}),
        success_url=lambda obj: _compound_url(compound_id, f"b{entrance.building_id}"),
    )


@login_required
@page_errors
def dwelling_edit(request, pk):
    dwelling = access.dwelling_get(request.user, pk, write=True)
    building_id = dwelling.entrance.building_id
    compound_id = dwelling.entrance.building.compound_id
    form = forms.DwellingForm(request.POST or None, instance=dwelling, actor=request.user)
    return _form_page(
        request, form=form, title=f"编辑房屋：{dwelling}", cancel_url=_compound_url(compound_id),
        save=lambda data: services.dwelling_update(actor=request.user, dwelling=dwelling, data=data),
        success_url=lambda obj: _compound_url(compound_id, f"b{building_id}"),
    )


# --- grids ------------------------------------------------------------------------------------

@login_required
@page_errors
def grid_list(request):
    selectors.require_staff(request.user)
    filter_form = forms.GridFilterForm(request.GET, actor=request.user)
    grids = selectors.grid_list_visible_to(actor=request.user, filters=request.GET.dict())
    page, query = paginate(request, grids)
    return render(request, "places/grid_list.html", {
        "filter_form": filter_form, "page": page, "query": query, "can_edit": can_edit(request.user),
    })


@login_required
@page_errors
def grid_detail(request, pk):
    selectors.require_staff(request.user)
    grid = access.grid_get(request.user, pk)
    compounds = selectors.compound_list_visible_to(actor=request.user, filters={"grid": pk})
    page, query = paginate(request, compounds)
    return render(request, "places/grid_detail.html", {
        "grid": grid, "page": page, "query": query, "can_edit": can_edit(request.user),
        "micro_grids": selectors.micro_grid_list_visible_to(actor=request.user, filters={"grid": pk}),
    })


def _grid_url(grid_id):
    return reverse("places:grid_detail", args=[grid_id])


@login_required
@page_errors
def grid_create(request):
    require(can_edit(request.user), access.NOT_EDITOR)
    initial = {"community": request.GET.get("community")} if request.GET.get("community") else None
    form = forms.GridForm(request.POST or None, initial=initial, actor=request.user)
    return _form_page(
        request, form=form, title="新增网格", cancel_url=reverse("places:grid_list"),
        save=lambda data: services.grid_create(actor=request.user, data=data),
        success_url=lambda obj: _grid_url(obj.pk),
    )


@login_required
@page_errors
def grid_edit(request, pk):
    grid = access.grid_get(request.user, pk, write=True)
    form = forms.GridForm(request.POST or None, instance=grid, actor=request.user)
    return _form_page(
        request, form=form, title=f"编辑网格：{grid.name}", cancel_url=_grid_url(pk),
        save=lambda data: services.grid_update(actor=request.user, grid=grid, data=data),
        success_url=lambda obj: _grid_url(obj.pk),
    )


@login_required
@page_errors
def micro_grid_create(request, grid_pk):
    grid = access.grid_get(request.user, grid_pk, write=True)
    form = forms.MicroGridForm(request.POST or None, actor=request.user)
    return _form_page(
        request, form=form, title=f"{grid.name} · 新增微网格", cancel_url=_grid_url(grid.pk),
        save=lambda data: services.micro_grid_create(actor=request.user, data={**data, "grid": grid}),
        success_url=lambda obj: _grid_url(obj.grid_id),
    )


@login_required
@page_errors
def micro_grid_edit(request, pk):
    micro_grid = access.micro_grid_get(request.user, pk, write=True)
    form = forms.MicroGridForm(request.POST or None, instance=micro_grid, actor=request.user)
    return _form_page(
        request, form=form, title=f"编辑微网格：{micro_grid}", cancel_url=_grid_url(micro_grid.grid_id),
        save=lambda data: services.micro_grid_update(actor=request.user, micro_grid=micro_grid, data=data),
        success_url=lambda obj: _grid_url(obj.grid_id),
    )


# --- administrative units ---------------------------------------------------------------------

def _unit_url(unit_id):
    return reverse("places:unit_detail", args=[unit_id])


@login_required
@page_errors
def unit_list(request):
    selectors.require_staff(request.user)
    filter_form = forms.UnitFilterForm(request.GET)
    units = selectors.unit_list_visible_to(actor=request.user, filters=request.GET.dict())
    page, query = paginate(request, units)
    return render(request, "places/unit_list.html", {
        "filter_form": filter_form, "page": page, "query": query,
        "can_edit": access.can_edit_units(request.user),
    })


@login_required
@page_errors
def unit_detail(request, pk):
    selectors.require_staff(request.user)
    unit = access.unit_get(request.user, pk)
    children = selectors.unit_list_visible_to(actor=request.user, filters={"parent": pk})
    context = {"unit": unit, "children": children, "can_edit_units": access.can_edit_units(request.user),
               "can_edit": can_edit(request.user)}
    if unit.level == AdminUnit.Level.COMMUNITY:
        context["grids"] = selectors.grid_list_visible_to(actor=request.user, filters={"community_id": pk})
        context["compounds"] = selectors.compound_list_visible_to(actor=request.user,
                                                                  filters={"community_id": pk})
    return render(request, "places/unit_detail.html", context)


@login_required
@page_errors
def unit_create(request):
    require(access.can_edit_units(request.user), access.NOT_UNIT_EDITOR)
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent") else None
    form = forms.UnitCreateForm(request.POST or None, initial=initial, actor=request.user)
    return _form_page(
        request, form=form, title="新增行政区划", cancel_url=reverse("places:unit_list"),
        save=lambda data: services.unit_create(actor=request.user, data=data),
        success_url=lambda obj: _unit_url(obj.pk),
    )


@login_required
@page_errors
def unit_edit(request, pk):
    unit = access.unit_get(request.user, pk, write=True)
    form = forms.UnitUpdateForm(request.POST or None, instance=unit, actor=request.user)
    return _form_page(
        request, form=form, title=f"编辑区划：{unit.name}", cancel_url=_unit_url(pk),
        save=lambda data: services.unit_update(actor=request.user, unit=unit, data=data),
        success_url=lambda obj: _unit_url(obj.pk),
    )


# --- searched pickers (core.picker): matches within the actor's work area, at most a few --------

@require_safe
@login_required
def pick_dwellings(request):
    return picker.answer(request, selectors.dwelling_picks(request.user), pickers.DWELLINGS)


@require_safe
@login_required
def pick_entrances(request):
    return picker.answer(request, selectors.entrance_picks(request.user), pickers.ENTRANCES)


@require_safe
@login_required
def pick_compounds(request):
    return picker.answer(request, selectors.compound_picks(request.user), pickers.COMPOUNDS)


@require_safe
@login_required
def pick_grids(request):
    return picker.answer(request, selectors.grid_picks(request.user), pickers.GRIDS)
