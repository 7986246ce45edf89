"""The Prisma schema parser: exact syntax trees for each construct, exact error positions."""

from __future__ import annotations

import dataclasses
import os
import pickle
import time
from pathlib import Path
from typing import Any, TypeVar

import pytest

from audits.engine.errors import SchemaError
from audits.engine.prisma import grammar, load_schema, parse_files, parse_schema
from audits.engine.prisma.ast import (
    Argument,
    ArrayValue,
    Attribute,
    BooleanValue,
    ConfigBlock,
    ConstantValue,
    EnumDecl,
    EnumValue,
    Field,
    FieldType,
    FunctionValue,
    Model,
    NumberValue,
    Position,
    PrismaSchema,
    StringValue,
    list_items,
)

T = TypeVar("T")


def P(line: int, column: int, file: str = "schema.prisma") -> Position:
    return Position(file, line, column)


def bare(node: T) -> T:
    """``node`` with every position blanked, to compare shapes without counting columns."""
    if isinstance(node, tuple):
        return tuple(bare(item) for item in node)  # type: ignore[return-value]
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes: dict[str, Any] = {}
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            changes[field.name] = None if field.name == "position" else bare(value)
        return dataclasses.replace(node, **changes)  # type: ignore[type-var]
    return node


def model_of(body: str, name: str = "M") -> Model:
    model = parse_schema(f"model {name} {{\n{body}\n}}\n").model(name)
    assert model is not None
    return model


def field_of(line: str) -> Field:
    return model_of(line).fields[0]


def attribute_of(line: str) -> Attribute:
    """The last attribute of a one-field model: ``id Int @default(...)`` -> the @default."""
    return bare(field_of(line).attributes[-1])


def block_attribute_of(line: str) -> Attribute:
    return bare(model_of(f"  id Int\n  {line}").attributes[0])


def A(name: str, *arguments: Argument, block: bool = False) -> Attribute:
    return Attribute(name, tuple(arguments), None, block)


def arg(value: Any, name: str | None = None) -> Argument:
    return Argument(name, value)


def fn(name: str, *arguments: Argument) -> FunctionValue:
    return FunctionValue(name, tuple(arguments))


def arr(*items: Any) -> ArrayValue:
    return ArrayValue(tuple(items))


S, N, C, B = StringValue, NumberValue, ConstantValue, BooleanValue


# --- positions: a whole small model -------------------------------------------------------


def test_a_model_with_positions_everywhere() -> None:
    schema = parse_schema("model User {\n  id Int @id @default(autoincrement())\n}\n")
    assert schema == PrismaSchema(
        models=(
            Model(
                name="User",
                fields=(
                    Field(
                        name="id",
                        type=FieldType("Int"),
                        attributes=(
                            Attribute("id", (), P(2, 10)),
                            Attribute(
                                "default",
                                (Argument(None, FunctionValue("autoincrement", (), P(2, 23)),
                                          P(2, 23)),),
                                P(2, 14),
                            ),
                        ),
                        position=P(2, 3),
                    ),
                ),
                position=P(1, 1),
            ),
        ),
        files=("schema.prisma",),
    )


def test_named_arguments_and_array_items_carry_their_positions() -> None:
    field = field_of('  a Post @relation("x", fields: [aId, bId])')
    (relation,) = field.attributes
    assert relation.position == P(2, 10)
    assert relation.arguments == (
        Argument(None, StringValue("x", P(2, 20)), P(2, 20)),
        Argument(
            "fields",
            ArrayValue((ConstantValue("aId", P(2, 34)), ConstantValue("bId", P(2, 39))), P(2, 33)),
            P(2, 25),
        ),
    )


def test_tabs_count_as_one_column_and_crlf_as_one_line_break() -> None:
    model = parse_schema("model M {\r\n\tid\tInt\t@id\r\n}\r\n").models[0]
    assert model.fields[0].position == P(2, 2)
    assert model.fields[0].attributes[0].position == P(2, 9)


# --- datasource and generator -------------------------------------------------------------


def test_datasource_and_generator_properties_in_source_order() -> None:
    schema = parse_schema(
        'generator client {\n'
        '  provider        = "prisma-client-js"\n'
        '  previewFeatures = ["views", "multiSchema"]\n'
        '  output          = "../generated"\n'
        '}\n'
        '// the database\n'
        'datasource db {\n'
        '  provider     = "postgresql"\n'
        '  url          = env("DATABASE_URL")\n'
        '  directUrl    = env("DIRECT_URL") // for migrations\n'
        '  relationMode = "prisma"\n'
        '  schemas      = ["public", "auth"]\n'
        '  extensions   = [pg_trgm, postgis(version: "3.4", schema: "ext")]\n'
        '}\n'
    )
    assert bare(schema.generators) == (
        ConfigBlock("generator", "client", (
            ("provider", S("prisma-client-js")),
            ("previewFeatures", arr(S("views"), S("multiSchema"))),
            ("output", S("../generated")),
        )),
    )
    assert bare(schema.datasources) == (
        ConfigBlock("datasource", "db", (
            ("provider", S("postgresql")),
            ("url", fn("env", arg(S("DATABASE_URL")))),
            ("directUrl", fn("env", arg(S("DIRECT_URL")))),
            ("relationMode", S("prisma")),
            ("schemas", arr(S("public"), S("auth"))),
            ("extensions", arr(C("pg_trgm"), fn("postgis", arg(S("3.4"), "version"),
                                                 arg(S("ext"), "schema")))),
        )),
    )
    assert schema.datasources[0].position == P(7, 1)
    assert schema.datasources[0].get("provider") == StringValue("postgresql", P(8, 18))


