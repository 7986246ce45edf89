"""Prisma's verdict on Prisma's own schemas, read from local snapshots only (nothing of them is
copied into this repository):

- ``PRISMA_ENGINES_SNAPSHOTS``: prisma-engines checkouts or git directories (":"-separated);
  their validation fixtures for PostgreSQL, SQLite or no provider must get Prisma's verdict on at
  least 95%, and every refusal must name a line Prisma names;
- ``PRISMA_EXAMPLE_SNAPSHOTS``: checkouts or git directories of Prisma's example and fixture
  repositories (prisma/prisma, prisma/prisma-examples); every ``.prisma`` file in them must get
  the prisma-oracle's verdict.

Without the variables these tests skip loudly; the differential test
(test_prisma_validate_differential) is the one that always runs.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from audits.engine.prisma.validate import validate_files
from bench.prisma_fixture_agreement import agreement, snapshots_from_env
from tests.engine.prisma_oracle_batch import ensure_installed, verdicts


def test_prisma_validation_fixtures_get_prismas_verdict() -> None:
    snapshots = snapshots_from_env("PRISMA_ENGINES_SNAPSHOTS")
    if not snapshots:
        pytest.skip("SKIPPED LOUDLY: PRISMA_ENGINES_SNAPSHOTS names no prisma-engines snapshot")
    result = agreement(snapshots)
    assert result.total > 0
    assert result.same_verdict / result.total >= 0.95, "\n".join(result.disagreements)
    assert result.on_a_prisma_line == result.refused_by_both, "\n".join(result.disagreements)


def _prisma_files(snapshot: Path) -> dict[str, str]:
    if (snapshot / ".git").exists() or not (snapshot / "HEAD").exists():
        return {str(p.relative_to(snapshot)): p.read_text(encoding="utf-8", errors="replace")
                for p in sorted(snapshot.rglob("*.prisma")) if "node_modules" not in p.parts}
    git = ["git", "--git-dir", str(snapshot)]
    names = subprocess.run([*git, "ls-tree", "-r", "--name-only", "HEAD"], capture_output=True,
                           text=True, check=True).stdout.splitlines()
    return {name: subprocess.run([*git, "show", f"HEAD:{name}"], capture_output=True,
                                 check=True).stdout.decode("utf-8", "replace")
            for name in names if name.endswith(".prisma")}


def test_prismas_examples_get_the_oracles_verdict(
    shared_dir: Path, tmp_path: Path
) -> None:
    snapshots = snapshots_from_env("PRISMA_EXAMPLE_SNAPSHOTS")
    if not snapshots:
        pytest.skip("SKIPPED LOUDLY: PRISMA_EXAMPLE_SNAPSHOTS names no snapshot of Prisma's "
                    "examples")
    home = ensure_installed(shared_dir / "tools" / "prisma-oracle" / "prisma-oracle", tmp_path)
    files = {f"{snapshot}:{name}": text for snapshot in snapshots
             for name, text in _prisma_files(snapshot).items()}
    assert files
    answers = verdicts(home, [{"schema.prisma": text} for text in files.values()])
    wrong = []
    for (name, text), prisma in zip(files.items(), answers, strict=True):
        ours = validate_files({"schema.prisma": text})
        if ours.valid != prisma.ok:
            wrong.append(f"{name}: Prisma {'accepts' if prisma.ok else 'refuses'}, we "
                         f"{'accept' if ours.valid else 'refuse: ' + str(ours.errors[0])}")
    assert wrong == []
