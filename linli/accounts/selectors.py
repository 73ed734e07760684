"""What each role's home page shows."""

from linli.accounts.models import OFFICER_ROLES
from linli.accounts.scope import scope_for


def home_kind(user) -> str:
    scope = scope_for(user)
    if scope.everything or scope.roles & OFFICER_ROLES or scope.unit_prefixes:
        return "officer"
    if scope.is_staff_scope:
        return "worker"
    if scope.resident_ids:
        return "resident"
    return "guest"


def home_for(user) -> dict:
    return {"kind": home_kind(user), "scope": scope_for(user)}