# --- field types --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("  a String", FieldType("String")),
        ("  a String?", FieldType("String", optional=True)),
        ("  a String[]", FieldType("String", list=True)),
        ("  a Post[]", FieldType("Post", list=True)),
        ('  a Unsupported("geometry(Point, 4326)")',
         FieldType("Unsupported", unsupported="geometry(Point, 4326)")),
        ('  a Unsupported("tsvector")?', FieldType("Unsupported", optional=True,
                                                  unsupported="tsvector")),
        ('  a Unsupported("circle")[]', FieldType("Unsupported", list=True,
                                                 unsupported="circle")),
    ],
)
def test_field_types(line: str, expected: FieldType) -> None:
    assert field_of(line).type == expected


def test_keywords_are_fine_as_field_names() -> None:
    model = model_of("  type String\n  model Int\n  enum Role\n  view Boolean")
    assert [(f.name, f.type.name) for f in model.fields] == [
        ("type", "String"), ("model", "Int"), ("enum", "Role"), ("view", "Boolean")
    ]


# --- field attributes ---------------------------------------------------------------------


def test_all_field_attributes_of_one_line() -> None:
    field = field_of(
        '  createdAt DateTime? @default(now()) @map("created_at") @db.Timestamptz(6) @updatedAt'
        " @unique @ignore"
    )
    assert bare(field.attributes) == (
        A("default", arg(fn("now"))),
        A("map", arg(S("created_at"))),
        A("db.Timestamptz", arg(N("6"))),
        A("updatedAt"),
        A("unique"),
        A("ignore"),
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("  a Int @id", A("id")),
        ("  a Int @id()", A("id")),
        ('  a Int @id(map: "pk", sort: Desc, clustered: false)',
         A("id", arg(S("pk"), "map"), arg(C("Desc"), "sort"), arg(B(False), "clustered"))),
        ('  a String @unique(map: "u", length: 10)',
         A("unique", arg(S("u"), "map"), arg(N("10"), "length"))),
        ("  a String @db.VarChar(255)", A("db.VarChar", arg(N("255")))),
        ("  a Decimal @db.Decimal(19,4)", A("db.Decimal", arg(N("19")), arg(N("4")))),
        ("  a Decimal @db.Decimal(19, 4)", A("db.Decimal", arg(N("19")), arg(N("4")))),
        ("  a String @db.Uuid", A("db.Uuid")),
        ("  a Json @db.JsonB", A("db.JsonB")),
        ('  a String @map(name: "x")', A("map", arg(S("x"), "name"))),
        (
            '  author User @relation("posts", fields: [authorId], references: [id],'
            ' onDelete: Cascade, onUpdate: NoAction, map: "fk")',
            A("relation", arg(S("posts")), arg(arr(C("authorId")), "fields"),
              arg(arr(C("id")), "references"), arg(C("Cascade"), "onDelete"),
              arg(C("NoAction"), "onUpdate"), arg(S("fk"), "map")),
        ),
    ],
)
def test_field_attributes(line: str, expected: Attribute) -> None:
    assert attribute_of(line) == expected


# --- defaults -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("now()", fn("now")),
        ("autoincrement()", fn("autoincrement")),
        ("uuid()", fn("uuid")),
        ("uuid(7)", fn("uuid", arg(N("7")))),
        ("cuid()", fn("cuid")),
        ("cuid(2)", fn("cuid", arg(N("2")))),
        ("nanoid()", fn("nanoid")),
        ("nanoid(10)", fn("nanoid", arg(N("10")))),
        ("ulid()", fn("ulid")),
        ("auto()", fn("auto")),
        ('dbgenerated("gen_random_uuid()")', fn("dbgenerated", arg(S("gen_random_uuid()")))),
        ("dbgenerated()", fn("dbgenerated")),
        ("sequence()", fn("sequence")),
        ("sequence(start: 10, increment: 5, maxValue: 100, cache: 3, virtual: true)",
         fn("sequence", arg(N("10"), "start"), arg(N("5"), "increment"),
            arg(N("100"), "maxValue"), arg(N("3"), "cache"), arg(B(True), "virtual"))),
        ("0", N("0")),
        ("-1", N("-1")),
        ("-12.50", N("-12.50")),
        ("3.14159", N("3.14159")),
        ("true", B(True)),
        ("false", B(False)),
        ('""', S("")),
        ('"hello"', S("hello")),
        ("USER", C("USER")),
        ("[]", arr()),
        ('["a", "b"]', arr(S("a"), S("b"))),
        ('["a", "b",]', arr(S("a"), S("b"))),
        ("[USER, ADMIN]", arr(C("USER"), C("ADMIN"))),
        ("[USER]", arr(C("USER"))),
        ("[1, -2, 3.5]", arr(N("1"), N("-2"), N("3.5"))),
        ("[true, false]", arr(B(True), B(False))),
    ],
)
def test_default_values(written: str, value: Any) -> None:
    assert attribute_of(f"  a T @default({written})") == A("default", arg(value))


