"""Models, views and enums as wholes: database name clashes, ``@id``/``@@id``, the unique
criterion every model needs, what ``@@index``/``@@unique``/``@@id`` refer to, what views may not
have, ``@@schema`` against the datasource's ``schemas``, and enum values."""

from __future__ import annotations

from audits.engine.prisma import ast
from audits.engine.prisma.lowering.names import index_name, unique_index_name
from audits.engine.prisma.validate.attributes import (
    check_attribute_set,
    check_field_attributes,
    check_shard_key,
    parsing_error,
)
from audits.engine.prisma.validate.context import Ctx, FieldFacts, kind_word
from audits.engine.prisma.validate.indexes import check_index_methods
from audits.engine.prisma.validate.relations import is_relation

RESERVED_MODEL_NAMES = frozenset((
    "String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes",
    "PrismaClient",
))


def field_names(value: ast.Value | None) -> list[tuple[str, ast.Position | None]]:
    """The field names of a ``fields``/``references`` list (``[a, b(sort: Desc)]``)."""
    if value is None:
        return []
    items = value.items if isinstance(value, ast.ArrayValue) else (value,)
    found = []
    for item in items:
        if isinstance(item, ast.ConstantValue | ast.FunctionValue):
            found.append((item.name, item.position))
    return found


def field_facts(ctx: Ctx, model: ast.Model) -> list[FieldFacts]:
    """``FieldFacts`` of each of the model's fields, worked out once per distinct spelling (they
    follow from the field's line after its name) instead of three scans of every field's
    attributes."""
    known = ctx.field_facts
    found = []
    for field in model.fields:
        key = field.spelling
        facts = known.get(key) if key is not None else None
        if facts is None:
            facts = _facts_of(field)
            if key is not None:
                known[key] = facts
        found.append(facts)
    return found


def _facts_of(field: ast.Field) -> FieldFacts:
    id_at = unique_at = -1
    mapped = None
    seen_map = False
    for index, attribute in enumerate(field.attributes):
        name = attribute.name
        if name == "id" and id_at < 0:
            id_at = index
        elif name == "unique" and unique_at < 0:
            unique_at = index
        elif name == "map" and not seen_map:
            seen_map = True
            value = attribute.argument("name")
            mapped = value.value if isinstance(value, ast.StringValue) else None
    return FieldFacts(id_at, unique_at, mapped)


def check_models(ctx: Ctx) -> None:
    tables: dict[tuple[str | None, str], ast.Model] = {}
    index_names: set[tuple[str | None, str]] = set()
    checked: set[tuple[str, ...]] = set()
    for model in ctx.schema.models:
        if model.kind == "view" and "views" not in ctx.preview_features:
            ctx.error("Error validating: View definitions are only available with the `views` "
                      "preview feature.", model.position)
        if model.kind in ("model", "view") and model.name in RESERVED_MODEL_NAMES:
            ctx.error(f"Error validating {kind_word(model)} \"{model.name}\": The "
                      f"{kind_word(model)} name `{model.name}` is invalid. It is a reserved name. "
                      "Please change it. Read more at https://pris.ly/d/naming-models",
                      model.position)
        _check_fields(ctx, model, checked)
        attributes = check_attribute_set(ctx, model.attributes, block=True, model=model)
        for attribute in attributes:
            if attribute.name == "shardKey":
                check_shard_key(ctx, attribute)
        if model.kind == "type":
            continue
        facts = field_facts(ctx, model)
        _table_name_clash(ctx, model, tables)
        _column_name_clashes(ctx, model, facts)
        _schema_attribute(ctx, model, model.attribute("schema"), kind_word(model))
        if model.kind == "view":
            _view_rules(ctx, model, attributes)
        else:
            _id_rules(ctx, model, facts)
            _index_name_clashes(ctx, model, index_names, facts)
        _index_references(ctx, model, attributes)
        if ctx.connector == "postgresql":
            for attribute in attributes:
                if attribute.name == "index":
                    check_index_methods(ctx, model, attribute)


def _check_fields(ctx: Ctx, model: ast.Model, checked: set[tuple[str, ...]]) -> None:
    """Each field's attributes. Whether a field's attributes are fine depends only on its type
    and what its attributes say, and schemas repeat the same field line over and over (``id Int
    @id @default(autoincrement())``): a spelling found fine once is not checked again (this
    halves validation on a 2,000-model schema)."""
    errors = ctx.report.errors
    for field in model.fields:
        if not field.attributes:
            continue
        key = field.spelling
        if key is not None and key in checked:
            continue
        before = len(errors)
        check_field_attributes(ctx, model, field)
        if key is not None and len(errors) == before:
            checked.add(key)


def _table_name_clash(ctx: Ctx, model: ast.Model,
                      tables: dict[tuple[str | None, str], ast.Model]) -> None:
    mapped = model.attribute("map")
    value = mapped.argument("name") if mapped else None
    name = value.value if isinstance(value, ast.StringValue) else model.name
    schema_attribute = model.attribute("schema")
    schema_value = schema_attribute.argument("name") if schema_attribute else None
    schema = schema_value.value if isinstance(schema_value, ast.StringValue) else None
    first = tables.setdefault((schema, name), model)
    if first is not model and first.name != model.name:
        ctx.error(f'The model with database name "{name}" could not be defined because another '
                  f'model or view with this name exists: "{first.name}"',
                  (mapped.position if mapped else model.position))


