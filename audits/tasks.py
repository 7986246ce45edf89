"""Celery discovers ``audits.tasks``: every feature's tasks, and the sweep that spans them."""

from __future__ import annotations

from celery import shared_task

from audits.alerts.tasks import deliver_alert
from audits.catastrophe.tasks import deliver_catastrophe_alert
from audits.endpoints import services as endpoint_services
from audits.endpoints.tasks import rescan_endpoints
from audits.targets import services as target_services
from audits.targets.tasks import enqueue_due_audits, run_audit

__all__ = ["deliver_alert", "deliver_catastrophe_alert", "enqueue_due_audits",
           "rescan_endpoints", "run_audit", "sweep_stale_audits"]


@shared_task(name="audits.sweep_stale_audits")
def sweep_stale_audits() -> int:
    """Stale audit runs, and stale endpoint rescans (the same failure, on the same beat)."""
    return target_services.sweep_stale_runs() + endpoint_services.sweep_stale_rescans()
