"""manage.py fix_migration: prints the migration or writes it in Prisma's folder layout."""

from __future__ import annotations

import re
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from audits import seed
from audits.seed.build import apply_postgres_migrations, build_sqlite_database

SECRET = "S3cr3t-Pa55w0rd"


def run(command: str, *args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.postgres
def test_prints_the_migration_for_the_seed_incident_and_it_fixes_the_database(
        scratch_pg: str, tmp_path: Path) -> None:
    apply_postgres_migrations(scratch_pg, seed.base_migration_folders("postgresql"))
    code, sql, err = run("fix_migration", "--schema", str(seed.SCHEMA_PATH),
                         "--database-url", scratch_pg)
    assert (code, err) == (0, "")
    assert 'ALTER TABLE "User" ADD COLUMN     "username" TEXT,\n' in sql
    assert 'ADD COLUMN     "keywords" TEXT[]' in sql
    assert sql.count("-- CreateTable\n") == 20
    assert sql.count("-- CreateEnum\n") == 10
    script = tmp_path / "fix.sql"
    script.write_text(sql)
    applied = subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", scratch_pg,
                              "-f", str(script)], capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    assert run("drift", "--schema", str(seed.SCHEMA_PATH), "--database-url", scratch_pg,
               "--exit-code")[0] == 0


def test_out_writes_a_prisma_migration_folder(tmp_path: Path) -> None:
    path = build_sqlite_database(tmp_path / "demo.db")
    out_dir = tmp_path / "prisma" / "migrations"
    code, out, err = run("fix_migration", "--schema", str(seed.SQLITE_SCHEMA_PATH),
                         "--database-url", str(path), "--name", "add missing User columns",
                         "--out", str(out_dir))
    assert (code, err) == (0, "")
    written = Path(out.strip())
    assert re.fullmatch(r"\d{14}_add_missing_user_columns", written.parent.name)
    assert written.parent.parent == out_dir and written.name == "migration.sql"
    sql = written.read_text()
    assert 'ALTER TABLE "User" ADD COLUMN "username" TEXT;' in sql
    applied = subprocess.run(["sqlite3", "-bail", str(path)], input=sql, capture_output=True,
                             text=True)
    assert applied.returncode == 0, applied.stderr
    assert run("drift", "--schema", str(seed.SQLITE_SCHEMA_PATH), "--database-url", str(path),
               "--exit-code")[0] == 0


@pytest.mark.postgres
def test_unreachable_database_is_one_line_without_the_password(tmp_path: Path) -> None:
    code, out, err = run("fix_migration", "--schema", str(seed.SCHEMA_PATH), "--database-url",
                         f"postgresql://driftwatch:{SECRET}@127.0.0.1:1/shop",
                         "--out", str(tmp_path))
    assert (code, out) == (1, "")
    assert err.startswith("fix_migration: error: ") and err.count("\n") == 1
    assert SECRET not in err
    assert list(tmp_path.iterdir()) == []


def test_bad_schema_is_one_line(tmp_path: Path) -> None:
    schema = tmp_path / "schema.prisma"
    schema.write_text("model {\n")
    code, out, err = run("fix_migration", "--schema", str(schema), "--database-url",
                         str(tmp_path / "x.db"))
    assert (code, out) == (1, "")
    assert re.fullmatch(rf"fix_migration: error: {re.escape(str(schema))}:\d+:\d+: .+\n", err)
