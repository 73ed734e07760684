"""Case pages: thin adapters over services, selectors and access."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from linli.accounts.scope import can_edit, can_unmask
from linli.cases import actions, figures, forms, pending, selectors, services
from linli.cases.access import (
    case_get,
    intake_compounds,
    is_staff,
    reads_as_follower,
)
from linli.cases.models import (
    CasePhoto,
    Channel,
    Level,
    ServiceCategory,
    Status,
    Tier,
)
from linli.core import pii
from linli.core.access import require
from linli.core.errors import Refused
from linli.core.ids import parse_int
from linli.core.pages import page_errors, paginate
from linli.core.scoping import scope_for
from linli.core.validators import mask_phone


def _apply_errors(form, exc: ValidationError):
    for field, msgs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, msgs)


def _intake_from(form_data, channel) -> services.Intake:
    get = form_data.get
    return services.Intake(
        category=get("category", ""), description=get("description", ""), compound=get("compound"),
        building=get("building"), dwelling=get("dwelling"), latitude=get("latitude"), longitude=get("longitude"),
        address=get("address", ""), channel=channel, contact_name=get("contact_name", ""),
        contact_phone=get("contact_phone", ""), tier=get("tier", ""),
    )


# What the resident typed, carried through the duplicate question so answering it needs no second form.
KEPT_FIELDS = ("category", "description", "compound", "building", "dwelling", "address", "latitude", "longitude")
DIFFERENT = "different"  # the "answer" of "不是，继续提交我的诉求"


@login_required
@page_errors
def case_new(request):
    """A resident files a case; a similar open case nearby interrupts with a question before filing.

    The question keeps what was entered, photos included (`pending.keep`), and offers two one-tap
    answers: follow that case (`case_follow`), or file this one as it is (`answer=different`).
    """
    require(bool(scope_for(request.user).resident_ids), "只有居民可以在此反映诉求")
    form = forms.CaseForm(request.POST or None, request.FILES or None, actor=request.user)
    context = {"form": form, "duplicates": [], "follow_offer": "", "kept": None}
    if request.method != "POST":
        return render(request, "cases/case_new.html", context)
    data, files = request.POST, request.FILES.getlist("photos")
    token, answered = data.get("kept", ""), data.get("answer") == DIFFERENT
    try:
        duplicates = [] if answered else _similar(request.user, data)
        if duplicates:
            kept = pending.keep(actor=request.user, photo_files=files, token=token)
            return render(request, "cases/case_new.html", {
                **context, "duplicates": duplicates, "kept": kept, "answered": False,
                "follow_offer": services.follow_offer(actor=request.user, cases=duplicates),
                "entered": [(name, data.get(name, "")) for name in KEPT_FIELDS],
                "category": duplicates[0].category,
            })
        case = pending.case_open_kept(actor=request.user, intake=_intake_from(data, Channel.ONLINE), token=token,
                                      photo_files=files)
    except ValidationError as exc:
        _apply_errors(form, exc)
        context.update(kept=_kept_after_error(request.user, token, files, exc), answered=answered)
    except Refused as exc:
        # Not this user's note, altered or out of time: nothing filed, the words stay, photos are asked again.
        form.add_error(None, exc.message)
        context["answered"] = answered
    else:
        if case.replayed:
            messages.info(request, f"诉求 #{case.pk} 已经提交过，没有重复提交。")
        else:
            messages.success(request, f"诉求 #{case.pk} 已提交，我们会尽快处理。")
        return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_new.html", context)


def _similar(actor, data) -> list:
    rows = list(services.possible_duplicates(actor=actor, compound_id=_int(data.get("compound")),
                                             category_code=data.get("category")))
    prefetch_related_objects(rows, "compound")
    return rows


def _kept_after_error(actor, token, files, exc):
    """After another field's error the photos stay with the form: they show, and go with the case."""
    try:
        if files and "photos" not in exc.message_dict:
            return pending.keep(actor=actor, photo_files=files, token=token)
        return pending.unseal(actor=actor, token=token) if token else None
    except (Refused, ValidationError):
        return None


