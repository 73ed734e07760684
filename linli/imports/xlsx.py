"""The first sheet of an .xlsx, row by row, straight from the sheet's XML.

openpyxl's read-only mode builds a cell object, a style lookup and a coordinate for every cell in Python,
and for a file without a `<dimension>` at the top it parses the whole sheet once more to find one: it
was the largest single cost of a big import. This reader walks the sheet with the C parser of the
standard library (`xml.etree.ElementTree.iterparse`), clears each row once read, and gives the values
openpyxl's `iter_rows(values_only=True)` with `data_only=True` gives: shared and inline strings (runs
joined, phonetic guides left out), numbers as int or float, booleans, a formula's last computed value,
error codes as their text, and dates for numbers in a date format (the workbook's own formats and the
built-in ones, 1900 or 1904 calendar). Rows missing from the sheet come back empty, so row numbers are
the ones Excel shows. Memory holds the shared strings, one row, and an empty element per row read.
"""

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError, iterparse, parse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
ROW, CELL, VALUE, TEXT, RUN, INLINE = (MAIN + t for t in ("row", "c", "v", "t", "r", "is"))
SHARED, STRING_ITEM, SHEET_DATA = MAIN + "sst", MAIN + "si", MAIN + "sheetData"
DIGITS = "0123456789"
REFERENCE = re.compile(r"([A-Z]+)(\d*)")

# What goes wrong inside a file that is not a readable workbook.
UNREADABLE = (zipfile.BadZipFile, KeyError, ValueError, IndexError, ParseError, OSError, EOFError)


def _text_of(item) -> str:
    """A shared string or an inline string: its text, or its runs' texts joined (not the phonetic guide)."""
    parts = []
    for child in item:
        if child.tag == TEXT:
            parts.append(child.text or "")
        elif child.tag == RUN:
            parts.extend(t.text or "" for t in child.iter(TEXT))
    return "".join(parts)


def _column(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _target(base: str, target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))


class Book:
    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        workbook = self._xml_root("xl/workbook.xml")
        props = workbook.find(MAIN + "workbookPr")
        mac = props is not None and props.get("date1904", "").lower() in ("1", "true")
        self.epoch = CALENDAR_MAC_1904 if mac else CALENDAR_WINDOWS_1900
        rels = {r.get("Id"): r for r in self._xml_root("xl/_rels/workbook.xml.rels").iter(PKG_REL + "Relationship")}
        first = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
        self.sheet = _target("xl", rels[first.get(DOC_REL + "id")].get("Target"))
        by_type = {r.get("Type", "").rsplit("/", 1)[-1]: _target("xl", r.get("Target")) for r in rels.values()}
        self.strings = self._strings(by_type.get("sharedStrings"))
        self.dates = self._date_styles(by_type.get("styles"))

    def _xml_root(self, name: str):
        """A small part (the workbook, its relationships, the styles), read whole."""
        with self.zip.open(name) as stream:
            return parse(stream).getroot()

    def _strings(self, name: str | None) -> list[str]:
        if not name or name not in self.zip.namelist():
            return []
        strings = []
        with self.zip.open(name) as stream:
            table = None
            for event, element in iterparse(stream, events=("start", "end")):
                if event == "start":
                    table = element if element.tag == SHARED else table
                elif element.tag == STRING_ITEM:
                    strings.append(_text_of(element))
                    if table is not None:
                        table.clear()  # the items read so far are not kept in the tree
        return strings

    def _date_styles(self, name: str | None) -> frozenset[int]:
        if not name or name not in self.zip.namelist():
            return frozenset()
        root = self._xml_root(name)
        formats = dict(BUILTIN_FORMATS)
        for fmt in root.iter(MAIN + "numFmt"):
            formats[int(fmt.get("numFmtId"))] = fmt.get("formatCode", "")
        xfs = root.find(MAIN + "cellXfs")
        found = set()
        for index, xf in enumerate(xfs if xfs is not None else ()):
            code = formats.get(int(xf.get("numFmtId", 0)))
            if code and is_date_format(code):
                found.add(index)
        return frozenset(found)

    def _value(self, cell):
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(INLINE)
            return _text_of(inline) if inline is not None else None
        value = cell.find(VALUE)
        if value is None or value.text is None:
            return None
        text = value.text
        if kind == "s":
            return self.strings[int(text)]
        if kind == "n":
            number = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
            if self.dates and int(cell.get("s", 0)) in self.dates:
                return from_excel(number, self.epoch)
            return number
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            return dt.datetime.fromisoformat(text.rstrip("Z"))
        return text  # "str" (a formula's text), "e" (#N/A and the like)

    def rows(self) -> Iterator[tuple[int, list]]:
        expected, columns = 1, {}
        with self.zip.open(self.sheet) as stream:
            # "end" events only (half the events of "start" and "end", which is most of the time here); a
            # row read is cleared, leaving an empty element of some 70 bytes in the tree.
            for _event, element in iterparse(stream):
                if element.tag != ROW:
                    continue
                number = int(element.get("r") or expected)
                while expected < number:  # rows the sheet leaves out are blank rows
                    yield expected, []
                    expected += 1
                cells: list = []
                for cell in element:
                    if cell.tag != CELL:
                        continue
                    ref = cell.get("r")
                    if ref:
                        letters = ref.rstrip(DIGITS)
                        index = columns.get(letters)
                        if index is None:
                            index = columns[letters] = _column(letters)
                        if index > len(cells):
                            cells.extend([None] * (index - len(cells)))
                    cells.append(self._value(cell))
                element.clear()
                yield number, cells
                expected = number + 1

    def row_count(self) -> int:
        """The sheet's last row number, from its `<dimension>`; else its rows counted in the raw XML."""
        with self.zip.open(self.sheet) as stream:
            for _event, element in iterparse(stream, events=("start",)):
                if element.tag == MAIN + "dimension":
                    last = REFERENCE.match((element.get("ref") or "").rsplit(":", 1)[-1])
                    if last and last.group(2):
                        return int(last.group(2))
                if element.tag == SHEET_DATA:
                    break
        count, tail = 0, b""
        with self.zip.open(self.sheet) as stream:
            while chunk := stream.read(1 << 20):
                count += (tail + chunk).count(b"<row ") + (tail + chunk).count(b"<row>")
                tail = chunk[-5:]
                count -= tail.count(b"<row ") + tail.count(b"<row>")
        return count + tail.count(b"<row ") + tail.count(b"<row>")

    def close(self) -> None:
        self.zip.close()
