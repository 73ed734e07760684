"""The engine's .xlsx reader gives what openpyxl's read-only `iter_rows(values_only=True)` gives."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from linli.core.errors import Refused
from linli.imports import engine, xlsx


def _trimmed(rows):
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def _openpyxl_rows(data: bytes):
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return _trimmed(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def _ours(data: bytes):
    book = xlsx.Book(data)
    try:
        return list(book.rows())
    finally:
        book.close()


def _saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _varied_book(epoch=None) -> bytes:
    book = Workbook()
    if epoch is not None:
        book.epoch = epoch
    sheet = book.active
    sheet.title = "居民"
    sheet["A1"] = "社区"
    sheet["C1"] = "出生日期"  # B1 left out: a gap inside a row
    sheet.append(["康宁社区", 101, dt.date(1956, 3, 12), True, 3.25, "140105195603120023", None, "=1+1"])
    sheet.append(["a & b <c>", -7, dt.datetime(2024, 3, 1, 8, 30), False, 1e20, " 空格 ", "", "#N/A"])
    sheet["A7"] = "第七行"  # rows 5 and 6 missing from the sheet: blank rows
    sheet["C7"] = dt.date(2024, 2, 29)
    sheet["C7"].number_format = "yyyy年m月d日"
    sheet["D7"] = Decimal("12.50")
    sheet["Z7"] = "远处的格子"
    book.create_sheet("第二张").append(["不会读到"])
    return _saved(book)


@pytest.mark.parametrize("epoch", [None, CALENDAR_MAC_1904])
def test_values_rows_and_dates_are_those_openpyxl_reads(epoch):
    data = _varied_book(epoch)
    ours = _ours(data)
    assert [number for number, _cells in ours] == list(range(1, 8)), "missing rows come back blank, numbered"
    assert _trimmed(cells for _n, cells in ours) == _openpyxl_rows(data)
    cells = dict(ours)
    assert cells[2][2] == dt.datetime(1956, 3, 12) and cells[3][2] == dt.datetime(2024, 3, 1, 8, 30)
    assert cells[7][2] == dt.datetime(2024, 2, 29), "a workbook's own date format is a date"
    assert cells[2][1] == 101 and isinstance(cells[2][1], int) and cells[2][3] is True and cells[3][3] is False
    assert cells[3][0] == "a & b <c>" and cells[5] == [] and cells[7][25] == "远处的格子"
    assert book_rows(data) == 7


def book_rows(data: bytes) -> int:
    book = xlsx.Book(data)
    try:
        return book.row_count()
    finally:
        book.close()


def test_shared_strings_with_runs_and_a_phonetic_guide_and_a_file_without_dimension():
    data = _saved(_one_cell_book())
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b'<dimension ref="A1:B2"/>', b"").replace(b'<dimension ref="A1:B2" />', b"")
                assert b"<dimension" not in body
                body = body.replace(b'<c r="A2" t="inlineStr"><is><t>x</t></is></c>',
                                    b'<c r="A2" t="s"><v>0</v></c>')
            target.writestr(item, body)
        target.writestr("xl/sharedStrings.xml", (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
            '<si><r><t>张</t></r><r><rPr><b/></rPr><t xml:space="preserve">秀英 </t></r>'
            '<rPh sb="0" eb="1"><t>ZHANG</t></rPh></si></sst>').encode())
    patched = _with_shared_strings(out.getvalue())
    assert _ours(patched)[1] == (2, ["张秀英 ", 2])
    assert book_rows(patched) == 2, "rows counted in the XML when the sheet has no dimension"


def _one_cell_book():
    book = Workbook(write_only=True)
    sheet = book.create_sheet("表")
    sheet.append(["姓名", "序号"])
    sheet.append(["x", 2])
    return book


def _with_shared_strings(data: bytes) -> bytes:
    """Declare the shared strings part in the workbook's relationships and content types."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings"/></Relationships>'))
            target.writestr(item, body)
    return out.getvalue()


def test_a_file_that_is_not_a_workbook_is_refused_in_chinese():
    for data in (b"not a zip", _zip_without_workbook()):
        with pytest.raises(Refused) as refused:
            list(engine.read_table(data, "台账.xlsx"))
        assert refused.value.code == "unreadable" and "无法读取" in refused.value.message
        assert engine.estimate_rows(data, "台账.xlsx") == 0


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr("hello.txt", "你好")
    return out.getvalue()
