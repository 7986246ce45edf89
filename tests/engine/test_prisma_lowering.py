# ruff: noqa: E501  (expected names and DDL-like schema lines read best unwrapped)
"""Lowering: each Prisma convention gives the exact Table/Column/Index/ForeignKey Prisma creates.

The expected values were checked against ``prisma-oracle ddl`` applied to PostgreSQL/SQLite and
read back from the catalog (pg_get_expr, format_type); test_prisma_lowering_oracle.py keeps
that agreement tested.
"""

from __future__ import annotations

import dataclasses

import pytest

from audits.engine.errors import SchemaError
from audits.engine.model import Column, Enum, ForeignKey, Index, PrimaryKey, Schema, Table
from audits.engine.prisma import ast
from audits.engine.prisma.lowering import lower
from audits.engine.prisma.lowering.names import pg_quote_ident, truncate
from audits.engine.prisma.parser import parse_files, parse_schema

PG = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
SQLITE = 'datasource db {\n  provider = "sqlite"\n  url = "file:./dev.db"\n}\n'


def lowered(body: str, header: str = PG) -> Schema:
    return lower(parse_schema(header + body))


def table(schema: Schema, name: str, namespace: str = "public") -> Table:
    found = schema.table(name, namespace)
    assert found is not None, [t.name for t in schema.tables]
    return found


def column(schema: Schema, table_name: str, name: str) -> Column:
    found = table(schema, table_name).column(name)
    assert found is not None
    return found


# --- tables and columns ---------------------------------------------------------------------


def test_model_with_map_and_field_map_gives_mapped_names_and_prisma_names() -> None:
    schema = lowered(
        'model User {\n  id Int @id\n  name String? @map("full_name")\n  @@map("users")\n}\n'
    )
    assert schema.dialect == "postgresql"
    assert schema.namespaces == ("public",)
    assert schema.tables == (
        Table(
            name="users",
            schema="public",
            columns=(
                Column("id", "integer", nullable=False, field="id"),
                Column("full_name", "text", nullable=True, field="name"),
            ),
            primary_key=PrimaryKey(("id",), "users_pkey"),
            model="User",
        ),
    )


@pytest.mark.parametrize(
    ("prisma_type", "sql"),
    [
        ("String", "text"),
        ("Int", "integer"),
        ("BigInt", "bigint"),
        ("Float", "double precision"),
        ("Decimal", "numeric(65,30)"),
        ("Boolean", "boolean"),
        ("DateTime", "timestamp(3) without time zone"),
        ("Json", "jsonb"),
        ("Bytes", "bytea"),
    ],
)
def test_scalar_default_types(prisma_type: str, sql: str) -> None:
    schema = lowered(f"model T {{\n  id Int @id\n  v {prisma_type}\n}}\n")
    assert column(schema, "T", "v") == Column("v", sql, nullable=False, field="v")


@pytest.mark.parametrize(
    ("field", "sql"),
    [
        ("String @db.VarChar(200)", "character varying(200)"),
        ("String @db.VarChar", "character varying"),
        ("String @db.Char(3)", "character(3)"),
        ("String @db.Char", "character(1)"),
        ("String @db.Text", "text"),
        ("String @db.Uuid", "uuid"),
        ("DateTime @db.Timestamptz(6)", "timestamp(6) with time zone"),
        ("DateTime @db.Timestamptz", "timestamp with time zone"),
        ("DateTime @db.Timestamp(0)", "timestamp(0) without time zone"),
        ("DateTime @db.Date", "date"),
        ("DateTime @db.Time(2)", "time(2) without time zone"),
        ("DateTime @db.Timetz(4)", "time(4) with time zone"),
        ("Decimal @db.Decimal(10, 2)", "numeric(10,2)"),
        ("Decimal @db.Decimal", "numeric"),
        ("Decimal @db.Money", "money"),
        ("Int @db.Integer", "integer"),
        ("Int @db.SmallInt", "smallint"),
        ("BigInt @db.BigInt", "bigint"),
        ("Float @db.Real", "real"),
        ("Float @db.DoublePrecision", "double precision"),
        ("Int @db.Oid", "oid"),
        ("String @db.Xml", "xml"),
        ("Json @db.Json", "json"),
        ("Json @db.JsonB", "jsonb"),
        ("String @db.Inet", "inet"),
        ("String @db.Bit(3)", "bit(3)"),
        ("String @db.Bit", "bit(1)"),
        ("String @db.VarBit(5)", "bit varying(5)"),
        ("String @db.VarBit", "bit varying"),
        ("Bytes @db.ByteA", "bytea"),
        ("String @db.Citext", "citext"),
        ("Boolean @db.Boolean", "boolean"),
        ('Unsupported("tsvector")?', "tsvector"),
        ("String[] @db.VarChar(5)", "character varying(5)[]"),
    ],
)
def test_postgresql_native_types(field: str, sql: str) -> None:
    schema = lowered(f"model T {{\n  id Int @id\n  v {field}\n}}\n")
    assert column(schema, "T", "v").type == sql


