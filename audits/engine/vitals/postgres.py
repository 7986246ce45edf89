"""A PostgreSQL database's vital signs, from the catalog and the statistics collector.

Four statements whatever the number of tables (database, namespaces, tables, sequences; the
last in a savepoint, as it is the one that takes a lock), plus
one per ``_prisma_migrations`` table (a count and two ``started_at`` bounds of Prisma's
bookkeeping), plus, only when the caller opts in, one ``count(*)`` per table. They run in the
caller's read-only session, so an audit reads its schema and its vital signs in one
transaction and one snapshot. Nothing here reads a user row.

Locks: the catalog and statistics functions take none, except ``pg_sequence_last_value``,
which takes the lock ``nextval()`` takes on the sequence (conflicting only with ALTER or DROP
SEQUENCE, and bounded by ``lock_timeout``). Each optional statement (the bookkeeping table, an
exact count) runs in a savepoint: when it times out or is refused, the figure is missing and
a note says why; the audit goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from audits.engine.connect import ReadOnlyPostgres
from audits.engine.vitals.model import (
    PRISMA_MIGRATIONS_TABLE,
    MigrationsVitals,
    NamespaceVitals,
    SequenceVitals,
    TableVitals,
    VitalSigns,
    VitalsRequest,
)

DATABASE_SQL = """
SELECT pg_catalog.current_database(), d.oid::pg_catalog.int8, pg_catalog.now(),
       pg_catalog.pg_stat_get_db_stat_reset_time(d.oid)
FROM pg_catalog.pg_database d
WHERE d.datname = pg_catalog.current_database()
"""

NAMESPACES_SQL = """
SELECT n.nspname, n.oid::pg_catalog.int8
FROM pg_catalog.pg_namespace n
WHERE n.nspname = ANY(%(namespaces)s)
"""

# Ordinary tables and partitions (a partitioned parent holds no rows of its own). The
# pg_stat_get_* functions are what pg_stat_user_tables is made of, without its GROUP BY.
TABLES_SQL = """
SELECT n.nspname, c.relname, c.oid::pg_catalog.int8, c.relfilenode::pg_catalog.int8,
       c.reltuples::pg_catalog.float8,
       pg_catalog.pg_stat_get_live_tuples(c.oid), pg_catalog.pg_stat_get_dead_tuples(c.oid),
       pg_catalog.pg_stat_get_tuples_inserted(c.oid),
       pg_catalog.pg_stat_get_tuples_updated(c.oid),
       pg_catalog.pg_stat_get_tuples_deleted(c.oid),
       pg_catalog.pg_stat_get_vacuum_count(c.oid) + pg_catalog.pg_stat_get_autovacuum_count(c.oid)
       + pg_catalog.pg_stat_get_analyze_count(c.oid)
       + pg_catalog.pg_stat_get_autoanalyze_count(c.oid)
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname = ANY(%(namespaces)s)
"""

# Sequences owned by a column: serial columns ('a'uto dependency) and identity columns
# ('i'nternal). The privilege test is the one the pg_sequences view makes: without it,
# pg_sequence_last_value raises instead of answering NULL.
SEQUENCES_SQL = """
SELECT n.nspname, c.relname, a.attname, s.relname,
       CASE WHEN pg_catalog.has_sequence_privilege(s.oid, 'SELECT,USAGE')
            THEN pg_catalog.pg_sequence_last_value(s.oid::pg_catalog.regclass) END,
       pg_catalog.has_sequence_privilege(s.oid, 'SELECT,USAGE')
FROM pg_catalog.pg_depend d
JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_catalog.pg_class c ON c.oid = d.refobjid AND c.relkind IN ('r', 'p')
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
  AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
  AND n.nspname = ANY(%(namespaces)s)
