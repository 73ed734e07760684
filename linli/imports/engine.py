"""The import engine: one flow for every register that comes in from a spreadsheet (台账).

A register declares its columns (Chinese header, the variants clerks write, the kind of value) and two
functions: `plan` resolves every row's references within the importer's area and decides what the row
would do (create, update, unchanged), and `write` does it through the domain's own services. The engine
reads the file, matches headers by name, cleans and checks every cell, finds duplicates inside the file,
and commits all rows or none.

The uploaded bytes live only for the request: they are never stored, logged or put in the session. A
dry run hands out a token bound to the file's digest, the register and the importer; committing asks
for it, so what is written is the file that was checked.
"""

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from linli.core import clock
from linli.core.channel import using_channel
from linli.core.errors import Forbidden, NotFound, Refused
from linli.core.validators import validate_credit_code, validate_id_number, validate_phone
from linli.imports import xlsx

MAX_BYTES = 20 * 1024 * 1024
# Rows written between two looks at the job (progress, cancellation) and per set-based write.
BATCH_ROWS = 1000
# How far down a title row or two may push the header row.
HEADER_SEARCH_ROWS = 10
# Columns the rejected-rows file adds, so that file can be corrected and imported again as it is.
ROW_NUMBER_HEADER = "原表行号"
REASON_HEADER = "错误原因"
SILENT_HEADERS = {"序号", ROW_NUMBER_HEADER, REASON_HEADER}

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
STATUS_LABELS = {CREATED: "新增", UPDATED: "更新", UNCHANGED: "无变化", REJECTED: "未通过"}

TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×"}
# Kinds whose blank cell is None rather than "" (a blank is "not given", never a value).
BLANK_IS_NONE = ("bool", "date", "int", "decimal")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


@dataclass(frozen=True)
class Column:
    """One column of a register.

    kind: text | id_number | phone | choice | bool | date | email | int | decimal | credit_code.
    choices: (stored code, the word a clerk writes); the word and the code are both accepted.
    bounds: (lowest, highest) for int and decimal; places: the decimals a decimal keeps.
    """

    key: str
    header: str
    kind: str = "text"
    required: bool = False
    variants: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None
    rule: str = ""
    example: str = ""
    bounds: tuple | None = None
    places: int = 2

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.variants)

    @property
    def allowed(self) -> str:
        if self.kind == "choice":
            return "、".join(label for _code, label in self.choices)
        if self.kind == "bool":
            return "是、否"
        return ""


class Values(Mapping):
    """A row's cleaned values by column key, kept as a list in the register's column order with one key
    index shared by every row of the file: half the memory of a dict per row."""

    __slots__ = ("_index", "_cells")

    def __init__(self, index: dict[str, int], cells: list):
        self._index, self._cells = index, cells

    def __getitem__(self, key: str):
        return self._cells[self._index[key]]

    def __setitem__(self, key: str, value) -> None:
        self._cells[self._index[key]] = value

    def get(self, key: str, default=None):
        position = self._index.get(key)
        return default if position is None else self._cells[position]

    def __iter__(self):
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return repr(dict(self))


@dataclass(slots=True)
class Row:
    number: int  # the row number the clerk sees in Excel
    # The cells as read, in the file's column order, for the rejected-rows file: kept for rejected rows
    # only (the others are the bulk of a big file's memory), read again for rows rejected after reading.
    cells: list | None
    values: Mapping[str, Any]  # column key → cleaned value; "" or None when blank (`Values`, or a dict)
    errors: list[str] = field(default_factory=list)
    status: str = ""
    label: str = ""  # who or what the row is, beside its number in the report
    plan: dict = field(default_factory=dict)  # what the register decided to write

    def reject(self, reason: str) -> None:
        if reason not in self.errors:
            self.errors.append(reason)

    @property
    def reason(self) -> str:
        return "；".join(self.errors)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, "")


@dataclass(frozen=True)
class Register:
    name: str  # as in URLs and the command: `import residents FILE`
    title: str
    columns: tuple[Column, ...]
    # The natural key column, or columns: two rows with the same values there are the same record.
    key: str | tuple[str, ...]
    label: str  # the column shown beside the row number in the report
    plan: Callable[[Any, list[Row]], None]  # (actor, rows): resolve, reject, set status and plan
    write: Callable[[Any, Row, dict], None]  # (actor, row, shared): one row through the domain's services
    notes: tuple[str, ...] = ()  # the rules of the register as a whole, for the template's 填写说明
    # (actor, rows, shared): a batch of rows through the domain's set-based services, where a register
    # has them; raises RowFailed naming the row a service refused. None: `write`, one row at a time.
    write_many: Callable[[Any, list[Row], dict], None] | None = None

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.key,) if isinstance(self.key, str) else tuple(self.key)


