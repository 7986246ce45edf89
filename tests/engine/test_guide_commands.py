"""``manage.py change_guide`` and ``manage.py decode_error``: the engine's command line (run by
``manage.py`` before Django starts) and the management commands that delegate to it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from audits import seed
from audits.engine.guide_cli import main
from audits.seed.build import apply_postgres_migrations
from tests.conftest import REPO_ROOT, make_scratch_database

PRE_INCIDENT = str(seed.PRE_INCIDENT_SCHEMA_PATH)
CURRENT = str(seed.SCHEMA_PATH)


def manage(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def post_reset_url(pg_admin_dsn: str) -> Iterator[str]:
    for url in make_scratch_database(pg_admin_dsn, prefix="dw_decode_cli"):
        apply_postgres_migrations(url, seed.base_migration_folders())
        yield url


# --- change_guide ------------------------------------------------------------------------------


def test_change_guide_json_through_manage_py() -> None:
    done = manage("change_guide", "--from", PRE_INCIDENT, "--to", CURRENT, "--code",
                  str(seed.BACKEND_DIR), "--format", "json")
    assert (done.returncode, done.stderr) == (0, "")
    changes = json.loads(done.stdout)["changes"]
    renamed = next(c for c in changes if c["kind"] == "model_renamed")
    assert renamed == {
        "kind": "model_renamed", "model": "TrackingUpdate", "field": None, "enum": None,
        "value": None, "from": "TrackingEvent", "to": "TrackingUpdate", "probable": True,
        "impact": "breaking",
        "message": "Model TrackingEvent was renamed TrackingUpdate (probably: it was removed "
                   "while a near-identical model appeared): prisma.trackingEvent is now "
                   "prisma.trackingUpdate.",
        "endpoints": ["GET /api/tracking/live", "POST /api/tracking/live"]}
    assert len(changes) == 31


def test_change_guide_text_markdown_and_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["change_guide", "--from", PRE_INCIDENT, "--to", CURRENT]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[-1] == "31 changes: 9 breaking, 0 risky, 22 safe"
    assert "breaking  model_renamed              TrackingEvent -> TrackingUpdate (probable)" in text
    assert main(["change_guide", "--from", PRE_INCIDENT, "--to", CURRENT, "--format",
                 "markdown", "--exit-code"]) == 2
    assert capsys.readouterr().out.startswith("## Function Name & API Update Guide\n")
    assert main(["change_guide", "--from", CURRENT, "--to", CURRENT, "--exit-code"]) == 0
    assert capsys.readouterr().out == "No change an API consumer would notice.\n"


def test_change_guide_failures_are_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "schema.prisma"
    broken.write_text("model User {\n  id String @id\n")
    done = manage("change_guide", "--from", str(broken), "--to", CURRENT)
    assert done.returncode == 1
    assert done.stderr.startswith("change_guide: error: ")
    assert len(done.stderr.splitlines()) == 1 and str(broken) in done.stderr
    missing = manage("change_guide", "--from", CURRENT, "--to", CURRENT, "--code",
                     str(tmp_path / "nowhere"))
    assert (missing.returncode, missing.stderr) == (
        1, f"change_guide: error: the code folder {tmp_path / 'nowhere'} does not exist\n")


def test_change_guide_management_command() -> None:
    out = io.StringIO()
    call_command("change_guide", "--from", PRE_INCIDENT, "--to", CURRENT, "--format", "json",
                 stdout=out)
    assert len(json.loads(out.getvalue())["changes"]) == 31
    with pytest.raises(SystemExit) as exit_info:
        call_command("change_guide", "--from", PRE_INCIDENT, "--to", CURRENT, "--exit-code",
                     stdout=io.StringIO())
    assert exit_info.value.code == 2


# --- decode_error ------------------------------------------------------------------------------


def test_decode_error_json_through_manage_py(post_reset_url: str) -> None:
    done = manage("decode_error", "--schema", CURRENT, "--database-url-env",
                  "DRIFTWATCH_TARGET_DECODE", "--code", str(seed.BACKEND_DIR), "--format",
                  "json", "The column SupplierProfile.website does not exist in the current "
                  "database", env={"DRIFTWATCH_TARGET_DECODE": post_reset_url})
    assert (done.returncode, done.stderr) == (0, "")
    decoded = json.loads(done.stdout)
    assert list(decoded) == ["error", "findings", "endpoints", "fix", "explanation"]
    assert decoded["error"]["table"] == "SupplierProfile"
    assert [(f["kind"], f["table"], f["column"]) for f in decoded["findings"]] == [
        ("missing_column", "SupplierProfile", "website")]
    assert decoded["endpoints"] == ["POST /api/onboarding/supplier",
                                    "GET /api/trade-in/:id/offers",
                                    "POST /api/trade-in/:id/offers"]
    assert 'ALTER TABLE "SupplierProfile" ADD COLUMN     "website" TEXT;' in decoded["fix"]


def test_decode_error_text_and_stdin(post_reset_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "decode_error", "--schema", CURRENT, "--database-url",
         post_reset_url, "-"], cwd=REPO_ROOT, input='relation "Wallet" does not exist',
        capture_output=True, text=True, timeout=300, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()
    assert lines[:3] == [
        "error: missing_table (table=Wallet)",
        "about: Wallet",
        'finding: critical missing_table: Model Wallet\'s table "Wallet" does not exist, so '
        "every query on Wallet fails.",
    ]
    assert "fix:" in lines and 'CREATE TABLE "Wallet" (' in lines


def test_decode_error_management_command(post_reset_url: str) -> None:
    out = io.StringIO()
    call_command("decode_error", "--schema", CURRENT, "--database-url", post_reset_url,
                 "--format", "json", "Property 'paymentStatus' does not exist on type 'Order'.",
                 stdout=out)
    decoded = json.loads(out.getvalue())
    assert (decoded["findings"], decoded["fix"]) == ([], None)
    assert "does not define field Order.paymentStatus either" in decoded["explanation"]


def test_decode_error_failure_hides_the_password(pg_admin_dsn: str) -> None:
    url = "postgresql://driftwatch:s3cret-pass@127.0.0.1:1/nowhere"
    done = manage("decode_error", "--schema", CURRENT, "--database-url", url,
                  "--connect-timeout-s", "2", 'relation "Wallet" does not exist')
    assert done.returncode == 1
    assert done.stderr.startswith("decode_error: error: ")
    assert len(done.stderr.splitlines()) == 1
    assert "s3cret-pass" not in done.stderr + done.stdout
    unset = manage("decode_error", "--schema", CURRENT, "--database-url-env",
                   "DRIFTWATCH_TARGET_UNSET_H", "x")
    assert (unset.returncode, unset.stderr) == (
        1, "decode_error: error: environment variable DRIFTWATCH_TARGET_UNSET_H is not set or "
           "is empty\n")
    empty = manage("decode_error", "--schema", CURRENT, "--database-url", url, " ")
    assert (empty.returncode, empty.stderr) == (
        1, "decode_error: error: the error message is empty\n")
