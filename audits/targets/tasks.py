"""Celery tasks of the drift feature: load, call a service, done. Each is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from audits.core import conf

from . import services


@shared_task(
    name=services.RUN_AUDIT_TASK,
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
