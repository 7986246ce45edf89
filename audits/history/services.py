"""Migration history with each audit (issue 6): run the history check, store it, read it back.

On the audit-finished event, ``after_audit(run, expected)`` runs once the drift result is saved:
when the target has a migrations folder, the history check runs
(``audits.engine.history.check_history``, replayed on the shadow server of settings
``DRIFTWATCH_SHADOW_DATABASE_URL`` or, for a target on this machine, its own server; a temporary
file for SQLite) and its report is stored with the run, once. A history that cannot be checked
is recorded on the run (``HistoryCheck.error``) and never fails the drift audit, which is
already saved.

Like ``audits.targets.services`` for drift, this module is where history reports (engine
dataclasses) become rows; the pages read rows only.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.urls import reverse

from audits.core import conf, confinement
from audits.core.credentials import (
    TargetConfigError,
    connect_error_class,
    dsn_quietly,
    log_crash,
    scrub,
    target_dsn,
)
from audits.core.events import AuditFinished
from audits.core.incidents import open_incidents
from audits.core.models import AuditRun, Target
from audits.engine import model as engine_model
from audits.engine.errors import EngineError
from recovery import services as recovery_services
from recovery.models import EntryKind, prisma_checksum_variants
from recovery.postmortem import Section

from .models import MIGRATION_STATE_ORDER, HistoryCheck, MigrationRecord, ThreeWayRecord

log = logging.getLogger(__name__)

# the three-way verdicts, in the order the pages list them
VERDICTS: tuple[str, ...] = ("write_migration", "pending_migration", "migration_created_it_gone",
                             "changed_by_hand", "not_in_code")

LOGS_EXCERPT = 2000  # characters of a failed migration's logs kept per run
CACHE_FOLDER = "history-cache"


# -- running and storing ---------------------------------------------------------------------


def on_audit_finished(sender: Any, event: AuditFinished, **kwargs: Any) -> None:
    # Runs after every audit, changed or not: a `prisma migrate reset` that rebuilds the same
    # schema changes no finding, and noticing it is this check's job. It reuses the audit's
    # live read rather than reading the database again.
    after_audit(event.run, event.expected, event.actual)


def after_audit(run: AuditRun, expected: engine_model.Schema | None,
                live: engine_model.Schema | None = None) -> HistoryCheck | None:
    """Check and store the history of a saved run; never raises."""
    target = run.target
    if not target.migrations_path:
        return None
    try:
        return record_history(run, expected, live)
    except SoftTimeLimitExceeded:
        return _store_error_quietly(run, "the history check was stopped: the audit ran out "
                                         "of time")
    except Exception as exc:  # noqa: BLE001 — the drift audit is saved; history must not undo it
        shadow = str(getattr(settings, "DRIFTWATCH_SHADOW_DATABASE_URL", "") or "")
        log_crash(f"history check of run {run.pk} crashed", exc, dsn_quietly(target),
                  shadow or None)
        return _store_error_quietly(run, "internal error while checking the migration history")


def _store_error_quietly(run: AuditRun, message: str) -> HistoryCheck | None:
    try:
        return store_error(run, message)
    except Exception:  # noqa: BLE001 — e.g. the run already has its record; keep that one
        log.exception("could not record the history error of run %s", run.pk)
        return None


def record_history(run: AuditRun, expected: engine_model.Schema | None,
                   live: engine_model.Schema | None = None) -> HistoryCheck:
    """Check the run's target history and store the outcome (or its redacted error)."""
    target = run.target
    dsn: str | None = None
    shadow = ""
    try:
        dsn = target_dsn(target)
        shadow = str(getattr(settings, "DRIFTWATCH_SHADOW_DATABASE_URL", "") or "")
        report = _check(target, dsn, shadow, _code_side(target, expected), live)
    except (EngineError, TargetConfigError, OSError) as exc:
        message = confinement.stored_error(
            connect_error_class(scrub(scrub(str(exc), dsn), shadow or None)))
        return store_error(run, message or type(exc).__name__)
    return store_report(run, report)


def _code_side(target: Target, expected: engine_model.Schema | None) -> engine_model.Schema | None:
    # a baseline is a live snapshot, not the code: it says nothing about what the code needs
    if target.schema_source == Target.SchemaSource.BASELINE:
        return None
    return expected


