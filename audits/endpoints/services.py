"""Endpoint safety: every write about endpoints, and the reads the page and the API share.

A target's endpoints come from scanning its backend code (``Target.code_path``) with the engine
(``audits.engine.endpoints.check_backend``) and judging them with the findings of its last
successful audit. That happens after each successful audit (``after_audit``, on the
audit-finished event, already off the web request), on demand ("Rescan code":
``request_rescan`` queues an EndpointRescan that a Celery worker runs with ``execute_rescan``,
since a big backend takes seconds to scan) and when a person adds or removes a model dependency
(overrides are applied before the verdicts). The CLI ``manage.py endpoints`` calls the engine
directly and stores nothing.

Identity of an endpoint across scans: (target, route, methods). ``verdict_since`` is kept while
the verdict stays the same; ``decided_by_run`` is the audit whose findings the verdict and its
reasons come from (the latest one used).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import TYPE_CHECKING, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from audits.core import confinement, queueing
from audits.core.credentials import TargetConfigError, dsn_quietly, log_crash, scrub
from audits.core.events import AuditFinished
from audits.core.incidents import EntryKind, log_on_open_incidents
from audits.core.models import AuditRun, ModelStatus, Target
from audits.core.paths import unchanged_since
from audits.core.records import report_from_run, rows_run_of
from audits.core.snapshots import run_schemas
from audits.targets.services import expected_for, read_schema_files

from .models import VERDICT_ORDER, Endpoint, EndpointOverride, EndpointRescan, EndpointScan

if TYPE_CHECKING:
    from audits.engine.endpoints import EndpointsReport
    from audits.engine.prisma.ast import PrismaSchema

log = logging.getLogger(__name__)

NO_AUDIT_REASON = "no successful audit of this target yet: nothing is known about its models"
VERDICTS = VERDICT_ORDER


class EndpointScanError(Exception):
    """The endpoints of a target cannot be computed (no code path, unreadable schema...)."""


# -- naming helpers ---------------------------------------------------------------------------


def prefix_of(route: str) -> str:
    """The group an endpoint is listed under: its first two path segments (``/api/auth``);
    a parameter segment stops the prefix (``/api/:id`` is in ``/api``)."""
    parts = [part for part in route.split("/") if part]
    kept: list[str] = []
    for part in parts[:2]:
        if part.startswith((":", "[", "*")):
            break
        kept.append(part)
    return "/" + "/".join(kept)


def prefix_slug(prefix: str) -> str:
    """``/api/auth`` -> ``api-auth`` (the badge URL of a group)."""
    return "-".join(part for part in prefix.split("/") if part) or "root"


def method_key(methods: Iterable[str]) -> str:
    return ",".join(methods) or "*"


# -- the Prisma schema a scan needs (model names and relations) -------------------------------


def prisma_schema_for(target: Target, run: AuditRun | None) -> PrismaSchema:
    """The schema.prisma the audit used, else the target's current one, else its path."""
    from audits.engine.prisma.parser import parse_files

    version = run.schema_version if run is not None and run.schema_version_id else None
    version = version or target.current_schema
    if version is not None:
        return parse_files(dict(version.content))
    if target.schema_path:
        return parse_files(read_schema_files(target.schema_path))
    raise EndpointScanError("the target has no schema.prisma to read its models from "
                            "(a baseline snapshot has no relations)")


def model_names_for(target: Target) -> list[str]:
    """The models overrides may name: those of the last audit (one query), else the schema's;
    empty when neither can be read."""
    if target.last_success_id:
        names = (ModelStatus.objects.filter(run_id=rows_run_of(target.last_success_id))
                 .exclude(model="")
                 .values_list("model", flat=True).distinct())
        found = sorted(set(names))
        if found:
            return found
    return _schema_model_names(target)


def _schema_model_names(target: Target) -> list[str]:
    from audits.engine.endpoints import model_names

    try:
        return sorted(model_names(prisma_schema_for(target, None)))
    except Exception:  # noqa: BLE001 — a form still works without the list
        return []


# -- computing and storing verdicts -----------------------------------------------------------


def engine_overrides(target: Target) -> list[Any]:
    from audits.engine.endpoints import Override

    return [
        Override(route=row.route, model=row.model, action=row.action,
                 methods=(row.method,) if row.method else (), reason=row.reason,
                 author=row.author.get_username() if row.author else "")
        for row in EndpointOverride.objects.filter(target=target).select_related("author")
    ]


