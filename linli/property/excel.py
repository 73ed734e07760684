"""Excel exports (台账) of the coverage table and of account statements, in openpyxl's write-only mode."""

from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook

from linli.core import spreadsheet
from linli.orgs.models import PropertyService

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COVERAGE_HEADERS = (["区域", "统计日", "小区数", "有物业服务", "覆盖率(%)", "无物业服务", "基准日无物业", "已消除",
                     "消除比例(%)"] + [m.label for m in PropertyService.Mode]
                    + ["服务企业数", "建有党组织企业数", "物业党组织覆盖率(%)"])
STATEMENT_HEADERS = ["分录号", "发生日期", "所属月份", "科目", "收支", "摘要", "公共资源", "金额(元)", "记账后余额(元)",
                     "冲销", "凭证"]


def _bold_row(sheet, values):
    return spreadsheet.row(sheet, values, bold=True)


def response(filename: str, book: Workbook) -> HttpResponse:
    reply = HttpResponse(content_type=XLSX)
    reply["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    book.save(reply)
    return reply


def _pct(ratio):
    return None if ratio is None or ratio.percent is None else ratio.percent


def coverage_book(sections) -> Workbook:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("物业覆盖")
    sheet.append(_bold_row(sheet, COVERAGE_HEADERS))
    for section in sections:
        for item in [section["total"], *section["children"]]:
            sheet.append(spreadsheet.row(sheet, [
                item.node.label, item.as_of, item.compounds, item.served, _pct(item.coverage), item.without,
                item.baseline_without, item.eliminated, _pct(item.eliminated_share),
                *[n for _code, _label, n in item.by_mode],
                item.companies, item.companies_with_party_org, _pct(item.party_org_coverage)]))
    return book


def statement_book(account, entries, summary: dict | None = None) -> Workbook:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("收支明细")
    sheet.append(_bold_row(sheet, [account.name]))
    if summary:
        for label, value in summary.items():
            sheet.append(spreadsheet.row(sheet, [label, value]))
        sheet.append([])
    sheet.append(_bold_row(sheet, STATEMENT_HEADERS))
    for e in entries:
        sheet.append(spreadsheet.row(sheet, [
            e.seq, e.date, e.month.strftime("%Y-%m"), e.get_kind_display(), "收入" if e.is_income else "支出",
            e.description, e.resource.name if e.resource_id else "", e.amount, e.balance_after,
            f"冲销第{e.reverses.seq}号" if e.reverses_id else "", "有" if e.invoice else ""]))
    return book
