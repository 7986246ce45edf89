"""Relations: every relation field has its opposite on the other model (by relation name), no
two unnamed relations between the same models, exactly one side of a 1:1 or the non-list side of
a 1:n holds ``fields``/``references``, of equal length, naming existing fields of matching types,
the references a unique criterion; many-to-many needs an ``@id`` on both sides."""

from __future__ import annotations

from collections import defaultdict

from audits.engine.prisma import ast
from audits.engine.prisma.validate.attributes import parsing_error
from audits.engine.prisma.validate.context import Ctx, kind_word


def is_relation(ctx: Ctx, field: ast.Field) -> bool:
    return field.type.name in ctx.models


def relation_name(field: ast.Field) -> str | None:
    attribute = field.attribute("relation")
    if attribute is None:
        return None
    value = attribute.argument("name")
    return value.value if isinstance(value, ast.StringValue) else None


def _names(value: ast.Value | None) -> list[str]:
    if value is None:
        return []
    items = value.items if isinstance(value, ast.ArrayValue) else (value,)
    return [item.name for item in items if isinstance(item, ast.ConstantValue | ast.FunctionValue)]


def check_relations(ctx: Ctx) -> None:
    models = ctx.models
    relation_fields = {
        model.name: [f for f in model.fields if f.type.name in models]
        for model in ctx.schema.models if model.kind != "type"
    }
    ctx.relation_fields = relation_fields
    # every relation field's relation name read once: each field is also a candidate opposite
    # of every field pointing back at its model
    ends: dict[tuple[str, str, str | None], list[ast.Field]] = defaultdict(list)
    for name, fields in relation_fields.items():
        for field in fields:
            ends[(name, field.type.name, relation_name(field))].append(field)
    ctx.relation_ends = ends
    for model in ctx.schema.models:
        if model.kind == "type":
            continue
        fields = relation_fields[model.name]
        _ambiguity(ctx, model, fields)
        for field in fields:
            _check_field(ctx, model, field)


def _ambiguity(ctx: Ctx, model: ast.Model, fields: list[ast.Field]) -> None:
    groups: dict[tuple[str, str | None], list[ast.Field]] = defaultdict(list)
    for field in fields:
        groups[(field.type.name, relation_name(field))].append(field)
    for (target, _name), group in groups.items():
        limit = 2 if target == model.name else 1  # a self relation has both ends here
        if len(group) > limit:
            ctx.error(f'Error validating model "{model.name}": Ambiguous relation detected. The '
                      f"fields `{group[0].name}` and `{group[1].name}` in model `{model.name}` "
                      f"both refer to `{target}`. Please provide different relation names for "
                      "them by adding `@relation(<name>).", group[1].position)


def _opposites(ctx: Ctx, model: ast.Model, field: ast.Field) -> list[ast.Field]:
    target = ctx.models[field.type.name]
    if target.name not in ctx.relation_fields:  # pragma: no cover  (every model is there)
        name = relation_name(field)
        return [f for f in target.fields
                if f is not field and f.type.name == model.name and relation_name(f) == name]
    candidates = ctx.relation_ends.get((target.name, model.name, relation_name(field)), [])
    return [f for f in candidates if f is not field]


