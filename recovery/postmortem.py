"""The post-mortem, regenerated from the incident in the shape of the seed's recovery document.

Other apps add sections without recovery importing them:

    from recovery.postmortem import Section, register_section

    @register_section
    def drift_state(incident):          # called with the Incident
        return Section("Drift state of the targets", "markdown text")   # or None to skip

The Markdown is the single source: the download is it, the printable page renders it (with
the migration SQL appendix collapsed, and action items as checkboxes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .fragments import markdown_html
from .models import EntryKind, Incident, Status, TimelineEntry

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
    """Entries grouped by phase: phases in the order they started, entries by time in each.

    An entry logged without a phase is placed by its time, in the phase running then (the one
    that started last before it); entries before any phase started form a first group whose
    title is "". So a step logged later without a phase never jumps above earlier phases.
    """
    groups: dict[str, list[TimelineEntry]] = {}
    running = ""
    for entry in sorted(entries, key=lambda e: (e.occurred_at, e.pk)):
        if entry.phase and entry.phase not in groups:
            running = entry.phase
        groups.setdefault(entry.phase or running, []).append(entry)
    return list(groups.items())


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
    """The steps by phase. Corrections are left out: the post-mortem tells what happened, and
    the incident page's timeline keeps the record of how the log itself was corrected."""
    out = ["## Incident timeline", ""]
    entries = [e for e in incident.entries.all() if e.kind != EntryKind.CORRECTION]
    for phase, group in phase_groups(entries):
        if phase:
            out += [f"### {phase}", ""]
        for entry in group:
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
    """The table only: the scripts go to the appendix, so the story stays readable."""
    migrations = list(incident.migrations.all())
    out = ["## Migrations", ""]
    if not migrations:
        return out + ["_No migrations logged._", ""]
    rows = [
        [f"`{m.name}`", f"`{m.commit.short_sha}`" if m.commit else None, m.line_count,
         f"`{m.checksum}`"]
        for m in migrations
    ]
    out += [_table(["Migration", "Commit", "Lines", "Checksum (sha256)"], rows), "",
            "The SQL of each migration is in the appendix at the end.", ""]
    return out


def migration_appendix(incident: Incident) -> list[tuple[str, str]]:
    """(title, Markdown) of each migration's script, in the order of the Migrations table."""
    appendix = []
    for number, m in enumerate(incident.migrations.all(), start=1):
        lines = [
            f"**File**: `prisma/migrations/{m.name}/migration.sql`  ",
            f"**Checksum**: `{m.checksum}`"
            + (f"  \n**Commit**: `{m.commit.short_sha}`" if m.commit else ""),
            "",
            "```sql",
            m.sql.rstrip("\n"),
            "```",
        ]
        appendix.append((f"Migration {number}: {m.name}", "\n".join(lines)))
    return appendix


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


def _lessons(incident: Incident) -> list[str]:
    return ["## Lessons learned", "",
            incident.lessons_learned.strip() or "_Not written yet: the backend team adds them "
            "from the incident's Edit details._", ""]


def build_body(incident: Incident) -> str:
    """The post-mortem up to, not including, the appendix: what the printable page shows in
    full (the appendix is collapsed there)."""
    parts = (
        _header(incident) + _summary(incident) + _impact(incident) + _timeline(incident)
        + _commits(incident) + _migrations(incident) + _action_items(incident)
        + _lessons(incident)
    )
    for section in extra_sections(incident):
        parts += [f"## {section.title}", "", section.markdown.strip(), ""]
    return "\n".join(parts)


def build_markdown(incident: Incident) -> str:
    """The whole document, as downloaded: the body, the SQL appendix, the footer."""
    parts = [build_body(incident)]
    appendix = migration_appendix(incident)
    if appendix:
        parts += ["## Appendix: migration SQL", ""]
        for title, markdown in appendix:
            parts += [f"### {title}", "", markdown, ""]
    parts += ["---", "", f"*Generated by Driftwatch: {_when(timezone.now())}*", ""]
    return "\n".join(parts)


# GitHub-style task list items ("- [ ] title") as python-markdown renders them, and the
# checkbox each becomes on the page (the Markdown download keeps the GitHub syntax).
_TASK_ITEMS = {
    "<li>[ ] ": '<li class="task"><input type="checkbox" disabled aria-label="open"> ',
    "<li>[x] ": '<li class="task"><input type="checkbox" disabled checked aria-label="done"> ',
}


def render_page(incident: Incident) -> tuple[SafeString, list[tuple[str, SafeString]]]:
    """The printable page's document and its appendix, as sanitized HTML. Task list items
    become real (disabled) checkboxes after sanitizing: only the fixed markup above is added."""
    # rendered once per process for a given document (the same text is the same HTML)
    html = str(markdown_html(build_body(incident)))
    for text, checkbox in _TASK_ITEMS.items():
        html = html.replace(text, checkbox)
    appendix = [(title, markdown_html(md)) for title, md in migration_appendix(incident)]
    return mark_safe(html), appendix  # noqa: S308 - sanitized, plus the fixed checkbox markup
