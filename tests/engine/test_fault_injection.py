"""Fault injection: the engine reports each fault done to a database, exactly, and nothing else.

1. Rich random schemas (test_agreement's generator with more models: enums, lists, native
   types, composite ids, many-to-many, self-relations, @map/@@map, every default kind) go
   through ``prisma-oracle ddl`` into a fresh database, which must audit with no finding at all.
2. Then, batch after batch, that database is rebuilt from the same DDL (its schemas dropped and
   the DDL run again: faster than CREATE DATABASE ... TEMPLATE here) and a few random faults on
   different tables are applied, committed, and audited through the engine's own read-only
   connection. The findings must be exactly the union of what each fault must produce (kind,
   severity, schema, table, column, object name; DESIGN.md's table) — nothing more, nothing less.

Faults: drop column, drop table, change type, flip nullability (both ways), drop, change or add a
default, drop an index, drop a unique, drop a foreign key or change its ON DELETE action, drop a
primary key (with the foreign keys that need it), remove an enum value (the type is recreated
without it) or add one, add a column (NOT NULL without default, or nullable).

At least 200 faults per run (``DRIFTWATCH_FAULTS`` raises it). The randomness is seeded:
``DRIFTWATCH_FAULT_SEED`` replays a run, and every failure prints the seed, the schema and the
faults of the failing batch.
"""

from __future__ import annotations

import math
import os
import random
import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from audits.engine.audit import audit_database, live_schema
from audits.engine.model import Column, Enum, ForeignKey, Report, Schema, Table
from audits.engine.normalize import canonical_type
from audits.engine.prisma.lowering import lower
from audits.engine.prisma.parser import parse_schema
from tests.conftest import make_scratch_database
from tests.engine.test_agreement import WORDS, SchemaGenerator
from tests.engine.test_prisma_lowering_oracle import prisma_ddl

pytestmark = pytest.mark.postgres

SCHEMA_SEEDS = list(range(int(os.environ.get("DRIFTWATCH_FAULT_SCHEMAS", "4"))))
TOTAL_FAULTS = max(200, int(os.environ.get("DRIFTWATCH_FAULTS", "200")))
FAULTS_PER_SCHEMA = math.ceil(TOTAL_FAULTS / len(SCHEMA_SEEDS))
RUN_SEED = int(os.environ.get("DRIFTWATCH_FAULT_SEED") or secrets.randbelow(10**9))
MAX_FAULTS_PER_BATCH = 5

# (kind, severity, schema, table, column, object name)
Row = tuple[str, str, str | None, str | None, str | None, str | None]


class RichSchemaGenerator(SchemaGenerator):
    """test_agreement's generator with 8 to 12 models (so that each batch has room for several
    faults on different tables) and always at least one enum."""

    def text(self) -> str:
        names = self.rng.sample(WORDS, self.rng.randint(8, 12))
        models = [self._model(name) for name in names]
        enum_text = self._enums()
        if not self.enums:  # every schema gets an enum to fault
            schema = f'  @@schema("{self.schemas[-1]}")\n' if self.schemas else ""
            enum_text = "enum Enum9 {\n  A9\n  B9\n  C9\n" + schema + "}\n"
            self.enums.append(("Enum9", ["A9", "B9", "C9"]))
        for plan in models:
            self._scalars(plan)
        self._relations(models)
        for plan in models:
            self._indexes(plan)
        body = "".join(self._render(plan) for plan in models)
        return self._header() + enum_text + body + self._ignored_and_views()


# --- the faults -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    description: str
    sql: tuple[str, ...]
    touches: frozenset[str]  # tables and enums it changes or whose findings it may hide
    rows: tuple[Row, ...]  # exactly what the engine must report for it


def q(*names: str) -> str:
    return ".".join('"' + name.replace('"', '""') + '"' for name in names)


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_key(table: Table) -> str:
    return f"table:{table.schema}.{table.name}"


