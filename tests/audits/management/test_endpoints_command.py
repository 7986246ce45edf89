"""manage.py endpoints on the seed: post-reset verdicts with exact reasons, all safe after the
fixes (admin stats unknown), on SQLite and PostgreSQL; text output; one-line errors, exit 1."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from audits import seed
from audits.seed.build import apply_postgres_migrations, build_sqlite_database
from tests.audits.endpoints.fixtures import expected_reasons, expected_verdicts


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("endpoints", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def as_json(schema: Path, dsn: str) -> dict:
    code, out, err = run("--code", str(seed.BACKEND_DIR), "--schema", str(schema),
                         "--database-url", dsn, "--format", "json")
    assert (code, err) == (0, "")
    return json.loads(out)


def verdicts(data: dict) -> dict[str, str]:
    return {f"{','.join(e['methods'])} {e['route']}": e["verdict"] for e in data["endpoints"]}


def reasons(data: dict) -> dict[str, set[str]]:
    return {f"{','.join(e['methods'])} {e['route']}": set(e["reasons"])
            for e in data["endpoints"] if e["verdict"] == "unsafe"}


def test_sqlite_post_reset_then_fixed(tmp_path):
    post = build_sqlite_database(tmp_path / "post.db")
    data = as_json(seed.SQLITE_SCHEMA_PATH, str(post))
    assert set(data) == {"endpoints", "unresolved"} and data["unresolved"] == []
    assert set(data["endpoints"][0]) == {"route", "methods", "file", "models", "verdict",
                                         "reasons"}
    assert verdicts(data) == expected_verdicts("post_reset")
    assert reasons(data) == expected_reasons()
    fixed = build_sqlite_database(tmp_path / "fixed.db", include_fixes=True)
    assert verdicts(as_json(seed.SQLITE_SCHEMA_PATH, str(fixed))) == \
        expected_verdicts("after_fixes")


def test_postgresql_post_reset_then_fixed(scratch_pg):
    apply_postgres_migrations(scratch_pg, seed.base_migration_folders("postgresql"))
    data = as_json(seed.SCHEMA_PATH, scratch_pg)
    assert verdicts(data) == expected_verdicts("post_reset")
    assert reasons(data) == expected_reasons()
    apply_postgres_migrations(scratch_pg, seed.fix_migration_folders("postgresql"))
    assert verdicts(as_json(seed.SCHEMA_PATH, scratch_pg)) == expected_verdicts("after_fixes")


def test_text_format(tmp_path):
    post = build_sqlite_database(tmp_path / "post.db")
    code, out, err = run("--code", str(seed.BACKEND_DIR), "--schema",
                         str(seed.SQLITE_SCHEMA_PATH), "--database-url", str(post))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert "unsafe   POST   /api/auth/google  [Account, User]" in lines
    assert "         - User.username is missing" in lines
    assert "safe     *      /api/health  [no database]" in lines
    assert lines[-1] == "20 unsafe, 1 unknown, 0 degraded, 8 safe"


@pytest.mark.parametrize(("args", "message"), [
    (("--code", "/nonexistent/code", "--schema", str(seed.SQLITE_SCHEMA_PATH)),
     "endpoints: error: the code folder /nonexistent/code does not exist\n"),
    (("--code", str(seed.BACKEND_DIR), "--schema", "/nonexistent/schema.prisma"),
     None),
])
def test_errors_are_one_line_and_exit_1(tmp_path, args, message):
    post = build_sqlite_database(tmp_path / "post.db")
    code, out, err = run(*args, "--database-url", str(post))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("endpoints: error: ")
    if message:
        assert err == message


def test_unreachable_database_is_one_line_without_password():
    code, out, err = run("--code", str(seed.BACKEND_DIR), "--schema", str(seed.SCHEMA_PATH),
                         "--database-url", "postgresql://u:Sup3rSecret@127.0.0.1:1/x",
                         "--connect-timeout-s", "1")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith("endpoints: error: ") and "Sup3rSecret" not in err


def test_a_schema_prisma_refuses_is_refused_with_its_position(tmp_path):
    """Prisma refuses a model with no unique criteria (it parses and lowers fine); so does this
    command, before it connects, with the file, line and column, as ``drift`` does."""
    schema = tmp_path / "schema.prisma"
    schema.write_text('datasource db {\n  provider = "sqlite"\n  url = "file:x.db"\n}\n\n'
                      "model Post {\n  title String\n}\n")
    code, out, err = run("--code", str(seed.BACKEND_DIR), "--schema", str(schema),
                         "--database-url", "postgresql://u:pw@127.0.0.1:1/never")
    assert (code, out) == (1, "")
    assert err.startswith(f"endpoints: error: {schema}:6:1: ")
    assert "unique criteria" in err and err.count("\n") == 1
