"""A database's vital signs: the cheap catalog facts that change when it is wiped or reset.

Nothing here is user data. Per table: its identity (OID) and storage (relfilenode), the
planner's row estimate (``reltuples``) and the statistics collector's counters; per serial or
identity column: how far its sequence has gone; per database schema: its OID; and Prisma's
bookkeeping table ``_prisma_migrations``: how many rows, the oldest and newest ``started_at``.
Exact row counts only where the caller opted in.

Frozen dataclasses with a JSON round-trip (like ``model.Schema``), so an audit run can keep its
vital signs and a later audit can compare against them.

What each figure means when it changes (the detectors in ``detect`` rely on this):
- ``oid`` changes only when the table is dropped and created again (a reset, a restore);
  renames, ``ALTER TABLE``, ``TRUNCATE`` and ``VACUUM FULL`` keep it.
- ``relfilenode`` changes with the table's storage: ``TRUNCATE``, ``VACUUM FULL``, ``CLUSTER``
  and a rewriting ``ALTER TABLE``. On PostgreSQL this is the only trace a TRUNCATE leaves in
  the catalog (``pg_stat_user_tables`` has no truncation counter before version 18).
- ``reltuples`` is the planner's estimate from the last VACUUM/ANALYZE (or CREATE INDEX);
  -1 means never measured, which is also what TRUNCATE and a table rewrite leave behind.
- ``n_live_tup`` is kept current by every commit (a second or so late), and set anew by
  VACUUM/ANALYZE; a statistics reset (``pg_stat_reset()``, a crash) sets it to 0 although no
  row went anywhere. ``n_tup_del`` only ever grows, except at a statistics reset.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from audits.engine.model import from_plain, to_plain

PRISMA_MIGRATIONS_TABLE = "_prisma_migrations"


@dataclass(frozen=True)
class NamespaceVitals:
    """A PostgreSQL schema (namespace) and its catalog identity."""

    name: str
    oid: int


@dataclass(frozen=True)
class TableVitals:
    name: str
    schema: str = "public"
    oid: int | None = None  # PostgreSQL only
    relfilenode: int | None = None  # PostgreSQL only: the table's storage file
    reltuples: float | None = None  # the planner's estimate; -1 = never measured
    n_live_tup: int | None = None
    n_dead_tup: int | None = None
    n_tup_ins: int | None = None
    n_tup_upd: int | None = None
    n_tup_del: int | None = None
    # VACUUM + autovacuum + ANALYZE + autoanalyze runs the statistics know of
    maintenance_count: int | None = None
    exact_rows: int | None = None  # count(*): SQLite always, PostgreSQL when opted in

    @property
    def stats_known(self) -> bool:
        """The statistics collector has seen this table (inserts, deletes, a VACUUM or an
        ANALYZE). False for a table nobody touched since it was created, and for every table
        right after a statistics reset: then ``n_live_tup`` says 0 and means "I don't know"."""
        counters = (self.n_live_tup, self.n_dead_tup, self.n_tup_ins, self.n_tup_upd,
                    self.n_tup_del, self.maintenance_count)
        return any(counter for counter in counters)

    @property
    def rows(self) -> int | None:
        """The best row figure this snapshot has: exact count, else the live-row counter when
        the statistics know the table, else the planner's estimate; None when nothing is known.
        """
        if self.exact_rows is not None:
            return self.exact_rows
        if self.stats_known and self.n_live_tup is not None:
            return self.n_live_tup
        if self.reltuples is not None and self.reltuples >= 0:
            return round(self.reltuples)
        return None

    @property
    def rows_are_exact(self) -> bool:
        return self.exact_rows is not None

    @property
    def qualified_name(self) -> str:
        return self.name if self.schema == "public" else f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class SequenceVitals:
    """The sequence behind a serial/identity column (SQLite: a table's AUTOINCREMENT counter).

    ``last_value`` is the last number handed out; None when none was yet (or the role may not
    read the sequence: then ``readable`` is False)."""

    table: str
    column: str | None = None  # None on SQLite, where the counter belongs to the table
    schema: str = "public"
    sequence: str | None = None
    last_value: int | None = None
    readable: bool = True

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.schema, self.table, self.column)

    @property
    def label(self) -> str:
        table = self.table if self.schema == "public" else f"{self.schema}.{self.table}"
        return f"{table}.{self.column}" if self.column else table


@dataclass(frozen=True)
class MigrationsVitals:
    """Prisma's ``_prisma_migrations`` table in one schema: bookkeeping, not user data."""

    schema: str = "public"
    oid: int | None = None
    rows: int | None = None  # None: the table exists but could not be read
    oldest_started_at: str | None = None  # ISO 8601, UTC
    newest_started_at: str | None = None
    problem: str | None = None  # why it could not be read


@dataclass(frozen=True)
class VitalSigns:
    dialect: str  # "postgresql" or "sqlite"
    read_at: str = ""  # ISO 8601, UTC, the database's own clock where it has one
    database: str | None = None  # PostgreSQL: the database's name
    database_oid: int | None = None  # changes when the database is dropped and created again
    stats_reset: str | None = None  # pg_stat_database.stats_reset
    namespaces: tuple[NamespaceVitals, ...] = ()
    tables: tuple[TableVitals, ...] = ()  # ordinary tables and partitions, user tables only
    sequences: tuple[SequenceVitals, ...] = ()
    migrations: tuple[MigrationsVitals, ...] = ()
    exact_counts: bool = False  # exact count(*) was asked for
    notes: tuple[str, ...] = ()  # what could not be read, in words (a count that timed out)

    def namespace(self, name: str) -> NamespaceVitals | None:
        return next((ns for ns in self.namespaces if ns.name == name), None)

    def table(self, name: str, schema: str = "public") -> TableVitals | None:
        return next((t for t in self.tables if t.name == name and t.schema == schema), None)

    def user_tables(self) -> tuple[TableVitals, ...]:
        """Every table but Prisma's bookkeeping table."""
        return tuple(t for t in self.tables if t.name != PRISMA_MIGRATIONS_TABLE)

    def total_rows(self) -> int:
        """The rows of the user tables, as well as this snapshot knows them (unknown = 0)."""
        return sum(t.rows or 0 for t in self.user_tables())

    def migrations_in(self, schema: str) -> MigrationsVitals | None:
        return next((m for m in self.migrations if m.schema == schema), None)

    def to_json(self) -> str:
        return json.dumps(to_plain(self), sort_keys=True, separators=(",", ":"))

    def to_stored(self) -> dict[str, Any]:
        """The plain form, with the tables as rows of values under their field names once:
        a third of the size of one object per table, for a record written on every audit."""
        plain: dict[str, Any] = to_plain(dataclasses.replace(self, tables=()))
        plain["tables"] = {"fields": list(TABLE_FIELDS),
                           "rows": [[getattr(table, name) for name in TABLE_FIELDS]
                                    for table in self.tables]}
        return plain

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> VitalSigns:
        """What ``to_stored`` wrote, or the plain form records had before it. Fields this
        version does not know are left out."""
        tables = data.get("tables")
        if not isinstance(tables, dict):
            return from_plain(cls, data)
        known = [(index, name) for index, name in enumerate(tables["fields"])
                 if name in TABLE_FIELDS]
        signs = from_plain(cls, {**data, "tables": []})
        return dataclasses.replace(signs, tables=tuple(
            TableVitals(**{name: row[index] for index, name in known})
            for row in tables["rows"]))

    @classmethod
    def from_json(cls, text: str) -> VitalSigns:
        return from_plain(cls, json.loads(text))


TABLE_FIELDS = tuple(field.name for field in dataclasses.fields(TableVitals))


@dataclass(frozen=True)
class VitalsRequest:
    """What an audit should read besides the schema."""

    # count(*) of every table, each under the statement timeout; reads every table's pages,
    # so it is for targets that opt in (PostgreSQL; SQLite always counts, it is cheap there)
    exact_counts: bool = False


__all__ = [
    "MigrationsVitals",
    "NamespaceVitals",
    "PRISMA_MIGRATIONS_TABLE",
    "SequenceVitals",
    "TableVitals",
    "VitalSigns",
    "VitalsRequest",
]