def test_lists_are_nullable_arrays_and_optional_fields_nullable() -> None:
    schema = lowered(
        'model T {\n  id Int @id\n  tags String[]\n  n Int?\n  u Unsupported("circle")[]\n}\n'
    )
    assert table(schema, "T").columns[1:] == (
        Column("tags", "text[]", nullable=True, field="tags"),
        Column("n", "integer", nullable=True, field="n"),
        Column("u", "circle[]", nullable=True, field="u"),
    )


def test_ignored_fields_and_models_are_still_created_but_views_and_composite_types_are_not() -> (
    None
):
    schema = lowered(
        "model T {\n  id Int @id\n  secret String @ignore\n}\n"
        "model Old {\n  id Int @id\n  @@ignore\n}\n"
        "view V {\n  id Int @unique\n}\n"
    )
    assert [t.name for t in schema.tables] == ["T", "Old"]
    assert column(schema, "T", "secret") == Column("secret", "text", nullable=False, field="secret")


# --- enums ----------------------------------------------------------------------------------


def test_enums_are_types_with_mapped_names_and_values() -> None:
    schema = lowered(
        'enum Role {\n  USER\n  ADMIN @map("admin")\n  @@map("role_t")\n}\n'
        "enum Kind {\n  A\n}\n"
        "model T {\n  id Int @id\n  role Role @default(ADMIN)\n  roles Role[] @default([USER])\n"
        "  kind Kind @default(A)\n  kinds Kind[] @default([])\n}\n"
    )
    assert schema.enums == (Enum("role_t", ("USER", "admin")), Enum("Kind", ("A",)))
    assert table(schema, "T").columns[1:] == (
        Column("role", "role_t", nullable=False, default="'admin'::role_t", field="role"),
        Column("roles", "role_t[]", nullable=True, default="ARRAY['USER'::role_t]", field="roles"),
        Column("kind", "Kind", nullable=False, default="'A'::\"Kind\"", field="kind"),
        Column("kinds", "Kind[]", nullable=True, default='ARRAY[]::"Kind"[]', field="kinds"),
    )


def test_enum_named_like_a_keyword_is_quoted_in_defaults() -> None:
    schema = lowered("enum user {\n  a\n}\nmodel T {\n  id Int @id\n  u user @default(a)\n}\n")
    assert column(schema, "T", "u").default == "'a'::\"user\""


