"""Seed fixtures for the endpoint-safety tests: the marketplace target audited on its
post-reset database (SQLite or PostgreSQL), its fix, and what audits/seed/endpoints.json expects.

Import the fixtures into a test module: ``from tests.audits.endpoints.fixtures import *``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from audits import seed
from audits.core.models import AuditRun, Target
from audits.seed.build import apply_postgres_migrations, build_sqlite_database
from audits.targets import services

__all__ = ["audit", "expected_reasons", "expected_verdicts", "pg_seed_target",
           "sqlite_seed_target", "sqlite_fixed_dsn"]


def audit(target: Target) -> AuditRun:
    """One audit, run in-process as a worker would."""
    run = services.request_audit(target, enqueue=False)
    done = services.execute_audit(run.pk)
    assert done is not None and done.status == "succeeded", done and done.error
    target.refresh_from_db()
    return done


def expected_verdicts(state: str) -> dict[str, str]:
    """{"POST /api/auth/google": "unsafe", ...} for state post_reset or after_fixes."""
    return {f"{','.join(e['methods'])} {e['route']}": e[state]["verdict"]
            for e in seed.expected_endpoints()}


def expected_reasons() -> dict[str, set[str]]:
    """The exact reasons of each unsafe endpoint on the post-reset database."""
    reasons = {}
    for e in seed.expected_endpoints():
        post = e["post_reset"]
        if post["verdict"] != "unsafe":
            continue
        found = {f'table "{table}" does not exist (model {table})'
                 for table in post["missing_tables"]}
        found |= {f"{model}.{column} is missing"
                  for model, columns in post["missing_columns"].items() for column in columns}
        reasons[f"{','.join(e['methods'])} {e['route']}"] = found
    return reasons


@pytest.fixture
def sqlite_seed_target(db: Any, tmp_path: Path) -> Target:
    path = build_sqlite_database(tmp_path / "post-reset.sqlite3")
    target = services.create_target(
        name="Marketplace", slug="marketplace", dsn=f"sqlite:///{path}",
        schema_files=services.read_schema_files(seed.SQLITE_SCHEMA_PATH),
        code_path=str(seed.BACKEND_DIR),
    )
    audit(target)
    return target


@pytest.fixture
def sqlite_fixed_dsn(tmp_path: Path) -> str:
    return f"sqlite:///{build_sqlite_database(tmp_path / 'fixed.sqlite3', include_fixes=True)}"


@pytest.fixture
def pg_seed_target(db: Any, scratch_pg: str) -> Callable[[], Target]:
    """The PostgreSQL target on a post-reset scratch database; call .fix() to apply the fixes."""
    apply_postgres_migrations(scratch_pg, seed.base_migration_folders("postgresql"))
    target = services.create_target(
        name="Marketplace production", slug="marketplace-pg", dsn=scratch_pg,
        schema_files=services.read_schema_files(seed.SCHEMA_PATH),
        code_path=str(seed.BACKEND_DIR),
    )
    audit(target)
    target.fix = lambda: apply_postgres_migrations(  # type: ignore[attr-defined]
        scratch_pg, seed.fix_migration_folders("postgresql"))
    return target
