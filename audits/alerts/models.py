"""Alerts: a change of a target's worst status, and how its delivery went."""

from __future__ import annotations

from django.db import models

from audits.core.models import AuditRun, Target


class Alert(models.Model):
    """A change of a target's worst status, and how its delivery went."""

    class Delivery(models.TextChoices):
        PENDING = "pending", "pending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"
        SKIPPED = "skipped", "not configured"

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="alerts")
    run = models.OneToOneField(AuditRun, on_delete=models.CASCADE, related_name="alert")
    previous_status = models.CharField(max_length=20, blank=True, default="")
    status = models.CharField(max_length=20)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    email_status = models.CharField(
        max_length=10, choices=Delivery.choices, default=Delivery.PENDING
    )
    webhook_status = models.CharField(
        max_length=10, choices=Delivery.choices, default=Delivery.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.message