def _mapped(node: ast.Model | ast.Field) -> str:
    attribute = node.attribute("map")
    value = attribute.argument("name") if attribute else None
    return value.value if isinstance(value, ast.StringValue) else node.name


def _index_name_clashes(ctx: Ctx, model: ast.Model, seen: set[tuple[str | None, str]],
                        facts: list[FieldFacts]) -> None:
    """Index names (given with ``map:`` or Prisma's default) share one namespace per database
    schema on PostgreSQL and SQLite."""
    if ctx.connector not in ("postgresql", "sqlite"):
        return
    limit = 63 if ctx.connector == "postgresql" else 10_000
    table = _mapped(model)
    schema_attribute = model.attribute("schema")
    schema_value = schema_attribute.argument("name") if schema_attribute else None
    schema = schema_value.value if isinstance(schema_value, ast.StringValue) else None
    named: list[tuple[str, ast.Attribute]] = []
    for field, fact in zip(model.fields, facts, strict=True):
        if fact.unique_at >= 0:
            unique = field.attributes[fact.unique_at]
            given = unique.argument("map", None)
            mapped = field.name if fact.mapped is None else fact.mapped
            named.append((given.value if isinstance(given, ast.StringValue)
                          else unique_index_name(table, (mapped,), limit), unique))
    for attribute in model.attributes:
        if attribute.name not in ("unique", "index"):
            continue
        given = attribute.argument("map", None)
        if given is None and attribute.name == "index":
            given = attribute.argument("name", None)
        if isinstance(given, ast.StringValue):
            named.append((given.value, attribute))
            continue
        columns = []
        for name, _ in field_names(attribute.argument("fields")):
            column = model.field(name)
            columns.append(_mapped(column) if column is not None else name)
        maker = unique_index_name if attribute.name == "unique" else index_name
        named.append((maker(table, tuple(columns), limit), attribute))
    for name, attribute in named:
        if (schema, name) in seen:
            parsing_error(ctx, attribute, f"The given constraint name `{name}` has to be unique "
                          "in the following namespace: global for indexes. Please provide a "
                          "different name using the `map` argument.")
        seen.add((schema, name))


def _column_name_clashes(ctx: Ctx, model: ast.Model, facts: list[FieldFacts]) -> None:
    columns: dict[str, ast.Field] = {}
    relation_types = ctx.models
    for field, fact in zip(model.fields, facts, strict=True):
        if field.type.name in relation_types:
            continue
        first = columns.setdefault(field.name if fact.mapped is None else fact.mapped, field)
        if first is not field:
            ctx.error(f'Field "{field.name}" is already defined on {kind_word(model)} '
                      f'"{model.name}".', field.position)


def _schema_attribute(ctx: Ctx, node: ast.Model | ast.EnumDecl, attribute: ast.Attribute | None,
                      kind: str) -> None:
    if attribute is None:
        if ctx.schemas:
            what = "model" if kind == "model" else kind
            if kind == "enum":
                ctx.error("This enum is missing an `@@schema` attribute.", node.position)
            else:
                ctx.error(f'Error validating {what} "{node.name}": This {what} is missing an '
                          "`@@schema` attribute.", node.position)
        return
    if ctx.schemas is None:
        if ctx.connector is not None:
            ctx.error("@@schema is not supported on the current datasource provider",
                      attribute.position)
        return
    value = attribute.argument("name")
    if isinstance(value, ast.StringValue) and value.value not in ctx.schemas:
        ctx.error("This schema is not defined in the datasource. Read more on `@@schema` at "
                  "https://pris.ly/d/multi-schema", value.position)


def _id_rules(ctx: Ctx, model: ast.Model, facts: list[FieldFacts]) -> None:
    id_fields = [f for f, fact in zip(model.fields, facts, strict=True) if fact.id_at >= 0]
    block_id = model.attribute("id")
    if len(id_fields) > 1:
        ctx.error(f'Error validating model "{model.name}": At most one field must be marked as '
                  "the id field with the `@id` attribute.", model.position)
    if id_fields and block_id is not None:
        ctx.error(f'Error validating model "{model.name}": Each model must have at most one id '
                  "criteria. You can't have `@id` and `@@id` at the same time.", model.position)
    for field in id_fields:
        if field.type.optional or field.type.list:
            attribute = field.attribute("id")
            assert attribute is not None
            parsing_error(ctx, attribute, "Fields that are marked as id must be required.")
    if block_id is not None:
        for name, _ in field_names(block_id.argument("fields")):
            named = model.field(name)
            if named is not None and (named.type.optional or named.type.list):
                ctx.error(f'Error validating model "{model.name}": The id definition refers to '
                          f"the optional field `{name}`. ID definitions must reference only "
                          "required fields.", block_id.position)
    if ctx.connector not in ("postgresql", "sqlserver", "cockroachdb"):
        mapped_keys = [a for a in [block_id, *(f.attribute("id") for f in id_fields)]
                       if a is not None and a.argument("map", None) is not None]
        if mapped_keys:
            ctx.error(f'Error validating model "{model.name}": You defined a database name for the '
                      "primary key on the model. This is not supported by the provider.",
                      model.position)
    if id_fields or block_id is not None or model.attribute("ignore") is not None:
        return
    if any(_required_unique(ctx, model, a) for a in model.attributes_named("unique")):
        return
    for field in model.fields:
        if field.attribute("unique") is not None and not field.type.optional \
                and not field.type.list:
            return
    ctx.error(f'Error validating model "{model.name}": Each model must have at least one unique '
              "criteria that has only required fields. Either mark a single field with `@id`, "
              "`@unique` or add a multi field criterion with `@@id([])` or `@@unique([])` to "
              "the model.", model.position)


