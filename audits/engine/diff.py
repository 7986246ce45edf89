"""The structural difference between an expected and a live schema, before any judgement.

``compare`` turns this into findings with severities and messages; ``repair`` turns the same
value into SQL. Keeping the matching in one place means the fix migration adds exactly what the
report says is missing, and the next audit agrees.

Matching rules: tables by schema and name; columns by name; indexes, unique indexes and foreign
keys by what they cover (columns, method, predicate; referenced columns), never by their names.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from audits.engine.model import Column, Enum, ForeignKey, Index, Schema, Table
from audits.engine.normalize import (
    AUTOINCREMENT,
    canonical_default,
    canonical_predicate,
    canonical_type,
)

PRISMA_MIGRATIONS = "_prisma_migrations"

T = TypeVar("T", Index, ForeignKey)


@dataclass(frozen=True)
class ColumnChange:
    expected: Column
    live: Column
    type_differs: bool
    nullability_differs: bool
    expected_default: str | None  # canonical
    live_default: str | None  # canonical

    @property
    def default_differs(self) -> bool:
        return self.expected_default != self.live_default


@dataclass
class TableDiff:
    expected: Table
    live: Table
    missing_columns: list[Column] = field(default_factory=list)
    extra_columns: list[Column] = field(default_factory=list)
    changed_columns: list[ColumnChange] = field(default_factory=list)
    missing_indexes: list[Index] = field(default_factory=list)  # unique ones included
    extra_indexes: list[Index] = field(default_factory=list)
    renamed_indexes: list[tuple[Index, Index]] = field(default_factory=list)  # (expected, live)
    missing_foreign_keys: list[ForeignKey] = field(default_factory=list)
    extra_foreign_keys: list[ForeignKey] = field(default_factory=list)
    renamed_foreign_keys: list[tuple[ForeignKey, ForeignKey]] = field(default_factory=list)
    # same columns and target, different actions; or same columns, different target
    changed_foreign_keys: list[tuple[ForeignKey, ForeignKey]] = field(default_factory=list)
    # unique indexes the expected schema wants that the live primary key already provides
    unique_served_by_primary_key: list[Index] = field(default_factory=list)

    @property
    def missing_column_names(self) -> set[str]:
        return {column.name for column in self.missing_columns}


@dataclass(frozen=True)
class EnumDiff:
    expected: Enum
    live: Enum
    missing_values: tuple[str, ...]
    extra_values: tuple[str, ...]


@dataclass
class SchemaDiff:
    dialect: str
    missing_tables: list[Table] = field(default_factory=list)
    extra_tables: list[Table] = field(default_factory=list)
    tables: list[TableDiff] = field(default_factory=list)
    missing_enums: list[Enum] = field(default_factory=list)
    extra_enums: list[Enum] = field(default_factory=list)
    enums: list[EnumDiff] = field(default_factory=list)

    @cached_property  # read once per table by compare; the diff is complete by then
    def missing_table_keys(self) -> set[tuple[str, str]]:
        return {(table.schema, table.name) for table in self.missing_tables}


def is_implicit_many_to_many(table: Table) -> bool:
    """Prisma's ``_AToB`` join table: columns A and B only."""
    return table.name.startswith("_") and {c.name for c in table.columns} == {"A", "B"}


def audited_tables(schema: Schema, namespaces: Iterable[str]) -> list[Table]:
    """The tables that count: Prisma's bookkeeping table and other namespaces do not."""
    wanted = set(namespaces)
    return [
        table
        for table in schema.tables
        if table.name != PRISMA_MIGRATIONS and table.schema in wanted
    ]


def diff_schemas(expected: Schema, actual: Schema) -> SchemaDiff:
    dialect = expected.dialect
    result = SchemaDiff(dialect=dialect)
    namespaces = expected.namespaces
    expected_tables = audited_tables(expected, namespaces)
    live_tables = {(t.schema, t.name): t for t in audited_tables(actual, namespaces)}
    for table in expected_tables:
        live = live_tables.pop((table.schema, table.name), None)
        if live is None:
            result.missing_tables.append(table)
        else:
            result.tables.append(diff_table(table, live, dialect))
    result.extra_tables = sorted(live_tables.values(), key=lambda t: (t.schema, t.name))
    _diff_enums(expected, actual, result)
    return result


def _diff_enums(expected: Schema, actual: Schema, result: SchemaDiff) -> None:
    if expected.dialect == "sqlite":
        return  # SQLite has no enum types; Prisma stores enums there as TEXT
    wanted = set(expected.namespaces)
    live = {(e.schema, e.name): e for e in actual.enums if e.schema in wanted}
    for enum in expected.enums:
        found = live.pop((enum.schema, enum.name), None)
        if found is None:
            result.missing_enums.append(enum)
            continue
        missing = tuple(v for v in enum.values if v not in found.values)
        extra = tuple(v for v in found.values if v not in enum.values)
        if missing or extra:
            result.enums.append(EnumDiff(enum, found, missing, extra))
    result.extra_enums = sorted(live.values(), key=lambda e: (e.schema, e.name))


def diff_table(expected: Table, live: Table, dialect: str) -> TableDiff:
    result = TableDiff(expected=expected, live=live)
    _diff_columns(expected, live, dialect, result)
    _diff_indexes(expected, live, result)
    _diff_foreign_keys(expected, live, result)
    return result


