"""A fix migration: the SQL that adds what the live database is missing, in Prisma's style.

Only additive statements run: enum types and values, tables, columns, indexes, foreign keys (last,
so what they reference exists), and the few relaxations that cannot lose data (DROP NOT NULL,
a missing DEFAULT). Everything that could lose data or break other code (drops, type changes,
SET NOT NULL, replacing a default, SQLite table rebuilds) is written as ``-- `` comments under a
header, for a human to choose. Driftwatch never applies any of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from audits.engine.compare import compare
from audits.engine.diff import (
    ColumnChange,
    SchemaDiff,
    TableDiff,
    diff_schemas,
    is_implicit_many_to_many,
)
from audits.engine.model import Column, Enum, ForeignKey, Index, Report, Schema, Table
from audits.engine.normalize import (
    AUTOINCREMENT,
    bare_literal,
    canonical_default,
    canonical_type,
    split_top_level,
)

_SERIAL = {"integer": "SERIAL", "bigint": "BIGSERIAL", "smallint": "SMALLSERIAL"}
_PG_SPELLING = {
    "text": "TEXT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "smallint": "SMALLINT",
    "boolean": "BOOLEAN",
    "double precision": "DOUBLE PRECISION",
    "real": "REAL",
    "numeric": "DECIMAL",
    "date": "DATE",
    "jsonb": "JSONB",
    "json": "JSON",
    "uuid": "UUID",
    "bytea": "BYTEA",
    "xml": "XML",
    "inet": "INET",
    "citext": "CITEXT",
    "money": "MONEY",
    "oid": "OID",
    "character varying": "VARCHAR",
    "character": "CHAR",
    "bit": "BIT",
    "bit varying": "VARBIT",
}
_TIME = re.compile(r"^(timestamp|time)\((\d+)\) (with|without) time zone$")
_PARAMS = re.compile(r"^([a-z ]+)\(([0-9,]+)\)$")


def fix_migration(expected: Schema, actual: Schema, report: Report | None = None) -> str:
    """migration.sql text that brings ``actual`` up to ``expected`` without losing data.

    The statements come from the same structural diff ``compare`` judged; ``report`` (computed
    when omitted) is the audit the migration answers.
    """
    report = report if report is not None else compare(expected, actual)
    diff = diff_schemas(expected, actual)
    writer = _SqliteWriter(expected, actual, diff) if expected.dialect == "sqlite" \
        else _PostgresWriter(expected, actual, diff)
    return writer.render(report)


def migration_folder_name(name: str, when: datetime) -> str:
    """``20260212132000_add_missing_user_columns``: Prisma's folder name for a migration."""
    return f"{when.strftime('%Y%m%d%H%M%S')}_{slugify(name)}"


def migration_path(name: str, when: datetime, root: str = "prisma/migrations") -> str:
    return f"{root.rstrip('/')}/{migration_folder_name(name, when)}/migration.sql"


