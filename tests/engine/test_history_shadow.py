"""The fast replay on PostgreSQL (one transaction, template databases) builds exactly what the
statement-by-statement replay builds: the same schema and the same step-by-step attribution,
and a failing history still reads as it did."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from audits.engine.history import shadow
from audits.engine.history.folder import MigrationsFolder, read_folder
from audits.engine.history.replay import Replay, clear_memory_cache, replay
from audits.engine.history.shadow import BatchFailed, drop_templates, template_names
from tests.engine.prisma_history import write_folder

replay_module = importlib.import_module("audits.engine.history.replay")

# Each migration exercises one rule of the one-transaction replay.
TRICKY = {
    "01_init": (
        'CREATE TYPE "Role" AS ENUM (\'USER\', \'ADMIN\');\n'
        'CREATE TABLE "User" ("id" SERIAL NOT NULL, "email" TEXT NOT NULL, "role" "Role",'
        ' CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n'
        'CREATE TABLE "Old" ("id" INTEGER);\n'
    ),
    # a value added here is used by the next migration: only possible after a commit
    "02_add_value": 'ALTER TYPE "Role" ADD VALUE \'OWNER\';\n',
    "03_use_value": 'ALTER TABLE "User" ALTER COLUMN "role" SET DEFAULT \'OWNER\';\n'
                    'UPDATE "User" SET "role" = \'OWNER\' WHERE "id" < 0;\n',
    # refuses a transaction block: runs alone, between commits
    "04_concurrent": "-- CreateIndex\n"
                     'CREATE UNIQUE INDEX CONCURRENTLY "User_email_key" ON "User"("email");\n',
    # its own transaction control: runs on its own, statement by statement
    "05_own_transaction": (
        "BEGIN;\n"
        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;\n"
        "SET LOCAL statement_timeout = 0;\n"
        'ALTER TABLE "User" ADD COLUMN "name" TEXT; -- the display name\n'
        "COMMIT;\n"
    ),
    # a session setting that changes how the catalog prints ("public"."Role" off the path)
    "06_search_path": (
        'CREATE SCHEMA "extra";\n'
        'SET search_path TO "extra";\n'
        'CREATE TABLE "Side" ("id" INTEGER);\n'
        'ALTER TABLE public."User" ADD COLUMN "second_role" public."Role" DEFAULT \'USER\''
        ' -- ends in a comment, without a semicolon'
    ),
    "07_change_and_drop": (
        'ALTER TABLE public."User" ALTER COLUMN "email" SET DATA TYPE VARCHAR(300);\n'
        'DROP TABLE public."Old";\n'
        'CREATE FUNCTION public.touch() RETURNS trigger AS $$ BEGIN NEW."name" := \'x;y\';'
        " RETURN NEW; END $$ LANGUAGE plpgsql;\n"
    ),
}


@pytest.fixture(autouse=True)
def fresh_memory() -> Iterator[None]:
    clear_memory_cache()
    yield
    clear_memory_cache()


@pytest.fixture
def tricky(tmp_path: Path, pg_admin_dsn: str) -> Iterator[MigrationsFolder]:
    folder = read_folder(write_folder(tmp_path / "m", TRICKY))
    drop_templates(pg_admin_dsn, template_names(folder.migrations))
    yield folder
    drop_templates(pg_admin_dsn, template_names(folder.migrations))


def _slow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every replay take the statement-by-statement path, as all replays did before."""
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise BatchFailed("forced by the test")

    monkeypatch.setattr(replay_module, "_run_batched", refuse)