def _required_unique(ctx: Ctx, model: ast.Model, attribute: ast.Attribute) -> bool:
    names = field_names(attribute.argument("fields"))
    if not names:
        return False
    for name, _ in names:
        field = model.field(name)
        if field is None or field.type.optional:
            return False
    return True


def _view_rules(ctx: Ctx, model: ast.Model, attributes: list[ast.Attribute]) -> None:
    for field in model.fields:
        if field.attribute("id") is not None:
            ctx.error("Error validating: Views cannot have primary keys.", field.position)
        unique = field.attribute("unique")
        if unique is not None and unique.arguments:
            ctx.error("Error validating: @@unique annotations on views are not backed by unique "
                      "indexes in the database and cannot specify a mapped database name.",
                      unique.position)
    for attribute in model.attributes:
        if attribute.name == "id":
            ctx.error("Error validating: Views cannot have primary keys.", attribute.position)
        elif attribute.name in ("index", "fulltext"):
            ctx.error("Error validating: Views cannot have indexes.", attribute.position)
        elif attribute.name == "unique":
            if any(a.name is not None and a.name != "fields" for a in attribute.arguments):
                ctx.error("Error validating: @@unique annotations on views are not backed by "
                          "unique indexes in the database and cannot specify a mapped database "
                          "name.", attribute.position)
            fields = attribute.argument("fields")
            items = fields.items if isinstance(fields, ast.ArrayValue) else ()
            if any(isinstance(item, ast.FunctionValue) for item in items):
                parsing_error(ctx, attribute, "Scalar fields in @@unique attributes in views "
                              "cannot have arguments.")


def _index_references(ctx: Ctx, model: ast.Model, attributes: list[ast.Attribute]) -> None:
    for attribute in attributes:
        if attribute.name not in ("id", "unique", "index", "fulltext", "shardKey"):
            continue
        fields_value = attribute.argument("fields")
        names = field_names(fields_value)
        if fields_value is None or (isinstance(fields_value, ast.ArrayValue)
                                    and not fields_value.items):
            if attribute.name in ("unique", "index", "id") and model.kind == "model":
                parsing_error(ctx, attribute, "The list of fields in an index cannot be empty. "
                              "Please specify at least one field.")
            continue
        unknown = [name for name, _ in names if model.field(name) is None]
        relations = [name for name, _ in names
                     if (f := model.field(name)) is not None and is_relation(ctx, f)]
        what = "multi field id declaration" if attribute.name == "id" else "index definition"
        if unknown and attribute.name == "id":
            for name in unknown:
                ctx.error(f'Error validating model "{model.name}": The {what} refers to the '
                          f"unknown field `{name}`.", attribute.position)
        elif unknown:
            ctx.error(f'Error validating model "{model.name}": The {what} refers to the unknown '
                      f"fields: {', '.join(unknown)}.", attribute.position)
        if relations:
            target = "id definition" if attribute.name == "id" else "index definition"
            ctx.error(f'Error validating model "{model.name}": The {target} refers to the '
                      f"relation fields {', '.join(relations)}. "
                      f"{'ID' if attribute.name == 'id' else 'Index'} definitions must reference "
                      "only scalar fields.", attribute.position)


def check_enums(ctx: Ctx) -> None:
    names: set[tuple[str | None, str]] = set()
    for enum in ctx.schema.enums:
        schema_attribute = enum.attribute("schema")
        schema_value = schema_attribute.argument("name") if schema_attribute else None
        schema = schema_value.value if isinstance(schema_value, ast.StringValue) else None
        mapped = enum.attribute("map")
        mapped_value = mapped.argument("name") if mapped else None
        name = mapped_value.value if isinstance(mapped_value, ast.StringValue) else enum.name
        if (schema, name) in names:
            ctx.error("An enum with the same database name is already defined.", enum.position)
        names.add((schema, name))
        if not enum.values:
            ctx.error("Error validating: An enum must have at least one value.", enum.position)
        check_attribute_set(ctx, enum.attributes, block=True)
        _schema_attribute(ctx, enum, enum.attribute("schema"), "enum")
        for value in enum.values:
            for attribute in value.attributes:
                if attribute.name != "map":
                    ctx.error(f'Attribute not known: "@{attribute.name}".', attribute.position)
