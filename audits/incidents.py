"""What audits write to and read from the recovery log (recovery never imports audits)."""

from __future__ import annotations

from django.urls import reverse

from recovery import services as recovery_services
from recovery.models import EntryKind, Incident, Status

from .models import Alert, Target


def open_incidents(target: Target) -> list[Incident]:
    return list(target.incidents.exclude(status=Status.RESOLVED))


def record_alert(target: Target, alert: Alert) -> None:
    """One timeline entry per open incident: an alert when drift appears, a finding when the
    target turns ok again (that is news for the recovery, not an alarm)."""
    kind = EntryKind.FINDING if alert.status == "ok" else EntryKind.ALERT
    url = reverse("audits:run", args=[target.slug, alert.run_id])
    body = f"Audit of **{target.name}**: {alert.message}. [Audit run #{alert.run_id}]({url})"
    for incident in open_incidents(target):
        recovery_services.log_step(incident, body=body, author=None, kind=kind)