def test_a_named_default_map() -> None:
    assert attribute_of('  a Int @default(0, map: "df")') == A(
        "default", arg(N("0")), arg(S("df"), "map")
    )


def test_a_raw_tab_inside_a_string_is_kept() -> None:
    assert attribute_of('  a String @default("a\tb")') == A("default", arg(S("a\tb")))


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r'"say \"hi\""', 'say "hi"'),
        (r'"back\\slash"', "back\\slash"),
        (r'"line\nbreak"', "line\nbreak"),
        (r'"tab\there"', "tab\there"),
        (r'"cr\r"', "cr\r"),
        (r'"\u00e9t\u00E9"', "été"),
        (r'"\ud83d\ude00"', "\U0001f600"),
        (r'"a\/b"', "a/b"),
        ('"é — 日本"', "é — 日本"),
        ('"// not a comment"', "// not a comment"),
        ('"/// nor a doc"', "/// nor a doc"),
        ('"@id { } ( ) [ ]"', "@id { } ( ) [ ]"),
    ],
)
def test_string_escapes(literal: str, value: str) -> None:
    assert attribute_of(f"  a String @default({literal})") == A("default", arg(S(value)))


# --- block attributes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("@@id([a, b])", A("id", arg(arr(C("a"), C("b"))), block=True)),
        ('@@id(fields: [a, b], name: "pk", map: "m_pkey")',
         A("id", arg(arr(C("a"), C("b")), "fields"), arg(S("pk"), "name"), arg(S("m_pkey"), "map"),
           block=True)),
        ('@@unique([a, b], name: "ab", map: "m_ab_key")',
         A("unique", arg(arr(C("a"), C("b"))), arg(S("ab"), "name"), arg(S("m_ab_key"), "map"),
           block=True)),
        ("@@index([a])", A("index", arg(arr(C("a"))), block=True)),
        ("@@index(a)", A("index", arg(C("a")), block=True)),
        ("@@index([a], type: Hash)",
         A("index", arg(arr(C("a"))), arg(C("Hash"), "type"), block=True)),
        ('@@index([a], map: "ix", clustered: true)',
         A("index", arg(arr(C("a"))), arg(S("ix"), "map"), arg(B(True), "clustered"),
           block=True)),
        ('@@index([title(sort: Desc), b(ops: raw("gin_trgm_ops"))], type: Gin)',
         A("index", arg(arr(fn("title", arg(C("Desc"), "sort")),
                             fn("b", arg(fn("raw", arg(S("gin_trgm_ops"))), "ops")))),
           arg(C("Gin"), "type"), block=True)),
        ("@@index([tags(ops: ArrayOps)], type: Gin)",
         A("index", arg(arr(fn("tags", arg(C("ArrayOps"), "ops")))), arg(C("Gin"), "type"),
           block=True)),
        ("@@index([a(sort: Asc, length: 10)])",
         A("index", arg(arr(fn("a", arg(C("Asc"), "sort"), arg(N("10"), "length")))),
           block=True)),
        ('@@index([a], where: raw("deleted_at IS NULL"))',
         A("index", arg(arr(C("a"))), arg(fn("raw", arg(S("deleted_at IS NULL"))), "where"),
           block=True)),
        ('@@map("items")', A("map", arg(S("items")), block=True)),
        ('@@map(name: "items")', A("map", arg(S("items"), "name"), block=True)),
        ("@@ignore", A("ignore", block=True)),
        ('@@schema("auth")', A("schema", arg(S("auth")), block=True)),
        ("@@fulltext([title, body])", A("fulltext", arg(arr(C("title"), C("body"))), block=True)),
        ("@@shardKey([region])", A("shardKey", arg(arr(C("region"))), block=True)),
    ],
)
def test_block_attributes(line: str, expected: Attribute) -> None:
    assert block_attribute_of(line) == expected


def test_attribute_lookup_helpers() -> None:
    model = model_of('  a Int\n  b Int\n  @@index([a])\n  @@index([b])\n  @@map("m")')
    assert [bare(a) for a in model.attributes_named("index")] == [
        A("index", arg(arr(C("a"))), block=True), A("index", arg(arr(C("b"))), block=True)
    ]
    map_attribute = model.attribute("map")
    assert map_attribute is not None
    assert bare(map_attribute.argument("name")) == S("m")
    assert list_items(C("a")) == (C("a"),)
    assert list_items(arr(C("a"), C("b"))) == (C("a"), C("b"))
    assert list_items(None) == ()


