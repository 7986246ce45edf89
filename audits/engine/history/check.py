"""One call for a history audit: folder + target (+ schema.prisma) -> ``HistoryReport``.

The CLI (``manage.py history``), the Celery tasks and the tests come through ``check_history``.
It reads the folder, reads ``_prisma_migrations`` read-only, replays the folder step by step on
the shadow server (cached by content hash), replays the applied part when it differs, introspects
the target read-only, and classifies every difference three ways.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from audits.engine.history.applied import (
    APPLIED_STATES,
    MigrationStatus,
    TableIdentity,
    migration_states,
    read_target,
    recreated,
)
from audits.engine.history.folder import MigrationsFolder, read_folder
from audits.engine.history.replay import Replay, replay
from audits.engine.history.threeway import ThreeWay, ThreeWayRow, three_way
from audits.engine.introspect import introspect
from audits.engine.model import Schema, from_plain, to_plain


@dataclass(frozen=True)
class HistoryReport:
    table_present: bool
    in_flight: bool
    migrations: tuple[MigrationStatus, ...]
    three_way: tuple[ThreeWayRow, ...]
    recreated: bool = False  # the table is not the one ``previous_identity`` described
    identity: TableIdentity | None = None  # keep it, pass it back next time
    fix_sql: str | None = None  # the migration to write for the ``write_migration`` rows
    folder_hash: str = ""
    replay_cached: bool = False
    # a migration that fails on an empty database ("migration M fails at line N ..."): the
    # history is then compared as built up to it
    replay_error: str | None = None
    # milliseconds: {"read_target": .., "replay": .., "introspect": .., "compare": ..}
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON shape, exactly."""
        return {
            "table_present": self.table_present,
            "in_flight": self.in_flight,
            "migrations": [status.to_dict() for status in self.migrations],
            "three_way": [row.to_dict() for row in self.three_way],
        }

    def state_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for status in self.migrations:
            counts[status.state.value] = counts.get(status.state.value, 0) + 1
        return counts

    def migration(self, name: str) -> MigrationStatus | None:
        """Where one migration stands on this target (the incident page's "applied where")."""
        for status in self.migrations:
            if status.name == name:
                return status
        return None

    def by_table(self) -> dict[str, list[ThreeWayRow]]:
        """The three-way rows per table (enums under their own name), for the per-table view."""
        return ThreeWay(rows=self.three_way, fix_sql=self.fix_sql).by_table()

    def to_record(self) -> dict[str, Any]:
        """Everything, JSON-safe, for storing with an audit run (``from_record`` reads it back)."""
        return {
            "version": RECORD_VERSION,
            "table_present": self.table_present,
            "in_flight": self.in_flight,
            "recreated": self.recreated,
            "identity": self.identity.to_dict() if self.identity else None,
            "fix_sql": self.fix_sql,
            "folder_hash": self.folder_hash,
            "replay_cached": self.replay_cached,
            "replay_error": self.replay_error,
            "timings": dict(self.timings),
            "migrations": [_status_record(status) for status in self.migrations],
            "three_way": [to_plain(row) for row in self.three_way],
        }

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> HistoryReport:
        identity = data.get("identity")
        return cls(
            table_present=bool(data["table_present"]),
            in_flight=bool(data["in_flight"]),
            migrations=tuple(_status_from_record(item) for item in data["migrations"]),
            three_way=tuple(from_plain(ThreeWayRow, item) for item in data["three_way"]),
            recreated=bool(data.get("recreated", False)),
            identity=TableIdentity.from_dict(identity) if identity else None,
            fix_sql=data.get("fix_sql"),
            folder_hash=str(data.get("folder_hash", "")),
            replay_cached=bool(data.get("replay_cached", False)),
            replay_error=data.get("replay_error"),
            timings=dict(data.get("timings") or {}),
        )


RECORD_VERSION = 1
_TIMES = ("started_at", "finished_at", "rolled_back_at")


def _status_record(status: MigrationStatus) -> dict[str, Any]:
    record = to_plain(status)
    for name in _TIMES:
        value = getattr(status, name)
        record[name] = value.isoformat() if value is not None else None
    return dict(record)


def _status_from_record(data: dict[str, Any]) -> MigrationStatus:
    status = from_plain(MigrationStatus, data)
    return replace(status, started_at=_time(data.get("started_at")),
                   finished_at=_time(data.get("finished_at")),
                   rolled_back_at=_time(data.get("rolled_back_at")))


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def check_history(
    migrations: str | Path | MigrationsFolder,
    database_url: str,
    *,
    code: Schema | None = None,
    shadow_dsn: str | None = None,
    cache_dir: str | Path | None = None,
    allow_target_server: bool = False,
    previous_identity: TableIdentity | None = None,
    live: Schema | None = None,
    **timeouts: Any,
) -> HistoryReport:
    """The whole history audit. ``code`` is the lowered schema.prisma (None: no code side).
    ``live``: the database as the drift audit just read it (of the same namespaces), so it
    is not read twice.

    ``timeouts`` go to the read-only target connections (``connect_timeout_s``,
    ``statement_timeout_ms``, ``lock_timeout_ms``). Raises HistoryError, TargetError.
    """
    folder = migrations if isinstance(migrations, MigrationsFolder) else read_folder(migrations)
    namespaces = tuple(code.namespaces) if code is not None else ("public",)
    clock = _Clock()
    target = read_target(database_url, namespace=namespaces[0], **timeouts)
    statuses = migration_states(folder, target)
    clock.lap("read_target")
    applied_names = [s.name for s in statuses
                     if s.state in APPLIED_STATES and folder.get(s.name) is not None]
    options: dict[str, Any] = {"namespaces": namespaces, "step_by_step": True,
                               "cache_dir": cache_dir, "target_dsn": database_url,
                               "allow_target_server": allow_target_server,
                               "shadow_dsn": shadow_dsn, "keep_going": True}
    if list(applied_names) == list(folder.names):
        whole = applied = replay(folder, **options)
    elif list(folder.names[:len(applied_names)]) == list(applied_names):
        # the applied migrations are a prefix of the folder: replayed first, the whole folder
        # starts from their template database and runs only the pending ones
        applied = replay(folder, names=applied_names, **options)
        whole = replay(folder, **options)
    else:
        whole = replay(folder, **options)
        applied = replay(folder, names=applied_names, **options)
    clock.lap("replay")
    database = live if live is not None and tuple(live.namespaces) == namespaces \
        else introspect(database_url, namespaces, **timeouts)
    clock.lap("introspect")
    result = three_way(code, whole.schema, applied.schema, database,
                       history_owners=whole.attribution or {},
                       applied_owners=applied.attribution or {})
    clock.lap("compare")
    return HistoryReport(
        table_present=target.table_present,
        in_flight=target.in_flight,
        migrations=_with_absent(statuses, result),
        three_way=result.rows,
        recreated=recreated(previous_identity, target),
        identity=target.identity,
        fix_sql=result.fix_sql,
        folder_hash=folder.content_hash,
        replay_cached=whole.cached and applied.cached,
        replay_error=whole.error or applied.error,
        timings=clock.laps,
    )


def _with_absent(statuses: Sequence[MigrationStatus],
                 result: ThreeWay) -> tuple[MigrationStatus, ...]:
    absent = result.absent_by_migration()
    return tuple(replace(s, absent_objects=tuple(absent.get(s.name, ()))) for s in statuses)


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round((now - self._last) * 1000, 3)
        self._last = now


__all__ = ["HistoryReport", "RECORD_VERSION", "Replay", "check_history"]