@dataclass
class Planner:
    """Every fault that can be done to one database, from its expected and live schemas."""

    expected: Schema
    live: Schema
    faults: list[Fault] = field(default_factory=list)

    def plan(self) -> list[Fault]:
        for table in self.expected.tables:
            live = self.live.table(table.name, table.schema)
            assert live is not None, table.name
            self._table_faults(table, live)
        for enum in self.expected.enums:
            self._enum_faults(enum)
        return self.faults

    # -- helpers --

    def _type(self, column: Column) -> str:
        return canonical_type(column.type, "postgresql")

    def _referenced(self, table: Table) -> set[str]:
        """Columns of ``table`` that foreign keys of other tables point at."""
        return {column for other in self.expected.tables for key in other.foreign_keys
                if (key.referenced_schema, key.referenced_table) == (table.schema, table.name)
                for column in key.referenced_columns}

    def _referencing(self, table: Table) -> set[str]:
        return {table_key(other) for other in self.expected.tables for key in other.foreign_keys
                if (key.referenced_schema, key.referenced_table) == (table.schema, table.name)}

    def _enum_of(self, column: Column) -> Enum | None:
        name = self._type(column).removesuffix("[]")
        return next((e for e in self.expected.enums if e.name == name), None)

    def _add(self, description: str, sql: list[str], touches: set[str], *rows: Row) -> None:
        self.faults.append(Fault(description, tuple(sql), frozenset(touches), tuple(rows)))

    # -- table faults --

    def _table_faults(self, table: Table, live: Table) -> None:
        name, schema, key = q(table.schema, table.name), table.schema, table_key(table)
        self._add(f"drop table {table.name}", [f"DROP TABLE {name} CASCADE"],
                  {key} | self._referencing(table),
                  ("missing_table", "critical", schema, table.name, None, None))
        for added, nullable in (("zz_required", False), ("zz_optional", True)):
            self._add(f"add column {table.name}.{added}",
                      [f"ALTER TABLE {name} ADD COLUMN {q(added)} integer"
                       + ("" if nullable else " NOT NULL")], {key},
                      ("extra_column", "info" if nullable else "critical", schema, table.name,
                       added, None))
        pk = set(table.primary_key.columns) if table.primary_key else set()
        referenced = self._referenced(table)
        indexed = {c for index in table.indexes for c in index.columns}
        in_keys = {c for fk in table.foreign_keys for c in fk.columns}
        for column in table.columns:
            live_column = live.column(column.name)
            assert live_column is not None
            self._column_faults(table, column, live_column, protected=column.name in pk,
                                referenced=column.name in referenced,
                                plain=column.name not in indexed | in_keys | pk)
        live_indexes = {index.name: index for index in live.indexes}
        for index in table.indexes:
            if index.unique and set(index.columns) == pk and not index.predicate:
                continue  # the primary key keeps the same uniqueness: dropping it breaks nothing
            found = live_indexes[index.name]
            drop = (f"ALTER TABLE {name} DROP CONSTRAINT {q(found.name)}" if found.constraint
                    else f"DROP INDEX {q(schema, found.name)}")
            kind, severity = ("missing_unique", "error") if index.unique else \
                ("missing_index", "warning")
            self._add(f"drop {'unique' if index.unique else 'index'} {index.name}", [drop],
                      {key}, (kind, severity, schema, table.name, None, index.name))
        for foreign_key in table.foreign_keys:
            target = f"table:{foreign_key.referenced_schema}.{foreign_key.referenced_table}"
            drop = f"ALTER TABLE {name} DROP CONSTRAINT {q(foreign_key.name)}"
            self._add(f"drop foreign key {foreign_key.name}", [drop], {key, target},
                      ("missing_foreign_key", "warning", schema, table.name, None,
                       foreign_key.name))
            self._change_action(table, foreign_key, drop, {key, target})
        if table.primary_key:
            self._drop_primary_key(table, live)

    def _change_action(self, table: Table, key: ForeignKey, drop: str,
                       touches: set[str]) -> None:
        nullable = all(c.nullable for c in table.columns if c.name in key.columns)
        choices = ["CASCADE", "RESTRICT", "NO ACTION"] + (["SET NULL"] if nullable else [])
        others = [action for action in choices if action != key.on_delete]
        action = others[len(self.faults) % len(others)]  # varied, and deterministic
        self._add(f"on delete {action} for {key.name}", [
            drop,
            f"ALTER TABLE {q(table.schema, table.name)} ADD CONSTRAINT {q(key.name)} "
            f"FOREIGN KEY ({', '.join(q(c) for c in key.columns)}) REFERENCES "
            f"{q(key.referenced_schema, key.referenced_table)} "
            f"({', '.join(q(c) for c in key.referenced_columns)}) "
            f"ON DELETE {action} ON UPDATE {key.on_update}",
        ], touches, ("foreign_key_mismatch", "warning", table.schema, table.name, None,
                     key.name))

    def _drop_primary_key(self, table: Table, live: Table) -> None:
        """Dropping the key (CASCADE) also drops the foreign keys that point at it: those are
        really gone, and must be reported as missing on their own tables."""
        assert table.primary_key is not None and live.primary_key is not None
        assert live.primary_key.name is not None
        rows: list[Row] = [("primary_key_mismatch", "error", table.schema, table.name, None,
                            table.primary_key.name)]
        touches = {table_key(table)}
        for other in self.expected.tables:
            for key in other.foreign_keys:
                if (key.referenced_schema, key.referenced_table) == (table.schema, table.name):
                    rows.append(("missing_foreign_key", "warning", other.schema, other.name,
                                 None, key.name))
                    touches.add(table_key(other))
        self._add(f"drop primary key {table.name}",
                  [f"ALTER TABLE {q(table.schema, table.name)} DROP CONSTRAINT "
                   f"{q(live.primary_key.name)} CASCADE"], touches, *rows)

    def _column_faults(self, table: Table, column: Column, live: Column, *, protected: bool,
                       referenced: bool, plain: bool) -> None:
        name, key = q(table.schema, table.name), table_key(table)
        col = q(column.name)
        alter = f"ALTER TABLE {name} ALTER COLUMN {col}"
        where = (table.schema, table.name, column.name, None)
        kind = self._type(column)
        enum = self._enum_of(column)
        touches = {key} | ({f"enum:{enum.schema}.{enum.name}"} if enum else set())
        if not protected and not referenced:
            self._add(f"drop column {table.name}.{column.name}",
                      [f"ALTER TABLE {name} DROP COLUMN {col} CASCADE"], touches,
                      ("missing_column", "critical", *where))
        if not protected:
            if column.nullable and not kind.endswith("[]"):
                self._add(f"set not null {table.name}.{column.name}", [f"{alter} SET NOT NULL"],
                          touches, ("nullability_mismatch", "error", *where))
            elif not column.nullable:
                self._add(f"drop not null {table.name}.{column.name}",
                          [f"{alter} DROP NOT NULL"], touches,
                          ("nullability_mismatch", "warning", *where))
        if column.default is not None and live.default is not None:
            severity = "warning" if column.nullable else "error"
            self._add(f"drop default {table.name}.{column.name}", [f"{alter} DROP DEFAULT"],
                      touches, ("default_mismatch", severity, *where))
        changed = CHANGED_DEFAULTS.get(kind)
        if changed and not enum and column.default not in {changed, f"'{changed}'"}:
            value = changed if kind in NUMERIC else literal(changed)
            severity = "info" if column.default is None else "warning"
            self._add(f"set default {table.name}.{column.name} = {value}",
                      [f"{alter} SET DEFAULT {value}"], touches,
                      ("default_mismatch", severity, *where))
        new_type = CHANGED_TYPES.get(kind)
        if new_type and plain and not referenced:
            self._add(f"change type {table.name}.{column.name} {kind} -> {new_type}",
                      [f"{alter} TYPE {new_type} USING {col}::{new_type}"], touches,
                      ("type_mismatch", "error", *where))

    # -- enum faults --

    def _users(self, enum: Enum) -> list[tuple[Table, Column, Column]]:
        users = []
        for table in self.expected.tables:
            live = self.live.table(table.name, table.schema)
            assert live is not None
            for column in table.columns:
                if self._enum_of(column) == enum:
                    live_column = live.column(column.name)
                    assert live_column is not None
                    users.append((table, column, live_column))
        return users

    def _enum_faults(self, enum: Enum) -> None:
        users = self._users(enum)
        touches = {f"enum:{enum.schema}.{enum.name}"} | {table_key(t) for t, _, _ in users}
        type_name = q(enum.schema, enum.name)
        added = "zz_added"
        self._add(f"add enum value {enum.name}.{added}",
                  [f"ALTER TYPE {type_name} ADD VALUE {literal(added)}"], touches,
                  ("extra_enum_value", "warning", enum.schema, None, None, added))
        if len(enum.values) < 2:
            return
        for value in enum.values:
            if any(live.default and literal(value) in live.default for _, _, live in users):
                continue  # a default that needs the value could not be put back
            self._add(f"remove enum value {enum.name}.{value}",
                      self._recreate_without(enum, value, users), touches,
                      ("missing_enum_value", "error", enum.schema, None, None, value))

    def _recreate_without(self, enum: Enum, value: str,
                          users: list[tuple[Table, Column, Column]]) -> list[str]:
        old = enum.name + "__old"
        type_name = q(enum.schema, enum.name)
        kept = ", ".join(literal(v) for v in enum.values if v != value)
        sql = [f"ALTER TYPE {type_name} RENAME TO {q(old)}",
               f"CREATE TYPE {type_name} AS ENUM ({kept})"]
        for table, column, live in users:
            alter = f"ALTER TABLE {q(table.schema, table.name)} ALTER COLUMN {q(column.name)}"
            array = "[]" if self._type(column).endswith("[]") else ""
            if live.default is not None:
                sql.append(f"{alter} DROP DEFAULT")
            sql.append(f"{alter} TYPE {type_name}{array} "
                       f"USING {q(column.name)}::text{array}::{type_name}{array}")
            if live.default is not None:
                sql.append(f"{alter} SET DEFAULT {live.default}")
        sql.append(f"DROP TYPE {q(enum.schema, old)}")
        return sql


