"""Reading an import's .xlsx: the engine's reader (`linli.imports.xlsx`) beside openpyxl's read-only mode.

    .venv/bin/python bench/xlsx_reader.py                  # 10,000 rows
    .venv/bin/python bench/xlsx_reader.py --rows 100000

Writes one file shaped like `bench/imports.py`'s (14 columns of text, a head, spouse and child per
household) with openpyxl's write-only mode (inline strings, no `<dimension>`), then reads it in a child
process per reader, every row as the engine asks for it, and prints the wall time and the child's peak RSS.
Both readers must give the same rows (checked). No database.
"""

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write(path: Path, n: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("居民")
    sheet.append(["社区", "小区", "楼栋", "单元", "房号", "户号", "户主身份证号", "姓名", "公民身份号码", "联系电话",
                  "与户主关系", "人户状态", "是否业主", "电子邮箱"])
    for i in range(n):
        head = f"140105195001{i - i % 3:06d}"
        sheet.append(["基准社区", "基准小区", f"{i // 288 + 1}号楼", f"{i // 72 % 4 + 1}单元", f"{i // 12 % 6 + 1}0{i // 3 % 4 + 1}",
                      "", "" if i % 3 == 0 else head, f"居民{i}", f"140105195001{i:06d}", f"139{i:08d}",
                      ("户主", "配偶", "子女")[i % 3], "户籍", "是" if i % 3 == 0 else "否", ""])
    book.save(path)


def child(reader: str, path: str) -> None:
    data = Path(path).read_bytes()
    started = time.perf_counter()
    digest, count = 0, 0
    if reader == "openpyxl":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for cells in book.worksheets[0].iter_rows(values_only=True):
            digest ^= hash(tuple(c for c in cells if c is not None))
            count += 1
        book.close()
    else:
        from linli.imports import xlsx

        book = xlsx.Book(data)
        for _number, cells in book.rows():
            digest ^= hash(tuple(c for c in cells if c is not None))
            count += 1
        book.close()
    print(json.dumps({"rows": count, "seconds": time.perf_counter() - started, "digest": digest,
                      "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "residents.xlsx"
        write(path, args.rows)
        results = {}
        for reader in ("openpyxl", "linli"):
            done = subprocess.run([sys.executable, __file__, "--child", reader, str(path)], capture_output=True,
                                  text=True, check=True, env={"PYTHONHASHSEED": "0", "PATH": ""})
            results[reader] = json.loads(done.stdout)
            got = results[reader]
            print(f"{reader:9} {got['rows']:>8,} rows  {got['seconds']:6.2f} s  {got['rows'] / got['seconds']:9,.0f} rows/s"
                  f"  peak RSS {got['rss']:6.1f} MiB", flush=True)
        assert results["openpyxl"]["digest"] == results["linli"]["digest"], "the readers gave different rows"
        print(f"same rows; linli reader {results['openpyxl']['seconds'] / results['linli']['seconds']:.1f}× openpyxl")


if __name__ == "__main__":
    main()
