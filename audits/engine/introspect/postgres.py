"""A live PostgreSQL database -> ``model.Schema``, in four set-based catalog queries.

The number of statements does not depend on the number of tables: one query each for columns
(with their tables), constraints (primary and foreign keys), indexes (unique constraints
included) and enums, all inside the read-only REPEATABLE READ transaction that
``readonly_postgres`` opens, so the four see one consistent snapshot of the catalogs.

Division of work, for speed on big schemas (2,000 tables, 35,000 columns): the SQL does the
spelling that only PostgreSQL can do (``format_type``, default and index expressions, enum
names without quotes, sequences as ``autoincrement()``) and no per-row subqueries or sorting;
Python maps attribute numbers to column names and sorts tables, keys and indexes by name, in
one pass over plain tuples. Names sort in code-point order (PostgreSQL's "C" collation).

Locks: catalog reads take none, but PostgreSQL's deparsers for index expressions and partial
index predicates (pg_get_indexdef, pg_get_expr with a relation) take ACCESS SHARE on the table,
so an audit waits behind an uncommitted ALTER TABLE on a table with such an index, for at most
``lock_timeout``, then fails with a TargetError that says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any

from audits.engine.connect import ReadOnlyPostgres, readonly_postgres
from audits.engine.model import Column, Enum, ForeignKey, Index, PrimaryKey, Schema, Table

# Ordinary and partitioned tables with their columns (a table without columns gives one row of
# NULLs). Enum columns are spelled with the type's bare name (format_type would quote "Role");
# identity columns and serial columns whose sequence the column owns become autoincrement().
# Defaults cannot refer to columns, so pg_get_expr gets no relation: given one it would lock
# the table and wait behind a migration's ALTER TABLE (generated columns, which do refer to
# columns, are skipped before pg_get_expr runs).
COLUMNS_SQL = """
SELECT c.oid, n.nspname, c.relname, a.attnum, a.attname,
       CASE WHEN t.typtype = 'e' THEN t.typname
            WHEN et.typtype = 'e' THEN et.typname || '[]'
            ELSE pg_catalog.format_type(a.atttypid, a.atttypmod) END,
       NOT a.attnotnull,
       CASE WHEN a.attidentity IN ('a', 'd') THEN 'autoincrement()'
            WHEN a.attgenerated <> '' THEN NULL
            WHEN owned.refobjid IS NOT NULL
                 AND pg_catalog.pg_get_expr(d.adbin, 0) LIKE 'nextval(%%'
                 THEN 'autoincrement()'
            ELSE pg_catalog.pg_get_expr(d.adbin, 0) END
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a
       ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
LEFT JOIN (
    SELECT DISTINCT dep.refobjid, dep.refobjsubid
    FROM pg_catalog.pg_depend dep
    JOIN pg_catalog.pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
    WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND dep.deptype = 'a'
) owned ON owned.refobjid = c.oid AND owned.refobjsubid = a.attnum
WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%(namespaces)s)
"""

# Primary and foreign keys, columns as attribute numbers in key order. Referenced columns are
# named here only when the referenced table is outside the namespaces read (Python knows the
# others). A foreign key that references a partitioned table has clones (one per partition) on
# the same table: only the constraint the user created is kept.
CONSTRAINTS_SQL = """
SELECT con.conrelid, con.contype, con.conname, con.conkey,
       con.confrelid, fn.nspname, fc.relname, con.confkey,
       CASE WHEN con.contype = 'f' AND NOT fn.nspname = ANY(%(namespaces)s) THEN
            ARRAY(SELECT a.attname
                  FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY AS k(attnum, position)
                  JOIN pg_catalog.pg_attribute a
                    ON a.attrelid = con.confrelid AND a.attnum = k.attnum
                  ORDER BY k.position) END,
       con.confdeltype, con.confupdtype
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype IN ('p', 'f')
  AND c.relkind IN ('r', 'p') AND n.nspname = ANY(%(namespaces)s)
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint parent
                  WHERE parent.oid = con.conparentid AND parent.conrelid = con.conrelid)
