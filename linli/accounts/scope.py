"""Building an actor's Scope from their assignments (see linli.core.scoping for how it filters).

Registered with core in AccountsConfig.ready(): core asks for a Scope, accounts knows where the
assignments and the resident record are.
"""

import uuid

from django.db.models import F

from linli.accounts.models import EDITOR_ROLES, IMPORT_ROLES, UNMASK_ROLES, Assignment, Role, User
from linli.core.scoping import NOTHING, Scope, ScopeProvider, scope_for, visible


def build_scope(user) -> Scope:
    """The user's sight from the database: their assignments and where they live."""
    assignments = list(Assignment.objects.filter(user=user).select_related("unit"))
    roles = frozenset(a.role for a in assignments)
    everything = user.is_superuser or Role.ADMIN.value in roles
    resident = _resident_of(user)
    return Scope(
        everything=everything,
        unit_prefixes=tuple(sorted({a.unit.prefix for a in assignments if a.unit_id})),
        grid_ids=tuple(sorted({a.grid_id for a in assignments if a.grid_id})),
        compound_ids=tuple(sorted({a.compound_id for a in assignments if a.compound_id})),
        user_id=user.pk,
        resident_ids=(resident.pk,) if resident else (),
        household_ids=(resident.household_id,) if resident else (),
        home_compound_ids=(resident.home_compound_id,) if resident else (),
        roles=roles | ({"resident"} if resident else set()) | ({"admin"} if user.is_superuser else set()),
    )


def _resident_of(user):
    """The user's resident record with its home compound, in one query (or None)."""
    from linli.people.models import Resident

    return (Resident.objects.filter(user=user)
            .annotate(home_compound_id=F("household__dwelling__entrance__building__compound_id"))
            .only("id", "household_id").first())


def scope_version(user) -> str:
    # is_superuser is read from the user row itself, so it is part of the version, not bumped.
    return f"{user.scope_version}.{int(user.is_superuser)}"


def bump_scope_version(user_ids: set) -> None:
    User.objects.filter(pk__in=user_ids).update(scope_version=uuid.uuid4().hex)


PROVIDER = ScopeProvider(build=build_scope, version=scope_version, bump=bump_scope_version)


def can_edit(user) -> bool:
    return bool(scope_for(user).roles & EDITOR_ROLES)


def _role_scope(user, roles: frozenset, kept: str) -> Scope:
    """The nodes of the user's assignments in these roles only: another role held elsewhere, or living
    somewhere, never widens it (no resident part, no "everything")."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    cached = getattr(user, kept, None)
    if cached is not None:
        return cached
    assignments = list(Assignment.objects.filter(user=user, role__in=roles).select_related("unit"))
    scope = Scope(
        unit_prefixes=tuple(sorted({a.unit.prefix for a in assignments if a.unit_id})),
        grid_ids=tuple(sorted({a.grid_id for a in assignments if a.grid_id})),
        compound_ids=tuple(sorted({a.compound_id for a in assignments if a.compound_id})),
        roles=frozenset(a.role for a in assignments),
    )
    setattr(user, kept, scope)
    return scope


def unmask_scope(user) -> Scope:
    """Where the user's work needs full values: the nodes of their unmasking-role assignments only."""
    return _role_scope(user, UNMASK_ROLES, "_linli_unmask_scope")


def import_scope(user) -> Scope:
    """Where the user may import registers: the nodes of their importing-role assignments only."""
    return _role_scope(user, IMPORT_ROLES, "_linli_import_scope")


def can_import(user) -> bool:
    return bool(scope_for(user).roles & IMPORT_ROLES)


def can_unmask(user, subject=None) -> bool:
    """May this user see the full values behind a mask (each look is audited by the caller)?

    Without a subject: whether the user holds a role whose work needs full values at all (to offer
    the button or the field). With a subject (a resident, a case, any row with `scoping`): whether it
    lies where that role works. The rule, and why, is the table in docs/ARCHITECTURE.md
    ("Sensitive personal data"); no permission or superuser flag widens it.
    """
    if not (scope_for(user).roles & UNMASK_ROLES):
        return False
    if subject is None:
        return True
    rows = type(subject)._default_manager.filter(pk=subject.pk)
    return visible(rows, unmask_scope(user)).exists()
