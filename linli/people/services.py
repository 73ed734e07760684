"""Every write to the people registry: checked against the actor's rights and sight, atomic, audited."""

from collections.abc import Iterable
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from linli.accounts.scope import can_edit, can_unmask
from linli.core import audit, bulk
from linli.core import services as core
from linli.core.access import get_visible, require
from linli.core.errors import NotFound
from linli.core.scoping import scope_changed, scope_for, visible
from linli.core.services import OUT_OF_SIGHT
from linli.people import selectors
from linli.people.models import SENSITIVE_TAGS, CareTag, GridWorker, Household, PartyMember, Resident
from linli.places.models import Dwelling, Grid

RESIDENT_FIELDS = ("name", "id_number", "phone", "email", "relation", "status", "is_owner")
PARTYMEMBER_FIELDS = ("category", "joined_on", "employer", "dual_registered_on", "lost_contact", "search_record")
GRIDWORKER_FIELDS = ("name", "phone", "kind", "duties", "started_on")
UNMASKED_FIELDS = ["id_number", "phone", "sensitive_tags"]


def _pk(value):
    return getattr(value, "pk", value)


def _require_editor(actor):
    require(can_edit(actor), "您没有修改登记信息的权限。")


def _in_sight(source, actor, value, *, field: str, label: str):
    """The referenced object if the actor may work on it; a field error otherwise (ids come from clients)."""
    try:
        return get_visible(source, scope_for(actor).work_area(), _pk(value))
    except NotFound:
        raise ValidationError({field: OUT_OF_SIGHT.format(label=label)}) from None


def _all_in_sight(source, actor, values: Iterable, *, field: str, label: str) -> list:
    ids = {_pk(v) for v in values}
    try:
        queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
        found = list(visible(queryset, scope_for(actor).work_area()).filter(pk__in=ids))
    except (ValueError, TypeError):
        found = []
    if len(found) != len(ids):
        raise ValidationError({field: OUT_OF_SIGHT.format(label=label)})
    return found


def _care_tags(values: Iterable) -> list[CareTag]:
    """Care tags given as CareTag objects (forms) or codes (API)."""
    values = list(values or [])
    objs = {v.pk: v for v in values if isinstance(v, CareTag)}
    codes = {str(v) for v in values if not isinstance(v, CareTag)}
    found = list(CareTag.objects.filter(code__in=codes))
    if len(found) != len(codes):
        missing = sorted(codes - {t.code for t in found})
        raise ValidationError({"care_tags": f"不存在的关爱标签：{'、'.join(missing)}"})
    return list(objs.values()) + [t for t in found if t.pk not in objs]


def _sensitive(actor, codes: Iterable[str] | None) -> str | None:
    """The stored form of sensitive tags, or None when not being set."""
    if codes is None:
        return None
    codes = sorted(set(codes))
    require(can_unmask(actor), "您没有设置敏感标签的权限。")
    unknown = [c for c in codes if c not in SENSITIVE_TAGS]
    if unknown:
        raise ValidationError({"sensitive_tags": f"未知的敏感标签：{'、'.join(unknown)}"})
    return ",".join(codes)


def _set_m2m(*, actor, instance, field: str, objects: list) -> None:
    manager = getattr(instance, field)
    before = sorted(manager.values_list("pk", flat=True))
    after = sorted(o.pk for o in objects)
    if before != after:
        manager.set(objects)
        audit.record(actor=actor, action="update", obj=instance, changes={field: [before, after]})


