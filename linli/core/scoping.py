"""Jurisdiction: the one mechanism that decides which rows an actor can see.

A staff user's jurisdiction is a set of nodes of the place tree (district, street, community,
grid, compound); they see everything below those nodes and nothing beside. Administrative units
carry 12-digit statistical codes in which a district is a 6-digit prefix and a street a 9-digit
one, so "below a unit" is a code-prefix test. A resident sees what the model's `own` rule allows.

Each scoped model declares a `scoping = Scoping(...)` class attribute saying how its rows reach
the tree; `visible()` turns an actor's Scope into one filter. Selectors, access checks, the API
and the admin all call `visible()`, so the rule lives here only.

`scope_for(user)` is the actor's Scope. Building one reads the user's assignments and resident
record, which live in domains that build on this module, so the domain that owns them registers a
`ScopeProvider` (accounts does, in its AppConfig.ready()). A Scope holds literal code prefixes and
ids only: it is computed once per request (kept on the user object) and cached across requests
under (user id, version), in the process and in Django's cache; every write that changes what a user's Scope would hold bumps the version
(`scope_changed`, called by `core.services` for rows that declare `sight_users()`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from linli.core.replica import primary_reads

Lookup = str | Callable[[tuple], Q] | None


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    unit_prefixes: tuple[str, ...] = ()
    grid_ids: tuple[int, ...] = ()
    compound_ids: tuple[int, ...] = ()
    # For residents: who they are and where they live.
    user_id: int | None = None
    resident_ids: tuple[int, ...] = ()
    household_ids: tuple[int, ...] = ()
    home_compound_ids: tuple[int, ...] = ()
    roles: frozenset = field(default_factory=frozenset)

    @property
    def is_staff_scope(self) -> bool:
        return self.everything or bool(self.unit_prefixes or self.grid_ids or self.compound_ids)

    @property
    def is_officer(self) -> bool:
        """Officers watch administrative units (community and up); a grid or compound is not one."""
        return self.everything or bool(self.unit_prefixes)

    def work_area(self) -> "Scope":
        """The jurisdiction without what living somewhere lets one see (one's own household, cases).

        A staff member may read their own home like any resident, but changing, unmasking or
        managing records is work, and work is bounded by the jurisdiction alone.
        """
        return replace(self, user_id=None, resident_ids=(), household_ids=(), home_compound_ids=())

    def unit_area(self) -> "Scope":
        """The part of the work area that comes from whole administrative units."""
        return replace(self.work_area(), grid_ids=(), compound_ids=())

    def covers_unit(self, code: str) -> bool:
        """Whether the unit with this 12-digit code lies wholly inside the jurisdiction."""
        return self.everything or any(code.startswith(prefix) for prefix in self.unit_prefixes)


NOTHING = Scope()


@dataclass(frozen=True)
class ScopeProvider:
    """How the domain that owns assignments and residence builds a user's Scope.

    build(user) -> Scope, from the database.
    version(user) -> str, read from the loaded user: it changes whenever build's answer would.
    bump(user_ids): make the next version() of these users differ (inside the writer's transaction).
    """

    build: Callable[[Any], Scope]
    version: Callable[[Any], str]
    bump: Callable[[set], None]


_provider: ScopeProvider | None = None
# Keys carry the version, so an entry is never stale: the timeout only bounds the memory it takes.
SCOPE_CACHE_SECONDS = 24 * 3600
# The same entries kept in this process too, so a request's sight costs neither a cache round trip nor
# unpickling. Keyed like the shared cache (the version is read from the user row the request loaded),
# so it is exactly as fresh; emptied whole past this many entries (a dict is safe across threads).
_local: dict[str, Scope] = {}
LOCAL_MAX = 5000


def provide(provider: ScopeProvider) -> None:
    global _provider
    _provider = provider


def _provider_or_fail() -> ScopeProvider:
    if _provider is None:
        raise ImproperlyConfigured("No ScopeProvider registered: linli.accounts must be installed.")
    return _provider


def scope_for(user) -> Scope:
    """The user's sight: once per user object (i.e. per request), cached across requests by version."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    kept = getattr(user, "_linli_scope", None)
    if kept is not None:
        return kept
    provider = _provider_or_fail()
    key = f"linli:scope:{user.pk}:{provider.version(user)}"
    scope = _local.get(key)
    if scope is None:
        scope = cache.get(key)
        if scope is None:
            with primary_reads():  # sight is never built from a lagging replica (core/replica.py)
                scope = provider.build(user)
            cache.set(key, scope, SCOPE_CACHE_SECONDS)
        if len(_local) >= LOCAL_MAX:
            _local.clear()
        _local[key] = scope
    user._linli_scope = scope
    return scope


def scope_changed(user_ids: Iterable[int | None]) -> None:
    """These users' positions, assignments or residence changed: their next request rebuilds."""
    ids = {pk for pk in user_ids if pk}
    if ids:
        _provider_or_fail().bump(ids)


def sight_users(instance) -> set:
    """The users whose Scope this row shapes, as stored now (models declare `sight_users()`)."""
    declared = getattr(instance, "sight_users", None)
    return set(declared()) if declared is not None else set()


@dataclass(frozen=True)
class Scoping:
    """How a model's rows hang on the place tree.

    code: lookup to the community's 12-digit code (prefix-matched), or a callable(prefixes) -> Q.
    compound: lookup to the compound id, or a callable(ids) -> Q.
    grid: lookup to the grid id, or a callable(ids) -> Q.
    own: callable(scope) -> Q for what a resident sees of this model (None: nothing).
    write: the rules for changing a row, when narrower than for reading it (None: the same). A row
        reached through a relation that has a history (a company that served a compound until
        2019) lets the area read that history; only a relation valid today lets it change the row.
    """

    code: Lookup = None
    compound: Lookup = None
    grid: Lookup = None
    own: Callable[[Scope], Q] | None = None
    write: "Scoping | None" = None


def _term(lookup: Lookup, values: tuple, kind: str) -> Q | None:
    if lookup is None or not values:
        return None
    if callable(lookup):
        return lookup(values)
    if kind == "code":
        q = Q()
        for prefix in values:
            q |= Q(**{f"{lookup}__startswith": prefix})
        return q
    return Q(**{f"{lookup}__in": values})


def visible_q(model, scope: Scope, *, write: bool = False) -> Q:
    if scope.everything:
        return Q()
    rules: Scoping = getattr(model, "scoping", None)
    if rules is None:
        return Q(pk__in=[])
    if write and rules.write is not None:
        rules = rules.write
    q = Q(pk__in=[])
    for lookup, values, kind in (
        (rules.code, scope.unit_prefixes, "code"),
        (rules.compound, scope.compound_ids, "id"),
        (rules.grid, scope.grid_ids, "id"),
    ):
        term = _term(lookup, values, kind)
        if term is not None:
            q |= term
    # `own` rules must filter through subqueries, never joins, so rows are not duplicated. They apply
    # to residents, and to logins with neither a jurisdiction nor a home (the narrow roles, such as a
    # partner unit's staff), who see only what the rules give their user id.
    if rules.own is not None and (scope.resident_ids or (scope.user_id is not None and not scope.is_staff_scope)):
        q |= rules.own(scope)
    return q


def visible(queryset: QuerySet, scope: Scope, *, write: bool = False) -> QuerySet:
    """The rows in sight; with write, only those the scope may change (see Scoping.write)."""
    return queryset.filter(visible_q(queryset.model, scope, write=write))


def disjoint(scopes: list[Scope]) -> bool:
    """Whether the scopes surely share no row: all of unit prefixes, none under another's, or all of
    compounds, none in two. A grid may share compounds with another grid, so grids never are."""
    if any(s.everything or s.grid_ids or s.resident_ids or s.household_ids or s.home_compound_ids
           for s in scopes):
        return False
    if all(s.unit_prefixes and not s.compound_ids for s in scopes):
        pairs = [(i, p) for i, s in enumerate(scopes) for p in s.unit_prefixes]
        return not any(i != j and q.startswith(p) for i, p in pairs for j, q in pairs)
    if all(s.compound_ids and not s.unit_prefixes for s in scopes):
        ids = [pk for s in scopes for pk in set(s.compound_ids)]
        return len(ids) == len(set(ids))
    return False


def scope_index(model, scopes: Iterable[Scope]) -> tuple[Q, Case]:
    """(rows in sight of any scope, the index of the first scope that sees the row) for one query
    grouped by scope. Only for scopes that share no rows (see `disjoint`), such as a node's children."""
    terms = [visible_q(model, scope) or Q(pk__isnull=False) for scope in scopes]
    union = Q(pk__in=[])
    for term in terms:
        union |= term
    index = Case(*[When(term, then=Value(i)) for i, term in enumerate(terms)], output_field=IntegerField())
    return union, index
