"""The target's ``_prisma_migrations``, read-only, and one state per migration.

States (one per migration name, folder and table merged in Prisma's name order):

- ``applied``: finished, not rolled back, checksum matches (a CRLF/LF variant counts, as in Prisma);
- ``edited``: applied, but migration.sql changed since (the checksum differs beyond line endings);
- ``marked_applied``: ``prisma migrate resolve --applied``: started_at = finished_at, no steps;
- ``failed``: finished_at and rolled_back_at both null (``logs`` says why);
- ``rolled_back``: ``migrate resolve --rolled-back`` (Prisma applies it again next deploy);
- ``pending``: in the folder only;
- ``unknown``: in the table only (the folder lost it, or it came from another branch).

A name may have several rows (failed, rolled back, then applied again): a finished row wins,
then a failed one, then a rolled-back one; within a kind the latest ``started_at`` wins.

Target-level facts: whether the table exists (no table: never migrated, or reset); whether a
migration is in flight (Prisma holds advisory lock 72707369 while it migrates; a bigint key
shows in ``pg_locks`` as classid = high 32 bits, objid = low 32 bits, objsubid = 1); and the
table's identity (its oid and oldest ``started_at``), which a caller keeps between audits to
notice a table that was dropped and recreated (a reset) in between.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from audits.engine.connect import POSTGRESQL, dialect_of, readonly_postgres, readonly_sqlite
from audits.engine.history.folder import ChecksumMatch, MigrationsFolder

PRISMA_MIGRATIONS = "_prisma_migrations"
PRISMA_LOCK_KEY = 72707369


class State(StrEnum):
    APPLIED = "applied"
    EDITED = "edited"
    MARKED_APPLIED = "marked_applied"
    FAILED = "failed"
    ROLLED_BACK = "rolled_back"
    PENDING = "pending"
    UNKNOWN = "unknown"


# States whose migration the database is meant to contain (replayed as "the applied history").
APPLIED_STATES = frozenset({State.APPLIED, State.EDITED, State.MARKED_APPLIED})


@dataclass(frozen=True)
class MigrationRow:
    """One row of ``_prisma_migrations`` as Prisma writes it."""

    id: str
    checksum: str
    migration_name: str
    started_at: datetime | None
    finished_at: datetime | None = None
    rolled_back_at: datetime | None = None
    logs: str | None = None
    applied_steps_count: int = 0

    @property
    def finished(self) -> bool:
        return self.finished_at is not None and self.rolled_back_at is None

    @property
    def failed(self) -> bool:
        return self.finished_at is None and self.rolled_back_at is None


@dataclass(frozen=True)
class TableIdentity:
    """What tells one ``_prisma_migrations`` table from a recreated one."""

    oid: int | None
    oldest_started_at: str | None  # ISO 8601

    def to_dict(self) -> dict[str, Any]:
        return {"oid": self.oid, "oldest_started_at": self.oldest_started_at}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TableIdentity:
        return cls(oid=data.get("oid"), oldest_started_at=data.get("oldest_started_at"))


@dataclass(frozen=True)
class TargetMigrations:
    """What the target says about its migrations, read in one read-only session."""

    table_present: bool
    in_flight: bool
    rows: tuple[MigrationRow, ...] = ()
    identity: TableIdentity | None = None


@dataclass(frozen=True)
class MigrationStatus:
    name: str
    state: State
    checksum_local: str | None
    checksum_db: str | None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    rolled_back_at: datetime | None = None
    logs: str | None = None
    applied_steps_count: int | None = None
    checksum_match: ChecksumMatch | None = None  # None when one side is missing
    absent_objects: tuple[str, ...] = ()  # objects it created that the database lacks

    @property
    def in_database(self) -> bool:
        return self.state in APPLIED_STATES

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state.value,
            "checksum_local": self.checksum_local,
            "checksum_db": self.checksum_db,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "absent_objects": list(self.absent_objects),
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- reading the target ---------------------------------------------------------------------

_PG_TABLE = "SELECT to_regclass(%(name)s)::oid::bigint"
_PG_ROWS = (
    'SELECT id, checksum, migration_name, started_at, finished_at, rolled_back_at, logs, '
    'applied_steps_count FROM {table} ORDER BY started_at, migration_name'
)
_PG_LOCK = (
    "SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND granted"
    " AND classid = %(high)s AND objid = %(low)s AND objsubid = 1"
    " AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())"
)


def read_target(dsn: str, *, namespace: str = "public", **timeouts: Any) -> TargetMigrations:
    """Read ``_prisma_migrations`` and Prisma's lock through a read-only session."""
    if dialect_of(dsn) == POSTGRESQL:
        return _read_postgres(dsn, namespace, timeouts)
    return _read_sqlite(dsn, timeouts)


