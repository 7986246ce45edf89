"""The seed target with three schema versions (the SQLite schema it was audited with, the
pre-incident schema, the current one), for the change guide and decoder tests.

Import into a test module: ``from tests.audits.changes.fixtures import *``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from audits import seed
from audits.core.models import SchemaVersion, Target
from audits.targets import services
from tests.audits.endpoints.fixtures import sqlite_seed_target

__all__ = ["git_repo", "guide_target", "sqlite_seed_target", "version_refs"]

PRE_INCIDENT = seed.PRE_INCIDENT_SCHEMA_PATH


@pytest.fixture
def guide_target(sqlite_seed_target: Target) -> Target:
    """Audited (post-reset SQLite, endpoints scanned), then given the pre-incident and the
    current PostgreSQL schema as two more versions, in that order."""
    services.add_schema_version(sqlite_seed_target, {"schema.prisma": PRE_INCIDENT.read_text()},
                                label="pre-incident")
    services.add_schema_version(sqlite_seed_target,
                                {"schema.prisma": seed.SCHEMA_PATH.read_text()}, label="current")
    sqlite_seed_target.refresh_from_db()
    return sqlite_seed_target


def version_refs(target: Target) -> dict[str, str]:
    """{label: "v<id>"} of the target's schema versions."""
    return {label: f"v{pk}" for pk, label in
            SchemaVersion.objects.filter(target=target).values_list("pk", "label")}


def git_repo(root: Path, versions: list[str]) -> list[str]:
    """A git repository at ``root`` whose prisma/schema.prisma went through ``versions``; the
    commits' shas, oldest first."""
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                              text=True).stdout.strip()

    (root / "prisma").mkdir(parents=True)
    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    shas = []
    for number, text in enumerate(versions):
        (root / "prisma" / "schema.prisma").write_text(text)
        git("add", ".")
        git("commit", "-qm", f"schema {number}")
        shas.append(git("rev-parse", "HEAD"))
    return shas