"""

# Every index but the primary key's, with raw indkey/indoption arrays (Python names the columns
# and reads the DESC bit). Deparsing and operator-class lookups run only for the indexes that
# need them: expression indexes, partial indexes, and indexes with a non-default opclass (the
# InitPlan lists non-default opclasses once per query, not once per index).
INDEXES_SQL = """
SELECT i.indrelid, ic.relname, i.indisunique,
       con.conname IS NOT NULL, am.amname, i.indnkeyatts,
       i.indkey::pg_catalog.int2[], i.indoption::pg_catalog.int2[],
       CASE WHEN i.indexprs IS NOT NULL THEN
            ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k.position, true)
                  FROM pg_catalog.generate_series(1, i.indnatts::int) AS k(position)
                  ORDER BY k.position) END,
       CASE WHEN i.indclass::pg_catalog.oid[] && (SELECT pg_catalog.array_agg(opc.oid)
                                                  FROM pg_catalog.pg_opclass opc
                                                  WHERE NOT opc.opcdefault) THEN
            ARRAY(SELECT CASE WHEN opc.opcdefault THEN '' ELSE opc.opcname END
                  FROM pg_catalog.unnest(i.indclass::pg_catalog.oid[])
                       WITH ORDINALITY AS k(oid, position)
                  JOIN pg_catalog.pg_opclass opc ON opc.oid = k.oid
                  ORDER BY k.position) END,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid, true)
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
LEFT JOIN pg_catalog.pg_constraint con
       ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype = 'u'