def _check(target: Target, dsn: str, shadow: str, code: engine_model.Schema | None,
           live: engine_model.Schema | None = None) -> Any:
    from audits.engine.confine import Roots
    from audits.engine.history import TableIdentity, check_history, choose_shadow, read_folder

    # each file inside is checked too: a migration.sql may be a symlink out of the roots
    migrations = read_folder(confinement.confined(target.migrations_path, "migrations path"),
                             Roots.of(confinement.roots()))
    choice = choose_shadow(dsn, shadow)
    previous = previous_identity(target)
    return check_history(
        migrations, dsn, code=code, shadow_dsn=choice.dsn,
        allow_target_server=choice.allow_target_server,
        cache_dir=Path(settings.VAR_DIR) / CACHE_FOLDER,
        previous_identity=TableIdentity.from_dict(previous) if previous else None, live=live,
        connect_timeout_s=conf.connect_timeout(), statement_timeout_ms=conf.statement_timeout_ms(),
        lock_timeout_ms=conf.lock_timeout_ms(),
    )


def previous_identity(target: Target) -> dict[str, Any] | None:
    """The ``_prisma_migrations`` identity the last checked run saw (to notice a reset)."""
    check = (HistoryCheck.objects.filter(target=target, error="", table_present__isnull=False)
             .order_by("-checked_at", "-id").only("identity", "table_present").first())
    if check is None:
        return None
    if not check.table_present:
        return None  # no table then: a table now is a first migration, not a recreation
    return dict(check.identity) if check.identity else None


def store_report(run: AuditRun, report: Any) -> HistoryCheck:
    """Store one ``HistoryReport`` with its run, in one transaction."""
    from audits.engine.history.threeway import verdict_counts

    with transaction.atomic():
        check = HistoryCheck.objects.create(
            run=run, target_id=run.target_id, migrations_path=run.target.migrations_path,
            table_present=report.table_present, in_flight=report.in_flight,
            recreated=report.recreated,
            identity=report.identity.to_dict() if report.identity else None,
            fix_sql=report.fix_sql or "", replay_error=report.replay_error or "",
            replay_cached=report.replay_cached, folder_hash=report.folder_hash,
            state_counts=report.state_counts(),
            verdict_counts={k: n for k, n in verdict_counts(report.three_way).items() if n},
            timings=dict(report.timings),
        )
        MigrationRecord.objects.bulk_create(
            [migration_record(run, position, status)
             for position, status in enumerate(report.migrations)], batch_size=1000)
        ThreeWayRecord.objects.bulk_create(
            [three_way_record(run, position, row)
             for position, row in enumerate(report.three_way)], batch_size=1000)
    try:
        log_deployments(run, check)
    except Exception:  # noqa: BLE001 — the timeline is a courtesy; the record stands
        log.exception("could not log the deployments seen by run %s", run.pk)
    return check


APPLIED = ("applied", "edited", "marked_applied")


def log_deployments(run: AuditRun, check: HistoryCheck) -> int:
    """A "deploy" entry on each open incident of the target for each of its logged migrations
    newly seen applied there, dated when Prisma finished it: the timeline then says when each
    fix reached each database without anyone writing it down. Returns the entries written."""
    incidents = open_incidents(run.target)
    if not incidents:
        return 0
    previous = (HistoryCheck.objects.filter(target_id=run.target_id, error="")
                .exclude(pk=check.pk).order_by("-checked_at", "-id").only("run_id").first())
    before = set(MigrationRecord.objects.filter(run_id=previous.run_id, state__in=APPLIED)
                 .values_list("name", flat=True)) if previous else set()
    now = {record.name: record for record in MigrationRecord.objects.filter(
        run=run, state__in=APPLIED).only("name", "finished_at", "state")}
    url = reverse("audits:target_migrations", args=[run.target.slug]) + f"?run={run.pk}"
    written = 0
    for incident in incidents:
        for name in incident.migrations.values_list("name", flat=True):
            record = now.get(name)
            if record is None or name in before:
                continue
            recovery_services.log_step(
                incident, kind=EntryKind.DEPLOY, author=None,
                occurred_at=record.finished_at or check.checked_at,
                body=f"Migration `{name}` is applied on **{run.target.name}** "
                     f"(seen by [audit #{run.number}]({url})).")
            written += 1
    return written


def store_error(run: AuditRun, message: str) -> HistoryCheck:
    return HistoryCheck.objects.create(
        run=run, target_id=run.target_id, migrations_path=run.target.migrations_path,
        error=message[:4000],
    )


def migration_record(run: AuditRun, position: int, status: Any) -> MigrationRecord:
    state = str(status.state.value)
    absent = list(status.absent_objects)
    return MigrationRecord(
        run=run, position=position, name=status.name, state=state,
        state_rank=_state_rank(state), checksum_local=status.checksum_local or "",
        checksum_db=status.checksum_db or "",
        checksum_match=status.checksum_match.value if status.checksum_match else "",
        started_at=status.started_at, finished_at=status.finished_at,
        rolled_back_at=status.rolled_back_at, applied_steps_count=status.applied_steps_count,
        logs=(status.logs or "")[:LOGS_EXCERPT], absent_objects=absent,
        absent_count=len(absent),
    )


