"""Core is the base: none of its modules imports a domain, at module level or inside a function."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_core_module_imports_a_domain():
    # given every module of core except its tests
    modules = [p for p in CORE.rglob("*.py") if "tests" not in p.relative_to(CORE).parts]
    # when / then each imports only core, Django and the standard library
    offending = {str(p.relative_to(CORE)): sorted(m for m in _imported(p)
                                                   if m.startswith("linli.") and not m.startswith("linli.core"))
                 for p in modules}
    assert {k: v for k, v in offending.items() if v} == {}