def compute(target: Target, run: AuditRun | None) -> EndpointsReport:
    """Scan the target's code and judge its endpoints with ``run``'s findings."""
    from audits.engine import model as engine_model
    from audits.engine.confine import Roots
    from audits.engine.endpoints import check_backend

    if not target.code_path:
        raise EndpointScanError("the target has no code path to scan")
    try:
        code_dir = confinement.confined(target.code_path, "code path")
    except TargetConfigError as exc:
        raise EndpointScanError(str(exc)) from exc
    if not code_dir.is_dir():
        raise EndpointScanError(f"the code path {target.code_path} is not a folder")
    schema = prisma_schema_for(target, run)
    expected = run_schemas(run)[0] if run is not None else None
    if run is not None and expected is not None:
        report = report_from_run(run, dialect=expected.dialect)
    else:  # no audit yet: every endpoint will be unknown, but the list is there
        expected, _ = expected_for(target)
        report = engine_model.Report(dialect=expected.dialect)
    # every file the scan reads is checked too: one may be a symlink out of the roots
    return check_backend(code_dir, schema, expected, report, engine_overrides(target),
                         Roots.of(confinement.roots()))


def rescan(target: Target, run: AuditRun | None = None) -> EndpointScan:
    """Recompute and store the target's endpoints; raises EndpointScanError (also recorded)."""
    if run is None:
        run = _last_success(target)
    try:
        result = compute(target, run)
    except EndpointScanError as exc:
        record_error(target, str(exc))
        raise
    except SoftTimeLimitExceeded:  # the worker's time is up: not a scan error, let it say so
        raise
    except Exception as exc:  # the engine's SchemaError, an unreadable file...
        # a schema line quoted by a parse error may hold the target's own URL
        message = confinement.stored_error(
            scrub(f"{type(exc).__name__}: {exc}", dsn_quietly(target)))
        record_error(target, message)
        raise EndpointScanError(message) from exc
    return store(target, run, result)


def _last_success(target: Target) -> AuditRun | None:
    if not target.last_success_id:
        return None
    return AuditRun.objects.select_related("schema_version").get(pk=target.last_success_id)


def on_audit_finished(sender: Any, event: AuditFinished, **kwargs: Any) -> None:
    if not event.changed and scan_is_current(event.run.target):
        return  # same statuses, same code: the verdicts would come out the same
    after_audit(event.run)


def scan_is_current(target: Target) -> bool:
    """Whether the target's last scan succeeded and nothing under its code folder changed
    since (one query and a walk of the folder's modification times)."""
    if not target.code_path:
        return True
    scan = EndpointScan.objects.filter(target=target).only("scanned_at", "error").first()
    if scan is None or scan.error or scan.scanned_at is None:
        return False
    return unchanged_since(target.code_path, scan.scanned_at.timestamp())


def after_audit(run: AuditRun) -> None:
    """Once a run succeeded: refresh the endpoints of a target that has a code path.

    Never raises: a scan failure is recorded on the target's EndpointScan, not on the audit.
    """
    target = run.target
    if not target.code_path:
        return
    try:
        fresh = AuditRun.objects.select_related("schema_version", "target").get(pk=run.pk)
        rescan(fresh.target, fresh)
    except EndpointScanError:
        log.warning("endpoint scan of %s failed after run %s", target.slug, run.pk)
    except Exception:  # noqa: BLE001 — an audit never fails because of its endpoint scan
        log.exception("endpoint scan of %s crashed after run %s", target.slug, run.pk)
        try:
            record_error(target, "internal error while scanning the code (see the server log)")
        except Exception:  # noqa: BLE001
            log.exception("could not record the endpoint scan error of %s", target.slug)


def record_error(target: Target, message: str) -> None:
    with transaction.atomic():
        _lock(target)
        EndpointScan.objects.update_or_create(
            target=target, defaults={"error": message[:4000], "error_at": timezone.now()}
        )


# -- "Rescan code" on a worker: request, claim, execute, sweep ---------------------------------
# The same shape as audits (targets.services.request_audit / claim_run / execute_audit /
# sweep_stale_runs): one active rescan per target (a database constraint), work claimed with a
# conditional UPDATE, so a retried message or a second worker never scans twice.

