"""Field types: every type is a scalar, a model, a view, a composite type or an enum; what the
connector can store (lists, composite types, enums); and ``@db.*`` native types per provider."""

from __future__ import annotations

from audits.engine.prisma import ast
from audits.engine.prisma.validate.context import SCALAR_TYPES, Ctx, kind_word

# PostgreSQL's native types: name -> (the scalar type it fits, its arguments). Arguments:
# 0 none, 1 one optional integer, 2 an optional (precision, scale) pair.
POSTGRES_NATIVE_TYPES: dict[str, tuple[str, int]] = {
    "SmallInt": ("Int", 0), "Integer": ("Int", 0), "Oid": ("Int", 0), "BigInt": ("BigInt", 0),
    "Decimal": ("Decimal", 2), "Money": ("Decimal", 0),
    "Inet": ("String", 0), "Citext": ("String", 0), "VarChar": ("String", 1),
    "Char": ("String", 1), "Text": ("String", 0), "Bit": ("String", 1), "VarBit": ("String", 1),
    "Uuid": ("String", 0), "Xml": ("String", 0),
    "Real": ("Float", 0), "DoublePrecision": ("Float", 0),
    "ByteA": ("Bytes", 0),
    "Timestamp": ("DateTime", 1), "Timestamptz": ("DateTime", 1), "Date": ("DateTime", 0),
    "Time": ("DateTime", 1), "Timetz": ("DateTime", 1),
    "Boolean": ("Boolean", 0),
    "Json": ("Json", 0), "JsonB": ("Json", 0),
}
# Connectors whose native types are checked here; others' @db.* attributes are let through.
CHECKED_NATIVE_CONNECTORS = frozenset(("postgresql", "sqlite"))


def check_field_types(ctx: Ctx) -> None:
    """Unknown types (Prisma stops after these, as every later rule needs the types)."""
    for model in ctx.schema.models:
        for field in model.fields:
            name = field.type.name
            if name in SCALAR_TYPES or name == "Unsupported" or name in ctx.enums:
                continue
            if name in ctx.models or name in ctx.composites:
                continue
            ctx.error(f'Type "{name}" is neither a built-in type, nor refers to another model, '
                      "composite type, or enum.", field.position)


def check_storage(ctx: Ctx) -> None:
    """What the connector can store at all."""
    for model in ctx.schema.models:
        if model.kind == "type" and ctx.connector != "mongodb":
            ctx.error("Error validating: Composite types are not supported on "
                      f"{_connector_title(ctx.connector)}.", model.position)
        for field in model.fields:
            kind = field.type
            if kind.name == "Unsupported" and kind.unsupported is None:
                ctx.error('Type "Unsupported" needs an argument: Unsupported("type").',
                          field.position)
            if kind.name == "Decimal" and ctx.connector is None:
                ctx.error(f"Error validating field `{field.name}` in {kind_word(model)} "
                          f"`{model.name}`: Field `{field.name}` in {kind_word(model)} "
                          f"`{model.name}` can't be of type Decimal. The current connector does "
                          "not support the Decimal type.", field.position)
            if kind.list and ctx.connector in (None, "sqlite") and (
                kind.name in SCALAR_TYPES or kind.name in ctx.enums
            ):
                ctx.error(f'Field "{field.name}" in {kind_word(model)} "{model.name}" can\'t be '
                          "a list. The current connector does not support lists of primitive "
                          "types.", field.position)
            if kind.name in ctx.composites and model.kind != "type" and ctx.connector is not None \
                    and ctx.connector != "mongodb":
                ctx.error(f'Field "{field.name}" in {kind_word(model)} "{model.name}" can\'t be '
                          "of composite type. Composite types are not supported on "
                          f"{_connector_title(ctx.connector)}.", field.position)


def _connector_title(connector: str | None) -> str:
    return {"postgresql": "Postgres", "sqlite": "SQLite", "mysql": "MySQL",
            "sqlserver": "SQL Server", "cockroachdb": "CockroachDB"}.get(
        connector or "", "psl_core::datamodel_connector::empty_connector::EmptyDatamodelConnector")


def check_native_type(ctx: Ctx, field: ast.Field, attribute: ast.Attribute) -> None:
    """One ``@<datasource>.Type(args)`` attribute of a field."""
    if ctx.connector not in CHECKED_NATIVE_CONNECTORS:
        return
    native = attribute.name.partition(".")[2]
    if ctx.connector == "sqlite":
        ctx.error(f"Native type {native} is not supported for sqlite connector.",
                  attribute.position)
        return
    known = POSTGRES_NATIVE_TYPES.get(native)
    if known is None:
        ctx.error(f"Native type {native} is not supported for postgresql connector.",
                  attribute.position)
        return
    scalar, arity = known
    if field.type.name != scalar and field.type.name not in ("Unsupported",):
        if field.type.name in SCALAR_TYPES:
            ctx.error(f"Native type {native} is not compatible with declared field type "
                      f"{field.type.name}, expected field type {scalar}.", attribute.position)
        else:
            ctx.error("Native types can only be used on scalar fields.", attribute.position)
        return
    arguments = attribute.arguments
    if arity == 0:
        if arguments:
            ctx.error(f"Native type {native} takes no arguments, but received "
                      f"{len(arguments)}.", attribute.position)
        return
    if arity == 1:
        if len(arguments) > 1:
            ctx.error(f"Native type {native} takes 1 optional arguments, but received "
                      f"{len(arguments)}.", attribute.position)
        elif arguments and not _nonnegative(arguments[0].value):
            ctx.error("Expected a nonnegative integer, but found "
                      f"({_raw(arguments[0].value)}).", attribute.position)
        return
    if arguments and (len(arguments) != 2 or not all(_nonnegative(a.value) for a in arguments)):
        found = ", ".join(_raw(a.value) for a in arguments)
        ctx.error(f"Expected two nonnegative integers, but found ({found}).",
                  attribute.position)


def _nonnegative(value: ast.Value) -> bool:
    return isinstance(value, ast.NumberValue) and value.text.isdigit()


def _raw(value: ast.Value) -> str:
    from audits.engine.prisma.validate.context import value_text

    return value_text(value)
