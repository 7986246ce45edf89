"""manage.py drift: the report in text or JSON, exit codes 0/2/1, and failures as one line."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from audits import seed
from audits.seed.build import apply_postgres_migrations, build_sqlite_database

REPO = Path(__file__).resolve().parents[3]
SECRET = "S3cr3t-Pa55w0rd"


def drift(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("drift", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def post_reset_pg(scratch_pg: str) -> str:
    """The seed's database after the reset: 16 base migrations, none of the fixes."""
    apply_postgres_migrations(scratch_pg, seed.base_migration_folders("postgresql"))
    return scratch_pg


@pytest.mark.postgres
def test_json_report_of_the_seed_incident_exits_2(post_reset_pg: str) -> None:
    # trust authentication ignores the password, so it can ride along and must not leak
    url = post_reset_pg.replace("postgresql://postgres@", f"postgresql://postgres:{SECRET}@")
    code, out, err = drift("--schema", str(seed.SCHEMA_PATH), "--database-url", url,
                           "--format", "json", "--exit-code")
    assert (code, err) == (2, "")
    assert SECRET not in out
    data = json.loads(out)
    assert list(data) == ["dialect", "summary", "models", "findings"]
    assert data["summary"]["by_severity"] == {"critical": 51, "error": 0, "warning": 0, "info": 0}
    assert data["summary"]["models"] == 29
    missing = sorted(m["model"] for m in data["models"] if m["status"] == "missing")
    assert missing == sorted(seed.MISSING_TABLES)
    broken = sorted(m["model"] for m in data["models"] if m["status"] == "broken")
    assert broken == ["SupplierProfile", "User"]
    user_columns = sorted(f["column"] for f in data["findings"]
                          if f["kind"] == "missing_column" and f["table"] == "User")
    assert user_columns == sorted(seed.MISSING_USER_COLUMNS)
    assert set(data["findings"][0]) == {"kind", "severity", "model", "field", "table", "column",
                                        "expected", "actual", "message"}


@pytest.mark.postgres
def test_text_report_ends_with_the_summary_and_exits_0_without_exit_code(
        post_reset_pg: str) -> None:
    code, out, err = drift("--schema", str(seed.SCHEMA_PATH), "--database-url", post_reset_pg)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        "2 models broken, 20 missing, 51 findings: 51 critical, 0 error, 0 warning, 0 info")
    assert 'User.username is missing: column "username" of table "User" does not exist' in out


@pytest.mark.postgres
def test_fixed_database_exits_0(post_reset_pg: str) -> None:
    apply_postgres_migrations(post_reset_pg, seed.fix_migration_folders("postgresql"))
    code, out, err = drift("--schema", str(seed.SCHEMA_PATH), "--database-url", post_reset_pg,
                           "--exit-code")
    assert (code, err) == (0, "")
    assert out.startswith("No drift: nothing above info.\n")


def test_sqlite_target_and_schema_folder(tmp_path: Path) -> None:
    path = build_sqlite_database(tmp_path / "demo.db", include_fixes=True)
    code, out, err = drift("--schema", str(seed.SQLITE_DIR), "--database-url", str(path),
                           "--exit-code", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["dialect"] == "sqlite"


@pytest.mark.postgres
def test_unreachable_database_is_one_line_without_the_password() -> None:
    url = f"postgresql://driftwatch:{SECRET}@127.0.0.1:1/shop"
    for extra in ((), ("--exit-code",)):
        code, out, err = drift("--schema", str(seed.SCHEMA_PATH), "--database-url", url,
                               "--connect-timeout-s", "2", *extra)
        assert (code, out) == (1, "")
        assert err.count("\n") == 1 and err.startswith("drift: error: ")
        assert SECRET not in err and "postgresql://driftwatch:***@127.0.0.1:1/shop" in err


@pytest.mark.postgres
def test_missing_database_is_one_line(pg_admin_dsn: str) -> None:
    url = pg_admin_dsn.rsplit("/", 1)[0] + "/dw_compare_does_not_exist"
    code, out, err = drift("--schema", str(seed.SCHEMA_PATH), "--database-url", url)
    assert (code, out) == (1, "")
    assert err.startswith("drift: error: ") and err.count("\n") == 1
    assert "does not exist" in err


def test_timeout_is_one_line() -> None:
    """A server that accepts the connection and never answers: the connect timeout fires."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        url = f"postgresql://driftwatch:{SECRET}@127.0.0.1:{port}/shop"
        code, out, err = drift("--schema", str(seed.SCHEMA_PATH), "--database-url", url,
                               "--connect-timeout-s", "1", "--exit-code")
    assert (code, out) == (1, "")
    assert err.startswith("drift: error: ") and err.count("\n") == 1
    assert SECRET not in err and "tim" in err.lower()


def test_bad_schema_is_one_line_with_file_line_and_column(tmp_path: Path) -> None:
    schema = tmp_path / "schema.prisma"
    schema.write_text('datasource db {\n  provider = "postgresql"\n  url = env("X")\n}\n\n'
                      "model User {\n  id Int @id\n  name String @@@\n}\n")
    code, out, err = drift("--schema", str(schema), "--database-url", str(tmp_path / "x.db"),
                           "--exit-code")
    assert (code, out) == (1, "")
    assert re.fullmatch(rf"drift: error: {re.escape(str(schema))}:8:\d+: .+\n", err), err


def test_known_good_snapshot_as_the_schema(tmp_path: Path) -> None:
    from audits.engine.audit import expected_schema

    snapshot = tmp_path / "known-good.json"
    snapshot.write_text(expected_schema(seed.SQLITE_SCHEMA_PATH).to_json())
    path = build_sqlite_database(tmp_path / "demo.db")
    code, out, err = drift("--schema", str(snapshot), "--database-url", str(path), "--exit-code")
    assert (code, err) == (2, "")
    assert out.splitlines()[-1] == (
        "2 models broken, 20 missing, 41 findings: 41 critical, 0 error, 0 warning, 0 info")
    snapshot.write_text("{not json")
    code, out, err = drift("--schema", str(snapshot), "--database-url", str(path))
    assert code == 1 and err.startswith(f"drift: error: {snapshot}: not a schema snapshot")


def test_missing_schema_file_is_one_line(tmp_path: Path) -> None:
    code, out, err = drift("--schema", str(tmp_path / "nope.prisma"), "--database-url",
                           str(tmp_path / "x.db"))
    assert (code, out) == (1, "")
    missing = tmp_path / "nope.prisma"
    assert err == f"drift: error: {missing}: {missing} does not exist\n"


@pytest.mark.postgres
def test_real_process_exit_codes_and_no_traceback(post_reset_pg: str) -> None:
    base = [sys.executable, "manage.py", "drift", "--schema", str(seed.SCHEMA_PATH)]
    drifted = subprocess.run([*base, "--database-url", post_reset_pg, "--exit-code"],
                             cwd=REPO, capture_output=True, text=True)
    assert drifted.returncode == 2 and drifted.stderr == ""
    broken = subprocess.run([*base, "--database-url", f"postgresql://u:{SECRET}@127.0.0.1:1/x",
                             "--exit-code", "--connect-timeout-s", "2"],
                            cwd=REPO, capture_output=True, text=True)
    assert broken.returncode == 1 and broken.stdout == ""
    assert len(broken.stderr.splitlines()) == 1
    assert "Traceback" not in broken.stderr and SECRET not in broken.stderr
