"""Helpers for the history page tests: a run whose history is stored from a hand-made report,
the same way the audit flow stores a real one (``audits.history.store_report``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from audits.core.models import AuditRun, Target
from audits.engine.history import HistoryReport, MigrationStatus, State, ThreeWayRow
from audits.engine.history.applied import TableIdentity
from audits.engine.history.folder import ChecksumMatch
from audits.history.models import HistoryCheck
from audits.history.services import store_error, store_report
from tests.audits.conftest import report, schema

T0 = datetime(2026, 2, 12, 9, 0, tzinfo=UTC)
CHECKSUM = "a" * 64


def status(name: str, state: State = State.APPLIED, *, minutes: int = 0,
           match: ChecksumMatch | None = ChecksumMatch.EXACT, **extra: Any) -> MigrationStatus:
    applied = state not in (State.PENDING,)
    when = T0 + timedelta(minutes=minutes)
    return MigrationStatus(
        name=name, state=state, checksum_local=None if state == State.UNKNOWN else CHECKSUM,
        checksum_db=CHECKSUM if applied else None,
        started_at=when if applied else None,
        finished_at=when if applied and state not in (State.FAILED, State.ROLLED_BACK) else None,
        checksum_match=match if applied and state != State.UNKNOWN else None, **extra)


def migrations(count: int) -> tuple[MigrationStatus, ...]:
    return tuple(status(f"2025{n:010d}_step_{n}", minutes=n) for n in range(count))


def history_report(statuses: tuple[MigrationStatus, ...] = (),
                   rows: tuple[ThreeWayRow, ...] = (), **extra: Any) -> HistoryReport:
    base = HistoryReport(table_present=True, in_flight=False, migrations=statuses,
                         three_way=rows, identity=TableIdentity(oid=1, oldest_started_at=None),
                         folder_hash="f" * 16)
    return replace(base, **extra)


def row(obj: str, verdict: str, *, kind: str = "column", table: str | None = None,
        model: str | None = None, migration: str | None = None,
        in_code: bool | None = True, in_history: bool = False,
        in_database: bool = False) -> ThreeWayRow:
    table = table if table is not None else (obj.split(".")[0] if kind != "enum" else None)
    return ThreeWayRow(object=obj, kind=kind, in_code=in_code, in_history=in_history,
                       in_database=in_database, verdict=verdict, migration=migration,
                       table=table, model=model if model is not None else table,
                       finding="missing_column", message=f"{obj} is missing")


def error_run(make_target: Callable[..., Target], finish_run: Callable[..., AuditRun],
              message: str, *, target: Target) -> tuple[AuditRun, HistoryCheck]:
    """A finished run of ``target`` whose history check failed with ``message``."""
    Target.objects.filter(pk=target.pk).update(migrations_path="")
    target.migrations_path = ""
    run = finish_run(target, report([], {"User": "ok"}), actual=schema("User"))
    Target.objects.filter(pk=target.pk).update(migrations_path="/srv/app/prisma/migrations")
    run.target.migrations_path = "/srv/app/prisma/migrations"
    return run, store_error(run, message)


def history_run(make_target: Callable[..., Target], finish_run: Callable[..., AuditRun],
                hreport: HistoryReport, *, target: Target | None = None,
                **target_extra: Any) -> tuple[Target, AuditRun, HistoryCheck]:
    """A target (with a migrations folder) and a finished run carrying ``hreport``.

    The run is stored as a worker would, before the target gets its folder (its DSN is fake,
    so nothing could be checked); the history is then stored as the audit flow stores it.
    """
    target = target or make_target(**target_extra)
    Target.objects.filter(pk=target.pk).update(migrations_path="")
    target.migrations_path = ""
    run = finish_run(target, report([], {"User": "ok"}), actual=schema("User"))
    Target.objects.filter(pk=target.pk).update(migrations_path="/srv/app/prisma/migrations")
    run.target.migrations_path = "/srv/app/prisma/migrations"
    check = store_report(run, hreport)
    target.refresh_from_db()
    return target, run, check


__all__ = ["error_run", "history_report", "history_run", "migrations", "row", "status"]
