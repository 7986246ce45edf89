"""A SQLite file's vital signs: exact counts, AUTOINCREMENT counters, _prisma_migrations; and
a rebuilt file (the SQLite form of a reset) is caught."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from audits.engine.audit import audit
from audits.engine.vitals import SequenceVitals, VitalSigns, VitalsRequest, detect, read_vitals
from audits.engine.vitals.detect import MIGRATIONS_RESET, ROWS_COLLAPSED, SEQUENCES_RESET
from audits.seed import SQLITE_SCHEMA_PATH
from audits.seed.build import build_sqlite_database


def populate(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE "Event" (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL);
        WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 3000)
        INSERT INTO "Event" (kind) SELECT 'k' FROM g;
        WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2000)
        INSERT INTO "User" (id, email, updatedAt) SELECT 'u' || n, 'u' || n, 0 FROM g;
    """)
    conn.commit()
    conn.close()


def test_counts_counters_and_bookkeeping(tmp_path: Path) -> None:
    path = build_sqlite_database(tmp_path / "app.db", record_migrations=True)
    populate(path)
    vitals = read_vitals(str(path))
    assert vitals.dialect == "sqlite" and vitals.exact_counts
    rows = {t.name: t.exact_rows for t in vitals.tables}
    assert rows["Event"] == 3000 and rows["User"] == 2000 and rows["_prisma_migrations"] == 16
    assert vitals.total_rows() == 5000
    assert {t.oid for t in vitals.tables} == {None}
    assert vitals.sequences == (SequenceVitals(table="Event", last_value=3000),)
    assert vitals.migrations[0].rows == 16
    assert vitals.migrations[0].oldest_started_at is not None
    assert vitals.migrations[0].oldest_started_at.endswith("+00:00")
    assert VitalSigns.from_json(vitals.to_json()) == vitals


def test_a_rebuilt_file_is_caught(tmp_path: Path) -> None:
    path = build_sqlite_database(tmp_path / "app.db", record_migrations=True)
    populate(path)
    before = read_vitals(str(path))
    build_sqlite_database(path, record_migrations=True)  # replaced and migrated again
    conn = sqlite3.connect(path)
    conn.execute('CREATE TABLE "Event" (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT)')
    conn.execute("INSERT INTO \"Event\" (kind) VALUES ('k')")
    conn.commit()
    conn.close()
    found = detect(before, read_vitals(str(path)))
    assert [d.kind for d in found] == [MIGRATIONS_RESET, ROWS_COLLAPSED, SEQUENCES_RESET]
    assert found[0].title == "_prisma_migrations was written again from scratch"


def test_a_file_with_many_tables_is_counted(tmp_path: Path) -> None:
    path = tmp_path / "wide.db"
    conn = sqlite3.connect(path)
    conn.executescript("".join(f'CREATE TABLE "t{n}" (x);' for n in range(900)))
    conn.execute('INSERT INTO "t899" VALUES (1)')
    conn.commit()
    conn.close()
    vitals = read_vitals(str(path))
    assert len(vitals.tables) == 900 and vitals.total_rows() == 1
    assert vitals.sequences == () and vitals.migrations == ()


def test_an_audit_carries_them(tmp_path: Path) -> None:
    path = build_sqlite_database(tmp_path / "app.db")
    result = audit(SQLITE_SCHEMA_PATH, str(path), vitals=VitalsRequest())
    assert result.vitals is not None
    assert len(result.vitals.tables) == len(result.actual.tables)
