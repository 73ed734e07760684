"""Excel exports (台账) written in openpyxl's write-only mode, so large areas stream row by row."""

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from linli.core import spreadsheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(title: str, headers: list[str], rows) -> Workbook:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(spreadsheet.row(sheet, headers, bold=True))
    for row in rows:
        sheet.append(spreadsheet.row(sheet, [
            timezone.localtime(v).replace(tzinfo=None) if hasattr(v, "tzinfo") and v.tzinfo else v for v in row]))
    return book


def response(filename: str, title: str, headers: list[str], rows) -> HttpResponse:
    from urllib.parse import quote

    reply = HttpResponse(content_type=XLSX)
    reply["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    workbook(title, headers, rows).save(reply)
    return reply


# --- the sheets ---------------------------------------------------------------------------------

def statement_rows(entries):
    for e in entries:
        t = e.transfer
        yield [e.seq, e.at, t.get_kind_display(), t.reason, e.amount, e.balance_after,
               str(t.actor) if t.actor_id else "系统", e.hash[:16]]


STATEMENT_HEADERS = ["序号", "时间", "类型", "事由", "发生额", "余额", "经办人", "校验码"]
HOUSEHOLD_HEADERS = ["小区", "户", "户积分账户", "成员积分合计", "家庭积分合计"]
RANKING_HEADERS = ["小区", "名次", "姓名", "期间积分", "当前余额"]
CIVILISED_HEADERS = ["序号", "小区", "户", "期间积分"]
PARTY_HEADERS = ["姓名", "小区", "教育管理类", "社区公益类", "遵纪守法类", "合计"]


def household_rows(households):
    for h in households:
        yield [h.dwelling.entrance.building.compound.name, str(h), h.household_points, h.members_points,
               h.total_points]


def ranking_rows(residents):
    for r in residents:
        yield [r.household.dwelling.entrance.building.compound.name, r.rank, r.name, r.period_points, r.balance]


def civilised_rows(households):
    for n, h in enumerate(households, 1):
        yield [n, h.dwelling.entrance.building.compound.name, str(h), h.period_points]


def party_rows(members):
    for m in members:
        yield [m.resident.name, m.resident.household.dwelling.entrance.building.compound.name, m.study_points,
               m.public_points, m.law_points, m.total_points]
