"""Our parse agrees with Prisma's own (the DMMF of the offline prisma-oracle).

For each schema the oracle is called once (session-scoped); what the DMMF says about models,
views, composite types, fields, relations, native types, block indexes and enums is compared with
the same facts read off our syntax tree. Prisma's DMMF leaves out what ``@ignore``/``@@ignore``
marks and ``Unsupported`` fields, so the comparison does too.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from audits.engine.prisma import load_schema
from audits.engine.prisma.ast import (
    ArrayValue,
    Attribute,
    BooleanValue,
    ConstantValue,
    Field,
    FunctionValue,
    Model,
    NumberValue,
    PrismaSchema,
    StringValue,
    Value,
    list_items,
)

REAL_WORLD = ("inbox-zero", "langfuse", "umami")

# Valid Prisma (the oracle accepts it); tests/engine/test_prisma_parser.py covers what only
# our parser accepts (attributes spanning lines, sequence()).
RICH_SCHEMA = r"""// A rich schema exercising every construct Prisma accepts on PostgreSQL.
generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["views", "multiSchema", "fullTextSearchPostgres", "postgresqlExtensions"]
  binaryTargets   = ["native", "debian-openssl-3.0.x"]
}

datasource db {
  provider   = "postgresql"
  url        = env("DATABASE_URL")
  schemas    = ["public", "auth"]
  extensions = [pg_trgm, citext(schema: "public")]
}

/// A person who signs in.
/// Second doc line.
model User {
  /// The key.
  id         String    @id @default(uuid(7)) @db.Uuid
  cuid       String    @unique @default(cuid(2))
  short      String    @default(nanoid(10))
  sortable   String    @default(ulid())
  email      String    @unique(map: "user_email_key") @db.VarChar(255) /// trailing
  name       String?   @map("full_name")
  balance    Decimal   @default(-12.50) @db.Decimal(19, 4)
  ratio      Float     @default(0.5)
  big        BigInt    @default(-1)
  active     Boolean   @default(true)
  role       Role      @default(USER)
  roles      Role[]    @default([USER, ADMIN])
  tags       String[]  @default([])
  labels     String[]  @default(["a", "b\"c", "d\\e", "\u00e9"])
  data       Json      @default("{\"k\": [1, 2]}") @db.JsonB
  createdAt  DateTime  @default(now()) @map("created_at") @db.Timestamptz(6)
  updatedAt  DateTime  @updatedAt @map("updated_at")
  generated  String    @default(dbgenerated("gen_random_uuid()::text"))
  location   Unsupported("geometry(Point, 4326)")?
  posts      Post[]    @relation("by")
  reviewed   Post[]    @relation(name: "rev")
  profile    Profile?
  friends    User[]    @relation("friends")
  friendOf   User[]    @relation("friends")

  @@unique([name, email], name: "name_email")
  @@index([createdAt(sort: Desc), name(sort: Asc)], map: "users_recent_idx")
  @@index([email(ops: raw("gin_trgm_ops"))], type: Gin)
  @@map("users")
  @@schema("auth")
}

model Post {
  id         Int        @id @default(autoincrement())
  title      String     @db.VarChar(200)
  body       String     @db.Text
  authorId   String     @db.Uuid
  reviewerId String?    @db.Uuid
  author   User  @relation("by", fields: [authorId], references: [id], onUpdate: Cascade, map: "fk")
  reviewer User? @relation(name: "rev", fields: [reviewerId], references: [id], onDelete: SetNull)
  categories Category[]

  @@index([body(ops: raw("gin_trgm_ops"))], type: Gin)
  @@index([title(sort: Asc), id(sort: Desc)], map: "post_title_idx")
  @@index([authorId], type: Hash)
  @@schema("public")
}

model Category {
  id    Int    @id
  posts Post[]
  @@schema("public")
}

model Profile {
  userId String @id @db.Uuid
  user   User   @relation(fields: [userId], references: [id])
  bio    String @default("") @db.VarChar(1000)
  @@schema("auth")
  @@map("profiles")
}

