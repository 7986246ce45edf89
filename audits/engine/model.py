"""The engine's vocabulary: a database schema, and what comparing two of them finds.

Everything here is a frozen dataclass with a JSON round-trip, so the expected schema (lowered
from schema.prisma), the live schema (introspected) and a stored snapshot are the same kind of
value, and an audit run can keep the live schema as JSON and rebuild it later.

Conventions every producer follows, so that comparison stays simple:
- Names are the database's names (after @map/@@map), case preserved.
- ``Column.type`` is spelled as PostgreSQL's ``format_type()`` prints it, lower case:
  ``text``, ``integer``, ``bigint``, ``timestamp(3) without time zone``,
  ``character varying(200)``, ``numeric(65,30)``, ``jsonb``, ``text[]``; an enum type is its
  bare name as created (``"Role"`` -> ``Role``), with ``[]`` for an array. SQLite columns carry
  their declared type in upper case as SQLite stores it (``TEXT``, ``INTEGER``, ``DATETIME``).
  ``compare`` canonicalizes both sides again, so a producer that is unsure may use any alias.
- ``Column.default`` is the default expression as the database reports it, or for the expected
  side as Prisma would create it; ``autoincrement()`` stands for a serial/identity sequence.
- Indexes carry unique indexes and unique constraints alike (``unique=True``); the primary key
  is separate. Foreign-key actions are upper case SQL words (``CASCADE``, ``NO ACTION``...).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from enum import StrEnum
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = True
    default: str | None = None
    field: str | None = None  # the Prisma field name, on the expected side only


@dataclass(frozen=True)
class PrimaryKey:
    columns: tuple[str, ...]
    name: str | None = None


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]  # column names; an expression index holds its expression text
    unique: bool = False
    constraint: bool = False  # a UNIQUE constraint rather than a bare unique index
    method: str = "btree"
    orders: tuple[str, ...] = ()  # "ASC"/"DESC" per column; empty means all ascending
    predicate: str | None = None  # partial index WHERE clause
    include: tuple[str, ...] = ()  # INCLUDE columns, kept apart from the key columns
    opclasses: tuple[str, ...] = ()  # per column; empty means the defaults


@dataclass(frozen=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    referenced_table: str
    referenced_columns: tuple[str, ...]
    referenced_schema: str = "public"
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"


@dataclass(frozen=True)
class Table:
    name: str
    schema: str = "public"
    columns: tuple[Column, ...] = ()
    primary_key: PrimaryKey | None = None
    indexes: tuple[Index, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    model: str | None = None  # the Prisma model name, on the expected side only

    def column(self, name: str) -> Column | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None


@dataclass(frozen=True)
class Enum:
    name: str
    values: tuple[str, ...]
    schema: str = "public"


@dataclass(frozen=True)
class Schema:
    dialect: str  # "postgresql" or "sqlite"
    tables: tuple[Table, ...] = ()
    enums: tuple[Enum, ...] = ()
    namespaces: tuple[str, ...] = ("public",)  # the database schemas this covers

    def table(self, name: str, schema: str = "public") -> Table | None:
        for table in self.tables:
            if table.name == name and table.schema == schema:
                return table
        return None

    def enum(self, name: str, schema: str = "public") -> Enum | None:
        for enum in self.enums:
            if enum.name == name and enum.schema == schema:
                return enum
        return None

    def to_json(self) -> str:
        return json.dumps(to_plain(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Schema:
        return from_plain(cls, json.loads(text))


class Severity(StrEnum):
    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return SEVERITY_ORDER.index(self)


SEVERITY_ORDER = (Severity.CRITICAL, Severity.ERROR, Severity.WARNING, Severity.INFO)


class Status(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    BROKEN = "broken"
    MISSING = "missing"


FINDING_KINDS = (
    "missing_table",
    "extra_table",
    "missing_column",
    "extra_column",
    "type_mismatch",
    "nullability_mismatch",
    "default_mismatch",
    "primary_key_mismatch",
    "missing_unique",
    "extra_unique",
    "missing_index",
    "extra_index",
    "missing_foreign_key",
    "extra_foreign_key",
    "foreign_key_mismatch",
    "missing_enum",
    "extra_enum",
    "missing_enum_value",
    "extra_enum_value",
)


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: Severity
    message: str
    table: str | None = None
    schema: str | None = None
    model: str | None = None
    field: str | None = None
    column: str | None = None
    expected: str | None = None
    actual: str | None = None
    # the name of the index, constraint or enum value concerned, when there is one
    object_name: str | None = None


@dataclass(frozen=True)
class ObjectStatus:
    """The status of one table, with the model it maps (None for a table with no model)."""

    table: str
    status: Status
    schema: str = "public"
    model: str | None = None


@dataclass(frozen=True)
class Report:
    dialect: str
    findings: tuple[Finding, ...] = ()
    objects: tuple[ObjectStatus, ...] = ()

    def by_severity(self) -> dict[str, int]:
        counts = {severity.value: 0 for severity in SEVERITY_ORDER}
        for finding in self.findings:
            counts[finding.severity.value] += 1
        return counts

    def has_drift(self) -> bool:
        return any(finding.severity != Severity.INFO for finding in self.findings)

    def to_json(self) -> str:
        return json.dumps(to_plain(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Report:
        return from_plain(cls, json.loads(text))


_SCALARS = frozenset({str, int, float, bool, type(None)})


def to_plain(value: Any) -> Any:
    """Dataclasses as dicts (fields in order), tuples as lists, anything else as it is.

    Walks each object once, without ``asdict``'s deep copies: an audit stores two schemas
    this way (a langfuse-sized one is about 9,000 objects)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    names = _field_names(kind)
    if names is not None:
        return {name: to_plain(getattr(value, name)) for name in names}
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    return value


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(kind: type) -> tuple[str, ...] | None:
    """The field names of a dataclass type, or None for any other type (remembered)."""
    try:
        return _FIELD_NAMES[kind]
    except KeyError:
        names = tuple(spec.name for spec in fields(kind)) if is_dataclass(kind) else None
        _FIELD_NAMES[kind] = names
        return names


