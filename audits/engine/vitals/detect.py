"""Last healthy vital signs + now -> what looks like a wiped or reset database, in plain words.

Each detector looks for one signature of a catastrophe and explains what it saw:

- ``database_recreated``: the database (same name) has a new OID: dropped and created again.
- ``schema_recreated``: a schema's OID changed or the schema is gone. ``prisma migrate reset
  --force`` on PostgreSQL runs ``DROP SCHEMA "public" CASCADE; CREATE SCHEMA "public"``.
- ``tables_recreated``: most tables have a new OID (dropped and created again) or are gone.
- ``migrations_reset``: ``_prisma_migrations`` was recreated, emptied, dropped, or its oldest
  row is newer than before (the history was written again from scratch).
- ``rows_collapsed``: at least ``rows_gone_fraction`` of the rows are gone, across the tables
  that held at least ``rows_table_minimum`` rows (together at least ``rows_total_minimum``).
- ``sequences_reset``: a serial/identity sequence that had reached ``sequence_minimum`` went
  back (a reset, a ``TRUNCATE ... RESTART IDENTITY``, an ``ALTER SEQUENCE ... RESTART``).

What never fires, and why: inserts and updates only add; a few deletes stay far below the
fraction; VACUUM and ANALYZE recount rows that are there (and never move an OID); ``VACUUM
FULL``, ``CLUSTER`` and a rewriting ``ALTER TABLE`` give a table new storage but keep its OID
and its live-row count; sequences never go back on their own; a new migration adds a row to
``_prisma_migrations`` and leaves its oldest row alone.

Row figures are estimates unless exact counts were read, and estimates lag. Before a table is
said to have lost rows, the loss must be explained: its storage was replaced (TRUNCATE), the
delete counter grew by at least half the loss, or a VACUUM/ANALYZE recounted it since. A
statistics reset (``pg_stat_reset()``, a crash) zeroes the live-row counter with no row gone;
then nothing explains the drop, and the planner's estimate, which a reset leaves alone, stands.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from audits.engine.model import from_plain, to_plain
from audits.engine.vitals.model import (
    PRISMA_MIGRATIONS_TABLE,
    MigrationsVitals,
    TableVitals,
    VitalSigns,
)

DATABASE_RECREATED = "database_recreated"
SCHEMA_RECREATED = "schema_recreated"
TABLES_RECREATED = "tables_recreated"
MIGRATIONS_RESET = "migrations_reset"
ROWS_COLLAPSED = "rows_collapsed"
SEQUENCES_RESET = "sequences_reset"
# the order detections are reported in: the strongest evidence first
DETECTION_KINDS = (DATABASE_RECREATED, SCHEMA_RECREATED, TABLES_RECREATED, MIGRATIONS_RESET,
                   ROWS_COLLAPSED, SEQUENCES_RESET)
LISTED = 5  # tables or sequences named in an explanation


@dataclass(frozen=True)
class Thresholds:
    # "most tables": at least this share of the tables were recreated or dropped, ...
    tables_recreated_fraction: float = 0.5
    # ... and at least this many of them
    tables_recreated_minimum: int = 2
    # rows collapsed: at least this share of the rows is gone, ...
    rows_gone_fraction: float = 0.5
    # ... across the tables that held at least this many rows each, ...
    rows_table_minimum: int = 100
    # ... which together held at least this many
    rows_total_minimum: int = 1000
    # a sequence counts as reset only when it had reached this value and went back
    sequence_minimum: int = 100

    def problems(self) -> list[str]:
        """What is wrong with these thresholds, one sentence each; empty when they are fine."""
        found = []
        for name in ("tables_recreated_fraction", "rows_gone_fraction"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0 < value <= 1:
                found.append(f"{name} must be a fraction above 0 and at most 1, not {value!r}")
        for name in ("tables_recreated_minimum", "rows_table_minimum", "rows_total_minimum",
                     "sequence_minimum"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                found.append(f"{name} must be a whole number of at least 1, not {value!r}")
        return found

    def to_plain(self) -> dict[str, Any]:
        plain: dict[str, Any] = to_plain(self)
        return plain

    @classmethod
    def from_plain(cls, data: dict[str, Any] | None) -> Thresholds:
        """Thresholds from stored settings; missing keys take the defaults."""
        known = {spec.name for spec in fields(cls)}
        return from_plain(cls, {key: value for key, value in (data or {}).items()
                                if key in known})


@dataclass(frozen=True)
class Figure:
    """One before/after figure of a detection (for the incident's timeline)."""

    label: str
    before: int | str | None
    after: int | str | None


@dataclass(frozen=True)
class Detection:
    kind: str  # one of DETECTION_KINDS
    title: str  # one line
    explanation: str  # what was seen and what it means, in plain words
    figures: tuple[Figure, ...] = ()

    def to_plain(self) -> dict[str, Any]:
        plain: dict[str, Any] = to_plain(self)
        return plain

    @classmethod
    def from_plain(cls, data: dict[str, Any]) -> Detection:
        return from_plain(cls, data)


def detect(before: VitalSigns, now: VitalSigns,
           thresholds: Thresholds | None = None) -> tuple[Detection, ...]:
    """Every catastrophe signature between the last healthy vital signs and now."""
    limits = thresholds or Thresholds()
    if before.dialect != now.dialect:
        return ()
    matched = _match_tables(before, now)
    found = [
        _database_recreated(before, now),
        *_schemas_recreated(before, now),
        _tables_recreated(before, now, matched, limits),
        *_migrations_reset(before, now),
        _rows_collapsed(matched, limits, exact=before.exact_counts and now.exact_counts),
        _sequences_reset(before, now, limits),
    ]
    return tuple(detection for detection in found if detection is not None)


# --- matching tables ------------------------------------------------------------------------

SAME, RECREATED, GONE = "same", "recreated", "gone"


@dataclass(frozen=True)
class _Match:
    before: TableVitals
    now: TableVitals | None
    state: str  # SAME (the same object, maybe renamed), RECREATED (same name, new OID), GONE


def _match_tables(before: VitalSigns, now: VitalSigns) -> list[_Match]:
    """Each earlier table with what became of it: by OID first (a renamed table is the same
    table), then by name."""
    by_oid = {table.oid: table for table in now.tables if table.oid is not None}
    by_name = {(table.schema, table.name): table for table in now.tables}
    matches = []
    for table in before.tables:
        if table.oid is not None and table.oid in by_oid:
            matches.append(_Match(table, by_oid[table.oid], SAME))
            continue
        other = by_name.get((table.schema, table.name))
        if other is None:
            matches.append(_Match(table, None, GONE))
        elif table.oid is None or other.oid is None:
            matches.append(_Match(table, other, SAME))  # SQLite: no identities to compare
        else:
            matches.append(_Match(table, other, RECREATED))
    return matches


def _rows_now(match: _Match) -> int:
    """The rows the table holds now, counting a loss only where something explains it."""
    if match.now is None:
        return 0
    now = match.now.rows
    if match.state == RECREATED:
        return now or 0
    held = match.before.rows or 0
    if now is None:
        return held  # nothing known now: no loss is claimed
    if now >= held or match.now.rows_are_exact:
        return now
    if match.now.relfilenode != match.before.relfilenode:
        return now  # new storage: TRUNCATE (a rewrite keeps the live-row counter)
    if _deleted_since(match.before, match.now) * 2 >= held - now:
        return now
    if (match.now.maintenance_count or 0) > (match.before.maintenance_count or 0):
        return now  # a VACUUM or ANALYZE counted the rows again since
    # Nothing explains the drop (a statistics reset): the planner's estimate stands beside it.
    estimate = match.now.reltuples
    return max(now, round(estimate)) if estimate is not None and estimate >= 0 else held


def _deleted_since(before: TableVitals, now: TableVitals) -> int:
    if before.n_tup_del is None or now.n_tup_del is None or now.n_tup_del < before.n_tup_del:
        return 0  # unknown, or the counters were reset
    return now.n_tup_del - before.n_tup_del


# --- detectors ------------------------------------------------------------------------------


def _database_recreated(before: VitalSigns, now: VitalSigns) -> Detection | None:
    if (before.database_oid is None or now.database_oid is None
            or before.database != now.database or before.database_oid == now.database_oid):
        return None
    return Detection(
        kind=DATABASE_RECREATED,
        title=f'Database "{now.database}" was dropped and created again',
        explanation=(
            f'The database "{now.database}" has a new identity in the server\'s catalog (OID '
            f"{before.database_oid} before, {now.database_oid} now). A database gets a new OID "
            "only when it is dropped and created again, or restored into a new database: "
            "everything that was in it before is gone unless it was restored."
        ),
        figures=(Figure("database OID", before.database_oid, now.database_oid),),
    )


def _schemas_recreated(before: VitalSigns, now: VitalSigns) -> list[Detection]:
    found = []
    for namespace in before.namespaces:
        current = now.namespace(namespace.name)
        if current is not None and current.oid == namespace.oid:
            continue
        tables_before = sum(1 for t in before.tables if t.schema == namespace.name)
        tables_now = sum(1 for t in now.tables if t.schema == namespace.name)
        if current is None:
            title = f'Schema "{namespace.name}" was dropped'
            seen = f'The schema "{namespace.name}" no longer exists'
        else:
            title = f'Schema "{namespace.name}" was dropped and created again'
            seen = (f'The schema "{namespace.name}" has a new identity in the catalog (OID '
                    f"{namespace.oid} before, {current.oid} now)")
        found.append(Detection(
            kind=SCHEMA_RECREATED,
            title=title,
            explanation=(
                f"{seen}. A schema gets a new OID only when it is dropped and created again, "
                "and dropping it drops every table, row, sequence and type in it. This is "
                "exactly what `prisma migrate reset --force` does on PostgreSQL "
                f'(DROP SCHEMA "{namespace.name}" CASCADE; CREATE SCHEMA "{namespace.name}"; '
                "then every migration again)."
            ),
            figures=(
                Figure(f'schema "{namespace.name}" OID', namespace.oid,
                       current.oid if current else None),
                Figure(f'tables in "{namespace.name}"', tables_before, tables_now),
            ),
        ))
    return found


def _tables_recreated(before: VitalSigns, now: VitalSigns, matched: list[_Match],
                      limits: Thresholds) -> Detection | None:
    user = [m for m in matched if m.before.name != PRISMA_MIGRATIONS_TABLE]
    recreated = [m for m in user if m.state == RECREATED]
    gone = [m for m in user if m.state == GONE]
    changed = len(recreated) + len(gone)
    if (not user or changed < limits.tables_recreated_minimum
            or changed < limits.tables_recreated_fraction * len(user)):
        return None
    if recreated and gone:
        what = (f"{len(recreated)} were dropped and created again (new OIDs) and {len(gone)} "
                "were dropped")
        title = f"{changed} of {len(user)} tables were dropped or recreated at once"
    elif recreated:
        what = "they were dropped and created again: each has a new OID"
        title = f"{changed} of {len(user)} tables were dropped and created again"
    else:
        what = "they were dropped"
        title = f"{changed} of {len(user)} tables were dropped"
    names = _name_list([m.before.qualified_name for m in recreated + gone])
    return Detection(
        kind=TABLES_RECREATED,
        title=title,
        explanation=(
            f"Of the {len(user)} tables of the last healthy audit, {changed} changed identity "
            f"at once: {what} ({names}). Migrations alter tables in place and keep their "
            "identity; recreating most of them at once is a reset, a restore, or a script that "
            "dropped them."
        ),
        figures=(
            Figure("tables", len(user), len(now.user_tables())),
            Figure("tables recreated (new OID)", 0, len(recreated)),
            Figure("tables dropped", 0, len(gone)),
        ),
    )


def _migrations_reset(before: VitalSigns, now: VitalSigns) -> list[Detection]:
    found = []
    for earlier in before.migrations:
        if not earlier.rows:
            continue
        current = now.migrations_in(earlier.schema)
        table = (PRISMA_MIGRATIONS_TABLE if earlier.schema == "public"
                 else f"{earlier.schema}.{PRISMA_MIGRATIONS_TABLE}")
        what = _migrations_change(earlier, current)
        if what is None:
            continue
        title, seen = what
        found.append(Detection(
            kind=MIGRATIONS_RESET,
            title=f"{table} {title}",
            explanation=(
                f"Prisma's migration history {seen}. Prisma writes this table one row per "
                "applied migration and never empties or recreates it; a history that starts "
                "over means the migrations were applied again to an empty database "
                "(`prisma migrate reset`, or the table was dropped by hand)."
            ),
            figures=(
                Figure(f"{table} rows", earlier.rows, current.rows if current else None),
                Figure("oldest migration started", earlier.oldest_started_at,
                       current.oldest_started_at if current else None),
                Figure("newest migration started", earlier.newest_started_at,
                       current.newest_started_at if current else None),
            ),
        ))
    return found


def _migrations_change(earlier: MigrationsVitals, current: MigrationsVitals | None
                       ) -> tuple[str, str] | None:
    """(title, what was seen) when the bookkeeping table started over, else None."""
    since = f"({earlier.rows} rows, the oldest started {earlier.oldest_started_at})"
    if current is None:
        return "was dropped", f"is gone: the table no longer exists {since}"
    if current.problem is not None or current.rows is None:
        return None  # unreadable now: nothing can be said
    if earlier.oid is not None and current.oid is not None and earlier.oid != current.oid:
        return ("was dropped and created again",
                f"was dropped and created again: the table has a new OID ({earlier.oid} "
                f"before, {current.oid} now) and {current.rows} rows, the oldest started "
                f"{current.oldest_started_at}, before {since}")
    if current.rows == 0:
        return "was emptied", f"was emptied: it holds no rows now, before {since}"
    if _later(current.oldest_started_at, earlier.oldest_started_at):
        return ("was written again from scratch",
                f"was written again: its oldest row now started {current.oldest_started_at}, "
                f"later than the oldest of the last healthy audit {since}, so the earlier rows "
                "are gone")
    return None


def _rows_collapsed(matched: list[_Match], limits: Thresholds, *,
                    exact: bool) -> Detection | None:
    held: list[tuple[_Match, int, int]] = []
    for match in matched:
        rows = match.before.rows or 0
        if match.before.name == PRISMA_MIGRATIONS_TABLE or rows < limits.rows_table_minimum:
            continue
        held.append((match, rows, min(_rows_now(match), rows)))
    held_total = sum(rows for _match, rows, _now in held)
    if not held or held_total < limits.rows_total_minimum:
        return None
    lost = sum(rows - now for _match, rows, now in held)
    if lost < limits.rows_gone_fraction * held_total:
        return None
    share = lost / held_total
    emptied = sum(1 for _match, rows, now in held if now == 0)
    about = "" if exact else "about "
    biggest = sorted(held, key=lambda item: item[2] - item[1])[:LISTED]
    losses = ", ".join(f"{match.before.qualified_name} {rows:,} → {now:,}"
                       for match, rows, now in biggest if rows > now)
    return Detection(
        kind=ROWS_COLLAPSED,
        title=f"{_percent(share)} of the rows are gone",
        explanation=(
            f"The {len(held)} tables that held at least {limits.rows_table_minimum:,} rows had "
            f"{about}{held_total:,} rows at the last healthy audit and have {about}"
            f"{held_total - lost:,} now: {_percent(share)} gone, {emptied} of them empty. "
            f"Largest losses: {losses}. Ordinary use deletes a few rows, not most of them."
            + ("" if exact else " Figures are the database's own estimates (the statistics "
               "collector and the planner), a loss counted only where a TRUNCATE, the delete "
               "counter or a recount explains it.")
        ),
        figures=(
            Figure(f"rows in tables that held {limits.rows_table_minimum:,}+", held_total,
                   held_total - lost),
            Figure("of those tables, empty", 0, emptied),
            *(Figure(f"{match.before.qualified_name} rows", rows, now)
              for match, rows, now in biggest if rows > now),
        ),
    )


def _sequences_reset(before: VitalSigns, now: VitalSigns,
                     limits: Thresholds) -> Detection | None:
    current = {sequence.key: sequence for sequence in now.sequences}
    went_back = []
    for sequence in before.sequences:
        if not sequence.readable or (sequence.last_value or 0) < limits.sequence_minimum:
            continue
        later = current.get(sequence.key)
        if later is None or not later.readable:
            continue  # the column is gone (other detectors say so) or unreadable
        if later.last_value is None or later.last_value < (sequence.last_value or 0):
            went_back.append((sequence, later))
    if not went_back:
        return None
    listed = ", ".join(f"{old.label} {old.last_value:,} → {_position(new.last_value)}"
                       for old, new in went_back[:LISTED])
    count = len(went_back)
    return Detection(
        kind=SEQUENCES_RESET,
        title=f"{count} id sequence{'s' if count != 1 else ''} went back",
        explanation=(
            f"{count} serial/identity sequence{'s' if count != 1 else ''} that had reached "
            f"{limits.sequence_minimum:,} or more went back: {listed}. A sequence never goes "
            "back on its own; it is reset with its table (a reset, TRUNCATE ... RESTART "
            "IDENTITY) or by hand. New rows will get ids that old rows, backups, caches and "
            "other systems still hold."
        ),
        figures=tuple(Figure(f"{old.label} last value", old.last_value, new.last_value)
                      for old, new in went_back[:LISTED]),
    )


# --- words ----------------------------------------------------------------------------------


def _name_list(names: list[str]) -> str:
    shown = ", ".join(names[:LISTED])
    return shown if len(names) <= LISTED else f"{shown} and {len(names) - LISTED} more"


def _percent(share: float) -> str:
    return f"{int(share * 100)}%" if share < 1 else "100%"


def _position(value: int | None) -> str:
    return "never used" if value is None else f"{value:,}"


def _later(first: str | None, second: str | None) -> bool:
    """``first`` is a later moment than ``second`` (ISO 8601 texts; naive ones are UTC)."""
    if first is None or second is None:
        return False
    try:
        return _moment(first) > _moment(second)
    except ValueError:
        return first > second


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


__all__ = [
    "DATABASE_RECREATED",
    "DETECTION_KINDS",
    "Detection",
    "Figure",
    "MIGRATIONS_RESET",
    "ROWS_COLLAPSED",
    "SCHEMA_RECREATED",
    "SEQUENCES_RESET",
    "TABLES_RECREATED",
    "Thresholds",
    "detect",
]