def slugify(name: str) -> str:
    """Snake case: ``Add missing User columns`` and ``addMissingUserColumns`` alike."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip())
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    return text or "fix_drift"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column_list(columns: tuple[str, ...] | list[str]) -> str:
    return ", ".join(quote(c) for c in columns)


@dataclass
class _Section:
    comment: str
    statements: list[str] = field(default_factory=list)


class _Writer:
    """What both dialects share: walking the diff in dependency order, and the comments."""

    def __init__(self, expected: Schema, actual: Schema, diff: SchemaDiff) -> None:
        self.expected = expected
        self.actual = actual
        self.diff = diff
        self.dialect = expected.dialect
        self.sections: list[_Section] = []
        self.warnings: list[str] = []
        self.suggestions: list[tuple[str, list[str]]] = []  # (why, SQL lines)
        self.tidy: list[tuple[str, list[str]]] = []
        self.taken = self._taken_names()

    # -- names -------------------------------------------------------------------------------

    def _taken_names(self) -> set[tuple[str, str]]:
        """Relation names in use (tables and indexes share one namespace per schema)."""
        taken = set()
        for table in self.actual.tables:
            taken.add((table.schema, table.name))
            taken.update((table.schema, i.name) for i in table.indexes)
            if table.primary_key and table.primary_key.name:
                taken.add((table.schema, table.primary_key.name))
        return taken

    def free_name(self, schema: str, name: str) -> str:
        candidate, number = name, 0
        while (schema, candidate) in self.taken:
            number += 1
            candidate = f"{name}_{number}"
        self.taken.add((schema, candidate))
        return candidate

    def table_name(self, table: Table) -> str:
        return self.qualified(table.schema, table.name)

    def qualified(self, schema: str, name: str) -> str:
        if schema == "public" or self.dialect == "sqlite":
            return quote(name)
        return f"{quote(schema)}.{quote(name)}"

    def add(self, comment: str, statement: str) -> None:
        self.sections.append(_Section(comment, [statement]))

    def suggest(self, why: str, *sql: str) -> None:
        self.suggestions.append((why, list(sql)))

    # -- the walk ----------------------------------------------------------------------------

    def render(self, report: Report) -> str:
        self.add_enums()
        for table in self.diff.missing_tables:
            self.create_table(table)
        for table_diff in self.diff.tables:
            self.alter_table(table_diff)
        for table in self.diff.missing_tables:
            for index in table.indexes:
                self.create_index(table, index)
        for table_diff in self.diff.tables:
            for index in table_diff.missing_indexes:
                self.create_index(table_diff.expected, index)
        self.add_foreign_keys()
        self.collect_suggestions(report)
        return self.text()

    def add_enums(self) -> None:
        """PostgreSQL only."""

    def create_table(self, table: Table) -> None:
        raise NotImplementedError

    def alter_table(self, diff: TableDiff) -> None:
        raise NotImplementedError

    def create_index(self, table: Table, index: Index) -> None:
        raise NotImplementedError

    def add_foreign_keys(self) -> None:
        raise NotImplementedError

    def collect_suggestions(self, report: Report) -> None:
        for table_diff in self.diff.tables:
            self.suggest_for_table(table_diff)
        for table in self.diff.extra_tables:
            self.suggest(f'Table "{table.name}" is not in the schema.',
                         f"DROP TABLE {self.table_name(table)};")

    def suggest_for_table(self, diff: TableDiff) -> None:
        raise NotImplementedError

    # -- output ------------------------------------------------------------------------------

    def text(self) -> str:
        parts = [f"-- Fix migration generated by Driftwatch ({self.dialect}): it only adds what "
                 "the live database is missing.\n-- Review it, then apply it yourself; "
                 "Driftwatch never writes to a target database."]
        if self.warnings:
            parts.append("/*\n  Warnings:\n\n" + "\n".join(f"  - {w}" for w in self.warnings)
                         + "\n*/")
        if not self.sections:
            parts.append("-- Nothing to add: every table, column, index and key the schema "
                         "expects exists.")
        for section in self.sections:
            parts.append(f"-- {section.comment}\n" + "\n".join(section.statements))
        if self.suggestions:
            parts.append(_commented_block(
                "NOT APPLIED: changes that can lose data or break other code.\n"
                "Each is a suggestion: read it, take a backup, and uncomment only what you choose.",
                self.suggestions))
        if self.tidy:
            parts.append(_commented_block(
                "OPTIONAL: name-only differences; nothing breaks if you leave them.", self.tidy))
        return "\n\n".join(parts) + "\n"


def _commented_block(title: str, items: list[tuple[str, list[str]]]) -> str:
    rule = "-- " + "=" * 77
    lines = [rule] + [f"-- {line}" for line in title.splitlines()] + [rule]
    for why, sql in items:
        lines.append("")
        lines.extend(f"-- {line}" for line in why.splitlines())
        lines.extend(f"-- {line}" for statement in sql for line in statement.splitlines())
    return "\n".join(lines)


# --- PostgreSQL ---------------------------------------------------------------------------


class _PostgresWriter(_Writer):
    def type_sql(self, column: Column, serial_ok: bool = True) -> str:
        canonical = canonical_type(column.type, "postgresql")
        dims = canonical.count("[]")
        base = canonical.replace("[]", "")
        default = canonical_default(column.default, "postgresql", canonical)
        if serial_ok and default == AUTOINCREMENT and base in _SERIAL and not dims:
            return _SERIAL[base]
        return _pg_spelling(base, self.enum_names()) + "[]" * dims

    def enum_names(self) -> set[str]:
        return {enum.name for enum in self.expected.enums}

    def default_sql(self, column: Column) -> str | None:
        canonical_t = canonical_type(column.type, "postgresql")
        default = canonical_default(column.default, "postgresql", canonical_t)
        if default is None or default == AUTOINCREMENT or column.default is None:
            return None
        raw = _unwrap_dbgenerated(column.default.strip())
        if default.startswith("ARRAY["):
            # Prisma's spelling: ARRAY['a', 'b']::TEXT[], whatever casts the catalog shows
            element = self.type_sql(Column(column.name, canonical_t.replace("[]", "")), False)
            items = ", ".join(split_top_level(default[len("ARRAY["):-1]))
            return f"ARRAY[{items}]::{element}[]"
        return bare_literal(raw)  # Prisma writes 'x', the catalog reports 'x'::text

    def column_sql(self, column: Column) -> str:
        text = f"{quote(column.name)} {self.type_sql(column)}"
        if not column.nullable:
            text += " NOT NULL"
        default = self.default_sql(column)
        if default is not None:
            text += f" DEFAULT {default}"
        return text

    def add_enums(self) -> None:
        for enum in self.diff.missing_enums:
            values = ", ".join(_literal(v) for v in enum.values)
            self.add("CreateEnum", f"CREATE TYPE {self.enum_name(enum)} AS ENUM ({values});")
        for change in self.diff.enums:
            for value in change.missing_values:
                self.add("AlterEnum", f"ALTER TYPE {self.enum_name(change.expected)} "
                                      f"ADD VALUE {_literal(value)};")

    def enum_name(self, enum: Enum) -> str:
        return self.qualified(enum.schema, enum.name)

    def create_table(self, table: Table) -> None:
        self.taken.add((table.schema, table.name))
        body = ",\n".join(f"    {self.column_sql(column)}" for column in table.columns)
        if table.primary_key:
            name = self.free_name(table.schema, table.primary_key.name or f"{table.name}_pkey")
            body += (f",\n\n    CONSTRAINT {quote(name)} PRIMARY KEY "
                     f"({','.join(quote(c) for c in table.primary_key.columns)})")
        self.add("CreateTable", f"CREATE TABLE {self.table_name(table)} (\n{body}\n);")

    def alter_table(self, diff: TableDiff) -> None:
        table = diff.expected
        clauses = []
        required = []
        for column in diff.missing_columns:
            clauses.append(f"ADD COLUMN     {self.column_sql(column)}")
            if not column.nullable and self.default_sql(column) is None and \
                    self.type_sql(column) not in _SERIAL.values():
                required.append(column.name)
                self.warnings.append(
                    f"Added the required column `{column.name}` to the `{table.name}` table "
                    "without a default value. This is not possible if the table is not empty: "
                    "give it a DEFAULT or fill it first.")
        for change in diff.changed_columns:
            clauses.extend(self.safe_column_changes(change))
        for column in diff.extra_columns:
            if not column.nullable and column.default is None:
                # Every create fails while the column is NOT NULL; relaxing it loses nothing.
                clauses.append(f"ALTER COLUMN {quote(column.name)} DROP NOT NULL")
        if clauses:
            comment = "AlterTable"
            if required:
                names = ", ".join(f'"{name}"' for name in required)
                comment += (f"\n-- WARNING: {names} NOT NULL without a default: this fails if "
                            f'"{table.name}" has rows. Give existing rows a value first (add a '
                            "DEFAULT, or add the column nullable, fill it, then SET NOT NULL).")
            self.add(comment,
                     f"ALTER TABLE {self.table_name(table)} " + ",\n".join(clauses) + ";")
        self.add_primary_key(diff)

    def safe_column_changes(self, change: ColumnChange) -> list[str]:
        name = quote(change.expected.name)
        clauses = []
        is_list = canonical_type(change.expected.type, "postgresql").endswith("[]")
        harmless = is_list and change.live_default is not None  # see compare._nullability
        if change.nullability_differs and change.expected.nullable and not harmless:
            clauses.append(f"ALTER COLUMN {name} DROP NOT NULL")
        default = self.default_sql(change.expected)
        if change.default_differs and change.live_default is None and default is not None \
                and not change.type_differs:
            clauses.append(f"ALTER COLUMN {name} SET DEFAULT {default}")
        return clauses

    def add_primary_key(self, diff: TableDiff) -> None:
        wanted, found = diff.expected.primary_key, diff.live.primary_key
        if wanted is None or found is not None:
            return
        if is_implicit_many_to_many(diff.expected) and any(
            i.unique and set(i.columns) == set(wanted.columns) for i in diff.live.indexes
        ):
            return  # the older join-table layout: Prisma reads it alike
        name = self.free_name(diff.expected.schema, wanted.name or f"{diff.expected.name}_pkey")
        self.add("AddPrimaryKey",
                 f"ALTER TABLE {self.table_name(diff.expected)} ADD CONSTRAINT {quote(name)} "
                 f"PRIMARY KEY ({_column_list(wanted.columns)});")

    def index_sql(self, table: Table, index: Index) -> str:
        name = self.free_name(table.schema, index.name)
        unique = "UNIQUE " if index.unique else ""
        method = "" if index.method.lower() == "btree" else f" USING {index.method.upper()} "
        parts = []
        known = {c.name for c in table.columns}
        for position, column in enumerate(index.columns):
            text = quote(column) if column in known else f"({column})"
            if position < len(index.opclasses) and index.opclasses[position]:
                text += f" {index.opclasses[position]}"
            if position < len(index.orders) and index.orders[position].upper() == "DESC":
                text += " DESC"
            parts.append(text)
        sql = (f"CREATE {unique}INDEX {quote(name)} ON {self.table_name(table)}{method}"
               f"({', '.join(parts)})")
        if index.include:
            sql += f" INCLUDE ({_column_list(index.include)})"
        if index.predicate:
            sql += f" WHERE {index.predicate}"
        return sql + ";"

    def create_index(self, table: Table, index: Index) -> None:
        self.add("CreateIndex", self.index_sql(table, index))

    def foreign_key_sql(self, table: Table, key: ForeignKey, name: str) -> str:
        return (f"ALTER TABLE {self.table_name(table)} ADD CONSTRAINT {quote(name)} "
                f"FOREIGN KEY ({_column_list(key.columns)}) REFERENCES "
                f"{self.qualified(key.referenced_schema, key.referenced_table)}"
                f"({_column_list(key.referenced_columns)}) ON DELETE {key.on_delete} "
                f"ON UPDATE {key.on_update};")

    def add_foreign_keys(self) -> None:
        for table in self.diff.missing_tables:
            for key in table.foreign_keys:
                self.add("AddForeignKey", self.foreign_key_sql(table, key, key.name))
        for diff in self.diff.tables:
            used = {k.name for k in diff.live.foreign_keys}
            for key in diff.missing_foreign_keys:
                name, number = key.name, 0
                while name in used:
                    number += 1
                    name = f"{key.name}_{number}"
                used.add(name)
                self.add("AddForeignKey", self.foreign_key_sql(diff.expected, key, name))

    # -- suggestions -------------------------------------------------------------------------

    def collect_suggestions(self, report: Report) -> None:
        super().collect_suggestions(report)
        for change in self.diff.enums:
            for value in change.extra_values:
                self.suggest(
                    f"Enum \"{change.live.name}\" has the value '{value}' the schema does not "
                    "know. PostgreSQL cannot drop an enum value: move rows off it, then create "
                    "a new type without it and switch the columns to it.",
                    f"UPDATE <table> SET <column> = <another value> WHERE <column> = "
                    f"{_literal(value)};")
        for enum in self.diff.extra_enums:
            self.suggest(f'Enum type "{enum.name}" is not in the schema.',
                         f"DROP TYPE {self.enum_name(enum)};")

    def suggest_for_table(self, diff: TableDiff) -> None:
        table = self.table_name(diff.expected)
        for change in diff.changed_columns:
            self.suggest_column(table, change)
        for column in diff.extra_columns:
            self.suggest(f'Column "{column.name}" of "{diff.live.name}" is not in the schema.',
                         f"ALTER TABLE {table} DROP COLUMN {quote(column.name)};")
        for index in diff.extra_indexes:
            if index.constraint:
                sql = f"ALTER TABLE {table} DROP CONSTRAINT {quote(index.name)};"
            else:
                sql = f"DROP INDEX {self.qualified(diff.live.schema, index.name)};"
            self.suggest(f'Index "{index.name}" of "{diff.live.name}" is not in the schema.', sql)
        for key in diff.extra_foreign_keys:
            self.suggest(f'Foreign key "{key.name}" of "{diff.live.name}" is not in the schema.',
                         f"ALTER TABLE {table} DROP CONSTRAINT {quote(key.name)};")
        for wanted, found in diff.changed_foreign_keys:
            self.suggest(
                f'Foreign key "{found.name}" of "{diff.live.name}" differs from the schema\'s.',
                f"ALTER TABLE {table} DROP CONSTRAINT {quote(found.name)};",
                self.foreign_key_sql(diff.expected, wanted, wanted.name))
        self.suggest_primary_key(diff, table)
        self.suggest_renames(diff, table)

    def suggest_column(self, table: str, change: ColumnChange) -> None:
        column, live = change.expected, change.live
        name = quote(column.name)
        who = f"{table}.{name}"
        if change.type_differs:
            new_type = self.type_sql(column, serial_ok=False)
            self.suggest(f"{who} is {live.type} but the schema expects {column.type}; "
                         "converting may fail or lose data (narrowing, casts).",
                         f"ALTER TABLE {table} ALTER COLUMN {name} SET DATA TYPE {new_type} "
                         f"USING {name}::{new_type};")
        if change.nullability_differs and not column.nullable:
            self.suggest(f"{who} is nullable but the schema requires it: fill the NULLs first.",
                         f"UPDATE {table} SET {name} = <value> WHERE {name} IS NULL;",
                         f"ALTER TABLE {table} ALTER COLUMN {name} SET NOT NULL;")
        if change.default_differs and change.live_default is not None:
            default = self.default_sql(column)
            sql = (f"ALTER TABLE {table} ALTER COLUMN {name} DROP DEFAULT;" if default is None
                   else f"ALTER TABLE {table} ALTER COLUMN {name} SET DEFAULT {default};")
            self.suggest(f"{who} defaults to {live.default} in the database, the schema expects "
                         f"{column.default or 'no database default'}.", sql)

    def suggest_primary_key(self, diff: TableDiff, table: str) -> None:
        wanted, found = diff.expected.primary_key, diff.live.primary_key
        if not wanted or not found or set(wanted.columns) == set(found.columns):
            return
        name = wanted.name or f"{diff.expected.name}_pkey"
        self.suggest(f"The primary key of {table} is ({', '.join(found.columns)}), the schema "
                     f"expects ({', '.join(wanted.columns)}).",
                     f"ALTER TABLE {table} DROP CONSTRAINT {quote(found.name or name)};",
                     f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} PRIMARY KEY "
                     f"({_column_list(wanted.columns)});")

    def suggest_renames(self, diff: TableDiff, table: str) -> None:
        for wanted, found in diff.renamed_indexes:
            sql = (f"ALTER TABLE {table} RENAME CONSTRAINT {quote(found.name)} TO "
                   f"{quote(wanted.name)};" if found.constraint else
                   f"ALTER INDEX {self.qualified(diff.live.schema, found.name)} RENAME TO "
                   f"{quote(wanted.name)};")
            self.tidy.append((f'Index "{found.name}" is named "{wanted.name}" in the schema.',
                              [sql]))
        for wanted_key, found_key in diff.renamed_foreign_keys:
            self.tidy.append((
                f'Foreign key "{found_key.name}" is named "{wanted_key.name}" in the schema.',
                [f"ALTER TABLE {table} RENAME CONSTRAINT {quote(found_key.name)} TO "
                 f"{quote(wanted_key.name)};"]))


def _pg_spelling(base: str, enums: set[str]) -> str:
    """Prisma's spelling of a canonical (format_type) type name."""
    if base in _PG_SPELLING:
        return _PG_SPELLING[base]
    time = _TIME.match(base)
    if time:
        word, precision, zone = time.groups()
        suffix = "TZ" if zone == "with" else ""
        return f"{word.upper()}{suffix}({precision})"
    params = _PARAMS.match(base)
    if params and params.group(1).strip() in _PG_SPELLING:
        return f"{_PG_SPELLING[params.group(1).strip()]}({params.group(2)})"
    if base in enums or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", base) and base != base.lower():
        return quote(base)
    return base.upper() if re.fullmatch(r"[a-z_][a-z0-9_ ]*", base) else base


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _unwrap_dbgenerated(raw: str) -> str:
    match = re.match(r"^dbgenerated\(\s*(['\"])(.*)\1\s*\)$", raw, re.DOTALL)
    return match.group(2) if match else raw


