"""What every lowering step needs: the dialect, the datasource settings, and name lookups.

A model's table is ``@@map`` or the model name, in ``@@schema`` or the default schema; a
field's column is ``@map`` or the field name. PostgreSQL cuts every identifier to 63 bytes, so
the names here are already cut the way the database will report them.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property
from urllib.parse import parse_qs, urlsplit

from audits.engine import model as m
from audits.engine.errors import SchemaError
from audits.engine.prisma import ast
from audits.engine.prisma.lowering.names import (
    PG_MAX_IDENTIFIER,
    SQLITE_MAX_IDENTIFIER,
    truncate,
)
from audits.engine.prisma.lowering.resolved import ResolvedType

POSTGRESQL = "postgresql"
SQLITE = "sqlite"
_PROVIDERS = {"postgresql": POSTGRESQL, "postgres": POSTGRESQL, "sqlite": SQLITE}
DEFAULT_SCHEMA = "public"


def schema_error(
    message: str,
    position: ast.Position | None,
    fallback_file: str = "schema.prisma",
    expected: str | None = None,
) -> SchemaError:
    """A SchemaError located at ``position`` (the offending attribute, argument or field)."""
    if position is None:
        return SchemaError(message, fallback_file, expected=expected)
    return SchemaError(message, position.file, position.line, position.column, expected=expected)


def string_of(value: ast.Value | None) -> str | None:
    return value.value if isinstance(value, ast.StringValue) else None


def items_of(value: ast.Value | None) -> tuple[ast.Value, ...] | None:
    """A list argument's items; Prisma also takes a lone value as a list of one (``@@index(a)``)."""
    if isinstance(value, ast.ArrayValue):
        return value.items
    if isinstance(value, ast.ConstantValue | ast.FunctionValue):
        return (value,)
    return None


@dataclass(frozen=True)
class Datasource:
    name: str  # the block name: native type attributes are spelled @<name>.VarChar
    dialect: str
    relation_mode: str  # "foreignKeys" or "prisma"
    schemas: tuple[str, ...]  # the datasource's `schemas = [...]`, empty when not set
    default_schema: str

    @property
    def identifier_limit(self) -> int:
        return PG_MAX_IDENTIFIER if self.dialect == POSTGRESQL else SQLITE_MAX_IDENTIFIER

    @property
    def namespaces(self) -> tuple[str, ...]:
        return self.schemas or (self.default_schema,)


def read_datasource(schema: ast.PrismaSchema) -> Datasource:
    if not schema.datasources:
        file = schema.files[0] if schema.files else "schema.prisma"
        raise SchemaError(
            "the schema has no datasource block", file, expected="datasource db { provider = ... }"
        )
    block = schema.datasources[0]
    provider_value = block.get("provider")
    provider = string_of(provider_value)
    if provider is None or provider not in _PROVIDERS:
        where = getattr(provider_value, "position", None) or block.position
        raise schema_error(
            f"unsupported datasource provider {provider!r}",
            where,
            expected='"postgresql" or "sqlite"',
        )
    mode = string_of(block.get("relationMode")) or string_of(block.get("referentialIntegrity"))
    schemas_value = block.get("schemas")
    schemas: tuple[str, ...] = ()
    if isinstance(schemas_value, ast.ArrayValue):
        schemas = tuple(
            item.value for item in schemas_value.items if isinstance(item, ast.StringValue)
        )
    return Datasource(
        name=block.name,
        dialect=_PROVIDERS[provider],
        relation_mode=mode or "foreignKeys",
        schemas=schemas,
        default_schema=_url_schema(block) if _PROVIDERS[provider] == POSTGRESQL else DEFAULT_SCHEMA,
    )


def _url_schema(block: ast.ConfigBlock) -> str:
    """``?schema=`` of a literal URL; env("...") URLs cannot be read here, so "public"."""
    url = string_of(block.get("url"))
    if not url:
        return DEFAULT_SCHEMA
    values = parse_qs(urlsplit(url).query).get("schema")
    return values[0] if values else DEFAULT_SCHEMA


