"""What each role's home page shows."""

from django.db.models import Case, Count, Q, Value, When

from linli.accounts.models import OFFICER_ROLES, Role
from linli.core import clock
from linli.core.scoping import scope_for, visible

_RESIDENT_COMPOUND = "household__dwelling__entrance__building__compound_id"
_RESIDENT_GRID = "household__dwelling__entrance__building__grid_id"


def home_kind(user) -> str:
    scope = scope_for(user)
    if scope.everything or scope.roles & OFFICER_ROLES or scope.unit_prefixes:
        return "officer"
    if scope.is_staff_scope:
        return "worker"
    if scope.resident_ids:
        return "resident"
    return "guest"


WORK_NOW = 8  # cases on a home page: the most urgent few, the rest one tap away in the worklist


def home_for(user) -> dict:
    kind = home_kind(user)
    context = {"kind": kind, "scope": scope_for(user)}
    builder = {"resident": _resident_home, "worker": _worker_home, "officer": _officer_home}.get(kind)
    if builder is not None:
        context.update(builder(user))
    return context


def work_now(user) -> dict:
    """What a worker or officer should do now: open cases in their sight by deadline, overdue first."""
    from linli.cases import selectors as cases

    worklist = cases.case_list_visible_to(actor=user, filters={})
    overdue = cases.case_list_visible_to(actor=user, filters={"overdue": "1"})
    return {"work": list(worklist[:WORK_NOW]), "work_count": worklist.count(), "overdue_count": overdue.count(),
            "overdue": list(overdue[:WORK_NOW])}


def _resident_now(user) -> dict:
    """A resident's open cases and the ballots of their compound they can still vote in."""
    from linli.cases import selectors as cases
    from linli.cases.models import OPEN_STATUSES
    from linli.council import selectors as council

    mine = cases.my_cases(actor=user).filter(status__in=OPEN_STATUSES)
    ballots = (council.ballot_list_visible_to(actor=user, filters={"status": "open"})
               .filter(closes_at__gt=clock.now()).order_by("closes_at"))
    return {"open_cases": list(mine[:WORK_NOW]), "open_ballots": list(ballots[:3])}


def _current(start: str = "start", end: str = "end") -> Q:
    today = clock.today()
    return Q(**{f"{start}__lte": today}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": today}))


def compound_public_info(compound) -> dict:
    """What every resident may know about their own compound: who leads it, who represents them,
    who serves it. No phone numbers or personal data here: this is shown to every resident."""
    from linli.orgs.models import PartyOrg, PropertyService, SelfOrg

    party_orgs = (PartyOrg.objects.filter(compounds=compound).select_related("parent")
                  .order_by(Case(When(level=PartyOrg.Level.BRANCH, then=Value(0)), default=Value(1)), "name"))
    self_orgs = SelfOrg.objects.filter(_current("term_start", "term_end"), compound=compound).order_by("kind")
    services = (PropertyService.objects.filter(_current(), compound=compound).select_related("company")
                .order_by("-start"))
    return {
        "party_orgs": [{"name": o.name, "level": o.get_level_display(), "formation": o.get_formation_display()}
                       for o in party_orgs],
        "self_orgs": [{"name": o.name, "kind": o.get_kind_display(), "term_start": o.term_start,
                       "term_end": o.term_end} for o in self_orgs],
        "services": [{"provider": s.company.name if s.company_id else s.provider_name,
                      "mode": s.get_mode_display(), "start": s.start, "end": s.end,
                      "red": bool(s.company_id and s.company.with_party_org)} for s in services],
    }


def _resident_home(user) -> dict:
    from linli.people.models import Resident

    scope = scope_for(user)
    me = (Resident.objects.select_related("household__dwelling__entrance__building__compound__community",
                                          "household__dwelling__entrance__building__grid")
          .get(pk=scope.resident_ids[0]))
    # The resident's own sight rule decides who of the household is shown.
    members = (visible(Resident.objects.filter(household_id=me.household_id), scope)
               .order_by(Case(When(relation=Resident.Relation.HEAD, then=Value(0)), default=Value(1)), "id"))
    dwelling = me.household.dwelling
    building = dwelling.entrance.building
    return {
        "me": me,
        "household": me.household,
        "members": [{"name": m.name, "relation": m.get_relation_display(), "phone": m.phone_masked,
                     "is_me": m.pk == me.pk} for m in members],
        "dwelling": dwelling,
        "building": building,
        "compound": building.compound,
        "grid": building.grid,
        "public": compound_public_info(building.compound),
        **_resident_now(user),
    }


def _worker_home(user) -> dict:
    """A worker's grids and compounds with how many residents, elderly and cared-for people each holds."""
    from linli.people.models import CareTag, Resident, elderly_born_before
    from linli.places.models import Compound, Grid

    # Only the work area: a worker who also lives somewhere does not count their own home here.
    scope = scope_for(user).work_area()
    cutoff = elderly_born_before(clock.today())
    residents = visible(Resident.objects.all(), scope).order_by()

    def counts_by(lookup: str) -> dict:
        rows = residents.values(lookup).annotate(n=Count("pk"), old=Count("pk", filter=Q(birth_date__lte=cutoff)))
        return {r[lookup]: (r["n"], r["old"]) for r in rows}

    by_grid, by_compound = counts_by(_RESIDENT_GRID), counts_by(_RESIDENT_COMPOUND)
    grids = list(visible(Grid.objects.all(), scope).select_related("community"))
    compounds = list(visible(Compound.objects.all(), scope).select_related("community"))
    tag_rows = dict(residents.filter(care_tags__isnull=False).values_list("care_tags").annotate(n=Count("pk")))
    tags = [{"code": t.code, "name": t.name, "count": tag_rows.get(t.pk, 0)} for t in CareTag.objects.all()]
    return {
        "grids": [{"grid": g, "residents": by_grid.get(g.pk, (0, 0))[0], "elderly": by_grid.get(g.pk, (0, 0))[1]}
                  for g in grids],
        "compounds": [{"compound": c, "residents": by_compound.get(c.pk, (0, 0))[0],
                       "elderly": by_compound.get(c.pk, (0, 0))[1]} for c in compounds],
        "totals": {"residents": sum(n for n, _ in by_compound.values()),
                   "elderly": sum(o for _, o in by_compound.values())},
        "care_tags": tags,
        "roles": [Role(r).label for r in sorted(scope_for(user).roles) if r in Role.values],
        **work_now(user),
    }


def _officer_home(user) -> dict:
    from linli.dashboard.selectors import indicators_for_actor

    return {"indicators": indicators_for_actor(actor=user), **work_now(user)}
