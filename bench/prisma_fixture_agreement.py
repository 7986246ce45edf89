"""Does ``validate_schema`` give Prisma's verdict on Prisma's own validation fixtures? (a
measurement, not a test; the figure goes in the README)

prisma-engines keeps, in ``psl/psl/tests/validation``, one schema per file followed by the
errors (and warnings) Prisma prints for it, as ``// error: ...`` / ``//   -->  schema.prisma:LINE``
comment lines. For each fixture whose datasource is PostgreSQL or SQLite, or that has none, this
compares the verdict (refused or not) and, when both refuse, whether one of our errors is on a
line Prisma names.

    .venv/bin/python bench/prisma_fixture_agreement.py [SNAPSHOT ...] [--verbose]

A SNAPSHOT is a prisma-engines checkout (or fork), or its bare git directory; several are merged
(a fixture path seen twice counts once, from the first snapshot given). Without one, the
``PRISMA_ENGINES_SNAPSHOTS`` environment variable (paths separated by ":") is read. Nothing of
the fixtures is copied anywhere: they are read from the snapshot.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audits.engine.prisma.validate import validate_files  # noqa: E402

FIXTURES = "psl/psl/tests/validation"
PROVIDERS = (None, "postgresql", "postgres", "sqlite")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_PROVIDER = re.compile(r'datasource\s+\w+\s*\{[^}]*?provider\s*=\s*"(\w+)"')
_ERROR = re.compile(r"^// error: (.*)$", re.MULTILINE)
_LOCATION = re.compile(r"^//\s+-->\s+\S+?:(\d+)", re.MULTILINE)


@dataclass(frozen=True)
class Fixture:
    path: str
    text: str
    errors: tuple[str, ...]  # what Prisma prints
    lines: frozenset[int]  # the lines Prisma's errors name

    @property
    def provider(self) -> str | None:
        match = _PROVIDER.search(self.text)
        return match.group(1) if match else None


def read_snapshot(snapshot: Path) -> dict[str, str]:
    """{fixture path: text} of one snapshot, a work tree or a (bare) git directory."""
    folder = snapshot / FIXTURES
    if folder.is_dir():
        return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
                for p in sorted(folder.rglob("*.prisma"))}
    git = ["git", "--git-dir", str(snapshot)]
    names = subprocess.run([*git, "ls-tree", "-r", "--name-only", "HEAD", FIXTURES],
                           capture_output=True, text=True, check=True).stdout.split()
    found = {}
    for name in names:
        if name.endswith(".prisma"):
            text = subprocess.run([*git, "show", f"HEAD:{name}"], capture_output=True,
                                  check=True).stdout.decode("utf-8", "replace")
            found[name[len(FIXTURES) + 1:]] = text
    return found


def fixture(path: str, raw: str) -> Fixture:
    text = _ANSI.sub("", raw)
    errors: list[str] = []
    lines: set[int] = set()
    # each error is followed by its location line (the first "-->" after it)
    for match in _ERROR.finditer(text):
        errors.append(match.group(1))
        location = _LOCATION.search(text, match.end())
        if location:
            lines.add(int(location.group(1)))
    return Fixture(path, text, tuple(errors), frozenset(lines))


@dataclass(frozen=True)
class Agreement:
    total: int  # fixtures for PostgreSQL, SQLite or no provider
    of: int  # all fixtures read
    same_verdict: int
    refused_by_both: int
    on_a_prisma_line: int
    disagreements: tuple[str, ...]


def read_fixtures(snapshots: list[Path]) -> list[Fixture]:
    texts: dict[str, str] = {}
    for snapshot in snapshots:
        for path, text in read_snapshot(snapshot).items():
            texts.setdefault(path, text)
    return [fixture(path, text) for path, text in sorted(texts.items())]


def agreement(snapshots: list[Path]) -> Agreement:
    fixtures = read_fixtures(snapshots)
    chosen = [f for f in fixtures if f.provider in PROVIDERS]
    same_verdict = right_line = refused = 0
    disagreements: list[str] = []
    for item in chosen:
        report = validate_files({"schema.prisma": item.text})
        prisma_refuses = bool(item.errors)
        if report.valid != prisma_refuses:
            same_verdict += 1
            if prisma_refuses:
                refused += 1
                if any(e.line in item.lines for e in report.errors):
                    right_line += 1
                else:
                    disagreements.append(f"{item.path}: same verdict, other line: ours "
                                         f"{[e.line for e in report.errors]}, Prisma's "
                                         f"{sorted(item.lines)}")
            continue
        if prisma_refuses:
            disagreements.append(f"{item.path}: accepted; Prisma: {item.errors[0]}")
        else:
            disagreements.append(f"{item.path}: refused ({report.errors[0]}); Prisma accepts")
    return Agreement(len(chosen), len(fixtures), same_verdict, refused, right_line,
                     tuple(disagreements))


def snapshots_from_env(variable: str = "PRISMA_ENGINES_SNAPSHOTS") -> list[Path]:
    return [Path(p) for p in os.environ.get(variable, "").split(":") if p]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshots", nargs="*", type=Path)
    parser.add_argument("--verbose", action="store_true", help="list every disagreement")
    args = parser.parse_args()
    snapshots = args.snapshots or snapshots_from_env()
    if not snapshots:
        sys.exit("no prisma-engines snapshot given (argument or PRISMA_ENGINES_SNAPSHOTS)")
    result = agreement(snapshots)
    total = result.total
    print(f"{total} fixtures for PostgreSQL, SQLite or no provider (of {result.of})")
    print(f"same verdict as Prisma: {result.same_verdict}/{total} = "
          f"{100 * result.same_verdict / total:.1f}%")
    print(f"refused by both with an error on a line Prisma names: "
          f"{result.on_a_prisma_line}/{result.refused_by_both}")
    if args.verbose:
        print("\n".join(result.disagreements))


if __name__ == "__main__":
    main()