model Membership {
  ///   Indented doc
  orgId  Int
  userId String
  /// a doc above a block attribute documents the next field
  @@schema("public")
  ////four slashes
  ///
  level  Int     @default(1) @db.SmallInt
  note   String? @ignore

  @@id([orgId, userId], name: "membership_pk", map: "membership_pkey")
}

model Legacy {
  code String @id
  @@ignore
  @@schema("public")
}

/// Roles a user may have.
enum Role {
  USER      @map("user")
  /// Can do everything.
  ADMIN     @map("admin")
  GUEST

  @@map("user_role")
  @@schema("auth")
}

view UserInfo {
  id    String @unique
  email String
  @@schema("public")
}
"""

MONGO_SCHEMA = """datasource db {
  provider = "mongodb"
  url      = env("MONGO_URL")
}

/// A postal address.
type Address {
  street String
  /// The city.
  city   String  @map("c")
  zip    String?
  geo    Geo?
}

type Geo {
  lat Float
  lng Float
}

model Customer {
  id        String    @id @default(auto()) @map("_id") @db.ObjectId
  addresses Address[]
  home      Address?
  email     String    @unique
  @@map("customers")
}
"""


@pytest.fixture(scope="session")
def oracle(shared_dir: Path) -> Path:
    path = shared_dir / "tools" / "prisma-oracle" / "prisma-oracle"
    if not path.exists():
        pytest.skip(f"SKIPPED LOUDLY: {path} is absent")
    return path


@pytest.fixture(scope="session")
def schema_paths(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("dmmf")
    paths = {name: shared_dir / "fixtures" / "real-world" / name / "schema.prisma"
             for name in REAL_WORLD}
    for name, text in (("rich", RICH_SCHEMA), ("mongo", MONGO_SCHEMA)):
        paths[name] = folder / f"{name}.prisma"
        paths[name].write_text(text)
    return paths


@pytest.fixture(scope="session")
def prisma_dmmf(
    oracle: Path, schema_paths: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], dict[str, Any]]:
    """Prisma's DMMF datamodel of a schema by name; one oracle call per schema per session."""
    cache: dict[str, dict[str, Any]] = {}
    folder = tmp_path_factory.mktemp("oracle")

    def dmmf_of(name: str) -> dict[str, Any]:
        if name not in cache:
            path = schema_paths[name]
            result = run_oracle(oracle, path)
            unknown = UNKNOWN_PREVIEW_FEATURE.search(result.stderr)
            if result.returncode and unknown:
                # langfuse lists "metrics", which this Prisma no longer knows; the feature
                # changes nothing in the datamodel, so ask about a copy without it.
                feature = re.escape(unknown.group(1))
                copy = folder / f"{name}.prisma"
                copy.write_text(re.sub(rf',\s*"{feature}"|"{feature}",?\s*', "",
                                       path.read_text(), count=1))
                result = run_oracle(oracle, copy)
            assert result.returncode == 0, result.stderr[-2000:]
            cache[name] = json.loads(result.stdout)["datamodel"]
        return cache[name]

    return dmmf_of


UNKNOWN_PREVIEW_FEATURE = re.compile(r'The preview feature \\"(\w+)\\" is not known')


def run_oracle(oracle: Path, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(oracle), "dmmf", str(path)], capture_output=True, text=True,
                          timeout=120, check=False)


# --- the facts compared, read off Prisma's DMMF ------------------------------------------

_FIELD_KEYS = ("name", "kind", "type", "isList", "isRequired", "isId", "isUnique", "isUpdatedAt",
               "hasDefaultValue", "dbName", "nativeType", "relationName", "relationFromFields",
               "relationToFields", "relationOnDelete", "relationOnUpdate", "documentation",
               "default")


def their_model(model: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": model["name"],
        "dbName": model.get("dbName"),
        "schema": model.get("schema"),
        "documentation": model.get("documentation"),
        "fields": [{key: field.get(key) for key in _FIELD_KEYS if key in field}
                   for field in model["fields"]],
    }


