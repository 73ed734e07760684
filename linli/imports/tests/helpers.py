"""Real files for the import tests, written with openpyxl and csv as a clerk's Excel would."""

import csv
from pathlib import Path

from openpyxl import Workbook

from linli.people.tests.factories import make_id_number

HEADERS = ["社区", "小区", "楼栋", "单元", "房号", "户号", "户主身份证号", "姓名", "公民身份号码", "联系电话",
           "与户主关系", "人户状态", "是否业主"]

HEAD_ID = make_id_number(101, born="19700203")
SPOUSE_ID = make_id_number(102, born="19720405", male=False)
CHILD_ID = make_id_number(103, born="20010607")


def family(room: str = "102", *, compound: str = "康宁小区", community: str = "康宁社区") -> list[list]:
    """A head with spouse and child in a dwelling of the world's compound1 (1号楼 1单元 101/201 exist)."""
    place = [community, compound, "1号楼", "1单元", room, ""]
    return [
        place + ["", "赵志强", HEAD_ID, "13900000001", "户主", "户籍", "是"],
        place + [HEAD_ID, "孙丽", SPOUSE_ID, "13900000002", "配偶", "户籍", "否"],
        place + [HEAD_ID, "赵小明", CHILD_ID, "", "子女", "常住", ""],
    ]


def write_xlsx(path: Path, rows: list[list], headers: list[str] = HEADERS, *, title_rows: int = 0) -> Path:
    book = Workbook()
    sheet = book.active
    for n in range(title_rows):
        sheet.append([f"康宁社区居民台账（{n + 1}）"])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    # ID numbers and room numbers as text, as the template asks.
    for cells in sheet.iter_rows(min_row=title_rows + 2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list], headers: list[str] = HEADERS, *, encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", newline="", encoding=encoding) as out:
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def rows_by_number(report) -> dict:
    return {row.number: row for row in report.rows}


# --- any register -------------------------------------------------------------------------------

def headers_of(register) -> list[str]:
    return [c.header for c in register.columns]


def row_of(register, **cells) -> list:
    """The template's example row, with some cells (by column key) changed."""
    unknown = set(cells) - {c.key for c in register.columns}
    assert not unknown, unknown
    return [cells.get(c.key, c.example) for c in register.columns]


def sheet(path: Path, register, rows: list[list]) -> Path:
    return write_xlsx(path, rows, headers_of(register))


def check_file(world, register, path: Path, persona: str = "community_secretary"):
    from linli.imports import services

    return services.import_check(actor=world.user(persona), register=register, data=path.read_bytes(),
                                 filename=path.name)


def commit_file(world, register, path: Path, persona: str = "community_secretary"):
    """Checked and committed in one go, as the command does."""
    from linli.imports import services

    return services.import_commit(actor=world.user(persona), register=register, data=path.read_bytes(),
                                  filename=path.name, token=None)


def errors_of(report) -> dict:
    return {row.number: row.errors for row in report.rows if row.errors}