@never_cache  # a photo of someone's home, for its owner only
@login_required
def kept_photo(request, number):
    """A kept photo's thumbnail on the duplicate question, for the user whose note names it."""
    try:
        handle, kind = pending.open_photo(actor=request.user, token=request.GET.get("kept", ""), number=number)
    except Refused:
        raise Http404("未找到") from None
    return FileResponse(handle, content_type=kind)


@login_required
@page_errors
def case_intake(request):
    """Hotline, walk-in, patrol or home visit: staff file a case on a resident's behalf."""
    require(can_edit(request.user), "只有工作人员可以代为登记诉求")
    form = forms.IntakeForm(request.POST or None, request.FILES or None, actor=request.user)
    if request.method == "POST":
        channel = request.POST.get("channel") or Channel.HOTLINE
        if channel == Channel.ONLINE:
            channel = "invalid"
        try:
            case = services.case_open(actor=request.user, intake=_intake_from(request.POST, channel),
                                      photo_files=request.FILES.getlist("photos"))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已登记诉求 #{case.pk}。")
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_intake.html", {"form": form})


@login_required
def place_options(request):
    """The building and dwelling pickers for the chosen compound (htmx)."""
    compound = intake_compounds(request.user).filter(pk=_int(request.GET.get("compound"))).first()
    return render(request, "cases/_place_options.html", {
        "buildings": forms.building_choices(request.user, compound),
        "dwellings": forms.dwelling_choices(request.user, compound),
    })


@login_required
def duplicates(request):
    rows = list(services.possible_duplicates(actor=request.user, compound_id=_int(request.GET.get("compound")),
                                             category_code=request.GET.get("category")))
    return render(request, "cases/_duplicates.html", {
        "duplicates": rows, "standalone": True,
        "follow_offer": services.follow_offer(actor=request.user, cases=rows)})