def _check(instance, *, exclude=(), errors: dict | None = None) -> None:
    """Validate a model instance, merging errors found earlier so the form shows them all at once."""
    errors = dict(errors or {})
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@contextmanager
def _duplicate_guard():
    """Two clerks saving the same ID number at once: the unique constraint decides, as a field error."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise ValidationError({"id_number": "该身份证号已登记在其他居民名下。"}) from exc


# Households

@transaction.atomic
def household_create(*, actor, dwelling, number: str = "") -> Household:
    _require_editor(actor)
    dwelling = _in_sight(Dwelling, actor, dwelling, field="dwelling", label="房屋")
    return core.create(actor=actor, model=Household, data={"dwelling": dwelling, "number": (number or "").strip()})


# Residents

@transaction.atomic
def resident_create(*, actor, name: str, household=None, dwelling=None, household_number: str = "",
                    id_number: str = "", phone: str = "", email: str = "",
                    relation: str = Resident.Relation.HEAD, status: str = Resident.Status.REGISTERED,
                    is_owner: bool = False, care_tags: Iterable = (), sensitive_tags: Iterable | None = None
                    ) -> Resident:
    """Register a resident in a visible household, or in a new household at a visible dwelling."""
    _require_editor(actor)
    stored_sensitive = _sensitive(actor, sensitive_tags or None)
    errors = {}
    target = None
    if household not in (None, ""):
        try:
            target = _in_sight(Household, actor, household, field="household", label="户")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    elif dwelling not in (None, ""):
        try:
            _in_sight(Dwelling, actor, dwelling, field="dwelling", label="房屋")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    else:
        errors["household"] = ["请选择所在的户，或选择房屋新建一户。"]
    try:
        tags = _care_tags(care_tags)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        tags = []
    resident = Resident(name=(name or "").strip(), id_number=id_number or "", phone=phone or "",
                        email=email or "", relation=relation, status=status, is_owner=bool(is_owner),
                        sensitive_tags=stored_sensitive or "")
    _check(resident, exclude=["household"], errors=errors)
    if target is None:
        target = household_create(actor=actor, dwelling=dwelling, number=household_number)
    data = {f: getattr(resident, f) for f in RESIDENT_FIELDS} | {"household": target,
                                                                "sensitive_tags": resident.sensitive_tags}
    with _duplicate_guard():
        resident = core.create(actor=actor, model=Resident, data=data)
    _set_m2m(actor=actor, instance=resident, field="care_tags", objects=tags)
    return resident


# Set-based writes, for an import's batch of rows inside its own transaction: the same checks, sight and
# audit as the one-row services above, in a few statements per batch instead of a few per row.

DERIVED_FIELDS = ("id_number_hash", "phone_hash", "id_number_tail_hash", "phone_tail_hash", "birth_date", "gender")


def _item_failed(exc: ValidationError, index: int) -> ValidationError:
    """The error, naming which item of the batch it is about (`exc.item`)."""
    exc.item = index
    return exc


def _cleaned(instance, index: int, exclude=()) -> None:
    # Uniqueness is the caller's plan (one query per batch) and, against a race, the unique index.
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise _item_failed(exc, index) from None


def _audited(actor, rows: list[tuple], action: str) -> None:
    """(instance, changes) pairs, one audit entry each, written in one statement."""
    audit.record_many([audit.entry(actor=actor, action=action, obj=obj, changes=changes) for obj, changes in rows])


@contextmanager
def _batch_duplicate_guard():
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise _item_failed(ValidationError({"id_number": "该身份证号已登记在其他居民名下。"}), 0) from exc


@transaction.atomic
def households_create_many(*, actor, specs: list[tuple]) -> list[Household]:
    """New households, (dwelling id, 户号) each, at dwellings in the actor's sight."""
    _require_editor(actor)
    if not specs:
        return []
    # With what the audit entries' names need (“康宁小区 1号楼 1单元 101”), read once for the batch.
    dwellings = {d.pk: d for d in _all_in_sight(Dwelling.objects.select_related("entrance__building__compound"),
                                                 actor, {dwelling for dwelling, _number in specs},
                                                 field="dwelling", label="房屋")}
    made = [Household(dwelling=dwellings[dwelling], number=(number or "").strip()) for dwelling, number in specs]
    for index, household in enumerate(made):
        _cleaned(household, index, exclude=["dwelling"])
    bulk.insert_many(Household, made)
    _audited(actor, [(h, audit.diff({}, audit.snapshot(h))) for h in made], "create")
    return made


@transaction.atomic
def residents_create_many(*, actor, items: list[tuple]) -> list[Resident]:
    """New residents, (household, fields of RESIDENT_FIELDS, the ID number's lookup hash or None) each."""
    _require_editor(actor)
    if not items:
        return []
    _all_in_sight(Household, actor, {_pk(h) for h, _data, _hash in items}, field="household", label="户")
    made = []
    for index, (household, data, id_hash) in enumerate(items):
        unknown = set(data) - set(RESIDENT_FIELDS)
        if unknown:
            raise _item_failed(ValidationError({name: "该字段不能在此修改。" for name in unknown}), index)
        resident = Resident(household_id=_pk(household), **{k: (v.strip() if k == "name" else v)
                                                            for k, v in data.items()})
        _cleaned(resident, index, exclude=["household"])
        resident.derive(id_number_hash=id_hash)
        made.append(resident)
    with _batch_duplicate_guard():
        bulk.insert_many(Resident, made)
    _audited(actor, [(r, audit.diff({}, audit.snapshot(r))) for r in made], "create")
    return made


