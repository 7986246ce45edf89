"""The recovery log: an incident, what happened (timeline), what was changed (commits,
migrations), what was lost, and what is still to do.

Writes go through `recovery.services`, which validates, saves in a transaction and records
a timeline entry, so the timeline doubles as the incident's audit log.
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .markdown import (
    MARKDOWN_MAX_LENGTH,
    RenderedMarkdown,
    StoresRenderedMarkdown,
    validate_markdown_length,
)

SHA_RE = re.compile(r"^[0-9a-f]{7,40}$")
# Prisma's `migrate dev` names folders `<14-digit UTC timestamp>_<snake_case_name>`; baselined
# histories (Prisma's own docs use `0_init`) start with any number, so both are accepted.
MIGRATION_NAME_RE = re.compile(r"^(\d{14}_[a-z0-9_]+|\d+_[A-Za-z0-9_-]+)$")

validate_sha = RegexValidator(
    SHA_RE, "A commit sha is 7 to 40 hexadecimal characters (0-9, a-f)."
)
validate_migration_name = RegexValidator(
    MIGRATION_NAME_RE,
    "Use Prisma's folder style, e.g. 20260212132000_add_user_columns.",
)


def prisma_checksum(sql: str) -> str:
    """sha256 hex of the migration file's UTF-8 bytes, exactly as Prisma records it."""
    return hashlib.sha256(sql.encode("utf-8")).hexdigest()


def prisma_checksum_variants(sql: str) -> set[str]:
    """Checksums Prisma accepts for this script: as given, and with its line endings flipped
    (Prisma tolerates a CRLF<->LF checkout of the same file)."""
    lf = sql.replace("\r\n", "\n")
    crlf = lf.replace("\n", "\r\n")
    return {prisma_checksum(sql), prisma_checksum(lf), prisma_checksum(crlf)}


class Severity(models.TextChoices):
    SEV1 = "SEV1", "SEV1 · critical"
    SEV2 = "SEV2", "SEV2 · major"
    SEV3 = "SEV3", "SEV3 · minor"
    SEV4 = "SEV4", "SEV4 · low"


class Status(models.TextChoices):
    DECLARED = "declared", "Declared"
    INVESTIGATING = "investigating", "Investigating"
    RECOVERING = "recovering", "Recovering"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"


# The lifecycle's order; the index of a status is its rank.
LIFECYCLE: tuple[str, ...] = tuple(Status.values)


def markdown_field(verbose_name: str | None = None, **options: object) -> models.TextField:
    """A Markdown text, capped at MARKDOWN_MAX_LENGTH (a form error beyond, not a slow page)."""
    options.setdefault("blank", True)
    options.setdefault("help_text", "Markdown.")
    return models.TextField(verbose_name, max_length=MARKDOWN_MAX_LENGTH,  # type: ignore[arg-type]
                            validators=[validate_markdown_length], **options)


def html_field() -> models.TextField:
    """The sanitized HTML of the Markdown field of the same name less `_html`."""
    return models.TextField(blank=True, editable=False)


