"""_prisma_migrations read-only: one state per migration, the lock, and a recreated table.

Every history here is built on a real PostgreSQL database with the statements Prisma itself
runs (tests/engine/prisma_history.py).
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from audits.engine.history.applied import (
    PRISMA_LOCK_KEY,
    State,
    TableIdentity,
    migration_states,
    read_target,
    recreated,
)
from audits.engine.history.folder import ChecksumMatch, prisma_checksum, read_folder
from tests.engine.prisma_history import CRLF_SQL, PrismaLike, build_every_state, write_folder


@pytest.fixture
def every_state(scratch_pg: str, tmp_path: Path) -> tuple[str, Path]:
    return scratch_pg, build_every_state(scratch_pg, tmp_path / "migrations")


def test_every_state_from_rows_prisma_wrote(every_state: tuple[str, Path]) -> None:
    url, root = every_state
    target = read_target(url)
    assert target.table_present is True
    assert target.in_flight is False
    statuses = migration_states(read_folder(root), target)
    assert [(s.name, s.state) for s in statuses] == [
        ("00_from_another_branch", State.UNKNOWN),
        ("01_init", State.APPLIED),
        ("02_crlf_checkout", State.APPLIED),
        ("03_edited", State.EDITED),
        ("04_marked", State.MARKED_APPLIED),
        ("05_failed", State.FAILED),
        ("06_rolled_back", State.ROLLED_BACK),
        ("07_pending", State.PENDING),
    ]
    by_name = {s.name: s for s in statuses}
    assert by_name["02_crlf_checkout"].checksum_match == ChecksumMatch.LINE_ENDINGS
    assert by_name["02_crlf_checkout"].checksum_local == prisma_checksum(CRLF_SQL)
    assert by_name["02_crlf_checkout"].checksum_db == prisma_checksum(
        CRLF_SQL.replace(b"\r\n", b"\n"))
    assert by_name["03_edited"].checksum_match == ChecksumMatch.NONE
    assert by_name["01_init"].checksum_match == ChecksumMatch.EXACT
    assert by_name["05_failed"].logs is not None and "division by zero" in by_name["05_failed"].logs
    assert by_name["05_failed"].finished_at is None
    assert by_name["06_rolled_back"].rolled_back_at is not None
    assert by_name["07_pending"].checksum_db is None and by_name["07_pending"].started_at is None
    assert by_name["00_from_another_branch"].checksum_local is None
    marked = by_name["04_marked"]
    assert marked.started_at == marked.finished_at and marked.applied_steps_count == 0


def test_to_dict_is_the_cli_shape(every_state: tuple[str, Path]) -> None:
    url, root = every_state
    status = migration_states(read_folder(root), read_target(url))[1]
    data = status.to_dict()
    assert list(data) == ["name", "state", "checksum_local", "checksum_db", "started_at",
                          "finished_at", "absent_objects"]
    assert data["state"] == "applied" and data["absent_objects"] == []
    assert data["started_at"].endswith("+00:00")


def test_a_failed_then_reapplied_migration_reads_applied(scratch_pg: str, tmp_path: Path) -> None:
    root = write_folder(tmp_path / "m", {"01_x": 'CREATE TABLE "X" ("id" INTEGER);\n'})
    with PrismaLike(scratch_pg) as prisma:
        prisma.execute('CREATE TABLE "X" ("id" INTEGER)')  # so the first deploy fails
        prisma.deploy(root, "01_x")
        prisma.resolve_rolled_back("01_x")
        prisma.execute('DROP TABLE "X"')
        prisma.deploy(root, "01_x")
    [status] = migration_states(read_folder(root), read_target(scratch_pg))
    assert status.state == State.APPLIED
    assert status.applied_steps_count == 1


def test_no_table_means_never_migrated_or_reset(scratch_pg: str, tmp_path: Path) -> None:
    root = write_folder(tmp_path / "m", {"01_x": "SELECT 1;"})
    target = read_target(scratch_pg)
    assert (target.table_present, target.in_flight, target.rows, target.identity) == \
        (False, False, (), None)
    assert [(s.name, s.state) for s in migration_states(read_folder(root), target)] == \
        [("01_x", State.PENDING)]


def test_a_held_advisory_lock_means_a_migration_in_flight(scratch_pg: str) -> None:
    with psycopg.connect(scratch_pg, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (PRISMA_LOCK_KEY,))
        assert read_target(scratch_pg).in_flight is True
        holder.execute("SELECT pg_advisory_unlock(%s)", (PRISMA_LOCK_KEY,))
    assert read_target(scratch_pg).in_flight is False


def test_the_lock_on_another_database_is_not_this_targets(scratch_pg: str,
                                                          pg_admin_dsn: str) -> None:
    with psycopg.connect(pg_admin_dsn, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (PRISMA_LOCK_KEY,))
        try:
            assert read_target(scratch_pg).in_flight is False
        finally:
            holder.execute("SELECT pg_advisory_unlock(%s)", (PRISMA_LOCK_KEY,))


def test_a_recreated_table_is_noticed(scratch_pg: str, tmp_path: Path) -> None:
    root = write_folder(tmp_path / "m", {"01_x": 'CREATE TABLE "X" ("id" INTEGER);\n'})
    with PrismaLike(scratch_pg) as prisma:
        prisma.deploy(root, "01_x")
    first = read_target(scratch_pg)
    assert first.identity is not None
    assert recreated(None, first) is False
    assert recreated(first.identity, read_target(scratch_pg)) is False
    saved = TableIdentity.from_dict(first.identity.to_dict())
    with PrismaLike(scratch_pg) as prisma:  # what `prisma migrate reset` does
        prisma.execute('DROP TABLE "_prisma_migrations"; DROP TABLE "X"')
    gone = read_target(scratch_pg)
    assert recreated(saved, gone) is True
    with PrismaLike(scratch_pg) as prisma:
        prisma.deploy(root, "01_x")
    again = read_target(scratch_pg)
    assert again.identity is not None and again.identity.oid != saved.oid
    assert recreated(saved, again) is True


def test_reading_never_writes(every_state: tuple[str, Path]) -> None:
    url, _root = every_state
    query = 'SELECT count(*), max(xmin::text) FROM "_prisma_migrations"'
    with psycopg.connect(url) as conn:
        before = conn.execute(query).fetchone()
    read_target(url)
    with psycopg.connect(url) as conn:
        after = conn.execute(query).fetchone()
    assert before == after == (7, before[1])