def test_attributes_spanning_lines_inside_brackets() -> None:
    model = model_of(
        "  tags String[] @default([\n"
        '    "a", // the first\n'
        '    "b"\n'
        "  ])\n"
        "  author User @relation(\n"
        "    fields: [authorId],\n"
        "    references: [id]\n"
        "  )\n"
        "  @@index(\n"
        "    [tags, author],\n"
        '    map: "ix"\n'
        "  )\n"
        "  after Int"
    )
    assert [f.name for f in model.fields] == ["tags", "author", "after"]
    assert bare(model.fields[0].attributes) == (A("default", arg(arr(S("a"), S("b")))),)
    assert bare(model.fields[1].attributes) == (
        A("relation", arg(arr(C("authorId")), "fields"), arg(arr(C("id")), "references")),
    )
    assert bare(model.attributes) == (
        A("index", arg(arr(C("tags"), C("author"))), arg(S("ix"), "map"), block=True),
    )
    assert model.fields[2].position == P(14, 3)


# --- comments and documentation -----------------------------------------------------------


def test_doc_comments_attach_to_the_next_declaration() -> None:
    schema = parse_schema(
        "/// A user.\n"
        "///   Indented second line, trailing spaces kept  \n"
        "// a plain comment is no documentation\n"
        "model User {\n"
        "  /// The key.\n"
        "  id Int @id /// and a trailing doc\n"
        "  // plain\n"
        "  name String // plain trailing\n"
        "  /// before a blank line\n"
        "\n"
        "  email String\n"
        "  /// above a block attribute, replaced by the next doc block\n"
        '  @@map("users")\n'
        "  ////four slashes\n"
        "  ///\n"
        "  age Int\n"
        "  /// dropped: no field follows\n"
        "}\n"
        "\n"
        "/// Roles.\n"
        "enum Role {\n"
        "  /// Plain users.\n"
        "  USER\n"
        "  ADMIN /// trailing\n"
        "}\n"
    )
    user = schema.models[0]
    assert user.documentation == "A user.\nIndented second line, trailing spaces kept  "
    assert [f.documentation for f in user.fields] == [
        "The key.\nand a trailing doc", None, "before a blank line",
        "/four slashes\n",
    ]
    role = schema.enums[0]
    assert role.documentation == "Roles."
    assert [v.documentation for v in role.values] == ["Plain users.", "trailing"]


def test_the_last_doc_block_before_a_declaration_documents_it() -> None:
    """What Prisma's DMMF says for the same text (checked with the prisma-oracle)."""
    schema = parse_schema(
        "/// top a\n\n/// top b\nmodel A {\n"
        "  id Int @id\n"
        "  /// a\n\n  /// b\n  b Int\n"
        "  /// c\n  // plain\n  /// d\n  c Int\n"
        '  /// e\n  @@map("x")\n  /// f\n  d Int\n'
        "}\n"
        '/// e1\n\n/// e2\nenum E {\n  /// v1\n  @@map("e")\n  X\n}\n'
    )
    model = schema.models[0]
    assert model.documentation == "top b"
    assert [(f.name, f.documentation) for f in model.fields] == [
        ("id", None), ("b", "b"), ("c", "c\nd"), ("d", "f")
    ]
    assert schema.enums[0].documentation == "e2"
    assert schema.enums[0].values[0].documentation == "v1"


def test_comments_everywhere() -> None:
    schema = parse_schema(
        "// header\n"
        "model M { // opening\n"
        "  id Int @id // after\n"
        "  // alone\n"
        "  @@map(\"m\") // after a block attribute\n"
        "} // closing\n"
        "// the end, without a line break"
    )
    assert bare(schema.models[0].fields) == (Field("id", FieldType("Int"), (A("id"),)),)
    assert bare(schema.models[0].attributes) == (A("map", arg(S("m")), block=True),)


# --- enums, views, composite types --------------------------------------------------------


def test_enum_with_mapped_values_and_block_attributes() -> None:
    schema = parse_schema(
        'enum Role {\n  USER @map("user")\n  ADMIN\n\n  @@map("roles")\n  @@schema("auth")\n}\n'
    )
    assert schema.enums == (
        EnumDecl(
            name="Role",
            values=(
                EnumValue("USER", (Attribute("map", (Argument(None, S("user", P(2, 13)),
                                                              P(2, 13)),), P(2, 8)),),
                          position=P(2, 3)),
                EnumValue("ADMIN", position=P(3, 3)),
            ),
            attributes=(
                Attribute("map", (Argument(None, S("roles", P(5, 9)), P(5, 9)),), P(5, 3), True),
                Attribute("schema", (Argument(None, S("auth", P(6, 12)), P(6, 12)),), P(6, 3),
                          True),
            ),
            position=P(1, 1),
        ),
    )
    assert bare(schema.enum("Role")) == bare(schema.enums[0])


def test_views_and_composite_types_are_models_of_their_kind() -> None:
    schema = parse_schema(
        "view Stats {\n  id Int @unique\n}\n"
        "type Address {\n  street String\n  zip String?\n}\n"
        "model User {\n  id Int @id\n  home Address?\n}\n"
    )
    assert [(m.name, m.kind) for m in schema.models] == [
        ("Stats", "view"), ("Address", "type"), ("User", "model")
    ]
    address = schema.model("Address")
    assert address is not None
    assert bare(address.fields) == (
        Field("street", FieldType("String")), Field("zip", FieldType("String", optional=True))
    )