class Incident(StoresRenderedMarkdown):
    MARKDOWN_FIELDS = ("summary", "impact", "root_cause", "data_lost_text", "data_recovered_text",
                       "lessons_learned")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    severity = models.CharField(max_length=4, choices=Severity.choices, default=Severity.SEV2)
    commander = models.CharField(max_length=120, blank=True)
    summary = markdown_field()
    impact = markdown_field()
    root_cause = markdown_field()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DECLARED)
    # When the incident last entered each status; a status skipped over keeps None.
    declared_at = models.DateTimeField(default=timezone.now)
    investigating_at = models.DateTimeField(null=True, blank=True)
    recovering_at = models.DateTimeField(null=True, blank=True)
    monitoring_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    data_lost_text = markdown_field("what was lost")
    data_recovered_text = markdown_field("what was recovered")
    lessons_learned = markdown_field(
        "lessons learned",
        help_text="Markdown. What the team will do differently; part of the post-mortem.",
    )
    summary_html = html_field()
    impact_html = html_field()
    root_cause_html = html_field()
    data_lost_text_html = html_field()
    data_recovered_text_html = html_field()
    lessons_learned_html = html_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-declared_at", "-id"]
        indexes = [models.Index(fields=["status", "severity"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("recovery:incident_detail", args=[self.slug])

    summary_rendered = RenderedMarkdown("summary")
    impact_rendered = RenderedMarkdown("impact")
    root_cause_rendered = RenderedMarkdown("root_cause")
    data_lost_text_rendered = RenderedMarkdown("data_lost_text")
    data_recovered_text_rendered = RenderedMarkdown("data_recovered_text")
    lessons_learned_rendered = RenderedMarkdown("lessons_learned")

    def status_time(self, status: str) -> object:
        return getattr(self, f"{status}_at")

    @property
    def status_times(self) -> list[tuple[str, str, object]]:
        """(value, label, time or None) for every lifecycle status, in order."""
        return [(value, label, self.status_time(value)) for value, label in Status.choices]

    @property
    def is_open(self) -> bool:
        return self.status != Status.RESOLVED


class DataLoss(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="data_losses")
    table_name = models.CharField(max_length=128)
    rows_before = models.PositiveBigIntegerField(null=True, blank=True, help_text="If known.")
    rows_restored = models.PositiveBigIntegerField(default=0)
    how_restored = models.TextField(blank=True)
    unrecoverable = models.BooleanField(default=False)

    class Meta:
        ordering = ["table_name"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "table_name"], name="dataloss_table_once")
        ]
        verbose_name = "data loss"
        verbose_name_plural = "data losses"

    def __str__(self) -> str:
        return f"{self.incident.slug}: {self.table_name}"


class EntryKind(models.TextChoices):
    ACTION = "action", "Action"
    FINDING = "finding", "Finding"
    DECISION = "decision", "Decision"
    ERROR = "error", "Error"
    DEPLOY = "deploy", "Deploy"
    STATUS_CHANGE = "status_change", "Status change"
    ALERT = "alert", "Alert"  # written by the audits app when drift appears
    # Anyone signed in may comment, the read-only mobile role included; comments change nothing.
    COMMENT = "comment", "Comment"
    # Written by the services when a logged step is edited or removed: the timeline keeps what
    # the step said before.
    CORRECTION = "correction", "Correction"


# Entries the system writes; nobody logs, edits or removes them by hand.
SYSTEM_KINDS = frozenset({EntryKind.STATUS_CHANGE, EntryKind.ALERT, EntryKind.CORRECTION})


class TimelineEntry(StoresRenderedMarkdown):
    MARKDOWN_FIELDS = ("body",)

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="entries")
    occurred_at = models.DateTimeField(default=timezone.now)
    logged_at = models.DateTimeField(auto_now_add=True)
    phase = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=16, choices=EntryKind.choices, default=EntryKind.ACTION)
    body = markdown_field(blank=False, help_text="Markdown, rendered sanitized.")
    body_html = html_field()
    # None for entries the system writes (audit alerts).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # When the step was last corrected (the correction entry says what it said before).
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["incident", "occurred_at"])]
        verbose_name_plural = "timeline entries"

    body_rendered = RenderedMarkdown("body")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.kind}: {self.body[:60]}"

    @property
    def is_editable(self) -> bool:
        """Steps people logged (comments included) can be corrected; system records cannot."""
        return self.kind not in SYSTEM_KINDS


class Commit(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="commits")
    sha = models.CharField(max_length=40, validators=[validate_sha])
    message = models.TextField(blank=True)
    author = models.CharField(max_length=200, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    # Unknown (None) unless git filled them in or someone typed them.
    files_changed = models.PositiveIntegerField(null=True, blank=True)
    insertions = models.PositiveIntegerField(null=True, blank=True)
    deletions = models.PositiveIntegerField(null=True, blank=True)
    timeline_entry = models.ForeignKey(
        TimelineEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="commits"
    )

    class Meta:
        ordering = ["committed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "sha"], name="commit_sha_once")
        ]

    def __str__(self) -> str:
        return f"{self.short_sha} {self.subject}"

    @property
    def short_sha(self) -> str:
        return self.sha[:7]

    @property
    def subject(self) -> str:
        return self.message.strip().splitlines()[0] if self.message.strip() else ""


class Migration(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="migrations")
    name = models.CharField(max_length=200, validators=[validate_migration_name])
    sql = models.TextField()
    checksum = models.CharField(max_length=64, editable=False)
    commit = models.ForeignKey(
        Commit, null=True, blank=True, on_delete=models.SET_NULL, related_name="migrations"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "name"], name="migration_name_once")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.checksum = prisma_checksum(self.sql)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        if not self.sql.strip():
            raise ValidationError({"sql": "A migration needs its SQL."})

    @property
    def line_count(self) -> int:
        return len(self.sql.splitlines())

    @property
    def checksums_accepted(self) -> set[str]:
        return prisma_checksum_variants(self.sql)


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


class ActionItem(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=120, blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title