def _count_calls(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[str]:
    calls: list[str] = []
    original: Callable[..., Any] = getattr(owner, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls


def _ran(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the migrations the fast path runs from now on."""
    names: list[str] = []
    original = shadow.Batch.run

    def run(self: shadow.Batch, migration: Any) -> None:
        names.append(migration.name)
        original(self, migration)

    monkeypatch.setattr(shadow.Batch, "run", run)
    return names


def _same(first: Replay, second: Replay) -> None:
    assert first.schema == second.schema
    assert first.attribution == second.attribution
    assert first.error == second.error


def test_the_fast_replay_builds_and_attributes_exactly_what_the_slow_one_does(
        pg_admin_dsn: str, tricky: MigrationsFolder, monkeypatch: pytest.MonkeyPatch) -> None:
    slow_calls = _count_calls(monkeypatch, replay_module, "run_statement_by_statement")
    fast = replay(tricky, pg_admin_dsn, step_by_step=True, templates=0)
    assert slow_calls == []  # nothing fell back
    clear_memory_cache()
    _slow(monkeypatch)
    slow = replay(tricky, pg_admin_dsn, step_by_step=True, templates=0)
    assert len(slow_calls) == len(TRICKY)
    _same(fast, slow)
    user = fast.schema.table("User")
    assert user is not None
    assert [(c.name, c.type, c.default) for c in user.columns] == [
        ("id", "integer", "autoincrement()"), ("email", "character varying(300)", None),
        ("role", "Role", "'OWNER'::\"Role\""), ("name", "text", None),
        ("second_role", "Role", "'USER'::\"Role\"")]
    assert fast.attribution is not None
    assert fast.attribution[("index", "public", "User", "User_email_key")] == "04_concurrent"
    assert fast.attribution[("enum_value", "public", "Role", "OWNER")] == "02_add_value"
    assert ("table", "public", "Old") not in fast.attribution


def test_the_final_schema_alone_is_the_same_too(pg_admin_dsn: str, tricky: MigrationsFolder,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    fast = replay(tricky, pg_admin_dsn, templates=0)
    clear_memory_cache()
    _slow(monkeypatch)
    _same(fast, replay(tricky, pg_admin_dsn, templates=0))


def test_a_failing_history_is_replayed_the_old_way_with_its_partial_state(
        pg_admin_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = read_folder(write_folder(tmp_path / "m", {
        "01_ok": 'CREATE TABLE "A" ("id" INTEGER);\n',
        "02_broken": '-- first line\nCREATE TABLE "B" ("id" INTEGER);\n\nALTER TABLE "Nope" '
                     'ADD COLUMN "x" INTEGER;\nCREATE TABLE "C" ("id" INTEGER);\n',
        "03_never": 'CREATE TABLE "D" ("id" INTEGER);\n',
    }))
    fast = replay(folder, pg_admin_dsn, step_by_step=True, keep_going=True)
    assert fast.error == ('migration 02_broken fails at line 4 of migration.sql: relation '
                          '"Nope" does not exist')
    assert [t.name for t in fast.schema.tables] == ["A", "B"]  # B ran before the failure
    clear_memory_cache()
    _slow(monkeypatch)
    _same(fast, replay(folder, pg_admin_dsn, step_by_step=True, keep_going=True))
    assert [name for name in template_names(folder.migrations)
            if name in _templates(pg_admin_dsn)] == []  # a failed replay is no template


def test_a_grown_history_starts_from_the_template_of_its_prefix(
        pg_admin_dsn: str, tricky: MigrationsFolder, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = _ran(monkeypatch)
    prefix = replay(tricky, pg_admin_dsn, names=tricky.names[:-1], step_by_step=True)
    assert ran == list(tricky.names[:-1])
    assert template_names(tricky.migrations)[-2] in _templates(pg_admin_dsn)
    ran.clear()
    grown = replay(tricky, pg_admin_dsn, step_by_step=True)
    assert ran == ["07_change_and_drop"]  # the rest came from the prefix's template
    assert prefix.schema != grown.schema
    clear_memory_cache()
    ran.clear()
    drop_templates(pg_admin_dsn, template_names(tricky.migrations))
    cold = replay(tricky, pg_admin_dsn, step_by_step=True, templates=0)
    assert ran == list(tricky.names)
    _same(grown, cold)


def test_a_step_by_step_replay_needs_the_prefix_attribution_to_use_its_template(
        pg_admin_dsn: str, tricky: MigrationsFolder, monkeypatch: pytest.MonkeyPatch) -> None:
    replay(tricky, pg_admin_dsn, names=tricky.names[:-1])  # a template, no attribution cached
    ran = _ran(monkeypatch)
    whole = replay(tricky, pg_admin_dsn, step_by_step=True)
    assert ran == list(tricky.names)
    assert whole.attribution is not None and len(whole.attribution) > 10


def test_templates_beyond_the_limit_are_dropped_oldest_first(
        pg_admin_dsn: str, tmp_path: Path) -> None:
    folders = [read_folder(write_folder(tmp_path / f"m{n}", {
        "01": f'CREATE TABLE "T{n}_{tmp_path.name[-8:]}" ("id" INTEGER);'}))
        for n in range(3)]
    names = [template_names(folder.migrations)[-1] for folder in folders]
    try:
        for folder in folders:
            replay(folder, pg_admin_dsn, templates=2)
            _wait_for_prune()
        present = _templates(pg_admin_dsn)
        assert names[2] in present and names[0] not in present
    finally:
        drop_templates(pg_admin_dsn, names)


def _wait_for_prune() -> None:
    import threading

    for thread in threading.enumerate():
        if thread.name == "driftwatch-shadow-prune":
            thread.join(timeout=60)


def _templates(admin: str) -> set[str]:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                            (shadow.TEMPLATE_PREFIX + "%",)).fetchall()
    return {row[0] for row in rows}
