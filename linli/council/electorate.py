"""Who votes in a ballot: owners (grouped per SPC interpretation Arts. 8–9), households or Party members.

`group_owners` is pure so it can be tested exhaustively; `build` reads the registry and returns the
voter specs that `services.ballot_open` freezes into `Voter` rows.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from linli.council.models import Ownership
from linli.people.models import Household, PartyMember, Resident
from linli.places.models import Dwelling

DEVELOPER = "developer"


@dataclass
class Spec:
    key: str
    label: str
    area: Decimal = Decimal(0)
    dwelling_ids: list = field(default_factory=list)
    resident_ids: list = field(default_factory=list)


def group_owners(dwellings, ownerships):
    """Owners as groups of dwellings.

    dwellings: iterable of (dwelling_id, area or None, developer_unsold).
    ownerships: iterable of (person_key, dwelling_id) — person_key identifies one natural person.
    Returns a list of (key, [dwelling ids], area): every unsold dwelling in the one developer group;
    dwellings sharing any owner in one group (a buyer of several counts once); every other dwelling
    is its own owner, registered owner or not (one dwelling, one owner).
    """
    dwellings = sorted(dwellings)
    unsold = {d for d, _, u in dwellings if u}
    area = {d: Decimal(a or 0) for d, a, _ in dwellings}
    parent = {d: d for d in area}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_of = {}
    for person, dwelling in sorted(ownerships):
        if dwelling not in parent or dwelling in unsold:
            continue
        if person in first_of:
            a, b = find(first_of[person]), find(dwelling)
            if a != b:
                parent[max(a, b)] = min(a, b)
        else:
            first_of[person] = dwelling
    groups = {}
    for d in area:
        if d in unsold:
            continue
        groups.setdefault(find(d), []).append(d)
    result = [(f"owner:{root}", sorted(ids), sum((area[i] for i in ids), Decimal(0)))
              for root, ids in sorted(groups.items())]
    if unsold:
        result.append((DEVELOPER, sorted(unsold), sum((area[i] for i in unsold), Decimal(0))))
    return result


def owners(dwelling_qs) -> list[Spec]:
    rows = list(dwelling_qs.order_by("pk").select_related("entrance__building"))
    by_id = {d.pk: d for d in rows}
    living = list(Resident.objects.filter(is_owner=True, household__dwelling_id__in=by_id)
                  .values("id", "name", "household__dwelling_id"))
    registered = list(Ownership.objects.filter(dwelling_id__in=by_id)
                      .values("dwelling_id", "resident_id", "resident__name"))
    residents = [{"id": r["id"], "name": r["name"], "dwelling": r["household__dwelling_id"]} for r in living]
    residents += [{"id": o["resident_id"], "name": o["resident__name"], "dwelling": o["dwelling_id"]}
                  for o in registered]
    # One Resident row is one person (the ID number is unique in the registry).
    ownerships = [(r["id"], r["dwelling"]) for r in residents]
    groups = group_owners([(d.pk, d.area, d.developer_unsold) for d in rows], ownerships)
    specs = []
    for key, ids, area in groups:
        homes = [f"{by_id[i].entrance.building.number}{by_id[i].entrance.number}{by_id[i].number}" for i in ids]
        if key == DEVELOPER:
            names, voters = "建设单位（未售房屋，合计按一人计）", []
        else:
            members = [r for r in residents if r["dwelling"] in ids]
            voters = sorted({r["id"] for r in members})
            names = "、".join(sorted({r["name"] for r in members})) or "（未登记业主）"
        shown = "、".join(homes[:3]) + (f" 等{len(homes)}套" if len(homes) > 3 else "")
        specs.append(Spec(key=key, label=f"{names} · {shown}"[:200], area=area, dwelling_ids=ids,
                          resident_ids=voters))
    return specs


def households(household_qs) -> list[Spec]:
    specs = []
    for household in household_qs.order_by("pk").select_related("dwelling__entrance__building"):
        members = list(household.members.values_list("id", flat=True))
        specs.append(Spec(key=f"household:{household.pk}", label=str(household.dwelling)[:200],
                          resident_ids=members))
    return specs


def party_members(party_org) -> list[Spec]:
    members = PartyMember.objects.filter(home_branch=party_org).select_related("resident").order_by("pk")
    return [Spec(key=f"member:{m.pk}", label=m.resident.name, resident_ids=[m.resident_id]) for m in members]


def build(ballot) -> list[Spec]:
    """The electorate a ballot declares: its rule says who, its compound/entrance/branch says where."""
    if ballot.rule == "owners_278":
        return owners(Dwelling.objects.filter(entrance__building__compound_id=ballot.compound_id))
    if ballot.rule == "entrance_owners":
        return owners(Dwelling.objects.filter(entrance_id=ballot.entrance_id))
    if ballot.rule == "household_consent":
        qs = Household.objects.filter(dwelling__entrance__building__compound_id=ballot.compound_id)
        if ballot.entrance_id:
            qs = qs.filter(dwelling__entrance_id=ballot.entrance_id)
        return households(qs)
    if ballot.rule == "party_members":
        return party_members(ballot.party_org)
    raise ValueError(f"unknown rule {ballot.rule}")


ELECTORATE_NAMES = {
    "owners_278": "本小区全体业主（按专有部分计，同一买受人多套按一人，建设单位未售房屋合计按一人）",
    "entrance_owners": "本单元全体业主（按专有部分计，同一买受人多套按一人）",
    "household_consent": "本小区（或本单元）全体住户，每户一票",
    "party_members": "组织关系在本支部的全体党员",
}