def their_index(index: dict[str, Any]) -> dict[str, Any]:
    return {key: index[key] for key in ("model", "type", "name", "dbName", "algorithm", "fields")
            if key in index}


def their_enum(enum: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": enum["name"],
        "dbName": enum.get("dbName"),
        "documentation": enum.get("documentation"),
        "values": [{key: value[key] for key in ("name", "dbName", "documentation") if key in value}
                   for value in enum["values"]],
    }


# --- the same facts, read off our syntax tree ---------------------------------------------


def text_of(value: Value | None) -> str | None:
    if isinstance(value, StringValue):
        return value.value
    if isinstance(value, ConstantValue):
        return value.name
    if isinstance(value, NumberValue):
        return value.text
    return None


def names_in(value: Value | None) -> list[str]:
    return [item.name for item in list_items(value) if isinstance(item, ConstantValue)]


def kept(model: Model) -> list[Field]:
    return [field for field in model.fields
            if field.attribute("ignore") is None and field.type.unsupported is None]


def relation_name(model: Model, field: Field) -> str:
    relation = field.attribute("relation")
    explicit = text_of(relation.argument("name")) if relation else None
    return explicit or "To".join(sorted((model.name, field.type.name)))


def our_field(schema: PrismaSchema, model: Model, field: Field) -> dict[str, Any]:
    target = schema.model(field.type.name)
    kind = "scalar"
    if schema.enum(field.type.name):
        kind = "enum"
    elif target is not None:
        kind = "object"
    facts: dict[str, Any] = {"name": field.name}
    mapped = text_of(field.attribute("map").argument("name")) if field.attribute("map") else None
    if mapped is not None:
        facts["dbName"] = mapped
    facts.update(kind=kind, isList=field.type.list, isRequired=not field.type.optional)
    if model.kind != "type":
        facts["isId"] = field.attribute("id") is not None or single_field_block(
            model, "id", field)
        facts["isUnique"] = not facts["isId"] and (
            field.attribute("unique") is not None or single_field_block(model, "unique", field))
    else:
        facts.update(isUnique=False, isId=False)
    default = field.attribute("default")
    facts["hasDefaultValue"] = default is not None
    if default is not None:
        facts["default"] = dmmf_default(default.argument("value"), field.type.name)
    facts["type"] = field.type.name
    native = next((a for a in field.attributes if a.name.startswith("db.")), None)
    facts["nativeType"] = (
        [native.name[3:], [text_of(a.value) for a in native.arguments]] if native else None
    )
    if kind == "object" and target is not None and target.kind != "type":
        facts.update(relation_facts(model, field))
    if model.kind != "type":
        facts["isUpdatedAt"] = field.attribute("updatedAt") is not None
    if field.documentation is not None:
        facts["documentation"] = field.documentation
    return facts


def dmmf_default(value: Value | None, type_name: str) -> Any:
    """A default as the DMMF writes it: functions as {name, args}, BigInt numbers as strings,
    other numbers as JSON numbers, enum values by name; strings unescaped as Prisma does."""
    if isinstance(value, FunctionValue):
        args = [dmmf_default(argument.value, "") for argument in value.arguments]
        # the DMMF spells out the version Prisma picks: cuid() is cuid(1), uuid() is uuid(4)
        args = args or {"cuid": [1], "uuid": [4]}.get(value.name, [])
        return {"name": value.name, "args": args}
    if isinstance(value, ArrayValue):
        return [dmmf_default(item, type_name) for item in value.items]
    if isinstance(value, NumberValue):
        if type_name == "BigInt":
            return value.text
        return float(value.text) if "." in value.text else int(value.text)
    if isinstance(value, StringValue | BooleanValue):
        return value.value
    assert isinstance(value, ConstantValue)
    return value.name


def single_field_block(model: Model, name: str, field: Field) -> bool:
    """DMMF marks a field unique (or id) also for a ``@@unique([field])`` (``@@id([field])``)."""
    for attribute in model.attributes_named(name):
        fields = list_items(attribute.argument("fields"))
        if len(fields) == 1:
            item = fields[0]
            if isinstance(item, ConstantValue | FunctionValue) and item.name == field.name:
                return True
    return False