RESCAN_TASK = "audits.rescan_endpoints"
RESCAN_TIME_LIMIT = 300  # seconds: Celery kills the task; a scan of a monorepo takes seconds
RESCAN_SOFT_TIME_LIMIT = 270  # seconds: the task is asked to stop and fails the rescan cleanly
RESCAN_STALE_MESSAGE = "the worker running this rescan stopped (killed or lost) before finishing"
RESCAN_LOST_MESSAGE = "the rescan waited in the queue too long: no worker picked it up"
RESCAN_CRASH_MESSAGE = "internal error while scanning the code (see the server log)"


def active_rescan(target: Target) -> EndpointRescan | None:
    return EndpointRescan.objects.filter(target=target, status__in=["queued", "running"]).first()


def latest_rescan(target: Target) -> EndpointRescan | None:
    """The page's progress box: the newest rescan of the target (one query)."""
    return EndpointRescan.objects.filter(target=target).first()


def request_rescan(target: Target, requested_by: Any = None, *,
                   enqueue: bool = True) -> EndpointRescan:
    """Queue one rescan of the target's code, or return the one already queued or running."""
    user = requested_by if getattr(requested_by, "is_authenticated", False) else None
    rescan_row, created = queueing.queue_once(
        lambda: active_rescan(target),
        lambda: EndpointRescan.objects.create(target=target, requested_by=user),
    )
    if created and enqueue:
        queueing.send_on_commit(rescan_row, _enqueue_rescan)
    return rescan_row


def _enqueue_rescan(rescan_id: int) -> None:
    queueing.send(RESCAN_TASK, rescan_id, what="rescan",
                  fail=lambda pk, reason: fail_rescan(pk, reason, from_states=("queued",)))


def claim_rescan(rescan_id: int) -> bool:
    """queued -> running, by exactly one worker."""
    return queueing.claim(EndpointRescan, rescan_id)


def execute_rescan(rescan_id: int) -> EndpointRescan | None:
    """Run a queued rescan to its end; None when another worker already has it (or had it).

    Never raises for a scan problem: the reason is stored on the rescan (and, through
    ``rescan``, on the target's EndpointScan), where the page shows it.
    """
    if not claim_rescan(rescan_id):
        return None
    with queueing.heartbeat(EndpointRescan, rescan_id):
        return _execute_claimed_rescan(rescan_id)


def _execute_claimed_rescan(rescan_id: int) -> EndpointRescan:
    job = EndpointRescan.objects.select_related("target").get(pk=rescan_id)
    target = job.target
    try:
        scan = rescan(target)
    except EndpointScanError as exc:
        fail_rescan(rescan_id, str(exc))
    except SoftTimeLimitExceeded:
        message = f"the rescan took longer than {RESCAN_SOFT_TIME_LIMIT} s and was stopped"
        record_error(target, message)
        fail_rescan(rescan_id, message)
    except Exception as exc:  # noqa: BLE001 — a bug must still end the rescan, not strand it
        log_crash(f"endpoint rescan {rescan_id} of {target.slug} crashed", exc,
                  dsn_quietly(target))
        fail_rescan(rescan_id, RESCAN_CRASH_MESSAGE)
    else:
        EndpointRescan.objects.filter(pk=rescan_id, status=EndpointRescan.State.RUNNING).update(
            status=EndpointRescan.State.SUCCEEDED, finished_at=timezone.now(),
            endpoint_count=sum(scan.counts.values()),
        )  # no row updated: the sweep failed it meanwhile, and its verdict stands
    return EndpointRescan.objects.get(pk=rescan_id)


def fail_rescan(rescan_id: int, reason: str,
                from_states: tuple[str, ...] = ("running",)) -> bool:
    """Mark a rescan failed unless it already finished; the reason must already be redacted."""
    return bool(
        EndpointRescan.objects.filter(pk=rescan_id, status__in=from_states).update(
            status=EndpointRescan.State.FAILED, finished_at=timezone.now(), error=reason[:4000])
    )


def sweep_stale_rescans(now: datetime | None = None) -> int:
    """Fail rescans whose worker died (running past the hard limit) or whose message was lost
    (queued too long); called by the audits' periodic sweep."""
    dead, lost = queueing.left_behind(EndpointRescan, RESCAN_TIME_LIMIT, now)
    failed = sum(fail_rescan(pk, RESCAN_STALE_MESSAGE if last_beat is None
                             else queueing.lost_worker_message("rescan", last_beat))
                 for pk, last_beat in dead)
    failed += sum(fail_rescan(pk, RESCAN_LOST_MESSAGE, from_states=("queued",)) for pk in lost)
    return failed


