"""A district officer drills from the district to a compound on the cockpit (two figures, then the map) and
downloads the compound's monthly report."""

import datetime as dt
import io

import pypdfium2 as pdfium
import pytest
from django.utils import timezone
from openpyxl import load_workbook

from linli.cases.tests.test_figures import make
from linli.cockpit.tests.test_access import locate
from linli.core import clock
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = timezone.make_aware(dt.datetime(2026, 5, 20, 10, 0))


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_district_officer_drills_from_the_district_to_a_compound(world, live_server, request, device):
    # given located compounds and this month's cases: three in 幸福苑 (community1), one in 双东院落 (community2)
    page = request.getfixturevalue(device)
    clock.freeze(NOW)
    locate(world)
    for minutes in (30, 90, 150):
        make(world.compound2, at=NOW - dt.timedelta(days=2, minutes=minutes), accepted=5, solved=20, rating="satisfied")
    make(world.compound3, at=NOW - dt.timedelta(days=3), accepted=5)

    # when the district officer opens the cockpit: it is the district's
    login(page, live_server, "district1")
    page.goto(f"{live_server.url}/cockpit/")
    assert page.locator("h1").inner_text().startswith(world.district.name)
    assert page.locator('article[data-key="cases"] .big').inner_text().startswith("4")
    # the charts are drawn, and their numbers are in tables
    page.wait_for_selector('[data-chart="categories"] canvas')
    assert page.locator("table.trend tbody tr").count() == 12

    # first figure: residents, which ranks the streets; the one with most residents is first
    page.click('article[data-key="residents"] .big a')
    page.wait_for_url("**rank=residents**")
    first = page.locator("table.ranked tbody tr").first
    assert world.street1.name in first.inner_text()
    first.locator("th a").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith(world.street1.name)

    # second figure: cases this month, which ranks the communities; 康宁社区 (three) before 双东社区 (one)
    page.click('article[data-key="cases"] .big a')
    page.wait_for_url("**rank=cases**")
    rows = page.locator("table.ranked tbody tr")
    assert world.community1.name in rows.nth(0).inner_text() and world.community2.name in rows.nth(1).inner_text()
    rows.nth(0).locator("th a").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith(world.community1.name)

    # then the map: the community's compounds are points; a tap opens the compound's cockpit
    page.wait_for_selector('#cockpit-map[data-ready="1"]')
    marker = page.locator(f".compound-{world.compound2.pk}")
    marker.scroll_into_view_if_needed()
    marker.click()
    page.wait_for_url(f"**/cockpit/compounds/{world.compound2.pk}/**")
    assert page.locator("h1").inner_text().startswith(world.compound2.name)
    assert page.locator('article[data-key="cases"] .big').inner_text().startswith("3")

    # the compound's monthly report, downloaded from the page: the xlsx read back, the PDF rendered
    with page.expect_download() as got:
        page.click('a[data-report="xlsx"] >> nth=0')
    book = load_workbook(io.BytesIO(got.value.path().read_bytes()))
    cases = {row[0]: row[1] for row in book["诉求"].iter_rows(min_row=2, values_only=True)}
    assert cases["受理诉求"] == 3
    with page.expect_download() as got:
        page.click('a[data-report="pdf"] >> nth=0')
    pdf = pdfium.PdfDocument(got.value.path())
    width, height = pdf[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4
    assert world.compound2.name in pdf[0].get_textpage().get_text_range()
    image = pdf[0].render(scale=1).to_pil()
    # the page is drawn, not blank: the table and the charts darken a good share of it
    dark = sum(image.convert("L").point(lambda value: 255 if value < 200 else 0).histogram()[255:])
    assert dark > image.width * image.height * 0.01

    # a compound's figure opens the records behind it: the compound's cases
    page.click('article[data-key="cases"] .big a')
    page.wait_for_url(f"**/cases/?compound={world.compound2.pk}**")
    assert page.locator("main").inner_text().count(world.compound2.name) >= 3