NUMERIC = {"integer", "bigint", "smallint", "double precision", "real"}
CHANGED_DEFAULTS = {
    "integer": "4242",
    "bigint": "4242",
    "smallint": "42",
    "double precision": "42.5",
    "real": "42.5",
    "text": "zz changed",
    "character varying(40)": "zz",
}
CHANGED_TYPES = {
    "integer": "bigint",
    "bigint": "integer",
    "smallint": "integer",
    "text": "character varying(77)",
    "character varying(40)": "text",
    "double precision": "real",
    "real": "double precision",
    "numeric(65,30)": "numeric(12,2)",
    "numeric(10,2)": "numeric(65,30)",
    "citext": "text",
    "character(3)": "character varying(3)",
}


def pick_batch(faults: list[Fault], rng: random.Random) -> list[Fault]:
    """Up to MAX_FAULTS_PER_BATCH faults that touch nothing in common."""
    chosen: list[Fault] = []
    used: set[str] = set()
    for fault in rng.sample(faults, len(faults)):
        if fault.touches & used:
            continue
        chosen.append(fault)
        used |= fault.touches
        if len(chosen) == MAX_FAULTS_PER_BATCH:
            break
    return chosen


# --- databases ----------------------------------------------------------------------------------


@dataclass
class Case:
    seed: int
    text: str
    ddl: str
    url: str
    expected: Schema

    def reset(self) -> None:
        """Back to exactly what Prisma creates: every schema dropped, the DDL run again."""
        namespaces = sorted(set(self.expected.namespaces) | {"public"})
        drop = "; ".join(f"DROP SCHEMA IF EXISTS {q(n)} CASCADE" for n in namespaces)
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"{drop}; CREATE SCHEMA public".encode())
            conn.execute(self.ddl.encode())

    def plan(self) -> list[Fault]:
        self.reset()
        return Planner(self.expected, live_schema(self.url, self.expected.namespaces)).plan()

    def apply(self, statements: list[str]) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement.encode())


