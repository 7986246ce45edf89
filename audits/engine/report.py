"""A Report as JSON (a documented shape other tools rely on) and as readable text.

JSON shape (README, "Drift report JSON"):
``{"dialect", "summary": {"models", "tables", "findings", "by_severity"},
"models": [{"model", "table", "status"}],
"findings": [{"kind", "severity", "model", "field", "table", "column", "expected", "actual",
"message"}]}``
"""

from __future__ import annotations

from typing import Any

from audits.engine.model import SEVERITY_ORDER, Finding, ObjectStatus, Report, Status

FINDING_KEYS = ("kind", "severity", "model", "field", "table", "column", "expected", "actual",
                "message")
# worst first
STATUS_ORDER = (Status.MISSING, Status.BROKEN, Status.DEGRADED, Status.OK)


def report_to_dict(report: Report) -> dict[str, Any]:
    return {
        "dialect": report.dialect,
        "summary": {
            "models": sum(1 for o in report.objects if o.model is not None),
            "tables": len(report.objects),
            "findings": len(report.findings),
            "by_severity": report.by_severity(),
        },
        "models": [
            {"model": o.model, "table": o.table, "status": o.status.value}
            for o in report.objects
        ],
        "findings": [finding_to_dict(f) for f in report.findings],
    }


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """One finding in the drift JSON's shape (``findings`` items)."""
    data: dict[str, Any] = {key: getattr(finding, key) for key in FINDING_KEYS}
    data["severity"] = finding.severity.value
    return data


def summary_line(report: Report) -> str:
    """``2 models broken, 20 missing, 44 findings: 41 critical, 0 error, 0 warning, 3 info``."""
    models = [o for o in report.objects if o.model is not None]
    count = {status: sum(1 for o in models if o.status == status) for status in Status}
    broken = count[Status.BROKEN]
    parts = [f"{broken} model{'' if broken == 1 else 's'} broken"]
    if count[Status.DEGRADED]:
        parts.append(f"{count[Status.DEGRADED]} degraded")
    parts.append(f"{count[Status.MISSING]} missing")
    total = len(report.findings)
    parts.append(f"{total} finding{'' if total == 1 else 's'}")
    by_severity = report.by_severity()
    severities = ", ".join(f"{by_severity[s.value]} {s.value}" for s in SEVERITY_ORDER)
    return ", ".join(parts) + ": " + severities


def report_to_text(report: Report) -> str:
    """Grouped by model (or table), worst first, then the one-line summary."""
    lines: list[str] = []
    for obj in sorted(report.objects, key=_object_order):
        findings = [f for f in report.findings
                    if f.table == obj.table and (f.schema or "public") == obj.schema]
        if obj.status == Status.OK and not findings:
            continue
        lines.append(f"{_object_title(obj)} [{obj.status.value}]")
        lines.extend(f"  {f.severity.value:<8} {f.kind}: {f.message}" for f in findings)
        lines.append("")
    loose = [f for f in report.findings if f.table is None]
    if loose:
        lines.append("Enums")
        lines.extend(f"  {f.severity.value:<8} {f.kind}: {f.message}" for f in loose)
        lines.append("")
    if not report.has_drift():
        lines.append("No drift: nothing above info.")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _object_order(obj: ObjectStatus) -> tuple[int, int, str, str]:
    # models before tables without one, then worst status first, then by name
    return (0 if obj.model else 1, STATUS_ORDER.index(obj.status), obj.schema,
            obj.model or obj.table)


def _object_title(obj: ObjectStatus) -> str:
    schema = "" if obj.schema == "public" else f"{obj.schema}."
    if obj.model is None:
        return f'table {schema}"{obj.table}"'
    if obj.model == obj.table:
        return f"{obj.model}"
    return f'{obj.model} (table {schema}"{obj.table}")'


__all__ = ["FINDING_KEYS", "report_to_dict", "report_to_text", "summary_line"]
