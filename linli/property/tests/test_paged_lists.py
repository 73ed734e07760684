"""The ratings and funding pages bring their lists a page at a time, and never a row out of sight."""

from decimal import Decimal

from linli.core import clock
from linli.places.tests.factories import CommunityFactory, CompoundFactory
from linli.property import services
from linli.property.models import Assessment, Budget


def _between(html: str, start: str, end: str) -> str:
    # The paged table only: the page's forms offer their own choices.
    return html.split(start, 1)[1].split(end, 1)[0]


def _assessment(scheme, compound, total):
    return Assessment.objects.create(scheme=scheme, compound=compound, year=scheme.year, survey_score=total,
                                     survey_count=1, review_score=total, total=total, stars=3)


def test_ratings_page_pages_the_assessments_and_leaves_out_those_out_of_sight(world, client_for):
    # given 35 rated compounds in street1 (totals 99 down to 65) and one in street2
    scheme = services.scheme_create(actor=world.user("street_officer"), name="星级小区评定", year=clock.today().year,
                                    unit=world.street1, criteria=[("环境卫生", 100, 100)])
    rated = [_assessment(scheme, CompoundFactory(community=world.community1, name=f"评定小区{n:02d}"),
                         Decimal(99 - n)) for n in range(35)]
    _assessment(scheme, world.compound4, Decimal(100))
    client = client_for("street_officer")
    # when
    pages = [client.get("/property/ratings/", {"page": n}).content.decode() for n in (1, 2)]
    first, second = (_between(page, "<h2>评定结果</h2>", "<h2>物业企业平均星级</h2>") for page in pages)
    # then the best 30 are on page 1, the last five on page 2 only, and 南内环小区 on neither
    assert "评定小区00" in first and "评定小区29" in first and "评定小区30" not in first
    assert "评定小区30" in second and "评定小区34" in second and "评定小区00" not in second
    assert "南内环小区" not in first + second
    assert "第 2 / 2 页" in second and len(rated) == 35


def test_funding_page_pages_the_budgets_apart_from_the_grants(world, client_for):
    # given a budget for each of 35 communities of street1, and one in street2
    year = clock.today().year
    for n in range(35):
        community = CommunityFactory(parent=world.street1, code=f"140105001{n + 100:03d}", name=f"预算社区{n:02d}")
        Budget.objects.create(unit=community, year=year, kind="subsidy", amount=Decimal(1000))
    Budget.objects.create(unit=world.community3, year=year, kind="subsidy", amount=Decimal(1000))
    client = client_for("street_officer")
    # when
    pages = [client.get("/property/funding/", {"budgets_page": n}).content.decode() for n in (1, 2)]
    first, second = (_between(page, "<h2>预算</h2>", "<h2>下达与拨付</h2>") for page in pages)
    # then
    assert "预算社区00" in first and "预算社区30" not in first
    assert "预算社区30" in second and "预算社区00" not in second
    assert "南内环社区" not in first + second
    assert "budgets_page=2" in first
