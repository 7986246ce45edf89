"""Migration history: a Prisma migrations folder, the target's ``_prisma_migrations``, and the
three-way comparison of code, history and database.

- ``folder``: ``read_folder(path) -> MigrationsFolder`` (Prisma's order, checksums, content hash);
- ``replay``: ``replay(folder, shadow_dsn, ...) -> Replay`` (the schema the history builds,
  attributed step by step, cached);
- ``applied``: ``read_target(dsn) -> TargetMigrations``, ``migration_states(folder, target)``;
- ``threeway``: ``three_way(code, history, applied, database, ...) -> ThreeWay``;
- ``check``: ``check_history(...) -> HistoryReport``, the one call the CLI and tasks use.
"""

from __future__ import annotations

from audits.engine.history.applied import (
    APPLIED_STATES,
    MigrationRow,
    MigrationStatus,
    State,
    TableIdentity,
    TargetMigrations,
    migration_states,
    read_target,
    recreated,
)
from audits.engine.history.check import HistoryReport, check_history
from audits.engine.history.folder import (
    ChecksumMatch,
    Migration,
    MigrationsFolder,
    checksum_match,
    prisma_checksum,
    read_folder,
)
from audits.engine.history.replay import (
    Replay,
    ShadowChoice,
    choose_shadow,
    clear_memory_cache,
    replay,
)
from audits.engine.history.threeway import VERDICTS, ThreeWay, ThreeWayRow, three_way

__all__ = [
    "APPLIED_STATES",
    "ChecksumMatch",
    "HistoryReport",
    "Migration",
    "MigrationRow",
    "MigrationStatus",
    "MigrationsFolder",
    "Replay",
    "ShadowChoice",
    "State",
    "TableIdentity",
    "TargetMigrations",
    "ThreeWay",
    "ThreeWayRow",
    "VERDICTS",
    "check_history",
    "checksum_match",
    "choose_shadow",
    "clear_memory_cache",
    "migration_states",
    "prisma_checksum",
    "read_folder",
    "read_target",
    "recreated",
    "replay",
    "three_way",
]
