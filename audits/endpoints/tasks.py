"""Celery task of endpoint safety: "Rescan code" off the web request."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(
    name=services.RESCAN_TASK,
    time_limit=services.RESCAN_TIME_LIMIT,
    soft_time_limit=services.RESCAN_SOFT_TIME_LIMIT,
    acks_late=True,
)
def rescan_endpoints(rescan_id: int) -> str:
    """"Rescan code": claims the rescan (queued -> running) or does nothing if it is taken or
    finished, so a redelivered message never scans twice."""
    job = services.execute_rescan(rescan_id)
    return "skipped" if job is None else job.status
