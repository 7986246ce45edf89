"""The catastrophe watch's records: the vital signs of each audit, and per-target thresholds."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from audits.alerts.models import Alert
from audits.core.models import AuditRun, Target
from audits.engine.vitals import Detection, Thresholds, VitalSigns


class WatchSettings(models.Model):
    """A target's thresholds for the detectors; a target without a row uses the defaults.
    (Whether the target is protected, and whether rows are counted exactly, are on Target:
    the overview and the audit read them.)"""

    target = models.OneToOneField(Target, on_delete=models.CASCADE,
                                  related_name="catastrophe_settings")
    # Thresholds.to_plain() keys; a missing key takes the default
    thresholds = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "catastrophe watch settings"
        verbose_name_plural = "catastrophe watch settings"

    def __str__(self) -> str:
        return f"catastrophe thresholds of {self.target}"

    def clean(self) -> None:
        if not isinstance(self.thresholds, dict):
            raise ValidationError({"thresholds": "Thresholds are a JSON object."})
        unknown = sorted(set(self.thresholds) - set(Thresholds().to_plain()))
        if unknown:
            raise ValidationError({"thresholds": f"Unknown thresholds: {', '.join(unknown)}."})
        problems = Thresholds.from_plain(self.thresholds).problems()
        if problems:
            raise ValidationError({"thresholds": problems})

    def limits(self) -> Thresholds:
        return Thresholds.from_plain(self.thresholds)


class VitalSignsRecord(models.Model):
    """The vital signs one succeeded audit read, what they were compared with, what was found,
    and the alert it raised (delivered like the status alerts, through the target's channels).
    """

    run = models.OneToOneField(AuditRun, on_delete=models.CASCADE, related_name="vital_signs")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="vital_signs")
    vitals = models.JSONField()  # VitalSigns.to_stored()
    total_rows = models.BigIntegerField(default=0)  # for the chart: rows of the user tables
    table_count = models.PositiveIntegerField(default=0)
    rows_exact = models.BooleanField(default=False)
    # the last healthy record this one was compared with (None: the first one)
    baseline = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    healthy = models.BooleanField(default=True)  # nothing detected
    detections = models.JSONField(default=list, blank=True)  # [Detection, plain]
    incident = models.ForeignKey("recovery.Incident", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    opened_incident = models.BooleanField(default=False)  # this record opened it
    # Alert delivery, the same words as audits.alerts: "" when this record raised no alert
    email_status = models.CharField(max_length=10, blank=True, default="",
                                    choices=Alert.Delivery.choices)
    webhook_status = models.CharField(max_length=10, blank=True, default="",
                                      choices=Alert.Delivery.choices)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "vital signs record"
        indexes = [models.Index(fields=["target", "-id"], name="vitals_target_recent_idx")]

    def __str__(self) -> str:
        return f"vital signs of audit #{self.run_id}"

    def signs(self) -> VitalSigns:
        return VitalSigns.from_stored(self.vitals)

    def found(self) -> list[Detection]:
        return [Detection.from_plain(item) for item in self.detections]

    @property
    def rows_text(self) -> str:
        return f"{self.total_rows:,}"

    @property
    def titles(self) -> list[str]:
        return [str(item.get("title", "")) for item in self.detections]

    def as_point(self) -> dict[str, Any]:
        return {"run": self.run.number or self.run_id, "rows": self.total_rows,
                "tables": self.table_count, "detected": not self.healthy, "at": self.created_at}