@pytest.fixture(scope="module")
def cases(pg_admin_dsn: str, shared_dir: Path,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Case]]:
    """{schema seed: its database}, each built on first use and dropped at the end."""
    builders: list[Iterator[str]] = []

    class Lazy(dict[int, Case]):
        def __missing__(self, seed: int) -> Case:
            text = RichSchemaGenerator(seed, "postgresql").text()
            ddl = prisma_ddl(shared_dir, tmp_path_factory.mktemp(f"faults{seed}"), text)
            builder = make_scratch_database(pg_admin_dsn, prefix="dw_faults")
            builders.append(builder)
            case = Case(seed, text, ddl, next(builder), lower(parse_schema(text)))
            case.reset()
            self[seed] = case
            return case

    yield Lazy()
    for builder in builders:
        next(builder, None)


def rows_of(report: Report) -> Counter[Row]:
    return Counter((f.kind, f.severity.value, f.schema, f.table, f.column, f.object_name)
                   for f in report.findings)


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SCHEMA_SEEDS)
def test_oracle_ddl_audits_with_no_finding_at_all(seed: int, cases: dict[int, Case]) -> None:
    case = cases[seed]
    report = audit_database(case.expected, case.url).report
    assert rows_of(report) == Counter(), f"schema seed {seed}:\n{case.text}"
    assert {o.status.value for o in report.objects} == {"ok"}
    assert len(report.objects) == len(case.expected.tables) >= 8


