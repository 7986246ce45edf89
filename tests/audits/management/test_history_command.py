"""manage.py history: the JSON shape, the text view, the shadow-server policy, one-line errors."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from audits import seed
from audits.engine.history import clear_memory_cache
from audits.seed.build import apply_postgres_migrations, build_sqlite_database

SECRET = "S3cr3t-Pa55w0rd"


def history(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("history", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def fresh_memory() -> None:
    clear_memory_cache()


@pytest.fixture
def post_reset_pg(scratch_pg: str) -> str:
    apply_postgres_migrations(scratch_pg, seed.base_migration_folders(), record_migrations=True)
    return scratch_pg


def _with_fixes(tmp_path: Path) -> Path:
    root = tmp_path / "migrations"
    shutil.copytree(seed.BASE_MIGRATIONS_DIR, root)
    for folder in seed.fix_migration_folders():
        shutil.copytree(folder, root / folder.name)
    return root


@pytest.mark.postgres
def test_json_for_the_seed_with_fixes_pending(post_reset_pg: str, tmp_path: Path) -> None:
    url = post_reset_pg.replace("postgresql://postgres@", f"postgresql://postgres:{SECRET}@")
    code, out, err = history("--migrations", str(_with_fixes(tmp_path)), "--database-url", url,
                             "--schema", str(seed.SCHEMA_PATH), "--format", "json",
                             "--cache-dir", str(tmp_path / "cache"))
    assert (code, err) == (0, "")
    assert SECRET not in out
    data = json.loads(out)
    assert list(data) == ["table_present", "in_flight", "migrations", "three_way"]
    assert (data["table_present"], data["in_flight"]) == (True, False)
    assert [m["state"] for m in data["migrations"]] == ["applied"] * 16 + ["pending"] * 3
    assert list(data["migrations"][0]) == ["name", "state", "checksum_local", "checksum_db",
                                           "started_at", "finished_at", "absent_objects"]
    assert data["migrations"][16] == {
        "name": seed.FIX_USER_COLUMNS, "state": "pending",
        "checksum_local": data["migrations"][16]["checksum_local"], "checksum_db": None,
        "started_at": None, "finished_at": None, "absent_objects": []}
    assert len(data["three_way"]) == 51
    assert list(data["three_way"][0]) == ["object", "kind", "in_code", "in_history",
                                          "in_database", "verdict", "migration"]
    googleid = next(r for r in data["three_way"] if r["object"] == "User.googleId")
    assert googleid == {"object": "User.googleId", "kind": "column", "in_code": True,
                        "in_history": True, "in_database": False,
                        "verdict": "pending_migration", "migration": seed.FIX_USER_COLUMNS}
    assert len(list((tmp_path / "cache").glob("*.json"))) == 2  # all 19, and the applied 16


@pytest.mark.postgres
def test_text_for_the_post_reset_seed_shows_the_migration_to_write(
        post_reset_pg: str, tmp_path: Path) -> None:
    code, out, err = history("--migrations", str(seed.BASE_MIGRATIONS_DIR), "--database-url",
                             post_reset_pg, "--schema", str(seed.SCHEMA_PATH),
                             "--cache-dir", str(tmp_path / "cache"))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "_prisma_migrations: present"
    assert lines[1] == "Migrations: 16 (16 applied)"
    assert "Three-way differences: 51" in lines
    assert "  write_migration            table        Payment" in lines
    assert "-- The migration to write for the write_migration rows:" in lines
    assert 'CREATE TABLE "Payment" (' in lines


@pytest.mark.postgres
def test_default_shadow_is_the_local_targets_own_server(post_reset_pg: str,
                                                        tmp_path: Path) -> None:
    with override_settings(DRIFTWATCH_SHADOW_DATABASE_URL=""):
        code, out, err = history("--migrations", str(seed.BASE_MIGRATIONS_DIR),
                                 "--database-url", post_reset_pg, "--format", "json",
                                 "--cache-dir", str(tmp_path / "cache"))
    assert (code, err) == (0, "")
    assert json.loads(out)["three_way"] == []


def test_a_remote_target_without_a_shadow_server_is_refused(tmp_path: Path) -> None:
    with override_settings(DRIFTWATCH_SHADOW_DATABASE_URL=""):
        code, out, err = history("--migrations", str(seed.BASE_MIGRATIONS_DIR),
                                 "--database-url",
                                 f"postgresql://app:{SECRET}@db.example.invalid:5432/shop")
    assert code == 1 and out == ""
    assert err == ("history: error: no shadow server is configured to replay the history of "
                   "postgresql://app:***@db.example.invalid:5432/shop: set "
                   "DRIFTWATCH_SHADOW_DATABASE_URL (or --shadow-url) to a PostgreSQL server "
                   "where Driftwatch may create scratch databases\n")


@pytest.mark.postgres
def test_an_unreachable_shadow_server_is_one_redacted_line(post_reset_pg: str,
                                                           tmp_path: Path) -> None:
    code, out, err = history("--migrations", str(seed.BASE_MIGRATIONS_DIR), "--database-url",
                             post_reset_pg, "--shadow-url",
                             f"postgresql://shadow:{SECRET}@127.0.0.1:1/postgres",
                             "--cache-dir", str(tmp_path / "cache"))
    assert code == 1 and out == ""
    assert SECRET not in err and err.count("\n") == 1
    assert err.startswith("history: error: cannot connect to the shadow server "
                          "postgresql://shadow:***@127.0.0.1:1/postgres")


def test_a_folder_without_migration_sql_is_one_line(tmp_path: Path) -> None:
    root = tmp_path / "migrations"
    (root / "20250101000000_empty").mkdir(parents=True)
    code, out, err = history("--migrations", str(root), "--database-url",
                             str(tmp_path / "x.db"))
    assert (code, out) == (1, "")
    assert err == (f"history: error: migration '20250101000000_empty' in {root} has no "
                   "migration.sql; Prisma refuses such a folder, so this history cannot be "
                   "replayed\n")


def test_sqlite_target_replays_in_a_temporary_file(tmp_path: Path) -> None:
    db = build_sqlite_database(tmp_path / "seed.db", include_fixes=False, record_migrations=True)
    code, out, err = history("--migrations", str(seed.SQLITE_BASE_MIGRATIONS_DIR),
                             "--database-url", str(db), "--schema",
                             str(seed.SQLITE_SCHEMA_PATH), "--format", "json",
                             "--cache-dir", str(tmp_path / "cache"))
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["table_present"], data["in_flight"]) == (True, False)
    assert {m["state"] for m in data["migrations"]} == {"applied"}
    assert len(data["migrations"]) == 16
    tables = {r["object"] for r in data["three_way"] if r["kind"] == "table"}
    assert tables == set(seed.MISSING_TABLES)
    assert {r["verdict"] for r in data["three_way"]} == {"write_migration"}


@pytest.mark.postgres
def test_a_held_prisma_lock_reads_in_flight(post_reset_pg: str, tmp_path: Path) -> None:
    import psycopg

    with psycopg.connect(post_reset_pg, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(72707369)")  # what `prisma migrate` holds
        code, out, err = history("--migrations", str(seed.BASE_MIGRATIONS_DIR),
                                 "--database-url", post_reset_pg, "--format", "json",
                                 "--cache-dir", str(tmp_path / "cache"))
    assert (code, err) == (0, "")
    assert json.loads(out)["in_flight"] is True