def _read_postgres(dsn: str, namespace: str, timeouts: dict[str, Any]) -> TargetMigrations:
    qualified = f'"{namespace}"."{PRISMA_MIGRATIONS}"'
    with readonly_postgres(dsn, **timeouts) as session:
        lock = session.fetch_one(_PG_LOCK, {"high": PRISMA_LOCK_KEY >> 32,
                                            "low": PRISMA_LOCK_KEY & 0xFFFFFFFF})
        in_flight = bool(lock and lock[0])
        found = session.fetch_one(_PG_TABLE, {"name": qualified})
        oid = found[0] if found else None
        if oid is None:
            return TargetMigrations(table_present=False, in_flight=in_flight)
        rows = tuple(_row(values) for values in session.fetch_all(
            _PG_ROWS.format(table=qualified)))
    return TargetMigrations(table_present=True, in_flight=in_flight, rows=rows,
                            identity=_identity(int(oid), rows))


def _read_sqlite(dsn: str, timeouts: dict[str, Any]) -> TargetMigrations:
    allowed = {k: v for k, v in timeouts.items() if k in ("statement_timeout_ms",
                                                          "lock_timeout_ms")}
    with readonly_sqlite(dsn, **allowed) as session:
        found = session.fetch_all(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?",
            (PRISMA_MIGRATIONS,))
        if not found:
            return TargetMigrations(table_present=False, in_flight=False)
        rows = tuple(_row(values) for values in session.fetch_all(
            _PG_ROWS.format(table=f'"{PRISMA_MIGRATIONS}"')))
    # SQLite has no advisory locks: Prisma takes none there, so nothing can be seen in flight
    return TargetMigrations(table_present=True, in_flight=False, rows=rows,
                            identity=_identity(int(found[0][0]), rows))


def _row(values: Sequence[Any]) -> MigrationRow:
    ident, checksum, name, started, finished, rolled_back, logs, steps = values
    return MigrationRow(id=str(ident), checksum=str(checksum or ""), migration_name=str(name),
                        started_at=_when(started), finished_at=_when(finished),
                        rolled_back_at=_when(rolled_back), logs=logs,
                        applied_steps_count=int(steps or 0))


def _when(value: Any) -> datetime | None:
    """A timestamp as an aware datetime; SQLite holds Prisma's as Unix milliseconds or text."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    text = str(value).strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    parsed = datetime.fromisoformat(text.replace(" ", "T"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _identity(oid: int, rows: Sequence[MigrationRow]) -> TableIdentity:
    starts = [row.started_at for row in rows if row.started_at is not None]
    return TableIdentity(oid=oid, oldest_started_at=_iso(min(starts)) if starts else None)


def recreated(previous: TableIdentity | None, current: TargetMigrations) -> bool:
    """Whether the table is not the one a previous reading saw (dropped and recreated)."""
    if previous is None:
        return False
    if current.identity is None:
        return True  # it was there and is gone: dropped (a reset, or a restore without it)
    if previous.oid is not None and previous.oid != current.identity.oid:
        return True
    return previous.oldest_started_at is not None \
        and previous.oldest_started_at != current.identity.oldest_started_at


# --- states ---------------------------------------------------------------------------------


def migration_states(folder: MigrationsFolder, target: TargetMigrations) -> list[MigrationStatus]:
    """One status per migration name, in Prisma's order (byte order of names)."""
    by_name: dict[str, list[MigrationRow]] = {}
    for row in target.rows:
        by_name.setdefault(row.migration_name, []).append(row)
    names = set(folder.names) | set(by_name)
    statuses = []
    for name in sorted(names, key=lambda n: n.encode("utf-8", errors="surrogateescape")):
        statuses.append(_status(name, folder, by_name.get(name, [])))
    return statuses


def _status(name: str, folder: MigrationsFolder, rows: list[MigrationRow]) -> MigrationStatus:
    local = folder.get(name)
    checksum_local = local.checksum if local else None
    row = _deciding_row(rows)
    if row is None:
        return MigrationStatus(name=name, state=State.PENDING, checksum_local=checksum_local,
                               checksum_db=None)
    match = local.matches(row.checksum) if local else None
    return MigrationStatus(
        name=name, state=_state(row, local is not None, match), checksum_local=checksum_local,
        checksum_db=row.checksum, started_at=row.started_at, finished_at=row.finished_at,
        rolled_back_at=row.rolled_back_at, logs=row.logs,
        applied_steps_count=row.applied_steps_count, checksum_match=match)


def _deciding_row(rows: list[MigrationRow]) -> MigrationRow | None:
    for wanted in (lambda r: r.finished, lambda r: r.failed, lambda r: True):
        chosen = [row for row in rows if wanted(row)]
        if chosen:
            return max(chosen, key=lambda r: r.started_at or datetime.min.replace(tzinfo=UTC))
    return None


def _state(row: MigrationRow, in_folder: bool, match: ChecksumMatch | None) -> State:
    if not in_folder:
        return State.UNKNOWN
    if row.failed:
        return State.FAILED
    if not row.finished:
        return State.ROLLED_BACK
    if match == ChecksumMatch.NONE:
        return State.EDITED
    if row.applied_steps_count == 0 and row.started_at == row.finished_at:
        return State.MARKED_APPLIED
    return State.APPLIED


__all__ = [
    "APPLIED_STATES",
    "MigrationRow",
    "MigrationStatus",
    "PRISMA_LOCK_KEY",
    "PRISMA_MIGRATIONS",
    "State",
    "TableIdentity",
    "TargetMigrations",
    "migration_states",
    "read_target",
    "recreated",
]