WHERE NOT i.indisprimary AND c.relkind IN ('r', 'p') AND n.nspname = ANY(%(namespaces)s)
"""

ENUMS_SQL = """
SELECT n.nspname, t.typname,
       ARRAY(SELECT e.enumlabel FROM pg_catalog.pg_enum e
             WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND n.nspname = ANY(%(namespaces)s)
"""

FK_ACTIONS = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}
INDOPTION_DESC = 1

Row = tuple[Any, ...]


@dataclass(frozen=True)
class CatalogRows:
    """The raw answers of the four catalog queries, before they become dataclasses."""

    columns: list[Row]
    constraints: list[Row]
    indexes: list[Row]
    enums: list[Row]


class _TableParts:
    """What is known of one table while the rows are being grouped."""

    __slots__ = ("schema", "name", "columns", "primary_key", "indexes", "foreign_keys")

    def __init__(self, schema: str, name: str) -> None:
        self.schema = schema
        self.name = name
        self.columns: dict[int, Column] = {}  # by attribute number
        self.primary_key: PrimaryKey | None = None
        self.indexes: list[Index] = []
        self.foreign_keys: list[ForeignKey] = []


def introspect_postgres(
    dsn: str,
    namespaces: Sequence[str] = ("public",),
    *,
    connect_timeout_s: int = 5,
    statement_timeout_ms: int = 30000,
    lock_timeout_ms: int = 2000,
) -> Schema:
    """Read the live schema of ``namespaces`` through a read-only session."""
    with readonly_postgres(
        dsn,
        connect_timeout_s=connect_timeout_s,
        statement_timeout_ms=statement_timeout_ms,
        lock_timeout_ms=lock_timeout_ms,
    ) as session:
        return read_schema(session, namespaces)


def read_schema(session: ReadOnlyPostgres, namespaces: Sequence[str] = ("public",)) -> Schema:
    """The schema of ``namespaces`` in four statements, whatever the number of tables."""
    return build_schema(fetch_catalog(session, namespaces), namespaces)


def fetch_catalog(session: ReadOnlyPostgres, namespaces: Sequence[str]) -> CatalogRows:
    params = {"namespaces": list(namespaces)}
    return CatalogRows(
        columns=session.fetch_all(COLUMNS_SQL, params),
        constraints=session.fetch_all(CONSTRAINTS_SQL, params),
        indexes=session.fetch_all(INDEXES_SQL, params),
        enums=session.fetch_all(ENUMS_SQL, params),
    )


def build_schema(rows: CatalogRows, namespaces: Sequence[str]) -> Schema:
    """One pass over each query's rows; tables come out in (schema, name) order."""
    tables = _tables(rows.columns)
    _add_constraints(tables, rows.constraints)
    _add_indexes(tables, rows.indexes)
    ordered = sorted(tables.values(), key=attrgetter("schema", "name"))
    enums = sorted(rows.enums, key=itemgetter(0, 1))
    return Schema(
        dialect="postgresql",
        tables=tuple(_table(parts) for parts in ordered),
        enums=tuple(Enum(name=name, values=tuple(values), schema=schema)
                    for schema, name, values in enums),
        namespaces=tuple(namespaces),
    )


def _tables(rows: list[Row]) -> dict[int, _TableParts]:
    tables: dict[int, _TableParts] = {}
    columns: dict[int, Column] = {}
    # Equal columns (the same name, type, nullability and default: every table's "id",
    # "createdAt"...) are one shared object, as lowering makes them: a lookup costs a tenth of
    # building one, and the schema pickles (to the parent process) as back-references.
    seen: dict[Row, Column] = {}
    current = None
    for oid, schema, table, attnum, name, type_, nullable, default in rows:
        if oid != current:  # a table's rows mostly arrive together: skip the dict lookups
            current = oid
            parts = tables.get(oid)
            if parts is None:
                parts = tables[oid] = _TableParts(schema, table)
            columns = parts.columns
        if name is not None:
            key = (name, type_, nullable, default)
            column = seen.get(key)
            if column is None:
                column = seen[key] = Column(name, type_, nullable, default)
            columns[attnum] = column
    return tables


def _add_constraints(tables: dict[int, _TableParts], rows: list[Row]) -> None:
    for (oid, kind, name, attnums, ref_oid, ref_schema, ref_table, ref_attnums, ref_names,
         on_delete, on_update) in rows:
        parts = tables[oid]
        columns = tuple(parts.columns[attnum].name for attnum in attnums)
        if kind == "p":
            parts.primary_key = PrimaryKey(columns=columns, name=name)
            continue
        if ref_names is None:
            ref_columns = tables[ref_oid].columns
            ref_names = [ref_columns[attnum].name for attnum in ref_attnums]
        parts.foreign_keys.append(ForeignKey(
            name=name,
            columns=columns,
            referenced_table=ref_table,
            referenced_columns=tuple(ref_names),
            referenced_schema=ref_schema,
            on_delete=FK_ACTIONS.get(on_delete) or str(on_delete),
            on_update=FK_ACTIONS.get(on_update) or str(on_update),
        ))


def _add_indexes(tables: dict[int, _TableParts], rows: list[Row]) -> None:
    for (oid, name, unique, is_constraint, method, key_count, attnums, options, definitions,
         opclasses, predicate) in rows:
        columns = tables[oid].columns
        # attnum 0 marks an expression: its text comes from pg_get_indexdef
        names = [columns[attnum].name if attnum else definitions[position]
                 for position, attnum in enumerate(attnums)]
        key_options = options[:key_count]
        orders = (tuple("DESC" if option & INDOPTION_DESC else "ASC" for option in key_options)
                  if any(option & INDOPTION_DESC for option in key_options) else ())
        tables[oid].indexes.append(Index(
            name=name,
            columns=tuple(names[:key_count]),
            unique=unique,
            constraint=is_constraint,
            method=method,
            orders=orders,
            predicate=predicate,
            include=tuple(names[key_count:]),
            opclasses=tuple(opclasses) if opclasses else (),
        ))


def _table(parts: _TableParts) -> Table:
    columns = parts.columns
    parts.indexes.sort(key=attrgetter("name"))
    parts.foreign_keys.sort(key=attrgetter("name"))
    return Table(
        name=parts.name,
        schema=parts.schema,
        columns=tuple(columns[attnum] for attnum in sorted(columns)),
        primary_key=parts.primary_key,
        indexes=tuple(parts.indexes),
        foreign_keys=tuple(parts.foreign_keys),
    )


__all__ = [
    "CatalogRows",
    "build_schema",
    "fetch_catalog",
    "introspect_postgres",
    "read_schema",
]
