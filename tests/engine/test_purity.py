"""The engine is a library in its own right: it must not import Django, directly or not."""

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "audits" / "engine"


def test_no_engine_module_imports_django() -> None:
    offenders = []
    for path in ENGINE.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name == "django" or name.startswith("django.") for name in names):
                offenders.append(f"{path.relative_to(ENGINE)}:{node.lineno}")
    assert offenders == []


def test_importing_the_engine_loads_no_django_module() -> None:
    code = (
        "import sys, pkgutil, importlib, audits.engine as e\n"
        "for m in pkgutil.walk_packages(e.__path__, 'audits.engine.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] == 'django'))\n"
    )
    root = ENGINE.parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(root)})
    assert out.stdout.strip() == "[]"
