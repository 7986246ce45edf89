"""Celery task of alerts: deliver one alert by email and webhook, with retries."""

from __future__ import annotations

from celery import shared_task

from . import delivery
from .services import DELIVER_ALERT_TASK

ALERT_MAX_RETRIES = 5


@shared_task(
    name=DELIVER_ALERT_TASK,
    bind=True,
    autoretry_for=(delivery.DeliveryError,),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=False,
    max_retries=ALERT_MAX_RETRIES,
)
def deliver_alert(self: object, alert_id: int) -> str:
    """Email and webhook; a channel already delivered is not sent again on a retry."""
    final = self.request.retries >= ALERT_MAX_RETRIES  # type: ignore[attr-defined]
    return delivery.deliver(alert_id, final_attempt=final)
