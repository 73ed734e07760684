"""The Art. 278 tally at its boundaries, and the owner counting of SPC interpretation Arts. 8–9."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from linli.council import tally
from linli.council.electorate import DEVELOPER, group_owners

MAJOR = tally.Ballot("owners_278", "major")
ORDINARY = tally.Ballot("owners_278", "ordinary")

areas = st.decimals(min_value=Decimal("20.00"), max_value=Decimal("300.00"), places=2)
ks = st.integers(min_value=1, max_value=25)


def _holds(result):
    return [c["holds"] for c in result["conditions"]]


@given(k=ks, area=areas)
def test_participation_of_exactly_two_thirds_holds(k, area):
    # given 3k owners of equal area, 2k of whom vote (all agree)
    voters = [(area, "agree")] * (2 * k) + [(area, None)] * k
    # when
    result = tally.explain(ORDINARY, voters)
    # then both participation conditions sit exactly on 2/3 and hold ("≥" includes the threshold)
    part_area, part_count = result["conditions"][:2]
    assert part_area["fraction"] == "2/3" and part_count["fraction"] == "2/3"
    assert part_area["holds"] and part_count["holds"]
    assert result["passed"]


@given(k=ks, area=areas)
def test_participation_one_owner_short_of_two_thirds_fails(k, area):
    # given 3k owners, 2k - 1 voting
    voters = [(area, "agree")] * (2 * k - 1) + [(area, None)] * (k + 1)
    # when
    result = tally.explain(ORDINARY, voters)
    # then
    assert _holds(result)[:2] == [False, False]
    assert not result["passed"]


@given(k=ks, area=areas)
def test_major_matter_approval_of_exactly_three_quarters_holds(k, area):
    # given 4k owners all voting, 3k agreeing
    voters = [(area, "agree")] * (3 * k) + [(area, "disagree")] * k
    # when
    result = tally.explain(MAJOR, voters)
    # then
    approval_area, approval_count = result["conditions"][2:]
    assert approval_area["fraction"] == "3/4" and approval_count["fraction"] == "3/4"
    assert approval_area["comparison"] == "≥"
    assert result["passed"]


@given(k=ks, area=areas)
def test_major_matter_one_short_of_three_quarters_fails(k, area):
    # given 4k owners voting, 3k - 1 agreeing, one abstaining
    voters = [(area, "agree")] * (3 * k - 1) + [(area, "abstain")] + [(area, "disagree")] * k
    # when
    result = tally.explain(MAJOR, voters)
    # then participation holds, approval does not
    assert _holds(result) == [True, True, False, False]
    assert not result["passed"]


@given(k=ks, area=areas)
def test_ordinary_matter_with_exactly_half_fails(k, area):
    # given 2k owners voting, exactly half agreeing
    voters = [(area, "agree")] * k + [(area, "disagree")] * k
    # when
    result = tally.explain(ORDINARY, voters)
    # then "more than half" is strict
    approval_area, approval_count = result["conditions"][2:]
    assert approval_area["fraction"] == "1/2" and approval_area["comparison"] == ">"
    assert not approval_area["holds"] and not approval_count["holds"]
    assert not result["passed"]


@given(k=ks, area=areas)
def test_ordinary_matter_one_more_than_half_passes(k, area):
    # given 2k + 1 voting, k + 1 agreeing
    voters = [(area, "agree")] * (k + 1) + [(area, "disagree")] * k
    # when / then
    assert tally.explain(ORDINARY, voters)["passed"]


@given(voters=st.lists(st.tuples(areas, st.sampled_from([None, "agree", "disagree", "abstain"])), min_size=1,
                       max_size=40), major=st.booleans())
def test_every_condition_is_the_exact_fraction_against_its_threshold(voters, major):
    # given any electorate
    # when
    result = tally.explain(MAJOR if major else ORDINARY, voters)
    # then each condition agrees with exact arithmetic on its own numerator and denominator
    total = sum(a for a, _ in voters)
    part = [(a, c) for a, c in voters if c]
    agree = [(a, c) for a, c in part if c == "agree"]
    assert result["conditions"][0]["numerator"] == str(sum((a for a, _ in part), Decimal(0)))
    assert result["conditions"][0]["denominator"] == str(total)
    assert result["conditions"][0]["holds"] == (3 * sum((a for a, _ in part), Decimal(0)) >= 2 * total)
    assert result["conditions"][1]["holds"] == (3 * len(part) >= 2 * len(voters))
    need = Fraction(3, 4) if major else Fraction(1, 2)
    if part:
        ratio = Fraction(len(agree), len(part))
        assert result["conditions"][3]["holds"] == (ratio >= need if major else ratio > need)
    else:
        assert not result["conditions"][3]["holds"]
    assert result["passed"] == all(c["holds"] for c in result["conditions"])


def test_area_fraction_is_exact_not_float():
    # given areas whose float sum is inexact (0.1 + 0.2) and that sit exactly on 2/3
    voters = [(Decimal("0.10"), "agree"), (Decimal("0.20"), "agree"), (Decimal("0.15"), None)]
    # when
    result = tally.explain(ORDINARY, voters)
    # then
    assert result["conditions"][0]["numerator"] == "0.30"
    assert result["conditions"][0]["denominator"] == "0.45"
    assert result["conditions"][0]["fraction"] == "2/3"
    assert result["conditions"][0]["holds"]


@given(n=st.integers(min_value=2, max_value=20), data=st.data())
def test_one_buyer_of_several_dwellings_counts_once(n, data):
    # given n dwellings each with its own owner, and one buyer who also owns m of them
    m = data.draw(st.integers(min_value=2, max_value=n))
    dwelling_areas = data.draw(st.lists(areas, min_size=n, max_size=n))
    dwellings = [(i, dwelling_areas[i], False) for i in range(n)]
    owned = data.draw(st.permutations(range(n)))[:m]
    ownerships = [(f"p{i}", i) for i in range(n) if i not in owned] + [("buyer", i) for i in owned]
    # when
    groups = group_owners(dwellings, ownerships)
    # then
    assert len(groups) == n - m + 1
    buyer = next(g for g in groups if set(g[1]) == set(owned))
    assert buyer[2] == sum(dwelling_areas[i] for i in owned)
    assert sum(g[2] for g in groups) == sum(dwelling_areas)


@given(sold=st.integers(min_value=0, max_value=15), unsold=st.integers(min_value=1, max_value=15), area=areas)
def test_unsold_developer_dwellings_count_as_one_owner(sold, unsold, area):
    # given sold dwellings with their own owners and several unsold developer dwellings
    dwellings = [(i, area, i >= sold) for i in range(sold + unsold)]
    ownerships = [(f"p{i}", i) for i in range(sold)]
    # when
    groups = group_owners(dwellings, ownerships)
    # then the developer is one owner holding the area of all unsold dwellings
    assert len(groups) == sold + 1
    developer = [g for g in groups if g[0] == DEVELOPER]
    assert len(developer) == 1 and developer[0][2] == area * unsold


def test_co_owners_of_one_dwelling_count_once_and_dwelling_without_owner_still_counts():
    # given dwelling 1 owned by a couple, dwelling 2 with nobody registered, dwelling 3 area unknown
    dwellings = [(1, Decimal("80.00"), False), (2, Decimal("60.50"), False), (3, None, False)]
    ownerships = [("husband", 1), ("wife", 1)]
    # when
    groups = group_owners(dwellings, ownerships)
    # then
    assert [(g[1], g[2]) for g in groups] == [([1], Decimal("80.00")), ([2], Decimal("60.50")), ([3], Decimal(0))]


def test_household_consent_threshold_is_inclusive():
    # given 10 households, 8 agree
    voters = [(0, "agree")] * 8 + [(0, "disagree")] * 2
    # when / then 80% holds; 7 of 10 does not
    assert tally.explain(tally.Ballot("household_consent", threshold_percent=80), voters)["passed"]
    voters[0] = (0, "abstain")
    assert not tally.explain(tally.Ballot("household_consent", threshold_percent=80), voters)["passed"]


def test_party_vote_needs_more_than_half_of_members():
    # given 6 members, exactly 3 agree
    voters = [(0, "agree")] * 3 + [(0, "disagree")] * 2 + [(0, None)]
    # when
    result = tally.explain(tally.Ballot("party_members"), voters)
    # then participation 5/6 holds, approval 3/6 is not more than half
    assert _holds(result) == [True, False]


def test_thresholds_read_as_words_and_percentages_not_raw_fractions():
    from linli.council.tally import condition

    # given a condition on floor area that does not reduce to a small fraction
    area = condition("参与表决面积", 279179, 319135, Fraction(2, 3), strict=False)
    over_half = condition("同意人数", 8, 15, Fraction(1, 2), strict=True)
    # then a page reads a percentage against a threshold in words, the same form for every condition
    assert area["percent"] == "87.48%"
    assert area["requirement"] == "不少于三分之二（66.67%）"
    assert over_half["requirement"] == "超过二分之一（50%）"
