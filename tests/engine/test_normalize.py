"""Canonical types and defaults: the spellings each side uses must compare equal, and only those."""

from __future__ import annotations

import pytest

from audits.engine.normalize import (
    bare_literal,
    canonical_default,
    canonical_predicate,
    canonical_sqlite_type,
    canonical_type,
)


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("int4", "integer"), ("int", "integer"), ("INTEGER", "integer"), ("serial", "integer"),
        ("int8", "bigint"), ("bigserial", "bigint"), ("BIGINT", "bigint"),
        ("int2", "smallint"), ("smallserial", "smallint"),
        ("varchar(255)", "character varying(255)"),
        ("character varying(255)", "character varying(255)"),
        ("VARCHAR", "character varying"),
        ("bool", "boolean"), ("BOOLEAN", "boolean"),
        ("float8", "double precision"), ("DOUBLE PRECISION", "double precision"),
        ("float4", "real"),
        ("timestamp(3)", "timestamp(3) without time zone"),
        ("TIMESTAMP(3)", "timestamp(3) without time zone"),
        ("timestamp(3) without time zone", "timestamp(3) without time zone"),
        ("timestamptz(6)", "timestamp(6) with time zone"),
        ("timestamp with time zone", "timestamp(6) with time zone"),
        ("TIMESTAMPTZ", "timestamp(6) with time zone"),
        ("decimal(10,2)", "numeric(10,2)"), ("numeric(10, 2)", "numeric(10,2)"),
        ("DECIMAL(65,30)", "numeric(65,30)"), ("numeric(10)", "numeric(10,0)"),
        ("_text", "text[]"), ("text[]", "text[]"), ("TEXT[]", "text[]"), ("_int4", "integer[]"),
        ('"Role"', "Role"), ("Role", "Role"), ('"Role"[]', "Role[]"), ('public."Role"', "Role"),
        ("JSONB", "jsonb"), ("uuid", "uuid"), ("char", "character(1)"),
    ],
)
def test_postgres_type_aliases_share_one_spelling(spelling: str, canonical: str) -> None:
    assert canonical_type(spelling) == canonical


def test_enum_names_keep_their_case() -> None:
    assert canonical_type('"role"') != canonical_type('"Role"')


def test_different_types_stay_different() -> None:
    assert canonical_type("varchar(255)") != canonical_type("varchar(100)")
    assert canonical_type("timestamp(3)") != canonical_type("timestamptz(3)")
    assert canonical_type("integer") != canonical_type("bigint")
    assert canonical_type("text") != canonical_type("text[]")


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [("INTEGER", "INTEGER"), ("int", "INTEGER"), ("integer", "INTEGER"), ("TEXT", "TEXT"),
     ("varchar(10)", "TEXT"), ("DateTime", "DATETIME"), ("float", "REAL"), ("DOUBLE", "REAL"),
     ("Decimal(10,2)", "DECIMAL"), ("BIGINT", "BIGINT"), ("bool", "BOOLEAN"), ("json", "JSONB"),
     ("BLOB", "BLOB")],
)
def test_sqlite_types_compare_by_prisma_family(spelling: str, canonical: str) -> None:
    assert canonical_sqlite_type(spelling) == canonical
    assert canonical_type(spelling, "sqlite") == canonical


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("'x'::text", "'x'"),
        ("'x'::character varying", "'x'"),
        ("'USER'::\"Role\"", "'USER'"),
        ("now()", "CURRENT_TIMESTAMP"),
        ("current_timestamp", "CURRENT_TIMESTAMP"),
        ("CURRENT_TIMESTAMP(3)", "now()"),
        ("nextval('\"User_id_seq\"'::regclass)", "autoincrement()"),
        ("0", "0.0"),
        ("'0'::numeric", "0"),
        ("1.50", "1.5"),
        ("(-1)", "'-1'::integer"),
        ("true", "'true'::boolean"),
        ("FALSE", "false"),
        ("ARRAY[]::text[]", "'{}'::text[]"),
        ("ARRAY[]::TEXT[]", "ARRAY[]::text[]"),
        ("ARRAY['a'::text, 'b'::text]", "ARRAY['a', 'b']::TEXT[]"),
        ("'{a,b}'::text[]", "ARRAY['a','b']"),
        ("'[]'::jsonb", "'[]'"),
        ("[]", "'[]'"),
        ("'{\"a\": 1}'::jsonb", "'{\"a\":1}'"),
        ("((0))", "0"),
        ("gen_random_uuid()", "GEN_RANDOM_UUID( )"),
        ('dbgenerated("gen_random_uuid()")', "gen_random_uuid()"),
        ("'it''s'::text", "'it''s'"),
    ],
)
def test_default_spellings_that_mean_the_same(left: str, right: str) -> None:
    assert canonical_default(left) == canonical_default(right)


def test_empty_braces_are_an_array_on_an_array_column_and_json_elsewhere() -> None:
    assert canonical_default("'{}'", column_type="text[]") == canonical_default("ARRAY[]::text[]")
    assert canonical_default("'{}'::jsonb") == "'{}'"
    assert canonical_default("'{}'::jsonb") != canonical_default("ARRAY[]::text[]")


@pytest.mark.parametrize(
    ("left", "right"),
    [("'x'", "'y'"), ("0", "1"), ("true", "false"), ("'USER'", "'ADMIN'"),
     ("now()", "'2020-01-01'"), ("ARRAY['a']", "ARRAY[]")],
)
def test_defaults_that_differ_stay_different(left: str, right: str) -> None:
    assert canonical_default(left) != canonical_default(right)


def test_no_default_and_client_side_defaults_are_none() -> None:
    assert canonical_default(None) is None
    assert canonical_default("NULL") is None
    assert canonical_default("uuid()") is None
    assert canonical_default("cuid()") is None


def test_canonical_forms() -> None:
    assert canonical_default("nextval('\"User_id_seq\"'::regclass)") == "autoincrement()"
    assert canonical_default("now()") == "CURRENT_TIMESTAMP"
    assert canonical_default("'x'::text") == "'x'"
    assert canonical_default("ARRAY[]::text[]") == "ARRAY[]"


def test_partial_index_predicates_lose_postgres_noise() -> None:
    assert canonical_predicate("((status)::text = 'a'::text)") == canonical_predicate(
        "status = 'a'")
    assert canonical_predicate('("deletedAt" IS NULL)') == canonical_predicate(
        '"deletedAt" is null')
    assert canonical_predicate(None) is None


def test_bare_literal_drops_only_a_trailing_cast_of_one_literal() -> None:
    assert bare_literal("'x'::text") == "'x'"
    assert bare_literal("'SHIPPING'::\"AddressType\"") == "'SHIPPING'"
    assert bare_literal("'a''b'::character varying") == "'a''b'"
    assert bare_literal("'2020-01-01'::timestamp without time zone") == "'2020-01-01'"
    assert bare_literal("'1 day'::interval + now()") == "'1 day'::interval + now()"
    assert bare_literal("now()") == "now()"


def test_sqlite_boolean_defaults_as_integers() -> None:
    assert canonical_default("1", "sqlite", "BOOLEAN") == canonical_default("true", "sqlite")
    assert canonical_default("0", "sqlite", "boolean") == "false"
    assert canonical_default("1", "sqlite", "INTEGER") == "1"
