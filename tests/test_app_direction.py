"""One direction between the apps: ``audits`` may use ``recovery``, never the reverse.

The incident pages still show audit facts, through htmx fragments loaded by URL and through
registries (post-mortem sections, demo loaders) that ``audits`` adds to; see DESIGN.md.
"""

import ast
from pathlib import Path

RECOVERY = Path(__file__).resolve().parents[1] / "recovery"


def imported_modules(path: Path) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def test_no_recovery_module_imports_audits() -> None:
    offenders = [
        f"{path.relative_to(RECOVERY.parent)}:{line} imports {name}"
        for path in sorted(RECOVERY.rglob("*.py"))
        for name, line in imported_modules(path)
        if name == "audits" or name.startswith("audits.")
    ]
    assert offenders == []


def test_the_check_sees_an_import_of_audits(tmp_path: Path) -> None:
    module = tmp_path / "views.py"
    module.write_text("def f():\n    from audits.services import request_audit\n")
    assert imported_modules(module) == [("audits.services", 2)]