def relation_facts(model: Model, field: Field) -> dict[str, Any]:
    relation = field.attribute("relation")
    facts: dict[str, Any] = {"relationName": relation_name(model, field)}
    fields = relation.argument("fields", None) if relation else None
    references = relation.argument("references", None) if relation else None
    facts["relationFromFields"] = names_in(fields) if fields else []
    facts["relationToFields"] = names_in(references) if references else []
    for action, key in (("onDelete", "relationOnDelete"), ("onUpdate", "relationOnUpdate")):
        value = relation.argument(action, None) if relation else None
        if value is not None:
            facts[key] = text_of(value)
    return facts


def our_model(schema: PrismaSchema, model: Model) -> dict[str, Any]:
    mapped = model.attribute("map")
    schema_attribute = model.attribute("schema")
    return {
        "name": model.name,
        "dbName": text_of(mapped.argument("name")) if mapped else None,
        "schema": text_of(schema_attribute.argument("name")) if schema_attribute else None,
        "documentation": model.documentation,
        "fields": [{key: value for key, value in our_field(schema, model, field).items()
                    if key in _FIELD_KEYS}
                   for field in kept(model)],
    }


def index_field(item: Value) -> dict[str, Any]:
    if isinstance(item, ConstantValue):
        return {"name": item.name}
    assert isinstance(item, FunctionValue)
    facts: dict[str, Any] = {"name": item.name}
    for argument in item.arguments:
        if argument.name == "sort":
            facts["sortOrder"] = str(text_of(argument.value)).lower()
        elif argument.name == "ops":
            ops = argument.value
            facts["operatorClass"] = (
                text_of(ops.arguments[0].value) if isinstance(ops, FunctionValue) else text_of(ops)
            )
    return facts


def our_block_index(model: Model, attribute: Attribute) -> dict[str, Any]:
    kind = {"index": "normal", "unique": "unique", "id": "id"}[attribute.name]
    facts: dict[str, Any] = {"model": model.name, "type": kind}
    name = attribute.argument("name", None)
    if name is not None:
        facts["name"] = text_of(name)
    mapped = attribute.argument("map", None)
    if mapped is not None:
        facts["dbName"] = text_of(mapped)
    algorithm = attribute.argument("type", None)
    if algorithm is not None:
        facts["algorithm"] = text_of(algorithm)
    facts["fields"] = [index_field(item) for item in list_items(attribute.argument("fields"))]
    return facts


def our_enum(schema: PrismaSchema, name: str) -> dict[str, Any]:
    enum = schema.enum(name)
    assert enum is not None
    mapped = enum.attribute("map")
    values = []
    for value in enum.values:
        facts: dict[str, Any] = {"name": value.name}
        value_map = next((a for a in value.attributes if a.name == "map"), None)
        facts["dbName"] = text_of(value_map.argument("name")) if value_map else None
        if value.documentation is not None:
            facts["documentation"] = value.documentation
        values.append(facts)
    return {
        "name": enum.name,
        "dbName": text_of(mapped.argument("name")) if mapped else None,
        "documentation": enum.documentation,
        "values": values,
    }


def visible_models(schema: PrismaSchema, *kinds: str) -> list[Model]:
    return [model for model in schema.models
            if model.kind in kinds and model.attribute("ignore") is None]


# --- the tests ----------------------------------------------------------------------------

SCHEMAS = (*REAL_WORLD, "rich", "mongo")