def _state_rank(state: str) -> int:
    return MIGRATION_STATE_ORDER.index(state) if state in MIGRATION_STATE_ORDER else 0


def three_way_record(run: AuditRun, position: int, row: Any) -> ThreeWayRecord:
    return ThreeWayRecord(
        run=run, position=position, object=row.object, kind=row.kind, schema=row.schema,
        table=row.table or "", model=row.model or "", in_code=row.in_code,
        in_history=row.in_history, in_database=row.in_database, verdict=row.verdict,
        migration=row.migration or "", finding=row.finding, message=row.message,
    )


# -- reading ---------------------------------------------------------------------------------


def latest_check(target: Target) -> HistoryCheck | None:
    """The history of the target's latest run that has one (errors included)."""
    return (HistoryCheck.objects.filter(target=target).select_related("run")
            .order_by("-checked_at", "-id").first())


def latest_good_check(target: Target) -> HistoryCheck | None:
    """The latest history that was checked without error (what the tables show)."""
    return (HistoryCheck.objects.filter(target=target, error="")
            .select_related("run")
            .order_by("-checked_at", "-id").first())


def migration_rows(check: HistoryCheck, state: str = "") -> list[MigrationRecord]:
    rows = MigrationRecord.objects.filter(run_id=check.run_id)
    if state:
        rows = rows.filter(state=state)
    return list(rows.order_by("position"))


def three_way_rows(check: HistoryCheck, verdict: str = "") -> list[ThreeWayRecord]:
    rows = ThreeWayRecord.objects.filter(run_id=check.run_id)
    if verdict:
        rows = rows.filter(verdict=verdict)
    return list(rows.order_by("position"))


def kinds_to_write(check: HistoryCheck) -> list[tuple[str, int]]:
    """How many tables, columns, enums... are in the code but in no migration (one query)."""
    rows = (ThreeWayRecord.objects.filter(run_id=check.run_id, verdict="write_migration")
            .values("kind").annotate(n=Count("id")).order_by("kind"))
    order = ("table", "column", "enum", "enum_value", "index", "unique", "foreign_key",
             "primary_key")
    counts = {row["kind"]: row["n"] for row in rows}
    return sorted(counts.items(), key=lambda item: order.index(item[0])
                  if item[0] in order else len(order))


@dataclass
class Group:
    """The three-way rows of one table (or enum), under its model's name."""

    title: str  # the model, else the table, else the enum
    table: str
    kind: str  # "table" or "enum"
    rows: list[ThreeWayRecord]
    sql: str = ""  # the fix migration's part for this group's "write a migration" rows


def grouped(rows: list[ThreeWayRecord], fix_sql: str = "") -> list[Group]:
    """Rows per model and table (enums apart), each with its part of the fix SQL."""
    groups: dict[tuple[str, str], Group] = {}
    for row in rows:
        if row.table:
            key = ("table", f"{row.schema}.{row.table}")
            title = row.model or row.table
        else:
            key = ("enum", f"{row.schema}.{row.object.split('.')[0]}")
            title = row.object.split(".")[0]
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(title=title, table=row.table, kind=key[0], rows=[])
        group.rows.append(row)
        if row.model and group.title == group.table:
            group.title = row.model
    sql = fix_sql_by_name(fix_sql)
    for group in groups.values():
        if any(row.verdict == "write_migration" for row in group.rows):
            group.sql = sql.get(group.table or group.title, "")
    # tables that exist but lack parts first (most rows first), then whole missing tables,
    # then enums: what a reader must act on column by column comes before the long tail
    return sorted(groups.values(), key=lambda g: (g.kind != "table", -len(g.rows)))


@dataclass
class Placement:
    """Where one incident migration stands on one target, from the target's latest history."""

    target: Target
    state: str  # a MigrationRecord state, or "not_applied" (absent from folder and table)
    applied_at: Any = None
    checksum_match: str = ""  # "match", "line_endings", "differs", "" (not recorded)
    run_id: int | None = None
    run_number: int | None = None  # the target's own audit number, what the pages call #N
    checked_at: Any = None
    error: str = ""  # the target has no usable history (never checked, or it failed)


