"""The drift feature's writes: targets, their schema versions, and audit runs from queueing to
the stored result.

Views, tasks and commands call these functions; they never touch the engine directly. Work is
claimed with conditional UPDATEs so that two workers, a retried message or a sweep racing a
slow audit can never both act on the same run. When a run's result is stored, the audit-finished
event (``audits.core.events``) tells the features that react to it; this module calls none.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from audits.core import conf, confinement, queueing, snapshots
from audits.core.credentials import (
    TargetConfigError,
    check_env_var,
    check_target_location,
    checked_env_dsn,
    connect_error_class,
    dialect_for,
    dialect_of_env,
    log_crash,
    scrub,
    target_dsn,
)
from audits.core.events import AuditFinished, announce
from audits.core.models import (
    TREND_LENGTH,
    AuditRun,
    Finding,
    ModelStatus,
    SchemaSnapshot,
    SchemaVersion,
    Target,
    content_hash,
)
from audits.core.records import (
    finding_row,
    findings_of,
    report_from_run,
    result_digest,
    status_rows,
    statuses_of,
    worst_status_of,
)
from audits.core.svg import trend_strip
from audits.engine import model as engine_model
from audits.engine.errors import EngineError, TargetError
from audits.engine.vitals.model import VitalSigns

log = logging.getLogger(__name__)

STALE_MESSAGE = "the worker running this audit stopped (killed or lost) before finishing"
LOST_MESSAGE = "the audit waited in the queue too long: no worker picked it up (message lost?)"
Schema = engine_model.Schema
RUN_AUDIT_TASK = "audits.run_audit"


# -- targets and schema versions ---------------------------------------------------------------


@sensitive_variables("dsn")
def create_target(
    *,
    name: str,
    slug: str,
    dsn: str = "",
    dsn_env_var: str = "",
    schema_files: dict[str, str] | None = None,
    schema_path: str = "",
    namespaces: Iterable[str] = (),
    interval_minutes: int = 60,
    user: Any = None,
    **extra: Any,
) -> Target:
    """Create a target and, when given, its first schema version."""
    if not dsn and not dsn_env_var:
        raise TargetConfigError("give a database URL or the name of a variable holding it")
    dialect = dialect_for(dsn) if dsn else dialect_of_env(dsn_env_var)
    with transaction.atomic():
        target = Target(
            name=name, slug=slug, dialect=extra.pop("dialect", dialect),
            namespaces=list(namespaces), interval_minutes=interval_minutes,
            schema_path=schema_path, **extra,
        )
        check_target_paths(target)
        if dsn:
            check_target_location(dsn)
        if schema_path:
            target.schema_source = Target.SchemaSource.PATH
        if dsn:
            target.set_dsn(dsn)
        else:
            target.set_dsn_env_var(dsn_env_var)
        target.next_due_at = timezone.now()
        target.save()
        if schema_files:
            add_schema_version(target, schema_files, user=user)
    return target


def add_schema_version(
    target: Target, files: dict[str, str], *, user: Any = None, label: str = ""
) -> SchemaVersion:
    """Store an uploaded schema (deduplicated by content hash) and make it the current one."""
    if not files:
        raise TargetConfigError("the upload holds no .prisma file")
    digest = content_hash(files)
    version, _ = SchemaVersion.objects.get_or_create(
        target=target, content_hash=digest,
        defaults={"content": files, "uploaded_by": user if _is_user(user) else None,
                  "label": label or ", ".join(sorted(files))},
    )
    Target.objects.filter(pk=target.pk).update(
        current_schema=version, schema_source=Target.SchemaSource.VERSIONS
    )
    target.current_schema = version
    target.schema_source = Target.SchemaSource.VERSIONS
    return version


def _is_user(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


MAX_SCHEMA_ERRORS_SHOWN = 20


def schema_problems(files: dict[str, str]) -> list[str]:
    """Every error Prisma would report for the uploaded schema ("file:line:column: message"),
    at most ``MAX_SCHEMA_ERRORS_SHOWN`` and a count of the rest; empty when Prisma accepts it.
    A schema Prisma refuses would only give findings about a schema that cannot exist."""
    from audits.engine.prisma.validate import validate_files

    errors = [str(error) for error in validate_files(files).errors]
    if len(errors) > MAX_SCHEMA_ERRORS_SHOWN:
        rest = len(errors) - MAX_SCHEMA_ERRORS_SHOWN
        errors = errors[:MAX_SCHEMA_ERRORS_SHOWN] + [f"… and {rest} more errors."]
    return errors


def read_schema_files(path: str | Path, *, confine: bool = True) -> dict[str, str]:
    """A schema.prisma file, or every .prisma file under a folder, as {relative name: text}.

    Each file is read as capped UTF-8 text (confinement.read_text); with `confine` (a target's
    stored path) the path and every file in it must lie under DRIFTWATCH_PATH_ROOTS. Without it
    (`targets add --schema FILE`, read once from the operator's shell) the caps still hold.
    """
    root = Path(confinement.confined(path, "schema path")) if confine else Path(path)
    limit = conf.max_file_bytes()
    if root.is_file():
        return {root.name: confinement.read_text(root, "schema file", confine=confine)}
    if root.is_dir():
        files: dict[str, str] = {}
        total = 0
        for item in sorted(root.rglob("*.prisma")):
            text = confinement.read_text(item, "schema file", confine=confine)
            total += len(text)
            if total > limit:
                raise TargetConfigError(f"the .prisma files under {root} hold more than "
                                        f"{limit:,} bytes")
            files[str(item.relative_to(root))] = text
        if files:
            return files
        raise TargetConfigError(f"no .prisma file under {root}")
    raise TargetConfigError(f"the schema path {root} does not exist")


def check_target_paths(target: Target) -> None:
    """Every path the target names lies under DRIFTWATCH_PATH_ROOTS (TargetConfigError if not)."""
    for field, what in confinement.WHAT.items():
        value = getattr(target, field)
        if value:
            confinement.confined(value, what)


def set_baseline(target: Target, run: AuditRun) -> Target:
    """Audit this target from now on against the live snapshot of a known-good run."""
    if run.target_id != target.pk:
        raise TargetConfigError("the baseline run belongs to another target")
    if run.status != AuditRun.State.SUCCEEDED or run.live_snapshot_id is None:
        raise TargetConfigError("only a succeeded audit with a live snapshot can be a baseline")
    Target.objects.filter(pk=target.pk).update(
        baseline_run=run, schema_source=Target.SchemaSource.BASELINE
    )
    target.baseline_run = run
    target.schema_source = Target.SchemaSource.BASELINE
    return target


def expected_for(target: Target) -> tuple[Schema, SchemaVersion | None]:
    """The schema the target should have, and the stored version it came from (if any)."""
    from audits.engine.audit import expected_schema_cached

    source = target.schema_source
    if source == Target.SchemaSource.BASELINE:
        # one read; the snapshot's text only if this process has not rebuilt that schema yet
        snapshot = (SchemaSnapshot.objects.defer("schema_json").filter(
            pk=Subquery(AuditRun.objects.filter(pk=target.baseline_run_id)
                        .values("live_snapshot_id")[:1])).first()
            if target.baseline_run_id else None)
        if snapshot is None:
            raise TargetConfigError("baseline mode is on but no baseline audit is chosen")
        return snapshots.schema_of(snapshot), None
    if source == Target.SchemaSource.PATH:
        if not target.schema_path:
            raise TargetConfigError("the target has no schema path")
        files = read_schema_files(target.schema_path)
        version, _ = SchemaVersion.objects.get_or_create(
            target=target, content_hash=content_hash(files),
            defaults={"content": files, "label": target.schema_path},
        )
    else:
        version = target.current_schema
        if version is None:
            raise TargetConfigError("no schema.prisma has been uploaded for this target")
    # parsed and lowered once per distinct content in this process: a periodic audit of an
    # unchanged schema does not even load the text (execute_audit defers it)
    chosen = version
    key = f"schema-version:{version.content_hash}"
    expected = expected_schema_cached(key, lambda: dict(chosen.content))
    if target.namespaces:
        # remembered too: one shared object per content is what lets each audit reuse its
        # serialization (snapshots.snapshot_text) instead of redoing it
        parsed, namespaces = expected, tuple(target.namespaces)
        expected = expected_schema_cached(
            f"{key}:namespaces:{json.dumps(namespaces)}",
            lambda: dataclasses.replace(parsed, namespaces=namespaces))
    return expected, version


# -- requesting and executing audits -------------------------------------------------------------


def active_run(target: Target) -> AuditRun | None:
    return (
        AuditRun.objects.filter(target=target, status__in=["queued", "running"])
        .first()
    )


def request_audit(
    target: Target, requested_by: Any = None, *, trigger: str = "manual", enqueue: bool = True
) -> AuditRun:
    """Queue one audit of the target, or return the one already queued or running."""
    user = requested_by if _is_user(requested_by) else None
    run, created = queueing.queue_once(
        lambda: active_run(target),
        lambda: AuditRun.objects.create(target=target, trigger=trigger, requested_by=user),
    )
    if created and enqueue:
        queueing.send_on_commit(run, _enqueue)
    return run


def _enqueue(run_id: int) -> None:
    queueing.send(RUN_AUDIT_TASK, run_id, what="audit",
                  fail=lambda pk, reason: fail_run(pk, reason, from_states=("queued",)))


def claim_run(run_id: int) -> bool:
    """queued -> running, by exactly one worker."""
    return queueing.claim(AuditRun, run_id)


def execute_audit(run_id: int) -> AuditRun | None:
    """Run a queued audit to its end; returns None when another worker already has it.
    While it runs, the run's heartbeat tells the sweep that this worker is alive."""
    if not claim_run(run_id):
        return None
    with queueing.heartbeat(AuditRun, run_id):
        return _execute_claimed(run_id)


@sensitive_variables("dsn")
def _execute_claimed(run_id: int) -> AuditRun:
    # The baseline run is not joined: only baseline mode needs it (two small reads then), and
    # its columns made compiling this query cost twice as much on every audit. The trend
    # comes along: storing the result then updates the target without reading it again.
    run = (AuditRun.objects.select_related("target", "target__current_schema")
           .defer("target__current_schema__content", "target__trend_svg")
           .get(pk=run_id))
    target = run.target
    dsn: str | None = None
    started = time.monotonic()
    try:
        expected, version = expected_for(target)
        dsn = target_dsn(target)
        result = _audit(expected, dsn, exact_row_counts=target.exact_row_counts)
        return _save_success(run, version, expected, result, started)
    except (EngineError, TargetConfigError) as exc:
        # TargetError: the database itself could not be read; the target shows "unreachable".
        fail_run(run_id, confinement.stored_error(connect_error_class(scrub(str(exc), dsn))),
                 started=started, unreachable=isinstance(exc, TargetError))
    except SoftTimeLimitExceeded:
        fail_run(run_id, f"the audit took longer than {conf.audit_soft_time_limit()} s "
                         "and was stopped", started=started)
    except Exception as exc:  # noqa: BLE001 — a bug must still end the run, not strand it
        log_crash(f"audit run {run_id} crashed", exc, dsn)
        fail_run(run_id, confinement.stored_error(
            scrub(f"internal error: {type(exc).__name__}: {exc}", dsn)), started=started)
    return AuditRun.objects.get(pk=run_id)


def _audit(expected: Schema, dsn: str, *, exact_row_counts: bool = False) -> Any:
    from audits.engine.audit import audit_database
    from audits.engine.vitals import VitalsRequest

    # The vital signs come in the same read-only session: a handful of catalog statements.
    # A live schema compared with this expected one lately is not compared again.
    return audit_database(
        expected, dsn, vitals=VitalsRequest(exact_counts=exact_row_counts), remember=True,
        connect_timeout_s=conf.connect_timeout(),
        statement_timeout_ms=conf.statement_timeout_ms(),
        lock_timeout_ms=conf.lock_timeout_ms(),
    )


def _elapsed_ms(started: float | None, run: AuditRun | None = None) -> int | None:
    if started is not None:
        return int((time.monotonic() - started) * 1000)
    if run is not None and run.started_at:
        return int((timezone.now() - run.started_at).total_seconds() * 1000)
    return None


def fail_run(
    run_id: int, reason: str, *, started: float | None = None,
    from_states: tuple[str, ...] = ("running",), unreachable: bool = False,
) -> bool:
    """Mark a run failed unless it already finished; the reason must already be redacted.
    ``unreachable``: it failed because the database could not be read."""
    run = AuditRun.objects.filter(pk=run_id).only("started_at").first()
    now = timezone.now()
    updated = AuditRun.objects.filter(pk=run_id, status__in=from_states).update(
        status=AuditRun.State.FAILED, finished_at=now, error=reason[:4000],
        duration_ms=_elapsed_ms(started, run), unreachable=unreachable,
    )
    if updated:
        failed = AuditRun.objects.only("target_id", "number", "status", "worst_status",
                                       "finished_at",
                                       "duration_ms").get(pk=run_id)
        with transaction.atomic():
            _store_on_target(failed, last_success=False)
    return bool(updated)


def _trend_with(trend: list[dict[str, Any]], run: AuditRun) -> list[dict[str, Any]]:
    entry = {"id": run.pk, "n": run.number, "status": run.status, "worst_status": run.worst_status,
             "at": run.finished_at.isoformat() if run.finished_at else "",
             "ms": run.duration_ms}
    return ([item for item in trend if item.get("id") != run.pk] + [entry])[-TREND_LENGTH:]


def _store_on_target(run: AuditRun, *, last_success: bool,
                     known_trend: list[dict[str, Any]] | None = None) -> None:
    """A finished run on its target (inside the caller's transaction): last run (and last
    success and worst status) and the trend with this run, in one UPDATE. ``known_trend``, the
    trend as the caller read it, is the one UPDATE's condition; without it, or when the trend
    has changed since, the trend is read again under a lock first."""
    if known_trend is not None:
        fields = _on_target(run, known_trend, last_success)
        if Target.objects.filter(pk=run.target_id, trend=known_trend).update(**fields):
            return
    target = Target.objects.select_for_update().only("trend").get(pk=run.target_id)
    Target.objects.filter(pk=run.target_id).update(**_on_target(run, target.trend, last_success))


def _on_target(run: AuditRun, trend: list[dict[str, Any]], last_success: bool
               ) -> dict[str, Any]:
    trend = _trend_with(trend, run)
    fields: dict[str, Any] = {"last_run_id": run.pk, "trend": trend,
                              "trend_svg": str(trend_strip(trend))}
    if last_success:
        fields.update(last_success_id=run.pk, worst_status=run.worst_status)
    return fields


def _save_success(
    run: AuditRun, version: SchemaVersion | None, expected: Schema, result: Any, started: float
) -> AuditRun | None:
    return save_result(
        run, expected=expected, actual=result.actual, report=result.report,
        timings=_plain_timings(result), version=version, duration_ms=_elapsed_ms(started),
        vitals=getattr(result, "vitals", None),
    )


def save_result(
    run: AuditRun,
    *,
    expected: Schema,
    actual: Schema,
    report: engine_model.Report,
    timings: dict[str, Any] | None = None,
    version: SchemaVersion | None = None,
    duration_ms: int | None = None,
    vitals: VitalSigns | None = None,
) -> AuditRun | None:
    """Store a running run's outcome in one transaction; None if it is no longer running.
    ``vitals`` are not stored here: they travel on the audit-finished event."""
    counts = report.by_severity()
    worst = worst_status_of(report)
    target = run.target
    # A constant number of queries whatever the size of the schema or the report (a test holds
    # it): the previous run, the run's UPDATE, the target's UPDATE (conditional on the trend
    # the run was read with); only when the result differs from the previous run's, one
    # INSERT each for findings and statuses and the previous run's rows (to say what
    # changed); only when a schema differs from the previous run's, the snapshot rows to find
    # or write.
    digest = result_digest(report)
    with transaction.atomic():
        previous = _previous_success(target)
        if previous is not None and previous.result_digest == digest:
            # The same rows as the previous run's: shared, not written again (most audits of
            # a fleet), and nothing changed.
            findings, statuses = [], []
            rows_from = previous.rows_run_id
            changes = _nothing_changed(previous)
        else:
            findings = [finding_row(run, finding) for finding in report.findings]
            statuses = status_rows(run, report)
            rows_from = None
            changes = _changes_since(previous, findings, statuses)
        finished_at = timezone.now()
        duration_ms = duration_ms if duration_ms is not None else _elapsed_ms(None, run)
        fields = {
            "status": AuditRun.State.SUCCEEDED, "finished_at": finished_at,
            "duration_ms": duration_ms, "schema_version": version,
            "timings": timings or {}, "critical_count": counts["critical"],
            "error_count": counts["error"], "warning_count": counts["warning"],
            "info_count": counts["info"], "worst_status": worst, "previous_run": previous,
            "changes": changes, "result_digest": digest, "rows_from_id": rows_from,
        }
        fields["expected_snapshot_id"], fields["live_snapshot_id"] = snapshots.store(
            expected, actual, previous)
        updated = AuditRun.objects.filter(pk=run.pk, status=AuditRun.State.RUNNING).update(
            **fields)
        if not updated:  # the sweep failed it meanwhile; its verdict stands
            return None
        Finding.objects.bulk_create(findings)  # one INSERT each (PostgreSQL: UNNEST arrays)
        ModelStatus.objects.bulk_create(statuses)  # (none when empty)
        for name, value in fields.items():
            setattr(run, name, value)
        _store_on_target(run, last_success=True, known_trend=(
            None if "trend" in target.get_deferred_fields() else target.trend))
    stored = run  # what was just written, without reading the snapshots back
    stored.target = target
    announce(AuditFinished(run=stored, previous=previous, expected=expected, actual=actual,
                           report=report, counts=counts, vitals=vitals))
    return stored


def _plain_timings(result: Any) -> dict[str, Any]:
    timings = getattr(result, "timings", None) or {}
    if dataclasses.is_dataclass(timings) and not isinstance(timings, type):
        timings = dataclasses.asdict(timings)
    return {str(key): value for key, value in dict(timings).items()}


def _finding_summary(row: Finding) -> dict[str, str]:
    return {
        "fingerprint": row.fingerprint, "kind": row.kind, "severity": row.severity,
        "table": row.table, "column": row.column, "model": row.model, "message": row.message,
    }


def _previous_success(target: Target) -> AuditRun | None:
    """The target's last successful run, read by id (the target's ``last_success``, read in
    the same statement so it is current): constant cost however long the target's history."""
    return (
        AuditRun.objects.filter(
            pk=Subquery(Target.objects.filter(pk=target.pk).values("last_success_id")[:1]),
            status=AuditRun.State.SUCCEEDED)
        .only("id", "number", "worst_status", "schema_version", "result_digest", "rows_from",
              *snapshots.PREVIOUS_FIELDS)
        .first()
    )


def _nothing_changed(previous: AuditRun) -> dict[str, Any]:
    return {"previous_run": previous.pk, "previous_number": previous.number, "new": [],
            "resolved": [], "flipped": []}


def _changes_since(
    previous: AuditRun | None, findings: list[Finding], statuses: list[ModelStatus],
) -> dict[str, Any]:
    """New and resolved findings, and models whose status flipped, since the last success."""
    if previous is None:
        return {"previous_run": None, "new": [], "resolved": [], "flipped": []}
    before = {row.fingerprint: row for row in findings_of(previous)}
    now = {row.fingerprint: row for row in findings}
    # Status changes are the tables' (enum and schema rows carry their findings, which are
    # counted as new and resolved above).
    old_status = {
        (row.schema, row.table): row
        for row in statuses_of(previous).filter(object_type="table")
        .only("schema", "table", "model", "status")
    }
    flipped = []
    for row in statuses:
        if row.object_type != "table":
            continue
        old = old_status.pop((row.schema, row.table), None)
        before_status = old.status if old else "absent"
        if before_status != row.status:
            flipped.append({"schema": row.schema, "table": row.table, "model": row.model,
                            "before": before_status, "after": row.status})
    for (schema, table), old in old_status.items():
        flipped.append({"schema": schema, "table": table, "model": old.model,
                        "before": old.status, "after": "absent"})
    return {
        "previous_run": previous.pk,
        "previous_number": previous.number,
        "new": [_finding_summary(row) for key, row in now.items() if key not in before],
        "resolved": [_finding_summary(row) for key, row in before.items() if key not in now],
        "flipped": flipped,
    }


def compare_runs(a: AuditRun, b: AuditRun) -> dict[str, Any]:
    """What differs between two runs of one target, in the shape of a run's `changes`."""
    if a.target_id != b.target_id:
        raise TargetConfigError("both runs must belong to the same target")
    changes = _changes_since(a, list(findings_of(b)), list(statuses_of(b)))
    changes["previous_run"], changes["previous_number"] = a.pk, a.number
    return changes


# -- scheduling and sweeping ----------------------------------------------------------------------


def enqueue_due_targets(now: datetime | None = None) -> list[AuditRun]:
    """Queue an audit for each enabled target whose time has come; each target claimed once."""
    now = now or timezone.now()
    runs = []
    due = Target.objects.filter(enabled=True).filter(
        next_due_at__isnull=True) | Target.objects.filter(enabled=True, next_due_at__lte=now)
    for target in due.order_by("next_due_at", "pk"):
        next_due = now + timedelta(minutes=max(target.interval_minutes, 1))
        claimed = Target.objects.filter(pk=target.pk, next_due_at=target.next_due_at).update(
            next_due_at=next_due
        )
        if claimed:
            runs.append(request_audit(target, trigger="schedule"))
    return runs


def sweep_stale_runs(now: datetime | None = None) -> int:
    """Fail runs whose worker died (silent heartbeat, or running too long) or whose message
    was lost (queued too long); each gets the reason, and its target is free again."""
    dead, lost = queueing.left_behind(AuditRun, conf.audit_time_limit(), now)
    failed = sum(fail_run(run_id, STALE_MESSAGE if last_beat is None
                          else queueing.lost_worker_message("audit", last_beat))
                 for run_id, last_beat in dead)
    failed += sum(fail_run(run_id, LOST_MESSAGE, from_states=("queued",)) for run_id in lost)
    return failed


# -- fix migration -------------------------------------------------------------------------------


def fix_migration_for_run(run: AuditRun) -> str:
    """The SQL that adds what the run found missing (destructive changes only as comments)."""
    expected, actual = (snapshots.run_schemas(run) if run.status == AuditRun.State.SUCCEEDED
                        else (None, None))
    if expected is None or actual is None:
        raise TargetConfigError("only a succeeded audit can produce a fix migration")
    from audits.engine.repair import fix_migration

    return fix_migration(expected, actual, report_from_run(run, dialect=actual.dialect))


def fix_migration_folder(run: AuditRun, name: str = "driftwatch_fix") -> str:
    """Prisma's folder name for the fix: `<UTC timestamp of the audit>_<name>`."""
    when = run.finished_at or timezone.now()
    try:
        from audits.engine.repair import migration_folder_name

        return migration_folder_name(name, when)
    except ImportError:
        return f"{when:%Y%m%d%H%M%S}_{name}"


CHECK_CONNECT_TIMEOUT_S = 3  # a person waits for the answer; an audit allows more


@sensitive_variables("dsn", "clear")
def check_connection(*, dsn: str = "", dsn_env_var: str = "", target: Target | None = None) -> str:
    """Connect to a database read-only, as an audit would, with a short timeout, and say what
    answered: the target form's "Test connection". The URL typed, else the variable named,
    else the target's stored URL. Nothing is saved; a failure is a TargetConfigError whose
    message has the password removed."""
    from audits.engine.connect import probe

    if dsn:
        clear = dsn
    elif dsn_env_var:
        check_env_var(dsn_env_var)
        value = os.environ.get(dsn_env_var, "")
        if not value:
            raise TargetConfigError(
                f"the environment variable {dsn_env_var} is not set on the web server, so it "
                "cannot be tested from here (the workers may still have it)")
        clear = checked_env_dsn(dsn_env_var, value)
    elif target is not None and target.pk:
        clear = target_dsn(target)
    else:
        raise TargetConfigError("Give a database URL or an environment variable to test.")
    # Only where a target may live, and a failure says its class, not the port's state: else
    # this button is a port scanner of the web server's network.
    check_target_location(clear)
    try:
        return probe(clear, connect_timeout_s=CHECK_CONNECT_TIMEOUT_S,
                     statement_timeout_ms=CHECK_CONNECT_TIMEOUT_S * 1000)
    except EngineError as exc:
        raise TargetConfigError(confinement.stored_error(
            connect_error_class(scrub(str(exc), clear)))) from None


@sensitive_variables("dsn", "webhook_secret")
def save_target(
    target: Target,
    *,
    dsn: str = "",
    dsn_env_var: str = "",
    namespaces: list[str] | None = None,
    webhook_secret: str = "",
    schema_files: dict[str, str] | None = None,
    incidents: Iterable[Any] | None = None,
    user: Any = None,
) -> Target:
    """Save a target edited in the form; empty secret fields keep the stored ones."""
    check_target_paths(target)  # the form checks first; this is the backstop
    if dsn:
        check_target_location(dsn)
    with transaction.atomic():
        if dsn:
            target.set_dsn(dsn)
            target.dialect = dialect_for(dsn)
        elif dsn_env_var:
            target.set_dsn_env_var(dsn_env_var)
            target.dialect = dialect_of_env(dsn_env_var)
        if namespaces is not None:
            target.namespaces = namespaces
        if webhook_secret:
            target.set_webhook_secret(webhook_secret)
        if target.next_due_at is None:
            target.next_due_at = timezone.now()
        target.save()
        if incidents is not None:
            target.incidents.set(incidents)
        if schema_files:
            add_schema_version(target, schema_files, user=user)
    return target