# --- defaults -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "default"),
    [
        ("Int @default(autoincrement())", "autoincrement()"),
        ('String @default("it\'s")', "'it''s'::text"),
        ('String @default("x") @db.VarChar(20)', "'x'::character varying"),
        ('String @default("abc") @db.Char(3)', "'abc'::bpchar"),
        (
            'String @default("00000000-0000-0000-0000-000000000000") @db.Uuid',
            "'00000000-0000-0000-0000-000000000000'::uuid",
        ),
        ("Int @default(0)", "0"),
        ("Int @default(-5)", "'-5'::integer"),
        ("BigInt @default(10)", "10"),
        ("BigInt @default(3000000000)", "'3000000000'::bigint"),
        ("BigInt @default(-3000000000)", "'-3000000000'::bigint"),
        ("Float @default(1.25)", "1.25"),
        ("Float @default(-1)", "'-1'::integer"),
        ("Float @default(-1.5)", "'-1.5'::numeric"),
        ("Decimal @default(0.10)", "0.10"),
        ("Decimal @default(2.50) @db.Decimal(10, 2)", "2.50"),
        ("Boolean @default(false)", "false"),
        ("Boolean @default(true)", "true"),
        ("DateTime @default(now())", "CURRENT_TIMESTAMP"),
        ("DateTime @default(now()) @db.Date", "CURRENT_TIMESTAMP"),
        (
            'DateTime @default("2020-01-01T00:00:00Z")',
            "'2020-01-01 00:00:00'::timestamp without time zone",
        ),
        (
            'DateTime @default("2020-01-01T10:00:00.123+02:00") @db.Timestamptz(6)',
            "'2020-01-01 08:00:00.123+00'::timestamp with time zone",
        ),
        ('DateTime @default("2020-01-01T05:00:00+03:00") @db.Date', "'2020-01-01'::date"),
        (
            'DateTime @default("2020-01-01T05:06:07+03:00") @db.Time(0)',
            "'05:06:07'::time without time zone",
        ),
        (
            'DateTime @default("2020-01-01T05:06:07+05:30") @db.Timetz',
            "'05:06:07+05:30'::time with time zone",
        ),
        (
            'Json @default("{\\"bb\\": 1, \\"a\\": [true, null], \\"c\\": 1.50}")',
            '\'{"a": [true, null], "c": 1.50, "bb": 1}\'::jsonb',
        ),
        ('Json @default("[1, {\\"b\\": 2}]") @db.Json', "'[1, {\"b\": 2}]'::json"),
        ('Bytes @default("aGVsbG8=")', "'\\x68656c6c6f'::bytea"),
        ('String @default(dbgenerated("gen_random_uuid()")) @db.Uuid', "gen_random_uuid()"),
        ("String @default(uuid())", None),
        ("String @default(cuid())", None),
        ("String @default(nanoid())", None),
        ("String @default(ulid())", None),
        ("DateTime @updatedAt", None),
        ('String[] @default(["a", "b"])', "ARRAY['a'::text, 'b'::text]"),
        ("String[] @default([])", "ARRAY[]::text[]"),
        (
            "DateTime[] @default([])",
            "(ARRAY[]::timestamp without time zone[])::timestamp(3) without time zone[]",
        ),
        ("Decimal[] @default([])", "(ARRAY[]::numeric[])::numeric(65,30)[]"),
        ("String[] @default([]) @db.Char(3)", "(ARRAY[]::bpchar[])::character(3)[]"),
        ('String[] @default(["x"]) @db.VarChar(5)', "ARRAY['x'::character varying(5)]"),
        ("Int[] @default([1, 2])", "ARRAY[1, 2]"),
        ("BigInt[] @default([1])", "ARRAY[(1)::bigint]"),
        ("Float[] @default([1.5])", "ARRAY[(1.5)::double precision]"),
        ("Decimal[] @default([1.1])", "ARRAY[1.1::numeric(65,30)]"),
        ("Boolean[] @default([true])", "ARRAY[true]"),
        (
            'DateTime[] @default(["2020-01-01T00:00:00Z"])',
            "ARRAY['2020-01-01 00:00:00'::timestamp(3) without time zone]",
        ),
        ('Json[] @default(["{}"])', "ARRAY['{}'::jsonb]"),
    ],
)
def test_postgresql_defaults_as_the_catalog_reports_them(field: str, default: str | None) -> None:
    schema = lowered(f"model T {{\n  key Int @id\n  v {field}\n}}\n")
    assert column(schema, "T", "v").default == default


def test_autoincrement_follows_the_native_integer_type() -> None:
    schema = lowered(
        "model T {\n  id BigInt @id @default(autoincrement())\n"
        "  s Int @default(autoincrement()) @db.SmallInt\n}\n"
    )
    assert table(schema, "T").columns == (
        Column("id", "bigint", nullable=False, default="autoincrement()", field="id"),
        Column("s", "smallint", nullable=False, default="autoincrement()", field="s"),
    )


# --- keys and indexes -----------------------------------------------------------------------


