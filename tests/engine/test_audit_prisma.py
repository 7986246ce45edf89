"""audit_prisma: the database read in a thread or a child process while the schema is parsed and
lowered gives what audit gives, on the namespaces the schema names even when the early guess was
wrong, and a schema error still wins over a database error, without waiting for the database."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import psycopg
import pytest

from audits import seed
from audits.engine import audit as audit_module
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


@pytest.mark.parametrize("process", [False, True])
def test_a_schema_error_wins_over_an_unreachable_database(process: bool) -> None:
    """A server that accepts the connection and never answers: the schema's lowering error
    comes out at once, not after the connect timeout."""
    schema = ('datasource db {\n  provider = "postgresql"\n  url = env("X")\n}\n'
              "model User {\n  id Int @id\n  name Nope\n}\n")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"postgresql://u@127.0.0.1:{silent.getsockname()[1]}/x"
        started = time.monotonic()
        with pytest.raises(SchemaError, match='Type "Nope" is neither a built-in type'):
            audit_prisma(schema, url, connect_timeout_s=5, process=process)
        assert time.monotonic() - started < 4
        with pytest.raises(TargetError):
            audit_prisma(schema.replace("Nope", "String"), url, connect_timeout_s=1,
                         process=process)


@pytest.mark.postgres
def test_the_database_read_in_a_child_process_gives_the_same_report(scratch_pg: str) -> None:
    apply_postgres_migrations(scratch_pg, seed.base_migration_folders("postgresql"))
    in_child = audit_prisma(seed.SCHEMA_PATH, scratch_pg, process=True)
    sequential = audit(seed.SCHEMA_PATH, scratch_pg)
    assert in_child.report == sequential.report
    assert in_child.actual == sequential.actual
    assert len(in_child.report.findings) == 51


def test_a_child_process_error_is_the_same_one_line_target_error(tmp_path: Path) -> None:
    schema = seed.SQLITE_SCHEMA_PATH.read_text()
    with pytest.raises(TargetError, match="does not exist") as in_thread:
        audit_prisma(schema, str(tmp_path / "absent.db"))
    with pytest.raises(TargetError, match="does not exist") as in_child:
        audit_prisma(schema, str(tmp_path / "absent.db"), process=True)
    assert str(in_child.value) == str(in_thread.value)


MULTI_SCHEMA = ('datasource db {\n  provider = "postgresql"\n  url = env("X")\n'
                '  schemas = ["auth", "shop"]\n}\n'
                'model User {\n  id Int @id\n  @@schema("auth")\n}\n'
                'model Order {\n  id Int @id\n  @@schema("shop")\n}\n')


@pytest.mark.parametrize("files, namespaces", [
    ({"schema.prisma": MULTI_SCHEMA}, ("auth", "shop")),
    ({"a.prisma": "model A {\n  id Int @id\n}\n", "b.prisma": MULTI_SCHEMA}, ("auth", "shop")),
    ({"schema.prisma": 'datasource db {\n  provider = "postgresql"\n'
                       '  url = "postgresql://h/d?schema=tenant"\n}\n'}, ("tenant",)),
    ({"schema.prisma": "model A {\n  id Int @id\n}\n"}, ("public",)),
    ({"schema.prisma": "datasource db {\n  provider = \n}\n"}, ("public",)),  # unparsable
])
def test_the_namespaces_are_read_from_the_datasource_block_alone(
        files: dict[str, str], namespaces: tuple[str, ...]) -> None:
    assert audit_module._namespaces_at_a_glance(files) == namespaces


@pytest.mark.postgres
@pytest.mark.parametrize("process", [False, True])
def test_a_wrong_early_guess_is_read_again_with_the_schemas_namespaces(
        scratch_pg: str, monkeypatch: pytest.MonkeyPatch, process: bool) -> None:
    with psycopg.connect(scratch_pg, autocommit=True) as conn:
        conn.execute('CREATE SCHEMA auth; CREATE SCHEMA shop; CREATE TABLE auth."User" '
                     '(id integer PRIMARY KEY); CREATE TABLE shop."Order" (id integer PRIMARY KEY)')
    monkeypatch.setattr(audit_module, "_namespaces_at_a_glance", lambda files: ("public",))
    result = audit_prisma(MULTI_SCHEMA, scratch_pg, process=process)
    assert result.actual.namespaces == ("auth", "shop")
    assert [(t.schema, t.name) for t in result.actual.tables] == [("auth", "User"),
                                                                 ("shop", "Order")]
    assert [f.kind for f in result.report.findings] == []
