"""Lowering: a parsed Prisma schema -> the database schema Prisma would create for it.

``lower(schema)`` follows Prisma's own conventions (checked against Prisma's schema engine with
``prisma-oracle ddl``); the dialect comes from the datasource provider. See the modules for the
rules: ``types`` (column types), ``defaults`` (default expressions as the database reports them),
``indexes`` (keys and index names), ``relations`` (foreign keys and many-to-many join tables),
``names`` (63-byte truncation and quoting).

Prisma details worth knowing: ``@ignore`` fields and ``@@ignore`` models are still created in the
database (they are only hidden from the client), views and composite types are not tables, and
on SQLite a single-column ``Int`` primary key is always ``INTEGER PRIMARY KEY AUTOINCREMENT``
(reported here as the default ``autoincrement()``), with or without ``@default(autoincrement())``.

Where the live text can still differ from what is lowered here (the normalizer's job): PostgreSQL
re-prints ``dbgenerated("...")`` expressions and partial-index predicates in its own style, an
``Unsupported("...")`` type is kept as written, and a ``timestamptz`` default literal is written
in UTC, which is what the catalog shows to a session whose TimeZone is UTC.
"""

from __future__ import annotations

from audits.engine import model as m
from audits.engine.prisma import ast
from audits.engine.prisma.lowering.context import POSTGRESQL, Context, read_datasource
from audits.engine.prisma.lowering.defaults import AUTOINCREMENT, default_of
from audits.engine.prisma.lowering.indexes import indexes, primary_key
from audits.engine.prisma.lowering.relations import foreign_keys, join_tables, relation_target
from audits.engine.prisma.lowering.types import resolve_field_type


def lower(schema: ast.PrismaSchema) -> m.Schema:
    """The database schema Prisma would create for ``schema`` (raises SchemaError)."""
    ctx = Context(schema, read_datasource(schema))
    tables = tuple(lower_model(ctx, model) for model in schema.models if model.kind == "model")
    return m.Schema(
        dialect=ctx.dialect,
        tables=tables + join_tables(ctx),
        enums=_enums(ctx),
        namespaces=ctx.datasource.namespaces,
    )


def lower_model(ctx: Context, model: ast.Model) -> m.Table:
    table = ctx.table_name(model)
    key = primary_key(ctx, model, table)
    columns = tuple(
        _column(ctx, field, key) for field in model.fields if relation_target(ctx, field) is None
    )
    return m.Table(
        name=table,
        schema=ctx.schema_of(model),
        columns=columns,
        primary_key=key,
        indexes=indexes(ctx, model, table),
        foreign_keys=foreign_keys(ctx, model),
        model=model.name,
    )


def _column(ctx: Context, field: ast.Field, key: m.PrimaryKey | None) -> m.Column:
    # One pass over the field's attributes for the three a column needs (the first of each
    # name counts, as in Field.attribute), instead of a scan for each: this runs for every
    # column of the schema.
    mapped = default_attribute = native = None
    prefix = ctx.native_prefix
    for attribute in field.attributes:
        attribute_name = attribute.name
        if attribute_name == "map":
            if mapped is None:
                mapped = attribute
        elif attribute_name == "default":
            if default_attribute is None:
                default_attribute = attribute
        elif native is None and attribute_name.startswith(prefix):
            native = attribute
    rtype = resolve_field_type(ctx, field, native)
    name = ctx.column_name_mapped(field, mapped)
    default = default_of(ctx, field, default_attribute, rtype)
    if ctx.dialect != POSTGRESQL:
        default = _sqlite_rowid_default(rtype.sql, name, default, key)
    return m.Column(
        name=name,
        type=rtype.column_type,
        nullable=field.type.optional or field.type.list,
        default=default,
        field=field.name,
    )


def _sqlite_rowid_default(
    sql: str, column: str, default: str | None, key: m.PrimaryKey | None
) -> str | None:
    """Prisma makes a lone INTEGER primary key AUTOINCREMENT on SQLite, and only that one.

    It does so even with another ``@default`` (``INTEGER ... AUTOINCREMENT DEFAULT 5``), where
    the sequence is what the database uses."""
    rowid = sql == "INTEGER" and key is not None and key.columns == (column,)
    if rowid:
        return AUTOINCREMENT
    if not rowid and default == AUTOINCREMENT:
        return None
    return default


def _enums(ctx: Context) -> tuple[m.Enum, ...]:
    if ctx.dialect != POSTGRESQL:
        return ()  # SQLite has no enum types: enum fields are TEXT columns
    return tuple(
        m.Enum(
            ctx.enum_name(enum),
            tuple(ctx.enum_value_name(v) for v in enum.values),
            ctx.schema_of(enum),
        )
        for enum in ctx.schema.enums
    )
