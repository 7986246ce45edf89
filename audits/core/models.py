"""Targets, the schemas they are expected to have, and the audits that compared them.

Conversions to and from the engine's dataclasses live in ``audits.core.records`` only; these models
know nothing about the engine beyond the status and severity words they store.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables

from . import crypto

STATUS_ORDER = ("ok", "degraded", "broken", "missing")  # from best to worst
TREND_LENGTH = 30
SEVERITY_ORDER = ("critical", "error", "warning", "info")  # from worst to least


# What a whole database is, in the words people use for it (a table may be "missing"; a
# database with missing tables is "broken"). "unreachable": its last audit could not read it.
HEALTH_OF_WORST_STATUS = {"ok": "healthy", "degraded": "degraded", "broken": "broken",
                          "missing": "broken"}
HEALTH_LABELS = {"healthy": "healthy", "degraded": "degraded", "broken": "broken",
                 "unreachable": "unreachable", "not_audited": "not audited"}


def database_health(worst_status: str, unreachable: bool = False) -> str:
    if unreachable:
        return "unreachable"
    return HEALTH_OF_WORST_STATUS.get(worst_status, "not_audited")


class ObjectState(models.TextChoices):
    OK = "ok", "ok"
    DEGRADED = "degraded", "degraded"
    BROKEN = "broken", "broken"
    MISSING = "missing", "missing"


class Target(models.Model):
    """A database Driftwatch audits, and where its expected schema comes from."""

    class Dialect(models.TextChoices):
        POSTGRESQL = "postgresql", "PostgreSQL"
        SQLITE = "sqlite", "SQLite"

    class SchemaSource(models.TextChoices):
        VERSIONS = "versions", "Uploaded schema.prisma (kept as versions)"
        PATH = "path", "A path on disk, re-read at each audit"
        BASELINE = "baseline", "Baseline: a known-good audit's live snapshot"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    dialect = models.CharField(max_length=20, choices=Dialect.choices)
    # Exactly one of the two is set: an encrypted DSN, or the name of a variable that holds it.
    dsn_encrypted = models.TextField(blank=True, default="")
    dsn_env_var = models.CharField(max_length=200, blank=True, default="")
    schema_source = models.CharField(
        max_length=20, choices=SchemaSource.choices, default=SchemaSource.VERSIONS
    )
    schema_path = models.CharField(max_length=1000, blank=True, default="")
    current_schema = models.ForeignKey(
        "SchemaVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    baseline_run = models.ForeignKey(
        "AuditRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    namespaces = models.JSONField(default=list, blank=True)  # [] means ["public"]
    interval_minutes = models.PositiveIntegerField(default=60)
    enabled = models.BooleanField(default=True)
    next_due_at = models.DateTimeField(null=True, blank=True)
    incidents = models.ManyToManyField(
        "recovery.Incident", blank=True, related_name="audit_targets"
    )
    code_path = models.CharField(max_length=1000, blank=True, default="")
    migrations_path = models.CharField(max_length=1000, blank=True, default="")
    # Production: the overview marks it, and a catastrophe detected on it says so first.
    protected = models.BooleanField(
        default=False, help_text="Production or otherwise irreplaceable: marked on the overview, "
        "and a wiped or reset database is announced as such first.")
    # Each audit also counts every table's rows exactly (count(*), each under the statement
    # timeout) instead of trusting the database's own estimates: exact, but it reads every page.
    exact_row_counts = models.BooleanField(
        default=False, help_text="Count rows exactly at each audit (reads every table; "
        "each count under the statement timeout). Off: the database's own estimates.")
    alert_emails = models.TextField(blank=True, default="", help_text="One address per line")
    webhook_url = models.URLField(max_length=1000, blank=True, default="")
    webhook_secret_encrypted = models.TextField(blank=True, default="")
    # Denormalized by the services when a run finishes, so list pages need no per-target query.
    last_run = models.ForeignKey(
        "AuditRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_success = models.ForeignKey(
        "AuditRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    worst_status = models.CharField(max_length=20, blank=True, default="")
    # The last TREND_LENGTH finished runs, oldest first: [{id, status, worst_status, at, ms}].
    # Kept on the target so the overview's trend strips cost no query per target, however
    # long the history grows.
    trend = models.JSONField(default=list, blank=True)
    # The compact SVG of `trend`, rendered when a run finishes (render on write): the overview
    # lists hundreds of targets and should not rebuild hundreds of strips on every visit.
    trend_svg = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["enabled", "next_due_at"], name="target_due_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("audits:target", args=[self.slug])

    # -- secrets: written through these, never read back into a page -------------------------
    @sensitive_variables("dsn")  # a crash report lists the locals of each frame
    def set_dsn(self, dsn: str) -> None:
        self.dsn_encrypted = crypto.encrypt(dsn)
        self.dsn_env_var = ""

    def set_dsn_env_var(self, name: str) -> None:
        self.dsn_env_var = name
        self.dsn_encrypted = ""

    @sensitive_variables("secret")
    def set_webhook_secret(self, secret: str) -> None:
        self.webhook_secret_encrypted = crypto.encrypt(secret)

    @property
    def webhook_secret(self) -> str:
        return crypto.decrypt(self.webhook_secret_encrypted)

    @property
    def namespace_list(self) -> list[str]:
        return list(self.namespaces) or ["public"]

    @property
    def is_unreachable(self) -> bool:
        """Its last audit could not read the database (refused, timed out, no such host...)."""
        run = self.last_run
        return run is not None and run.status == "failed" and run.unreachable

    @property
    def health(self) -> str:
        """healthy, degraded, broken, unreachable or not_audited (HEALTH_LABELS words)."""
        return database_health(self.worst_status, self.is_unreachable)

    @property
    def alert_email_list(self) -> list[str]:
        return [line.strip() for line in self.alert_emails.replace(",", "\n").splitlines()
                if line.strip()]


def content_hash(files: dict[str, str]) -> str:
    """A hash of a multi-file schema that ignores dict order but not names or content."""
    canonical = json.dumps(files, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class SchemaVersion(models.Model):
    """An uploaded schema.prisma (or folder of .prisma files), deduplicated by content."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="schema_versions")
    content = models.JSONField()  # {filename: text}
    content_hash = models.CharField(max_length=64)
    label = models.CharField(max_length=300, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["target", "content_hash"], name="schema_version_dedup")
        ]

    def __str__(self) -> str:
        return f"{self.target} schema {self.content_hash[:12]}"


