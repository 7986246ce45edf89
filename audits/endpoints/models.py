"""Endpoint safety: the endpoints of a target's code, their verdicts, scans, rescans and
overrides. Written through ``audits.endpoints.services`` only."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from audits.core.models import AuditRun, Target

VERDICT_ORDER = ("safe", "degraded", "unknown", "unsafe")  # from best to worst


class EndpointVerdictChoice(models.TextChoices):
    SAFE = "safe", "safe"
    DEGRADED = "degraded", "degraded"
    UNKNOWN = "unknown", "unknown"
    UNSAFE = "unsafe", "unsafe"


class Endpoint(models.Model):
    """One route and one method (or ``*``) of a target's backend code, as the last scan saw it,
    with the verdict the last successful audit gives it."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="endpoints")
    route = models.CharField(max_length=1000)
    methods = models.JSONField(default=list)  # ["GET"], or ["*"] for a handler of every method
    method_key = models.CharField(max_length=200)  # "GET" / "GET,POST" / "*": part of identity
    prefix = models.CharField(max_length=1000, blank=True, default="")  # "/api/auth": grouping
    file = models.CharField(max_length=1000, blank=True, default="")
    verdict = models.CharField(max_length=10, choices=EndpointVerdictChoice.choices)
    verdict_rank = models.PositiveSmallIntegerField(default=0)  # 3 = unsafe: sorts worst first
    reasons = models.JSONField(default=list)
    decided_by_run = models.ForeignKey(
        AuditRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verdict_since = models.DateTimeField()
    search_text = models.TextField(blank=True, default="")  # lower-cased route, file, models
    updated_at = models.DateTimeField(auto_now=True)
    # Prisma models it touches, overrides applied; last: the name shadows django.db.models
    models = models.JSONField(default=list)

    class Meta:
        ordering = ["prefix", "route", "method_key"]
        constraints = [
            models.UniqueConstraint(fields=["target", "route", "method_key"],
                                    name="endpoint_identity")
        ]
        indexes = [models.Index(fields=["target", "verdict"], name="endpoint_verdict_idx")]

    def __str__(self) -> str:
        return f"{self.method_key} {self.route}"

    @property
    def key(self) -> str:
        return f"{self.method_key} {self.route}"


class EndpointScan(models.Model):
    """The last endpoint scan of a target: when, what it could not follow, and its error."""

    target = models.OneToOneField(Target, on_delete=models.CASCADE, related_name="endpoint_scan")
    scanned_at = models.DateTimeField(null=True, blank=True)
    run = models.ForeignKey(
        AuditRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True, default="")  # empty when the last scan succeeded
    error_at = models.DateTimeField(null=True, blank=True)
    unresolved = models.JSONField(default=list, blank=True)  # [{file, specifier, line}]
    counts = models.JSONField(default=dict, blank=True)  # {verdict: n}
    # The API's endpoint list as JSON text, rendered when the endpoints are stored (render on
    # write): mobile CI polls it, and serving stored bytes costs one query and no serialization.
    payload = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return f"endpoint scan of {self.target}"


class EndpointRescan(models.Model):
    """One "Rescan code" request, run by a Celery worker: queued -> running -> succeeded or
    failed. Its own row (rather than fields on EndpointScan) so that, like an AuditRun, a task
    message names exactly one piece of work, claims it once and the page polls that one."""

    State = AuditRun.State  # the same four states, read the same way by the page and the sweep
    FINISHED = AuditRun.FINISHED

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="endpoint_rescans")
    status = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # as AuditRun's
    finished_at = models.DateTimeField(null=True, blank=True)
    endpoint_count = models.PositiveIntegerField(null=True, blank=True)  # set on success
    error = models.TextField(blank=True, default="")  # the reason it failed, already redacted

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["target", "-queued_at"], name="rescan_target_recent_idx")]
        constraints = [
            # The database itself refuses a second active rescan of the same target.
            models.UniqueConstraint(
                fields=["target"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_rescan_per_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.target} rescan #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class EndpointOverride(models.Model):
    """A model dependency the scanner cannot see (add) or sees wrongly (remove)."""

    class Action(models.TextChoices):
        ADD = "add", "add"
        REMOVE = "remove", "remove"

    target = models.ForeignKey(Target, on_delete=models.CASCADE,
                               related_name="endpoint_overrides")
    route = models.CharField(max_length=1000)
    method = models.CharField(max_length=20, blank=True, default="")  # "": every method
    model = models.CharField(max_length=300)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.ADD)
    reason = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["route", "method", "model", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.model} on {self.method or '*'} {self.route}"