def test_declaration_order_is_kept_across_kinds() -> None:
    schema = parse_schema(
        "enum B {\n  X\n}\nmodel Z {\n  id Int\n}\nenum A {\n  Y\n}\nmodel Y {\n  id Int\n}\n"
    )
    assert [m.name for m in schema.models] == ["Z", "Y"]
    assert [e.name for e in schema.enums] == ["B", "A"]


def test_an_empty_schema_and_empty_blocks() -> None:
    assert parse_schema("") == PrismaSchema(files=("schema.prisma",))
    assert parse_schema("\n\n  // nothing\n") == PrismaSchema(files=("schema.prisma",))
    schema = parse_schema("model M {\n}\nenum E {}\ngenerator g {}\n")
    assert bare(schema.models) == (Model("M"),)
    assert bare(schema.enums) == (EnumDecl("E"),)
    assert bare(schema.generators) == (ConfigBlock("generator", "g"),)


def test_a_byte_order_mark_and_windows_line_breaks_are_whitespace() -> None:
    schema = parse_schema("\ufeffmodel M {\r\n  id Int\r\n}")
    assert bare(schema.models) == (Model("M", (Field("id", FieldType("Int")),)),)


# --- several files ------------------------------------------------------------------------


def test_parse_files_merges_declarations_and_keeps_file_names() -> None:
    schema = parse_files({
        "schema.prisma": 'datasource db {\n  provider = "sqlite"\n}\n',
        "models/user.prisma": "model User {\n  id Int @id\n  role Role\n}\n",
        "models/enums.prisma": "enum Role {\n  USER\n}\n",
    })
    assert schema.files == ("schema.prisma", "models/user.prisma", "models/enums.prisma")
    assert [m.name for m in schema.models] == ["User"]
    assert schema.models[0].position == P(1, 1, "models/user.prisma")
    assert schema.models[0].fields[1].position == P(3, 3, "models/user.prisma")
    assert schema.enums[0].position == P(1, 1, "models/enums.prisma")
    assert schema.datasources[0].position == P(1, 1, "schema.prisma")


def test_duplicates_across_files_name_both_places() -> None:
    with pytest.raises(SchemaError) as caught:
        parse_files({"a.prisma": "model User {\n  id Int\n}\n",
                     "b.prisma": "\nenum User {\n  X\n}\n"})
    assert str(caught.value) == (
        "b.prisma:2:1: enum 'User' is already defined as a model at a.prisma:1:1"
    )


def test_load_schema_of_a_file_and_of_a_folder(tmp_path: Path) -> None:
    single = tmp_path / "schema.prisma"
    single.write_text("model One {\n  id Int\n}\n")
    assert [m.name for m in load_schema(single).models] == ["One"]
    assert load_schema(str(single)).files == (str(single),)

    folder = tmp_path / "prisma"
    (folder / "models" / "deep").mkdir(parents=True)
    (folder / "schema.prisma").write_text('datasource db {\n  provider = "postgresql"\n}\n')
    (folder / "models" / "b.prisma").write_text("model B {\n  id Int\n}\n")
    (folder / "models" / "a.prisma").write_text("model A {\n  id Int\n}\n")
    (folder / "models" / "deep" / "c.prisma").write_text("enum C {\n  X\n}\n")
    (folder / "models" / "notes.txt").write_text("model Nope {")
    schema = load_schema(folder)
    assert schema.files == (
        "models/a.prisma", "models/b.prisma", "models/deep/c.prisma", "schema.prisma"
    )
    assert [m.name for m in schema.models] == ["A", "B"]
    assert schema.models[1].position == P(1, 1, "models/b.prisma")
    assert [e.name for e in schema.enums] == ["C"]
    assert len(schema.datasources) == 1


def test_load_schema_errors(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="does not exist"):
        load_schema(tmp_path / "missing.prisma")
    with pytest.raises(SchemaError, match=r"no \.prisma file below"):
        load_schema(tmp_path)
    with pytest.raises(SchemaError, match="does not exist"):
        load_schema("nul\x00in the path")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "schema.prisma").write_text("model M {\n  id Int\n}\n")
    (locked / "schema.prisma").chmod(0)
    if not os.access(locked / "schema.prisma", os.R_OK):  # root reads anything
        with pytest.raises(SchemaError, match="cannot read: Permission denied"):
            load_schema(locked)
    bad = tmp_path / "latin1.prisma"
    bad.write_bytes(b"model M {\n  caf\xe9 Int\n}\n")
    with pytest.raises(SchemaError) as caught:
        load_schema(bad)
    assert str(caught.value) == f"{bad}: not UTF-8 text (byte 15)"


