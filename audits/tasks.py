"""Celery tasks: load, call a service, done. Each is safe to run twice for the same input."""

from __future__ import annotations

from celery import shared_task

from . import alerts, conf, endpoints, services

ALERT_MAX_RETRIES = 5


@shared_task(
    name="audits.run_audit",
    time_limit=conf.audit_time_limit(),
    soft_time_limit=conf.audit_soft_time_limit(),
    acks_late=True,
)
def run_audit(run_id: int) -> str:
    """Claims the run (queued -> running) or does nothing if another worker has it.

    The soft limit raises inside the audit and ends the run as failed with that reason; the
    hard limit (prefork pool) kills the process, and the sweep then fails the run.
    """
    run = services.execute_audit(run_id)
    return "skipped" if run is None else run.status


@shared_task(name="audits.enqueue_due_audits")
def enqueue_due_audits() -> int:
    return len(services.enqueue_due_targets())


@shared_task(name="audits.sweep_stale_audits")
def sweep_stale_audits() -> int:
    """Stale audit runs, and stale endpoint rescans (the same failure, on the same beat)."""
    return services.sweep_stale_runs() + endpoints.sweep_stale_rescans()


@shared_task(
    name="audits.rescan_endpoints",
    time_limit=endpoints.RESCAN_TIME_LIMIT,
    soft_time_limit=endpoints.RESCAN_SOFT_TIME_LIMIT,
    acks_late=True,
)
def rescan_endpoints(rescan_id: int) -> str:
    """"Rescan code": claims the rescan (queued -> running) or does nothing if it is taken or
    finished, so a redelivered message never scans twice."""
    job = endpoints.execute_rescan(rescan_id)
    return "skipped" if job is None else job.status


@shared_task(
    name="audits.deliver_alert",
    bind=True,
    autoretry_for=(alerts.DeliveryError,),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=False,
    max_retries=ALERT_MAX_RETRIES,
)
def deliver_alert(self: object, alert_id: int) -> str:
    """Email and webhook; a channel already delivered is not sent again on a retry."""
    final = self.request.retries >= ALERT_MAX_RETRIES  # type: ignore[attr-defined]
    return alerts.deliver(alert_id, final_attempt=final)