def placements(migrations: list[Any], targets: list[Target]) -> dict[str, list[Placement]]:
    """For each incident migration (by name), where it is applied on each target.

    Three queries whatever the sizes: the latest good check per target, and the records of
    those runs for these names.
    """

    latest = _latest_good_checks([t.pk for t in targets])
    names = [m.name for m in migrations]
    records: dict[tuple[int, str], MigrationRecord] = {}
    for record in MigrationRecord.objects.filter(
            run_id__in=[c.run_id for c in latest.values()], name__in=names).only(
            "run_id", "name", "state", "checksum_db", "finished_at", "started_at"):
        records[(record.run_id, record.name)] = record
    result: dict[str, list[Placement]] = {}
    for migration in migrations:
        accepted = prisma_checksum_variants(migration.sql)
        result[migration.name] = [
            _placement(target, latest.get(target.pk), records, migration, accepted)
            for target in targets
        ]
    return result


def _latest_good_checks(target_ids: list[int]) -> dict[int, HistoryCheck]:
    newest = (HistoryCheck.objects.filter(target_id=OuterRef("target_id"), error="")
              .order_by("-checked_at", "-id").values("id")[:1])
    checks = (HistoryCheck.objects.filter(target_id__in=target_ids, error="")
              .filter(id=Subquery(newest)).select_related("run")
              .only("id", "target_id", "run_id", "checked_at", "run__number"))
    return {check.target_id: check for check in checks}


def _placement(target: Target, check: HistoryCheck | None,
               records: dict[tuple[int, str], MigrationRecord], migration: Any,
               accepted: set[str]) -> Placement:
    if check is None:
        return Placement(target=target, state="", error="no migration history recorded yet")
    record = records.get((check.run_id, migration.name))
    if record is None:
        return Placement(target=target, state="not_applied", run_id=check.run_id,
                         run_number=check.run.number, checked_at=check.checked_at)
    match = ""
    if record.checksum_db:
        if record.checksum_db == migration.checksum:
            match = "match"
        elif record.checksum_db in accepted:
            match = "line_endings"
        else:
            match = "differs"
    return Placement(target=target, state=record.state,
                     applied_at=record.finished_at or record.started_at, checksum_match=match,
                     run_id=check.run_id, run_number=check.run.number,
                     checked_at=check.checked_at)


def state_counts_of(check: HistoryCheck) -> dict[str, int]:
    """Counts per state, stored with the check (no query)."""
    return {state: int(check.state_counts.get(state, 0)) for state in MIGRATION_STATE_ORDER}


_SQL_TARGET = re.compile(r'(?:TABLE|ON|TYPE)\s+(?:"[^"]+"\.)?"([^"]+)"')


def fix_sql_by_name(fix_sql: str) -> dict[str, str]:
    """The fix migration's blocks per table or enum name, so each group shows its own SQL."""
    blocks: dict[str, list[str]] = {}
    for block in re.split(r"\n\s*\n", fix_sql or ""):
        statement = "\n".join(line for line in block.strip().splitlines()
                              if not line.startswith("--"))
        match = _SQL_TARGET.search(statement)
        if match:
            blocks.setdefault(match.group(1), []).append(block.strip())
    return {name: "\n\n".join(parts) for name, parts in blocks.items()}


# -- the post-mortem ---------------------------------------------------------------------------


def deployment_section(incident: Any) -> Any:
    """Post-mortem "Deployment status": each logged migration on each linked target."""

    # by name (Migration's ordering); the post-mortem's page has them loaded already
    migrations = list(incident.migrations.all())
    targets = list(Target.objects.filter(incidents=incident).only("id", "name", "slug")
                   .order_by("name"))
    if not migrations or not targets:
        return None
    placed = placements(migrations, targets)
    lines = ["| Migration | " + " | ".join(_md(t.name) for t in targets) + " |",
             "|---|" + "---|" * len(targets)]
    for migration in migrations:
        cells = [_deployment_cell(p) for p in placed[migration.name]]
        lines.append(f"| `{migration.name}` | " + " | ".join(cells) + " |")
    lines += ["", "_From each database's latest audit that recorded its migration history "
              "(`_prisma_migrations`), not from a hand-kept list._"]
    return Section("Deployment status", "\n".join(lines))


_CELL_WORDS = {"applied": "applied", "edited": "applied, edited since",
               "marked_applied": "marked applied", "failed": "failed",
               "rolled_back": "rolled back", "pending": "pending",
               "unknown": "applied (not in the folder)", "not_applied": "not applied"}


def _deployment_cell(place: Placement) -> str:
    if place.error:
        return "not checked"
    words = _CELL_WORDS.get(place.state, place.state)
    if place.applied_at:
        words += f" {place.applied_at:%Y-%m-%d %H:%M}"
    if place.checksum_match == "differs":
        words += " (checksum differs)"
    return _md(words)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
