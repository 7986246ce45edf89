"""The catastrophe signatures on real PostgreSQL: a populated database (78,700 rows, statistics
current) read before and after each event, and exactly the detections each event must give.

(a) `prisma migrate reset --force`, (b) TRUNCATE of most tables and (d) `_prisma_migrations`
dropped and recreated are caught; (c) a couple of dozen deletes and (e) ordinary churn are not,
nor are a statistics reset, table rewrites or a new migration.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from audits.engine.vitals import Thresholds, VitalSigns, VitalsRequest, detect, read_vitals
from audits.engine.vitals.detect import (
    MIGRATIONS_RESET,
    ROWS_COLLAPSED,
    SCHEMA_RECREATED,
    SEQUENCES_RESET,
    TABLES_RECREATED,
)
from tests.engine import catastrophe

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def populated_template(pg_admin_dsn: str, tmp_path_factory: pytest.TempPathFactory
                       ) -> Iterator[tuple[str, Path]]:
    """The populated database, built once; each test works on a copy of it."""
    extra = tmp_path_factory.mktemp("migrations")
    for name in catastrophe.populated_template(pg_admin_dsn, extra, "dw_vitals_template"):
        yield name, extra


@pytest.fixture
def database(pg_admin_dsn: str, populated_template: tuple[str, Path]) -> Iterator[str]:
    """A fresh copy of the populated database, ANALYZEd (a copy starts without statistics)."""
    yield from catastrophe.analyzed_copy(pg_admin_dsn, populated_template[0], "dw_vitals")


@pytest.fixture
def extra_dir(populated_template: tuple[str, Path]) -> Path:
    return populated_template[1]


def kinds(before: VitalSigns, after: VitalSigns) -> list[str]:
    return [detection.kind for detection in detect(before, after)]


def test_the_populated_database_reads_as_populated(database: str) -> None:
    vitals = read_vitals(database)
    assert vitals.total_rows() == catastrophe.ROWS_POPULATED
    assert len(vitals.user_tables()) == 11
    assert vitals.migrations[0].rows == 17


def test_a_migrate_reset_is_caught_by_every_signature(database: str, extra_dir: Path) -> None:
    before = read_vitals(database)
    catastrophe.migrate_reset(database, extra_dir)
    after = read_vitals(database)

    found = detect(before, after)
    assert [d.kind for d in found] == [SCHEMA_RECREATED, TABLES_RECREATED, MIGRATIONS_RESET,
                                       ROWS_COLLAPSED, SEQUENCES_RESET]
    schema, tables, migrations, rows, sequences = found
    assert schema.title == 'Schema "public" was dropped and created again'
    assert schema.figures[0].before == before.namespaces[0].oid
    assert schema.figures[0].after == after.namespaces[0].oid != before.namespaces[0].oid
    assert tables.title == "11 of 11 tables were dropped and created again"
    assert migrations.title == "_prisma_migrations was dropped and created again"
    assert [(f.before, f.after) for f in migrations.figures][0] == (17, 17)
    assert rows.title == "100% of the rows are gone"
    assert (rows.figures[0].before, rows.figures[0].after) == (catastrophe.ROWS_POPULATED, 0)
    assert sequences.title == "2 id sequences went back"
    assert [(f.label, f.before, f.after) for f in sequences.figures] == [
        ("Event.id last value", 20000, None), ("Notification.id last value", 5000, None)]


def test_truncate_of_most_tables_collapses_the_rows(database: str) -> None:
    before = read_vitals(database)
    catastrophe.run_sql(database, catastrophe.TRUNCATE_SQL)
    after = read_vitals(database)

    found = detect(before, after)
    assert [d.kind for d in found] == [ROWS_COLLAPSED]
    # User (12,000) and Notification (5,000) are left: 61,700 of 78,700 rows are gone
    assert (found[0].figures[0].before, found[0].figures[0].after) == (78700, 17000)
    assert found[0].title == "78% of the rows are gone"
    assert (found[0].figures[1].before, found[0].figures[1].after) == (0, 9)


def test_a_couple_of_dozen_deletes_fire_nothing(database: str) -> None:
    before = read_vitals(database)
    catastrophe.run_sql(database, catastrophe.DELETE_A_FEW_SQL)
    after = read_vitals(database)
    assert after.total_rows() == before.total_rows() - 24
    assert kinds(before, after) == []


def test_prisma_migrations_recreated_with_fresh_rows(database: str, extra_dir: Path) -> None:
    before = read_vitals(database)
    catastrophe.recreate_migrations_table(database, extra_dir)
    after = read_vitals(database)

    found = detect(before, after)
    assert [d.kind for d in found] == [MIGRATIONS_RESET]
    assert found[0].title == "_prisma_migrations was dropped and created again"
    assert after.migrations[0].rows == 17
    assert after.migrations[0].oldest_started_at > before.migrations[0].newest_started_at


def test_prisma_migrations_emptied(database: str) -> None:
    before = read_vitals(database)
    catastrophe.run_sql(database, 'DELETE FROM "_prisma_migrations"')
    found = detect(before, read_vitals(database))
    assert [(d.kind, d.title) for d in found] == [(MIGRATIONS_RESET,
                                                   "_prisma_migrations was emptied")]


def test_ordinary_churn_fires_nothing(database: str, extra_dir: Path) -> None:
    before = read_vitals(database)
    catastrophe.run_sql(database, catastrophe.CHURN_SQL, *catastrophe.MAINTENANCE_SQL)
    after = read_vitals(database)
    assert after.total_rows() == before.total_rows() + 6000 - 400
    assert kinds(before, after) == []


def test_a_new_migration_fires_nothing(database: str) -> None:
    """The three fix migrations add 20 tables and record 3 rows: history grows, nothing
    restarts."""
    from audits import seed
    from audits.seed.build import apply_postgres_migrations

    before = read_vitals(database)
    apply_postgres_migrations(database, seed.fix_migration_folders("postgresql"),
                              record_migrations=True)
    after = read_vitals(database)
    assert len(after.user_tables()) == 31
    assert after.migrations[0].rows == 20
    assert kinds(before, after) == []


def test_a_statistics_reset_fires_nothing(database: str) -> None:
    """pg_stat_reset() (or a crash) zeroes the live-row counters with every row still there."""
    before = read_vitals(database)
    catastrophe.run_sql(database, "SELECT pg_stat_reset()")
    after = read_vitals(database)
    assert {t.n_live_tup for t in after.user_tables()} == {0}
    assert kinds(before, after) == []


def test_a_statistics_reset_then_a_few_inserts_fires_nothing(database: str) -> None:
    before = read_vitals(database)
    catastrophe.run_sql(database, "SELECT pg_stat_reset()",
                        """INSERT INTO "Event" ("kind") SELECT 'x' FROM generate_series(1, 5)""")
    after = read_vitals(database)
    assert after.table("Event").n_live_tup == 5  # type: ignore[union-attr]
    assert kinds(before, after) == []


def test_table_rewrites_fire_nothing(database: str) -> None:
    """VACUUM FULL, CLUSTER and a rewriting ALTER TABLE give new storage, keep every row."""
    before = read_vitals(database)
    catastrophe.run_sql(
        database, 'VACUUM FULL "Order"', 'CLUSTER "Product" USING "Product_pkey"',
        'ALTER TABLE "Event" ALTER COLUMN "kind" TYPE VARCHAR(200)',
        'ALTER TABLE "User" ALTER COLUMN "name" TYPE VARCHAR(300)',
    )
    after = read_vitals(database)
    rewritten = {"Order", "Product", "Event", "User"}
    assert {t.name for t in after.tables
            if t.relfilenode != before.table(t.name).relfilenode} == rewritten  # type: ignore[union-attr]
    assert kinds(before, after) == []


def test_deleting_every_row_of_most_tables_is_caught_before_any_vacuum(database: str) -> None:
    before = read_vitals(database)
    catastrophe.run_sql(database, "SET session_replication_role = replica",
                        *(f'DELETE FROM "{name}"' for name in
                          ("Order", "Booking", "Product", "Session", "Account", "Event")))
    after = read_vitals(database)
    found = detect(before, after)
    assert [d.kind for d in found] == [ROWS_COLLAPSED]
    assert found[0].figures[0].after == 78700 - 12000 - 4000 - 10000 - 8000 - 6000 - 20000


def test_truncate_restart_identity_resets_the_sequence(database: str) -> None:
    before = read_vitals(database)
    catastrophe.run_sql(database, 'TRUNCATE "Notification" RESTART IDENTITY')
    found = detect(before, read_vitals(database))
    assert [d.kind for d in found] == [SEQUENCES_RESET]
    assert found[0].explanation.startswith(
        "1 serial/identity sequence that had reached 100 or more went back: "
        "Notification.id 5,000 → never used.")


def test_thresholds_decide(database: str) -> None:
    """The TRUNCATE of (b) loses 78% of the rows: a 0.8 threshold lets it pass."""
    before = read_vitals(database)
    catastrophe.run_sql(database, catastrophe.TRUNCATE_SQL)
    after = read_vitals(database)
    assert detect(before, after, Thresholds(rows_gone_fraction=0.8)) == ()
    assert len(detect(before, after, Thresholds(rows_gone_fraction=0.78))) == 1


def test_exact_counts_agree_with_the_estimates_here(database: str) -> None:
    vitals = read_vitals(database, request=VitalsRequest(exact_counts=True))
    assert vitals.exact_counts
    assert {t.name: t.exact_rows for t in vitals.tables}["Order"] == 12000
    assert vitals.total_rows() == catastrophe.ROWS_POPULATED
    assert vitals.notes == ()