@pytest.mark.parametrize("seed", SCHEMA_SEEDS)
def test_random_faults_are_each_reported_exactly(seed: int, cases: dict[int, Case]) -> None:
    case = cases[seed]
    rng = random.Random(f"{RUN_SEED}-{seed}")
    faults = case.plan()
    assert len(faults) >= 50
    done = 0
    while done < FAULTS_PER_SCHEMA:
        batch = pick_batch(faults, rng)
        case.reset()
        for fault in batch:
            case.apply(list(fault.sql))
        report = audit_database(case.expected, case.url).report
        wanted = Counter(row for fault in batch for row in fault.rows)
        got = rows_of(report)
        assert got == wanted, (
            f"DRIFTWATCH_FAULT_SEED={RUN_SEED}, schema seed {seed}\n"
            f"faults: {[fault.description for fault in batch]}\n"
            f"missing: {sorted(map(str, wanted - got))}\n"
            f"unexpected: {sorted(map(str, got - wanted))}"
            f"\nschema:\n{case.text}")
        done += len(batch)
    assert done >= FAULTS_PER_SCHEMA


def test_planned_faults_cover_every_kind_the_issue_names(cases: dict[int, Case]) -> None:
    """Together, the schemas' plans hold every fault kind (and each severity it can have)."""
    found = set()
    for seed in SCHEMA_SEEDS:
        case = cases[seed]
        faults = case.plan()
        found |= {row[:2] for fault in faults for row in fault.rows}
    assert found >= {
        ("missing_table", "critical"), ("missing_column", "critical"),
        ("extra_column", "critical"), ("extra_column", "info"), ("type_mismatch", "error"),
        ("nullability_mismatch", "error"), ("nullability_mismatch", "warning"),
        ("default_mismatch", "error"), ("default_mismatch", "warning"),
        ("default_mismatch", "info"), ("missing_index", "warning"), ("missing_unique", "error"),
        ("missing_foreign_key", "warning"), ("foreign_key_mismatch", "warning"),
        ("primary_key_mismatch", "error"),
        ("missing_enum_value", "error"), ("extra_enum_value", "warning"),
    }, found
    assert len(SCHEMA_SEEDS) * FAULTS_PER_SCHEMA >= 200
