"""The post-mortem, regenerated from the incident in the shape of the seed's recovery document.

Other apps add sections without recovery importing them:

    from recovery.postmortem import Section, register_section

    @register_section
    def drift_state(incident):          # called with the Incident
        return Section("Drift state of the targets", "markdown text")   # or None to skip

The Markdown is the single source: the download is it, the printable page renders it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby

from django.utils import timezone

from .models import Incident, Status, TimelineEntry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Section:
    title: str
    markdown: str


SectionProvider = Callable[[Incident], "Section | None"]
_providers: list[SectionProvider] = []


def register_section(provider: SectionProvider) -> SectionProvider:
    """Add a section after the built-in ones; registering twice is harmless (usable as a
    decorator in an AppConfig.ready or a module imported from it)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_section(provider: SectionProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def extra_sections(incident: Incident) -> list[Section]:
    """Every registered provider's section. A provider that fails is logged and shown as
    unavailable: the post-mortem is needed most when other parts of the system are broken."""
    sections = []
    for provider in list(_providers):
        try:
            section = provider(incident)
        except Exception:
            name = getattr(provider, "__qualname__", repr(provider))
            logger.exception("post-mortem section %s failed for %s", name, incident.slug)
            section = Section(f"Unavailable: {name}", "_This section could not be generated; "
                              "see the server log._")
        if section is not None:
            sections.append(section)
    return sections


def _cell(value: object) -> str:
    """A Markdown table cell: pipes escaped, one line."""
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ").strip() or "—"


def _table(headers: list[str], rows: Iterable[list[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _when(value: object) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")  # type: ignore[arg-type]


def phase_groups(entries: Iterable[TimelineEntry]) -> list[tuple[str, list[TimelineEntry]]]:
    """Entries grouped by phase, phases in the order they started, entries by time.
    Entries without a phase gather under "Unphased"."""
    ordered = sorted(entries, key=lambda e: (e.occurred_at, e.pk))
    first_seen: dict[str, int] = {}
    for i, entry in enumerate(ordered):
        first_seen.setdefault(entry.phase or "", i)
    by_phase = sorted(ordered, key=lambda e: first_seen[e.phase or ""])
    return [
        (phase or "Unphased", list(group))
        for phase, group in groupby(by_phase, key=lambda e: e.phase or "")
    ]


def _header(incident: Incident) -> list[str]:
    status_line = " · ".join(
        f"{label}: {_when(when)}" for value, label, when in incident.status_times if when
    )
    return [
        f"# Post-mortem: {incident.title}",
        f"**Severity**: {incident.severity}  ",
        f"**Status**: {Status(incident.status).label}  ",
        f"**Commander**: {incident.commander or '—'}  ",
        f"**Declared**: {_when(incident.declared_at)}  ",
        f"**Lifecycle**: {status_line}",
        "",
        "---",
        "",
    ]


def _summary(incident: Incident) -> list[str]:
    out = ["## Executive summary", "", incident.summary or "_No summary yet._", ""]
    if incident.root_cause:
        out += ["### Root cause", "", incident.root_cause, ""]
    return out


def _impact(incident: Incident) -> list[str]:
    out = ["## Impact and data loss", "", incident.impact or "_Impact not described yet._", ""]
    if incident.data_lost_text:
        out += ["### What was lost", "", incident.data_lost_text, ""]
    if incident.data_recovered_text:
        out += ["### What was recovered", "", incident.data_recovered_text, ""]
    losses = list(incident.data_losses.all())
    if losses:
        rows = [
            [f"`{d.table_name}`", d.rows_before, d.rows_restored,
             "yes" if d.unrecoverable else "no", d.how_restored]
            for d in losses
        ]
        out += [_table(["Table", "Rows before", "Rows restored", "Unrecoverable", "How restored"],
                       rows), ""]
    return out


def _timeline(incident: Incident) -> list[str]:
    out = ["## Incident timeline", ""]
    for phase, entries in phase_groups(incident.entries.all()):
        out += [f"### {phase}", ""]
        for entry in entries:
            who = f" ({entry.author.get_username()})" if entry.author else ""
            body = entry.body.strip().replace("\n", "\n    ")
            out.append(f"- **{_when(entry.occurred_at)}** · _{entry.get_kind_display()}_{who}: "
                       f"{body}")
        out.append("")
    return out


def _commits(incident: Incident) -> list[str]:
    commits = list(incident.commits.all())
    if not commits:
        return ["## Commits", "", "_No commits logged._", ""]
    rows = [
        [f"`{c.short_sha}`", c.subject, c.author, _when(c.committed_at), c.files_changed,
         f"+{c.insertions or 0} −{c.deletions or 0}" if c.insertions is not None else None]
        for c in commits
    ]
    return ["## Commits", "", _table(["Commit", "Message", "Author", "Date", "Files", "Lines"],
                                     rows), ""]


def _migrations(incident: Incident) -> list[str]:
    migrations = list(incident.migrations.all())
    out = ["## Migrations", ""]
    if not migrations:
        return out + ["_No migrations logged._", ""]
    rows = [
        [f"`{m.name}`", f"`{m.commit.short_sha}`" if m.commit else None, m.line_count,
         f"`{m.checksum}`"]
        for m in migrations
    ]
    out += [_table(["Migration", "Commit", "Lines", "Checksum (sha256)"], rows), ""]
    for number, m in enumerate(migrations, start=1):
        out += [
            f"### Migration {number}: {m.name}",
            f"**File**: `prisma/migrations/{m.name}/migration.sql`  ",
            f"**Checksum**: `{m.checksum}`"
            + (f"  \n**Commit**: `{m.commit.short_sha}`" if m.commit else ""),
            "",
            "```sql",
            m.sql.rstrip("\n"),
            "```",
            "",
        ]
    return out


def _action_items(incident: Incident) -> list[str]:
    items = list(incident.action_items.all())
    out = ["## Action items", ""]
    if not items:
        return out + ["_None._", ""]
    for item in items:
        box = "x" if item.status == "done" else " "
        extra = [f"owner: {item.owner}"] if item.owner else []
        if item.due_date:
            extra.append(f"due {item.due_date:%Y-%m-%d}")
        if item.status == "wont_do":
            extra.append("won't do")
        tail = f" ({', '.join(extra)})" if extra else ""
        out.append(f"- [{box}] {item.title}{tail}")
    return out + [""]


def build_markdown(incident: Incident) -> str:
    parts = (
        _header(incident) + _summary(incident) + _impact(incident) + _timeline(incident)
        + _commits(incident) + _migrations(incident) + _action_items(incident)
    )
    for section in extra_sections(incident):
        parts += [f"## {section.title}", "", section.markdown.strip(), ""]
    parts += ["---", "", f"*Generated by Driftwatch: {_when(timezone.now())}*", ""]
    return "\n".join(parts)
