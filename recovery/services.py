"""Every write to the recovery log: validate, save in one transaction, record it on the timeline.

Lifecycle rules (declared -> investigating -> recovering -> monitoring -> resolved):
- Moving forward may skip statuses (an incident found already recovering goes straight
  there); a skipped status keeps no timestamp, so the post-mortem never shows an invented time.
- Moving backward (including reopening a resolved incident) needs a written reason, which goes
  on the timeline. The timestamps of the statuses after the new one are cleared: each timestamp
  says when the incident last entered that status, and the timeline keeps the full history.
- Setting the status it already has is refused.

Violations raise django.core.exceptions.ValidationError with a message the form shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.text import Truncator, slugify

from . import git
from .models import (
    LIFECYCLE,
    SHA_RE,
    SYSTEM_KINDS,
    ActionItem,
    ActionStatus,
    Commit,
    DataLoss,
    EntryKind,
    Incident,
    Migration,
    Severity,
    Status,
    TimelineEntry,
    prisma_checksum,
)

# Dates in the timeline's own notes carry the year: an incident log is read months later.
DATE_FORMAT = "j M Y H:i"


def when_text(value: datetime) -> str:
    return dateformat.format(timezone.localtime(value), DATE_FORMAT)


def _record(
    incident: Incident,
    body: str,
    *,
    kind: str,
    author: Any,
    phase: str = "",
    occurred_at: datetime | None = None,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        incident=incident,
        body=body,
        kind=kind,
        author=author if getattr(author, "is_authenticated", False) else None,
        phase=phase,
        occurred_at=occurred_at or timezone.now(),
    )


def _unique_slug(title: str) -> str:
    base = slugify(title)[:70] or "incident"
    slug, n = base, 2
    while Incident.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- incidents -----------------------------------------------------------------------------


@transaction.atomic
def create_incident(
    *,
    title: str,
    severity: str = Severity.SEV2,
    author: Any = None,
    commander: str = "",
    summary: str = "",
    impact: str = "",
    root_cause: str = "",
    data_lost_text: str = "",
    data_recovered_text: str = "",
    declared_at: datetime | None = None,
    slug: str = "",
) -> Incident:
    if not title.strip():
        raise ValidationError({"title": "An incident needs a title."})
    incident = Incident(
        title=title.strip(),
        slug=slug or _unique_slug(title),
        severity=severity,
        commander=commander,
        summary=summary,
        impact=impact,
        root_cause=root_cause,
        data_lost_text=data_lost_text,
        data_recovered_text=data_recovered_text,
        declared_at=declared_at or timezone.now(),
    )
    incident.full_clean()
    incident.save()
    _record(
        incident,
        f"Incident declared as **{incident.severity}**: {incident.title}",
        kind=EntryKind.STATUS_CHANGE,
        author=author,
        occurred_at=incident.declared_at,
    )
    return incident


EDITABLE_FIELDS = (
    "title", "commander", "summary", "impact", "root_cause", "data_lost_text",
    "data_recovered_text", "lessons_learned",
)


@transaction.atomic
def update_incident(incident: Incident, *, author: Any, **changes: str) -> list[str]:
    """Edit the incident's texts; status and severity have their own services. Returns the
    names of the fields that changed (nothing is logged when nothing changed)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Not editable here: {', '.join(sorted(unknown))}.")
    if "title" in changes and not changes["title"].strip():
        raise ValidationError({"title": "An incident needs a title."})
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    changed = [name for name, value in changes.items() if getattr(incident, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(incident, name, changes[name])
    incident.full_clean()
    incident.save()
    labels = ", ".join(str(Incident._meta.get_field(name).verbose_name) for name in changed)
    _record(incident, f"Incident details edited: {labels}", kind=EntryKind.ACTION, author=author)
    return changed


@transaction.atomic
def change_status(
    incident: Incident, new_status: str, *, author: Any, reason: str = ""
) -> TimelineEntry:
    # Lock the row so two people moving the status at once cannot interleave.
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if new_status not in LIFECYCLE:
        raise ValidationError({"status": f"'{new_status}' is not a status."})
    old_rank, new_rank = LIFECYCLE.index(incident.status), LIFECYCLE.index(new_status)
    old_label, new_label = Status(incident.status).label, Status(new_status).label
    reason = reason.strip()
    if new_rank == old_rank:
        raise ValidationError({"status": f"The incident is already {old_label.lower()}."})
    if new_rank < old_rank and not reason:
        raise ValidationError(
            {
                "reason": f"Moving back from {old_label.lower()} to {new_label.lower()} "
                "needs a reason."
            }
        )
    now = timezone.now()
    setattr(incident, f"{new_status}_at", now)
    if new_rank < old_rank:
        for later in LIFECYCLE[new_rank + 1 :]:
            setattr(incident, f"{later}_at", None)
    incident.status = new_status
    incident.save()
    body = f"Status: {old_label} → **{new_label}**"
    skipped = LIFECYCLE[old_rank + 1 : new_rank]
    if skipped:
        body += " (skipped " + ", ".join(Status(s).label.lower() for s in skipped) + ")"
    if reason:
        body += f"\n\nReason: {reason}"
    return _record(incident, body, kind=EntryKind.STATUS_CHANGE, author=author, occurred_at=now)


@transaction.atomic
def change_severity(
    incident: Incident, severity: str, *, author: Any, reason: str = ""
) -> TimelineEntry:
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if severity not in Severity.values:
        raise ValidationError({"severity": f"'{severity}' is not a severity."})
    if severity == incident.severity:
        raise ValidationError({"severity": f"The incident is already {severity}."})
    old = incident.severity
    incident.severity = severity
    incident.save(update_fields=["severity", "updated_at"])
    body = f"Severity: {old} → **{severity}**"
    if reason.strip():
        body += f"\n\nReason: {reason.strip()}"
    return _record(incident, body, kind=EntryKind.STATUS_CHANGE, author=author)


# --- timeline ------------------------------------------------------------------------------


def _check_step_kind(kind: str) -> None:
    """Status changes and corrections have their own services; alerts come from the audits
    app through log_step (the form offers only the kinds people log)."""
    if kind not in EntryKind.values:
        raise ValidationError({"kind": f"'{kind}' is not a kind of entry."})
    if kind == EntryKind.STATUS_CHANGE:
        raise ValidationError({"kind": "Status changes are written by the status control."})
    if kind == EntryKind.CORRECTION:
        raise ValidationError({"kind": "Corrections are written when a step is edited or removed."})


@transaction.atomic
def log_step(
    incident: Incident,
    *,
    body: str,
    author: Any,
    kind: str = EntryKind.ACTION,
    phase: str = "",
    occurred_at: datetime | None = None,
) -> TimelineEntry:
    if not body.strip():
        raise ValidationError({"body": "Say what happened."})
    _check_step_kind(kind)
    entry = TimelineEntry(
        incident=incident,
        body=body.strip(),
        kind=kind,
        phase=phase.strip(),
        occurred_at=occurred_at or timezone.now(),
        author=author if getattr(author, "is_authenticated", False) else None,
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def add_comment(incident: Incident, *, body: str, author: Any) -> TimelineEntry:
    """A comment on the incident, from anyone signed in (the read-only mobile role included:
    a comment changes nothing but the conversation). Always kind "comment", phase by time."""
    if not getattr(author, "is_authenticated", False):
        raise ValidationError("Sign in to comment.")
    if not body.strip():
        raise ValidationError({"body": "Write the comment first."})
    entry = TimelineEntry(incident=incident, body=body.strip(), kind=EntryKind.COMMENT,
                          author=author, occurred_at=timezone.now())
    entry.full_clean()
    entry.save()
    return entry


def _quote(text: str) -> str:
    short = Truncator(text.strip()).chars(300)
    return "\n".join(f"> {line}" if line else ">" for line in short.splitlines())


def _step_label(entry: TimelineEntry) -> str:
    phase = f", {entry.phase}" if entry.phase else ""
    return f"{entry.get_kind_display().lower()} of {when_text(entry.occurred_at)}{phase}"


@transaction.atomic
def edit_step(
    entry: TimelineEntry,
    *,
    author: Any,
    body: str,
    kind: str,
    phase: str = "",
    occurred_at: datetime | None = None,
) -> list[str]:
    """Correct a logged step in place. A correction entry records what it said before, so the
    timeline stays the incident's audit log. Returns the names of the fields that changed."""
    entry = TimelineEntry.objects.select_for_update().get(pk=entry.pk)
    if not entry.is_editable:
        raise ValidationError(f"A {entry.get_kind_display().lower()} entry cannot be edited.")
    if not body.strip():
        raise ValidationError({"body": "Say what happened."})
    _check_step_kind(kind)
    if kind in SYSTEM_KINDS:
        raise ValidationError({"kind": f"A step cannot become a {EntryKind(kind).label.lower()}."})
    before = _step_label(entry), entry.body
    changes = {"body": body.strip(), "kind": kind, "phase": phase.strip(),
               "occurred_at": occurred_at or entry.occurred_at}
    changed = [name for name, value in changes.items() if getattr(entry, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(entry, name, changes[name])
    entry.edited_at = timezone.now()
    entry.full_clean()
    entry.save()
    labels = {"body": "text", "kind": "kind", "phase": "phase", "occurred_at": "time"}
    _record(
        entry.incident,
        f"Corrected the {before[0]} ({', '.join(labels[n] for n in changed)}). "
        f"It said:\n\n{_quote(before[1])}",
        kind=EntryKind.CORRECTION,
        author=author,
        phase=entry.phase,
    )
    return changed


@transaction.atomic
def remove_step(entry: TimelineEntry, *, author: Any, reason: str = "") -> TimelineEntry:
    """Remove a logged step (a double submit, a step logged on the wrong incident). The
    correction entry that replaces it keeps its text and the reason. Returns that entry."""
    entry = TimelineEntry.objects.select_for_update().get(pk=entry.pk)
    if not entry.is_editable:
        raise ValidationError(f"A {entry.get_kind_display().lower()} entry cannot be removed.")
    body = f"Removed the {_step_label(entry)}. It said:\n\n{_quote(entry.body)}"
    if reason.strip():
        body += f"\n\nReason: {reason.strip()}"
    incident, phase = entry.incident, entry.phase
    entry.delete()
    return _record(incident, body, kind=EntryKind.CORRECTION, author=author, phase=phase)


# --- commits -------------------------------------------------------------------------------


@dataclass
class CommitFields:
    sha: str
    message: str = ""
    author: str = ""
    committed_at: datetime | None = None
    files_changed: int | None = None
    insertions: int | None = None
    deletions: int | None = None


def fill_from_git(fields: CommitFields, repo_path: str | None = None) -> CommitFields:
    """Complete `fields` from the checkout at REPO_PATH; a sha git doesn't know is an error.
    Without a checkout the fields are kept as typed."""
    repo = settings.REPO_PATH if repo_path is None else repo_path
    if not repo or not git.is_repository(repo):
        return fields
    try:
        info = git.lookup_commit(repo, fields.sha)
    except git.GitError as exc:
        raise ValidationError({"sha": str(exc)}) from exc
    return CommitFields(
        sha=info.sha,
        message=fields.message or info.message,
        author=fields.author or info.author,
        committed_at=fields.committed_at or info.committed_at,
        files_changed=info.files_changed if fields.files_changed is None else fields.files_changed,
        insertions=info.insertions if fields.insertions is None else fields.insertions,
        deletions=info.deletions if fields.deletions is None else fields.deletions,
    )


@transaction.atomic
def add_commit(
    incident: Incident,
    fields: CommitFields,
    *,
    author: Any,
    timeline_entry: TimelineEntry | None = None,
    phase: str = "",
    repo_path: str | None = None,
) -> Commit:
    fields.sha = fields.sha.strip().lower()
    if not SHA_RE.match(fields.sha):
        raise ValidationError({"sha": "A commit sha is 7 to 40 hexadecimal characters (0-9, a-f)."})
    fields = fill_from_git(fields, repo_path)
    if timeline_entry is not None and timeline_entry.incident_id != incident.pk:
        raise ValidationError({"timeline_entry": "That entry belongs to another incident."})
    commit = Commit(incident=incident, timeline_entry=timeline_entry, **fields.__dict__)
    if SHA_RE.match(commit.sha) and incident.commits.filter(sha__startswith=commit.sha[:7]):
        raise ValidationError({"sha": f"Commit {commit.short_sha} is already logged."})
    commit.full_clean()
    entry = _record(
        incident,
        f"Commit `{commit.short_sha}` logged: {commit.subject or '(no message)'}",
        kind=EntryKind.ACTION,
        author=author,
        phase=phase or (timeline_entry.phase if timeline_entry else ""),
        occurred_at=commit.committed_at,
    )
    commit.timeline_entry = timeline_entry or entry
    commit.save()
    return commit


# --- migrations ----------------------------------------------------------------------------


@transaction.atomic
def add_migration(
    incident: Incident,
    *,
    name: str,
    sql: str,
    author: Any,
    commit: Commit | None = None,
    phase: str = "",
) -> Migration:
    if commit is not None and commit.incident_id != incident.pk:
        raise ValidationError({"commit": "That commit belongs to another incident."})
    migration = Migration(incident=incident, name=name.strip(), sql=sql, commit=commit)
    migration.checksum = prisma_checksum(sql)
    if incident.migrations.filter(name=migration.name).exists():
        raise ValidationError({"name": f"Migration {migration.name} is already logged."})
    migration.full_clean()
    migration.save()
    linked = f" (commit `{commit.short_sha}`)" if commit else ""
    _record(
        incident,
        f"Migration `{migration.name}` logged{linked}, checksum `{migration.checksum[:12]}…`",
        kind=EntryKind.ACTION,
        author=author,
        phase=phase,
    )
    return migration


# --- data loss -----------------------------------------------------------------------------


@transaction.atomic
def add_data_loss(
    incident: Incident,
    *,
    table_name: str,
    author: Any,
    rows_before: int | None = None,
    rows_restored: int = 0,
    how_restored: str = "",
    unrecoverable: bool = False,
) -> DataLoss:
    loss = DataLoss(
        incident=incident,
        table_name=table_name.strip(),
        rows_before=rows_before,
        rows_restored=rows_restored or 0,
        how_restored=how_restored,
        unrecoverable=unrecoverable,
    )
    if incident.data_losses.filter(table_name=loss.table_name).exists():
        raise ValidationError({"table_name": f"{loss.table_name} is already recorded."})
    loss.full_clean()
    loss.save()
    state = "unrecoverable" if unrecoverable else f"{loss.rows_restored} rows restored"
    _record(
        incident,
        f"Data loss recorded for `{loss.table_name}`: {state}",
        kind=EntryKind.FINDING,
        author=author,
    )
    return loss


# --- action items --------------------------------------------------------------------------


@transaction.atomic
def add_action_item(
    incident: Incident, *, title: str, author: Any, owner: str = "", due_date: date | None = None
) -> ActionItem:
    if not title.strip():
        raise ValidationError({"title": "An action item needs a title."})
    item = ActionItem(
        incident=incident, title=title.strip(), owner=owner.strip(), due_date=due_date
    )
    item.full_clean()
    item.save()
    owner_text = f" (owner: {item.owner})" if item.owner else ""
    _record(incident, f"Action item added: {item.title}{owner_text}", kind=EntryKind.DECISION,
            author=author)
    return item


@transaction.atomic
def set_action_item_status(item: ActionItem, status: str, *, author: Any) -> ActionItem:
    if status not in ActionStatus.values:
        raise ValidationError({"status": f"'{status}' is not an action item status."})
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    if item.status == status:
        return item
    item.status = status
    item.save(update_fields=["status"])
    _record(
        item.incident,
        f"Action item *{item.title}* marked {ActionStatus(status).label.lower()}",
        kind=EntryKind.ACTION,
        author=author,
    )
    return item


def toggle_action_item(item: ActionItem, *, author: Any) -> ActionItem:
    """Open <-> done; an item marked won't do reopens."""
    new = ActionStatus.DONE if item.status == ActionStatus.OPEN else ActionStatus.OPEN
    return set_action_item_status(item, new, author=author)
