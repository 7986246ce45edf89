"""The project's import graph: no circles (imports inside functions and under TYPE_CHECKING
count), a small top level in ``audits/``, and the demo imported only where it is wired in.

Read from the source with ``ast``, so a circle that only an unusual call path would trigger at
run time is still caught.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("audits", "recovery", "config")
MAX_TOP_MODULES = 12
# The only modules that may import a demo module: the demo itself, management commands (the
# `demo` command), and the apps' ready() hooks that register the demo's loaders.
DEMO_MODULES = ("audits.demo", "recovery.demo")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    return {
        module_name(path, root): path
        for package in packages
        for path in sorted((root / package).rglob("*.py"))
    }


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module an import of ``name`` loads: itself, or its closest parent."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """Every project module ``module`` imports, anywhere in its body, with the line."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _resolve(alias.name, modules)
                if target:
                    yield target, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}".rstrip(".") if base else package
            for alias in node.names:
                target = _resolve(f"{base}.{alias.name}", modules) or _resolve(base, modules)
                if target and target != module:
                    yield target, node.lineno


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    modules = project_modules(root, packages)
    return {
        name: {target for target, _ in imports_of(name, path, modules)}
        for name, path in modules.items()
    }


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_circles_in_the_project() -> None:
    assert circles(import_graph(REPO, PACKAGES)) == []


def test_the_check_finds_a_circle_through_a_function_level_import(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text("def enqueue():\n    from .tasks import run\n")
    (package / "tasks.py").write_text("from pkg import services\n")
    (package / "views.py").write_text("from pkg.services import enqueue\n")
    assert circles(import_graph(tmp_path, ("pkg",))) == [["pkg.services", "pkg.tasks"]]


def test_the_check_finds_a_circle_under_type_checking(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "context.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.types import T\n")
    (package / "types.py").write_text("from pkg.context import Context\n")
    assert circles(import_graph(tmp_path, ("pkg",))) == [["pkg.context", "pkg.types"]]


def test_audits_keeps_a_small_top_level() -> None:
    top = sorted(path.name for path in (REPO / "audits").glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top


def _may_import_the_demo(module: str) -> bool:
    return (
        module.startswith(DEMO_MODULES)
        or ".management.commands." in module
        or module.endswith(".apps")
    )


def test_only_the_demo_commands_and_apps_import_a_demo_module() -> None:
    modules = project_modules(REPO, PACKAGES)
    offenders = [
        f"{name}:{line} imports {target}"
        for name, path in modules.items() if not _may_import_the_demo(name)
        for target, line in imports_of(name, path, modules)
        if target in DEMO_MODULES
    ]
    assert offenders == []
