"""Shared fixtures: real PostgreSQL scratch databases, and the rule that CI never skips them.

In CI (``CI=true``) a PostgreSQL test that cannot reach its server fails instead of skipping,
and the session refuses to start if Django's own test database is not PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_ADMIN_DSN = os.environ.get("DRIFTWATCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("DRIFTWATCH_SHARED", REPO_ROOT.parent / "shared"))


def pytest_sessionstart(session: pytest.Session) -> None:
    if not IN_CI:
        return
    from django.conf import settings

    vendor = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in vendor:
        pytest.exit(f"CI must run the Django tests on PostgreSQL, not {vendor}", returncode=3)


def _server_reachable() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


@pytest.fixture(scope="session")
def pg_admin_dsn() -> str:
    """The DSN of a PostgreSQL role that may create databases; fails in CI when unreachable."""
    problem = _server_reachable()
    if problem:
        message = f"PostgreSQL at {PG_ADMIN_DSN.split('@')[-1]} is unreachable: {problem}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return PG_ADMIN_DSN


def dsn_for(admin_dsn: str, dbname: str) -> str:
    return psycopg.conninfo.make_conninfo(admin_dsn, dbname=dbname)


def url_for(admin_dsn: str, dbname: str) -> str:
    """A postgresql:// URL for ``dbname`` on the admin server (for CLIs that want a URL)."""
    base, _, _ = admin_dsn.rpartition("/")
    return f"{base}/{dbname}"


@pytest.fixture
def scratch_pg(pg_admin_dsn: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database; yields its URL and drops it afterwards."""
    yield from make_scratch_database(pg_admin_dsn)


def make_scratch_database(admin_dsn: str, prefix: str = "dw_scratch") -> Iterator[str]:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url_for(admin_dsn, name)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (fixtures and the prisma oracle); tests that need it skip loudly without it."""
    if not SHARED_DIR.is_dir():
        pytest.skip(f"SKIPPED LOUDLY: {SHARED_DIR} is absent, so real-world fixtures cannot run")
    return SHARED_DIR


# --- recovery: users in each role, logged-in clients, incidents (shared with the audits tests) ---
# Appended by the recovery engineer; fixture names: backend_user, mobile_user, backend_client,
# mobile_client, incident (a fresh SEV2 incident), demo_incident (`manage.py demo`'s incident).


def _role_user(username: str, group: str | None):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username=username, password="pw-for-tests-only")
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@pytest.fixture
def backend_user(db):  # type: ignore[no-untyped-def]
    return _role_user("test-backend", "backend")


@pytest.fixture
def mobile_user(db):  # type: ignore[no-untyped-def]
    return _role_user("test-mobile", "mobile")


@pytest.fixture
def backend_client(backend_user):  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client()
    client.force_login(backend_user)
    return client


@pytest.fixture
def mobile_client(mobile_user):  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client()
    client.force_login(mobile_user)
    return client


@pytest.fixture
def incident(backend_user):  # type: ignore[no-untyped-def]
    from recovery import services

    return services.create_incident(
        title="Orders table dropped", severity="SEV2", author=backend_user, commander="Ada",
        summary="Someone ran a reset.",
    )


@pytest.fixture
def demo_incident(db):  # type: ignore[no-untyped-def]
    from recovery.demo import load_seed_incident

    return load_seed_incident()
