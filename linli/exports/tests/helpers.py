"""Read an export back as a clerk's spreadsheet program would."""

import csv
import io

from openpyxl import load_workbook

PREAMBLE = 5  # title, time, filters, masking note, blank line


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def xlsx_rows(response) -> list[tuple]:
    book = load_workbook(io.BytesIO(body(response)), read_only=True)
    try:
        return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def csv_rows(response) -> list[list[str]]:
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so Chinese Excel reads it"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def table(rows) -> list[dict]:
    """The data rows as dicts by header (the header row follows the preamble)."""
    headers = list(rows[PREAMBLE])
    return [dict(zip(headers, row, strict=False)) for row in rows[PREAMBLE + 1:]]
