"""The searched pickers of the people registry (core.picker): residents and households.

What an option shows is what any page shows of a person in sight: the name, the home, and the last
digits of the masked numbers, never a whole number.
"""

from linli.core.picker import Source
from linli.people import selectors

_HOME = "household__dwelling__entrance__building__compound"


def _resident_detail(resident) -> str:
    tails = [f"{what}尾号 {value[-4:]}" for what, value in (("身份证", resident.id_number_masked),
                                                             ("手机", resident.phone_masked)) if value]
    return " · ".join(tails)


def _household_label(household) -> str:
    number = f" · 户号 {household.number}" if household.number else ""
    return f"{household.dwelling}{number}"


def _household_detail(household) -> str:
    head = getattr(household, "head_name", None)
    return f"户主 {head}" if head else ""


RESIDENTS = Source(
    url_name="people:pick_residents", noun="居民", placeholder="姓名，或证件号/手机号后四位",
    search=selectors.residents_matching,
    label=lambda r: f"{r.name}（{r.household.dwelling}）",
    detail=_resident_detail,
    prepare=lambda qs: qs.select_related(_HOME))

HOUSEHOLDS = Source(
    url_name="people:pick_households", noun="户", placeholder="小区、房号或成员姓名",
    search=selectors.households_matching,
    label=_household_label,
    detail=_household_detail,
    prepare=lambda qs: selectors.with_head_name(qs.select_related("dwelling__entrance__building__compound")))