# --- errors, with their exact place -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("model User {\n  id Int @id\n  name\n}\n",
         "schema.prisma:3:7: unexpected end of line (expected a field type)"),
        ("model User {\n  id Int @id\n    id }\n",
         "schema.prisma:3:8: unexpected '}' (expected a field type)"),
        ("model User {\n  id Int @id\n",
         "schema.prisma:1:1: model 'User' is not closed (expected '}' before the end of file "
         "at line 3)"),
        ("enum Role {\n  USER\n\nmodel User {\n  id Int\n}\n",
         "schema.prisma:1:1: enum 'Role' is not closed (expected '}' before the 'model' at "
         "line 4)"),
        ("model A {\n  id Int\n\nmodel B {\n  id Int\n}\n",
         "schema.prisma:1:1: model 'A' is not closed (expected '}' before the 'model' at line 4)"),
        ('datasource db {\n  provider = "sqlite"\n',
         "schema.prisma:1:1: datasource 'db' is not closed (expected '}' before the end of "
         "file at line 3)"),
        ("modle User {\n}\n",
         "schema.prisma:1:1: unknown block type 'modle' (expected one of model, view, enum, "
         "type, datasource, generator)"),
        ("\n  }\n",
         "schema.prisma:2:3: unexpected '}' (expected one of model, view, enum, type, "
         "datasource, generator)"),
        ("model {\n}\n", "schema.prisma:1:7: unexpected '{' (expected a name for the model)"),
        ("model User\n{\n}\n", "schema.prisma:1:11: unexpected end of line (expected '{')"),
        ("type Id = String\n", "schema.prisma:1:9: unexpected '=' (expected '{')"),
        ("model A {\n  id Int\n}\nmodel A {\n  id Int\n}\n",
         "schema.prisma:4:1: model 'A' is already defined as a model at schema.prisma:1:1"),
        ("model A {\n  id Int\n}\nview A {\n  id Int\n}\n",
         "schema.prisma:4:1: view 'A' is already defined as a model at schema.prisma:1:1"),
        ("enum A {\n  X\n}\ntype A {\n  id Int\n}\n",
         "schema.prisma:4:1: composite type 'A' is already defined as an enum at "
         "schema.prisma:1:1"),
        ("enum E {\n  X\n}\nenum E {\n  Y\n}\n",
         "schema.prisma:4:1: enum 'E' is already defined as an enum at schema.prisma:1:1"),
        ('datasource a {\n  provider = "sqlite"\n}\ndatasource b {\n  provider = "sqlite"\n}\n',
         "schema.prisma:4:1: a second datasource 'b'; a schema has one datasource (the first "
         "is at schema.prisma:1:1)"),
        ("generator a {\n}\ngenerator b {\n}\ngenerator a {\n}\n",
         "schema.prisma:5:1: generator 'a' is already defined (the first is at "
         "schema.prisma:1:1)"),
        ("model A {\n  id Int\n  id String\n}\n",
         "schema.prisma:3:3: field 'id' is already defined in model 'A' (expected a field name "
         "used once)"),
        ("enum E {\n  X\n  X\n}\n",
         "schema.prisma:3:3: value 'X' is already defined in enum 'E' (expected a value name "
         "used once)"),
        ("model A {\n  id Int @default(\n}\n",
         "schema.prisma:2:18: '(' is not closed (expected ')' before the '}' at line 3)"),
        ("model A {\n  id Int @default(1\n}\n",
         "schema.prisma:2:18: '(' is not closed (expected ')' before the '}' at line 3)"),
        ("model A {\n  a String[] @default([\n    \"x\",\n",
         "schema.prisma:2:23: '[' is not closed (expected ']' before the end of file at line 4)"),
        ("model A {\n  a String[] @default([\"x\" }\n",
         "schema.prisma:2:23: '[' is not closed (expected ']' before the '}' at line 2)"),
        ("model A {\n  id Int @default(x:\n}\n",
         "schema.prisma:3:1: unexpected '}' (expected a value)"),
        ("model A {\n  id Int @default([1 2])\n}\n",
         "schema.prisma:2:22: unexpected '2' (expected ',' or ']')"),
        ('model A {\n  id String @default("abc)\n}\n',
         "schema.prisma:2:22: unterminated string (expected a closing '\"' on the same line)"),
        ('model A {\n  id String @default("a\\qb")\n}\n',
         "schema.prisma:2:24: unknown escape sequence '\\q' in a string (expected one of \\\" "
         "\\\\ \\/ \\n \\r \\t \\b \\f \\0 \\uXXXX)"),
        ('model A {\n  id String @default("a\x01b")\n}\n',
         "schema.prisma:2:24: control character '\\x01' inside a string"),
        ("model A {\n  id Int @ id\n}\n",
         "schema.prisma:2:10: unexpected '@' (expected an attribute name right after '@')"),
        ("model A {\n  id Int # comment\n}\n", "schema.prisma:2:10: unexpected character '#'"),
        ("model A {\n  id Int[]?\n}\n",
         "schema.prisma:2:11: a list field cannot be optional (expected a field attribute or a "
         "line break)"),
        ("model A {\n  id Int @id @@map(\"a\")\n}\n",
         "schema.prisma:2:14: unexpected '@@map' (expected a field attribute or a line break)"),
        ("model A {\n  id Int @id\n  \"x\"\n}\n",
         "schema.prisma:3:3: unexpected string (expected a field name, a block attribute or "
         "'}' to close the model)"),
        ("model A {\n  id Int\n}}\n",
         "schema.prisma:3:2: unexpected '}' (expected one of model, view, enum, type, "
         "datasource, generator)"),
        ('datasource db {\n  provider "sqlite"\n}\n',
         "schema.prisma:2:12: unexpected string (expected '=')"),
        ('datasource db {\n  provider = \n}\n',
         "schema.prisma:1:1: Property provider in datasource db needs to be assigned a value "
         "(expected a value after '=')"),
        ("enum E {\n  X Y\n}\n",
         "schema.prisma:2:5: unexpected 'Y' (expected an attribute or a line break after the "
         "enum value)"),
        ('model A {\n  a Unsupported(42)\n}\n',
         "schema.prisma:2:17: unexpected '42' (expected a string: Unsupported(\"type\"))"),
        ("model A {\n  a Int @default(" + "[" * 70 + "]" * 70 + ")\n}\n",
         "schema.prisma:2:81: nesting too deep (expected at most 64 nested brackets)"),
    ],
)
def test_errors_say_where_and_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(SchemaError) as caught:
        parse_schema(text)
    assert str(caught.value) == message


