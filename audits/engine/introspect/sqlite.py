"""A SQLite file -> ``model.Schema``, in three queries whatever the number of tables.

The pragmas are per table, but their table-valued forms (``pragma_table_xinfo(name)``...) join
against ``sqlite_master``, so one query reads every table's columns, one every index's columns
and one every foreign key. Types are kept as declared, upper case. What the pragmas do not say
(an index expression's text, a partial index's WHERE, a foreign key's constraint name, whether
the table uses AUTOINCREMENT) is read from the stored CREATE statement, only for the indexes
and tables that need it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from audits.engine.connect import ReadOnlySqlite, readonly_sqlite
from audits.engine.model import Column, ForeignKey, Index, PrimaryKey, Schema, Table

_USER_TABLES = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"

COLUMNS_SQL = f"""
SELECT m.name, m.sql, x.name, x.type, x."notnull", x.dflt_value, x.pk, x.hidden
FROM sqlite_master AS m LEFT JOIN pragma_table_xinfo(m.name) AS x
WHERE {_USER_TABLES}
ORDER BY m.name, x.cid
"""

INDEXES_SQL = f"""
SELECT m.name, il.name, il."unique", il.origin, il.partial, ix.cid, ix.name, ix."desc", ix.key,
       im.sql
FROM sqlite_master AS m
JOIN pragma_index_list(m.name) AS il
JOIN pragma_index_xinfo(il.name) AS ix
LEFT JOIN sqlite_master AS im ON im.type = 'index' AND im.name = il.name
WHERE {_USER_TABLES} AND il.origin <> 'pk'
ORDER BY m.name, il.name, ix.seqno
"""

FOREIGN_KEYS_SQL = f"""
SELECT m.name, f.id, f."table", f."from", f."to", f.on_update, f.on_delete
FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f
WHERE {_USER_TABLES}
ORDER BY m.name, f.id, f.seq
"""

_IDENTIFIER = r'(?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|\[[^\]]+\]|[\w$]+)'
_NAMED_FOREIGN_KEY = re.compile(
    rf"CONSTRAINT\s+({_IDENTIFIER})\s+FOREIGN\s+KEY\s*\(([^)]*)\)", re.IGNORECASE
)
_ORDER_SUFFIX = re.compile(r"\s+(ASC|DESC)\s*$", re.IGNORECASE)
_COLLATE_SUFFIX = re.compile(rf"\s+COLLATE\s+{_IDENTIFIER}\s*$", re.IGNORECASE)
_WHERE = re.compile(r"^\s*WHERE\s+(.*?)\s*;?\s*$", re.IGNORECASE | re.DOTALL)


def introspect_sqlite(dsn: str, *, statement_timeout_ms: int = 30000,
                      lock_timeout_ms: int = 2000) -> Schema:
    with readonly_sqlite(dsn, statement_timeout_ms=statement_timeout_ms,
                         lock_timeout_ms=lock_timeout_ms) as session:
        return read_schema(session)


def read_schema(session: ReadOnlySqlite) -> Schema:
    column_rows = session.fetch_all(COLUMNS_SQL)
    index_rows = session.fetch_all(INDEXES_SQL)
    foreign_key_rows = session.fetch_all(FOREIGN_KEYS_SQL)

    tables = _tables(column_rows)
    indexes = _indexes_by_table(index_rows)
    primary_keys = {name: table.primary_key for name, table in tables.items()}
    foreign_keys = _foreign_keys_by_table(foreign_key_rows, tables, primary_keys)
    built = tuple(
        Table(
            name=name,
            columns=table.columns,
            primary_key=table.primary_key,
            indexes=tuple(indexes.get(name, ())),
            foreign_keys=tuple(foreign_keys.get(name, ())),
        )
        for name, table in tables.items()
    )
    return Schema(dialect="sqlite", tables=built)


class _TableParts:
    __slots__ = ("columns", "primary_key", "sql")

    def __init__(self, columns: tuple[Column, ...], primary_key: PrimaryKey | None,
                 sql: str) -> None:
        self.columns = columns
        self.primary_key = primary_key
        self.sql = sql


def _tables(rows: Iterable[tuple[Any, ...]]) -> dict[str, _TableParts]:
    raw: dict[str, tuple[str, list[tuple[Any, ...]]]] = {}
    for table, sql, *column in rows:
        entry = raw.setdefault(table, (sql or "", []))
        if column[0] is not None and column[-1] != 1:  # hidden=1: a virtual table's own column
            entry[1].append(tuple(column))
    return {table: _table_parts(sql, columns) for table, (sql, columns) in raw.items()}


def _table_parts(sql: str, rows: list[tuple[Any, ...]]) -> _TableParts:
    key_rows = sorted((row for row in rows if row[4]), key=lambda row: row[4])
    key_columns = tuple(row[0] for row in key_rows)
    # INTEGER PRIMARY KEY AUTOINCREMENT is what Prisma writes for @default(autoincrement())
    autoincrement = (
        len(key_rows) == 1
        and (key_rows[0][1] or "").upper() == "INTEGER"
        and "AUTOINCREMENT" in sql.upper()
    )
    columns = tuple(
        Column(
            name=name,
            type=(type_ or "").upper(),
            nullable=not notnull,
            default="autoincrement()" if autoincrement and name == key_columns[0] else default,
        )
        for name, type_, notnull, default, _pk, _hidden in rows
    )
    primary_key = PrimaryKey(columns=key_columns) if key_columns else None
    return _TableParts(columns, primary_key, sql)


def _indexes_by_table(rows: Iterable[tuple[Any, ...]]) -> dict[str, list[Index]]:
    grouped: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault((row[0], row[1]), []).append(row)
    indexes: dict[str, list[Index]] = {}
    for (table, name), index_rows in grouped.items():
        indexes.setdefault(table, []).append(_index(name, index_rows))
    return indexes


def _index(name: str, rows: list[tuple[Any, ...]]) -> Index:
    _table, _name, unique, origin, partial, _cid, _column, _desc, _key, sql = rows[0]
    key_rows = [row for row in rows if row[8]]
    needs_sql = partial or any(row[5] == -2 for row in key_rows)
    parts, predicate = _parse_create_index(sql) if needs_sql and sql else ([], None)
    columns = tuple(
        row[6] if row[5] != -2 else (parts[position] if position < len(parts) else "")
        for position, row in enumerate(key_rows)
    )
    descending = [bool(row[7]) for row in key_rows]
    return Index(
        name=name,
        columns=columns,
        unique=bool(unique),
        constraint=origin == "u",
        orders=tuple("DESC" if desc else "ASC" for desc in descending) if any(descending) else (),
        predicate=predicate if partial else None,
    )


def _foreign_keys_by_table(
    rows: Iterable[tuple[Any, ...]],
    tables: dict[str, _TableParts],
    primary_keys: dict[str, PrimaryKey | None],
) -> dict[str, list[ForeignKey]]:
    grouped: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault((row[0], row[1]), []).append(row)
    by_lower = {name.lower(): name for name in tables}
    names: dict[str, dict[tuple[str, ...], str]] = {}
    foreign_keys: dict[str, list[ForeignKey]] = {}
    for (table, _id), fk_rows in grouped.items():
        if table not in names:
            names[table] = _foreign_key_names(tables[table].sql)
        referenced = by_lower.get(fk_rows[0][2].lower(), fk_rows[0][2])
        columns = tuple(row[3] for row in fk_rows)
        referenced_columns = tuple(row[4] for row in fk_rows)
        if any(column is None for column in referenced_columns):  # REFERENCES t: t's key
            key = primary_keys.get(referenced)
            referenced_columns = key.columns if key else ()
        foreign_keys.setdefault(table, []).append(ForeignKey(
            name=names[table].get(tuple(column.lower() for column in columns), ""),
            columns=columns,
            referenced_table=referenced,
            referenced_columns=referenced_columns,
            on_delete=fk_rows[0][6],
            on_update=fk_rows[0][5],
        ))
    for table_keys in foreign_keys.values():
        table_keys.sort(key=lambda key: (key.name, key.columns))
    return foreign_keys


def _foreign_key_names(sql: str) -> dict[tuple[str, ...], str]:
    """Constraint names of table-level foreign keys, by their (lower-case) columns."""
    found: dict[tuple[str, ...], str] = {}
    for match in _NAMED_FOREIGN_KEY.finditer(sql):
        columns = tuple(_unquote(part.strip()).lower() for part in match.group(2).split(","))
        found[columns] = _unquote(match.group(1))
    return found


def _unquote(identifier: str) -> str:
    if len(identifier) >= 2 and identifier[0] + identifier[-1] in ('""', "``", "[]"):
        inner = identifier[1:-1]
        return inner.replace('""', '"') if identifier[0] == '"' else inner.replace("``", "`")
    return identifier


def _parse_create_index(sql: str) -> tuple[list[str], str | None]:
    """The key parts of CREATE INDEX ... (parts) [WHERE predicate], as written."""
    start = _find_outside_quotes(sql, "(", 0)
    if start < 0:
        return [], None
    parts: list[str] = []
    depth = 0
    begin = start + 1
    position = start
    while position < len(sql):
        char = sql[position]
        if char in "'\"`[":
            position = _skip_quoted(sql, position)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                parts.append(sql[begin:position])
                break
        elif char == "," and depth == 1:
            parts.append(sql[begin:position])
            begin = position + 1
        position += 1
    where = _WHERE.match(sql[position + 1 :])
    return [_key_text(part) for part in parts], where.group(1) if where else None


def _key_text(part: str) -> str:
    text = _ORDER_SUFFIX.sub("", part.strip())
    return _COLLATE_SUFFIX.sub("", text).strip()


def _find_outside_quotes(sql: str, wanted: str, position: int) -> int:
    while position < len(sql):
        char = sql[position]
        if char in "'\"`[":
            position = _skip_quoted(sql, position)
            continue
        if char == wanted:
            return position
        position += 1
    return -1


def _skip_quoted(sql: str, position: int) -> int:
    closing = "]" if sql[position] == "[" else sql[position]
    end = sql.find(closing, position + 1)
    while end >= 0 and closing != "]" and sql[end + 1 : end + 2] == closing:  # doubled quote
        end = sql.find(closing, end + 2)
    return len(sql) if end < 0 else end + 1


__all__ = ["introspect_sqlite", "read_schema"]
