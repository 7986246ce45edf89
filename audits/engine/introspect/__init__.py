"""Live database -> ``model.Schema``, dispatched by the DSN's dialect."""

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
