"""Rewrite callers onto linli.core.scoping (idempotent; run from the repository root).

    .venv/bin/python scripts/rewrite_scope_imports.py && .venv/bin/ruff check --fix --select F401,I001 linli bench tests

- `from linli.accounts.scope import scope_for[, can_edit, can_unmask]` (module level or inside a
  function): scope_for comes from linli.core.scoping; can_edit/can_unmask stay in accounts.scope.
- The hand-made "work area" helpers (`work_scope(x)`, `staff_scope(x)`, `_staff_scope(x)`, with or
  without `access.`/`selectors.`) become `scope_for(x).work_area()`; `is_officer(x)` becomes
  `scope_for(x).is_officer`. Their definitions are left alone (they were deleted by hand).
- A module that now calls scope_for without importing it gets the import; ruff then drops the
  imports left unused (work_scope, staff_scope, is_officer) and sorts the blocks.
"""

import re
import sys
from pathlib import Path

ROOTS = ("linli", "bench", "tests")
IMPORT = re.compile(r"^(?P<indent>[ \t]*)from linli\.accounts\.scope import (?P<names>\([^)]*\)|[^\n]+)$", re.M)
ARG = r"([\w.\[\]\"']+)"
WORK = re.compile(r"(?<!def )(?<![\w.])(?:(?:selectors|access)\.)?(?:_?staff_scope|work_scope)\(" + ARG + r"\)")
OFFICER = re.compile(r"(?<!def )(?<![\w.])(?:selectors\.)?is_officer\(" + ARG + r"\)")
# A function-local import of one of those helpers goes with the blank line after it.
LOCAL_HELPER = re.compile(r"^[ \t]+from linli\.(?:dashboard\.selectors|people\.access|cases\.access) import "
                          r"(?:staff_scope|is_officer|work_scope)\n(?:[ \t]*\n)?", re.M)
CORE = "from linli.core.scoping import scope_for"
IMPORTS_SCOPE_FOR = re.compile(r"^[ \t]*from linli\.core\.scoping import[^\n]*\bscope_for\b|"
                               r"^[ \t]*from linli\.core\.scoping import \([^)]*\bscope_for\b", re.M)


def _imports(match: re.Match) -> str:
    indent = match["indent"]
    names = [n.strip() for n in match["names"].strip("()").replace("\n", " ").split(",") if n.strip()]
    lines = []
    if "scope_for" in names:
        lines.append(f"{indent}{CORE}")
    rest = [n for n in names if n != "scope_for"]
    if rest:
        lines.append(f"{indent}from linli.accounts.scope import {', '.join(rest)}")
    return "\n".join(lines)


def _add_import(text: str) -> str:
    """Put the core import after the module's first block of top-level imports."""
    lines = text.split("\n")
    last, i = None, 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(("import ", "from ")):
            if line.rstrip().endswith("("):
                while not lines[i].startswith(")"):
                    i += 1
            last = i
        elif last is not None and line.strip() and not line.startswith("#"):
            break
        i += 1
    at = 0 if last is None else last + 1
    return "\n".join(lines[:at] + [CORE] + lines[at:])


def rewrite(path: Path) -> bool:
    if path.name == "rewrite_scope_imports.py" or path.as_posix().endswith("linli/accounts/scope.py"):
        return False
    text = path.read_text()
    new = IMPORT.sub(_imports, text)
    new = LOCAL_HELPER.sub("", new)
    new = WORK.sub(lambda m: f"scope_for({m[1]}).work_area()", new)
    new = OFFICER.sub(lambda m: f"scope_for({m[1]}).is_officer", new)
    if new != text and "scope_for(" in new and not IMPORTS_SCOPE_FOR.search(new):
        new = _add_import(new)
    if new != text:
        path.write_text(new)
        return True
    return False


def main() -> None:
    changed = [p for root in ROOTS for p in sorted(Path(root).rglob("*.py")) if rewrite(p)]
    for p in changed:
        print(p)
    print(f"{len(changed)} files rewritten", file=sys.stderr)


if __name__ == "__main__":
    main()