def test_compound_id_unique_and_index_names_with_sort_ops_and_methods() -> None:
    schema = lowered(
        'model Post {\n  org String\n  code String\n  title String @map("the_title")\n'
        "  body String @unique\n  data Json\n  arr Int[]\n"
        '  @@id([org, code], map: "post_pk")\n'
        '  @@unique([title, body], name: "clientName")\n'
        '  @@index([title(ops: raw("text_pattern_ops")), body(sort: Desc)])\n'
        "  @@index([data(ops: JsonbPathOps)], type: Gin)\n"
        '  @@index([body], type: Hash, map: "hashy")\n'
        '  @@index([arr], name: "legacy_name", type: Gin)\n'
        "  @@index([code], type: Brin)\n"
        "}\n"
    )
    post = table(schema, "Post")
    assert post.primary_key == PrimaryKey(("org", "code"), "post_pk")
    assert post.indexes == (
        Index("Post_body_key", ("body",), unique=True),
        Index("Post_the_title_body_key", ("the_title", "body"), unique=True),
        Index(
            "Post_the_title_body_idx",
            ("the_title", "body"),
            orders=("ASC", "DESC"),
            opclasses=("text_pattern_ops", ""),
        ),
        Index("Post_data_idx", ("data",), method="gin", opclasses=("jsonb_path_ops",)),
        Index("hashy", ("body",), method="hash"),
        Index("legacy_name", ("arr",), method="gin"),
        Index("Post_code_idx", ("code",), method="brin"),
    )


def test_a_lone_field_counts_as_a_list_and_default_opclasses_are_left_out() -> None:
    schema = lowered(
        "model T {\n  id Int @id\n  tags String[]\n  data Json\n  n Int\n"
        "  @@index(n)\n  @@index([tags(ops: ArrayOps)], type: Gin)\n"
        '  @@index([data(ops: JsonbOps)], type: Gin)\n  @@index([n(ops: Int4MinMaxOps)], type: Brin, map: "b1")\n'
        '  @@index([n(ops: Int4MinMaxMultiOps)], type: Brin, map: "b2")\n}\n'
    )
    assert table(schema, "T").indexes == (
        Index("T_n_idx", ("n",)),
        Index("T_tags_idx", ("tags",), method="gin"),
        Index("T_data_idx", ("data",), method="gin"),
        Index("b1", ("n",), method="brin"),
        Index("b2", ("n",), method="brin", opclasses=("int4_minmax_multi_ops",)),
    )


def test_partial_indexes_keep_their_condition_without_enclosing_parentheses() -> None:
    schema = lowered(
        "model T {\n  id Int @id\n  e String\n  gone DateTime?\n"
        '  @@index([e], where: raw("(gone IS NULL)"))\n'
        "  @@unique([e], where: raw(\"e <> ''\"))\n}\n"
    )
    assert table(schema, "T").indexes == (
        Index("T_e_idx", ("e",), predicate="gone IS NULL"),
        Index("T_e_key", ("e",), unique=True, predicate="e <> ''"),
    )
    error = error_for('model T {\n  id Int @id\n  e String\n  @@index([e], where: "x")\n}\n')
    assert (error.line, error.column) == (8, 23)


def test_id_with_map_and_unique_with_map() -> None:
    schema = lowered('model T {\n  id Int @id(map: "pk_t")\n  e String @unique(map: "e_uq")\n}\n')
    assert table(schema, "T").primary_key == PrimaryKey(("id",), "pk_t")
    assert table(schema, "T").indexes == (Index("e_uq", ("e",), unique=True),)


