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
    list_relations: list[tuple[ast.Model, ast.Field]] = []
    tables = tuple(
        lower_model(ctx, model, list_relations) for model in schema.models if model.kind == "model"
    )
    return m.Schema(
        dialect=ctx.dialect,
        tables=tables + join_tables(ctx, list_relations),
        enums=_enums(ctx),
        namespaces=ctx.datasource.namespaces,
    )


def lower_model(
    ctx: Context, model: ast.Model, list_relations: list[tuple[ast.Model, ast.Field]]
) -> m.Table:
    """The model's table; its list relation fields are appended to ``list_relations`` (the
    candidates for implicit many-to-many tables, made after all the models)."""
    table = ctx.table_name(model)
    key = primary_key(ctx, model, table)
    models = ctx.models
    prefix = ctx.native_prefix
    columns = []
    # One pass over the fields, and over each field's attributes, for everything the table
    # needs: this runs for every field of the schema. @unique and @relation are only collected
    # here and handled after the columns, so errors come in the same order as before.
    unique_fields = []
    relation_fields = []
    # What a field gives the table follows from its name and spelling, but on SQLite, where a
    # column's default also depends on the primary key (the rowid): there each field is
    # worked out on its own.
    lowered = ctx.lowered_fields if ctx.dialect == POSTGRESQL else None
    for field in model.fields:
        spelling = field.spelling
        if lowered is not None and spelling is not None:
            found = lowered.get((field.name, spelling))
            if found is not None:
                column, list_relation, unique_at, relation_at = found
                if column is not None:
                    columns.append(column)
                elif list_relation:
                    list_relations.append((model, field))
                if unique_at >= 0:
                    unique_fields.append((field, field.attributes[unique_at]))
                if relation_at >= 0:
                    relation_fields.append((field, field.attributes[relation_at]))
                continue
        mapped, default, native, unique, relation = (
            _field_attributes(field, prefix) if field.attributes else _NO_ATTRIBUTES
        )
        column = None
        # a dict lookup first: most fields are scalars; relation_target vets the others
        if field.type.name not in models or relation_target(ctx, field) is None:
            column = _column(ctx, field, key, mapped, default, native)
            columns.append(column)
        elif field.type.list:
            list_relations.append((model, field))
        if unique is not None:
            unique_fields.append((field, unique))
        if relation is not None:
            relation_fields.append((field, relation))
        if lowered is not None and spelling is not None:
            lowered[(field.name, spelling)] = (
                column, column is None and field.type.list,
                _index_of(field, unique), _index_of(field, relation),
            )
    return m.Table(
        name=table,
        schema=ctx.schema_of(model),
        columns=tuple(columns),
        primary_key=key,
        indexes=indexes(ctx, model, table, unique_fields),
        foreign_keys=foreign_keys(ctx, model, relation_fields),
        model=model.name,
    )


def _index_of(field: ast.Field, attribute: ast.Attribute | None) -> int:
    """Where ``attribute`` is among the field's attributes; -1 for None."""
    for index, candidate in enumerate(field.attributes):
        if candidate is attribute:
            return index
    return -1


_NO_ATTRIBUTES = (None, None, None, None, None)


def _field_attributes(
    field: ast.Field, native_prefix: str
) -> tuple[
    ast.Attribute | None,
    ast.Attribute | None,
    ast.Attribute | None,
    ast.Attribute | None,
    ast.Attribute | None,
]:
    """The field's @map, @default, @db.*, @unique and @relation (the first of each name, as
    ``Field.attribute`` finds it), or None."""
    mapped = default = native = unique = relation = None
    for attribute in field.attributes:
        name = attribute.name
        if name == "map":
            mapped = mapped or attribute
        elif name == "default":
            default = default or attribute
        elif name == "unique":
            unique = unique or attribute
        elif name == "relation":
            relation = relation or attribute
        elif native is None and name.startswith(native_prefix):
            native = attribute
    return mapped, default, native, unique, relation


def _column(
    ctx: Context,
    field: ast.Field,
    key: m.PrimaryKey | None,
    mapped: ast.Attribute | None,
    default_attribute: ast.Attribute | None,
    native: ast.Attribute | None,
) -> m.Column:
    rtype = resolve_field_type(ctx, field, native)
    name = ctx.column_name_mapped(field, mapped)
    default = (
        None if default_attribute is None else default_of(ctx, field, default_attribute, rtype)
    )
    if ctx.dialect != POSTGRESQL:
        default = _sqlite_rowid_default(rtype.sql, name, default, key)
    kind = field.type
    # Columns are frozen values, and schemas repeat the same column (id, createdAt...) across
    # tables: building one costs several times more than finding the equal one built before.
    value = (name, rtype.column_type, kind.optional or kind.list, default, field.name)
    column = ctx.columns.get(value)
    if column is None:
        column = ctx.columns[value] = m.Column(*value)
    return column


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
