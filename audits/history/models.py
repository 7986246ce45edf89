"""Migration history: what each audit saw of the target's migrations. Written through
``audits.history.services`` only, once per run, and never changed afterwards."""

from __future__ import annotations

from django.db import models

from audits.core.models import AuditRun, Target

MIGRATION_STATE_ORDER = ("failed", "edited", "unknown", "rolled_back", "pending",
                         "marked_applied", "applied")  # from what needs a look first


class HistoryRecordImmutable(Exception):
    """A run's history record is written once with the run and never edited."""


class _WrittenOnce(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise HistoryRecordImmutable(f"{type(self).__name__} #{self.pk} is a record")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class HistoryCheck(_WrittenOnce):
    """The history check of one audit run: target-level facts, or why it could not run."""

    run = models.OneToOneField(AuditRun, on_delete=models.CASCADE, related_name="history")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="history_checks")
    migrations_path = models.CharField(max_length=1000)
    # the history check failed (redacted); the drift audit of the same run still stands
    error = models.TextField(blank=True, default="")
    table_present = models.BooleanField(null=True)  # None: the check did not run
    in_flight = models.BooleanField(default=False)
    recreated = models.BooleanField(default=False)  # since the previous run with history
    identity = models.JSONField(null=True, blank=True)  # {oid, oldest_started_at}
    fix_sql = models.TextField(blank=True, default="")  # for the write_migration rows
    replay_error = models.TextField(blank=True, default="")
    replay_cached = models.BooleanField(default=False)
    folder_hash = models.CharField(max_length=64, blank=True, default="")
    state_counts = models.JSONField(default=dict, blank=True)  # {state: n}
    verdict_counts = models.JSONField(default=dict, blank=True)  # {verdict: n}
    timings = models.JSONField(default=dict, blank=True)
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["target", "-checked_at"], name="history_target_idx")]

    def __str__(self) -> str:
        return f"history of run #{self.run_id}"

    @property
    def ok(self) -> bool:
        return not self.error


class MigrationRecord(_WrittenOnce):
    """One migration as one run saw it: its state, both checksums, when it ran."""

    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="migration_records")
    position = models.PositiveIntegerField()  # Prisma's order
    name = models.CharField(max_length=300)
    state = models.CharField(max_length=20)
    state_rank = models.PositiveSmallIntegerField(default=0)  # MIGRATION_STATE_ORDER index
    checksum_local = models.CharField(max_length=64, blank=True, default="")
    checksum_db = models.CharField(max_length=64, blank=True, default="")
    checksum_match = models.CharField(max_length=20, blank=True, default="")  # "" : one missing
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    applied_steps_count = models.IntegerField(null=True, blank=True)
    logs = models.TextField(blank=True, default="")  # an excerpt (failed migrations)
    absent_objects = models.JSONField(default=list, blank=True)
    absent_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        indexes = [
            models.Index(fields=["run", "position"], name="migrecord_run_idx"),
            models.Index(fields=["run", "name"], name="migrecord_run_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.state}"


class ThreeWayRecord(_WrittenOnce):
    """One difference between code, history and database, and which one to fix."""

    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="three_way_rows")
    position = models.PositiveIntegerField()
    object = models.CharField(max_length=600)
    kind = models.CharField(max_length=20)
    schema = models.CharField(max_length=200, default="public")
    table = models.CharField(max_length=300, blank=True, default="")  # "" for enums
    model = models.CharField(max_length=300, blank=True, default="")
    in_code = models.BooleanField(null=True)  # None: no schema.prisma was compared
    in_history = models.BooleanField()
    in_database = models.BooleanField()
    verdict = models.CharField(max_length=40)
    migration = models.CharField(max_length=300, blank=True, default="")
    finding = models.CharField(max_length=40, blank=True, default="")
    message = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["run", "position"], name="threeway_run_idx")]

    def __str__(self) -> str:
        return f"{self.object}: {self.verdict}"