def test_an_error_carries_file_line_column_and_expectation() -> None:
    with pytest.raises(SchemaError) as caught:
        parse_files({"models/user.prisma": "model User {\n  id Int @id\n  name\n}\n"})
    error = caught.value
    assert (error.file, error.line, error.column, error.expected) == (
        "models/user.prisma", 3, 7, "a field type"
    )
    assert error.message == "unexpected end of line"


# --- real-world schemas and speed ---------------------------------------------------------


@pytest.mark.parametrize(("project", "models", "enums"),
                         [("inbox-zero", 73, 43), ("langfuse", 71, 32), ("umami", 17, 0)])
def test_real_world_schemas_parse(shared_dir: Path, project: str, models: int, enums: int) -> None:
    schema = load_schema(shared_dir / "fixtures" / "real-world" / project / "schema.prisma")
    assert (len(schema.models), len(schema.enums)) == (models, enums)
    assert len(schema.datasources) == 1


def written_at(node: Any) -> str:
    """What the source must show at ``node.position``."""
    if isinstance(node, Model):
        return node.kind
    if isinstance(node, EnumDecl):
        return "enum"
    if isinstance(node, ConfigBlock):
        return node.kind
    if isinstance(node, Attribute):
        return ("@@" if node.block else "@") + node.name
    if isinstance(node, Argument):
        return node.name if node.name is not None else written_at(node.value)
    if isinstance(node, StringValue):
        return '"'
    if isinstance(node, NumberValue):
        return node.text
    if isinstance(node, BooleanValue):
        return "true" if node.value else "false"
    if isinstance(node, ArrayValue):
        return "["
    assert isinstance(node, Field | EnumValue | ConstantValue | FunctionValue)
    return str(node.name)


def every_node(node: Any) -> list[Any]:
    found = []
    if isinstance(node, tuple):
        for item in node:
            found.extend(every_node(item))
    elif dataclasses.is_dataclass(node) and not isinstance(node, Position | FieldType):
        if hasattr(node, "position"):
            found.append(node)
        for field in dataclasses.fields(node):
            found.extend(every_node(getattr(node, field.name)))
    return found


@pytest.mark.parametrize("project", ["inbox-zero", "langfuse", "umami"])
def test_every_position_points_at_its_node_in_the_source(shared_dir: Path, project: str) -> None:
    path = shared_dir / "fixtures" / "real-world" / project / "schema.prisma"
    lines = path.read_text().splitlines()
    schema = load_schema(path)
    nodes = every_node((schema.models, schema.enums, schema.datasources, schema.generators))
    assert len(nodes) > 1000
    for node in nodes:
        position = node.position
        assert position is not None and position.file == str(path)
        line = lines[position.line - 1]
        assert line[position.column - 1:].startswith(written_at(node)), (node, line)


def generated_schema(models: int) -> str:
    """``models`` models of 18 fields each (scalar, mapped, native-typed, a relation)."""
    parts = ['datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n']
    for i in range(models):
        parts.append(f"/// Model {i}\nmodel M{i} {{\n  id String @id @default(uuid()) @db.Uuid\n")
        parts.extend(f'  f{j} String? @map("f_{j}") @db.VarChar(255)\n' for j in range(13))
        parts.append('  createdAt DateTime @default(now()) @map("created_at") @db.Timestamptz(6)\n'
                     "  count Int @default(0)\n  parentId String? @db.Uuid\n"
                     f'  parent M{max(i - 1, 0)}? @relation("r{i}", fields: [parentId], '
                     "references: [id], onDelete: Cascade)\n"
                     f'  @@index([f0, f1(sort: Desc)], type: BTree)\n  @@map("m_{i}")\n}}\n\n')
    return "".join(parts)


def test_parsing_two_thousand_models_is_fast() -> None:
    """Prints the time (wall and CPU, best of 3); asserts only the result, since the machine
    running the suite may be shared."""
    text = generated_schema(2000)
    walls, cpus = [], []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        schema = parse_schema(text)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    fields = sum(len(model.fields) for model in schema.models)
    assert (len(schema.models), fields) == (2000, 36000)
    print(f"\nparsed 2,000 models / {fields} fields / {len(text):,} bytes: "
          f"{min(walls):.3f}s wall, {min(cpus):.3f}s CPU (best of 3)")


