"""Reading a PostgreSQL database's vital signs: exact figures, straight from the catalog that
the assertions query themselves, in a few statements, read-only, and in the audit's own
session."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from audits.engine import connect
from audits.engine.audit import audit_database, audit_prisma, expected_schema
from audits.engine.connect import readonly_postgres
from audits.engine.vitals import (
    MigrationsVitals,
    NamespaceVitals,
    SequenceVitals,
    VitalSigns,
    VitalsRequest,
    read_schema_and_vitals,
    read_vitals,
)
from audits.engine.vitals.postgres import read_vitals as read_session_vitals
from tests.conftest import make_scratch_database
from tests.engine.catastrophe import run_sql

pytestmark = pytest.mark.postgres

DDL = """
CREATE SCHEMA other;
CREATE TABLE "User" (id serial PRIMARY KEY, email text NOT NULL);
CREATE TABLE "Post" (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text);
CREATE TABLE "Tag" (name text PRIMARY KEY);
CREATE TABLE other."Audit" (id bigserial PRIMARY KEY);
CREATE TABLE "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0);
INSERT INTO "User" (email) SELECT 'u' || g FROM generate_series(1, 300) g;
INSERT INTO "Post" (title) SELECT 'p' || g FROM generate_series(1, 40) g;
DELETE FROM "User" WHERE id <= 10;
INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES
    ('1', 'c1', '20250101000000_init', '2025-01-01 10:00:00+00'),
    ('2', 'c2', '20250301000000_posts', '2025-03-01 09:30:00+00');
