"""Print line coverage per domain (one line per app of linli/) from coverage's JSON report.

    pytest --cov=linli --cov-report=json:coverage.json
    python scripts/coverage_by_domain.py coverage.json

Modules directly under linli/ (settings, urls, the API, testing) count as "(project)". The floor
that fails a run is pytest-cov's `--cov-fail-under` in .ci/run; this only shows where the lines are.
"""

import json
import sys
from pathlib import Path, PurePath

PROJECT = "(project)"


def domain_of(filename: str) -> str | None:
    """The app a measured file belongs to, or None for a file outside linli/."""
    path = PurePath(filename)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return None
    parts = path.parts
    if len(parts) < 2 or parts[0] != "linli":
        return None
    return parts[1] if len(parts) > 2 else PROJECT


def by_domain(report: dict) -> dict[str, list[int]]:
    """{domain: [statements, missed]}, from the report's per-file summaries."""
    rows: dict[str, list[int]] = {}
    for filename, measured in report["files"].items():
        domain = domain_of(filename)
        if domain is None:
            continue
        summary = measured["summary"]
        row = rows.setdefault(domain, [0, 0])
        row[0] += summary["num_statements"]
        row[1] += summary["missing_lines"]
    return rows


def percent(statements: int, missed: int) -> str:
    return f"{100 * (statements - missed) / statements:.1f}%" if statements else "-"


def table(rows: dict[str, list[int]]) -> list[str]:
    lines = [f"{'domain':<12} {'statements':>10} {'missed':>8} {'cover':>7}"]
    for domain in sorted(rows, key=lambda d: (d == PROJECT, d)):
        statements, missed = rows[domain]
        lines.append(f"{domain:<12} {statements:>10} {missed:>8} {percent(statements, missed):>7}")
    statements = sum(r[0] for r in rows.values())
    missed = sum(r[1] for r in rows.values())
    lines.append(f"{'total':<12} {statements:>10} {missed:>8} {percent(statements, missed):>7}")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    report = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    print("\n".join(table(by_domain(report))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