@transaction.atomic
def residents_change_many(*, actor, items: list[tuple]) -> list[Resident]:
    """(resident, changed fields, household to move to or None) each; residents and households in sight."""
    _require_editor(actor)
    if not items:
        return []
    area = scope_for(actor).work_area()
    ids = [_pk(resident) for resident, _data, _household in items]
    locked = {r.pk: r for r in visible(Resident.objects.select_for_update(of=("self",)), area).filter(pk__in=ids)}
    targets = {_pk(h) for _r, _d, h in items if h not in (None, "")}
    if targets:
        _all_in_sight(Household, actor, targets, field="household", label="户")
    updates, moves, changed = [], [], []
    for index, (resident, data, household) in enumerate(items):
        current = locked.get(_pk(resident))
        if current is None:
            raise _item_failed(ValidationError({"resident": OUT_OF_SIGHT.format(label="居民")}), index)
        unknown = set(data) - set(RESIDENT_FIELDS)
        if unknown:
            raise _item_failed(ValidationError({name: "该字段不能在此修改。" for name in unknown}), index)
        before = audit.snapshot(current)
        for name, value in data.items():
            setattr(current, name, value.strip() if name == "name" and isinstance(value, str) else value)
        _cleaned(current, index, exclude=["household", "user"])
        current.derive()
        middle = audit.snapshot(current)
        if audit.diff(before, middle):
            updates.append((current, audit.diff(before, middle)))
        if household not in (None, "") and _pk(household) != current.household_id:
            current.household_id = _pk(household)
            moves.append((current, audit.diff(middle, audit.snapshot(current))))
        changed.append(current)
    with _batch_duplicate_guard():
        Resident.objects.bulk_update(changed, [*RESIDENT_FIELDS, *DERIVED_FIELDS, "household"])
    _audited(actor, updates, "update")
    _audited(actor, moves, "move")
    scope_changed({r.user_id for r in changed})
    return changed


def _locked_resident(actor, resident) -> Resident:
    return get_visible(Resident.objects.select_for_update(of=("self",)), scope_for(actor).work_area(), _pk(resident))


@transaction.atomic(durable=True)
def resident_update(*, actor, resident, data: dict, care_tags: Iterable | None = None,
                    household=None, relation: str | None = None,
                    sensitive_tags: Iterable | None = None) -> Resident:
    """Change a resident's own fields; optionally their care tags, sensitive tags and (as a move) household.

    A key absent from `data` is left unchanged: the edit form never holds the full ID number or
    phone (that would unmask them without an audit entry), so an empty entry there means "keep".
    One request, one outcome: a refused part (say, sensitive tags the actor may not set) leaves the
    whole record as it was.
    """
    resident = resident_change(actor=actor, resident=resident, data=data, care_tags=care_tags,
                               household=household, relation=relation)
    if sensitive_tags is not None:
        resident = resident_set_sensitive_tags(actor=actor, resident=resident, codes=sensitive_tags)
    return resident


@transaction.atomic
def resident_change(*, actor, resident, data: dict, care_tags: Iterable | None = None,
                    household=None, relation: str | None = None) -> Resident:
    """`resident_update` without sensitive tags, for writers that change many residents in one transaction
    of their own (an import commits all its rows or none, so it cannot use the durable update)."""
    _require_editor(actor)
    resident = _locked_resident(actor, resident)
    unknown = set(data) - set(RESIDENT_FIELDS)
    if unknown:
        raise ValidationError({name: "该字段不能在此修改。" for name in unknown})
    cleaned = {k: (v.strip() if isinstance(v, str) and k == "name" else v) for k, v in data.items()}
    errors = {}
    tags = None
    if care_tags is not None:
        try:
            tags = _care_tags(care_tags)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if household not in (None, "") and _pk(household) != resident.household_id:
        try:
            _in_sight(Household, actor, household, field="household", label="户")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        # Validate the plain fields as well, so every mistake is reported in one answer.
        probe = Resident(**{f: getattr(resident, f) for f in RESIDENT_FIELDS}, household_id=resident.household_id)
        probe.pk = resident.pk
        for name, value in cleaned.items():
            setattr(probe, name, value)
        _check(probe, errors=errors)
    with _duplicate_guard():
        resident = core.update(actor=actor, instance=resident, data=cleaned)
    if tags is not None:
        _set_m2m(actor=actor, instance=resident, field="care_tags", objects=tags)
    if household not in (None, "") and _pk(household) != resident.household_id:
        resident = resident_move(actor=actor, resident=resident, household=household, relation=relation)
    return resident


