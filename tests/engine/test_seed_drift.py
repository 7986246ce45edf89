"""The seed incident, end to end: the post-reset database (16 base migrations) audited against
the code's schema.prisma reports exactly what broke on February 12, and the three fix
migrations leave nothing above info — on PostgreSQL and on SQLite, and through the CLI.

Expected findings on the post-reset database (DESIGN.md's table):
- one critical ``missing_column`` for each of the 9 User and 12 SupplierProfile columns;
- one critical ``missing_table`` for each of the 20 tables (their columns, indexes and keys
  are not reported again);
- on PostgreSQL, one critical ``missing_enum`` for each of the 10 enums only those tables use:
  an enum is a type of its own, not a column or an index of a missing table, and DESIGN.md
  lists ``missing_enum`` as a finding kind of its own. SQLite has no enum types.
Statuses: User and SupplierProfile ``broken``, the 20 models ``missing``, the rest ``ok``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from audits import seed
from audits.engine.audit import audit
from audits.engine.model import Report, Severity, Status
from audits.seed.build import apply_postgres_migrations, build_sqlite_database
from tests.conftest import make_scratch_database

REPO = Path(__file__).resolve().parents[2]

# The ten enums the 20 missing tables need and no core table uses (seed README).
MISSING_ENUMS = (
    "AddressType",
    "KYCStatus",
    "MessageType",
    "PaymentProvider",
    "PaymentStatus",
    "TrackingStatus",
    "TradeInOfferStatus",
    "TradeInStatus",
    "TransactionType",
    "WithdrawalStatus",
)

Row = tuple[str, str, str | None, str | None, str | None]


def expected_post_reset_rows(dialect: str) -> set[Row]:
    rows: set[Row] = set()
    rows |= {("critical", "missing_column", "User", column, None)
             for column in seed.MISSING_USER_COLUMNS}
    rows |= {("critical", "missing_column", "SupplierProfile", column, None)
             for column in seed.MISSING_SUPPLIER_PROFILE_COLUMNS}
    rows |= {("critical", "missing_table", table, None, None) for table in seed.MISSING_TABLES}
    if dialect == "postgresql":
        rows |= {("critical", "missing_enum", None, None, enum) for enum in MISSING_ENUMS}
    return rows


def finding_rows(report: Report) -> list[Row]:
    return [(f.severity.value, f.kind, f.table, f.column, f.object_name)
            for f in report.findings]


def statuses(report: Report) -> dict[str, str]:
    return {o.table: o.status.value for o in report.objects}


def assert_post_reset(report: Report, dialect: str) -> None:
    rows = finding_rows(report)
    assert len(rows) == len(set(rows)), "a finding is reported twice"
    assert set(rows) == expected_post_reset_rows(dialect)
    assert len(rows) == 9 + 12 + 20 + (10 if dialect == "postgresql" else 0)
    expected_status = {table: Status.OK.value for table in seed.CORE_TABLES}
    expected_status |= {"User": "broken", "SupplierProfile": "broken"}
    expected_status |= {table: Status.MISSING.value for table in seed.MISSING_TABLES}
    assert statuses(report) == expected_status
    models = {o.table: o.model for o in report.objects}
    assert all(models[table] == table for table in seed.ALL_TABLES)
    # the missing columns name their Prisma field, and a missing table names its model
    for finding in report.findings:
        if finding.kind == "missing_column":
            assert (finding.model, finding.field) == (finding.table, finding.column)
        if finding.kind == "missing_table":
            assert finding.model == finding.table


def assert_fixed(report: Report) -> None:
    assert [row for row in finding_rows(report) if row[0] != Severity.INFO.value] == []
    assert finding_rows(report) == []  # the fixes are Prisma's own DDL: not even info
    assert set(statuses(report).values()) == {"ok"}
    assert len(report.objects) == len(seed.ALL_TABLES)


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def post_reset_url(pg_admin_dsn: str) -> Iterator[str]:
    for url in make_scratch_database(pg_admin_dsn, prefix="dw_seed_reset"):
        assert len(apply_postgres_migrations(url, seed.base_migration_folders("postgresql"))) == 16
        yield url


@pytest.fixture(scope="module")
def fixed_url(pg_admin_dsn: str) -> Iterator[str]:
    for url in make_scratch_database(pg_admin_dsn, prefix="dw_seed_fixed"):
        apply_postgres_migrations(url, seed.base_migration_folders("postgresql"))
        assert apply_postgres_migrations(url, seed.fix_migration_folders("postgresql")) == \
            list(seed.FIX_MIGRATION_NAMES)
        yield url


@pytest.mark.postgres
def test_postgres_post_reset_reports_exactly_the_incident(post_reset_url: str) -> None:
    report = audit(seed.SCHEMA_PATH, post_reset_url).report
    assert report.dialect == "postgresql"
    assert_post_reset(report, "postgresql")


@pytest.mark.postgres
def test_postgres_after_the_three_fixes_nothing(fixed_url: str) -> None:
    assert_fixed(audit(seed.SCHEMA_PATH, fixed_url).report)


@pytest.mark.postgres
def test_postgres_each_fix_closes_its_own_part(pg_admin_dsn: str) -> None:
    """Fix 1 closes the User columns, fix 2 the tables and their enums, fix 3 SupplierProfile."""
    fixes = seed.fix_migration_folders("postgresql")
    remaining = expected_post_reset_rows("postgresql")
    closes = [
        {r for r in remaining if r[2] == "User"},
        {r for r in remaining if r[1] in {"missing_table", "missing_enum"}},
        {r for r in remaining if r[2] == "SupplierProfile"},
    ]
    for url in make_scratch_database(pg_admin_dsn, prefix="dw_seed_steps"):
        apply_postgres_migrations(url, seed.base_migration_folders("postgresql"))
        for fix, closed in zip(fixes, closes, strict=True):
            apply_postgres_migrations(url, [fix])
            remaining -= closed
            assert set(finding_rows(audit(seed.SCHEMA_PATH, url).report)) == remaining, fix.name
    assert remaining == set()


# --- SQLite -------------------------------------------------------------------------------------


def test_sqlite_post_reset_reports_exactly_the_incident(tmp_path: Path) -> None:
    path = build_sqlite_database(tmp_path / "post_reset.db")
    report = audit(seed.SQLITE_SCHEMA_PATH, f"sqlite:///{path}").report
    assert report.dialect == "sqlite"
    assert_post_reset(report, "sqlite")


def test_sqlite_after_the_three_fixes_nothing(tmp_path: Path) -> None:
    path = build_sqlite_database(tmp_path / "fixed.db", include_fixes=True)
    assert_fixed(audit(seed.SQLITE_SCHEMA_PATH, str(path)).report)


# --- the CLI, as a real process ----------------------------------------------------------------


def run_drift(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "drift", "--schema", str(seed.SCHEMA_PATH),
         "--database-url", url, "--format", "json", "--exit-code"],
        cwd=REPO, capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )


@pytest.mark.postgres
def test_drift_command_exit_2_before_and_0_after(post_reset_url: str, fixed_url: str) -> None:
    before = run_drift(post_reset_url)
    assert (before.returncode, before.stderr) == (2, "")
    document = json.loads(before.stdout)
    assert document["dialect"] == "postgresql"
    assert document["summary"]["findings"] == 51
    assert document["summary"]["by_severity"] == {"critical": 51, "error": 0, "warning": 0,
                                                  "info": 0}
    rows = {(f["severity"], f["kind"], f["table"], f["column"]) for f in document["findings"]}
    assert rows == {row[:4] for row in expected_post_reset_rows("postgresql")}
    model_status = {m["model"]: m["status"] for m in document["models"]}
    assert (model_status["User"], model_status["SupplierProfile"]) == ("broken", "broken")
    assert {m for m, s in model_status.items() if s == "missing"} == set(seed.MISSING_TABLES)

    after = run_drift(fixed_url)
    assert (after.returncode, after.stderr) == (0, "")
    fixed = json.loads(after.stdout)
    assert fixed["findings"] == []
    assert fixed["summary"]["findings"] == 0
    assert {m["status"] for m in fixed["models"]} == {"ok"}
