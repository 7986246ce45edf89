"""Live database -> ``model.Schema``, dispatched by the DSN's dialect.

What the producers here guarantee, on top of model.py's conventions:
- Every table of the namespaces is listed (ordinary and partitioned tables, partitions too,
  ``_prisma_migrations`` too); views, materialized views and foreign tables are not. Whether a
  table is drift is for ``compare`` to say.
- Order: tables and enums by (schema, name), indexes and foreign keys by name, all in
  code-point ("C" collation) order; columns in table order; key columns in key order.
- PostgreSQL: types from ``format_type`` except enums, which are their bare name (``Role``,
  ``Role[]``) whatever their schema; identity columns and ``nextval()`` defaults of a sequence
  the column owns are ``autoincrement()``, other defaults are ``pg_get_expr`` text; a
  generated column has no default. Index columns are column names or, for an expression,
  its ``pg_get_indexdef`` text; ``opclasses`` has "" for a default class; unique constraints
  are indexes with ``constraint=True``; the primary key's index is not listed.
- SQLite: tables carry the model's default schema ``public``; types are declared types in
  upper case; ``INTEGER PRIMARY KEY AUTOINCREMENT`` is ``autoincrement()``; primary keys have no
  name; a foreign key's name is its ``CONSTRAINT`` name, or "" when it has none.
"""

from __future__ import annotations

from collections.abc import Sequence

from audits.engine.connect import POSTGRESQL, dialect_of
from audits.engine.model import Schema


def introspect(
    dsn: str,
    namespaces: Sequence[str] = ("public",),
    *,
    connect_timeout_s: int = 5,
    statement_timeout_ms: int = 30000,
    lock_timeout_ms: int = 2000,
) -> Schema:
    """The live schema behind ``dsn``, read through a read-only connection.

    ``namespaces`` are PostgreSQL schemas; SQLite has one namespace and ignores them.
    Raises ``TargetError`` (without any password) when the database cannot be read.
    """
    if dialect_of(dsn) == POSTGRESQL:
        from audits.engine.introspect.postgres import introspect_postgres

        return introspect_postgres(
            dsn,
            namespaces,
            connect_timeout_s=connect_timeout_s,
            statement_timeout_ms=statement_timeout_ms,
            lock_timeout_ms=lock_timeout_ms,
        )
    from audits.engine.introspect.sqlite import introspect_sqlite

    return introspect_sqlite(
        dsn, statement_timeout_ms=statement_timeout_ms, lock_timeout_ms=lock_timeout_ms
    )


__all__ = ["introspect"]