def _lock(target: Target) -> None:
    """One writer of a target's endpoints at a time (an audit's hook racing a manual rescan):
    the target row is the lock, since locking endpoint rows cannot stop two first inserts."""
    Target.objects.select_for_update().filter(pk=target.pk).values_list("pk").first()


def store(target: Target, run: AuditRun | None, result: EndpointsReport) -> EndpointScan:
    """Upsert one row per endpoint; keep verdict_since where the verdict did not change."""
    now = timezone.now()
    with transaction.atomic():
        _lock(target)
        existing = {(row.route, row.method_key): row
                    for row in Endpoint.objects.filter(target=target)}
        creates: list[Endpoint] = []
        updates: list[Endpoint] = []
        for item in result.verdicts:
            verdict = item.verdict.value
            reasons = list(item.reasons)
            if run is None:
                verdict, reasons = "unknown", [NO_AUDIT_REASON, *reasons]
            key = (item.route, method_key(item.methods))
            row = existing.pop(key, None)
            if row is None:
                row = Endpoint(target=target, route=item.route, method_key=key[1],
                               verdict_since=now)
                creates.append(row)
            else:
                updates.append(row)
                if row.verdict != verdict:
                    row.verdict_since = now
            _fill(row, item, verdict, reasons, run)
        Endpoint.objects.bulk_create(creates, batch_size=500)
        Endpoint.objects.bulk_update(updates, UPDATE_FIELDS, batch_size=500)
        if existing:
            Endpoint.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
        rows = sorted([*creates, *updates], key=lambda row: (row.prefix, row.route,
                                                             row.method_key))
        counts = dict.fromkeys(VERDICTS, 0)
        for item in rows:
            counts[item.verdict] += 1
        payload = json.dumps([endpoint_to_dict(row) for row in rows], separators=(",", ":"))
        scan, _ = EndpointScan.objects.update_or_create(target=target, defaults={
            "scanned_at": now, "run": run, "error": "", "error_at": None, "counts": counts,
            "payload": payload,
            "unresolved": [{"file": u.file, "specifier": u.specifier, "line": u.line}
                           for u in result.unresolved],
        })
    return scan


UPDATE_FIELDS = ["methods", "prefix", "file", "models", "verdict", "verdict_rank", "reasons",
                 "decided_by_run", "verdict_since", "search_text", "updated_at"]


def _fill(row: Endpoint, item: Any, verdict: str, reasons: list[str],
          run: AuditRun | None) -> None:
    row.methods = list(item.methods) or ["*"]
    row.prefix = prefix_of(item.route)
    row.file = item.file
    row.models = list(item.models)
    row.verdict = verdict
    row.verdict_rank = VERDICTS.index(verdict)
    row.reasons = reasons
    row.decided_by_run = run
    row.search_text = " ".join([item.route, item.file, *item.models, *row.methods]).lower()
    row.updated_at = timezone.now()


# -- overrides ----------------------------------------------------------------------------------


def add_override(target: Target, *, route: str, model: str, action: str, reason: str,
                 author: Any, method: str = "") -> EndpointOverride:
    """Record a manual dependency and re-judge the endpoints with it (and log it on the
    target's open incidents)."""
    route, model, method, reason = (route.strip(), model.strip(), method.strip().upper(),
                                    reason.strip())
    errors = {}
    if not route.startswith("/"):
        errors["route"] = "A route starts with /, as in /api/orders/:id."
    if action not in EndpointOverride.Action.values:
        errors["action"] = "Choose add or remove."
    if not reason:
        errors["reason"] = "Say why the scanner is wrong here."
    elif "route" not in errors:
        problem = _route_problem(target, route, method)
        if problem:
            errors["route"] = problem
    known = model_names_for(target)
    if model not in known:  # a model added to the schema since the last audit is fine too
        known = _schema_model_names(target)
    if not model or (known and model not in known):
        errors["model"] = f"'{model}' is not a model of this target's schema."
    if errors:
        raise ValidationError(errors)
    override = EndpointOverride.objects.create(
        target=target, route=route, method=method, model=model, action=action, reason=reason,
        author=author if getattr(author, "is_authenticated", False) else None,
    )
    _log_on_incidents(target, author, f"Endpoint override on **{target.name}**: {action} "
                      f"model `{model}` for `{method or '*'} {route}` — {reason}")
    _rejudge(target)
    return override