@dataclass
class Report:
    register: Register
    headers: list[str]
    rows: list[Row]
    ignored_headers: list[str] = field(default_factory=list)
    committed: bool = False
    token: str = ""

    @property
    def counts(self) -> dict[str, int]:
        found = {s: 0 for s in STATUS_LABELS}
        for row in self.rows:
            found[row.status] = found.get(row.status, 0) + 1
        return found

    @property
    def rejected(self) -> list[Row]:
        return [r for r in self.rows if r.status == REJECTED]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.rejected

    @property
    def label_header(self) -> str:
        return self.register.column(self.register.label).header


class Cancelled(Exception):
    """The importer cancelled the job: raised between batches, so the transaction rolls back."""


class RowFailed(Exception):
    """A set-based writer's service refused this row."""

    def __init__(self, row: Row, reason: str):
        super().__init__(reason)
        self.row, self.reason = row, reason


class Progress:
    """Told how far a check or a commit has come, between batches; may raise Cancelled. Does nothing here."""

    def checked(self, rows: int, total: int) -> None:
        pass

    def written(self, rows: int, total: int) -> None:
        pass


# --- reading ------------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    # Excel on a Chinese Windows saves "CSV" in GB18030 (GBK); newer Excel and WPS save UTF-8 with a BOM.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Refused("unreadable", "CSV 文件的文字编码无法识别，请在 Excel 中另存为 .xlsx 后再导入。")


UNREADABLE = "文件无法读取：请确认它是用 Excel 或 WPS 保存的 .xlsx 文件。"


def read_table(data: bytes, filename: str) -> Iterator[tuple[int, list]]:
    """(row number as the clerk sees it, cells) for every row of the first sheet, streamed."""
    suffix = (filename or "").lower().rsplit(".", 1)[-1]
    if suffix == "csv":
        yield from enumerate(csv.reader(io.StringIO(_decode(data), newline="")), 1)
        return
    if suffix != "xlsx":
        raise Refused("bad_format", "只能导入 .xlsx 或 .csv 文件；.xls 文件请先在 Excel 中另存为 .xlsx。")
    try:
        book = xlsx.Book(data)
    except (*xlsx.UNREADABLE, AttributeError, TypeError):
        raise Refused("unreadable", UNREADABLE) from None
    try:
        yield from book.rows()
    except xlsx.UNREADABLE:
        raise Refused("unreadable", UNREADABLE) from None
    finally:
        book.close()


def normalise_header(text) -> str:
    text = str(text or "").replace("\u3000", "").replace(" ", "").replace("\n", "").strip()
    # "姓名*", "联系电话（手机）": the marks and notes people add to a header.
    text = re.sub(r"[（(].*?[)）]", "", text)
    return text.strip("*＊")


def _header_map(register: Register) -> dict[str, Column]:
    return {normalise_header(name): column for column in register.columns for name in column.names}


def _match_headers(register: Register, cells: list) -> tuple[dict[int, Column], list[str]]:
    known = _header_map(register)
    positions, ignored, seen = {}, [], {}
    for index, cell in enumerate(cells):
        name = normalise_header(cell)
        column = known.get(name)
        if column is None:
            if name and name not in SILENT_HEADERS:
                ignored.append(str(cell).strip())
            continue
        if column.key in seen:
            raise Refused("duplicate_column", f"“{column.header}”出现了两列（{seen[column.key]}、{str(cell).strip()}），"
                                              "请只保留一列。")
        seen[column.key] = str(cell).strip()
        positions[index] = column
    missing = [c.header for c in register.columns if c.required and c.key not in seen]
    if missing:
        raise Refused("missing_columns", f"缺少必填列：{'、'.join(missing)}。请使用导入模板，或把列名改成模板中的写法。")
    return positions, ignored


def _find_header(register: Register, rows: Iterator[tuple[int, list]]) -> tuple[list, dict[int, Column], list[str]]:
    known = _header_map(register)
    for _ in range(HEADER_SEARCH_ROWS):
        try:
            _number, cells = next(rows)
        except StopIteration:
            break
        if sum(1 for cell in cells if normalise_header(cell) in known) >= 2:
            positions, ignored = _match_headers(register, cells)
            return cells, positions, ignored
    required = "、".join(c.header for c in register.columns if c.required)
    raise Refused("no_header", f"找不到表头：表格前几行中应有一行列名（{required}等）。请使用导入模板。")


# --- cells --------------------------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\u00a0", " ").replace("\u200b", "").strip()


