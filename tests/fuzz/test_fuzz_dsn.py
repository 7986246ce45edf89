"""Database URLs from anyone: the DSN helpers and the location check raise only their own
errors, and a redacted URL never shows the password it was built with."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audits.core.credentials import TargetConfigError, check_target_location
from audits.engine.connect import (
    dialect_of,
    libpq_dsn,
    redact_dsn,
    scrub_secrets,
    sqlite_path,
    url_schema,
)
from audits.engine.errors import EngineError
from tests.fuzz.conftest import FUZZ

PIECES = st.sampled_from([
    "postgresql://", "postgres://", "sqlite:///", "file:", "host=", " dbname=", "user=",
    "password=", "@", ":", "/", "?", "&", "#", "=", "'", "\\", "%", "%40", "localhost", "5432",
    ".db", "schema=x", "sslmode=require", ",", " ", "\x00", "[::1]", "é",
])
DSN = st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=30).map("".join))
# A password that cannot be mistaken for the rest of the URL once masked.
PASSWORD = st.text(alphabet="QWXZqwxz0123456789!$*+~", min_size=6, max_size=24)


@FUZZ
@given(dsn=DSN)
def test_the_dsn_helpers_raise_only_engine_errors(dsn: str) -> None:
    for helper in (dialect_of, redact_dsn, libpq_dsn, url_schema):
        with contextlib.suppress(EngineError):
            helper(dsn)
    try:
        if dialect_of(dsn) == "sqlite":
            sqlite_path(dsn)
    except EngineError:
        pass


@FUZZ
@given(user=st.text(alphabet="abcdefgh_", min_size=1, max_size=10), password=PASSWORD,
       host=st.sampled_from(["db.internal", "10.0.0.5", "localhost"]),
       tail=st.sampled_from(["/app", "/app?sslmode=require", ":6543/app?schema=s", ""]))
def test_a_redacted_url_never_shows_its_password(user: str, password: str, host: str,
                                                 tail: str) -> None:
    for dsn in (f"postgresql://{user}:{password}@{host}{tail}",
                f"host={host} user={user} password={password} dbname=app"):
        assert password not in redact_dsn(dsn)
        assert password not in scrub_secrets(f"could not connect: {dsn}", dsn)


@pytest.mark.django_db
@FUZZ
@given(dsn=DSN)
def test_the_location_check_raises_only_its_own_error(dsn: str) -> None:
    try:
        check_target_location(dsn)
    except TargetConfigError as error:
        assert "\x00" not in str(error) or "\x00" in dsn
