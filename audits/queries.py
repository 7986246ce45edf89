"""Read models for the pages, each in a fixed number of queries whatever the data size.

Per-target facts come from denormalized columns (``Target.last_run``/``last_success``) and
window functions (the last N runs per target, the worst findings per run), never from a query
per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from recovery.models import Incident, Status

from .access import RUN_LIGHT
from .models import STATUS_ORDER, AuditRun, Finding, ModelStatus, Target

TREND_LENGTH = 30
WORST_FINDINGS = 3


@dataclass
class TargetCard:
    target: Target
    trend: list[dict[str, Any]] = field(default_factory=list)
    worst_findings: list[dict[str, Any]] = field(default_factory=list)


def overview(targets: QuerySet[Target] | None = None) -> list[TargetCard]:
    """Every target with its last runs and worst findings: three queries in all."""
    light = [f"{rel}__{name}" for rel in ("last_run", "last_success") for name in RUN_LIGHT]
    rows = list(
        (targets if targets is not None else Target.objects.all())
        .select_related("last_run", "last_success")
        .defer(*light, "dsn_encrypted", "webhook_secret_encrypted")
        .order_by("name")
    )
    trends = recent_runs([target.pk for target in rows])
    worst = worst_findings([t.last_success_id for t in rows if t.last_success_id])
    return [
        TargetCard(target=t, trend=trends.get(t.pk, []),
                   worst_findings=worst.get(t.last_success_id, []) if t.last_success_id else [])
        for t in rows
    ]


def recent_runs(target_ids: list[int], length: int = TREND_LENGTH) -> dict[int, list[dict]]:
    """The last ``length`` runs of each target, oldest first, in one query."""
    if not target_ids:
        return {}
    ranked = (
        AuditRun.objects.filter(target_id__in=target_ids)
        .annotate(rank=Window(RowNumber(), partition_by=[F("target_id")],
                              order_by=[F("queued_at").desc(), F("id").desc()]))
        .filter(rank__lte=length)
        .values("id", "target_id", "status", "worst_status", "queued_at", "duration_ms",
                "critical_count", "error_count", "warning_count")
    )
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in ranked:
        grouped[row["target_id"]].append(row)
    for runs in grouped.values():
        runs.sort(key=lambda row: (row["queued_at"], row["id"]))
    return grouped


def worst_findings(run_ids: list[int], limit: int = WORST_FINDINGS) -> dict[int, list[dict]]:
    if not run_ids:
        return {}
    ranked = (
        Finding.objects.filter(run_id__in=run_ids)
        .annotate(rank=Window(RowNumber(), partition_by=[F("run_id")],
                              order_by=[F("severity_rank").asc(), F("table").asc(),
                                        F("column").asc(), F("id").asc()]))
        .filter(rank__lte=limit)
        .values("run_id", "severity", "message", "table", "column")
    )
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in ranked:
        grouped[row["run_id"]].append(row)
    return grouped


def open_incidents(limit: int = 20) -> list[Incident]:
    return list(Incident.objects.exclude(status=Status.RESOLVED).order_by("-declared_at")[:limit])


# -- the target page -------------------------------------------------------------------------


@dataclass
class Grid:
    rows: list[ModelStatus]
    counts: dict[str, int]
    total: int
    status: str
    query: str


def grid(run: AuditRun | None, *, status: str = "", query: str = "") -> Grid:
    """The table/model grid of a run, filtered; two queries."""
    if run is None:
        return Grid(rows=[], counts=dict.fromkeys(STATUS_ORDER, 0), total=0, status=status,
                    query=query)
    statuses = ModelStatus.objects.filter(run=run)
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for row in statuses.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    if status == "problems":
        statuses = statuses.exclude(status="ok")
    elif status in STATUS_ORDER:
        statuses = statuses.filter(status=status)
    if query:
        statuses = statuses.filter(Q(table__icontains=query) | Q(model__icontains=query))
    rows = list(statuses.order_by("-status_rank", "table").only(
        "id", "schema", "table", "model", "status", "finding_count", "worst_severity"))
    return Grid(rows=rows, counts=counts, total=sum(counts.values()), status=status, query=query)


def table_findings(run: AuditRun, schema: str, table: str) -> list[Finding]:
    return list(Finding.objects.filter(run=run, schema__in=[schema, ""], table=table)
                .order_by("severity_rank", "column", "id"))


def run_list(target: Target, limit: int = 200) -> list[AuditRun]:
    return list(AuditRun.objects.filter(target=target).defer(*RUN_LIGHT)
                .select_related("requested_by").order_by("-queued_at", "-id")[:limit])


def run_findings(run: AuditRun) -> list[Finding]:
    return list(Finding.objects.filter(run=run).order_by("severity_rank", "table", "column", "id"))


def incident_targets(incident: Incident) -> list[TargetCard]:
    return overview(Target.objects.filter(incidents=incident))
