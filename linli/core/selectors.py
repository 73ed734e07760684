"""List reads of core data: the audit log."""

import datetime as dt
from collections.abc import Mapping

from django.db.models import QuerySet

from linli.core.models import AuditEntry
from linli.core.scoping import Scope, visible


def audit_list_visible_to(*, scope: Scope, filters: Mapping | None = None) -> QuerySet:
    """Audit entries the scope may read (AuditEntry has no place on the tree: only the whole-area roles).

    Filters: actor (username, exact, case-insensitive), action, object_type, channel,
    date_from / date_to (dates, inclusive, in the site's time zone).
    """
    filters = filters or {}
    qs = visible(AuditEntry.objects.all(), scope)
    if filters.get("actor"):
        qs = qs.filter(actor_repr__iexact=filters["actor"])
    for name in ("action", "object_type", "channel"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if isinstance(filters.get("date_from"), dt.date):
        qs = qs.filter(at__date__gte=filters["date_from"])
    if isinstance(filters.get("date_to"), dt.date):
        qs = qs.filter(at__date__lte=filters["date_to"])
    return qs.order_by("-at", "-id")


def audit_choices() -> dict:
    """The actions and object types that occur in the log, for the filter drop-downs."""
    entries = AuditEntry.objects.order_by()
    return {
        "actions": list(entries.values_list("action", flat=True).distinct().order_by("action")),
        "object_types": list(entries.values_list("object_type", flat=True).distinct().order_by("object_type")),
    }
