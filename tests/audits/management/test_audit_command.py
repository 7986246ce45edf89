"""`manage.py audit`: exit 2 on drift, 1 on error, 0 when clean; JSON for CI."""

from __future__ import annotations

import json
import sqlite3

import pytest
from django.core.management import CommandError, call_command

from audits import seed
from audits.core.models import AuditRun
from audits.seed.build import build_sqlite_database

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_sqlite(tmp_path, make_target):
    path = build_sqlite_database(tmp_path / "post-reset.sqlite3")
    return make_target(name="Seed", slug="seed", dsn=f"sqlite:///{path}",
                       schema_files={"schema.prisma": seed.SQLITE_SCHEMA_PATH.read_text()})


def test_drift_exits_2_with_the_seed_findings_as_json(seed_sqlite, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "seed", "--inline", "--format", "json")
    assert exit_info.value.code == 2
    document = json.loads(capsys.readouterr().out)
    assert document["status"] == "succeeded" and document["worst_status"] == "missing"
    user_columns = sorted(f["column"] for f in document["findings"]
                          if f["table"] == "User" and f["kind"] == "missing_column")
    assert user_columns == sorted(seed.MISSING_USER_COLUMNS)
    assert document["counts"]["critical"] == 41


def test_clean_database_exits_0(tmp_path, make_target, capsys):
    path = build_sqlite_database(tmp_path / "fixed.sqlite3", include_fixes=True)
    make_target(slug="fixed", dsn=f"sqlite:///{path}",
                schema_files={"schema.prisma": seed.SQLITE_SCHEMA_PATH.read_text()})
    call_command("audit", "fixed", "--inline")
    assert ": ok — 0 critical, 0 error, 0 warning" in capsys.readouterr().out


def test_unreadable_target_exits_1_with_the_reason(tmp_path, make_target, capsys):
    broken = tmp_path / "not-a-db.sqlite3"
    broken.write_bytes(b"this is not a database")
    make_target(slug="junk", dsn=f"sqlite:///{broken}")
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "junk", "--inline")
    assert exit_info.value.code == 1
    assert "failed:" in capsys.readouterr().err
    assert AuditRun.objects.get().status == "failed"


def test_wait_without_worker_runs_here(seed_sqlite, monkeypatch, capsys):
    from audits.management.commands import audit as command

    monkeypatch.setattr(command, "RUN_HERE_AFTER_SECONDS", 0.0)
    monkeypatch.setattr("audits.targets.services._enqueue", lambda run_id: None)
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "seed", "--wait")
    assert exit_info.value.code == 2
    assert AuditRun.objects.get().status == "succeeded"


def test_unknown_target_is_an_error(db):
    with pytest.raises(CommandError, match="no target named 'nope'"):
        call_command("audit", "nope")


def test_sqlite_file_is_left_unchanged(seed_sqlite, tmp_path):
    path = tmp_path / "post-reset.sqlite3"
    before = path.read_bytes()
    with pytest.raises(SystemExit):
        call_command("audit", "seed", "--inline")
    assert path.read_bytes() == before
    assert sqlite3.connect(path).execute("select count(*) from sqlite_master").fetchone()[0] > 0
