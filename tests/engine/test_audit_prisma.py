"""audit_prisma: the database read in a thread while the schema is lowered gives what audit
gives, and a schema error still wins over a database error, without waiting for the database."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from audits import seed
from audits.engine.audit import audit, audit_prisma
from audits.engine.errors import SchemaError, TargetError
from audits.seed.build import apply_postgres_migrations, build_sqlite_database


@pytest.mark.postgres
def test_same_report_as_audit_on_postgresql(scratch_pg: str) -> None:
    apply_postgres_migrations(scratch_pg, seed.base_migration_folders("postgresql"))
    overlapped = audit_prisma(seed.SCHEMA_PATH, scratch_pg)
    sequential = audit(seed.SCHEMA_PATH, scratch_pg)
    assert overlapped.report == sequential.report
    assert (overlapped.expected, overlapped.actual) == (sequential.expected, sequential.actual)
    assert len(overlapped.report.findings) == 51
    assert set(overlapped.timings) == {"introspect", "compare"}


def test_same_report_as_audit_on_sqlite_from_every_source_form(tmp_path: Path) -> None:
    path = str(build_sqlite_database(tmp_path / "demo.db"))
    text = seed.SQLITE_SCHEMA_PATH.read_text()
    expected = audit(seed.SQLITE_SCHEMA_PATH, path).report
    assert len(expected.findings) == 41
    for source in (seed.SQLITE_SCHEMA_PATH, str(seed.SQLITE_SCHEMA_PATH), text,
                   {"schema.prisma": text}):
        assert audit_prisma(source, path).report == expected


def test_a_schema_error_wins_over_an_unreachable_database() -> None:
    """A server that accepts the connection and never answers: the schema's lowering error
    comes out at once, not after the connect timeout."""
    schema = ('datasource db {\n  provider = "postgresql"\n  url = env("X")\n}\n'
              "model User {\n  id Int @id\n  name Nope\n}\n")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"postgresql://u@127.0.0.1:{silent.getsockname()[1]}/x"
        started = time.monotonic()
        with pytest.raises(SchemaError, match="unknown type 'Nope'"):
            audit_prisma(schema, url, connect_timeout_s=5)
        assert time.monotonic() - started < 4
        with pytest.raises(TargetError):
            audit_prisma(schema.replace("Nope", "String"), url, connect_timeout_s=1)
