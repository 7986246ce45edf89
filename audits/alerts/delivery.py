"""Alert delivery: email through Django's mail, and a Slack-compatible webhook.

A channel that succeeded is marked ``sent`` and never sent again when the task is retried for
the other channel. A failure raises ``DeliveryError`` so Celery retries with backoff; after the
last attempt the channel is marked ``failed``. Nothing here touches the audit run.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models
from django.db.models import F
from django.utils import timezone

from audits.core.crypto import SecretUnreadable
from audits.core.models import Target, database_health

from .models import Alert

WEBHOOK_TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-Driftwatch-Signature"


class DeliveryError(Exception):
    """One channel could not deliver; the task retries."""


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>` of the exact request body, the way GitHub-style receivers verify it."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(alert: Alert) -> bytes:
    target = alert.target
    payload = {
        "text": f"Driftwatch: {alert.message}",
        "target": target.slug,
        "status": alert.status,
        "previous_status": alert.previous_status,
        "run": alert.run_id,
    }
    return json.dumps(payload, sort_keys=True).encode()


def post_webhook(url: str, body: bytes, secret: str) -> None:
    headers = {"Content-Type": "application/json", "User-Agent": "Driftwatch"}
    if secret:
        headers[SIGNATURE_HEADER] = signature(secret, body)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"webhook answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"webhook unreachable: {reason}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"webhook answered HTTP {status}")


def email_target(target: Target, subject: str, message: str) -> None:
    """One email to the target's alert addresses; DeliveryError when it cannot be sent."""
    try:
        send_mail(subject=subject, message=message, from_email=settings.DEFAULT_FROM_EMAIL,
                  recipient_list=target.alert_email_list)
    except Exception as exc:  # SMTP errors come in many classes
        raise DeliveryError(f"email failed: {type(exc).__name__}: {exc}") from exc


def post_to_target_webhook(target: Target, body: bytes) -> None:
    """POST ``body`` to the target's webhook, signed with its secret when it has one."""
    try:
        secret = target.webhook_secret
    except SecretUnreadable as exc:  # a channel failure to report, not a crashed task
        raise DeliveryError("the webhook secret cannot be decrypted: the encryption key "
                            "changed since it was saved; enter it again") from exc
    post_webhook(target.webhook_url, body, secret)


def _send_email(alert: Alert) -> None:
    target = alert.target
    email_target(target, f"[Driftwatch] {target.name} is {database_health(alert.status)}",
                 f"{alert.message}\n\nAudit #{alert.run.number} of {target.name}.")


def _send_webhook(alert: Alert) -> None:
    post_to_target_webhook(alert.target, webhook_body(alert))


def deliver(alert_id: int, *, final_attempt: bool = False) -> str:
    alert = Alert.objects.select_related("target").filter(pk=alert_id).first()
    if alert is None:
        return "gone"
    return deliver_on_channels(Alert, alert, alert.target, email=lambda: _send_email(alert),
                               webhook=lambda: _send_webhook(alert),
                               final_attempt=final_attempt)


def deliver_on_channels(model: type[models.Model], row: Any, target: Target, *,
                        email: Callable[[], None], webhook: Callable[[], None],
                        final_attempt: bool) -> str:
    """Send ``row`` (an alert-like model with ``email_status``, ``webhook_status``,
    ``attempts``, ``last_error`` and ``delivered_at``) through the target's channels. A channel
    already sent is skipped on a retry; an unconfigured one is marked skipped; a failure raises
    DeliveryError (for the task's retry) until the final attempt marks it failed."""
    rows = model.objects.filter(pk=row.pk)  # type: ignore[attr-defined]
    rows.update(attempts=F("attempts") + 1)
    channels = (
        ("email_status", bool(target.alert_email_list), email),
        ("webhook_status", bool(target.webhook_url), webhook),
    )
    errors = []
    for field, configured, send in channels:
        if getattr(row, field) != Alert.Delivery.PENDING:
            continue  # already sent (or skipped) on an earlier attempt
        if not configured:
            rows.update(**{field: Alert.Delivery.SKIPPED})
            continue
        try:
            send()
        except DeliveryError as exc:
            errors.append(str(exc))
            if final_attempt:
                rows.update(**{field: Alert.Delivery.FAILED})
            continue
        rows.update(**{field: Alert.Delivery.SENT}, delivered_at=timezone.now())
    rows.update(last_error="; ".join(errors))
    if errors and not final_attempt:
        raise DeliveryError("; ".join(errors))
    return "failed" if errors else "sent"
