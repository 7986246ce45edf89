"""Relations: foreign keys from ``@relation(fields, references)`` and implicit many-to-many tables.

Foreign keys follow Prisma's defaults: named ``<table>_<columns>_fkey`` (or ``map:``),
``onDelete`` Restrict when the relation field is required and SetNull when it is optional,
``onUpdate`` Cascade. ``relationMode = "prisma"`` creates no foreign keys at all (implicit
many-to-many tables keep their keys and indexes, without foreign keys).

An implicit many-to-many relation (two list fields, no ``fields:``) gets a join table
``_<RelationName>`` — ``_<A>To<B>`` with the two model names sorted when the relation is unnamed
— in the schema of model A, with columns ``A`` and ``B`` typed like each model's ``@id``, and on
PostgreSQL (Prisma 6+) the primary key ``_<table>_AB_pkey (A, B)`` plus the index
``_<table>_B_index (B)``. Databases created by Prisma 4/5, and every SQLite database, have the
unique index ``_<table>_AB_unique (A, B)`` instead of the primary key: ``compare`` treats the two
layouts as equivalent (same columns, same uniqueness).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from audits.engine import model as m
from audits.engine.prisma import ast
from audits.engine.prisma.lowering.context import (
    POSTGRESQL,
    Context,
    items_of,
    schema_error,
    string_of,
)
from audits.engine.prisma.lowering.names import foreign_key_name, with_suffix
from audits.engine.prisma.lowering.types import resolve_type

REFERENTIAL_ACTIONS = {
    "Cascade": "CASCADE",
    "Restrict": "RESTRICT",
    "NoAction": "NO ACTION",
    "SetNull": "SET NULL",
    "SetDefault": "SET DEFAULT",
}
M2M_PRIMARY_KEY_SUFFIX = "_AB_pkey"
M2M_LEGACY_UNIQUE_SUFFIX = "_AB_unique"
M2M_B_INDEX_SUFFIX = "_B_index"


def scalar_field(
    ctx: Context, model: ast.Model, item: ast.Value, attribute: ast.Attribute
) -> ast.Field:
    """The scalar field a ``fields: [...]`` or index list item names, or a SchemaError there."""
    name = item.name if isinstance(item, ast.ConstantValue | ast.FunctionValue) else None
    field = model.field(name) if name else None
    if field is None or relation_target(ctx, field) is not None:
        raise schema_error(
            f"{name or 'this'!r} is not a scalar field of {model.name}",
            item.position or attribute.position,
            expected=", ".join(f.name for f in model.fields if relation_target(ctx, f) is None),
        )
    return field


def relation_target(ctx: Context, field: ast.Field) -> ast.Model | None:
    """The model or view a relation field points at; None for a scalar, enum or Unsupported."""
    target = ctx.models.get(field.type.name)
    if target is None:
        return None
    if target.kind == "type":
        raise schema_error(
            f"field {field.name!r}: composite types exist only on MongoDB", field.position
        )
    return target


def relation_name(field: ast.Field) -> str | None:
    attribute = field.attribute("relation")
    return string_of(attribute.argument("name", 0)) if attribute else None


def foreign_keys(
    ctx: Context, model: ast.Model, relation_fields: Sequence[tuple[ast.Field, ast.Attribute]]
) -> tuple[m.ForeignKey, ...]:
    """The model's foreign keys: ``relation_fields`` are its fields with ``@relation`` (each
    with that attribute) in field order, as lower_model found them in its one pass over the
    fields, which has also looked up (and vetted) every field's target once."""
    keys = []
    for field, attribute in relation_fields:
        if attribute.argument("fields", None) is None:
            continue
        target = relation_target(ctx, field)
        if target is None:
            continue
        key = _foreign_key(ctx, model, field, target, attribute)
        if key is not None and ctx.datasource.relation_mode != "prisma":
            keys.append(key)
    return tuple(keys)


def _foreign_key(
    ctx: Context, model: ast.Model, field: ast.Field, target: ast.Model, attribute: ast.Attribute
) -> m.ForeignKey | None:
    columns = field_columns(ctx, model, attribute.argument("fields", None), attribute)
    references_value = attribute.argument("references", None)
    if references_value is None:
        raise schema_error(
            f"relation {field.name!r} has fields: but no references:", attribute.position
        )
    referenced = field_columns(ctx, target, references_value, attribute)
    if len(columns) != len(referenced):
        raise schema_error(
            f"relation {field.name!r}: fields and references differ in length", attribute.position
        )
    if target.kind != "model":
        return None  # a view has no table to reference
    table = ctx.table_name(model)
    name = string_of(attribute.argument("map", None)) or foreign_key_name(table, columns, ctx.limit)
    on_delete = _action(attribute, "onDelete") or (
        "SET NULL" if field.type.optional else "RESTRICT"
    )
    return m.ForeignKey(
        name=ctx.identifier(name),
        columns=columns,
        referenced_table=ctx.table_name(target),
        referenced_columns=referenced,
        referenced_schema=ctx.schema_of(target),
        on_delete=on_delete,
        on_update=_action(attribute, "onUpdate") or "CASCADE",
    )


