"""Build the seed incident's databases from its migration folders.

Pure Python (sqlite3, psycopg), no Django: the demo calls ``build_sqlite_database`` to create
its zero-setup target, and tests call ``apply_postgres_migrations`` on scratch databases.
These helpers WRITE, so they are for databases the demo or a test owns, never a real target.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

import psycopg

from audits.seed import base_migration_folders, fix_migration_folders

# Prisma's own bookkeeping table, as `prisma migrate deploy` creates it on each dialect.
_PG_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)
"""
_SQLITE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "checksum" TEXT NOT NULL,
    "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL,
    "logs" TEXT,
    "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)
"""


def migration_checksum(sql: str) -> str:
    """The checksum Prisma stores for a migration: SHA-256 of its migration.sql, in hex."""
    return hashlib.sha256(sql.encode("utf-8")).hexdigest()


def _read(folder: Path) -> str:
    return (folder / "migration.sql").read_text(encoding="utf-8")


def build_sqlite_database(
    path: str | Path, include_fixes: bool = False, *, record_migrations: bool = False
) -> Path:
    """Create the seed's SQLite database at ``path``: the post-reset state, or fixed.

    Any file already at ``path`` is replaced. With ``record_migrations`` the applied migrations
    are also written to ``_prisma_migrations``, as ``prisma migrate deploy`` would.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    folders = base_migration_folders("sqlite")
    if include_fixes:
        folders += fix_migration_folders("sqlite")
    conn = sqlite3.connect(target)
    try:
        if record_migrations:
            conn.execute(_SQLITE_MIGRATIONS_TABLE)
        for folder in folders:
            sql = _read(folder)
            conn.executescript(sql)
            if record_migrations:
                _record_sqlite(conn, folder.name, sql)
        conn.commit()
    finally:
        conn.close()
    return target


def _record_sqlite(conn: sqlite3.Connection, name: str, sql: str) -> None:
    # Prisma keeps DateTime values on SQLite as Unix milliseconds.
    now_ms = int(time.time() * 1000)
    conn.execute(
        'INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name",'
        ' "started_at", "applied_steps_count") VALUES (?, ?, ?, ?, ?, 1)',
        (str(uuid.uuid4()), migration_checksum(sql), now_ms, name, now_ms),
    )
    conn.commit()


def apply_postgres_migrations(
    url: str, folders: Iterable[Path], *, record_migrations: bool = False
) -> list[str]:
    """Run each folder's migration.sql on ``url`` in the given order; return their names.

    Autocommit, one file at a time, like ``psql -f`` (Prisma's own files need no transaction).
    """
    applied: list[str] = []
    with psycopg.connect(url, autocommit=True) as conn:
        if record_migrations:
            conn.execute(_PG_MIGRATIONS_TABLE)
        for folder in folders:
            sql = _read(folder)
            # No parameters, so psycopg sends the file as one simple-query batch.
            conn.execute(sql.encode("utf-8"))
            if record_migrations:
                conn.execute(
                    'INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at",'
                    ' "migration_name", "applied_steps_count") VALUES (%s, %s, now(), %s, 1)',
                    (str(uuid.uuid4()), migration_checksum(sql), folder.name),
                )
            applied.append(folder.name)
    return applied
