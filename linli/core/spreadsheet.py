"""Spreadsheet rows for every export: text is written as text, never as a formula.

openpyxl turns a str starting with "=" into a live formula, and Excel or WPS may evaluate a cell that
starts with "+", "-", "@", a tab or a carriage return once somebody edits it: a resident named
`=HYPERLINK(...)` would become a link in a committee's ledger. Such text is written as a string cell
with Excel's quote prefix (shown as typed, kept as text when edited); other values pass unchanged, so
write-only exports still stream row by row without a cell object per value.
"""

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(sheet, value: str, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=None)
    cell.value = value
    # Set after the value: openpyxl infers "f" (formula) from a leading "=".
    cell.data_type = "s"
    cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell


def safe_value(sheet, value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return text_cell(sheet, value)
    return value


def row(sheet, values, *, bold: bool = False) -> list:
    """A row for `sheet.append`: risky text as text cells; with `bold`, every value a bold cell."""
    if not bold:
        return [safe_value(sheet, v) for v in values]
    cells = []
    for value in values:
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cells.append(text_cell(sheet, value, bold=True))
        else:
            cell = WriteOnlyCell(sheet, value=value)
            cell.font = Font(bold=True)
            cells.append(cell)
    return cells