@login_required
@require_POST
@page_errors
def case_follow(request, pk):
    # Only what the duplicate check offered this user (its signed note); anything else is "not found".
    try:
        services.case_follow(actor=request.user, case=pk, offer=request.POST.get("offer", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(m for ms in exc.message_dict.values() for m in ms))
        return redirect("cases:case_new")
    # Followed instead of filing: the photos kept for the filing are not needed any more.
    pending.drop(actor=request.user, token=request.POST.get("kept", ""))
    messages.success(request, f"已关注诉求 #{pk}，办理进展会通知您。")
    return redirect("cases:case_detail", pk=pk)


def mask_name(name: str) -> str:
    return (name[:1] + "*" * (len(name) - 1)) if name else ""


def _int(value):
    try:
        return parse_int(value)
    except (TypeError, ValueError):
        return None


@login_required
def my_cases(request):
    page, query = paginate(request, selectors.my_cases(actor=request.user))
    return render(request, "cases/my_cases.html", {"page": page, "query": query,
                                                   "can_file": bool(scope_for(request.user).resident_ids)})


@login_required
@page_errors
def case_list(request):
    require(is_staff(request.user), "工作台仅供工作人员使用")
    filters = {k: request.GET.get(k, "") for k in ("status", "level", "category", "tier", "q", "mine",
                                                   "overdue", "supervised")}
    page, query = paginate(request, selectors.case_list_visible_to(actor=request.user, filters=filters))
    return render(request, "cases/case_list.html", {
        "page": page, "query": query, "filters": filters, "levels": Level.choices, "tiers": Tier.choices,
        "statuses": Status.choices, "categories": ServiceCategory.objects.filter(active=True),
        "can_intake": can_edit(request.user),
    })


FIGURE_FILTERS = ("unit", "grid", "compound", "since", "until", "tier")


def _trail(actor, result):
    """Links up the place tree from the node shown, as far as the actor can see."""
    from linli.core.scoping import visible as in_sight
    from linli.places.models import AdminUnit, Compound, Grid

    scope = scope_for(actor)
    chain, unit = [], None
    if result.kind == "compound":
        unit = Compound.objects.select_related("community").get(pk=result.node_id).community
    elif result.kind == "grid":
        unit = Grid.objects.select_related("community").get(pk=result.node_id).community
    elif result.kind == "unit":
        unit = AdminUnit.objects.get(pk=result.node_id).parent
    while unit is not None:
        chain.append(unit)
        unit = unit.parent
    seen = set(in_sight(AdminUnit.objects.filter(pk__in=[u.pk for u in chain]), scope).values_list("pk", flat=True))
    return [(u.name, f"unit={u.pk}") for u in reversed(chain) if u.pk in seen]


@login_required
@page_errors
def case_figures(request):
    """Officers' figures of the 1341 loop for their area, one row per tier and per child node."""
    require(is_staff(request.user), "统计仅供工作人员查看")
    filters = {k: request.GET.get(k, "") for k in FIGURE_FILTERS}
    try:
        result = figures.case_figures(actor=request.user, filters=filters)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            messages.error(request, "；".join(msgs))
        result = figures.case_figures(actor=request.user, filters={k: filters[k] for k in ("unit", "grid", "compound")})
    period = f"since={result.since.isoformat()}&until={result.until.isoformat()}" + (
        f"&tier={result.tier}" if result.tier else "")
    node = {"unit": "unit", "grid": "grid", "compound": "compound"}.get(result.kind)
    return render(request, "cases/figures.html", {
        "f": result, "tiers": Tier.choices, "period": period, "trail": _trail(request.user, result),
        "node_param": node, "node_id": result.node_id,
    })


def _action_forms(request, case, bound=None):
    """The forms of the actions this actor may take on this case now (name → form)."""
    names = actions.available_actions(request.user, case)
    candidates = selectors.assignee_candidates(case=case) if {"dispatch", "transfer"} & set(names) else []
    makers = {
        "take": forms.TapForm,
        "dispatch": lambda: forms.DispatchForm(candidates=candidates), "accept": forms.TapForm,
        "solve": forms.SolveForm, "transfer": lambda: forms.TransferForm(candidates=candidates),
        "return": forms.ReasonForm, "escalate": forms.NoteForm, "supervise": forms.SuperviseForm,
        "follow-up": forms.FollowUpForm, "retier": forms.RetierForm, "council": forms.CouncilForm,
        "confirm": forms.ConfirmForm,
    }
    available = {name: makers[name]() for name in names}
    if bound:
        available.update(bound)
    return available


ACTION_LABELS = {
    "take": "接单", "dispatch": "派单", "accept": "接单", "solve": "办结", "transfer": "转办", "return": "退回",
    "escalate": "提级", "supervise": "督办", "follow-up": "回访", "confirm": "确认评价",
    "retier": "调整分级", "council": "转议事协商",
}


UNMASKED_ONCE = "cases.unmasked.{pk}"


def _may_unmask(actor, case) -> bool:
    return can_unmask(actor, case)


@never_cache  # may carry a just-audited unmasked contact
@login_required
@page_errors
def case_detail(request, pk, bound=None, status=200):
    case = case_get(request.user, pk)
    if reads_as_follower(request.user, case):
        return render(request, "cases/case_followed.html", {"case": case}, status=status)
    staff = is_staff(request.user)
    available = _action_forms(request, case, bound)
    first = actions.next_action(request.user, case, list(available))
    next_action = (first, ACTION_LABELS[first], available[first]) if first else None
    others = [(name, ACTION_LABELS[name], form) for name, form in available.items() if name != first]
    may_unmask = staff and _may_unmask(request.user, case)
    unmasked = None
    if request.session.pop(UNMASKED_ONCE.format(pk=case.pk), False) and may_unmask:
        # Shown once after a page unmasking, which was audited when it happened.
        unmasked = {"contact_name": case.contact_name, "contact_phone": case.contact_phone,
                    "description": pii.original(case, "description"),
                    "notes": [{"id": e.pk, "text": pii.original(e, "text")} for e in case.events.all()
                              if pii.has_original(e, "text")]}
    return render(request, "cases/case_detail.html", {
        "may_unmask": may_unmask, "unmasked": unmasked,
        "case": case, "staff": staff,
        "events": selectors.case_timeline(actor=request.user, case=case, staff=staff),
        "photos": case.photos.all(), "escalations": case.escalations.all() if staff else [],
        # The next action is one plain button (or one open form) on top; the others fold away below it.
        "next_action": next_action, "actions": others,
        "may_file_proposal": "council" in available,
        "followers": case.followers.count(),
        # Shown masked; the full contact stays in the encrypted columns for the call-back.
        "contact_name": mask_name(case.contact_name), "contact_phone": mask_phone(case.contact_phone),
    }, status=status)


def _user_choice(value):
    if not value:
        return None
    user = get_user_model().objects.filter(pk=_int(value)).first()
    if user is None:
        raise ValidationError({"assignee": ["所选承办人不存在。"]})
    return user


@login_required
@require_POST
@page_errors
def case_action(request, pk, action):
    if action not in ACTION_LABELS:
        raise Http404("未找到")
    case = case_get(request.user, pk)
    data, files = request.POST, request.FILES
    form_classes = {
        "take": forms.TapForm,
        "dispatch": forms.DispatchForm, "transfer": forms.TransferForm, "accept": forms.TapForm,
        "return": forms.ReasonForm, "solve": forms.SolveForm, "escalate": forms.NoteForm,
        "supervise": forms.SuperviseForm, "follow-up": forms.FollowUpForm, "confirm": forms.ConfirmForm,
        "retier": forms.RetierForm, "council": forms.CouncilForm,
    }
    cls = form_classes[action]
    kwargs = {"candidates": selectors.assignee_candidates(case=case)} if cls in (forms.DispatchForm,
                                                                               forms.TransferForm) else {}
    form = cls(data, files, **kwargs)
    try:
        if form.is_valid():
            actions.run(request.user, case, action, form.cleaned_data, assignee=_user_choice(data.get("assignee")),
                       photo_files=files.getlist("photos"))
    except ValidationError as exc:
        _apply_errors(form, exc)
    if form.errors:
        messages.error(request, f"{ACTION_LABELS[action]}未成功，请检查填写内容。")
        return case_detail.__wrapped__(request, pk, bound={action: form}, status=400)
    messages.success(request, f"{ACTION_LABELS[action]}成功。")
    return redirect("cases:case_detail", pk=case.pk)


@require_POST
@never_cache
@login_required
@page_errors
def case_unmask(request, pk):
    """The reporter's full contact for a call-back; every look is audited as "unmask"."""
    case = case_get(request.user, pk)
    unmasked = services.case_unmask(actor=request.user, case=case)
    if request.htmx:
        return render(request, "cases/_unmasked.html", {"unmasked": unmasked, "case": case})
    request.session[UNMASKED_ONCE.format(pk=case.pk)] = True
    return redirect("cases:case_detail", pk=case.pk)


@login_required
@page_errors
def case_photo(request, pk, photo_id):
    """Photos are served only to those who see the case (they can show faces and homes)."""
    case = case_get(request.user, pk)
    if reads_as_follower(request.user, case):
        raise Http404("未找到")
    photo = CasePhoto.objects.filter(case=case, pk=photo_id).first()
    if photo is None:
        raise Http404("未找到")
    try:
        handle = photo.file.open("rb")
    except OSError:
        raise Http404("未找到") from None
    return FileResponse(handle, content_type=photo.content_type)


@login_required
def notification_list(request):
    if request.method == "POST":
        services.notifications_mark_read(actor=request.user)
        return redirect("cases:notifications")
    page, query = paginate(request, selectors.notifications_for(actor=request.user))
    return render(request, "cases/notifications.html", {"page": page, "query": query})