def _check_field(ctx: Ctx, model: ast.Model, field: ast.Field) -> None:
    target = ctx.models[field.type.name]
    opposites = _opposites(ctx, model, field)
    word = kind_word(model)
    if target.attribute("ignore") is not None and field.attribute("ignore") is None \
            and model.attribute("ignore") is None:
        ctx.error(f'Error parsing attribute "@ignore": The relation field `{field.name}` on '
                  f"Model `{model.name}` must specify the `@ignore` attribute, because the model "
                  f"{target.name} it is pointing to is marked ignored.", field.position)
    if not opposites:
        ctx.error(f"Error validating field `{field.name}` in {word} `{model.name}`: The relation "
                  f"field `{field.name}` on {word} `{model.name}` is missing an opposite relation "
                  f"field on the {kind_word(target)} `{target.name}`. Either run `prisma format` "
                  "or add it manually.", field.position)
        return
    if len(opposites) > 1 and target is not model:
        return  # reported as ambiguous on the other side
    opposite = opposites[0]
    attribute = field.attribute("relation")
    fields = attribute.argument("fields", None) if attribute else None
    references = attribute.argument("references", None) if attribute else None
    other = opposite.attribute("relation")
    other_fields = other.argument("fields", None) if other else None
    other_references = other.argument("references", None) if other else None
    if field.type.list and opposite.type.list:
        _many_to_many(ctx, model, field, target, attribute, fields or references)
        return
    if field.type.list:
        if fields is not None or references is not None:
            assert attribute is not None
            parsing_error(ctx, attribute, f"The relation field `{field.name}` on Model "
                          f"`{model.name}` must not specify the `fields` or `references` "
                          "argument in the @relation attribute. You must only specify it on the "
                          f"opposite field `{opposite.name}` on model `{target.name}`.")
        return
    if opposite.type.list:
        defining = True
    else:  # one-to-one: exactly one side holds fields and references
        mine = fields is not None or references is not None
        theirs = other_fields is not None or other_references is not None
        if not mine and not theirs:
            if _first(field, opposite):
                ctx.error(f"Error validating: The relation fields `{field.name}` on Model "
                          f"`{model.name}` and `{opposite.name}` on Model `{target.name}` do not "
                          "provide the `fields` argument in the @relation attribute. You have to "
                          "provide it on one of the two fields.", field.position)
            return
        if mine and theirs:
            if _first(field, opposite) and attribute is not None:
                parsing_error(ctx, attribute, f"The relation fields `{field.name}` on Model "
                              f"`{model.name}` and `{opposite.name}` on Model `{target.name}` "
                              "both provide the `references` argument in the @relation "
                              "attribute. You have to provide it only on one of the two fields.")
            return
        defining = mine
    if not defining:
        return
    _defining_side(ctx, model, field, target, attribute, fields, references,
                   one_to_one=not opposite.type.list)


def _first(field: ast.Field, opposite: ast.Field) -> bool:
    """Report a pair's problem once: on the field that comes first in the source."""
    a = field.position.resolved() if field.position else ("", 0, 0)
    b = opposite.position.resolved() if opposite.position else ("", 0, 0)
    return a <= b


def _many_to_many(ctx: Ctx, model: ast.Model, field: ast.Field, target: ast.Model,
                  attribute: ast.Attribute | None, arguments: ast.Value | None) -> None:
    word = kind_word(model)
    if model.kind == "view" or target.kind == "view":
        ctx.error("Error validating: Implicit many-to-many relations are not supported for "
                  "views.", field.position)
    if not _single_id(target):
        ctx.error(f"Error validating field `{field.name}` in {word} `{model.name}`: The relation "
                  f"field `{field.name}` on {word} `{model.name}` references `{target.name}` "
                  "which does not have an `@id` field. Models without `@id` cannot be part of a "
                  "many to many relation. Use an explicit intermediate Model to represent this "
                  "relationship.", field.position)
    if arguments is not None and attribute is not None:
        parsing_error(ctx, attribute, f"The relation field `{field.name}` on Model "
                      f"`{model.name}` must not specify the `fields` or `references` argument in "
                      "the @relation attribute. Implicit many-to-many relations do not use them.")


def _single_id(model: ast.Model) -> bool:
    if any(f.attribute("id") is not None for f in model.fields):
        return True
    block_id = model.attribute("id")
    return block_id is not None and len(_names(block_id.argument("fields"))) == 1


