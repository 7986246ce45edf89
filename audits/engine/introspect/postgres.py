"""A live PostgreSQL database -> ``model.Schema``, in four set-based catalog queries.

Locks: catalog reads take none, but PostgreSQL's deparsers for index expressions and partial
index predicates (pg_get_indexdef, pg_get_expr with a relation) take ACCESS SHARE on the table,
so an audit waits behind an uncommitted ALTER TABLE on a table with such an index, for at most
``lock_timeout`` before failing with a TargetError that says so.

The number of statements does not depend on the number of tables: one query each for tables
with their columns, constraints (primary, unique, foreign keys), indexes and enums, all inside
the read-only REPEATABLE READ transaction that ``readonly_postgres`` opens, so the four see one
consistent snapshot of the catalogs. The SQL does the spelling work (enum names without quotes,
sequences as ``autoincrement()``, column names per index position) so that Python only groups
rows into dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from audits.engine.connect import ReadOnlyPostgres, readonly_postgres
from audits.engine.model import Column, Enum, ForeignKey, Index, PrimaryKey, Schema, Table

# Tables (ordinary and partitioned) with their columns; a table without columns gives one row
# of NULLs. Enum columns are spelled with the type's bare name (format_type quotes "Role");
# identity columns and serial columns whose sequence the column owns become autoincrement().
# Defaults cannot refer to columns, so pg_get_expr gets no relation: given one it would lock
# the table and wait behind a migration's ALTER TABLE (generated columns, which do refer to
# columns, are skipped before pg_get_expr runs).
COLUMNS_SQL = """
SELECT n.nspname, c.relname, a.attname,
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
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", a.attnum
"""

# Primary keys, unique constraints and foreign keys, with column names in key order. A foreign
# key that references a partitioned table has clones (one per partition) on the same table:
# only the constraint the user created is kept.
CONSTRAINTS_SQL = """
SELECT n.nspname, c.relname, con.contype, con.conname,
       ARRAY(SELECT a.attname
             FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.position),
       fn.nspname, fc.relname,
       ARRAY(SELECT a.attname
             FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
             ORDER BY k.position),
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
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", con.conname COLLATE "C"
"""

# Every index but the primary key's. Per position: the column name, or for an expression the
# expression text; DESC from indoption bit 0; the operator class only when it is not the
# default for the column's type ('' where it is).
INDEXES_SQL = """
SELECT n.nspname, c.relname, ic.relname, i.indisunique,
       EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
               WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                 AND con.contype = 'u'),
       am.amname, i.indnkeyatts,
       ARRAY(SELECT CASE WHEN i.indkey[k.position - 1] = 0
                         THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.position::int, true)
                         ELSE a.attname END
             FROM pg_catalog.generate_series(1, i.indnatts) AS k(position)
             LEFT JOIN pg_catalog.pg_attribute a
                    ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.position - 1]
             ORDER BY k.position),
       ARRAY(SELECT (i.indoption[k.position - 1] & 1) = 1
             FROM pg_catalog.generate_series(1, i.indnkeyatts) AS k(position)
             ORDER BY k.position),
       ARRAY(SELECT CASE WHEN opc.opcdefault THEN '' ELSE opc.opcname END
             FROM pg_catalog.unnest(i.indclass::pg_catalog.oid[])
                  WITH ORDINALITY AS k(oid, position)
             JOIN pg_catalog.pg_opclass opc ON opc.oid = k.oid
             ORDER BY k.position),
       pg_catalog.pg_get_expr(i.indpred, i.indrelid, true)
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
WHERE NOT i.indisprimary AND c.relkind IN ('r', 'p') AND n.nspname = ANY(%(namespaces)s)
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", ic.relname COLLATE "C"
"""

ENUMS_SQL = """
SELECT n.nspname, t.typname,
       ARRAY(SELECT e.enumlabel FROM pg_catalog.pg_enum e
             WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND n.nspname = ANY(%(namespaces)s)
ORDER BY n.nspname COLLATE "C", t.typname COLLATE "C"
"""

FK_ACTIONS = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}

TableKey = tuple[str, str]  # (schema, table)


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
    params = {"namespaces": list(namespaces)}
    column_rows = session.fetch_all(COLUMNS_SQL, params)
    constraint_rows = session.fetch_all(CONSTRAINTS_SQL, params)
    index_rows = session.fetch_all(INDEXES_SQL, params)
    enum_rows = session.fetch_all(ENUMS_SQL, params)

    columns = _columns_by_table(column_rows)
    primary_keys, foreign_keys = _constraints_by_table(constraint_rows)
    indexes = _indexes_by_table(index_rows)
    tables = tuple(
        Table(
            name=key[1],
            schema=key[0],
            columns=table_columns,
            primary_key=primary_keys.get(key),
            indexes=tuple(indexes.get(key, ())),
            foreign_keys=tuple(foreign_keys.get(key, ())),
        )
        for key, table_columns in columns.items()
    )
    enums = tuple(Enum(name=name, values=tuple(values), schema=schema)
                  for schema, name, values in enum_rows)
    return Schema(dialect="postgresql", tables=tables, enums=enums,
                  namespaces=tuple(namespaces))


def _columns_by_table(rows: Iterable[tuple[Any, ...]]) -> dict[TableKey, tuple[Column, ...]]:
    grouped: dict[TableKey, list[Column]] = {}
    current_key: TableKey | None = None
    current: list[Column] = []
    for schema, table, name, type_, nullable, default in rows:
        key = (schema, table)
        if key != current_key:
            current = grouped.setdefault(key, [])
            current_key = key
        if name is not None:
            current.append(Column(name, type_, nullable, default))
    return {key: tuple(table_columns) for key, table_columns in grouped.items()}


def _constraints_by_table(
    rows: Iterable[tuple[Any, ...]],
) -> tuple[dict[TableKey, PrimaryKey], dict[TableKey, list[ForeignKey]]]:
    primary_keys: dict[TableKey, PrimaryKey] = {}
    foreign_keys: dict[TableKey, list[ForeignKey]] = {}
    for (schema, table, kind, name, columns, ref_schema, ref_table, ref_columns, on_delete,
         on_update) in rows:
        key = (schema, table)
        if kind == "p":
            primary_keys[key] = PrimaryKey(columns=tuple(columns), name=name)
        else:
            foreign_keys.setdefault(key, []).append(ForeignKey(
                name=name,
                columns=tuple(columns),
                referenced_table=ref_table,
                referenced_columns=tuple(ref_columns),
                referenced_schema=ref_schema,
                on_delete=FK_ACTIONS.get(on_delete, on_delete),
                on_update=FK_ACTIONS.get(on_update, on_update),
            ))
    return primary_keys, foreign_keys


def _indexes_by_table(rows: Iterable[tuple[Any, ...]]) -> dict[TableKey, list[Index]]:
    indexes: dict[TableKey, list[Index]] = {}
    for (schema, table, name, unique, is_constraint, method, key_count, columns, descending,
         opclasses, predicate) in rows:
        orders = tuple("DESC" if desc else "ASC" for desc in descending) if any(descending) else ()
        indexes.setdefault((schema, table), []).append(Index(
            name=name,
            columns=tuple(columns[:key_count]),
            unique=unique,
            constraint=is_constraint,
            method=method,
            orders=orders,
            predicate=predicate,
            include=tuple(columns[key_count:]),
            opclasses=tuple(opclasses) if any(opclasses) else (),
        ))
    return indexes


__all__ = ["introspect_postgres", "read_schema"]