"""


def catalog(url: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(query).fetchall()


def test_every_figure_is_read_exactly(scratch_pg: str) -> None:
    run_sql(scratch_pg, DDL, "ANALYZE")
    vitals = read_vitals(scratch_pg)

    oids = dict(catalog(scratch_pg, "SELECT relname, oid::int8 FROM pg_class WHERE relkind = 'r' "
                                    "AND relnamespace = 'public'::regnamespace"))
    files = dict(catalog(scratch_pg, "SELECT relname, relfilenode::int8 FROM pg_class "
                                     "WHERE relnamespace = 'public'::regnamespace"))
    ((database_oid,),) = catalog(scratch_pg, "SELECT oid::int8 FROM pg_database "
                                             "WHERE datname = current_database()")
    assert vitals.dialect == "postgresql"
    assert vitals.database == scratch_pg.rpartition("/")[2]
    assert vitals.database_oid == database_oid
    assert vitals.namespaces == (NamespaceVitals("public", 2200),)
    assert [t.name for t in vitals.tables] == ["Post", "Tag", "User", "_prisma_migrations"]
    assert {t.name: t.oid for t in vitals.tables} == oids
    assert {t.name: t.relfilenode for t in vitals.tables} == {name: files[name] for name in oids}
    user = vitals.table("User")
    assert user is not None
    assert (user.n_live_tup, user.n_tup_ins, user.n_tup_del, user.reltuples) == (290, 300, 10, 290)
    assert user.maintenance_count == 1 and user.rows == 290
    tag = vitals.table("Tag")
    assert tag is not None and tag.rows == 0 and tag.stats_known  # ANALYZE counted it
    assert vitals.sequences == (
        SequenceVitals("Post", "id", "public", "Post_id_seq", 40),
        SequenceVitals("User", "id", "public", "User_id_seq", 300),
    )
    assert vitals.migrations == (MigrationsVitals(
        "public", oids["_prisma_migrations"], 2, "2025-01-01T10:00:00+00:00",
        "2025-03-01T09:30:00+00:00"),)
    assert vitals.total_rows() == 330
    assert vitals.exact_counts is False and vitals.notes == ()
    assert VitalSigns.from_json(vitals.to_json()) == vitals


def test_other_namespaces_when_asked(scratch_pg: str) -> None:
    run_sql(scratch_pg, DDL, "INSERT INTO other.\"Audit\" DEFAULT VALUES")
    vitals = read_vitals(scratch_pg, ("other",))
    assert [t.qualified_name for t in vitals.tables] == ["other.Audit"]
    assert vitals.sequences == (SequenceVitals("Audit", "id", "other", "Audit_id_seq", 1),)
    assert vitals.migrations == ()
    assert [ns.name for ns in vitals.namespaces] == ["other"]


def test_a_sequence_never_used_has_no_position(scratch_pg: str) -> None:
    run_sql(scratch_pg, 'CREATE TABLE "T" (id serial PRIMARY KEY)')
    assert read_vitals(scratch_pg).sequences == (SequenceVitals("T", "id", "public", "T_id_seq"),)


def test_exact_counts_only_when_asked(scratch_pg: str) -> None:
    run_sql(scratch_pg, DDL)
    assert {t.exact_rows for t in read_vitals(scratch_pg).tables} == {None}
    counted = read_vitals(scratch_pg, request=VitalsRequest(exact_counts=True))
    assert {t.name: t.exact_rows for t in counted.tables} == {
        "Post": 40, "Tag": 0, "User": 290, "_prisma_migrations": 2}
    assert counted.exact_counts


def test_a_count_that_times_out_is_a_note_and_the_read_goes_on(scratch_pg: str) -> None:
    run_sql(scratch_pg, DDL)
    with psycopg.connect(scratch_pg) as holder:  # a migration holding "User" locked
        holder.execute('LOCK TABLE "User" IN ACCESS EXCLUSIVE MODE')
        vitals = read_vitals(scratch_pg, request=VitalsRequest(exact_counts=True),
                             lock_timeout_ms=200)
        holder.rollback()
    assert {t.name: t.exact_rows for t in vitals.tables} == {
        "Post": 40, "Tag": 0, "User": None, "_prisma_migrations": None}
    assert vitals.notes == (
        "no exact count of User: the audit query waited longer than the lock timeout of "
        "200 ms; estimates are used from there on",)


def test_a_role_that_may_not_read_the_sequences_still_reads_the_rest(scratch_pg: str) -> None:
    role = f"dw_vitals_{uuid.uuid4().hex[:8]}"
    run_sql(scratch_pg, DDL, f"CREATE ROLE {role} LOGIN",
            "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC",
            "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC")
    try:
        vitals = read_vitals(scratch_pg.replace("postgres@", f"{role}@", 1))
        assert [(s.table, s.last_value, s.readable) for s in vitals.sequences] == [
            ("Post", None, False), ("User", None, False)]
        assert len(vitals.tables) == 4
        assert vitals.migrations[0].rows is None
        assert vitals.migrations[0].problem is not None
        assert vitals.migrations[0].problem.startswith("_prisma_migrations could not be read: "
                                                       "permission denied")
    finally:
        run_sql(scratch_pg, f"DROP OWNED BY {role}", f"DROP ROLE {role}")


def test_statements_do_not_grow_with_tables(pg_admin_dsn: str) -> None:
    counts = []
    for size in (3, 150):
        for url in make_scratch_database(pg_admin_dsn):
            run_sql(url, "\n".join(f'CREATE TABLE "T{n}" (id serial PRIMARY KEY);'
                                   for n in range(size)))
            with readonly_postgres(url) as session:
                before = session.statements_sent
                vitals = read_session_vitals(session)
                counts.append(session.statements_sent - before)
            assert len(vitals.tables) == len(vitals.sequences) == size
    assert counts == [4, 4]


def test_the_read_is_read_only(scratch_pg: str) -> None:
    run_sql(scratch_pg, DDL)
    counters = ("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables "
                "ORDER BY relname")
    before = catalog(scratch_pg, counters)
    with readonly_postgres(scratch_pg) as session:
        read_session_vitals(session, request=VitalsRequest(exact_counts=True))
        (readonly,) = session.fetch_one("SHOW transaction_read_only") or ("",)
        (xid,) = session.fetch_one("SELECT pg_current_xact_id_if_assigned()") or ("",)
    assert readonly == "on"
    assert xid is None  # the transaction never wrote, so it never got a transaction id
    assert catalog(scratch_pg, counters) == before


def test_schema_and_vitals_come_through_one_connection(scratch_pg: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    run_sql(scratch_pg, DDL)
    opened = []
    real_open = connect._open

    def counting_open(params: dict[str, Any]) -> psycopg.Connection[Any]:
        opened.append(params["dbname"])
        return real_open(params)

    monkeypatch.setattr(connect, "_open", counting_open)
    schema, vitals = read_schema_and_vitals(scratch_pg)
    assert len(opened) == 1
    assert [t.name for t in schema.tables] == [t.name for t in vitals.tables]


SCHEMA = """datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id    Int    @id @default(autoincrement())
  email String
}
"""


def test_an_audit_carries_the_vitals_only_when_asked(scratch_pg: str) -> None:
    run_sql(scratch_pg, DDL)
    expected = expected_schema(SCHEMA)
    assert audit_database(expected, scratch_pg).vitals is None
    result = audit_database(expected, scratch_pg, vitals=VitalsRequest())
    assert result.vitals is not None
    assert [t.name for t in result.vitals.tables] == ["Post", "Tag", "User",
                                                      "_prisma_migrations"]
    assert result.report == audit_database(expected, scratch_pg).report


@pytest.mark.parametrize("process", [False, True])
def test_audit_prisma_reads_the_vitals_beside_the_parse(scratch_pg: str, process: bool) -> None:
    run_sql(scratch_pg, DDL)
    result = audit_prisma(SCHEMA, scratch_pg, process=process,
                          vitals=VitalsRequest(exact_counts=True))
    assert result.vitals is not None
    assert result.vitals.table("User").exact_rows == 290  # type: ignore[union-attr]
    assert audit_prisma(SCHEMA, scratch_pg, process=process).vitals is None


def test_a_locked_sequence_is_a_note_and_the_read_goes_on(scratch_pg: str) -> None:
    run_sql(scratch_pg, DDL)
    with psycopg.connect(scratch_pg) as holder:  # a migration altering the sequence
        holder.execute('ALTER SEQUENCE "User_id_seq" INCREMENT BY 1')
        vitals = read_vitals(scratch_pg, lock_timeout_ms=200)
        holder.rollback()
    assert vitals.sequences == ()
    assert vitals.notes == ("the sequences could not be read: the audit query waited longer "
                            "than the lock timeout of 200 ms",)
    assert len(vitals.tables) == 4 and vitals.migrations[0].rows == 2
