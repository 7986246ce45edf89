"""Whatever text it is given, the parser returns a schema or raises SchemaError with a place
inside that text, never any other exception (random text, mutated and truncated schemas)."""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from audits.engine.errors import SchemaError
from audits.engine.prisma import parse_files, parse_schema
from audits.engine.prisma.ast import PrismaSchema
from tests.engine.test_prisma_parser import every_node, written_at

VALID = r"""generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["views"]
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

/// A user.
model User {
  id        String   @id @default(uuid(7)) @db.Uuid
  email     String   @unique(map: "u_email") @db.VarChar(255) /// trailing
  balance   Decimal  @default(-1.5) @db.Decimal(19, 4)
  tags      String[] @default(["a", "b\"c", "\u00e9\\"])
  role      Role     @default(USER)
  createdAt DateTime @default(now()) @map("created_at") @db.Timestamptz(6)
  location  Unsupported("geometry")?
  posts     Post[]   @relation("by")

  @@index([createdAt(sort: Desc), email(ops: raw("gin_trgm_ops"))], type: Gin)
  @@map("users")
}

model Post {
  id       Int    @id @default(autoincrement())
  authorId String
  author   User   @relation("by", fields: [authorId], references: [id], onDelete: Cascade)
  labels   String[] @default([
    "x", // first
    "y" /// doc inside brackets
  ]) @db.Text
  @@unique([authorId, id], name: "ai")
}

enum Role {
  USER  @map("user") // comment
  ADMIN
  @@map("roles")
}

view V {
  id Int @unique
}

type T {
  a String
}
"""

# Characters that make up Prisma, over-represented so that random text gets past the lexer.
PRISMA_ALPHABET = st.sampled_from(
    list("{}()[]@,:=?.\"\\/ \t\n\r-_") + ["model ", "enum ", "type ", "view ", "datasource ",
                                          "generator ", "@@", "///", "//", "Int", "String",
                                          "@id", "@default(", "now()", "a", "B", "1", "\u00e9"]
)

# DRIFTWATCH_FUZZ_EXAMPLES=20000 for a long hunt; the default keeps the suite quick.
SETTINGS = settings(max_examples=int(os.environ.get("DRIFTWATCH_FUZZ_EXAMPLES", "400")),
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def line_count(text: str) -> int:
    return len(re.findall(r"\r\n|\n|\r", text)) + 1


def parse_or_error(text: str) -> PrismaSchema | SchemaError:
    """Parse ``text``; a SchemaError must point at a line and column that exist in it."""
    try:
        schema = parse_schema(text)
    except SchemaError as error:
        assert error.file == "schema.prisma"
        assert 1 <= error.line <= line_count(text), (error, text)
        lines = re.split(r"\r\n|\n|\r", text)
        assert 1 <= error.column <= len(lines[error.line - 1]) + 1, (error, text)
        assert str(error).startswith(f"schema.prisma:{error.line}:{error.column}: ")
        return error
    lines = re.split(r"\r\n|\n|\r", text)
    for node in every_node((schema.models, schema.enums, schema.datasources, schema.generators)):
        line = lines[node.position.line - 1]
        assert line[node.position.column - 1:].startswith(written_at(node)), (node, text)
    return schema


def test_the_valid_schema_is_valid() -> None:
    schema = parse_or_error(VALID)
    assert isinstance(schema, PrismaSchema)
    assert [m.name for m in schema.models] == ["User", "Post", "V", "T"]


@SETTINGS
@given(st.text())
def test_any_text(text: str) -> None:
    parse_or_error(text)


@SETTINGS
@given(st.lists(PRISMA_ALPHABET, max_size=80).map("".join))
@example("model A {\n  a Int @default(" + "[" * 5000)
@example("model A {\n  a Int @default(" + "f(" * 5000)
@example('"\\ud800"')
@example('model A {\n  a String @default("\\ud800")\n}')
@example('model A {\n  a String @default("\\uDFFF\\uD800")\n}')
@example("model A {\n  a Int @\n}")
@example("model\x00 A {}")
def test_prisma_like_text(text: str) -> None:
    parse_or_error(text)


@SETTINGS
@given(st.integers(min_value=0, max_value=len(VALID)))
def test_every_truncation_of_a_valid_schema(end: int) -> None:
    parse_or_error(VALID[:end])


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, len(VALID)), st.integers(0, 12),
                          st.text(st.sampled_from(list("{}()[]@,:=?.\"\\/ \n-#a1")), max_size=4)),
                min_size=1, max_size=4))
def test_random_edits_of_a_valid_schema(edits: list[tuple[int, int, str]]) -> None:
    text = VALID
    for start, length, replacement in edits:
        start = min(start, len(text))
        text = text[:start] + replacement + text[start + length:]
    parse_or_error(text)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["a.prisma", "b/c.prisma", "schema.prisma"]),
                       st.lists(PRISMA_ALPHABET, max_size=40).map("".join), max_size=3))
def test_several_files(files: dict[str, str]) -> None:
    try:
        schema = parse_files(files)
    except SchemaError as error:
        assert error.file in files
    else:
        assert schema.files == tuple(files)
