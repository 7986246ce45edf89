"""Validation (audits/engine/prisma/validate): Prisma's verdict and Prisma's words, with file,
line and column, several errors at once, warnings apart. Wording and lines were checked against
the prisma-oracle's schema engine (test_prisma_validate_differential covers the verdicts
broadly)."""

from __future__ import annotations

import pytest

from audits.engine.audit import expected_schema
from audits.engine.errors import SchemaError, SchemaInvalid
from audits.engine.prisma.parser import parse_schema
from audits.engine.prisma.validate import Diagnostic, validate, validate_files

PG = 'datasource db {\n  provider = "postgresql"\n}\n'
SQLITE = 'datasource db {\n  provider = "sqlite"\n}\n'


def errors(text: str) -> list[tuple[int, int, str]]:
    return [(d.line, d.column, d.message) for d in validate_files({"schema.prisma": text}).errors]


def test_a_valid_schema_has_no_errors_and_no_warnings() -> None:
    text = PG + ("model User {\n  id    Int    @id @default(autoincrement())\n"
                 "  posts Post[]\n}\n"
                 "model Post {\n  id       Int  @id\n  authorId Int\n"
                 "  author   User @relation(fields: [authorId], references: [id])\n}\n")
    report = validate(parse_schema(text))
    assert report.errors == [] and report.warnings == []


def test_block_comments_are_read_on_lines_of_their_own() -> None:
    text = ("/**\n * The users.\n */\n" + PG
            + "model User {\n  /* a comment\n     over lines */\n  id Int @id\n}\n")
    assert errors(text) == []
    assert [f.name for f in parse_schema(text).models[0].fields] == ["id"]
    assert errors(PG + "model User {\n  id Int @id /* ends the line */\n}\n") == []
    assert errors(PG + "model User {\n  id /* here */ Int @id\n}\n") == [
        (5, 6, "nothing may follow a /* */ comment on its line (expected a line break after the "
               "comment)")]


def test_an_unknown_type_is_refused_and_stops_there() -> None:
    assert errors(PG + "model A {\n  id Int @id\n  b Strin @db.Foo\n}\n") == [
        (6, 3, 'Type "Strin" is neither a built-in type, nor refers to another model, composite '
               "type, or enum.")]


def test_a_relation_without_its_opposite_field() -> None:
    text = PG + ("model User {\n  id Int @id\n  posts Post[]\n}\n"
                 "model Post {\n  id Int @id\n  authorId Int\n}\n")
    assert errors(text) == [
        (6, 3, "Error validating field `posts` in model `User`: The relation field `posts` on "
               "model `User` is missing an opposite relation field on the model `Post`. Either "
               "run `prisma format` or add it manually.")]


def test_native_types_the_provider_lacks() -> None:
    assert errors(SQLITE + "model A {\n  id Int @id\n  v String @db.VarChar(3)\n}\n") == [
        (6, 12, "Native type VarChar is not supported for sqlite connector.")]
    assert errors(PG + "model A {\n  id Int @id\n  v String @db.Integer\n}\n") == [
        (6, 12, "Native type Integer is not compatible with declared field type String, "
                "expected field type Int.")]
    assert errors(PG + "model A {\n  id Int @id\n  v String @db.VarChar(1, 2)\n}\n") == [
        (6, 12, "Native type VarChar takes 1 optional arguments, but received 2.")]


def test_arguments_of_the_wrong_kind() -> None:
    text = PG + 'model A {\n  id Int @id\n  v String @map(1)\n  w Int @default("a")\n}\n'
    assert errors(text) == [
        (6, 17, "Expected a string value, but received numeric value `1`."),
        (7, 9, 'Error parsing attribute "@default": Expected a Int value, but found `"a"`.'),
    ]


