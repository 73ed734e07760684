"""Which cases an Open311 reader may list.

With a key, the reader is the Linli user the key is bound to: the cases that user sees
(`core.scoping.visible` over `scope_for(user)`), every category, descriptions as written.

Without a key, the reader is the public. A city publishes what it is asked to fix in public space
and how fast it fixes it, so anonymous readers list every case in the jurisdiction EXCEPT the
categories about people rather than places (neighbour disputes, help for the elderly, errands run
for someone, policy questions: `PRIVATE_CATEGORIES`, configurable as
`LINLI_OPEN311_PRIVATE_CATEGORIES`). The anonymous view carries no names, phones or dwellings, and
descriptions and results have phone and ID numbers masked (see `present.py`). Residents' own
accounts are not an Open311 reader: they follow their cases on the Linli pages.
"""

from dataclasses import dataclass

# The one list lives with the cases (their follow and duplicate rules use it too); Open311 reads it.
from linli.cases.models import OPEN_STATUSES, Case, Status
from linli.core.scoping import scope_for, visible
from linli.places.models import AdminUnit

# Open311 knows two states; a solved case waiting for the resident's rating is closed for the city.
CLOSED_STATUSES = (Status.SOLVED, Status.CLOSED)


from linli.cases.catalogue import private_categories  # noqa: E402


def open311_status(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


@dataclass(frozen=True)
class RequestFilters:
    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # "open" / "closed"
    start: object = None
    end: object = None


def jurisdictions():
    """Open311 jurisdictions are districts, named by their 12-digit code."""
    return AdminUnit.objects.filter(level=AdminUnit.Level.DISTRICT)


def jurisdiction_get(code: str):
    return jurisdictions().filter(code=code).first()


def readable_cases(*, actor, jurisdiction=None):
    if actor is not None:
        qs = visible(Case.objects.all(), scope_for(actor))
    else:
        qs = Case.objects.exclude(category__code__in=private_categories())
    if jurisdiction is not None:
        qs = qs.filter(compound__community__code__startswith=jurisdiction.prefix)
    return qs.select_related("category", "compound__community__parent__parent", "building", "dwelling__entrance",
                             "open311")


def request_list_visible_to(*, actor, filters: RequestFilters, jurisdiction=None):
    """GET requests: a list of ids overrides every other filter, as the specification says."""
    qs = readable_cases(actor=actor, jurisdiction=jurisdiction)
    if filters.ids:
        return qs.filter(pk__in=filters.ids).order_by("-requested_at", "-id")
    if filters.service_codes:
        qs = qs.filter(category__code__in=filters.service_codes)
    if filters.statuses and set(filters.statuses) != {"open", "closed"}:
        qs = qs.filter(status__in=OPEN_STATUSES if "open" in filters.statuses else CLOSED_STATUSES)
    if filters.start is not None:
        qs = qs.filter(requested_at__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(requested_at__lte=filters.end)
    return qs.order_by("-requested_at", "-id")


def request_get(*, actor, pk, jurisdiction=None):
    """One request, or None when it does not exist or is out of the reader's sight (both answer 404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return readable_cases(actor=actor, jurisdiction=jurisdiction).filter(pk=pk).first()


def compounds_for(*, actor, jurisdiction=None):
    """The compound picker of a service definition: a key sees where it may file, the public all."""
    from linli.cases.access import intake_compounds
    from linli.places.models import Compound

    qs = intake_compounds(actor) if actor is not None else Compound.objects.all()
    if jurisdiction is not None:
        qs = qs.filter(community__code__startswith=jurisdiction.prefix)
    return qs.order_by("community__code", "name")