# --- SQLite -------------------------------------------------------------------------------


class _SqliteWriter(_Writer):
    def __init__(self, expected: Schema, actual: Schema, diff: SchemaDiff) -> None:
        super().__init__(expected, actual, diff)
        self.unaddable: dict[tuple[str, str], set[str]] = {}

    def type_sql(self, column: Column) -> str:
        return " ".join(column.type.split()).upper()

    def default_sql(self, column: Column) -> str | None:
        default = canonical_default(column.default, "sqlite", column.type)
        if default is None or default == AUTOINCREMENT or column.default is None:
            return None
        return _unwrap_dbgenerated(column.default.strip())

    def column_sql(self, column: Column, table: Table | None = None) -> str:
        text = f"{quote(column.name)} {self.type_sql(column)}"
        if not column.nullable:
            text += " NOT NULL"
        pk = table.primary_key if table else None
        if pk and pk.columns == (column.name,):
            text += " PRIMARY KEY"
            if canonical_default(column.default, "sqlite") == AUTOINCREMENT:
                text += " AUTOINCREMENT"
        default = self.default_sql(column)
        if default is not None:
            text += f" DEFAULT {default}"
        return text

    def table_sql(self, table: Table, name: str) -> str:
        lines = [f"    {self.column_sql(column, table)}" for column in table.columns]
        pk = table.primary_key
        if pk and len(pk.columns) > 1:
            lines.append(f"    CONSTRAINT {quote(pk.name or table.name + '_pkey')} PRIMARY KEY "
                         f"({_column_list(pk.columns)})")
        for key in table.foreign_keys:
            lines.append(f"    CONSTRAINT {quote(key.name)} {self.references(key)}")
        return f"CREATE TABLE {quote(name)} (\n" + ",\n".join(lines) + "\n);"

    def references(self, key: ForeignKey, inline: bool = False) -> str:
        target = (f"REFERENCES {quote(key.referenced_table)} "
                  f"({_column_list(key.referenced_columns)}) ON DELETE {key.on_delete} "
                  f"ON UPDATE {key.on_update}")
        return target if inline else f"FOREIGN KEY ({_column_list(key.columns)}) {target}"

    def create_table(self, table: Table) -> None:
        self.taken.add((table.schema, table.name))
        self.add("CreateTable", self.table_sql(table, table.name))

    def alter_table(self, diff: TableDiff) -> None:
        table = diff.expected
        blocked = {c.name: self.cannot_add(c, diff) for c in diff.missing_columns}
        blocked = {name: why for name, why in blocked.items() if why}
        # What ADD COLUMN cannot do, a rebuild can; it loses nothing when every live column
        # is kept as it is, so then it is a real statement, as in Prisma's own migrations.
        lossless = [f'column "{name}": {why}' for name, why in blocked.items()]
        lossless += [f'foreign key "{key.name}" is missing' for key in diff.missing_foreign_keys
                     if not any(key is self.inline_key(c, diff) for c in diff.missing_columns
                                if c.name not in blocked)]
        risky = [problem for change in diff.changed_columns
                 for problem in self.column_problems(change)]
        risky += [f'extra column "{c.name}" is NOT NULL without a default, so every create '
                  "fails" for c in diff.extra_columns if not c.nullable and c.default is None]
        if diff.expected.primary_key and not diff.live.primary_key and \
                not is_implicit_many_to_many(table):
            risky.append("the primary key is missing")
        self.unaddable[(table.schema, table.name)] = set(blocked)
        for column in diff.missing_columns:
            if column.name in blocked:
                continue
            clause = self.column_sql(column)
            key = self.inline_key(column, diff)
            if key is not None:
                clause += f" CONSTRAINT {quote(key.name)} {self.references(key, inline=True)}"
            self.add("AlterTable", f"ALTER TABLE {quote(table.name)} ADD COLUMN {clause};")
        if not (lossless or risky):
            return
        # A rebuild ends in DROP TABLE, so it stays a suggestion even when it keeps every row.
        if risky or diff.extra_columns:
            effect = ("it drops the columns the schema does not know and fails on rows that "
                      "break the new rules")
        else:
            effect = "it copies every row and column, so nothing is lost"
            self.warn_required(diff)
        self.suggest(f'SQLite cannot ALTER "{table.name}" in place: '
                     + "; ".join(lossless + risky)
                     + f".\nRedefine the table as Prisma does ({effect}):",
                     *self.rebuild_sql(diff))

    def warn_required(self, diff: TableDiff) -> None:
        for column in diff.missing_columns:
            if not column.nullable and self.default_sql(column) is None:
                self.warnings.append(
                    f"Added the required column `{column.name}` to the `{diff.expected.name}` "
                    "table without a default value. This is not possible if the table is not "
                    "empty: give it a DEFAULT or fill it first.")

    def cannot_add(self, column: Column, diff: TableDiff) -> str | None:
        """SQLite's ADD COLUMN limits: what only a table rebuild can add."""
        default = canonical_default(column.default, "sqlite")
        pk = diff.expected.primary_key
        if pk and column.name in pk.columns:
            return "it is part of the primary key"
        if not column.nullable and self.default_sql(column) is None:
            return "it is NOT NULL without a default"
        if default is not None and ("(" in default or default == "CURRENT_TIMESTAMP"):
            return f"its default {column.default} is not a constant"
        return None

    def inline_key(self, column: Column, diff: TableDiff) -> ForeignKey | None:
        """A single-column foreign key on a new nullable column can ride on ADD COLUMN."""
        if self.default_sql(column) is not None:
            return None
        for key in diff.missing_foreign_keys:
            if key.columns == (column.name,):
                return key
        return None

    def column_problems(self, change: ColumnChange) -> list[str]:
        name = change.expected.name
        problems = []
        if change.type_differs:
            problems.append(f'column "{name}" is {change.live.type}, expected '
                            f"{change.expected.type}")
        if change.nullability_differs:
            problems.append(f'column "{name}" should be '
                            f"{'nullable' if change.expected.nullable else 'NOT NULL'}")
        if change.default_differs and change.expected_default is not None:
            problems.append(f'column "{name}" should default to {change.expected.default}')
        return problems

    def rebuild_sql(self, diff: TableDiff) -> list[str]:
        """Prisma's RedefineTables: copy into a table of the expected shape, swap names."""
        table = diff.expected
        temp = f"new_{table.name}"
        live_names = {c.name for c in diff.live.columns}
        kept = [c.name for c in table.columns if c.name in live_names]
        sql = ["PRAGMA defer_foreign_keys=ON;", "PRAGMA foreign_keys=OFF;",
               self.table_sql(table, temp),
               f"INSERT INTO {quote(temp)} ({_column_list(kept)}) SELECT {_column_list(kept)} "
               f"FROM {quote(table.name)};",
               f"DROP TABLE {quote(table.name)};",
               f"ALTER TABLE {quote(temp)} RENAME TO {quote(table.name)};"]
        sql += [self.index_sql(table, index, index.name) for index in table.indexes]
        sql += [self.index_sql(diff.live, index, index.name) for index in diff.extra_indexes]
        sql += ["PRAGMA foreign_keys=ON;", "PRAGMA defer_foreign_keys=OFF;"]
        return sql

    def index_sql(self, table: Table, index: Index, name: str) -> str:
        unique = "UNIQUE " if index.unique else ""
        known = {c.name for c in table.columns}
        parts = []
        for position, column in enumerate(index.columns):
            text = quote(column) if column in known else f"({column})"
            if position < len(index.orders) and index.orders[position].upper() == "DESC":
                text += " DESC"
            parts.append(text)
        sql = f"CREATE {unique}INDEX {quote(name)} ON {quote(table.name)}({', '.join(parts)})"
        if index.predicate:
            sql += f" WHERE {index.predicate}"
        return sql + ";"

    def create_index(self, table: Table, index: Index) -> None:
        key = (table.schema, table.name)
        if set(index.columns) & self.unaddable.get(key, set()):
            return  # the column it needs cannot be added in place: the rebuild creates it
        self.add("CreateIndex", self.index_sql(table, index, self.free_name(table.schema,
                                                                              index.name)))

    def add_foreign_keys(self) -> None:
        """Inline in CREATE TABLE or ADD COLUMN; anything else needs a rebuild."""

    def suggest_for_table(self, diff: TableDiff) -> None:
        for column in diff.extra_columns:
            self.suggest(f'Column "{column.name}" of "{diff.live.name}" is not in the schema '
                         "(SQLite 3.35+).",
                         f"ALTER TABLE {quote(diff.live.name)} DROP COLUMN {quote(column.name)};")
        for index in diff.extra_indexes:
            self.suggest(f'Index "{index.name}" of "{diff.live.name}" is not in the schema.',
                         f"DROP INDEX {quote(index.name)};")


__all__ = ["fix_migration", "migration_folder_name", "migration_path", "quote", "slugify"]
