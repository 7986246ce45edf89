"""Alerts: one per change of a target's worst status, written on its open incidents and
delivered by a Celery task. Reacts to the audit-finished event; the audit flow never calls it."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.urls import reverse

from audits.core import queueing
from audits.core.events import AuditFinished
from audits.core.incidents import EntryKind, log_on_open_incidents
from audits.core.models import AuditRun, Target, database_health

from .models import Alert

log = logging.getLogger(__name__)

DELIVER_ALERT_TASK = "audits.deliver_alert"


def on_audit_finished(sender: Any, event: AuditFinished, **kwargs: Any) -> None:
    alert = alert_if_changed(event.run.target, event.run, event.previous, event.worst_status,
                             event.counts)
    if alert is not None:
        alert_id = alert.pk
        transaction.on_commit(lambda: enqueue_alert(alert_id))


def alert_if_changed(
    target: Target, run: AuditRun, previous: AuditRun | None, worst: str,
    counts: dict[str, int],
) -> Alert | None:
    """One alert per change of the worst status; a first audit alerts only when not ok."""
    before = previous.worst_status if previous is not None else ""
    if before == worst or (not before and worst == "ok"):
        return None
    summary = counts_text(counts)
    # In the words the pages use for a database; broken <-> missing tables is still news.
    was, now = (database_health(before) if before else ""), database_health(worst)
    change = f"{was or 'first audit'} → {now}"
    if was == now:
        change += ", tables missing" if worst == "missing" else ", no table missing now"
    message = f"{target.name}: {change}" + (f" ({summary})" if summary else "")
    with transaction.atomic():
        alert = Alert.objects.create(
            target=target, run=run, previous_status=before, status=worst, message=message
        )
        record_alert(target, alert)
    return alert


def counts_text(counts: dict[str, int]) -> str:
    parts = [f"{counts.get(label, 0)} {label}" for label in ("critical", "error", "warning")
             if counts.get(label)]
    return ", ".join(parts)


def record_alert(target: Target, alert: Alert) -> None:
    """One timeline entry per open incident: an alert when drift appears, a finding when the
    target turns ok again (that is news for the recovery, not an alarm)."""
    kind = EntryKind.FINDING if alert.status == "ok" else EntryKind.ALERT
    url = reverse("audits:run", args=[target.slug, alert.run_id])
    body = f"Audit of **{target.name}**: {alert.message}. [Audit #{alert.run.number}]({url})"
    log_on_open_incidents(target, body, kind=kind)


def enqueue_alert(alert_id: int) -> None:
    def note_failure(pk: int, reason: str) -> None:
        # an alert that cannot be queued never fails the audit
        Alert.objects.filter(pk=pk).update(last_error=reason[:4000])

    queueing.send(DELIVER_ALERT_TASK, alert_id, what="alert", fail=note_failure)
