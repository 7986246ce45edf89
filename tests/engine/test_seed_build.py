"""audits.seed.build: the seed's databases, SQLite (the demo target) and PostgreSQL."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import psycopg
import pytest

from audits.seed import (
    ALL_TABLES,
    CORE_TABLES,
    FIX_MIGRATION_NAMES,
    MISSING_SUPPLIER_PROFILE_COLUMNS,
    MISSING_USER_COLUMNS,
    SQLITE_BASE_MIGRATIONS_DIR,
    SQLITE_SCHEMA_PATH,
    base_migration_folders,
    fix_migration_folders,
)
from audits.seed.build import (
    apply_postgres_migrations,
    build_sqlite_database,
    migration_checksum,
)

Shape = dict[
    str, tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]
]


def sqlite_tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    return {row[0] for row in rows}


def sqlite_columns(path: Path, table: str) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}


def sqlite_shape(path: Path) -> Shape:
    """Columns, indexes and foreign keys of every table, independent of column order."""
    shape: Shape = {}
    conn = sqlite3.connect(path)
    try:
        for table in sorted(sqlite_tables(path)):
            columns = sorted(
                tuple(row[1:]) for row in conn.execute(f'PRAGMA table_info("{table}")')
            )
            indexes = sorted(
                (
                    row[1],
                    row[2],
                    tuple(c[2] for c in conn.execute(f'PRAGMA index_info("{row[1]}")')),
                )
                for row in conn.execute(f'PRAGMA index_list("{table}")')
            )
            keys = sorted(
                tuple(row[2:]) for row in conn.execute(f'PRAGMA foreign_key_list("{table}")')
            )
            shape[table] = (columns, indexes, keys)
    finally:
        conn.close()
    return shape


def test_base_build_is_the_post_reset_database(tmp_path: Path) -> None:
    path = build_sqlite_database(tmp_path / "seed.db")

    assert path == tmp_path / "seed.db"
    assert sqlite_tables(path) == set(CORE_TABLES)
    assert sqlite_columns(path, "User").isdisjoint(MISSING_USER_COLUMNS)
    assert sqlite_columns(path, "SupplierProfile").isdisjoint(MISSING_SUPPLIER_PROFILE_COLUMNS)
    assert len(sqlite_columns(path, "User")) == 11
    assert len(sqlite_columns(path, "SupplierProfile")) == 12


def test_build_with_fixes_has_all_29_tables_and_the_columns(tmp_path: Path) -> None:
    path = build_sqlite_database(tmp_path / "seed.db", include_fixes=True)

    assert sqlite_tables(path) == set(ALL_TABLES)
    assert len(ALL_TABLES) == 29
    assert set(MISSING_USER_COLUMNS) <= sqlite_columns(path, "User")
    assert set(MISSING_SUPPLIER_PROFILE_COLUMNS) <= sqlite_columns(path, "SupplierProfile")
    assert len(sqlite_columns(path, "User")) == 20
    assert len(sqlite_columns(path, "SupplierProfile")) == 24


def test_building_again_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "seed.db"
    build_sqlite_database(path, include_fixes=True)
    build_sqlite_database(path)

    assert sqlite_tables(path) == set(CORE_TABLES)


def test_record_migrations_writes_prismas_history(tmp_path: Path) -> None:
    path = build_sqlite_database(tmp_path / "seed.db", include_fixes=True, record_migrations=True)
    folders = base_migration_folders("sqlite") + fix_migration_folders("sqlite")

    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            'SELECT "migration_name", "checksum", "applied_steps_count", "finished_at" IS NOT NULL'
            ' FROM "_prisma_migrations" ORDER BY rowid'
        ).fetchall()
    expected = [
        (folder.name, migration_checksum((folder / "migration.sql").read_text()), 1, 1)
        for folder in folders
    ]
    assert rows == expected
    assert len(rows) == 19
    assert [row[0] for row in rows[-3:]] == list(FIX_MIGRATION_NAMES)
    assert sqlite_tables(path) == set(ALL_TABLES) | {"_prisma_migrations"}


def test_sqlite_migrations_end_where_prismas_own_ddl_does(
    tmp_path: Path, shared_dir: Path, pg_admin_dsn: str
) -> None:
    oracle = shared_dir / "tools" / "prisma-oracle" / "prisma-oracle"
    ddl = subprocess.run(
        [str(oracle), "ddl", str(SQLITE_SCHEMA_PATH)],
        capture_output=True,
        text=True,
        check=True,
        timeout=180,
    ).stdout
    reference = tmp_path / "reference.db"
    with sqlite3.connect(reference) as conn:
        conn.executescript(ddl)
    built = build_sqlite_database(tmp_path / "seed.db", include_fixes=True)

    assert sqlite_shape(built) == sqlite_shape(reference)


def test_sqlite_lock_file_says_sqlite() -> None:
    lock = (SQLITE_BASE_MIGRATIONS_DIR / "migration_lock.toml").read_text()
    assert 'provider = "sqlite"' in lock
    assert [f.name for f in base_migration_folders("sqlite")] == [
        f.name for f in base_migration_folders()
    ]


def pg_tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        ).fetchall()
    return {row[0] for row in rows}


@pytest.mark.postgres
def test_apply_postgres_migrations_base_then_fixes(scratch_pg: str) -> None:
    applied = apply_postgres_migrations(scratch_pg, base_migration_folders())
    assert applied == [folder.name for folder in base_migration_folders()]
    assert pg_tables(scratch_pg) == set(CORE_TABLES)

    applied = apply_postgres_migrations(scratch_pg, fix_migration_folders())
    assert applied == list(FIX_MIGRATION_NAMES)
    assert pg_tables(scratch_pg) == set(ALL_TABLES)


@pytest.mark.postgres
def test_apply_postgres_migrations_can_record_history(scratch_pg: str) -> None:
    apply_postgres_migrations(scratch_pg, base_migration_folders(), record_migrations=True)

    with psycopg.connect(scratch_pg) as conn:
        rows = conn.execute(
            'SELECT "migration_name", "checksum" FROM "_prisma_migrations" ORDER BY "finished_at"'
        ).fetchall()
    assert [row[0] for row in rows] == [folder.name for folder in base_migration_folders()]
    assert rows[0][1] == migration_checksum(
        (base_migration_folders()[0] / "migration.sql").read_text()
    )
    assert pg_tables(scratch_pg) == set(CORE_TABLES) | {"_prisma_migrations"}


def pg_columns_and_indexes(url: str) -> tuple[dict[str, set[str]], set[str]]:
    with psycopg.connect(url) as conn:
        columns = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public'"
        ).fetchall()
        indexes = conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
            " AND indexname NOT LIKE '%\\_pkey'"
        ).fetchall()
    by_table: dict[str, set[str]] = {}
    for table, column in columns:
        by_table.setdefault(table, set()).add(column)
    return by_table, {row[0] for row in indexes}


def sqlite_columns_and_indexes(path: Path) -> tuple[dict[str, set[str]], set[str]]:
    by_table = {table: sqlite_columns(path, table) for table in sqlite_tables(path)}
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
    return by_table, {row[0] for row in rows}


@pytest.mark.postgres
def test_both_dialects_have_the_same_tables_columns_and_indexes(
    scratch_pg: str, tmp_path: Path
) -> None:
    apply_postgres_migrations(scratch_pg, base_migration_folders())
    post_reset = build_sqlite_database(tmp_path / "post-reset.db")
    assert pg_columns_and_indexes(scratch_pg) == sqlite_columns_and_indexes(post_reset)

    apply_postgres_migrations(scratch_pg, fix_migration_folders())
    fixed = build_sqlite_database(tmp_path / "fixed.db", include_fixes=True)
    columns, indexes = pg_columns_and_indexes(scratch_pg)
    assert (columns, indexes) == sqlite_columns_and_indexes(fixed)
    assert len(indexes) == 65