def test_long_names_are_cut_to_63_bytes_keeping_the_suffix() -> None:
    long_model = "AVeryLongModelNameThatGoesOnAndOnAndOnForeverAndEver"
    schema = lowered(
        f"model {long_model} {{\n  id Int @id\n  aVeryLongFieldNameThatAlsoGoesOnAndOn Int\n"
        "  anotherVeryLongFieldNameThatAlsoGoesOn Int\n"
        "  @@unique([aVeryLongFieldNameThatAlsoGoesOnAndOn, anotherVeryLongFieldNameThatAlsoGoesOn])\n"
        "  @@index([aVeryLongFieldNameThatAlsoGoesOnAndOn])\n"
        f"  others {long_model}Other[]\n}}\n"
        f"model {long_model}Other {{\n  id Int @id\n  parents {long_model}[]\n}}\n"
    )
    main = table(schema, long_model)
    assert [index.name for index in main.indexes] == [
        "AVeryLongModelNameThatGoesOnAndOnAndOnForeverAndEver_aVeryL_key",
        "AVeryLongModelNameThatGoesOnAndOnAndOnForeverAndEver_aVeryL_idx",
    ]
    other = table(schema, f"{long_model}Other")
    assert other.primary_key == PrimaryKey(
        ("id",), "AVeryLongModelNameThatGoesOnAndOnAndOnForeverAndEverOther_pkey"
    )
    join = table(schema, "_AVeryLongModelNameThatGoesOnAndOnAndOnForeverAndEverToAVeryLon")
    assert join.primary_key == PrimaryKey(
        ("A", "B"), "_AVeryLongModelNameThatGoesOnAndOnAndOnForeverAndEverTo_AB_pkey"
    )
    assert [index.name for index in join.indexes] == [
        "_AVeryLongModelNameThatGoesOnAndOnAndOnForeverAndEverTo_B_index"
    ]
    assert [key.name for key in join.foreign_keys] == [
        "_AVeryLongModelNameThatGoesOnAndOnAndOnForeverAndEverToA_A_fkey",
        "_AVeryLongModelNameThatGoesOnAndOnAndOnForeverAndEverToA_B_fkey",
    ]


# --- relations ------------------------------------------------------------------------------

BLOG = """
model User {
  id    Int    @id @default(autoincrement())
  posts Post[]
  @@map("users")
}
model Post {
  id       String  @id @db.Uuid
  authorId Int     @map("author_id")
  author   User    @relation(fields: [authorId], references: [id])
  editorId Int?
  editor   User?   @relation("edits", fields: [editorId], references: [id], onUpdate: NoAction, map: "edit_fk")
  tags     Tag[]
}
model Tag {
  name  String @id
  posts Post[]
}
"""


def test_foreign_keys_with_prisma_default_actions_and_names() -> None:
    schema = lowered(
        BLOG.replace(
            "  posts Post[]\n  @@map", '  posts Post[]\n  edited Post[] @relation("edits")\n  @@map'
        )
    )
    assert table(schema, "Post").foreign_keys == (
        ForeignKey(
            "Post_author_id_fkey", ("author_id",), "users", ("id",), "public", "RESTRICT", "CASCADE"
        ),
        ForeignKey("edit_fk", ("editorId",), "users", ("id",), "public", "SET NULL", "NO ACTION"),
    )


def test_implicit_many_to_many_join_table() -> None:
    schema = lowered(
        BLOG.replace(
            "  posts Post[]\n  @@map", '  posts Post[]\n  edited Post[] @relation("edits")\n  @@map'
        )
    )
    assert table(schema, "_PostToTag") == Table(
        name="_PostToTag",
        columns=(Column("A", "uuid", nullable=False), Column("B", "text", nullable=False)),
        primary_key=PrimaryKey(("A", "B"), "_PostToTag_AB_pkey"),
        indexes=(Index("_PostToTag_B_index", ("B",)),),
        foreign_keys=(
            ForeignKey(
                "_PostToTag_A_fkey", ("A",), "Post", ("id",), "public", "CASCADE", "CASCADE"
            ),
            ForeignKey(
                "_PostToTag_B_fkey", ("B",), "Tag", ("name",), "public", "CASCADE", "CASCADE"
            ),
        ),
    )


def test_named_self_many_to_many_and_self_relation() -> None:
    schema = lowered(
        "model Person {\n  id Int @id\n"
        '  followers Person[] @relation("follows")\n  following Person[] @relation("follows")\n'
        "  parentId Int?\n"
        '  parent Person? @relation("tree", fields: [parentId], references: [id], onDelete: Cascade)\n'
        '  children Person[] @relation("tree")\n}\n'
    )
    assert [t.name for t in schema.tables] == ["Person", "_follows"]
    assert table(schema, "Person").foreign_keys == (
        ForeignKey(
            "Person_parentId_fkey", ("parentId",), "Person", ("id",), "public", "CASCADE", "CASCADE"
        ),
    )
    follows = table(schema, "_follows")
    assert follows.columns == (
        Column("A", "integer", nullable=False),
        Column("B", "integer", nullable=False),
    )
    assert [key.referenced_table for key in follows.foreign_keys] == ["Person", "Person"]


