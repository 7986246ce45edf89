"""Fixtures for the audits app: targets and engine values to save (users and logged-in
clients come from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from audits.core.models import AuditRun, Target
from audits.engine import model as m
from audits.targets import services

SECRET_DSN = "postgresql://driftwatch:S3cr3t-Pa55w0rd@127.0.0.1:5432/shop"
SCHEMA = """datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id    Int    @id @default(autoincrement())
  email String @unique
}
"""


@pytest.fixture
def backend(backend_client: Client) -> Client:
    """The shared logged-in backend client (tests/conftest.py), under a short name."""
    return backend_client


@pytest.fixture
def mobile(mobile_client: Client) -> Client:
    return mobile_client


@pytest.fixture
def make_target(db: Any) -> Callable[..., Target]:
    counter = iter(range(1, 100_000))

    def make(name: str | None = None, dsn: str = SECRET_DSN, **extra: Any) -> Target:
        number = next(counter)
        name = name or f"Target {number}"
        return services.create_target(
            name=name, slug=extra.pop("slug", f"target-{number}"), dsn=dsn,
            schema_files=extra.pop("schema_files", {"schema.prisma": SCHEMA}), **extra,
        )

    return make


def finding(kind: str, table: str, column: str | None = None,
            severity: m.Severity = m.Severity.CRITICAL, model: str | None = None) -> m.Finding:
    where = f"{table}.{column}" if column else table
    return m.Finding(kind=kind, severity=severity, message=f"{kind} {where}", table=table,
                     schema="public", model=model or table, column=column)


def report(findings: list[m.Finding], statuses: dict[str, str]) -> m.Report:
    return m.Report(
        dialect="postgresql",
        findings=tuple(findings),
        objects=tuple(m.ObjectStatus(table=t, status=m.Status(s), model=t)
                      for t, s in statuses.items()),
    )


def schema(*tables: str) -> m.Schema:
    return m.Schema(dialect="postgresql", tables=tuple(
        m.Table(name=t, columns=(m.Column(name="id", type="integer", nullable=False),))
        for t in tables))


@pytest.fixture
def finish_run() -> Callable[..., AuditRun]:
    """Queue, claim and store a run with the given report, as a worker would."""

    def finish(target: Target, rep: m.Report, *, actual: m.Schema | None = None) -> AuditRun:
        run = services.request_audit(target, enqueue=False)
        assert services.claim_run(run.pk)
        run.refresh_from_db()
        saved = services.save_result(
            run, expected=schema("User"), actual=actual or schema("User"), report=rep,
            timings={"introspect_ms": 3}, duration_ms=12,
        )
        assert saved is not None
        return saved

    return finish


def old(seconds: int) -> Any:
    return timezone.now() - timedelta(seconds=seconds)


@pytest.fixture
def seeded_target(make_target, finish_run) -> Target:
    """A target with one finished audit: User broken (two missing columns), Review missing."""
    target = make_target(name="Marketplace", slug="marketplace")
    finish_run(target, report(
        [finding("missing_column", "User", "username"),
         finding("missing_column", "User", "googleId"),
         finding("missing_table", "Review")],
        {"User": "broken", "Review": "missing", "Product": "ok"}))
    target.refresh_from_db()
    return target
