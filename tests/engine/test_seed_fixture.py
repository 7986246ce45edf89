"""The seed fixture agrees with Prisma's own engine.

The 16 base migrations give the post-reset database of the seed incident: Prisma's diff against
schema.prisma names exactly the 9 User columns, the 12 SupplierProfile columns and the 20 tables
the seed lists. After the three fix migrations Prisma sees no difference at all.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import psycopg
import pytest

from audits.seed import (
    BASE_MIGRATIONS_DIR,
    CORE_TABLES,
    FIX_MIGRATION_NAMES,
    FIX_MIGRATIONS_DIR,
    MISSING_SUPPLIER_PROFILE_COLUMNS,
    MISSING_TABLES,
    MISSING_USER_COLUMNS,
    SCHEMA_PATH,
    base_migration_folders,
    fix_migration_folders,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# The enums only the 20 missing tables use; the post-reset database lacks them too.
MISSING_ENUMS = {
    "AddressType",
    "TradeInStatus",
    "TradeInOfferStatus",
    "MessageType",
    "PaymentStatus",
    "PaymentProvider",
    "KYCStatus",
    "TransactionType",
    "WithdrawalStatus",
    "TrackingStatus",
}


@pytest.fixture(scope="module")
def oracle(shared_dir: Path) -> Path:
    path = shared_dir / "tools" / "prisma-oracle" / "prisma-oracle"
    if not path.is_file():
        pytest.skip(f"SKIPPED LOUDLY: the Prisma oracle is absent at {path}")
    return path


def apply_with_psql(url: str, folders: list[Path]) -> None:
    for folder in folders:
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(folder / "migration.sql")],
            check=True,
            capture_output=True,
            text=True,
        )


def run_oracle_diff(oracle: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(oracle), "diff", url, str(SCHEMA_PATH), *extra],
        capture_output=True,
        text=True,
        timeout=180,
    )


def public_tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        ).fetchall()
    return {row[0] for row in rows}


def parse_diff_script(script: str) -> dict[str, set[str]]:
    """Sort the statements of Prisma's migration script by what they do."""
    found: dict[str, set[str]] = {
        "created_tables": set(),
        "created_enums": set(),
        "user_columns": set(),
        "supplier_profile_columns": set(),
        "index_tables": set(),
        "foreign_key_tables": set(),
        "other": set(),
    }
    body = "\n".join(line for line in script.splitlines() if not line.startswith("--"))
    for statement in (s.strip() for s in body.split(";")):
        if not statement:
            continue
        if m := re.match(r'CREATE TABLE "(\w+)"', statement):
            found["created_tables"].add(m[1])
        elif m := re.match(r'CREATE TYPE "(\w+)" AS ENUM', statement):
            found["created_enums"].add(m[1])
        elif m := re.match(r'ALTER TABLE "(User|SupplierProfile)" ADD COLUMN', statement):
            key = "user_columns" if m[1] == "User" else "supplier_profile_columns"
            found[key].update(re.findall(r'ADD COLUMN\s+"(\w+)"', statement))
        elif m := re.match(r'CREATE (?:UNIQUE )?INDEX "\w+" ON "(\w+)"', statement):
            found["index_tables"].add(m[1])
        elif m := re.match(r'ALTER TABLE "(\w+)" ADD CONSTRAINT "\w+" FOREIGN KEY', statement):
            found["foreign_key_tables"].add(m[1])
        else:
            found["other"].add(statement)
    return found


def test_the_layout_is_prismas() -> None:
    base = base_migration_folders()
    assert len(base) == 16
    assert all(re.fullmatch(r"\d{14}_[a-z_]+", folder.name) for folder in base)
    assert all(folder.name < "20260212" for folder in base)
    lock = (BASE_MIGRATIONS_DIR / "migration_lock.toml").read_text()
    assert 'provider = "postgresql"' in lock
    assert tuple(folder.name for folder in fix_migration_folders()) == FIX_MIGRATION_NAMES


def test_fix_migrations_one_and_three_are_the_seeds_sql() -> None:
    users = (FIX_MIGRATIONS_DIR / FIX_MIGRATION_NAMES[0] / "migration.sql").read_text()
    suppliers = (FIX_MIGRATIONS_DIR / FIX_MIGRATION_NAMES[2] / "migration.sql").read_text()
    assert users.splitlines()[0] == 'ALTER TABLE "User" ADD COLUMN "username" TEXT;'
    assert len(users.splitlines()) == 9
    assert re.findall(r'ADD COLUMN "(\w+)"', users) == list(MISSING_USER_COLUMNS)
    assert len(suppliers.splitlines()) == 12
    assert re.findall(r'ADD COLUMN "(\w+)"', suppliers) == list(MISSING_SUPPLIER_PROFILE_COLUMNS)
    keywords = 'ALTER TABLE "SupplierProfile" ADD COLUMN "keywords" TEXT[];'
    assert suppliers.splitlines()[-1] == keywords


def test_post_reset_database_lacks_exactly_what_the_seed_lists(
    scratch_pg: str, oracle: Path
) -> None:
    apply_with_psql(scratch_pg, base_migration_folders())
    assert public_tables(scratch_pg) == set(CORE_TABLES)

    result = run_oracle_diff(oracle, scratch_pg, "--script")
    assert result.returncode == 2, result.stderr
    found = parse_diff_script(result.stdout)

    assert found["user_columns"] == set(MISSING_USER_COLUMNS)
    assert found["supplier_profile_columns"] == set(MISSING_SUPPLIER_PROFILE_COLUMNS)
    assert found["created_tables"] == set(MISSING_TABLES)
    assert found["created_enums"] == MISSING_ENUMS
    # Every index and key Prisma wants belongs to one of the missing tables.
    assert found["index_tables"] <= set(MISSING_TABLES)
    assert found["foreign_key_tables"] <= set(MISSING_TABLES)
    assert found["other"] == set()


def test_after_the_three_fixes_prisma_sees_no_drift(scratch_pg: str, oracle: Path) -> None:
    apply_with_psql(scratch_pg, base_migration_folders())
    apply_with_psql(scratch_pg, fix_migration_folders())
    assert public_tables(scratch_pg) == set(CORE_TABLES) | set(MISSING_TABLES)

    result = run_oracle_diff(oracle, scratch_pg)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "No difference detected."