def _route_problem(target: Target, route: str, method: str) -> str:
    """Overrides change scanned endpoints only: one for a route the scan did not find would
    silently do nothing, so it is refused (unless nothing was scanned yet)."""
    scanned = list(Endpoint.objects.filter(target=target).values_list("route", "methods"))
    if not scanned:
        return ""
    methods = [set(found) for path, found in scanned if path == route]
    if not methods:
        return f"No scanned endpoint has the route {route}."
    if method and any("*" in found for found in methods):
        return f"{route} is one handler for every method: leave the method empty."
    if method and not any(method in found for found in methods):
        return f"{route} has no {method} handler."
    return ""


def delete_override(target: Target, override_id: int, *, author: Any) -> None:
    override = EndpointOverride.objects.filter(target=target, pk=override_id).first()
    if override is None:
        return
    override.delete()
    _log_on_incidents(target, author, f"Endpoint override on **{target.name}** withdrawn: "
                      f"{override.action} model `{override.model}` for "
                      f"`{override.method or '*'} {override.route}`")
    _rejudge(target)


def _rejudge(target: Target) -> None:
    if not target.code_path:
        return
    # a failure is recorded on the target's scan; the override itself is saved
    with contextlib.suppress(EndpointScanError):
        rescan(target)


def _log_on_incidents(target: Target, author: Any, body: str) -> None:
    log_on_open_incidents(target, body, kind=EntryKind.DECISION, author=author)


# -- reads for the page and the API -------------------------------------------------------------


@dataclass
class EndpointGroup:
    prefix: str
    endpoints: list[Endpoint] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return prefix_slug(self.prefix)

    @property
    def worst(self) -> str:
        return VERDICTS[max((row.verdict_rank for row in self.endpoints), default=0)]


def endpoint_rows(target: Target, *, verdict: str = "", query: str = "") -> list[Endpoint]:
    """One query, whatever the number of endpoints."""
    rows = Endpoint.objects.filter(target=target)
    if verdict in VERDICTS:
        rows = rows.filter(verdict=verdict)
    for word in query.lower().split():
        rows = rows.filter(search_text__contains=word)
    # the deciding audit's number comes along in the same query ("decided by audit #N"), and
    # only it: building the SELECT of the run's other columns cost more than the rest
    return list(rows.select_related("decided_by_run").only(
        *_all_fields(Endpoint), "decided_by_run__number").order_by("prefix", "route", "method_key"))


def _all_fields(model: type[models.Model]) -> list[str]:
    return [field.name for field in model._meta.concrete_fields]


def scanned_routes(target: Target) -> list[str]:
    return sorted(set(Endpoint.objects.filter(target=target).values_list("route", flat=True)))


def grouped(rows: list[Endpoint]) -> list[EndpointGroup]:
    return [EndpointGroup(prefix, list(items))
            for prefix, items in groupby(rows, key=lambda row: row.prefix)]


def scan_of(target: Target) -> EndpointScan | None:
    """The target's scan, with the number of the audit it followed ("audit #N")."""
    return (EndpointScan.objects.filter(target=target).select_related("run")
            .only(*_all_fields(EndpointScan), "run__number").first())


API_FIELDS = ("route", "methods", "file", "models", "verdict", "reasons", "verdict_since",
              "decided_by_run_id")


def api_endpoints(target: Target, scan: EndpointScan | None, *,
                  verdict: str = "") -> list[dict[str, Any]]:
    """The API's endpoint list: the scan's stored payload (no query), else read from rows."""
    if scan is not None and scan.payload:
        rows: list[dict[str, Any]] = json.loads(scan.payload)
        return [row for row in rows if row["verdict"] == verdict] if verdict else rows
    return endpoint_dicts(target, verdict=verdict)


def endpoint_dicts(target: Target, *, verdict: str = "") -> list[dict[str, Any]]:
    """The API's endpoint list, read as plain values (no model instances): one query."""
    rows = Endpoint.objects.filter(target=target)
    if verdict in VERDICTS:
        rows = rows.filter(verdict=verdict)
    return [
        {"route": route, "methods": methods, "file": file, "models": models, "verdict": value,
         "reasons": reasons, "since": since.isoformat(), "run": run_id}
        for route, methods, file, models, value, reasons, since, run_id
        in rows.order_by("prefix", "route", "method_key").values_list(*API_FIELDS)
    ]


def endpoint_to_dict(row: Endpoint) -> dict[str, Any]:
    return {
        "route": row.route, "methods": list(row.methods), "file": row.file,
        "models": list(row.models), "verdict": row.verdict, "reasons": list(row.reasons),
        "since": row.verdict_since.isoformat(), "run": row.decided_by_run_id,
    }
