"""The post-mortem section audits adds: the drift state of the incident's targets."""

from __future__ import annotations

from audits.core.models import Target
from recovery.models import Incident
from recovery.postmortem import Section


def drift_section(incident: Incident) -> Section | None:
    targets = list(
        Target.objects.filter(incidents=incident).select_related("last_success")
        .order_by("name")
    )
    if not targets:
        return None
    lines = ["| Database | Status | Critical | Error | Warning | Last audit |",
             "|---|---|---|---|---|---|"]
    for target in targets:
        run = target.last_success
        if run is None:
            lines.append(f"| {target.name} | not audited | — | — | — | — |")
            continue
        lines.append(
            f"| {target.name} | {run.worst_status} | {run.critical_count} | {run.error_count} "
            f"| {run.warning_count} | {run.finished_at:%Y-%m-%d %H:%M %Z} (audit #{run.number}) |"
        )
    return Section("Drift state of the databases", "\n".join(lines))
