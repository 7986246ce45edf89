"""Words for migration states, checksum matches and three-way verdicts (issue 6 pages)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

STATE_WORDS = {
    "applied": "applied",
    "edited": "edited since applied",
    "marked_applied": "marked applied",
    "failed": "failed",
    "rolled_back": "rolled back",
    "pending": "pending",
    "unknown": "unknown to the folder",
    "not_applied": "not applied",
}
MATCH_WORDS = {
    "exact": "matches",
    "match": "matches",
    "line_endings": "matches (CRLF/LF only)",
    "none": "differs: edited",
    "differs": "differs",
}


@register.filter
def state_words(state: str) -> str:
    return STATE_WORDS.get(state, state.replace("_", " ") or "—")


@register.filter
def match_words(match: str) -> str:
    return MATCH_WORDS.get(match, "—")


@register.filter
def verdict_words(row: Any) -> str:
    """What to do about one three-way row, in words."""
    migration = getattr(row, "migration", "") or ""
    verdict = getattr(row, "verdict", "")
    if verdict == "write_migration":
        return "write a migration"
    if verdict == "pending_migration":
        return f"pending migration {migration}" if migration else "pending migration"
    if verdict == "migration_created_it_gone":
        return (f"migration {migration} created it; it is gone" if migration
                else "an applied migration created it; it is gone")
    if verdict == "changed_by_hand":
        return "changed by hand"
    if verdict == "not_in_code":
        return "in the migrations and the database, not in the code"
    return verdict.replace("_", " ")


@register.filter
def presence(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "no")


SHORT_VERDICTS = {
    "write_migration": "write a migration",
    "pending_migration": "pending migration",
    "migration_created_it_gone": "created, now gone",
    "changed_by_hand": "changed by hand",
    "not_in_code": "not in the code",
}


@register.filter
def verdict_short(verdict: str) -> str:
    """A verdict as a filter chip or a count says it."""
    return SHORT_VERDICTS.get(verdict, verdict.replace("_", " "))


@register.filter
def words(value: str) -> str:
    """An identifier as words: foreign_key -> foreign key."""
    return str(value).replace("_", " ")


STATE_ORDER = ("applied", "edited", "marked_applied", "failed", "rolled_back", "pending",
               "unknown")


@register.filter
def ordered_states(counts: dict[str, int]) -> list[tuple[str, int]]:
    """{state: n} (stored as jsonb, whose key order is its own) in a fixed reading order."""
    known = [(state, counts[state]) for state in STATE_ORDER if counts.get(state)]
    return known + sorted((s, n) for s, n in counts.items() if s not in STATE_ORDER and n)
