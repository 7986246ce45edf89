"""What an API consumer sees of a parsed schema: the models, fields and enums Prisma Client has.

Read off the parser's syntax tree (``audits.engine.prisma``), in Prisma's own names. Left out,
as Prisma Client leaves them out: models marked ``@@ignore``, fields marked ``@ignore``,
``Unsupported(...)`` fields and composite types. Everything is reduced to plain comparable
values (a type as ``"TrackingUpdate[]"``, a default as ``now()`` or ``"NGN"``), so two
versions of a schema compare field by field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from audits.engine.prisma import ast

# Prisma's default version of these id functions: cuid() is cuid(1), uuid() is uuid(4)
_DEFAULT_ARGUMENTS = {"cuid": "1", "uuid": "4"}


@dataclass(frozen=True)
class FieldFacts:
    name: str
    column: str  # @map or the name
    type: str  # "String", "Role", "TrackingUpdate": the type name as the schema spells it
    kind: str  # "scalar", "enum" or "object" (a relation or a composite type)
    list: bool
    required: bool  # lists are required, as Prisma reports them
    default: str | None  # rendered: now(), cuid(1), "NGN", 0, true, CUSTOMER, [A, B]
    updated_at: bool
    native_type: str | None  # "@db.VarChar(255)"
    on_delete: str | None  # the effective action, on the side of a relation holding the key
    on_update: str | None

    @property
    def spelled_type(self) -> str:
        return self.type + ("[]" if self.list else "")

    @property
    def needed_on_create(self) -> bool:
        """A create call fails without it: required, no default, not a list or a relation."""
        return (self.required and self.default is None and not self.list
                and self.kind != "object" and not self.updated_at)


@dataclass(frozen=True)
class ModelFacts:
    name: str
    table: str  # @@map or the name
    fields: tuple[FieldFacts, ...]
    uniques: frozenset[tuple[str, ...]]  # @unique fields and @@unique field lists

    def field(self, name: str) -> FieldFacts | None:
        return next((field for field in self.fields if field.name == name), None)


@dataclass(frozen=True)
class EnumFacts:
    name: str
    db_name: str  # @@map or the name
    values: tuple[str, ...]


@dataclass(frozen=True)
class SchemaFacts:
    models: tuple[ModelFacts, ...]
    enums: tuple[EnumFacts, ...]

    def model(self, name: str) -> ModelFacts | None:
        return next((model for model in self.models if model.name == name), None)

    def enum(self, name: str) -> EnumFacts | None:
        return next((enum for enum in self.enums if enum.name == name), None)


def schema_facts(schema: ast.PrismaSchema) -> SchemaFacts:
    enums = {enum.name for enum in schema.enums}
    models = tuple(_model_facts(model, enums) for model in schema.models
                   if model.kind in ("model", "view") and model.attribute("ignore") is None)
    return SchemaFacts(models, tuple(_enum_facts(enum) for enum in schema.enums))


def _model_facts(model: ast.Model, enums: set[str]) -> ModelFacts:
    fields = tuple(_field_facts(field, enums) for field in model.fields if _visible(field))
    # an @id field is unique anyway: Prisma does not count an @unique on it
    uniques: set[tuple[str, ...]] = {(field.name,) for field in model.fields
                                     if _visible(field) and field.attribute("unique") is not None
                                     and field.attribute("id") is None}
    for attribute in model.attributes_named("unique"):
        uniques.add(tuple(_names(attribute.argument("fields"))))
    return ModelFacts(model.name, _mapped(model.attribute("map")) or model.name, fields,
                      frozenset(uniques))


def _visible(field: ast.Field) -> bool:
    return field.attribute("ignore") is None and field.type.name != "Unsupported"


def _field_facts(field: ast.Field, enums: set[str]) -> FieldFacts:
    kind = "enum" if field.type.name in enums else (
        "scalar" if field.type.name in _SCALARS else "object")
    default = field.attribute("default")
    native = next((a for a in field.attributes if a.name.startswith("db.")), None)
    on_delete = on_update = None
    relation = field.attribute("relation")
    if kind == "object" and relation is not None and relation.argument("fields", None):
        on_delete = _constant(relation.argument("onDelete", None)) or (
            "SetNull" if field.type.optional else "Restrict")
        on_update = _constant(relation.argument("onUpdate", None)) or "Cascade"
    return FieldFacts(
        name=field.name,
        column=_mapped(field.attribute("map")) or field.name,
        type=field.type.name,
        kind=kind,
        list=field.type.list,
        required=not field.type.optional,
        default=render_default(default.argument("value"), kind) if default else None,
        updated_at=field.attribute("updatedAt") is not None,
        native_type=_native(native) if native else None,
        on_delete=on_delete,
        on_update=on_update,
    )


_SCALARS = frozenset(("String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime",
                      "Json", "Bytes"))


def _enum_facts(enum: ast.EnumDecl) -> EnumFacts:
    return EnumFacts(enum.name, _mapped(enum.attribute("map")) or enum.name,
                     tuple(value.name for value in enum.values))


def render_default(value: ast.Value | None, kind: str) -> str | None:
    """A default in one spelling whatever way the schema wrote it: numbers as numbers
    (``0``, ``1.5``), strings JSON-quoted, enum values bare, functions with their arguments."""
    if value is None:
        return None
    if isinstance(value, ast.FunctionValue):
        arguments = [render_default(argument.value, "scalar") or "" for argument in
                     value.arguments]
        if not arguments and value.name in _DEFAULT_ARGUMENTS:
            arguments = [_DEFAULT_ARGUMENTS[value.name]]
        return f"{value.name}({', '.join(arguments)})"
    if isinstance(value, ast.ArrayValue):
        return "[" + ", ".join(render_default(item, kind) or "" for item in value.items) + "]"
    if isinstance(value, ast.NumberValue):
        return render_number(value.text)
    if isinstance(value, ast.BooleanValue):
        return "true" if value.value else "false"
    if isinstance(value, ast.StringValue):
        return value.value if kind == "enum" else json.dumps(value.value, ensure_ascii=False)
    return value.name  # a constant: an enum value


def render_number(text: str) -> str:
    """``1.50`` and ``1.5`` are one default; so are ``-1`` and ``-01``."""
    try:
        return str(int(text))
    except ValueError:
        return repr(float(text))


def _native(attribute: ast.Attribute) -> str:
    arguments = ", ".join(render_default(a.value, "scalar") or "" for a in attribute.arguments)
    return f"@{attribute.name}" + (f"({arguments})" if attribute.arguments else "")


def _mapped(attribute: ast.Attribute | None) -> str | None:
    value = attribute.argument("name") if attribute else None
    return value.value if isinstance(value, ast.StringValue) else None


def _constant(value: ast.Value | None) -> str | None:
    return value.name if isinstance(value, ast.ConstantValue) else None


def _names(value: ast.Value | None) -> list[str]:
    return [item.name for item in ast.list_items(value)
            if isinstance(item, ast.ConstantValue | ast.FunctionValue)]