def test_relation_mode_prisma_creates_no_foreign_keys() -> None:
    header = PG.replace("}\n", '  relationMode = "prisma"\n}\n', 1)
    schema = lowered(BLOG, header)
    assert all(t.foreign_keys == () for t in schema.tables)
    assert table(schema, "_PostToTag").primary_key == PrimaryKey(("A", "B"), "_PostToTag_AB_pkey")


# --- multi-schema ---------------------------------------------------------------------------


def test_multi_schema_places_tables_enums_and_join_tables() -> None:
    header = PG.replace("}\n", '  schemas = ["zeta", "alpha"]\n}\n', 1)
    schema = lowered(
        'enum Kind {\n  A\n  @@schema("alpha")\n}\n'
        'model Zed {\n  id Int @id\n  kind Kind @default(A)\n  alphas Alpha[]\n  @@schema("zeta")\n}\n'
        "model Alpha {\n  id Int @id\n  zeds Zed[]\n  zedId Int\n"
        '  zed Zed @relation("one", fields: [zedId], references: [id])\n  @@schema("alpha")\n}\n'.replace(
            "  alphas Alpha[]\n", '  alphas Alpha[]\n  ones Alpha[] @relation("one")\n'
        ),
        header,
    )
    assert schema.namespaces == ("zeta", "alpha")
    assert schema.enums == (Enum("Kind", ("A",), "alpha"),)
    assert column_in(schema, "Zed", "zeta", "kind").default == "'A'::alpha.\"Kind\""
    assert table(schema, "Zed", "zeta").model == "Zed"
    assert table(schema, "_AlphaToZed", "alpha").foreign_keys[1].referenced_schema == "zeta"
    assert table(schema, "Alpha", "alpha").foreign_keys == (
        ForeignKey("Alpha_zedId_fkey", ("zedId",), "Zed", ("id",), "zeta", "RESTRICT", "CASCADE"),
    )


def column_in(schema: Schema, table_name: str, namespace: str, name: str) -> Column:
    found = table(schema, table_name, namespace).column(name)
    assert found is not None
    return found


# --- SQLite ---------------------------------------------------------------------------------


def test_sqlite_types_defaults_and_keys() -> None:
    schema = lowered(
        "enum Role {\n  USER\n}\n"
        "model User {\n  id Int @id @default(autoincrement())\n  email String @unique\n"
        "  role Role @default(USER)\n  at DateTime @default(now())\n  up DateTime @updatedAt\n"
        "  d Decimal @default(1.5)\n  b BigInt @default(-10)\n  f Float\n  j Json?\n  bo Boolean @default(false)\n"
        '  dt DateTime @default("2020-01-01T10:00:00.1+02:00")\n  by Bytes @default("aGVsbG8=")\n'
        '  s String @default("it\'s")\n  g String @default(dbgenerated("(lower(\'X\'))"))\n'
        "  posts Post[]\n}\n"
        "model Post {\n  id String @id @default(cuid())\n  userId Int\n"
        "  user User @relation(fields: [userId], references: [id])\n}\n"
        "model Pair {\n  a Int\n  b BigInt\n  @@id([a, b])\n}\n",
        SQLITE,
    )
    assert schema.dialect == "sqlite"
    assert schema.enums == ()
    user = table(schema, "User")
    assert [(c.name, c.type, c.nullable, c.default) for c in user.columns] == [
        ("id", "INTEGER", False, "autoincrement()"),
        ("email", "TEXT", False, None),
        ("role", "TEXT", False, "'USER'"),
        ("at", "DATETIME", False, "CURRENT_TIMESTAMP"),
        ("up", "DATETIME", False, None),
        ("d", "DECIMAL", False, "1.5"),
        ("b", "BIGINT", False, "-10"),
        ("f", "REAL", False, None),
        ("j", "JSONB", True, None),
        ("bo", "BOOLEAN", False, "false"),
        ("dt", "DATETIME", False, "'2020-01-01 10:00:00.100 +02:00'"),
        ("by", "BLOB", False, "'68656c6c6f'"),
        ("s", "TEXT", False, "'it''s'"),
        ("g", "TEXT", False, "lower('X')"),
    ]
    assert user.primary_key == PrimaryKey(("id",))
    assert user.indexes == (Index("User_email_key", ("email",), unique=True),)
    assert table(schema, "Post").foreign_keys == (
        ForeignKey(
            "Post_userId_fkey", ("userId",), "User", ("id",), "public", "RESTRICT", "CASCADE"
        ),
    )
    assert table(schema, "Pair").primary_key == PrimaryKey(("a", "b"))


