"""The spreadsheets the import hands out: a template per register, and the rejected rows with their reasons.

Both go through `core.spreadsheet`, so text a clerk typed (a name starting with "=") stays text.
"""

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font

from linli.core import spreadsheet
from linli.imports.engine import REASON_HEADER, ROW_NUMBER_HEADER, Register, Report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Text format, so Excel keeps an 18-digit ID number or a leading-zero 户号 as typed.
TEXT_FORMAT = "@"


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template(register: Register) -> bytes:
    book = Workbook()
    sheet = book.active
    # Excel forbids []:*?/\ in a sheet's name (“小区/院落”).
    sheet.title = re.sub(r"[\[\]:*?/\\]", "、", register.title)[:31]
    sheet.append([c.header for c in register.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(register.columns, 1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(10, len(column.header) * 2 + 4)
        sheet.column_dimensions[letter].number_format = TEXT_FORMAT
        cell = sheet.cell(row=2, column=index, value=column.example or None)
        cell.number_format = TEXT_FORMAT
        cell.data_type = "s"
    rules = book.create_sheet("填写说明")
    rules.append(["列名", "是否必填", "也可写作", "填写规则", "可填的值"])
    for cell in rules[1]:
        cell.font = Font(bold=True)
    for column in register.columns:
        rules.append(spreadsheet.row(rules, [column.header, "必填" if column.required else "选填",
                                             "、".join(column.variants), column.rule, column.allowed]))
    rules.append([])
    for note in register.notes:
        rules.append([note])
    for letter, width in (("A", 16), ("B", 10), ("C", 28), ("D", 60), ("E", 36)):
        rules.column_dimensions[letter].width = width
    return _bytes(book)


def filled(register: Register, rows: list[list]) -> bytes:
    """A register's sheet filled with these rows, every cell text (ID numbers and 户号 stay as written)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("示例")
    sheet.append(spreadsheet.row(sheet, [c.header for c in register.columns], bold=True))
    for values in rows:
        sheet.append(spreadsheet.row(sheet, values))
    return _bytes(book)


def rejected_rows(report: Report) -> bytes:
    """The rejected rows as they were read, with the row number of the original file and the reason."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("未通过的行")
    width = len(report.headers)
    sheet.append(spreadsheet.row(sheet, [ROW_NUMBER_HEADER, *report.headers, REASON_HEADER], bold=True))
    for row in report.rejected:
        cells = (list(row.cells or ()) + [None] * width)[:width]
        sheet.append(spreadsheet.row(sheet, [row.number, *cells, row.reason]))
    return _bytes(book)