class SchemaSnapshot(models.Model):
    """A schema as JSON, stored once however many runs saw it: rows are addressed by the hash
    of their text. A fleet audited every few minutes sees the same expected schema at every
    audit and, mostly, the same live one as last time (or as another target with the same
    code): each run references a row instead of writing two ~130 KB documents. A row is never
    changed; runs that reference it protect it from deletion."""

    digest = models.CharField(max_length=64, unique=True)  # sha256 of schema_json
    dialect = models.CharField(max_length=20)
    # Text, not a JSON column: written as the audit serialized it (one encoding, no jsonb
    # parse on the server), read back only by the pages that rebuild the schema.
    schema_json = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "schema snapshot"

    def __str__(self) -> str:
        return f"{self.dialect} schema {self.digest[:12]}"


class RunImmutable(Exception):
    """A finished audit run is a record; it is never edited afterwards."""


class AuditRun(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"

    FINISHED = (State.SUCCEEDED, State.FAILED)

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="runs")
    # The run's number within its target (1, 2, 3...): what pages call "audit #N", so a
    # target's audits count up without gaps left by other targets' runs.
    number = models.PositiveIntegerField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    trigger = models.CharField(max_length=20, default="manual")  # manual, schedule, cli, demo
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # stamped every few seconds by the worker while it runs (core.queueing.heartbeat)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")  # always redacted
    # The run failed because the database could not be read (refused, timed out, unknown host,
    # not allowed): the target is "unreachable", and `error` says why.
    unreachable = models.BooleanField(default=False)
    schema_version = models.ForeignKey(
        SchemaVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    # The expected schema used and the live one read (audits.core.snapshots stores and reads
    # them); many runs share one row.
    expected_snapshot = models.ForeignKey(
        SchemaSnapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    live_snapshot = models.ForeignKey(
        SchemaSnapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    timings = models.JSONField(default=dict, blank=True)
    critical_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    info_count = models.PositiveIntegerField(default=0)
    worst_status = models.CharField(max_length=20, blank=True, default="")
    previous_run = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {"new": [finding...], "resolved": [finding...], "flipped": [{model, table, before, after}]}
    changes = models.JSONField(default=dict, blank=True)
    # A hash of what `changes` compares (finding fingerprints, table statuses): the next run
    # with the same one knows nothing changed without reading this run's rows back.
    result_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    # The earlier run whose findings and model statuses this one shares: set when this run's
    # would be the same rows (equal result_digest), so an unchanged audit of a fleet writes
    # none. Always the run that holds the rows, never one that shares them itself. Null: the
    # run holds its own. RESTRICT: deleting a target deletes its runs together, but one
    # holding rows others still share cannot go alone.
    rows_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["target", "-queued_at"], name="run_target_recent_idx"),
            models.Index(fields=["status", "started_at"], name="run_status_idx"),
        ]
        constraints = [
            # The database itself refuses a second active audit of the same target.
            models.UniqueConstraint(
                fields=["target"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_run_per_target",
            ),
            models.UniqueConstraint(fields=["target", "number"], name="run_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.target} audit #{self.number} ({self.status})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is None and self.number is None:
            # Two requests at once cannot both get a number: one active run per target (and
            # run_number_once) refuses the second insert, and queueing.queue_once returns the
            # winner's run.
            last = AuditRun.objects.filter(target_id=self.target_id).aggregate(
                last=models.Max("number"))["last"]
            self.number = (last or 0) + 1
        if self.pk is not None:
            stored = AuditRun.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored in self.FINISHED:
                raise RunImmutable(f"audit run #{self.pk} is {stored} and can no longer change")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("audits:run", args=[self.target.slug, self.pk])

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        # Deleting a whole target still cascades; deleting one finished run alone is refused.
        if self.status in self.FINISHED and not kwargs.pop("allow_finished", False):
            raise RunImmutable(f"audit run #{self.pk} is {self.status} and is kept as a record")
        return super().delete(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def rows_run_id(self) -> int | None:
        """The run whose Finding and ModelStatus rows are this run's (see ``rows_from``)."""
        return self.rows_from_id or self.pk

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def has_drift(self) -> bool:
        return bool(self.critical_count or self.error_count or self.warning_count)

    @property
    def severity_counts(self) -> dict[str, int]:
        return {
            "critical": self.critical_count,
            "error": self.error_count,
            "warning": self.warning_count,
            "info": self.info_count,
        }


class Finding(models.Model):
    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=40)
    severity = models.CharField(max_length=10)
    severity_rank = models.PositiveSmallIntegerField(default=3)  # 0 = critical: sorts worst first
    schema = models.CharField(max_length=200, blank=True, default="")
    table = models.CharField(max_length=300, blank=True, default="")
    column = models.CharField(max_length=300, blank=True, default="")
    model = models.CharField(max_length=300, blank=True, default="")
    field = models.CharField(max_length=300, blank=True, default="")
    object_name = models.CharField(max_length=300, blank=True, default="")
    expected = models.TextField(blank=True, default="")
    actual = models.TextField(blank=True, default="")
    message = models.TextField()
    fingerprint = models.CharField(max_length=64)  # equal across runs for "the same" finding

    class Meta:
        ordering = ["severity_rank", "table", "column", "id"]
        indexes = [
            models.Index(fields=["run", "table"], name="finding_run_table_idx"),
            models.Index(fields=["run", "severity_rank"], name="finding_run_severity_idx"),
        ]

    def __str__(self) -> str:
        return self.message


class ModelStatus(models.Model):
    """One row of a run's Drift tab: a table (and the Prisma model mapped to it, if any), or an
    enum type, or a schema, as one run saw it. Every finding belongs to exactly one row."""

    class ObjectType(models.TextChoices):
        TABLE = "table", "table"
        ENUM = "enum", "enum type"
        SCHEMA = "schema", "schema"

    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="model_statuses")
    object_type = models.CharField(max_length=10, choices=ObjectType.choices,
                                   default=ObjectType.TABLE)
    schema = models.CharField(max_length=200, default="public")
    table = models.CharField(max_length=300)
    model = models.CharField(max_length=300, blank=True, default="")
    status = models.CharField(max_length=20, choices=ObjectState.choices)
    status_rank = models.PositiveSmallIntegerField(default=0)  # 3 = missing: sorts worst first
    finding_count = models.PositiveIntegerField(default=0)
    worst_severity = models.CharField(max_length=10, blank=True, default="")

    class Meta:
        ordering = ["-status_rank", "table"]
        verbose_name = "model status"
        verbose_name_plural = "model statuses"
        indexes = [
            models.Index(fields=["run", "status_rank", "table"], name="modelstatus_grid_idx"),
            models.Index(fields=["run", "table"], name="modelstatus_run_table_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.model or self.table}: {self.status}"

    @property
    def dom_id(self) -> str:
        return dom_id_for(self.schema, self.table, self.object_type)


def dom_id_for(schema: str, table: str, object_type: str = "table") -> str:
    """An HTML id for a row's findings; names may hold any character, and an enum may share
    its name with a table."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in f"{schema}-{table}")
    return f"findings-{safe}" if object_type == "table" else f"findings-{object_type}-{safe}"