def test_sqlite_lone_integer_id_is_autoincrement_even_without_the_default() -> None:
    schema = lowered(
        "model A {\n  id Int @id\n}\nmodel B {\n  id BigInt @id @default(autoincrement())\n}\n",
        SQLITE,
    )
    assert column(schema, "A", "id").default == "autoincrement()"
    assert column(schema, "B", "id").default is None


def test_sqlite_many_to_many_uses_the_unique_index_layout() -> None:
    schema = lowered(BLOG.replace(" @db.Uuid", ""), SQLITE)
    join = table(schema, "_PostToTag")
    assert join.primary_key is None
    assert join.indexes == (
        Index("_PostToTag_AB_unique", ("A", "B"), unique=True),
        Index("_PostToTag_B_index", ("B",)),
    )
    assert join.columns == (
        Column("A", "TEXT", nullable=False),
        Column("B", "TEXT", nullable=False),
    )


# --- errors ---------------------------------------------------------------------------------


def error_for(body: str, header: str = PG) -> SchemaError:
    with pytest.raises(SchemaError) as caught:
        lowered(body, header)
    return caught.value


def test_unknown_type_points_at_the_field() -> None:
    error = error_for("model T {\n  id Int @id\n  x Strng\n}\n")
    assert (error.file, error.line, error.column) == ("schema.prisma", 7, 3)
    assert "Strng" in error.message


def test_relation_to_unknown_model_points_at_the_field() -> None:
    error = error_for(
        "model T {\n  id Int @id\n  uId Int\n  u Usr @relation(fields: [uId], references: [id])\n}\n"
    )
    assert (error.line, error.column) == (8, 3)


def test_fields_naming_an_unknown_field_points_at_it() -> None:
    error = error_for(
        "model U {\n  id Int @id\n  ts T[]\n}\n"
        "model T {\n  id Int @id\n  uId Int\n  u U @relation(fields: [uid], references: [id])\n}\n"
    )
    assert (error.line, error.column) == (12, 26)
    assert "'uid'" in error.message and error.expected == "id, uId"


def test_references_to_an_unknown_field_composite_types_and_unknown_functions() -> None:
    error = error_for(
        "model U {\n  id Int @id\n  ts T[]\n}\n"
        "model T {\n  id Int @id\n  uId Int\n  u U @relation(fields: [uId], references: [ident])\n}\n"
    )
    assert (error.line, error.column, error.expected) == (12, 45, "id")
    error = error_for(
        "type Address {\n  street String\n}\nmodel T {\n  id Int @id\n  a Address\n}\n"
    )
    assert (error.line, error.column) == (10, 3) and "MongoDB" in error.message
    error = error_for("model T {\n  id String @id @default(uuid4())\n}\n")
    assert (error.line, error.column) == (6, 26) and "uuid4()" in error.message
    error = error_for("enum E {\n  A\n}\nmodel T {\n  id Int @id\n  e E @default(B)\n}\n")
    assert (error.line, error.column, error.expected) == (10, 16, "A")


def test_errors_in_a_multi_file_schema_name_their_file() -> None:
    files = {
        "schema.prisma": PG,
        "models/user.prisma": "model User {\n  id Int @id\n  posts Post[]\n}\n",
        "models/post.prisma": "model Post {\n  id Int @id\n  userId Int\n"
        "  user User @relation(fields: [userid], references: [id])\n}\n",
    }
    with pytest.raises(SchemaError) as caught:
        lower(parse_files(files))
    assert (caught.value.file, caught.value.line, caught.value.column) == (
        "models/post.prisma",
        4,
        32,
    )