@dataclass(frozen=True)
class Context:
    schema: ast.PrismaSchema
    datasource: Datasource
    # Memos for one lower() call (one Context each), so nothing outlives the schema it was
    # derived from. A 2,000-model schema asks the same few questions tens of thousands of times.
    # Table names are keyed by id(model): the models live in ``schema`` as long as this Context
    # does, and hashing a frozen Model would walk all its fields.
    resolved_types: dict[tuple[object, ...], ResolvedType] = dataclass_field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    literal_defaults: dict[tuple[object, ...], tuple[ResolvedType, str | None]] = dataclass_field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    columns: dict[tuple[str, str, bool, str | None, str], m.Column] = dataclass_field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # (field name, spelling) -> what the field gives its table: its column (None for a
    # relation field), whether it is a list relation, and where its @unique and @relation are
    # among its attributes (-1 when absent)
    lowered_fields: dict[tuple[str, tuple[str, ...]], tuple[m.Column | None, bool, int, int]] = (
        dataclass_field(default_factory=dict, init=False, repr=False, compare=False)
    )
    _identifiers: dict[str, str] = dataclass_field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _table_names: dict[int, str] = dataclass_field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    # Cached: lowering reads these for every name of every field. cached_property writes the
    # instance __dict__, so it works on a frozen dataclass.
    @cached_property
    def dialect(self) -> str:
        return self.datasource.dialect

    @cached_property
    def limit(self) -> int:
        return self.datasource.identifier_limit

    def identifier(self, name: str) -> str:
        cut = self._identifiers.get(name)
        if cut is None:
            cut = self._identifiers[name] = truncate(name, self.limit)
        return cut

    def table_name(self, model: ast.Model) -> str:
        # asked again for the target of every foreign key
        name = self._table_names.get(id(model))
        if name is None:
            name = self.identifier(_mapped(model.attribute("map")) or model.name)
            self._table_names[id(model)] = name
        return name

    def column_name(self, field: ast.Field) -> str:
        return self.column_name_mapped(field, field.attribute("map"))

    def column_name_mapped(self, field: ast.Field, mapped: ast.Attribute | None) -> str:
        """``column_name`` for a caller that has already found the field's ``@map`` (or None)."""
        return self.identifier(field.name if mapped is None else _mapped(mapped) or field.name)

    def schema_of(self, decl: ast.Model | ast.EnumDecl) -> str:
        attribute = decl.attribute("schema")
        named = _mapped(attribute)
        if named is None:
            return self.datasource.default_schema
        if self.datasource.schemas and named not in self.datasource.schemas:
            raise schema_error(
                f"schema {named!r} is not listed in the datasource's schemas",
                attribute.position if attribute else None,
                expected=", ".join(self.datasource.schemas),
            )
        return named

    def enum_name(self, enum: ast.EnumDecl) -> str:
        return self.identifier(_mapped(enum.attribute("map")) or enum.name)

    def enum_value_name(self, value: ast.EnumValue) -> str:
        mapped = next((a for a in value.attributes if a.name == "map"), None)
        return _mapped(mapped) or value.name

    @cached_property
    def models(self) -> dict[str, ast.Model]:
        """``schema.model`` as a dict: every field's type is looked up in it."""
        found: dict[str, ast.Model] = {}
        for model in self.schema.models:
            found.setdefault(model.name, model)
        return found

    def table_model(self, name: str) -> ast.Model | None:
        """The model (not a view or composite type) called ``name``."""
        model = self.schema.model(name)
        return model if model is not None and model.kind == "model" else None

    @cached_property
    def native_prefix(self) -> str:
        """``db.``: native type attributes are spelled ``@db.VarChar``, after the datasource."""
        return f"{self.datasource.name}."

    def native_attribute(self, field: ast.Field) -> ast.Attribute | None:
        prefix = self.native_prefix
        for attribute in field.attributes:  # a loop, not next(): asked for every field
            if attribute.name.startswith(prefix):
                return attribute
        return None


def _mapped(attribute: ast.Attribute | None) -> str | None:
    if attribute is None:
        return None
    return string_of(attribute.argument("name", 0)) or string_of(attribute.argument("map", 0))