"""

# Prisma's bookkeeping, written by `migrate deploy`/`dev`/`reset`: one row per migration.
MIGRATIONS_SQL = (
    'SELECT pg_catalog.count(*), pg_catalog.min("started_at"), pg_catalog.max("started_at") '
    'FROM {table}'
)


def read_vitals(session: ReadOnlyPostgres, namespaces: Sequence[str] = ("public",),
                request: VitalsRequest | None = None) -> VitalSigns:
    """The vital signs of ``namespaces``, in the session's read-only transaction."""
    request = request or VitalsRequest()
    params = {"namespaces": list(namespaces)}
    database_row = session.fetch_one(DATABASE_SQL)
    namespace_rows = session.fetch_all(NAMESPACES_SQL, params)
    table_rows = session.fetch_all(TABLES_SQL, params)
    notes: list[str] = []
    # pg_sequence_last_value reads (and briefly locks) each sequence: the one read here that
    # can wait or be refused, so it must not cost the audit
    sequence_rows, reason = session.fetch_all_or_reason(SEQUENCES_SQL, params)
    if sequence_rows is None:
        notes.append(f"the sequences could not be read: {reason}")
        sequence_rows = []

    tables = sorted((_table(row) for row in table_rows), key=lambda t: (t.schema, t.name))
    migrations = tuple(_migrations(session, table, notes) for table in tables
                       if table.name == PRISMA_MIGRATIONS_TABLE)
    if request.exact_counts:
        tables = _with_exact_counts(session, tables, notes)
    name, database_oid, now, stats_reset = database_row or (None, None, None, None)
    return VitalSigns(
        dialect="postgresql",
        read_at=_iso(now) or "",
        database=name,
        database_oid=database_oid,
        stats_reset=_iso(stats_reset),
        namespaces=tuple(NamespaceVitals(name=row[0], oid=row[1])
                         for row in sorted(namespace_rows)),
        tables=tuple(tables),
        sequences=tuple(sorted((_sequence(row) for row in sequence_rows),
                               key=lambda s: (s.schema, s.table, s.column or ""))),
        migrations=migrations,
        exact_counts=request.exact_counts,
        notes=tuple(notes),
    )


def _table(row: tuple[Any, ...]) -> TableVitals:
    (schema, name, oid, relfilenode, reltuples, live, dead, inserted, updated, deleted,
     maintenance) = row
    return TableVitals(
        name=name, schema=schema, oid=oid, relfilenode=relfilenode, reltuples=reltuples,
        n_live_tup=live, n_dead_tup=dead, n_tup_ins=inserted, n_tup_upd=updated,
        n_tup_del=deleted, maintenance_count=maintenance,
    )


def _sequence(row: tuple[Any, ...]) -> SequenceVitals:
    schema, table, column, sequence, last_value, readable = row
    return SequenceVitals(table=table, column=column, schema=schema, sequence=sequence,
                          last_value=last_value, readable=bool(readable))


def _migrations(session: ReadOnlyPostgres, table: TableVitals,
                notes: list[str]) -> MigrationsVitals:
    rows, reason = session.fetch_all_or_reason(
        MIGRATIONS_SQL.format(table=quote_table(table.schema, table.name)))
    if rows is None:
        problem = f"{table.qualified_name} could not be read: {reason}"
        notes.append(problem)
        return MigrationsVitals(schema=table.schema, oid=table.oid, problem=problem)
    count, oldest, newest = rows[0]
    return MigrationsVitals(schema=table.schema, oid=table.oid, rows=count,
                            oldest_started_at=_iso(oldest), newest_started_at=_iso(newest))


def _with_exact_counts(session: ReadOnlyPostgres, tables: list[TableVitals],
                       notes: list[str]) -> list[TableVitals]:
    """count(*) per table, each its own statement under the statement timeout. After the
    first timeout the remaining tables keep their estimates: a database too big or too busy to
    count one table in time is not asked to try the next ones."""
    counted: list[TableVitals] = []
    stopped = False
    for table in tables:
        if stopped:
            counted.append(table)
            continue
        rows, reason = session.fetch_all_or_reason(
            f"SELECT pg_catalog.count(*) FROM {quote_table(table.schema, table.name)}")
        if rows is None:
            notes.append(f"no exact count of {table.qualified_name}: {reason}; "
                         "estimates are used from there on")
            stopped = True
            counted.append(table)
            continue
        counted.append(replace(table, exact_rows=int(rows[0][0])))
    return counted


def quote_table(schema: str, name: str) -> str:
    return f"{quote_identifier(schema)}.{quote_identifier(name)}"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


__all__ = ["read_vitals", "quote_identifier", "quote_table"]
