"""Column types: a field's Prisma type (and ``@db.*`` native type) as the database spells it.

PostgreSQL types are spelled as ``format_type()`` prints them; SQLite types as Prisma declares
them (upper case), which is what SQLite keeps. ``ResolvedType`` also carries the spellings the
default renderer needs: the label ``pg_get_expr()`` puts on a constant of the type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from audits.engine.prisma import ast
from audits.engine.prisma.lowering.context import POSTGRESQL, Context, schema_error
from audits.engine.prisma.lowering.names import pg_quote_ident
from audits.engine.prisma.lowering.resolved import ResolvedType

SCALARS = frozenset(
    {"String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes"}
)

PG_SCALAR_TYPES = {
    "String": "text",
    "Int": "integer",
    "BigInt": "bigint",
    "Float": "double precision",
    "Decimal": "numeric(65,30)",
    "Boolean": "boolean",
    "DateTime": "timestamp(3) without time zone",
    "Json": "jsonb",
    "Bytes": "bytea",
}

SQLITE_SCALAR_TYPES = {
    "String": "TEXT",
    "Int": "INTEGER",
    "BigInt": "BIGINT",
    "Float": "REAL",
    "Decimal": "DECIMAL",
    "Boolean": "BOOLEAN",
    "DateTime": "DATETIME",
    "Json": "JSONB",
    "Bytes": "BLOB",
}

# format_type() without the type modifier: the label on a constant such as 'x'::bpchar.
_PG_LABELS = {
    "character varying": "character varying",
    "character": "bpchar",
    "bit": '"bit"',
    "bit varying": "bit varying",
    "timestamp": "timestamp without time zone",
    "timestamptz": "timestamp with time zone",
    "time": "time without time zone",
    "timetz": "time with time zone",
    "numeric": "numeric",
}


@dataclass(frozen=True)
class _Native:
    scalars: frozenset[str]
    render: Callable[[tuple[int, ...]], tuple[str, str]]  # args -> (format_type text, label key)
    max_args: int = 0


def _fixed(sql: str) -> Callable[[tuple[int, ...]], tuple[str, str]]:
    return lambda args: (sql, sql)


def _sized(base: str, default: str | None = None) -> Callable[[tuple[int, ...]], tuple[str, str]]:
    def render(args: tuple[int, ...]) -> tuple[str, str]:
        if args:
            return f"{base}({args[0]})", base
        return (default or base), base

    return render


def _timed(base: str, zone: str, key: str) -> Callable[[tuple[int, ...]], tuple[str, str]]:
    def render(args: tuple[int, ...]) -> tuple[str, str]:
        precision = f"({args[0]})" if args else ""
        return f"{base}{precision} {zone}", key

    return render


def _numeric(args: tuple[int, ...]) -> tuple[str, str]:
    if not args:
        return "numeric", "numeric"
    scale = args[1] if len(args) > 1 else 0
    return f"numeric({args[0]},{scale})", "numeric"


_S = frozenset
PG_NATIVE_TYPES: dict[str, _Native] = {
    "VarChar": _Native(_S({"String"}), _sized("character varying"), 1),
    "Char": _Native(_S({"String"}), _sized("character", "character(1)"), 1),
    "Text": _Native(_S({"String"}), _fixed("text")),
    "Uuid": _Native(_S({"String"}), _fixed("uuid")),
    "Xml": _Native(_S({"String"}), _fixed("xml")),
    "Inet": _Native(_S({"String"}), _fixed("inet")),
    "Citext": _Native(_S({"String"}), _fixed("citext")),
    "Bit": _Native(_S({"String"}), _sized("bit", "bit(1)"), 1),
    "VarBit": _Native(_S({"String"}), _sized("bit varying"), 1),
    "Timestamptz": _Native(
        _S({"DateTime"}), _timed("timestamp", "with time zone", "timestamptz"), 1
    ),
    "Timestamp": _Native(
        _S({"DateTime"}), _timed("timestamp", "without time zone", "timestamp"), 1
    ),
    "Date": _Native(_S({"DateTime"}), _fixed("date")),
    "Time": _Native(_S({"DateTime"}), _timed("time", "without time zone", "time"), 1),
    "Timetz": _Native(_S({"DateTime"}), _timed("time", "with time zone", "timetz"), 1),
    "Decimal": _Native(_S({"Decimal"}), _numeric, 2),
    "Money": _Native(_S({"Decimal"}), _fixed("money")),
    "Integer": _Native(_S({"Int"}), _fixed("integer")),
    "SmallInt": _Native(_S({"Int"}), _fixed("smallint")),
    "Oid": _Native(_S({"Int"}), _fixed("oid")),
    "BigInt": _Native(_S({"BigInt"}), _fixed("bigint")),
    "Real": _Native(_S({"Float"}), _fixed("real")),
    "DoublePrecision": _Native(_S({"Float"}), _fixed("double precision")),
    "Json": _Native(_S({"Json"}), _fixed("json")),
    "JsonB": _Native(_S({"Json"}), _fixed("jsonb")),
    "ByteA": _Native(_S({"Bytes"}), _fixed("bytea")),
    "Boolean": _Native(_S({"Boolean"}), _fixed("boolean")),
}


def resolve_type(ctx: Context, field: ast.Field) -> ResolvedType:
    """The column type of a scalar, enum or Unsupported field (not a relation field)."""
    return resolve_field_type(ctx, field, ctx.native_attribute(field))


def resolve_field_type(
    ctx: Context, field: ast.Field, native: ast.Attribute | None
) -> ResolvedType:
    """``resolve_type`` for a caller that has already found the field's ``@db.*`` attribute.

    The type depends only on the field's type and native type attribute, and a schema repeats
    a few dozen of those over all its fields: each is resolved once per lower() call. Errors
    are never stored, so each offending field still raises at its own position."""
    kind = field.type
    # the key inline for the usual field without @db.*: this runs for every column
    key = (kind.name, kind.list, kind.unsupported) if native is None else _native_key(kind, native)
    if key is None:
        return _resolve(ctx, field, native)
    rtype = ctx.resolved_types.get(key)
    if rtype is None:
        rtype = ctx.resolved_types[key] = _resolve(ctx, field, native)
    return rtype


def _native_key(kind: ast.FieldType, native: ast.Attribute) -> tuple[object, ...] | None:
    """What the resolved type of a field with ``@db.*`` depends on; None when the native
    arguments are not all numbers (an error, raised by the uncached path)."""
    texts = []
    for argument in native.arguments:
        if not isinstance(argument.value, ast.NumberValue):
            return None
        texts.append(argument.value.text)
    return (kind.name, kind.list, kind.unsupported, native.name, *texts)


def _resolve(ctx: Context, field: ast.Field, native: ast.Attribute | None) -> ResolvedType:
    kind = field.type
    if kind.name == "Unsupported" or kind.unsupported is not None:
        sql = kind.unsupported or ""
        return ResolvedType(sql, sql, sql, is_list=kind.list)
    enum = ctx.schema.enum(kind.name)
    if enum is not None:
        return _enum_type(ctx, enum, kind.list)
    if kind.name not in SCALARS:
        raise schema_error(
            f"unknown type {kind.name!r} on field {field.name!r}",
            field.position,
            expected="a scalar type, an enum or a model",
        )
    if ctx.dialect == POSTGRESQL:
        return _pg_scalar(field, native)
    return _sqlite_scalar(field, native)


def _enum_type(ctx: Context, enum: ast.EnumDecl, is_list: bool) -> ResolvedType:
    if ctx.dialect != POSTGRESQL:
        return ResolvedType("TEXT", "TEXT", "TEXT", enum=enum, is_list=is_list)
    name = ctx.enum_name(enum)
    schema = ctx.schema_of(enum)
    label = pg_quote_ident(name)
    # pg_get_expr qualifies a type that is not on the default search_path ("$user", public)
    if schema != "public":
        label = f"{pg_quote_ident(schema)}.{label}"
    return ResolvedType(name, label, label, enum=enum, is_list=is_list)


def _pg_scalar(field: ast.Field, attribute: ast.Attribute | None) -> ResolvedType:
    scalar = field.type.name
    if attribute is None:
        return _pg_plain_scalar(scalar, field.type.list)
    native_name = attribute.name.split(".", 1)[1]
    native = PG_NATIVE_TYPES.get(native_name)
    if native is None:
        raise schema_error(
            f"unknown native type @{attribute.name}",
            attribute.position,
            expected=", ".join(sorted(PG_NATIVE_TYPES)),
        )
    if scalar not in native.scalars:
        raise schema_error(
            f"native type @{attribute.name} does not fit a {scalar} field",
            attribute.position,
            expected=" or ".join(sorted(native.scalars)),
        )
    sql, key = native.render(_native_arguments(attribute, native.max_args))
    return ResolvedType(
        sql,
        _PG_LABELS.get(key, key),
        sql,
        scalar=scalar,
        native=native_name,
        is_list=field.type.list,
    )


@cache  # a dozen combinations, asked for by most fields of a schema
def _pg_plain_scalar(scalar: str, is_list: bool) -> ResolvedType:
    sql = PG_SCALAR_TYPES[scalar]
    label = _PG_LABELS.get(_base(sql), _base(sql))
    return ResolvedType(sql, label, sql, scalar=scalar, is_list=is_list)


def _sqlite_scalar(field: ast.Field, attribute: ast.Attribute | None) -> ResolvedType:
    if attribute is not None:
        raise schema_error(
            f"native type @{attribute.name} is not available for SQLite", attribute.position
        )
    if field.type.list:
        raise schema_error(f"field {field.name!r}: SQLite has no scalar lists", field.position)
    sql = SQLITE_SCALAR_TYPES[field.type.name]
    return ResolvedType(sql, sql, sql, scalar=field.type.name)


def _native_arguments(attribute: ast.Attribute, max_args: int) -> tuple[int, ...]:
    values: list[int] = []
    for argument in attribute.arguments:
        if not isinstance(argument.value, ast.NumberValue) or not argument.value.text.isdigit():
            raise schema_error(
                f"@{attribute.name} takes whole numbers", argument.position or attribute.position
            )
        values.append(int(argument.value.text))
    if len(values) > max_args:
        raise schema_error(
            f"@{attribute.name} takes at most {max_args} argument(s)", attribute.position
        )
    return tuple(values)


def _base(sql: str) -> str:
    return sql.split("(", 1)[0]
