"""A SQLite file's vital signs: exact row counts (cheap on SQLite), AUTOINCREMENT counters and
Prisma's ``_prisma_migrations``.

SQLite has no object identities or statistics collector, so a reset shows here as rows gone,
counters gone back and a bookkeeping table whose oldest row is suddenly new. The counts are
one statement per 400 tables (a ``UNION ALL`` stays under SQLite's compound-select limit of
500), each under the statement timeout of the read-only session.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from audits.engine.connect import ReadOnlySqlite
from audits.engine.vitals.model import (
    PRISMA_MIGRATIONS_TABLE,
    MigrationsVitals,
    SequenceVitals,
    TableVitals,
    VitalSigns,
)
from audits.engine.vitals.postgres import quote_identifier

TABLES_SQL = (
    "SELECT name FROM sqlite_master WHERE type = 'table' "
    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
)
SEQUENCE_TABLE_SQL = "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'"
SEQUENCES_SQL = "SELECT name, seq FROM sqlite_sequence"
MIGRATIONS_SQL = (
    'SELECT count(*), min("started_at"), max("started_at") FROM "_prisma_migrations"'
)
COUNTS_PER_STATEMENT = 400


def read_vitals(session: ReadOnlySqlite) -> VitalSigns:
    names = [row[0] for row in session.fetch_all(TABLES_SQL)]
    counts: dict[str, int] = {}
    for start in range(0, len(names), COUNTS_PER_STATEMENT):
        chunk = names[start:start + COUNTS_PER_STATEMENT]
        query = " UNION ALL ".join(
            f"SELECT ?, count(*) FROM {quote_identifier(name)}" for name in chunk)
        counts.update((name, count) for name, count in session.fetch_all(query, chunk))
    sequences: tuple[SequenceVitals, ...] = ()
    has_sequences = session.fetch_all(SEQUENCE_TABLE_SQL)[0][0]
    if has_sequences:
        sequences = tuple(
            SequenceVitals(table=name, last_value=int(seq) if seq is not None else None)
            for name, seq in sorted(session.fetch_all(SEQUENCES_SQL), key=_by_name)
            if name in counts
        )
    migrations: tuple[MigrationsVitals, ...] = ()
    if PRISMA_MIGRATIONS_TABLE in counts:
        count, oldest, newest = session.fetch_all(MIGRATIONS_SQL)[0]
        migrations = (MigrationsVitals(rows=count, oldest_started_at=_iso(oldest),
                                       newest_started_at=_iso(newest)),)
    return VitalSigns(
        dialect="sqlite",
        read_at=datetime.now(UTC).isoformat(),
        tables=tuple(TableVitals(name=name, exact_rows=counts[name]) for name in names),
        sequences=sequences,
        migrations=migrations,
        exact_counts=True,
    )


def _by_name(row: tuple[Any, ...]) -> str:
    return str(row[0])


def _iso(value: Any) -> str | None:
    """Prisma keeps SQLite DateTime values as Unix milliseconds; other tools write text."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC).isoformat()
    return str(value)


__all__ = ["read_vitals"]