def from_plain(cls: type[T], data: Any) -> T:
    """Rebuild a dataclass from ``to_plain`` output; unknown keys are ignored for old snapshots."""
    kwargs = {}
    for name, convert in _readers(cls):
        if name in data:
            kwargs[name] = convert(data[name])
    return cls(**kwargs)


Converter = Callable[[Any], Any]
# Per dataclass, each field's name and the function that rebuilds its value. Resolving type
# hints is far slower than the rebuilding itself (a langfuse-sized schema is about 9,000
# objects of a handful of classes), so it happens once per class, not once per object.
_READERS: dict[type, tuple[tuple[str, Converter], ...]] = {}


def _readers(cls: type) -> tuple[tuple[str, Converter], ...]:
    try:
        return _READERS[cls]
    except KeyError:
        hints = get_type_hints(cls)
        readers = tuple((spec.name, _converter(hints[spec.name]))
                        for spec in fields(cls))
        _READERS[cls] = readers
        return readers


def _keep(value: Any) -> Any:
    return value


def _converter(hint: Any) -> Converter:
    """A function that rebuilds a value of type ``hint`` from its plain form (None stays)."""
    origin = get_origin(hint)
    args = get_args(hint)
    if origin is tuple:
        item = _converter(args[0])
        if item is _keep:
            return lambda value: None if value is None else tuple(value)
        return lambda value: None if value is None else tuple(item(part) for part in value)
    if args and type(None) in args:  # Optional[X]
        return _converter(next(arg for arg in args if arg is not type(None)))
    if is_dataclass(hint):
        nested: type = hint  # type: ignore[assignment]
        return lambda value: None if value is None else from_plain(nested, value)
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        enum: type[StrEnum] = hint
        return lambda value: None if value is None else enum(value)
    return _keep


__all__ = [
    "Column",
    "Enum",
    "FINDING_KINDS",
    "Finding",
    "ForeignKey",
    "Index",
    "ObjectStatus",
    "PrimaryKey",
    "Report",
    "SEVERITY_ORDER",
    "Schema",
    "Severity",
    "Status",
    "Table",
]