@transaction.atomic
def resident_move(*, actor, resident, household, relation: str | None = None) -> Resident:
    """Move a resident to another household (both must be in the actor's jurisdiction)."""
    _require_editor(actor)
    resident = _locked_resident(actor, resident)
    target = _in_sight(Household, actor, household, field="household", label="户")
    data = {"household": target}
    if relation:
        data["relation"] = relation
    return core.update(actor=actor, instance=resident, data=data, action="move")


@transaction.atomic
def resident_set_care_tags(*, actor, resident, codes: Iterable) -> Resident:
    _require_editor(actor)
    resident = _locked_resident(actor, resident)
    _set_m2m(actor=actor, instance=resident, field="care_tags", objects=_care_tags(codes))
    return resident


@transaction.atomic
def resident_set_sensitive_tags(*, actor, resident, codes: Iterable) -> Resident:
    """Sensitive tags are need-to-know: only roles that may unmask may read or set them."""
    _require_editor(actor)
    stored = _sensitive(actor, list(codes))
    resident = _locked_resident(actor, resident)
    require(can_unmask(actor, resident), "您没有设置敏感标签的权限。")
    return core.update(actor=actor, instance=resident, data={"sensitive_tags": stored}, action="set_sensitive_tags")


@transaction.atomic(durable=True)  # the audit entry of a look must be committed, whatever a caller does next
def resident_unmask(*, actor, resident) -> dict:
    """The full ID number, phone and sensitive tags, once, with an audit entry naming what was seen."""
    resident = get_visible(Resident, scope_for(actor), _pk(resident))
    require(can_unmask(actor, resident), "您没有查看完整身份证号和电话的权限。")
    audit.record(actor=actor, action="unmask", obj=resident, changes={"fields": list(UNMASKED_FIELDS)})
    return {
        "id": resident.pk,
        "id_number": resident.id_number,
        "phone": resident.phone,
        "sensitive_tags": [{"code": c, "name": SENSITIVE_TAGS.get(c, c)} for c in resident.sensitive_tag_codes],
    }


# Party members

def _partymember_refs(actor, refs: dict, errors: dict) -> dict:
    """Resolve the objects a party member points at, each checked against the actor's sight."""
    resolved = {}
    if refs.get("home_branch") not in (None, ""):
        try:
            resolved["home_branch"] = _in_sight(selectors.party_orgs_visible_to(actor, scope=scope_for(actor).work_area()),
                                                actor, refs["home_branch"], field="home_branch", label="党组织")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    elif "home_branch" in refs:
        resolved["home_branch"] = None
    if refs.get("dual_registered_community") not in (None, ""):
        communities = selectors.communities_visible_to(actor, scope=scope_for(actor).work_area())
        obj = communities.filter(pk=_pk(refs["dual_registered_community"])).first() \
            if str(_pk(refs["dual_registered_community"])).isdigit() else None
        if obj is None:
            errors["dual_registered_community"] = [OUT_OF_SIGHT.format(label="社区")]
        resolved["dual_registered_community"] = obj
    elif "dual_registered_community" in refs:
        resolved["dual_registered_community"] = None
    if refs.get("cared_households") is not None:
        try:
            resolved["cared_households"] = _all_in_sight(Household, actor, refs["cared_households"],
                                                         field="cared_households", label="联系户")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    return resolved


def _lost_contact_rule(member: PartyMember, errors: dict) -> None:
    if member.lost_contact and not (member.search_record or "").strip():
        errors.setdefault("search_record", []).append("标记为失联党员时须填写查找记录。")


@transaction.atomic
def partymember_create(*, actor, resident, category: str, home_branch=None, joined_on=None, employer: str = "",
                       dual_registered_community=None, dual_registered_on=None, lost_contact: bool = False,
                       search_record: str = "", cared_households: Iterable = ()) -> PartyMember:
    _require_editor(actor)
    errors = {}
    person = None
    try:
        person = _in_sight(Resident, actor, resident, field="resident", label="居民")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if person is not None and PartyMember.objects.filter(resident=person).exists():
        errors["resident"] = ["该居民已登记为党员。"]
    refs = _partymember_refs(actor, {"home_branch": home_branch,
                                     "dual_registered_community": dual_registered_community,
                                     "cared_households": list(cared_households)}, errors)
    member = PartyMember(resident=person, category=category, joined_on=joined_on, employer=employer or "",
                         dual_registered_on=dual_registered_on, lost_contact=bool(lost_contact),
                         search_record=search_record or "", home_branch=refs.get("home_branch"),
                         dual_registered_community=refs.get("dual_registered_community"))
    _lost_contact_rule(member, errors)
    _check(member, exclude=["resident"] if person is None or "resident" in errors else [], errors=errors)
    data = {f: getattr(member, f) for f in PARTYMEMBER_FIELDS} | {
        "resident": person, "home_branch": member.home_branch,
        "dual_registered_community": member.dual_registered_community}
    member = core.create(actor=actor, model=PartyMember, data=data)
    _set_m2m(actor=actor, instance=member, field="cared_households", objects=refs.get("cared_households", []))
    return member


