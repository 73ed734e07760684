"""The one streaming writer of every export: CSV straight into the response, .xlsx in openpyxl's
write-only mode into a file. Rows come from `queryset.iterator(chunk_size=CHUNK)`, so memory holds
one chunk whatever the row count; the columns read only what the queryset selected (no query per row).

Every file starts with the same lines: the list's name, the export time, the filters in words and
whether the values are masked; then one blank line, the column headers and the rows. Text that a
spreadsheet would take for a formula is written as text (`core.spreadsheet`; in CSV with Excel's
leading apostrophe).
"""

import contextlib
import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator

from django.utils import timezone
from openpyxl import Workbook

from linli.core import clock, spreadsheet
from linli.exports.specs import Spec

CHUNK = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
BOM = "\ufeff"
SHEET_ROWS = 1_048_576  # Excel's limit per sheet; a longer export continues on the next sheet
IGNORED_FILTERS = {"format", "unmask", "page", "page_size", "csrfmiddlewaretoken"}
FILTER_WORDS = {
    "q": "搜索", "status": "状态", "district": "区", "street": "街道", "community": "社区", "compound": "小区",
    "building": "楼栋", "entrance": "单元", "grid": "网格", "parent": "上级", "level": "层级", "kind": "类型",
    "care_tag": "关怀标签", "elderly": "65岁以上", "party_member": "党员", "category": "类别", "tier": "分级",
    "overdue": "已超时", "supervised": "督办", "mine": "我承办的", "active": "上架/启用", "audience": "对象",
    "resident": "居民", "household": "户", "goods": "商品", "source_type": "来源", "old": "老旧小区",
    "walled": "封闭式", "upcoming": "未开始", "compound_id": "小区", "account": "账户",
}


def clean_filters(params) -> dict[str, str]:
    """The list's filters from a query string: every parameter but the export's own, blank ones dropped."""
    return {k: str(v)[:200] for k, v in params.items() if k not in IGNORED_FILTERS and str(v).strip()}


def describe(spec: Spec, filters: dict) -> str:
    if not filters:
        return "无（全部可见记录）"
    words = []
    for key, value in filters.items():
        label = spec.choice_labels.get(key, {}).get(value, value)
        words.append(f"{FILTER_WORDS.get(key, key)}：{label}")
    return "；".join(words)


def preamble(spec: Spec, filters: dict, *, unmask: bool, total: int) -> list[list[str]]:
    when = timezone.localtime(clock.now())
    return [
        [f"{spec.title}（导出）"],
        [f"导出时间：{when:%Y-%m-%d %H:%M}"],
        [f"筛选条件：{describe(spec, filters)}"],
        [f"共 {total} 行；" + ("含完整证件号和电话（仅限您辖区内可查看完整信息的行），请妥善保管，用后删除。" if unmask
                            else "证件号和电话已脱敏。")],
        [],
    ]


def values(spec: Spec, rows: Iterable, *, unmask: bool) -> Iterator[list]:
    columns = spec.columns
    for row in rows:
        full = unmask and getattr(row, "export_full", False)
        yield [col.value(row, full) for col in columns]


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(spreadsheet.FORMULA_STARTS) else text


class _Line:
    """csv.writer's file: hands back the line it was given."""

    def write(self, text: str) -> str:
        return text


def csv_lines(spec: Spec, qs, filters: dict, *, unmask: bool, total: int,
              progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
    out = csv.writer(_Line())
    yield BOM.encode()
    for line in preamble(spec, filters, unmask=unmask, total=total):
        yield out.writerow(line).encode()
    yield out.writerow([c.header for c in spec.columns]).encode()
    written, buffer = 0, []
    for cells in values(spec, qs.iterator(chunk_size=CHUNK), unmask=unmask):
        buffer.append(out.writerow([_csv_text(v) for v in cells]))
        written += 1
        if len(buffer) == CHUNK:
            yield "".join(buffer).encode()
            buffer = []
            if progress:
                progress(written)
    if buffer:
        yield "".join(buffer).encode()
    if progress:
        progress(written)


def write_xlsx(target, spec: Spec, qs, filters: dict, *, unmask: bool, total: int,
               progress: Callable[[int], None] | None = None) -> int:
    """Write the workbook to `target` (a path or a binary file); the number of data rows."""
    book = Workbook(write_only=True)
    headers = [c.header for c in spec.columns]
    sheet, used = _sheet(book, spec, filters, unmask=unmask, total=total, headers=headers, number=1)
    written = 0
    try:
        for cells in values(spec, qs.iterator(chunk_size=CHUNK), unmask=unmask):
            if used == SHEET_ROWS:
                sheet, used = _sheet(book, spec, filters, unmask=unmask, total=total, headers=headers,
                                     number=len(book.worksheets) + 1)
            sheet.append(spreadsheet.row(sheet, cells))
            used += 1
            written += 1
            if progress and written % CHUNK == 0:
                progress(written)
    except BaseException:
        _discard(book)  # stopped (cancelled, failed): openpyxl's temporary sheet files go now
        raise
    book.save(target)
    if progress:
        progress(written)
    return written


def _discard(book) -> None:
    """Close a write-only workbook's sheets and delete their temporary files without saving it."""
    for sheet in book.worksheets:
        rows, out = getattr(sheet, "_rows", None), getattr(sheet, "_writer", None)
        with contextlib.suppress(Exception):
            if rows is not None:
                rows.close()
            if out is not None:
                out.close()
                out.cleanup()


def _sheet(book, spec, filters, *, unmask, total, headers, number):
    title = re.sub(r"[\\/*?:\[\]]", "、", spec.title)[:25]
    sheet = book.create_sheet(title + (f"（{number}）" if number > 1 else ""))
    lines = preamble(spec, filters, unmask=unmask, total=total)
    for line in lines:
        sheet.append(spreadsheet.row(sheet, line, bold=line[:1] == lines[0]))
    sheet.append(spreadsheet.row(sheet, headers, bold=True))
    return sheet, len(lines) + 1