def _defining_side(ctx: Ctx, model: ast.Model, field: ast.Field, target: ast.Model,
                   attribute: ast.Attribute | None, fields: ast.Value | None,
                   references: ast.Value | None, one_to_one: bool) -> None:
    if attribute is None or fields is None:
        at = attribute
        message_at = at.position if at else field.position
        ctx.error(f'Error parsing attribute "@relation": The relation field `{field.name}` on '
                  f"Model `{model.name}` must specify the `fields` argument in the @relation "
                  "attribute. You can run `prisma format` to fix this automatically.", message_at)
        if references is None:
            ctx.error(f'Error parsing attribute "@relation": The relation field `{field.name}` '
                      f"on Model `{model.name}` must specify the `references` argument in the "
                      "@relation attribute.", message_at)
        return
    if references is None:
        parsing_error(ctx, attribute, f"The relation field `{field.name}` on Model "
                      f"`{model.name}` must specify the `references` argument in the @relation "
                      "attribute.")
        return
    own = _names(fields)
    referenced = _names(references)
    missing = [name for name in own if model.field(name) is None]
    if missing:
        parsing_error(ctx, attribute, "The argument fields must refer only to existing fields. "
                      f"The following fields do not exist in this model: {', '.join(missing)}")
        return
    missing = [name for name in referenced if target.field(name) is None]
    if missing:
        parsing_error(ctx, attribute, "The argument `references` must refer only to existing "
                      f"fields in the related model `{target.name}`. The following fields do not "
                      f"exist in the related model: {', '.join(missing)}")
        return
    relation_scalars = [name for name in own
                        if (f := model.field(name)) is not None and is_relation(ctx, f)]
    if relation_scalars:
        parsing_error(ctx, attribute, "The argument fields must refer only to scalar fields. "
                      f"But it is referencing the following relation fields: "
                      f"{', '.join(relation_scalars)}")
        return
    if len(own) != len(referenced):
        parsing_error(ctx, attribute, "You must specify the same number of fields in `fields` "
                      "and `references`.")
        return
    if not _is_unique_criterion(target, referenced):
        first = referenced[0] if len(referenced) == 1 else ", ".join(referenced)
        if len(referenced) == 1:
            parsing_error(ctx, attribute, "The argument `references` must refer to a unique "
                          "criterion in the related model. Consider adding an `@unique` attribute "
                          f"to the field `{first}` in the model `{target.name}`.")
        else:
            parsing_error(ctx, attribute, "The argument `references` must refer to a unique "
                          "criterion in the related model. Consider adding an `@@unique([{}])` "
                          f"attribute to the model `{target.name}`.".replace("{}", first))
        return
    optional = [name for name in own if (f := model.field(name)) and f.type.optional]
    if optional and not field.type.optional:
        ctx.error(f"Error validating: The relation field `{field.name}` uses the scalar fields "
                  f"{', '.join(own)}. At least one of those fields is optional. Hence the "
                  "relation field must be optional as well.", field.position)
    _set_null_on_required(ctx, attribute, model, own)
    _foreign_key_name(ctx, attribute, model, own)
    for name, other in zip(own, referenced, strict=True):
        mine, theirs = model.field(name), target.field(other)
        if mine is None or theirs is None:
            continue
        if mine.type.name != theirs.type.name:
            parsing_error(ctx, attribute, f"The type of the field `{name}` in the model "
                          f"`{model.name}` is not matching the type of the referenced field "
                          f"`{other}` in model `{target.name}`.")
    if one_to_one and model.kind == "model" and not _is_unique_criterion(model, own):
        parsing_error(ctx, attribute, "A one-to-one relation must use unique fields on the "
                      "defining side. Either add an `@unique` attribute to the field "
                      f"`{', '.join(own)}`, or change the relation to one-to-many.")


def _foreign_key_name(ctx: Ctx, attribute: ast.Attribute, model: ast.Model,
                      own: list[str]) -> None:
    """``map:`` names a foreign key: SQLite has no names for them; on PostgreSQL two foreign keys
    of a model cannot share one."""
    given = attribute.argument("map", None)
    if not isinstance(given, ast.StringValue):
        return
    if ctx.connector in (None, "sqlite"):
        parsing_error(ctx, attribute, "Your provider does not support named foreign keys.")
        return
    for other in model.fields:
        relation = other.attribute("relation")
        if relation is None or relation is attribute:
            continue
        other_name = relation.argument("map", None)
        if isinstance(other_name, ast.StringValue) and other_name.value == given.value:
            parsing_error(ctx, attribute, f"The given constraint name `{given.value}` has to be "
                          f"unique in the following namespace: on model `{model.name}` for "
                          "primary key, indexes, unique constraints and foreign keys. Please "
                          "provide a different name using the `map` argument.")
            return


def _set_null_on_required(ctx: Ctx, attribute: ast.Attribute, model: ast.Model,
                          own: list[str]) -> None:
    """``SetNull`` cannot null a required column; PostgreSQL with foreign keys is let through
    (Prisma keeps accepting it there, the database refuses at run time)."""
    if ctx.connector == "postgresql" and ctx.relation_mode == "foreignKeys":
        return
    if all((f := model.field(name)) is not None and f.type.optional for name in own):
        return
    for action in ("onDelete", "onUpdate"):
        value = attribute.argument(action, None)
        if isinstance(value, ast.ConstantValue) and value.name == "SetNull":
            parsing_error(ctx, attribute, f"The `{action}` referential action of a relation must "
                          "not be set to `SetNull` when a referenced field is required.\nEither "
                          "choose another referential action, or make the referenced fields "
                          "optional.")


def _is_unique_criterion(model: ast.Model, names: list[str]) -> bool:
    wanted = set(names)
    if len(wanted) == 1:
        field = model.field(names[0])
        if field is not None and (field.attribute("id") or field.attribute("unique")):
            return True
    for attribute in model.attributes:
        if attribute.name in ("id", "unique") and set(_names(attribute.argument("fields"))) \
                == wanted:
            return True
    return False