def clean_cell(column: Column, value) -> tuple[Any, str | None]:
    """(cleaned value, None) or (None, the Chinese reason)."""
    text = _text(value)
    if not text:
        if column.required:
            return None, f"“{column.header}”未填写"
        return (None if column.kind in BLANK_IS_NONE else ""), None
    if column.max_length and len(text) > column.max_length:
        return None, f"“{column.header}”最多 {column.max_length} 个字"
    check = _CHECKS.get(column.kind)
    return check(column, value, text) if check else (text, None)


def _validated(column: Column, validator, text: str) -> tuple[Any, str | None]:
    try:
        return validator(text), None
    except ValidationError as exc:
        return None, f"“{column.header}”：{exc.messages[0]}"


def _id_number(column: Column, value, text: str) -> tuple[Any, str | None]:
    if isinstance(value, int | float):
        # Excel keeps numbers to 15 digits: an ID number typed into a number cell has lost its end.
        return None, f"“{column.header}”被 Excel 存成了数字，末几位已丢失：请把该列设为文本格式后重新填写"
    return _validated(column, lambda t: validate_id_number(t, today=clock.today()), text)


def _choice(column: Column, value, text: str) -> tuple[Any, str | None]:
    for code, label in column.choices:
        if text in (label, code):
            return code, None
    return None, f"“{column.header}”只能填写：{column.allowed}"


def _bool(column: Column, value, text: str) -> tuple[Any, str | None]:
    if text.lower() in TRUE_WORDS:
        return True, None
    if text.lower() in FALSE_WORDS:
        return False, None
    return None, f"“{column.header}”只能填写“是”或“否”"


def _date(column: Column, value, text: str) -> tuple[Any, str | None]:
    if isinstance(value, dt.date):
        return (value.date() if isinstance(value, dt.datetime) else value), None
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date(), None
        except ValueError:
            continue
    return None, f"“{column.header}”不是有效日期（应写成 2024-03-01）"


def _email(column: Column, value, text: str) -> tuple[Any, str | None]:
    try:
        validate_email(text)
    except ValidationError:
        return None, f"“{column.header}”不是有效的电子邮箱"
    return text, None


# One check per column kind; a kind not listed is free text.
_CHECKS = {
    "id_number": _id_number,
    "phone": lambda column, value, text: _validated(column, validate_phone, text),
    "choice": _choice,
    "bool": _bool,
    "date": _date,
    "int": lambda column, value, text: _number(column, text),
    "decimal": lambda column, value, text: _number(column, text),
    "credit_code": lambda column, value, text: _validated(column, validate_credit_code, text),
    "email": _email,
}


def _number(column: Column, text: str) -> tuple[Any, str | None]:
    try:
        number = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        return None, f"“{column.header}”应填写数字"
    if column.kind == "int":
        if number != number.to_integral_value():
            return None, f"“{column.header}”应填写整数"
        number = int(number)
    else:
        number = number.quantize(Decimal(1).scaleb(-column.places))
    low, high = column.bounds or (None, None)
    if (low is not None and number < low) or (high is not None and number > high):
        return None, f"“{column.header}”应在 {low} 到 {high} 之间"
    return number, None


# --- the flow -----------------------------------------------------------------------------------

def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_token(actor, register: Register, data: bytes) -> str:
    """Proof that this importer checked exactly this file for this register (kept in the page, not here)."""
    return salted_hmac("linli.imports.checked", f"{register.name}:{actor.pk}:{_digest(data)}").hexdigest()


def estimate_rows(data: bytes, filename: str) -> int:
    """About how many rows the file holds (its header included), for a progress bar; 0 when unknown."""
    if (filename or "").lower().endswith(".csv"):
        return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    try:
        book = xlsx.Book(data)
    except (*xlsx.UNREADABLE, AttributeError, TypeError):
        return 0
    try:
        return book.row_count()
    except xlsx.UNREADABLE:
        return 0
    finally:
        book.close()


def _read_rows(register: Register, table, positions: dict, progress: Progress, total: int) -> list[Row]:
    rows = []
    index = {column.key: i for i, column in enumerate(register.columns)}
    blank = [None if column.kind in BLANK_IS_NONE else "" for column in register.columns]
    for number, cells in table:
        if not any(_text(c) for c in cells):
            continue  # blank lines between blocks of a ledger
        row = Row(number=number, cells=None, values=Values(index, blank.copy()))
        for position, column in positions.items():
            value, reason = clean_cell(column, cells[position] if position < len(cells) else None)
            row.values[column.key] = value
            if reason:
                row.reject(reason)
        if row.errors:
            row.cells = list(cells)
        row.label = _text(row.values.get(register.label))
        rows.append(row)
        if len(rows) % BATCH_ROWS == 0:
            progress.checked(len(rows), total)
    return rows


def _keep_cells(data: bytes, filename: str, rows: list[Row]) -> None:
    """The cells of rows rejected after reading, from a second read of the file."""
    if not rows:
        return
    wanted = {row.number: row for row in rows}
    for number, cells in read_table(data, filename):
        if number in wanted:
            wanted[number].cells = list(cells)


