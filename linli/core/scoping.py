"""Jurisdiction: the one mechanism that decides which rows an actor can see.

A staff user's jurisdiction is a set of nodes of the place tree (district, street, community,
grid, compound); they see everything below those nodes and nothing beside. Administrative units
carry 12-digit statistical codes in which a district is a 6-digit prefix and a street a 9-digit
one, so "below a unit" is a code-prefix test. A resident sees what the model's `own` rule allows.

Each scoped model declares a `scoping = Scoping(...)` class attribute saying how its rows reach
the tree; `visible()` turns an actor's Scope into one filter. Selectors, access checks, the API
and the admin all call `visible()`, so the rule lives here only.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

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


NOTHING = Scope()


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
    # `own` rules must filter through subqueries, never joins, so rows are not duplicated.
    if rules.own is not None and scope.resident_ids:
        q |= rules.own(scope)
    return q


def visible(queryset: QuerySet, scope: Scope, *, write: bool = False) -> QuerySet:
    """The rows in sight; with write, only those the scope may change (see Scoping.write)."""
    return queryset.filter(visible_q(queryset.model, scope, write=write))
