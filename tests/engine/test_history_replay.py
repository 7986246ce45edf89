"""Replaying a migrations folder on a shadow server: the schema it builds, attributed step by
step, no scratch database left, refused on the target's own server, and cached by content hash."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from audits.engine.compare import compare
from audits.engine.errors import HistoryError
from audits.engine.history.folder import read_folder
from audits.engine.history.replay import (
    SHADOW_PREFIX,
    ShadowChoice,
    clear_memory_cache,
    replay,
    same_server,
)
from audits.engine.introspect import introspect
from audits.seed import (
    ALL_TABLES,
    BASE_MIGRATIONS_DIR,
    CORE_TABLES,
    SQLITE_BASE_MIGRATIONS_DIR,
    SQLITE_FIX_MIGRATIONS_DIR,
    base_migration_folders,
)
from audits.seed.build import apply_postgres_migrations
from tests.engine.prisma_history import write_folder

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/postgres"

STEPS = {
    "01_init": (
        'CREATE TYPE "Role" AS ENUM (\'USER\', \'ADMIN\');\n'
        'CREATE TABLE "User" ("id" SERIAL NOT NULL, "email" TEXT NOT NULL, "role" "Role",'
        ' "age" INTEGER, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n'
        'CREATE TABLE "Old" ("id" INTEGER);\n'
    ),
    "02_concurrent_index": (
        "-- Prisma cannot wrap this in a transaction\n"
        'CREATE UNIQUE INDEX CONCURRENTLY "User_email_key" ON "User"("email");\n'
    ),
    "03_trigger_and_transaction": (
        "BEGIN;\n"
        'ALTER TABLE "User" ADD COLUMN "name" TEXT;\n'
        "COMMIT;\n"
        'CREATE FUNCTION touch() RETURNS trigger AS $$ BEGIN NEW."name" := \'x;y\'; RETURN NEW;'
        " END $$ LANGUAGE plpgsql;\n"
    ),
    "04_change_and_drop": (
        'ALTER TYPE "Role" ADD VALUE \'OWNER\';\n'
        'ALTER TABLE "User" ALTER COLUMN "age" SET DATA TYPE BIGINT;\n'
        'DROP TABLE "Old";\n'
    ),
}


@pytest.fixture(autouse=True)
def fresh_memory() -> Iterator[None]:
    clear_memory_cache()
    yield
    clear_memory_cache()


def _shadow_databases(admin: str) -> set[str]:
    with psycopg.connect(admin, autocommit=True) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                            (SHADOW_PREFIX + "%",)).fetchall()
    return {row[0] for row in rows}


@pytest.fixture
def scratch_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The scratch databases this test's replays create (other tests, other workers and other
    checkouts replay on the same server at the same time, so the server's list moves)."""
    module = importlib.import_module("audits.engine.history.replay")
    original = module.scratch_database
    names: list[str] = []

    @contextmanager
    def recording(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with original(*args, **kwargs) as scratch:
            names.append(scratch.name)
            yield scratch

    monkeypatch.setattr(module, "scratch_database", recording)
    return names


def test_replay_builds_the_schema_and_leaves_no_scratch_database(
        pg_admin_dsn: str, tmp_path: Path, scratch_names: list[str]) -> None:
    folder = read_folder(write_folder(tmp_path / "m", STEPS))
    result = replay(folder, pg_admin_dsn)
    assert len(scratch_names) == 1  # kept as a template or dropped: no scratch database is left
    assert not set(scratch_names) & _shadow_databases(pg_admin_dsn)
    assert result.cached is False and result.attribution is None
    assert result.migrations == tuple(STEPS)
    assert [t.name for t in result.schema.tables] == ["User"]
    user = result.schema.table("User")
    assert user is not None
    assert [(c.name, c.type) for c in user.columns] == [
        ("id", "integer"), ("email", "text"), ("role", "Role"), ("age", "bigint"),
        ("name", "text")]
    assert [(i.name, i.unique) for i in user.indexes] == [("User_email_key", True)]
    assert [(e.name, e.values) for e in result.schema.enums] == [
        ("Role", ("USER", "ADMIN", "OWNER"))]


def test_step_by_step_attributes_each_object_to_its_last_creator(pg_admin_dsn: str,
                                                                  tmp_path: Path) -> None:
    folder = read_folder(write_folder(tmp_path / "m", STEPS))
    owners = replay(folder, pg_admin_dsn, step_by_step=True).attribution
    assert owners is not None
    assert owners == {
        ("table", "public", "User"): "01_init",
        ("column", "public", "User", "id"): "01_init",
        ("column", "public", "User", "email"): "01_init",
        ("column", "public", "User", "role"): "01_init",
        ("column", "public", "User", "age"): "04_change_and_drop",
        ("column", "public", "User", "name"): "03_trigger_and_transaction",
        ("primary_key", "public", "User"): "01_init",
        ("index", "public", "User", "User_email_key"): "02_concurrent_index",
        ("enum", "public", "Role"): "01_init",
        ("enum_value", "public", "Role", "USER"): "01_init",
        ("enum_value", "public", "Role", "ADMIN"): "01_init",
        ("enum_value", "public", "Role", "OWNER"): "04_change_and_drop",
    }  # "Old" was dropped by a later migration: it has no owner, so it is never "absent"


def test_a_failing_migration_names_itself_and_its_line_and_still_drops(
        pg_admin_dsn: str, tmp_path: Path, scratch_names: list[str]) -> None:
    folder = read_folder(write_folder(tmp_path / "m", {
        "01_ok": 'CREATE TABLE "A" ("id" INTEGER);\n',
        "02_broken": '-- first line\nCREATE TABLE "B" ("id" INTEGER);\n\nALTER TABLE "Nope" '
                     'ADD COLUMN "x" INTEGER;\n',
    }))
    with pytest.raises(HistoryError, match=r'^migration 02_broken fails at line 4 of '
                                           r'migration.sql: relation "Nope" does not exist'):
        replay(folder, pg_admin_dsn)
    assert len(scratch_names) == 2  # the one-transaction try, then the old way for the message
    assert not set(scratch_names) & _shadow_databases(pg_admin_dsn)


def test_the_targets_own_server_is_refused_unless_allowed(pg_admin_dsn: str, scratch_pg: str,
                                                          tmp_path: Path) -> None:
    folder = read_folder(write_folder(tmp_path / "m", {"01": 'CREATE TABLE "A" ("id" int);'}))
    assert same_server(pg_admin_dsn, scratch_pg)
    assert same_server("postgresql://u:p@localhost/x", "host=127.0.0.1 port=5432 dbname=y")
    assert not same_server("postgresql://u@db.internal/x", "postgresql://u@localhost/x")
    with pytest.raises(HistoryError, match="is the target's own server") as caught:
        replay(folder, pg_admin_dsn, target_dsn=scratch_pg)
    assert "postgres@127.0.0.1" in str(caught.value)
    allowed = replay(folder, pg_admin_dsn, target_dsn=scratch_pg, allow_target_server=True)
    assert [t.name for t in allowed.schema.tables] == ["A"]


def test_no_shadow_server_is_a_clear_error(tmp_path: Path) -> None:
    folder = read_folder(write_folder(tmp_path / "m", {"01": 'CREATE TABLE "A" ("id" int);'}))
    with pytest.raises(HistoryError, match="no shadow server configured"):
        replay(folder, None)


def test_an_unreachable_shadow_server_is_a_clear_error(tmp_path: Path) -> None:
    folder = read_folder(write_folder(tmp_path / "m", {"01": 'CREATE TABLE "A" ("id" int);'}))
    with pytest.raises(HistoryError, match=r"cannot connect to the shadow server "
                                           r"postgresql://postgres@127.0.0.1:1/postgres"):
        replay(folder, UNREACHABLE)


def test_the_second_replay_of_a_folder_comes_from_the_cache(pg_admin_dsn: str,
                                                            tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    folder = read_folder(write_folder(tmp_path / "m", STEPS))
    first = replay(folder, pg_admin_dsn, step_by_step=True, cache_dir=cache)
    assert first.cached is False
    assert len(list(cache.glob("*.json"))) == 1
    # an unreachable shadow server proves nothing is replayed again: from memory, then disk
    again = replay(read_folder(tmp_path / "m"), UNREACHABLE, step_by_step=True, cache_dir=cache)
    assert again.cached is True
    clear_memory_cache()
    from_disk = replay(folder, UNREACHABLE, cache_dir=cache)
    assert from_disk.cached is True
    assert from_disk.schema == first.schema == again.schema
    assert from_disk.attribution == first.attribution
    assert from_disk.content_hash == folder.content_hash


def test_an_edited_folder_is_replayed_again(pg_admin_dsn: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    root = write_folder(tmp_path / "m", {"01": 'CREATE TABLE "A" ("id" int);'})
    replay(read_folder(root), pg_admin_dsn, cache_dir=cache)
    (root / "01" / "migration.sql").write_text('CREATE TABLE "A" ("id" bigint);')
    with pytest.raises(HistoryError, match="cannot connect"):
        replay(read_folder(root), UNREACHABLE, cache_dir=cache)
    edited = replay(read_folder(root), pg_admin_dsn, cache_dir=cache)
    table = edited.schema.table("A")
    assert table is not None and table.columns[0].type == "bigint"


def test_a_damaged_cache_file_is_replaced(pg_admin_dsn: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    folder = read_folder(write_folder(tmp_path / "m", {"01": 'CREATE TABLE "A" ("id" int);'}))
    replay(folder, pg_admin_dsn, cache_dir=cache)
    [entry] = cache.glob("*.json")
    entry.write_text("{not json")
    clear_memory_cache()
    result = replay(folder, pg_admin_dsn, cache_dir=cache)
    assert result.cached is False and [t.name for t in result.schema.tables] == ["A"]


def test_a_subset_replays_only_the_named_migrations(pg_admin_dsn: str, tmp_path: Path) -> None:
    folder = read_folder(write_folder(tmp_path / "m", STEPS))
    result = replay(folder, pg_admin_dsn, names=["01_init"])
    assert result.migrations == ("01_init",)
    assert [t.name for t in result.schema.tables] == ["Old", "User"]
    with pytest.raises(HistoryError, match="not in"):
        replay(folder, pg_admin_dsn, names=["99_missing"])
    empty = replay(folder, UNREACHABLE, names=[], step_by_step=True)
    assert empty.schema.tables == () and empty.attribution == {}


def test_the_seed_history_replays_to_the_post_reset_database(pg_admin_dsn: str,
                                                             scratch_pg: str) -> None:
    apply_postgres_migrations(scratch_pg, base_migration_folders())
    history = replay(read_folder(BASE_MIGRATIONS_DIR), pg_admin_dsn).schema
    assert sorted(t.name for t in history.tables) == sorted(CORE_TABLES)
    live = introspect(scratch_pg)
    assert compare(history, live).findings == ()
    assert compare(live, history).findings == ()


def test_sqlite_replays_into_a_temporary_file(tmp_path: Path) -> None:
    root = tmp_path / "sqlite-migrations"
    root.mkdir()
    for source in (SQLITE_BASE_MIGRATIONS_DIR, SQLITE_FIX_MIGRATIONS_DIR):
        for folder in source.iterdir():
            if folder.is_dir():
                (root / folder.name).mkdir()
                (root / folder.name / "migration.sql").write_bytes(
                    (folder / "migration.sql").read_bytes())
    (root / "migration_lock.toml").write_bytes(
        (SQLITE_BASE_MIGRATIONS_DIR / "migration_lock.toml").read_bytes())
    folder = read_folder(root)
    assert folder.provider == "sqlite"
    result = replay(folder, step_by_step=True)
    assert result.schema.dialect == "sqlite"
    assert sorted(t.name for t in result.schema.tables) == sorted(ALL_TABLES)
    assert result.attribution is not None
    assert result.attribution[("table", "public", "Payment")] == \
        "20260212133000_create_missing_tables"
    assert result.attribution[("column", "public", "User", "googleId")] == \
        "20260212132000_add_missing_user_columns"


def test_choose_shadow_policy() -> None:
    from audits.engine.history import choose_shadow

    assert choose_shadow("/tmp/x.db", "postgresql://s@shadow/postgres") == \
        ShadowChoice(dsn=None, allow_target_server=False)
    assert choose_shadow("postgresql://u@db.internal/app", "postgresql://s@shadow/postgres") == \
        ShadowChoice(dsn="postgresql://s@shadow/postgres", allow_target_server=False)
    assert choose_shadow("postgresql://u@127.0.0.1:5433/app", "postgresql://s@shadow/pg") == \
        ShadowChoice(dsn="postgresql://s@shadow/pg", allow_target_server=True)
    own = choose_shadow("postgresql://u@localhost:5433/app", "")
    assert own.allow_target_server is True
    assert psycopg.conninfo.conninfo_to_dict(own.dsn or "") == {
        "user": "u", "host": "localhost", "port": "5433", "dbname": "postgres"}
    with pytest.raises(HistoryError, match=r"no shadow server is configured to replay the "
                                           r"history of postgresql://u:\*\*\*@db.internal/app"):
        choose_shadow("postgresql://u:secret@db.internal/app", None)


def test_the_cache_folder_keeps_only_the_newest_replays(pg_admin_dsn: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    replay_module = importlib.import_module("audits.engine.history.replay")
    monkeypatch.setattr(replay_module, "DISK_ENTRIES", 2)
    cache = tmp_path / "cache"
    for number in range(3):
        folder = read_folder(write_folder(tmp_path / f"m{number}", {
            "01": f'CREATE TABLE "T{number}" ("id" int);'}))
        replay(folder, pg_admin_dsn, cache_dir=cache)
    assert len(list(cache.glob("*.json"))) == 2
    clear_memory_cache()
    newest = replay(read_folder(tmp_path / "m2"), UNREACHABLE, cache_dir=cache)
    assert newest.cached is True


def test_keep_going_stops_at_the_failing_migration_and_says_so(pg_admin_dsn: str,
                                                               tmp_path: Path) -> None:
    folder = read_folder(write_folder(tmp_path / "m", {
        "01_ok": 'CREATE TABLE "A" ("id" INTEGER);\n',
        "02_broken": 'CREATE TABLE "B" ("id" INTEGER);\nSELECT 1/0;\n',
        "03_never": 'CREATE TABLE "C" ("id" INTEGER);\n',
    }))
    result = replay(folder, pg_admin_dsn, step_by_step=True, keep_going=True)
    assert result.error == "migration 02_broken fails at line 2 of migration.sql: division by zero"
    assert [t.name for t in result.schema.tables] == ["A", "B"]
    assert result.attribution is not None
    assert result.attribution[("table", "public", "B")] == "02_broken"
    with pytest.raises(HistoryError, match="^migration 02_broken fails at line 2"):
        replay(folder, UNREACHABLE, step_by_step=True)  # the cached failure, raised again
