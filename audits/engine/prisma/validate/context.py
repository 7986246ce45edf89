"""What every rule needs to know about the schema: the provider, the datasource's name (native
type attributes are ``@<name>.VarChar``), the preview features, and the declarations by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from audits.engine.prisma import ast
from audits.engine.prisma.validate.diagnostics import Diagnostics

SCALAR_TYPES = frozenset(
    ("String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes")
)
# Prisma's datasource providers, and the connector each one is.
PROVIDERS = {
    "postgresql": "postgresql", "postgres": "postgresql", "sqlite": "sqlite", "mysql": "mysql",
    "sqlserver": "sqlserver", "mongodb": "mongodb", "cockroachdb": "cockroachdb",
}


class FieldFacts(NamedTuple):
    """What the model-wide rules ask of each field: where its first ``@id`` and ``@unique``
    are among its attributes (-1 when absent), and its ``@map("...")`` name (None when not
    mapped)."""

    id_at: int
    unique_at: int
    mapped: str | None


@dataclass
class Ctx:
    schema: ast.PrismaSchema
    report: Diagnostics
    connector: str | None = None  # None without a datasource (or an unknown provider)
    datasource_name: str | None = None
    preview_features: frozenset[str] = frozenset()
    relation_mode: str = "foreignKeys"
    schemas: tuple[str, ...] | None = None  # the datasource's `schemas`, None when absent
    models: dict[str, ast.Model] = field(default_factory=dict)  # models and views
    composites: dict[str, ast.Model] = field(default_factory=dict)
    enums: dict[str, ast.EnumDecl] = field(default_factory=dict)
    _prefix: tuple[str | None] | None = None
    # a field's spelling -> its FieldFacts (what the model-wide rules ask of it)
    field_facts: dict[tuple[str, ...], FieldFacts] = field(default_factory=dict)
    # model or view name -> its relation fields, filled in by the relation rules
    relation_fields: dict[str, list[ast.Field]] = field(default_factory=dict)
    # (model, the model its relation fields point at, relation name) -> those fields, in order
    relation_ends: dict[tuple[str, str, str | None], list[ast.Field]] = field(
        default_factory=dict)

    def __post_init__(self) -> None:
        for model in self.schema.models:
            target = self.composites if model.kind == "type" else self.models
            target.setdefault(model.name, model)
        for enum in self.schema.enums:
            self.enums.setdefault(enum.name, enum)

    def error(self, message: str, position: ast.Position | None) -> None:
        self.report.error(message, position)

    def warning(self, message: str, position: ast.Position | None) -> None:
        self.report.warning(message, position)

    @property
    def native_prefix(self) -> str | None:
        return f"{self.datasource_name}." if self.datasource_name else None

    @property
    def prefix(self) -> str | None:
        """``native_prefix``, computed once (asked for every field)."""
        if self._prefix is None:
            self._prefix = (self.native_prefix,)
        return self._prefix[0]


def kind_word(model: ast.Model) -> str:
    return {"model": "model", "view": "view", "type": "composite type"}[model.kind]


def describe_value(value: ast.Value) -> str:
    """Prisma's words for a value's kind: "string", "numeric", "array", ..."""
    if isinstance(value, ast.StringValue):
        return "string"
    if isinstance(value, ast.NumberValue):
        return "numeric"
    if isinstance(value, ast.ArrayValue):
        return "array"
    if isinstance(value, ast.FunctionValue):
        return "function"
    return "literal"


def value_text(value: ast.Value) -> str:
    """A value as Prisma quotes it in a message."""
    if isinstance(value, ast.StringValue):
        return '"' + value.value.replace('"', '\\"') + '"'
    if isinstance(value, ast.NumberValue):
        return value.text
    if isinstance(value, ast.BooleanValue):
        return "true" if value.value else "false"
    if isinstance(value, ast.ConstantValue):
        return value.name
    if isinstance(value, ast.FunctionValue):
        inner = ", ".join(argument_text(a) for a in value.arguments)
        return f"{value.name}({inner})"
    return "[" + ", ".join(value_text(item) for item in value.items) + "]"


def argument_text(argument: ast.Argument) -> str:
    text = value_text(argument.value)
    return f"{argument.name}: {text}" if argument.name else text


def expect_string(ctx: Ctx, value: ast.Value) -> str | None:
    if isinstance(value, ast.StringValue):
        return value.value
    ctx.error(f"Expected a string value, but received {describe_value(value)} value "
              f"`{value_text(value)}`.", value.position)
    return None