def check(actor, register: Register, data: bytes, filename: str, *, progress: Progress | None = None) -> Report:
    """Read and check every row; write nothing. `progress` hears of every batch read (and may cancel)."""
    if len(data) > MAX_BYTES:
        raise Refused("too_large", f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请分成几个文件导入。")
    # Only a job shows a bar: the synchronous page and the command skip opening the file twice.
    total = max(estimate_rows(data, filename) - 1, 0) if progress is not None else 0
    progress = progress or Progress()
    table = read_table(data, filename)
    headers, positions, ignored = _find_header(register, table)
    rows = _read_rows(register, table, positions, progress, total)
    if not rows:
        raise Refused("empty", "表格中没有数据行。")
    key_header = "、".join(register.column(k).header for k in register.keys)
    first = {}
    for row in rows:
        key = tuple(row.values.get(k) for k in register.keys)
        if not all(key):
            continue
        if key in first:
            row.reject(f"与第 {first[key]} 行的“{key_header}”重复")
        else:
            first[key] = row.number
    register.plan(actor, rows)
    for row in rows:
        if row.errors:
            row.status = REJECTED
    _keep_cells(data, filename, [row for row in rows if row.errors and row.cells is None])
    progress.checked(len(rows), len(rows))
    report = Report(register=register, headers=[_text(h) for h in headers], rows=rows, ignored_headers=ignored)
    if report.ok:
        report.token = check_token(actor, register, data)
    return report


def commit(actor, register: Register, data: bytes, filename: str, *, token: str | None,
           progress: Progress | None = None) -> Report:
    """Check again and write every row, in one transaction: all rows or none.

    `token` is the dry run's; None skips that proof (the operator command, which checks in the same run,
    and a background job, which keeps the file it checked). `progress` hears of every batch written and
    may raise Cancelled there, which rolls everything back and leaves this function.
    """
    if token is not None and not constant_time_compare(token, check_token(actor, register, data)):
        raise Refused("not_checked", "请先检查文件，再确认导入（选择的文件与检查过的不同）。")
    with using_channel("import"):
        try:
            with transaction.atomic():
                # Without a job's progress bar (the command), the file is not opened once more to count rows.
                report = check(actor, register, data, filename, progress=progress)
                progress = progress or Progress()
                if not report.ok:
                    raise _NothingWritten(report)
                _write_all(actor, register, report, progress)
        except _NothingWritten as stop:
            _keep_cells(data, filename, [row for row in stop.report.rejected if row.cells is None])
            return stop.report
    report.committed = True
    return report


def _write_all(actor, register: Register, report: Report, progress: Progress) -> None:
    todo = [row for row in report.rows if row.status in (CREATED, UPDATED)]
    shared: dict = {}
    progress.written(0, len(todo))
    for start in range(0, len(todo), BATCH_ROWS):
        batch = todo[start: start + BATCH_ROWS]
        failed, reason = _write_batch(actor, register, batch, shared)
        if failed is not None:
            # What the rows before it wrote is rolled back with it.
            failed.reject(f"写入时未通过：{reason}")
            failed.status = REJECTED
            raise _NothingWritten(report)
        progress.written(start + len(batch), len(todo))


def _write_batch(actor, register: Register, batch: list[Row], shared: dict) -> tuple[Row | None, str]:
    """(None, "") when every row was written; otherwise the row a service refused and its reason."""
    if register.write_many is not None:
        try:
            register.write_many(actor, batch, shared)
        except RowFailed as exc:
            return exc.row, exc.reason
        return None, ""
    for row in batch:
        reason = _write_row(actor, register, row, shared)
        if reason:
            return row, reason
    return None, ""


class _NothingWritten(Exception):
    """Leaves the transaction, so everything written before the failing row is rolled back."""

    def __init__(self, report: Report):
        super().__init__("rows rejected")
        self.report = report


# What a domain's service raises when it refuses a row.
WRITE_REFUSALS = (ValidationError, Refused, Forbidden, NotFound)


def refusal_reason(exc: Exception) -> str:
    """The Chinese reason of a service's refusal, as the report shows it."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "；".join(m for ms in exc.message_dict.values() for m in ms)
        return "；".join(exc.messages)
    if isinstance(exc, Refused):
        return exc.message
    return str(exc) or "不存在或不在您的辖区内"


def _write_row(actor, register: Register, row: Row, shared: dict) -> str | None:
    """None when written; otherwise the reason the domain's service refused it."""
    try:
        register.write(actor, row, shared)
    except WRITE_REFUSALS as exc:
        return refusal_reason(exc)
    return None
