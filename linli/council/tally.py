"""Counting a ballot, exactly, and saying why it passed or failed.

Everything here is pure: voters come in as (area, choice-or-None) pairs, the answer is a dict that
names each condition with its numerator, denominator, the fraction, the threshold and whether it
holds. Counting uses `fractions.Fraction` and `Decimal` only — a float never decides a vote.

Thresholds:
- "≥" conditions include the threshold (exactly 2/3 holds);
- "more than half" is strict (exactly 1/2 fails);
- a condition over an empty denominator (nobody took part) does not hold.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

AGREE = "agree"

RULE_NAMES = {
    "household_consent": "住户同意（按户计）",
    "owners_278": "业主共同决定（民法典第二百七十八条）",
    "entrance_owners": "单元业主表决（加装电梯等）",
    "party_members": "支部党员表决",
}


@dataclass(frozen=True)
class Ballot:
    """What counting needs to know about a ballot."""

    rule: str
    matter: str = "ordinary"
    threshold_percent: int = 80


def _number(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


_DIGITS = "零一二三四五六七八九十"


def threshold_words(threshold: Fraction) -> str:
    """2/3 → "三分之二（66.67%）": the way a notice says a threshold; other fractions by percent alone."""
    percent = f"{float(threshold * 100):.2f}%".replace(".00%", "%")
    if threshold == 1:
        return "全部（100%）"
    if threshold.denominator <= 10:
        return f"{_DIGITS[threshold.denominator]}分之{_DIGITS[threshold.numerator]}（{percent}）"
    return percent


def condition(name: str, numerator, denominator, threshold: Fraction, *, strict: bool) -> dict:
    if denominator:
        fraction = Fraction(numerator) / Fraction(denominator)
        holds = fraction > threshold if strict else fraction >= threshold
        shown = f"{fraction.numerator}/{fraction.denominator}"
        percent = f"{float(fraction * 100):.2f}%"  # display only; `holds` was decided on the Fraction
    else:
        holds, shown, percent = False, "—", "—"
    return {
        "name": name,
        "numerator": _number(numerator),
        "denominator": _number(denominator),
        "fraction": shown,
        "percent": percent,
        "comparison": ">" if strict else "≥",
        "threshold": f"{threshold.numerator}/{threshold.denominator}",
        # For pages and notices: the ratio as a percentage and the threshold in words, never a raw fraction.
        "requirement": f"{'超过' if strict else '不少于'}{threshold_words(threshold)}",
        "holds": holds,
    }


def owners(voters, *, major: bool) -> list[dict]:
    """Civil Code Art. 278: participation by area and by head count, then approval by both."""
    total_area = sum((Decimal(a) for a, _ in voters), Decimal(0))
    total_owners = len(voters)
    taking_part = [(Decimal(a), c) for a, c in voters if c]
    part_area = sum((a for a, _ in taking_part), Decimal(0))
    agreeing = [(a, c) for a, c in taking_part if c == AGREE]
    agree_area = sum((a for a, _ in agreeing), Decimal(0))
    need, strict, word = ((Fraction(3, 4), False, "四分之三以上") if major else (Fraction(1, 2), True, "过半数"))
    return [
        condition("参与表决的专有部分面积占总面积三分之二以上", part_area, total_area, Fraction(2, 3), strict=False),
        condition("参与表决的业主人数占总人数三分之二以上", len(taking_part), total_owners, Fraction(2, 3), strict=False),
        condition(f"同意的专有部分面积占参与表决面积{word}", agree_area, part_area, need, strict=strict),
        condition(f"同意的业主人数占参与表决人数{word}", len(agreeing), len(taking_part), need, strict=strict),
    ]


def households(voters, *, percent: int) -> list[dict]:
    agreeing = sum(1 for _, c in voters if c == AGREE)
    return [condition(f"同意户数占总户数{percent}%以上", agreeing, len(voters), Fraction(percent, 100), strict=False)]


def party(voters) -> list[dict]:
    taking_part = sum(1 for _, c in voters if c)
    agreeing = sum(1 for _, c in voters if c == AGREE)
    return [
        condition("参加表决的党员超过应参加党员半数", taking_part, len(voters), Fraction(1, 2), strict=True),
        condition("赞成的党员超过应参加党员半数", agreeing, len(voters), Fraction(1, 2), strict=True),
    ]


def explain(ballot: Ballot, voters) -> dict:
    """voters: iterable of (area, choice or None); None means this voter did not vote."""
    voters = list(voters)
    if ballot.rule in ("owners_278", "entrance_owners"):
        # A lift retrofit changes common parts of the entrance: always counted as a major matter.
        major = ballot.rule == "entrance_owners" or ballot.matter == "major"
        conditions = owners(voters, major=major)
    elif ballot.rule == "household_consent":
        conditions = households(voters, percent=ballot.threshold_percent)
    elif ballot.rule == "party_members":
        conditions = party(voters)
    else:
        raise ValueError(f"unknown rule {ballot.rule}")
    counts = {"electorate": len(voters), "voted": sum(1 for _, c in voters if c)}
    for choice in ("agree", "disagree", "abstain"):
        counts[choice] = sum(1 for _, c in voters if c == choice)
    return {
        "rule": ballot.rule,
        "rule_name": RULE_NAMES[ballot.rule],
        "passed": all(c["holds"] for c in conditions),
        "conditions": conditions,
        "counts": counts,
    }