def test_no_datasource_is_an_error() -> None:
    with pytest.raises(SchemaError, match="no datasource"):
        lower(parse_schema("model T {\n  id Int @id\n}\n"))


def test_index_on_unknown_field_and_unknown_native_type() -> None:
    error = error_for("model T {\n  id Int @id\n  @@index([nope])\n}\n")
    assert (error.line, error.column) == (7, 12)
    error = error_for("model T {\n  id Int @id\n  v String @db.Varchar(3)\n}\n")
    assert (error.line, error.column) == (7, 12)
    error = error_for("model T {\n  id Int @id\n  v Int @db.VarChar(3)\n}\n")
    assert "does not fit" in error.message


def test_unsupported_provider_and_sqlite_lists_are_errors() -> None:
    assert (
        "mysql"
        in error_for("model T {\n  id Int @id\n}\n", PG.replace("postgresql", "mysql")).message
    )
    error = error_for("model T {\n  id Int @id\n  tags String[]\n}\n", SQLITE)
    assert (error.line, error.column) == (7, 3)


# --- hand-built AST and helpers -------------------------------------------------------------


def test_lowers_a_hand_built_ast() -> None:
    where = ast.Position("x.prisma", 1, 1)
    schema = ast.PrismaSchema(
        models=(
            ast.Model(
                "Thing",
                (
                    ast.Field("id", ast.FieldType("Int"), (ast.Attribute("id"),)),
                    ast.Field(
                        "label",
                        ast.FieldType("String", optional=True),
                        (ast.Attribute("default", (ast.Argument(None, ast.StringValue("a")),)),),
                    ),
                ),
                position=where,
            ),
        ),
        datasources=(
            ast.ConfigBlock("datasource", "db", (("provider", ast.StringValue("postgres")),)),
        ),
    )
    assert lower(schema).tables == (
        Table(
            "Thing",
            columns=(
                Column("id", "integer", nullable=False, field="id"),
                Column("label", "text", nullable=True, default="'a'::text", field="label"),
            ),
            primary_key=PrimaryKey(("id",), "Thing_pkey"),
            model="Thing",
        ),
    )


def test_truncate_never_cuts_a_character_and_quote_ident_follows_postgresql() -> None:
    assert truncate("é" * 40, 63) == "é" * 31
    assert pg_quote_ident("role_t") == "role_t"
    assert pg_quote_ident("Role") == '"Role"'
    assert pg_quote_ident("order") == '"order"'
    assert pg_quote_ident("name") == "name"


def test_fields_spelled_alike_lower_as_without_their_spellings() -> None:
    """Lowering works once per (name, spelling) on PostgreSQL: the same tables as field by
    field, for repeated columns, uniques, relations and a many-to-many between them."""
    models = "".join(
        f"model M{n} {{\n"
        "  id Int @id @default(autoincrement())\n"
        '  email String @unique @map("mail")\n'
        f'  code String @unique(map: "code_key_{n}") @db.VarChar(20)\n'
        "  price Decimal @default(0) @db.Decimal(12, 2)\n"
        "  parentId Int?\n"
        f'  parent M{1 - n}? @relation("p{n}", fields: [parentId], references: [id])\n'
        f'  children M{1 - n}[] @relation("p{1 - n}")\n'
        "  tags T[]\n"
        "}\n"
        for n in (0, 1)
    )
    parsed = parse_schema(PG + models + "model T {\n  id Int @id\n  m0 M0[]\n  m1 M1[]\n}\n")
    plain = dataclasses.replace(parsed, models=tuple(
        dataclasses.replace(model, fields=tuple(
            dataclasses.replace(field, spelling=None) for field in model.fields))
        for model in parsed.models))
    assert all(f.spelling is not None for model in parsed.models for f in model.fields)
    assert lower(parsed) == lower(plain)
    assert [t.name for t in lower(parsed).tables] == ["M0", "M1", "T", "_M0ToT", "_M1ToT"]
    assert [i.name for i in table(lower(parsed), "M1").indexes] == ["M1_mail_key", "code_key_1"]
