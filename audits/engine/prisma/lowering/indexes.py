"""Primary keys, unique indexes and indexes from ``@id``/``@@id``, ``@unique``/``@@unique`` and
``@@index``.

Names follow Prisma: ``<table>_pkey``, ``<table>_<columns>_key``, ``<table>_<columns>_idx`` with
database (mapped) table and column names, or ``map:`` (``name:`` on ``@@index`` too, a legacy
spelling of ``map:``; on ``@@id``/``@@unique`` ``name:`` only names the client API). Prisma
creates uniques as unique indexes, not constraints. Operator classes are lower-case PostgreSQL
names, "" standing for a column's default class; ``orders`` and ``opclasses`` stay empty when
every column uses the default.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from audits.engine import model as m
from audits.engine.prisma import ast
from audits.engine.prisma.lowering.context import Context, items_of, schema_error, string_of
from audits.engine.prisma.lowering.defaults import strip_parentheses
from audits.engine.prisma.lowering.names import index_name, primary_key_name, unique_index_name
from audits.engine.prisma.lowering.relations import scalar_field
from audits.engine.prisma.lowering.resolved import ResolvedType
from audits.engine.prisma.lowering.types import resolve_type

INDEX_METHODS = {
    "BTree": "btree",
    "Hash": "hash",
    "Gist": "gist",
    "Gin": "gin",
    "SpGist": "spgist",
    "Brin": "brin",
}


class _Part(NamedTuple):  # a NamedTuple: built for every key and index, cheaper than a dataclass
    column: str
    order: str  # "ASC" or "DESC"
    opclass: str  # "" for the default


def primary_key(ctx: Context, model: ast.Model, table: str) -> m.PrimaryKey | None:
    block = model.attribute("id")
    if block is not None:
        parts = _parts(ctx, model, block.argument("fields", 0), block)
        name = string_of(block.argument("map", None))
        columns = tuple([part.column for part in parts])
    else:
        found = _id_field(model)
        if found is None:
            return None
        field, attribute = found
        columns = (ctx.column_name(field),)
        name = string_of(attribute.argument("map", None))
    if ctx.dialect != "postgresql":
        return m.PrimaryKey(columns)  # SQLite primary keys have no name
    return m.PrimaryKey(columns, ctx.identifier(name or primary_key_name(table, ctx.limit)))


def _id_field(model: ast.Model) -> tuple[ast.Field, ast.Attribute] | None:
    """The first field with ``@id``, and that attribute."""
    for field in model.fields:  # a loop, not next(): one attribute scan per field
        attribute = field.attribute("id")
        if attribute is not None:
            return field, attribute
    return None


def indexes(
    ctx: Context,
    model: ast.Model,
    table: str,
    unique_fields: Sequence[tuple[ast.Field, ast.Attribute]],
) -> tuple[m.Index, ...]:
    """The model's indexes: ``unique_fields`` are its fields with ``@unique`` (each with that
    attribute) in field order, as lower_model found them in its one pass over the fields."""
    found = []
    for field, attribute in unique_fields:
        part = _Part(
            ctx.column_name(field), _order(attribute.argument("sort", None), attribute), ""
        )
        found.append(_index(ctx, table, (part,), attribute, unique=True))
    for attribute in model.attributes:
        if attribute.name in {"unique", "index"}:
            parts = _parts(ctx, model, attribute.argument("fields", 0), attribute)
            found.append(_index(ctx, table, parts, attribute, unique=attribute.name == "unique"))
    return tuple(found)


def _index(
    ctx: Context, table: str, parts: tuple[_Part, ...], attribute: ast.Attribute, unique: bool
) -> m.Index:
    columns = tuple([part.column for part in parts])
    name = string_of(attribute.argument("map", None))
    if name is None and attribute.block and not unique:
        name = string_of(attribute.argument("name", None))
    if name is None:
        name = (unique_index_name if unique else index_name)(table, columns, ctx.limit)
    orders = tuple([part.order for part in parts])
    opclasses = tuple([part.opclass for part in parts])
    return m.Index(
        name=ctx.identifier(name),
        columns=columns,
        unique=unique,
        method=_method(attribute),
        orders=orders if "DESC" in orders else (),  # each order is "ASC" or "DESC"
        predicate=_predicate(attribute),
        opclasses=opclasses if any(opclasses) else (),
    )


def _predicate(attribute: ast.Attribute) -> str | None:
    """``where: raw("...")`` (preview feature partialIndexes), without enclosing parentheses."""
    value = attribute.argument("where", None)
    if value is None:
        return None
    text = None
    if isinstance(value, ast.FunctionValue) and value.name == "raw" and value.arguments:
        text = string_of(value.arguments[0].value)
    if text is None:
        raise schema_error(
            'where: takes raw("<SQL condition>")',
            getattr(value, "position", None) or attribute.position,
        )
    return strip_parentheses(text.strip())


def _parts(
    ctx: Context, model: ast.Model, value: ast.Value | None, attribute: ast.Attribute
) -> tuple[_Part, ...]:
    items = items_of(value)
    if not items:
        raise schema_error(f"@@{attribute.name} expects a list of fields", attribute.position)
    return tuple(_part(ctx, model, item, attribute) for item in items)


def _part(ctx: Context, model: ast.Model, item: ast.Value, attribute: ast.Attribute) -> _Part:
    field = scalar_field(ctx, model, item, attribute)
    if not isinstance(item, ast.FunctionValue):
        return _Part(ctx.column_name(field), "ASC", "")
    options = ast.Attribute(item.name, item.arguments, item.position)
    opclass = _opclass(options.argument("ops", None))
    if opclass and is_default_opclass(_method(attribute), opclass, resolve_type(ctx, field)):
        opclass = ""  # the catalog cannot tell a spelled-out default class from an implicit one
    return _Part(ctx.column_name(field), _order(options.argument("sort", None), attribute), opclass)


def _order(value: ast.Value | None, attribute: ast.Attribute) -> str:
    if value is None:
        return "ASC"
    if isinstance(value, ast.ConstantValue) and value.name in {"Asc", "Desc"}:
        return value.name.upper()
    raise schema_error(
        "sort must be Asc or Desc", getattr(value, "position", None) or attribute.position
    )


def _method(attribute: ast.Attribute) -> str:
    value = attribute.argument("type", None)
    if value is None:
        return "btree"
    if isinstance(value, ast.ConstantValue) and value.name in INDEX_METHODS:
        return INDEX_METHODS[value.name]
    raise schema_error(
        "unknown index type",
        getattr(value, "position", None) or attribute.position,
        expected=", ".join(INDEX_METHODS),
    )


def _opclass(value: ast.Value | None) -> str:
    if value is None:
        return ""
    if isinstance(value, ast.FunctionValue) and value.name == "raw" and value.arguments:
        return string_of(value.arguments[0].value) or ""
    if isinstance(value, ast.ConstantValue):
        return prisma_opclass(value.name)
    return ""


# The brin/btree/hash operator class prefix of each type (int4_minmax_ops, text_ops...).
_TYPE_PREFIXES = {
    "integer": "int4",
    "bigint": "int8",
    "smallint": "int2",
    "real": "float4",
    "double precision": "float8",
    "numeric": "numeric",
    "text": "text",
    "character": "bpchar",
    "bytea": "bytea",
    "date": "date",
    "time": "time",
    "timetz": "timetz",
    "timestamp": "timestamp",
    "timestamptz": "timestamptz",
    "uuid": "uuid",
    "oid": "oid",
    "bit": "bit",
    "bit varying": "varbit",
    "inet": "inet",
    "boolean": "bool",
    "money": "money",
}


def is_default_opclass(method: str, opclass: str, rtype: ResolvedType) -> bool:
    """Whether ``opclass`` is PostgreSQL's default for ``method`` on this column's type."""
    if rtype.is_list:
        return method == "gin" and opclass == "array_ops"
    if method == "gin":
        return opclass == "jsonb_ops" and rtype.sql == "jsonb"
    if method == "spgist":
        return (rtype.sql, opclass) in {("inet", "inet_ops"), ("text", "text_ops")}
    prefix = _TYPE_PREFIXES.get(_type_key(rtype.sql))
    if prefix is None:
        return False
    if method == "brin":
        return opclass == ("inet_inclusion_ops" if prefix == "inet" else f"{prefix}_minmax_ops")
    if method in {"btree", "hash"}:
        return opclass == f"{'text' if rtype.sql.startswith('character varying') else prefix}_ops"
    return False


def _type_key(sql: str) -> str:
    base = re.sub(r"\(.*?\)", "", sql).strip()
    zone = {
        "time with time zone": "timetz",
        "timestamp with time zone": "timestamptz",
        "time without time zone": "time",
        "timestamp without time zone": "timestamp",
    }
    return zone.get(base, base)


_WORD = re.compile(r"[A-Z][a-z0-9]*")
_OPCLASS_FIXES = (
    ("min_max", "minmax"),
    ("timestamp_tz", "timestamptz"),
    ("time_tz", "timetz"),
    ("var_bit", "varbit"),
)


def prisma_opclass(name: str) -> str:
    """Prisma's operator class (``Int4MinMaxMultiOps``) in PostgreSQL: ``int4_minmax_multi_ops``."""
    snake = "_".join(word.lower() for word in _WORD.findall(name))
    for wrong, right in _OPCLASS_FIXES:
        snake = snake.replace(wrong, right)
    return snake
