"""Reading a Prisma migrations folder: order, lock file, checksums as Prisma computes them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from audits.engine.errors import HistoryError
from audits.engine.history.folder import (
    ChecksumMatch,
    checksum_match,
    prisma_checksum,
    read_folder,
)
from audits.engine.history.statements import split_statements
from audits.seed import BASE_MIGRATIONS_DIR
from audits.seed.build import migration_checksum
from tests.engine.prisma_history import write_folder


def test_folders_sort_in_byte_order_of_names(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "m", {
        "20240126184148_new_models copy": "SELECT 2;",
        "20240126184148_new_models": "SELECT 1;",
        "b_lower": "SELECT 4;",
        "B_upper": "SELECT 3;",
        "01_init": "SELECT 0;",
    })
    folder = read_folder(root)
    assert folder.names == ("01_init", "20240126184148_new_models",
                            "20240126184148_new_models copy", "B_upper", "b_lower")
    assert folder.provider == "postgresql"


def test_a_folder_without_migration_sql_is_an_error_naming_it(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "m", {"01_init": "SELECT 1;"})
    (root / "02_empty").mkdir()
    with pytest.raises(HistoryError, match="'02_empty'.*has no migration.sql"):
        read_folder(root)


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="does not exist"):
        read_folder(tmp_path / "nowhere")


def test_no_lock_file_means_no_provider(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "m", {"01_init": "SELECT 1;"})
    (root / "migration_lock.toml").unlink()
    assert read_folder(root).provider is None


def test_checksum_is_sha256_hex_of_the_file_bytes_like_the_seed_builder() -> None:
    folder = read_folder(BASE_MIGRATIONS_DIR)
    assert len(folder.migrations) == 16
    for migration in folder.migrations:
        text = (BASE_MIGRATIONS_DIR / migration.name / "migration.sql").read_text("utf-8")
        assert migration.checksum == migration_checksum(text)
        assert migration.checksum == hashlib.sha256(migration.sql).hexdigest()


def test_crlf_and_lf_variants_match_as_in_prisma_but_an_edit_does_not() -> None:
    lf = b"CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n"
    crlf = lf.replace(b"\n", b"\r\n")
    assert checksum_match(lf, prisma_checksum(lf)) == ChecksumMatch.EXACT
    assert checksum_match(crlf, prisma_checksum(lf)) == ChecksumMatch.LINE_ENDINGS
    assert checksum_match(lf, prisma_checksum(crlf)) == ChecksumMatch.LINE_ENDINGS
    edited = lf + b"-- edited\n"
    assert checksum_match(edited, prisma_checksum(lf)) == ChecksumMatch.NONE


def test_old_unpadded_checksums_still_match() -> None:
    sql = next(bytes([n]) * 3 for n in range(256)
               if any(b < 16 for b in hashlib.sha256(bytes([n]) * 3).digest()))
    unpadded = "".join(f"{b:x}" for b in hashlib.sha256(sql).digest())
    assert len(unpadded) < 64
    assert checksum_match(sql, unpadded) == ChecksumMatch.EXACT


def test_content_hash_changes_with_any_byte_and_name(tmp_path: Path) -> None:
    one = read_folder(write_folder(tmp_path / "a", {"01": "SELECT 1;", "02": "SELECT 2;"}))
    same = read_folder(write_folder(tmp_path / "b", {"01": "SELECT 1;", "02": "SELECT 2;"}))
    edited = read_folder(write_folder(tmp_path / "c", {"01": "SELECT 1;", "02": "SELECT 3;"}))
    renamed = read_folder(write_folder(tmp_path / "d", {"01": "SELECT 1;", "03": "SELECT 2;"}))
    assert one.content_hash == same.content_hash
    assert len({one.content_hash, edited.content_hash, renamed.content_hash}) == 3


def test_statements_split_outside_quotes_dollar_quotes_and_comments() -> None:
    sql = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE \"a;b\" (v text DEFAULT 'x;''y');\n"
        "/* block; /* nested; */ still comment; */\n"
        "CREATE FUNCTION f() RETURNS trigger AS $body$ BEGIN x := 1; RETURN NEW; END $body$"
        " LANGUAGE plpgsql;\n"
        "DO $$ BEGIN PERFORM 1; END $$;\n"
        "SELECT E'it\\'s; fine';\n"
        "CREATE INDEX CONCURRENTLY \"i\" ON \"a;b\"(v);\n"
        "-- trailing comment only\n"
    )
    statements = split_statements(sql)
    assert [s.sql.split()[0:2] for s in statements] == [
        ["CREATE", "TABLE"], ["CREATE", "FUNCTION"], ["DO", "$$"], ["SELECT", "E'it\\'s;"],
        ["CREATE", "INDEX"]]
    assert [s.line for s in statements] == [2, 4, 5, 6, 7]
    assert statements[1].sql.endswith("LANGUAGE plpgsql")


def test_every_real_world_file_splits_into_statements(shared_dir: Path) -> None:
    counts = {}
    for project in ("umami", "inbox-zero", "langfuse"):
        folder = read_folder(shared_dir / "fixtures" / "real-world" / project / "migrations")
        counts[project] = len(folder.migrations)
        for migration in folder.migrations:
            for statement in split_statements(migration.text):
                assert statement.sql and not statement.sql.endswith(";")
    assert counts == {"umami": 19, "inbox-zero": 240, "langfuse": 434}