@pytest.mark.parametrize("name", SCHEMAS)
def test_models_and_views_agree_with_prisma(
    name: str, schema_paths: dict[str, Path], prisma_dmmf: Callable[[str], dict[str, Any]]
) -> None:
    dmmf = prisma_dmmf(name)
    schema = load_schema(schema_paths[name])
    ours = [our_model(schema, model) for model in visible_models(schema, "model", "view")]
    theirs = [their_model(model) for model in dmmf["models"]]
    assert [model["name"] for model in ours] == [model["name"] for model in theirs]
    for our, their in zip(ours, theirs, strict=True):
        our_fields, their_fields = our.pop("fields"), their.pop("fields")
        assert our == their
        assert [f["name"] for f in our_fields] == [f["name"] for f in their_fields], our["name"]
        for our_field, their_field in zip(our_fields, their_fields, strict=True):
            assert (our["name"], our_field) == (their["name"], their_field)


@pytest.mark.parametrize("name", SCHEMAS)
def test_composite_types_agree_with_prisma(
    name: str, schema_paths: dict[str, Path], prisma_dmmf: Callable[[str], dict[str, Any]]
) -> None:
    dmmf = prisma_dmmf(name)
    schema = load_schema(schema_paths[name])
    ours = [our_model(schema, model) for model in visible_models(schema, "type")]
    assert ours == [their_model(model) for model in dmmf["types"]]


@pytest.mark.parametrize("name", SCHEMAS)
def test_block_indexes_agree_with_prisma(
    name: str, schema_paths: dict[str, Path], prisma_dmmf: Callable[[str], dict[str, Any]]
) -> None:
    dmmf = prisma_dmmf(name)
    schema = load_schema(schema_paths[name])
    ours = sorted(
        (our_block_index(model, attribute)
         for model in visible_models(schema, "model", "view")
         for attribute in model.attributes if attribute.name in ("index", "unique", "id")),
        key=json.dumps,
    )
    theirs = sorted((their_index(index) for index in dmmf.get("indexes", [])
                     if not index["isDefinedOnField"]), key=json.dumps)
    assert ours == theirs


@pytest.mark.parametrize("name", SCHEMAS)
def test_field_level_ids_and_uniques_agree_with_prisma(
    name: str, schema_paths: dict[str, Path], prisma_dmmf: Callable[[str], dict[str, Any]]
) -> None:
    dmmf = prisma_dmmf(name)
    schema = load_schema(schema_paths[name])
    ours = sorted(
        (our_field_index(model, field, attribute)
         for model in visible_models(schema, "model", "view")
         for field in kept(model)
         for attribute in field.attributes if attribute.name in ("unique", "id")),
        key=json.dumps,
    )
    theirs = sorted((their_index(index) for index in dmmf.get("indexes", [])
                     if index["isDefinedOnField"]), key=json.dumps)
    assert ours == theirs


def our_field_index(model: Model, field: Field, attribute: Attribute) -> dict[str, Any]:
    facts: dict[str, Any] = {"model": model.name, "type": attribute.name}
    mapped = attribute.argument("map", None)
    if mapped is not None:
        facts["dbName"] = text_of(mapped)
    part: dict[str, Any] = {"name": field.name}
    sort = attribute.argument("sort", None)
    if sort is not None:
        part["sortOrder"] = str(text_of(sort)).lower()
    facts["fields"] = [part]
    return facts


@pytest.mark.parametrize("name", SCHEMAS)
def test_enums_agree_with_prisma(
    name: str, schema_paths: dict[str, Path], prisma_dmmf: Callable[[str], dict[str, Any]]
) -> None:
    dmmf = prisma_dmmf(name)
    schema = load_schema(schema_paths[name])
    assert [our_enum(schema, enum.name) for enum in schema.enums] == [
        their_enum(enum) for enum in dmmf["enums"]
    ]


def test_the_rich_schema_compares_something(
    prisma_dmmf: Callable[[str], dict[str, Any]],
) -> None:
    """Guards the comparisons above against comparing two empty lists."""
    dmmf = prisma_dmmf("rich")
    assert [model["name"] for model in dmmf["models"]] == [
        "User", "Post", "Category", "Profile", "Membership", "UserInfo"
    ]
    assert sum(not index["isDefinedOnField"] for index in dmmf["indexes"]) == 7
    assert sum("default" in field for model in dmmf["models"] for field in model["fields"]) == 18
