"""The monthly report: an .xlsx with a sheet per domain that says what the page says, an A4 PDF, on demand and by command."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from linli.cases.tests.test_figures import make
from linli.cockpit import report, selectors
from linli.core import clock
from linli.testing import table_counts

NOW = timezone.make_aware(dt.datetime(2026, 5, 20, 10, 0))


@pytest.fixture
def month_of_cases(world):
    clock.freeze(NOW)
    for days, compound in ((1, world.compound1), (2, world.compound1), (3, world.compound4), (40, world.compound2)):
        make(compound, at=NOW - dt.timedelta(days=days), accepted=5, solved=20, rating="satisfied")
    return world


def test_the_xlsx_has_a_sheet_per_domain_with_the_pages_figures(client, month_of_cases):
    world = month_of_cases
    client.force_login(world.user("district_officer"))
    before = table_counts()
    reply = client.get(f"/cockpit/units/{world.district.pk}/report.xlsx?month=2026-05")
    assert reply.status_code == 200 and reply["Content-Type"] == report.XLSX
    assert "attachment" in reply["Content-Disposition"]
    book = load_workbook(io.BytesIO(reply.content))
    assert book.sheetnames == ["概况", "登记", "诉求", "物业", "积分", "议事", "站点", "网格", "诉求趋势", "分类趋势",
                               "下级"]
    cases = {row[0]: row[1:4] for row in book["诉求"].iter_rows(min_row=2, values_only=True)}
    assert cases["受理诉求"] == (3, 1, 0)  # May so far; April 1–20; May 2025
    registry = {row[0]: row[1] for row in book["登记"].iter_rows(min_row=2, values_only=True)}
    assert registry["小区数"] == 4 and registry["居民"] == 3
    council = {row[0]: row[1:5] for row in book["议事"].iter_rows(min_row=2, values_only=True)}
    assert council["议事会议"] == (0, 0, 0, "次")
    stations = {row[0]: row[1:5] for row in book["站点"].iter_rows(min_row=2, values_only=True)}
    assert stations["党群服务站点"][1:] == (None, None, "个")  # as of today: no earlier periods
    streets = {row[0] for row in book["下级"].iter_rows(min_row=2, values_only=True)}
    assert streets == {world.street1.name, world.street2.name}
    trend = list(book["诉求趋势"].iter_rows(min_row=2, values_only=True))
    assert len(trend) == 12 and trend[-1][:2] == ("2026-05", 3)
    assert table_counts() == before


def test_the_pdf_is_a4_and_carries_the_nodes_name(client, month_of_cases):
    world = month_of_cases
    client.force_login(world.user("street_officer"))
    reply = client.get(f"/cockpit/units/{world.street1.pk}/report.pdf?month=2026-05")
    assert reply.status_code == 200 and reply["Content-Type"] == "application/pdf"
    assert reply.content.startswith(b"%PDF") and b"/MediaBox [ 0 0 595.2756 841.8898 ]" in reply.content
    assert report.font() in reply.content.decode("latin-1")


def test_reports_of_nodes_out_of_sight_are_404_and_others_refused(client, month_of_cases):
    world = month_of_cases
    client.force_login(world.user("street_officer"))
    assert client.get(f"/cockpit/units/{world.street2.pk}/report.xlsx").status_code == 404
    assert client.get(f"/cockpit/compounds/{world.compound4.pk}/report.pdf").status_code == 404
    assert client.get(f"/cockpit/units/{world.street1.pk}/report.doc").status_code == 404
    client.force_login(world.user("resident"))
    assert client.get(f"/cockpit/compounds/{world.compound1.pk}/report.pdf").status_code == 403


def test_the_page_lists_six_months_of_reports(client, month_of_cases):
    world = month_of_cases
    client.force_login(world.user("district_officer"))
    page = client.get(f"/cockpit/compounds/{world.compound1.pk}/").content.decode()
    assert page.count('data-report="xlsx"') == 6 and "report.pdf?month=2025-12" in page


def test_the_scheduled_command_writes_every_units_reports(month_of_cases, tmp_path):
    world = month_of_cases
    call_command("cockpit-reports", "--as", "street1", "--month", "2026-04", "--out", str(tmp_path))
    names = sorted(p.name for p in tmp_path.iterdir())
    # street1 and its two communities, each an xlsx and a pdf
    assert len(names) == 6 and f"{world.street1.name}-2026-04-月报.xlsx" in names
    assert not any(world.street2.name in n for n in names)
    with pytest.raises(CommandError, match="月份"):
        call_command("cockpit-reports", "--as", "street1", "--month", "2026-13", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="找不到用户"):
        call_command("cockpit-reports", "--as", "nobody", "--out", str(tmp_path))


def test_report_months_are_this_month_and_five_before():
    months = selectors.report_months(dt.date(2026, 2, 10))
    assert months[0] == dt.date(2026, 2, 1) and months[-1] == dt.date(2025, 9, 1) and len(months) == 6
