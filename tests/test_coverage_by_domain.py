"""scripts/coverage_by_domain.py: the CI's coverage table, one line per app of linli/."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "coverage_by_domain.py"


def _file(statements, missing):
    return {"summary": {"num_statements": statements, "missing_lines": missing}}


def test_lines_are_summed_per_app_with_top_level_modules_as_the_project(tmp_path):
    # given a coverage JSON report with files in two apps, two top-level modules and one outside linli/
    report = tmp_path / "coverage.json"
    report.write_text(json.dumps({"files": {
        "linli/cases/models.py": _file(100, 10),
        "linli/cases/services/intake.py": _file(100, 30),
        "linli/points/ledger.py": _file(50, 0),
        "linli/settings.py": _file(40, 4),
        "linli/urls.py": _file(10, 6),
        "bench/_common.py": _file(500, 500),
    }, "totals": {}}))
    # when
    out = subprocess.run([sys.executable, str(SCRIPT), str(report)], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    # then one line per app, the project's own modules last, then the total without bench/
    rows = [line.split() for line in out[1:]]
    assert rows == [
        ["cases", "200", "40", "80.0%"],
        ["points", "50", "0", "100.0%"],
        ["(project)", "50", "10", "80.0%"],
        ["total", "300", "50", "83.3%"],
    ]