def _diff_columns(expected: Table, live: Table, dialect: str, result: TableDiff) -> None:
    live_by_name = {column.name: column for column in live.columns}
    pk_columns = set(expected.primary_key.columns) if expected.primary_key else set()
    for column in expected.columns:
        found = live_by_name.pop(column.name, None)
        if found is None:
            result.missing_columns.append(column)
            continue
        if (column.type == found.type and column.default == found.default
                and column.nullable == found.nullable):
            # The same text canonicalizes the same, so nothing differs. Lowering writes what
            # the catalog prints, so this is nearly every column of a database in sync.
            continue
        change = column_change(column, found, dialect, column.name in pk_columns)
        if change.type_differs or change.nullability_differs or change.default_differs:
            result.changed_columns.append(change)
    result.extra_columns = list(live_by_name.values())


def column_change(
    expected: Column, live: Column, dialect: str, in_primary_key: bool
) -> ColumnChange:
    expected_type = canonical_type(expected.type, dialect)
    live_type = canonical_type(live.type, dialect)
    expected_default = canonical_default(expected.default, dialect, expected_type)
    live_default = canonical_default(live.default, dialect, live_type)
    if (
        dialect == "sqlite"
        and in_primary_key
        and expected_default == AUTOINCREMENT
        and live_default is None
        and live_type == "INTEGER"
    ):
        live_default = AUTOINCREMENT  # an INTEGER PRIMARY KEY is SQLite's rowid: it numbers itself
    return ColumnChange(
        expected=expected,
        live=live,
        type_differs=expected_type != live_type,
        nullability_differs=expected.nullable != live.nullable,
        expected_default=expected_default,
        live_default=live_default,
    )


def index_key(index: Index) -> Hashable:
    """What an index is, without its name. A unique index is about its column SET."""
    predicate = canonical_predicate(index.predicate)
    if index.unique:
        return ("unique", tuple(sorted(index.columns)), predicate)
    orders = tuple(order.upper() for order in index.orders)
    if all(order == "ASC" for order in orders):
        orders = ()
    opclasses = tuple(op.lower() for op in index.opclasses)
    return ("index", index.columns, index.method.lower(), predicate, orders, opclasses)


def foreign_key_key(key: ForeignKey) -> Hashable:
    pairs = tuple(sorted(zip(key.columns, key.referenced_columns, strict=False)))
    return (pairs, key.referenced_schema, key.referenced_table)


def _match(
    expected: list[T], live: list[T], key: Callable[[T], Hashable]
) -> tuple[list[tuple[T, T]], list[T], list[T]]:
    """Pair objects with equal keys (preferring equal names); return pairs, unmatched of each."""
    remaining = sorted(live, key=lambda item: item.name)
    pairs: list[tuple[T, T]] = []
    missing: list[T] = []
    for item in sorted(expected, key=lambda item: item.name):
        candidates = [other for other in remaining if key(other) == key(item)]
        if not candidates:
            missing.append(item)
            continue
        chosen = next((c for c in candidates if c.name == item.name), candidates[0])
        remaining.remove(chosen)
        pairs.append((item, chosen))
    return pairs, missing, remaining


def _diff_indexes(expected: Table, live: Table, result: TableDiff) -> None:
    pairs, missing, extra = _match(list(expected.indexes), list(live.indexes), index_key)
    live_pk = set(live.primary_key.columns) if live.primary_key else None
    for index in missing:
        if index.unique and live_pk is not None and set(index.columns) == live_pk \
                and not index.predicate:
            result.unique_served_by_primary_key.append(index)
        else:
            result.missing_indexes.append(index)
    result.extra_indexes = extra
    result.renamed_indexes = [(e, a) for e, a in pairs if e.name != a.name]


def _diff_foreign_keys(expected: Table, live: Table, result: TableDiff) -> None:
    pairs, missing, extra = _match(
        list(expected.foreign_keys), list(live.foreign_keys), foreign_key_key
    )
    for wanted, found in pairs:
        if _action(wanted.on_delete) != _action(found.on_delete) or \
                _action(wanted.on_update) != _action(found.on_update):
            result.changed_foreign_keys.append((wanted, found))
        elif wanted.name != found.name and found.name:
            result.renamed_foreign_keys.append((wanted, found))
    # A live key on the same columns that points elsewhere is a changed key, not two findings.
    for wanted in list(missing):
        same_columns = next(
            (k for k in extra if sorted(k.columns) == sorted(wanted.columns)), None
        )
        if same_columns is not None:
            missing.remove(wanted)
            extra.remove(same_columns)
            result.changed_foreign_keys.append((wanted, same_columns))
    result.missing_foreign_keys = missing
    result.extra_foreign_keys = extra


def _action(action: str) -> str:
    return " ".join(action.upper().replace("_", " ").split()) or "NO ACTION"


__all__ = [
    "ColumnChange",
    "EnumDiff",
    "PRISMA_MIGRATIONS",
    "SchemaDiff",
    "TableDiff",
    "audited_tables",
    "column_change",
    "diff_schemas",
    "diff_table",
    "foreign_key_key",
    "index_key",
    "is_implicit_many_to_many",
]
