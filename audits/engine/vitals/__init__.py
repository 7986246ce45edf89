"""Vital signs of a target database, and the detectors that tell a wiped or reset database from
ordinary churn.

- ``model``: ``VitalSigns`` and its parts (frozen, JSON round-trip), ``VitalsRequest``.
- ``postgres``/``sqlite``: read them in a read-only session (the audit's own, see
  ``read_schema_and_vitals``), from the catalog and the statistics, never from user rows.
- ``detect``: last healthy vital signs + now -> ``Detection``s, under ``Thresholds``.
"""

from __future__ import annotations

from collections.abc import Sequence

from audits.engine.connect import POSTGRESQL, dialect_of, readonly_postgres, readonly_sqlite
from audits.engine.model import Schema
from audits.engine.vitals.detect import Detection, Figure, Thresholds, detect
from audits.engine.vitals.model import (
    MigrationsVitals,
    NamespaceVitals,
    SequenceVitals,
    TableVitals,
    VitalSigns,
    VitalsRequest,
)


def read_schema_and_vitals(
    dsn: str,
    namespaces: Sequence[str] = ("public",),
    request: VitalsRequest | None = None,
    *,
    connect_timeout_s: int = 5,
    statement_timeout_ms: int = 30000,
    lock_timeout_ms: int = 2000,
) -> tuple[Schema, VitalSigns]:
    """The live schema and the vital signs of ``dsn``, through ONE read-only connection and,
    on PostgreSQL, one transaction: both describe the same moment."""
    if dialect_of(dsn) == POSTGRESQL:
        from audits.engine.introspect.postgres import read_schema as read_postgres_schema
        from audits.engine.vitals.postgres import read_vitals as read_postgres_vitals

        with readonly_postgres(dsn, connect_timeout_s=connect_timeout_s,
                               statement_timeout_ms=statement_timeout_ms,
                               lock_timeout_ms=lock_timeout_ms) as session:
            schema = read_postgres_schema(session, namespaces)
            return schema, read_postgres_vitals(session, namespaces, request)
    from audits.engine.introspect.sqlite import read_schema as read_sqlite_schema
    from audits.engine.vitals.sqlite import read_vitals as read_sqlite_vitals

    with readonly_sqlite(dsn, statement_timeout_ms=statement_timeout_ms,
                         lock_timeout_ms=lock_timeout_ms) as sqlite_session:
        return read_sqlite_schema(sqlite_session), read_sqlite_vitals(sqlite_session)


def read_vitals(dsn: str, namespaces: Sequence[str] = ("public",),
                request: VitalsRequest | None = None, *, connect_timeout_s: int = 5,
                statement_timeout_ms: int = 30000, lock_timeout_ms: int = 2000) -> VitalSigns:
    """The vital signs alone (a read-only connection of their own)."""
    if dialect_of(dsn) == POSTGRESQL:
        from audits.engine.vitals.postgres import read_vitals as read_postgres_vitals

        with readonly_postgres(dsn, connect_timeout_s=connect_timeout_s,
                               statement_timeout_ms=statement_timeout_ms,
                               lock_timeout_ms=lock_timeout_ms) as session:
            return read_postgres_vitals(session, namespaces, request)
    from audits.engine.vitals.sqlite import read_vitals as read_sqlite_vitals

    with readonly_sqlite(dsn, statement_timeout_ms=statement_timeout_ms,
                         lock_timeout_ms=lock_timeout_ms) as sqlite_session:
        return read_sqlite_vitals(sqlite_session)


__all__ = [
    "Detection",
    "Figure",
    "MigrationsVitals",
    "NamespaceVitals",
    "SequenceVitals",
    "TableVitals",
    "Thresholds",
    "VitalSigns",
    "VitalsRequest",
    "detect",
    "read_schema_and_vitals",
    "read_vitals",
]
