"""Code, history, database: each difference between the three, and which one to fix.

Three schemas: what the code expects (schema.prisma, lowered), what the migrations build (the
folder replayed: all of it, and only the migrations the target has applied), and what the
database has (introspected). ``compare`` between pairs finds the differences, with its matching
rules (indexes and keys by columns, a missing table carrying its columns...); the step-by-step
replay says which migration created or last changed each object. Verdicts:

- ``write_migration``: in the code but in no migration; the fix is a new migration
  (``ThreeWay.fix_sql``, from ``repair.fix_migration``): the seed incident's root cause;
- ``pending_migration``: a migration not applied yet creates or changes it (``migration``);
- ``migration_created_it_gone``: an applied migration created it and the database lacks it;
- ``changed_by_hand``: the database has it (or has it differently) and no migration made it so;
- ``not_in_code``: the migrations and the database have it, the code does not declare it
  (an index written by hand in a migration, say); nothing breaks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from audits.engine.compare import compare
from audits.engine.diff import diff_schemas
from audits.engine.history.objects import Attribution, ObjectKey, label, owner
from audits.engine.model import Finding, Schema, Severity

WRITE_MIGRATION = "write_migration"
PENDING_MIGRATION = "pending_migration"
MIGRATION_CREATED_IT_GONE = "migration_created_it_gone"
CHANGED_BY_HAND = "changed_by_hand"
NOT_IN_CODE = "not_in_code"
VERDICTS = (WRITE_MIGRATION, PENDING_MIGRATION, MIGRATION_CREATED_IT_GONE, CHANGED_BY_HAND,
            NOT_IN_CODE)

_MISSING = {"missing_table", "missing_column", "missing_unique", "missing_index",
            "missing_foreign_key", "missing_enum", "missing_enum_value"}
_EXTRA = {"extra_table", "extra_column", "extra_unique", "extra_index", "extra_foreign_key",
          "extra_enum", "extra_enum_value"}
# compare reports a renamed index or key as one of these with ``expected`` = the wanted name
_RENAMABLE = {"extra_unique", "extra_index", "extra_foreign_key"}
_CHANGED = {"type_mismatch", "nullability_mismatch", "default_mismatch", "primary_key_mismatch",
            "foreign_key_mismatch"}
_COLUMN_KINDS = {"missing_column", "extra_column", "type_mismatch", "nullability_mismatch",
                 "default_mismatch"}


@dataclass(frozen=True)
class ThreeWayRow:
    object: str  # "User.username", "Payment", "Role.ADMIN", "Order.Order_userId_fkey"
    kind: str  # table, column, index, unique, primary_key, foreign_key, enum, enum_value
    in_code: bool | None  # None when no schema.prisma was given
    in_history: bool
    in_database: bool
    verdict: str
    migration: str | None = None
    # for pages: grouping per table and model, and the words of the finding behind the row
    schema: str = "public"
    table: str | None = None
    model: str | None = None
    finding: str = ""
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "object": self.object,
            "kind": self.kind,
            "in_code": self.in_code,
            "in_history": self.in_history,
            "in_database": self.in_database,
            "verdict": self.verdict,
            "migration": self.migration,
        }


@dataclass(frozen=True)
class ThreeWay:
    rows: tuple[ThreeWayRow, ...]
    fix_sql: str | None  # the migration to write for the write_migration rows (None: none)

    def by_table(self) -> dict[str, list[ThreeWayRow]]:
        """Rows grouped by table (enums under their own name), in row order."""
        groups: dict[str, list[ThreeWayRow]] = {}
        for row in self.rows:
            groups.setdefault(row.table or row.object.split(".")[0], []).append(row)
        return groups

    def absent_by_migration(self) -> dict[str, list[str]]:
        """For each applied migration, the objects it created that the database lacks."""
        absent: dict[str, list[str]] = {}
        for row in self.rows:
            if row.verdict == MIGRATION_CREATED_IT_GONE and row.migration:
                absent.setdefault(row.migration, []).append(row.object)
        return absent


@dataclass(frozen=True)
class _Diff:
    """One pairwise comparison, keyed by object."""

    missing: dict[ObjectKey, Finding]
    extra: dict[ObjectKey, Finding]
    changed: dict[ObjectKey, Finding]


def three_way(code: Schema | None, history: Schema, applied: Schema, database: Schema, *,
              history_owners: Attribution, applied_owners: Attribution) -> ThreeWay:
    """Classify every difference; ``history`` is the whole folder, ``applied`` the applied part.

    ``*_owners`` come from step-by-step replays of the two (see ``replay``).
    """
    hh = _diff(history, applied)
    hd = _diff(applied, database)
    ch = _diff(code, history) if code is not None else None
    cd = _diff(code, database) if code is not None else None
    rows = _Rows(code)
    if ch is not None and cd is not None:
        for key, finding in ch.missing.items():
            rows.add(key, finding, True, False, key not in cd.missing, WRITE_MIGRATION, None)
        for key, finding in ch.changed.items():
            if finding.severity != Severity.INFO:  # an info difference needs no migration
                rows.add(key, finding, True, True, True, WRITE_MIGRATION, None)

    def in_code(key: ObjectKey) -> bool | None:
        return None if ch is None else key not in ch.extra

    for key, finding in hh.missing.items():
        pending = owner(history_owners, key)
        if key in hd.extra:  # a pending migration creates what the database already has
            rows.add(key, finding, in_code(key), True, True, CHANGED_BY_HAND, pending)
        else:
            rows.add(key, finding, in_code(key), True, False, PENDING_MIGRATION, pending)
    for key, finding in {**hh.changed, **hh.extra}.items():
        rows.add(key, finding, in_code(key), True, True, PENDING_MIGRATION,
                 _pending_owner(key, history_owners, applied_owners))
    for key, finding in hd.missing.items():
        rows.add(key, finding, in_code(key), True, False, MIGRATION_CREATED_IT_GONE,
                 owner(applied_owners, key))
    for key, finding in hd.changed.items():
        rows.add(key, finding, in_code(key), True, True, CHANGED_BY_HAND,
                 owner(applied_owners, key))
    for key, finding in hd.extra.items():
        code_has = None if cd is None else key not in cd.extra
        rows.add(key, finding, code_has, False, True, CHANGED_BY_HAND, None)
    if ch is not None:
        for key, finding in ch.extra.items():
            rows.add(key, finding, False, True, True, NOT_IN_CODE, owner(history_owners, key))
    fix_sql = _fix_sql(code, history) if code is not None and any(
        row.verdict == WRITE_MIGRATION for row in rows.rows) else None
    return ThreeWay(rows=tuple(rows.rows), fix_sql=fix_sql)


def _pending_owner(key: ObjectKey, history_owners: Attribution,
                   applied_owners: Attribution) -> str | None:
    found = owner(history_owners, key)
    return found if found != owner(applied_owners, key) else None


def _fix_sql(code: Schema, history: Schema) -> str:
    from audits.engine.repair import fix_migration

    return fix_migration(code, history)


class _Rows:
    """Rows in the order added, one per object: the first verdict for an object wins."""

    def __init__(self, code: Schema | None) -> None:
        self.rows: list[ThreeWayRow] = []
        self._seen: set[tuple[str, str]] = set()
        self._models = {(t.schema, t.name): t.model for t in code.tables} if code else {}

    def add(self, key: ObjectKey, finding: Finding, in_code: bool | None, in_history: bool,
            in_database: bool, verdict: str, migration: str | None) -> None:
        kind = _kind(key, finding)
        name = label(key)
        if (kind, name) in self._seen:
            return
        self._seen.add((kind, name))
        table = key[2] if key[0] not in ("enum", "enum_value") else None
        self.rows.append(ThreeWayRow(
            object=name, kind=kind, in_code=in_code, in_history=in_history,
            in_database=in_database, verdict=verdict, migration=migration, schema=key[1],
            table=table, model=self._models.get((key[1], table)) if table else None,
            finding=finding.kind, message=finding.message))


def _kind(key: ObjectKey, finding: Finding) -> str:
    if key[0] == "index" and "unique" in finding.kind:
        return "unique"
    return key[0]


def _diff(expected: Schema, actual: Schema) -> _Diff:
    report = compare(expected, actual)
    enum_names = _enum_value_owners(expected, actual)
    result = _Diff(missing={}, extra={}, changed={})
    for finding in report.findings:
        if finding.kind in _RENAMABLE and finding.expected is not None:
            continue  # a name-only difference (a renamed index or key): nothing to fix
        key = _key(finding, enum_names)
        if key is None:
            continue
        target = result.missing if finding.kind in _MISSING else \
            result.extra if finding.kind in _EXTRA else result.changed
        target.setdefault(key, finding)
    return result


def _enum_value_owners(expected: Schema, actual: Schema) -> Mapping[tuple[str, str, str], str]:
    """(schema, missing|extra, value) -> the enum it belongs to (findings do not say)."""
    owners: dict[tuple[str, str, str], str] = {}
    for change in diff_schemas(expected, actual).enums:
        for value in change.missing_values:
            owners.setdefault((change.expected.schema, "missing", value), change.expected.name)
        for value in change.extra_values:
            owners.setdefault((change.live.schema, "extra", value), change.live.name)
    return owners


def _key(finding: Finding, enum_names: Mapping[tuple[str, str, str], str]) -> ObjectKey | None:
    schema = finding.schema or "public"
    kind = finding.kind
    if kind in ("missing_enum", "extra_enum"):
        return ("enum", schema, finding.object_name or "")
    if kind in ("missing_enum_value", "extra_enum_value"):
        side = "missing" if kind.startswith("missing") else "extra"
        enum = enum_names.get((schema, side, finding.object_name or ""))
        return ("enum_value", schema, enum, finding.object_name or "") if enum else None
    if finding.table is None:
        return None
    base = (schema, finding.table)
    if kind in ("missing_table", "extra_table"):
        return ("table",) + base
    if kind in _COLUMN_KINDS:
        return ("column",) + base + (finding.column or "",)
    if kind == "primary_key_mismatch":
        return ("primary_key",) + base
    if kind.endswith("foreign_key") or kind == "foreign_key_mismatch":
        return ("foreign_key",) + base + (finding.object_name or "",)
    if kind.endswith(("_index", "_unique")):
        return ("index",) + base + (finding.object_name or "",)
    return None


def verdict_counts(rows: Iterable[ThreeWayRow]) -> dict[str, int]:
    counts = dict.fromkeys(VERDICTS, 0)
    for row in rows:
        counts[row.verdict] = counts.get(row.verdict, 0) + 1
    return counts


__all__ = [
    "CHANGED_BY_HAND",
    "MIGRATION_CREATED_IT_GONE",
    "NOT_IN_CODE",
    "PENDING_MIGRATION",
    "ThreeWay",
    "ThreeWayRow",
    "VERDICTS",
    "WRITE_MIGRATION",
    "three_way",
    "verdict_counts",
]