def test_id_on_a_view_and_views_need_their_preview_feature() -> None:
    text = PG + 'generator c {\n  provider = "prisma-client-js"\n  previewFeatures = ["views"]\n}\n'
    assert errors(text + "view V {\n  id Int @id\n}\n") == [
        (9, 3, "Error validating: Views cannot have primary keys.")]
    assert errors(PG + "view V {\n  id Int\n}\n") == [
        (4, 1, "Error validating: View definitions are only available with the `views` preview "
               "feature.")]


def test_unknown_provider_and_unknown_preview_features() -> None:
    assert errors('datasource db {\n  provider = "mysqlx"\n}\n') == [
        (2, 14, 'Datasource provider not known: "mysqlx".')]
    newer = ('generator c {\n  provider = "prisma-client-js"\n'
             '  previewFeatures = ["fromTheFuture"]\n}\n')
    assert errors(PG + newer + "model A {\n  id Int @id\n}\n") == []


def test_duplicate_names_and_attributes() -> None:
    text = PG + 'model A {\n  id Int @id\n  b Int @map("x")\n  c Int @map("x")\n}\n'
    assert errors(text) == [
        (7, 3, 'Field "c" is already defined on model "A".')]
    assert errors(PG + "model A {\n  id Int @id @unique @unique\n}\n") == [
        (5, 14, 'Attribute "@unique" can only be defined once.'),
        (5, 22, 'Attribute "@unique" can only be defined once.'),
    ]
    with pytest.raises(SchemaError, match="model 'A' is already defined"):
        parse_schema(PG + "model A {\n  id Int @id\n}\nmodel A {\n  id Int @id\n}\n")


def test_a_schema_with_errors_is_refused_with_every_error_listed() -> None:
    text = PG + ("model A {\n  id Int @id\n  b Int @updatedAt\n  c String @default(now())\n}\n")
    with pytest.raises(SchemaInvalid) as refused:
        expected_schema(text)
    assert refused.value.errors == (
        ('Error parsing attribute "@updatedAt": Fields that are marked with @updatedAt must be '
         "of type DateTime.", "schema.prisma", 6, 9),
        ('Error parsing attribute "@default": The function `now()` cannot be used on fields of '
         "type `String`.", "schema.prisma", 7, 12),
    )
    assert str(refused.value).startswith("2 errors in the schema: schema.prisma:6:9: ")


def test_a_syntax_error_is_one_diagnostic() -> None:
    report = validate_files({"a.prisma": "model A {\n  id Int @id\n"})
    assert report.errors == [Diagnostic(
        "model 'A' is not closed (expected '}' before the end of file at line 3)",
        "a.prisma", 1, 1)]


@pytest.mark.parametrize(("literal", "problem"), [
    ("x", "premature end of input"),
    ("2020-01-01", "premature end of input"),
    ("2020-01-01T00:00:00", "premature end of input"),
    ("2020-01-01T00:00:00+0100", "input contains invalid characters"),
    ("2020-01-01T00:00Z", "input contains invalid characters"),
    ("20200101T000000Z", "input contains invalid characters"),
    ("2020-01-01T00:00:00.Z", "input contains invalid characters"),
    ("2020-13-01T00:00:00Z", "input is out of range"),
    ("2020-02-30T00:00:00Z", "input is out of range"),
    ("2020-01-01T00:00:00Zx", "trailing input"),
    ("2020-01-01T00:00:00Z", None),
    ("2020-01-01 00:00:00Z", None),
    ("2020-01-01t00:00:00z", None),
    ("2020-01-01T00:00:00.123+01:00", None),
    ("2020-01-01T00:00:60Z", None),
])
def test_a_datetime_default_is_an_rfc3339_string(literal: str, problem: str | None) -> None:
    """Prisma's verdict and words for each (checked with the prisma-oracle)."""
    found = errors(PG + f'model A {{\n  id Int @id\n  d DateTime @default("{literal}")\n}}\n')
    assert found == ([] if problem is None else [
        (6, 14, f'Error parsing attribute "@default": Parse error: "{literal}" is not a valid '
                f"rfc3339 datetime string. ({problem})")])