@transaction.atomic
def partymember_update(*, actor, member, data: dict) -> PartyMember:
    """Change a member's file; keys absent from `data` stay as they are (the resident never changes)."""
    _require_editor(actor)
    member = get_visible(PartyMember.objects.select_for_update(of=("self",)), scope_for(actor).work_area(), _pk(member))
    allowed = set(PARTYMEMBER_FIELDS) | {"home_branch", "dual_registered_community", "cared_households"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({name: "该字段不能在此修改。" for name in unknown})
    errors = {}
    refs = _partymember_refs(actor, {k: data[k] for k in ("home_branch", "dual_registered_community",
                                                           "cared_households") if k in data}, errors)
    plain = {k: data[k] for k in PARTYMEMBER_FIELDS if k in data}
    plain.update({k: v for k, v in refs.items() if k != "cared_households"})
    probe = PartyMember.objects.get(pk=member.pk)
    for name, value in plain.items():
        setattr(probe, name, value)
    _lost_contact_rule(probe, errors)
    _check(probe, errors=errors)
    member = core.update(actor=actor, instance=member, data=plain)
    if "cared_households" in refs:
        _set_m2m(actor=actor, instance=member, field="cared_households", objects=refs["cared_households"])
    return member


# Grid workers

@transaction.atomic
def gridworker_create(*, actor, name: str, grids: Iterable, phone: str = "", kind: str = GridWorker.Kind.FULL_TIME,
                      duties: str = "", started_on=None) -> GridWorker:
    _require_editor(actor)
    errors = {}
    grid_objs = []
    grids = list(grids or [])
    if not grids:
        errors["grids"] = ["请至少选择一个负责网格。"]
    else:
        try:
            grid_objs = _all_in_sight(Grid, actor, grids, field="grids", label="网格")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    worker = GridWorker(name=(name or "").strip(), phone=phone or "", kind=kind, duties=duties or "",
                        started_on=started_on)
    _check(worker, errors=errors)
    worker = core.create(actor=actor, model=GridWorker, data={f: getattr(worker, f) for f in GRIDWORKER_FIELDS})
    _set_m2m(actor=actor, instance=worker, field="grids", objects=grid_objs)
    return worker


@transaction.atomic
def gridworker_update(*, actor, worker, data: dict, grids: Iterable | None = None) -> GridWorker:
    """Change a grid worker; grids, when given, replace the old ones and must all be in sight.

    Grids outside the actor's sight that the worker already serves are kept: an actor can only
    add or remove grids they themselves look after.
    """
    _require_editor(actor)
    worker = get_visible(GridWorker.objects.select_for_update(), scope_for(actor).work_area(), _pk(worker))
    unknown = set(data) - set(GRIDWORKER_FIELDS)
    if unknown:
        raise ValidationError({name: "该字段不能在此修改。" for name in unknown})
    errors = {}
    new_grids = None
    if grids is not None:
        grids = list(grids)
        try:
            chosen = _all_in_sight(Grid, actor, grids, field="grids", label="网格") if grids else []
            hidden = list(worker.grids.exclude(pk__in=visible(Grid.objects.all(), scope_for(actor).work_area()).values("pk")))
            new_grids = chosen + hidden
            if not new_grids:
                errors["grids"] = ["请至少选择一个负责网格。"]
        except ValidationError as exc:
            errors.update(exc.message_dict)
    probe = GridWorker.objects.get(pk=worker.pk)
    for name, value in data.items():
        setattr(probe, name, value)
    _check(probe, errors=errors)
    worker = core.update(actor=actor, instance=worker, data=dict(data))
    if new_grids is not None:
        _set_m2m(actor=actor, instance=worker, field="grids", objects=new_grids)
    return worker
