"""Celery task of the catastrophe watch: deliver one detection's alert, with retries."""

from __future__ import annotations

from celery import shared_task

from audits.alerts.delivery import DeliveryError

from . import services

MAX_RETRIES = 5


@shared_task(
    name=services.DELIVER_TASK,
    bind=True,
    autoretry_for=(DeliveryError,),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=False,
    max_retries=MAX_RETRIES,
)
def deliver_catastrophe_alert(self: object, record_id: int) -> str:
    """Email and webhook; a channel already delivered is not sent again on a retry."""
    final = self.request.retries >= MAX_RETRIES  # type: ignore[attr-defined]
    return services.deliver_alert(record_id, final_attempt=final)