def field_columns(
    ctx: Context, model: ast.Model, value: ast.Value | None, attribute: ast.Attribute
) -> tuple[str, ...]:
    """The column names of a ``[a, b]`` field list of ``model``; each must name a scalar field."""
    items = items_of(value)
    if items is None:
        raise schema_error(f"@{attribute.name} expects a list of fields", attribute.position)
    columns = []
    for item in items:
        columns.append(ctx.column_name(scalar_field(ctx, model, item, attribute)))
    return tuple(columns)


def _action(attribute: ast.Attribute, name: str) -> str | None:
    value = attribute.argument(name, None)
    if value is None:
        return None
    if not isinstance(value, ast.ConstantValue) or value.name not in REFERENTIAL_ACTIONS:
        raise schema_error(
            f"{name} must be a referential action",
            value.position or attribute.position,
            expected=", ".join(REFERENTIAL_ACTIONS),
        )
    return REFERENTIAL_ACTIONS[value.name]


# --- implicit many-to-many ------------------------------------------------------------------


@dataclass(frozen=True)
class _ManyToMany:
    name: str
    model_a: ast.Model
    model_b: ast.Model
    field: ast.Field  # one of the two list fields, for error positions


def join_tables(
    ctx: Context, list_relations: Sequence[tuple[ast.Model, ast.Field]]
) -> tuple[m.Table, ...]:
    """The implicit many-to-many tables. ``list_relations`` are the list fields that point at a
    model or view, with their model, in schema order (lower_model notes them in its pass over
    the fields): the only candidates for a many-to-many side."""
    relations: dict[str, _ManyToMany] = {}
    for model, field in list_relations:
        relation = _many_to_many(ctx, model, field)
        if relation is not None:
            relations.setdefault(relation.name, relation)
    return tuple(_join_table(ctx, relations[name]) for name in sorted(relations))


def _many_to_many(ctx: Context, model: ast.Model, field: ast.Field) -> _ManyToMany | None:
    """The implicit many-to-many relation of a list field, if it is one."""
    target = relation_target(ctx, field)
    if target is None or target.kind != "model":
        return None
    name = relation_name(field)
    opposite = next(
        (
            other
            for other in target.fields
            if other is not field and other.type.name == model.name and relation_name(other) == name
        ),
        None,
    )
    if opposite is None:
        raise schema_error(
            f"relation field {field.name!r} has no opposite field on {target.name}", field.position
        )
    if not opposite.type.list:
        return None
    first, second = sorted((model, target), key=lambda decl: decl.name)
    return _ManyToMany(name or f"{first.name}To{second.name}", first, second, field)


def _join_table(ctx: Context, relation: _ManyToMany) -> m.Table:
    table = ctx.identifier(f"_{relation.name}")
    schema = ctx.schema_of(relation.model_a)
    id_a = _id_field(ctx, relation.model_a, relation.field)
    id_b = _id_field(ctx, relation.model_b, relation.field)
    columns = (
        m.Column("A", resolve_type(ctx, id_a).sql, nullable=False),
        m.Column("B", resolve_type(ctx, id_b).sql, nullable=False),
    )
    b_index = m.Index(with_suffix(table, M2M_B_INDEX_SUFFIX, ctx.limit), ("B",))
    if ctx.dialect == POSTGRESQL:
        primary_key: m.PrimaryKey | None = m.PrimaryKey(
            ("A", "B"), with_suffix(table, M2M_PRIMARY_KEY_SUFFIX, ctx.limit)
        )
        indexes: tuple[m.Index, ...] = (b_index,)
    else:
        primary_key = None
        unique = m.Index(
            with_suffix(table, M2M_LEGACY_UNIQUE_SUFFIX, ctx.limit), ("A", "B"), unique=True
        )
        indexes = (unique, b_index)
    keys: tuple[m.ForeignKey, ...] = ()
    if ctx.datasource.relation_mode != "prisma":
        keys = (
            _join_key(ctx, table, "A", relation.model_a, id_a),
            _join_key(ctx, table, "B", relation.model_b, id_b),
        )
    return m.Table(table, schema, columns, primary_key, indexes, keys)


def _join_key(
    ctx: Context, table: str, column: str, target: ast.Model, id_field: ast.Field
) -> m.ForeignKey:
    return m.ForeignKey(
        name=with_suffix(table, f"_{column}_fkey", ctx.limit),
        columns=(column,),
        referenced_table=ctx.table_name(target),
        referenced_columns=(ctx.column_name(id_field),),
        referenced_schema=ctx.schema_of(target),
        on_delete="CASCADE",
        on_update="CASCADE",
    )


def _id_field(ctx: Context, model: ast.Model, field: ast.Field) -> ast.Field:
    ids = [candidate for candidate in model.fields if candidate.attribute("id") is not None]
    if len(ids) != 1:
        raise schema_error(
            f"{model.name} needs a single @id field to be part of a many-to-many relation",
            field.position,
        )
    return ids[0]