def test_a_parsed_position_reads_equals_hashes_and_pickles_as_its_place() -> None:
    field = model_of("  id   Int @id", "User").fields[0]
    position = field.position
    assert position is not None
    assert (position.file, position.line, position.column) == ("schema.prisma", 2, 3)
    assert position == P(2, 3) and P(2, 3) == position and position != P(2, 4)
    assert hash(position) == hash(P(2, 3)) and {position, P(2, 3)} == {P(2, 3)}
    assert repr(position) == "Position(file='schema.prisma', line=2, column=3)"
    copy = pickle.loads(pickle.dumps(field))  # carries the place, not the tokens
    assert copy == field and copy.position is not None and len(copy.position) == 3
    assert position != ("schema.prisma", 2, 3)  # a Position is not any tuple


def test_a_field_keeps_its_spelling_after_its_name_which_its_value_ignores() -> None:
    model = model_of('  a Int @id @default(autoincrement()) /// the key\n'
                     '  b String? @db.VarChar(9) @map(\n    "bee")\n'
                     '  c Int')
    assert [field.spelling for field in model.fields] == [
        ("Int", "@id", "@default", "(", "autoincrement", "(", ")", ")"),
        ("String", "?", "@db.VarChar", "(", "9", ")", "@map", "(", "\n", '"bee"', ")"),
        ("Int",),
    ]
    a = model.fields[0]
    assert dataclasses.replace(a, spelling=None) == a
    assert hash(dataclasses.replace(a, spelling=None)) == hash(a)
    assert Field("c", FieldType("Int")).spelling is None


NODES = (StringValue, NumberValue, BooleanValue, ConstantValue, FunctionValue, ArrayValue,
         Argument, Attribute, FieldType, Field, Model, EnumValue, EnumDecl, ConfigBlock)


@pytest.mark.parametrize("node", NODES, ids=lambda node: node.__name__)
def test_syntax_tree_nodes_build_as_their_dataclass_declares_and_stay_frozen(node: type) -> None:
    """The nodes' __init__ is generated for speed (ast._fast_init): it takes every field,
    positionally or by name, with the declared defaults, and the node stays frozen."""
    declared = dataclasses.fields(node)
    values = {f.name: f"value of {f.name}" for f in declared}
    by_name = node(**values)
    by_position = node(*values.values())
    assert {f.name: getattr(by_name, f.name) for f in declared} == values
    assert by_position == by_name and hash(by_position) == hash(by_name)
    required = {f.name: values[f.name] for f in declared
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    defaulted = node(**required)
    for f in declared:
        assert getattr(defaulted, f.name) == (values[f.name] if f.name in required else f.default)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(by_name, declared[0].name, "changed")
    assert pickle.loads(pickle.dumps(by_name)) == by_name
    with pytest.raises(TypeError):
        node(*values.values(), "one too many")


def test_a_line_repeated_is_rebuilt_as_parsing_it_would(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past grammar.REPLAY_AFTER occurrences a field line after its name is rebuilt by a
    compiled builder (prisma/replay.py): the same nodes at the same places as parsing gives."""
    lines = [
        'a String @default("tab\\there \\"q\\" \\u00e9") @map("x_y")',
        "b Int @id @default(autoincrement())",
        "c Decimal @default(-1.5) @db.Decimal(12, 2)",
        "d Boolean? @default(false)",
        "e Role[] @default([USER, ADMIN])",
        'f Json @default("{}") @ignore',
        "g M @relation(\"r\", fields: [b], references: [b], onDelete: SetNull)",
        'h Unsupported("circle")? @default(dbgenerated("point(1, 2)"))',
        "i String /// documented at the end of its line",
    ]
    body = "".join(f"  {line}\n" for line in lines)
    text = "".join(f"model M{n} {{\n  /// doc\n{body}}}\n" for n in range(6))
    compiled = []
    real_builder = grammar.field_builder
    monkeypatch.setattr(grammar, "field_builder",
                        lambda *args: compiled.append(args[0].name) or real_builder(*args))
    replayed = parse_schema(text)
    assert compiled == [line.split()[0] for line in lines[:-1]]  # not the documented one
    monkeypatch.setattr(grammar, "REPLAY_AFTER", 10**9)
    parsed = parse_schema(text)
    assert replayed == parsed
    for model, parsed_model in zip(replayed.models, parsed.models, strict=True):
        for field, parsed_field in zip(model.fields, parsed_model.fields, strict=True):
            assert repr(field) == repr(parsed_field)  # every position, resolved
            assert field.spelling == parsed_field.spelling
    last = replayed.models[-1].fields[0]  # replayed: the line's sixth time
    line = 5 * (len(lines) + 3) + 3
    assert text.splitlines()[line - 1] == "  " + lines[0]
    assert last.position == P(line, 3)
    assert last.attributes[1].position == P(line, 3 + lines[0].index("@map"))
    assert last.attributes[0].arguments[0].value == StringValue('tab\there "q" \u00e9', P(line, 21))
    assert last.documentation == "doc"
