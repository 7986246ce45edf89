"""Read models for the pages, each in a fixed number of queries whatever the data size.

Per-target facts come from denormalized columns (``Target.last_run``/``last_success``) and
window functions (the last N runs per target, the worst findings per run), never from a query
per row.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import DenseRank, RowNumber

from audits.core.models import STATUS_ORDER, AuditRun, Finding, ModelStatus, Target
from audits.core.records import finding_from_row, findings_of, row_key, statuses_of
from recovery.fragments import digest
from recovery.models import Incident, Status

WORST_FINDINGS = 3


# Only what a card shows: no snapshots, no run JSON, no secrets.
CARD_FIELDS = (
    "id", "name", "slug", "dialect", "worst_status", "trend_svg", "enabled", "protected",
    "last_run__id", "last_run__number", "last_run__status", "last_run__finished_at",
    "last_run__duration_ms", "last_run__unreachable", "last_run__error",
    "last_success__id", "last_success__finished_at", "last_success__critical_count",
    "last_success__error_count", "last_success__warning_count", "last_success__rows_from",
)


@dataclass
class TargetCard:
    target: Target
    worst_findings: list[dict[str, Any]] = field(default_factory=list)


def overview(targets: QuerySet[Target] | None = None) -> list[TargetCard]:
    """Every target, worst first, with its trend strip (rendered on write) and worst findings:
    two queries."""
    rows = list(
        (targets if targets is not None else Target.objects.all())
        .select_related("last_run", "last_success")
        .only(*CARD_FIELDS)
        .order_by("name")
    )
    # Ranked here, not in SQL: the CASE expression cost more to build than the rest of the
    # query. The sort is stable, so within a rank the database's order by name stands.
    rows.sort(key=_attention_rank)
    # keyed by the run holding the rows: an unchanged audit shares its previous run's
    worst = worst_findings([t.last_success.rows_run_id for t in rows if t.last_success])
    return [
        TargetCard(target=t, worst_findings=(worst.get(t.last_success.rows_run_id, [])
                                             if t.last_success else []))
        for t in rows
    ]


# What a backend engineer needs first, within one severity: a column missing from a table that
# exists breaks a model the deployed code already serves on every request ("column X does not
# exist" on User), and is fixed by one ADD COLUMN; a missing table takes out a whole feature; a
# missing enum type is a prerequisite whose effect is already reported on the columns that use it.
KIND_PRIORITY = ("missing_column", "extra_column", "type_mismatch", "nullability_mismatch",
                 "primary_key_mismatch", "missing_unique", "missing_table", "missing_enum",
                 "missing_enum_value")
GROUP_SAMPLE = 4  # names shown on a grouped line ("User: 9 missing columns — a, b, c, d…")
# Kinds about whole objects group across tables ("20 missing tables"), the rest per table.
WHOLE_OBJECT_KINDS = ("missing_table", "missing_enum", "extra_table", "extra_enum")


def _kind_rank() -> Case:
    return Case(*(When(kind=kind, then=Value(i)) for i, kind in enumerate(KIND_PRIORITY)),
                default=Value(len(KIND_PRIORITY)), output_field=IntegerField())


ATTENTION_ORDER = (*reversed(STATUS_ORDER[1:]), "")


def _attention_rank(target: Target) -> int:
    """Cards that need someone first: unreachable (its last audit could not read it: nobody
    knows its state), then missing, broken, degraded, never audited, and ok last."""
    if target.is_unreachable:
        return -1
    if target.worst_status in ATTENTION_ORDER:
        return ATTENTION_ORDER.index(target.worst_status)
    return len(ATTENTION_ORDER)


def worst_findings(run_ids: list[int], limit: int = WORST_FINDINGS) -> dict[int, list[dict]]:
    """Per run, its ``limit`` worst groups of findings (``_worst_findings``), kept per process
    for a given set of runs: the overview and every incident page's drift panel ask for the same
    last successful runs, whose findings never change once the run has finished (AuditRun is
    immutable then; a new audit's rows are a new run id's, or, unchanged, the same rows under
    the same id). ``run_ids`` are the runs holding the rows (``AuditRun.rows_run_id``).
    Building the windowed query was half of those two pages' time."""
    if not run_ids:
        return {}
    key = "audits:worst-findings:" + hashlib.sha256(
        f"{limit}:{sorted(run_ids)}".encode()).hexdigest()
    found: dict[int, list[dict]] | None = cache.get(key)
    if found is None:
        found = _worst_findings(run_ids, limit)
        cache.set(key, found, 3600)
    return found


