"""Database names as Prisma derives them: constraint names, 63-byte truncation, quoting.

Prisma builds a constraint name from the table name, the column names and a suffix, and when
the result would pass the connector's identifier limit it cuts the table-and-columns part so
that the suffix survives (``psl-core``'s ``ConstraintNames``). PostgreSQL itself cuts every
identifier to 63 bytes; SQLite has no practical limit (Prisma uses 10000).
"""

from __future__ import annotations

import re

PG_MAX_IDENTIFIER = 63
SQLITE_MAX_IDENTIFIER = 10_000

PK_SUFFIX = "_pkey"
UNIQUE_SUFFIX = "_key"
INDEX_SUFFIX = "_idx"
FK_SUFFIX = "_fkey"


def truncate(name: str, limit: int) -> str:
    """``name`` cut to at most ``limit`` UTF-8 bytes, never inside a character (as PostgreSQL)."""
    if name.isascii():  # nearly every name: one byte a character, no encoding needed
        return name if len(name) <= limit else name[:limit]
    encoded = name.encode()
    if len(encoded) <= limit:
        return name
    return encoded[:limit].decode(errors="ignore")


def with_suffix(prefix: str, suffix: str, limit: int) -> str:
    """``prefix`` cut so that ``prefix + suffix`` fits ``limit``, then the suffix."""
    return truncate(prefix, limit - len(suffix)) + suffix


def primary_key_name(table: str, limit: int) -> str:
    return with_suffix(table, PK_SUFFIX, limit)


def unique_index_name(table: str, columns: tuple[str, ...], limit: int) -> str:
    return with_suffix(_joined(table, columns), UNIQUE_SUFFIX, limit)


def index_name(table: str, columns: tuple[str, ...], limit: int) -> str:
    return with_suffix(_joined(table, columns), INDEX_SUFFIX, limit)


def foreign_key_name(table: str, columns: tuple[str, ...], limit: int) -> str:
    return with_suffix(_joined(table, columns), FK_SUFFIX, limit)


def _joined(table: str, columns: tuple[str, ...]) -> str:
    return f"{table}_{'_'.join(columns)}"


# Every PostgreSQL keyword that is not UNRESERVED: quote_ident() quotes these even when they
# are lower case, so pg_get_expr() prints e.g. '"user"' for a type named user.
_PG_QUOTED_KEYWORDS = frozenset(
    """
    all analyse analyze and any array as asc asymmetric authorization between bigint binary bit
    boolean both case cast char character check coalesce collate collation column concurrently
    constraint create cross current_catalog current_date current_role current_schema
    current_time current_timestamp current_user dec decimal default deferrable desc distinct do
    else end except exists extract false fetch float for foreign freeze from full grant greatest
    group grouping having ilike in initially inner inout int integer intersect interval into is
    isnull join json json_array json_arrayagg json_exists json_object json_objectagg json_query
    json_scalar json_serialize json_table json_value lateral leading least left like limit
    localtime localtimestamp merge_action national natural nchar none normalize not notnull null
    nullif numeric offset on only or order out outer overlaps overlay placing position precision
    primary real references returning right row select session_user setof similar smallint some
    substring symmetric system_user table tablesample then time timestamp to trailing treat trim
    true union unique user using values varchar variadic verbose when where window with
    xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot
    xmlserialize xmltable
    """.split()  # noqa: SIM905 (a word list reads better than 150 quoted strings)
)
_PG_SAFE_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def pg_quote_ident(name: str) -> str:
    """The identifier as PostgreSQL's quote_ident() prints it."""
    if _PG_SAFE_IDENTIFIER.fullmatch(name) and name not in _PG_QUOTED_KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def pg_quote_literal(value: str) -> str:
    """A string constant as pg_get_expr() prints it (standard_conforming_strings on)."""
    return "'" + value.replace("'", "''") + "'"
