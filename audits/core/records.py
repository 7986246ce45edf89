"""The one place where engine values (dataclasses) and audit rows meet: a run's findings and
model statuses written from a report, and a report read back from them."""

from __future__ import annotations

import hashlib
import re

from django.db.models import QuerySet, Subquery
from django.db.models.functions import Coalesce

from audits.engine import model as engine_model

from .models import STATUS_ORDER, AuditRun, Finding, ModelStatus


def fingerprint(finding: engine_model.Finding) -> str:
    """The identity of a finding across runs: what is wrong where, not the wording."""
    key = "|".join(
        str(part or "")
        for part in (finding.kind, finding.schema, finding.table, finding.column,
                     finding.object_name, finding.field)
    )
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def finding_row(run: AuditRun, finding: engine_model.Finding) -> Finding:
    severity = engine_model.Severity(finding.severity)
    return Finding(
        run=run, kind=finding.kind, severity=severity.value, severity_rank=severity.rank,
        schema=finding.schema or "", table=finding.table or "", column=finding.column or "",
        model=finding.model or "", field=finding.field or "",
        object_name=finding.object_name or "", expected=finding.expected or "",
        actual=finding.actual or "", message=finding.message, fingerprint=fingerprint(finding),
    )


def finding_from_row(row: Finding) -> engine_model.Finding:
    return engine_model.Finding(
        kind=row.kind, severity=engine_model.Severity(row.severity), message=row.message,
        table=row.table or None, schema=row.schema or None, model=row.model or None,
        field=row.field or None, column=row.column or None, expected=row.expected or None,
        actual=row.actual or None, object_name=row.object_name or None,
    )


ENUM_NAME_RE = re.compile(r'^The enum type "(?P<name>[^"]+)"')
RowKey = tuple[str, str, str]  # (object type, schema, name)


def enum_name_of(kind: str, object_name: str, message: str) -> str:
    """The enum type a finding is about: its object for a whole enum, else (a value's
    finding) the type its message names, as the engine writes it."""
    if kind in ("missing_enum", "extra_enum"):
        return object_name
    match = ENUM_NAME_RE.match(message)
    return match["name"] if match else object_name


def row_key(finding: engine_model.Finding) -> RowKey:
    """The Drift tab row a finding belongs to: its table, its enum type, or its schema."""
    schema = finding.schema or "public"
    if finding.table:
        return ("table", schema, finding.table)
    if finding.kind.endswith(("enum", "enum_value")):
        return ("enum", schema, enum_name_of(finding.kind, finding.object_name or "",
                                             finding.message))
    return ("schema", schema, schema)


def _status_of_object(found: list[engine_model.Finding]) -> str:
    if any(f.kind in ("missing_enum", "missing_table") for f in found):
        return "missing"
    worst = min(engine_model.Severity(f.severity).rank for f in found)
    return ("broken", "broken", "degraded", "ok")[worst]


def status_rows(run: AuditRun, report: engine_model.Report) -> list[ModelStatus]:
    """One row per table the report covers, plus one per enum type or schema that has
    findings, so every finding is counted on exactly one row of the Drift tab."""
    per_row: dict[RowKey, list[engine_model.Finding]] = {}
    for finding in report.findings:
        per_row.setdefault(row_key(finding), []).append(finding)
    statuses = {("table", obj.schema, obj.table): (obj.status.value, obj.model or "")
                for obj in report.objects}
    for key, found in per_row.items():
        if key not in statuses:
            statuses[key] = (_status_of_object(found), "")
    rows = []
    for (object_type, schema, name), (status, model) in statuses.items():
        found = per_row.get((object_type, schema, name), [])
        worst = min((engine_model.Severity(f.severity).rank for f in found), default=None)
        rows.append(ModelStatus(
            run=run, object_type=object_type, schema=schema, table=name, model=model,
            status=status, status_rank=STATUS_ORDER.index(status), finding_count=len(found),
            worst_severity=engine_model.SEVERITY_ORDER[worst].value if worst is not None else "",
        ))
    return rows


def result_digest(report: engine_model.Report) -> str:
    """A hash of every field of every row ``report`` becomes (its findings, then its tables'
    statuses, in order): two reports with the same digest are stored as the same rows, so a
    run can share its previous run's (``AuditRun.rows_from``)."""
    findings = [(f.kind, f.severity.value, f.message, f.table, f.schema, f.model, f.field,
                 f.column, f.expected, f.actual, f.object_name) for f in report.findings]
    objects = [(o.table, o.status.value, o.schema, o.model) for o in report.objects]
    return hashlib.sha256(repr((findings, objects)).encode()).hexdigest()


def findings_of(run: AuditRun) -> QuerySet[Finding]:
    """A run's findings: its own rows or those of the earlier run it shares them with."""
    return Finding.objects.filter(run_id=run.rows_run_id)


def statuses_of(run: AuditRun) -> QuerySet[ModelStatus]:
    return ModelStatus.objects.filter(run_id=run.rows_run_id)


def rows_run_of(run_id: int | None) -> Subquery:
    """The id of the run holding the rows of run ``run_id``, inside another query: for callers
    that know a run only by its id (a target's ``last_success_id``)."""
    return Subquery(AuditRun.objects.filter(pk=run_id)
                    .values(owner=Coalesce("rows_from_id", "id"))[:1])


def report_from_run(run: AuditRun, dialect: str = "") -> engine_model.Report:
    """The run's report from its rows; ``dialect`` is its live schema's, when the caller has
    it (the target's may have changed since)."""
    return engine_model.Report(
        dialect=dialect or run.target.dialect,
        findings=tuple(finding_from_row(row) for row in findings_of(run)),
        objects=tuple(
            engine_model.ObjectStatus(
                table=row.table, status=engine_model.Status(row.status), schema=row.schema,
                model=row.model or None,
            )
            for row in statuses_of(run) if row.object_type == "table"
        ),
    )


def worst_status_of(report: engine_model.Report) -> str:
    """The target's headline status: its worst table, raised by findings outside any table."""
    ranks = [STATUS_ORDER.index(obj.status.value) for obj in report.objects]
    counts = report.by_severity()
    if counts["critical"] or counts["error"]:
        ranks.append(STATUS_ORDER.index("broken"))
    elif counts["warning"]:
        ranks.append(STATUS_ORDER.index("degraded"))
    return STATUS_ORDER[max(ranks, default=0)]