def _worst_findings(run_ids: list[int], limit: int) -> dict[int, list[dict]]:
    """Per run, its ``limit`` worst groups of findings, one query.

    A group is the findings of one kind and severity on one table (the nine missing columns of
    User), or across tables for whole objects (the twenty missing tables), so three lines name
    three different problems instead of three columns of one table.
    DENSE_RANK numbers the groups; a second window caps the rows fetched per group.
    """
    if not run_ids:
        return {}
    group = [F("run_id"), F("severity_rank"), F("kind"), F("group_table")]
    ranked = (
        Finding.objects.filter(run_id__in=run_ids)
        .annotate(kind_rank=_kind_rank(),
                  group_table=Case(When(kind__in=WHOLE_OBJECT_KINDS, then=Value("")),
                                   default=F("table"), output_field=CharField()))
        .annotate(
            group_rank=Window(DenseRank(), partition_by=[F("run_id")],
                              order_by=[F("severity_rank").asc(), F("kind_rank").asc(),
                                        F("group_table").asc(), F("kind").asc()]),
            in_group=Window(RowNumber(), partition_by=group,
                            order_by=[F("table").asc(), F("column").asc(), F("id").asc()]),
            group_size=Window(Count("id"), partition_by=group),
        )
        .filter(group_rank__lte=limit, in_group__lte=GROUP_SAMPLE)
        .values("run_id", "severity", "kind", "message", "table", "column", "model",
                "object_name", "group_table", "group_rank", "in_group", "group_size")
        .order_by("run_id", "group_rank", "in_group")
    )
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in ranked:
        lines = grouped[row["run_id"]]
        if row["in_group"] == 1:
            lines.append({**row, "count": row["group_size"], "names": [],
                          "label": _plural(row["kind"].replace("_", " "))})
        name = row["column"] or row["object_name"] or row["table"]
        if name:
            lines[-1]["names"].append(name)
    return dict(grouped)


def _plural(words: str) -> str:
    return words + ("es" if words.endswith(("s", "sh", "ch", "x")) else "s")


def open_incidents(limit: int = 20) -> list[Incident]:
    return list(Incident.objects.exclude(status=Status.RESOLVED).order_by("-declared_at")[:limit])


# -- the target page -------------------------------------------------------------------------


GRID_PAGE = 200


@dataclass
class Grid:
    rows: list[ModelStatus]
    counts: dict[str, int]
    total: int  # tables in the run
    matching: int  # tables passing the filters
    status: str
    query: str
    offset: int = 0

    @property
    def shown_until(self) -> int:
        return self.offset + len(self.rows)

    @property
    def remaining(self) -> int:
        return max(self.matching - self.shown_until, 0)

    @property
    def next_count(self) -> int:
        return min(self.remaining, GRID_PAGE)

    @property
    def more_query(self) -> str:
        return urlencode({"status": self.status, "q": self.query, "offset": self.shown_until})

    @property
    def rows_digest(self) -> str:
        """Every field the grid's rows show: their HTML is kept under it (the template's cache
        tag, with the run and the page's address), so a changed row is a new key."""
        return digest(*((row.pk, row.status, row.object_type, row.schema, row.table, row.model,
                         row.finding_count, row.worst_severity) for row in self.rows))


def grid(run: AuditRun | None, *, status: str = "", query: str = "", offset: int = 0) -> Grid:
    """One page of the table/model grid of a run, worst first, filtered; two or three queries.

    A page holds GRID_PAGE rows: the worst tables come first, so the first page is what needs
    attention, and the rest loads on demand ("show more") instead of weighing on every visit.
    """
    counts = dict.fromkeys(STATUS_ORDER, 0)
    if run is None:
        return Grid(rows=[], counts=counts, total=0, matching=0, status=status, query=query)
    statuses = statuses_of(run)
    for row in statuses.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    if status == "problems":
        statuses = statuses.exclude(status="ok")
        matching = sum(n for s, n in counts.items() if s != "ok")
    elif status in STATUS_ORDER:
        statuses = statuses.filter(status=status)
        matching = counts[status]
    else:
        matching = sum(counts.values())
    if query:
        statuses = statuses.filter(Q(table__icontains=query) | Q(model__icontains=query))
        matching = statuses.count()
    offset = max(offset, 0)
    rows = list(statuses.order_by("-status_rank", "table", "id").only(
        "id", "object_type", "schema", "table", "model", "status", "finding_count",
        "worst_severity")
        [offset:offset + GRID_PAGE])
    return Grid(rows=rows, counts=counts, total=sum(counts.values()), matching=matching,
                status=status, query=query, offset=offset)


def table_findings(run: AuditRun, schema: str, table: str,
                   object_type: str = "table") -> list[Finding]:
    """The findings of one Drift tab row: a table's, an enum type's or a schema's."""
    if object_type == "table":
        return list(findings_of(run).filter(schema__in=[schema, ""], table=table)
                    .order_by("severity_rank", "column", "id"))
    outside = (findings_of(run).filter(schema__in=[schema, ""], table="")
               .order_by("severity_rank", "object_name", "id"))
    return [f for f in outside
            if row_key(finding_from_row(f)) == (object_type, schema or "public", table)]


def run_list(target: Target, limit: int = 200) -> list[AuditRun]:
    return list(AuditRun.objects.filter(target=target)
                .select_related("requested_by").order_by("-queued_at", "-id")[:limit])


def run_findings(run: AuditRun) -> list[Finding]:
    return list(findings_of(run).order_by("severity_rank", "table", "column", "id"))


def incident_targets(incident: Incident) -> list[TargetCard]:
    return overview(Target.objects.filter(incidents=incident))
