"""``--database-url-env NAME`` on every command that takes a database URL: the URL comes from the
environment (so a password shows neither in ``ps`` nor in shell history), exactly one of the two
flags is required, and a missing variable is one stderr line naming it (never a value), exit 1."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audits import seed
from audits.engine import cli
from audits.seed.build import build_sqlite_database

ENV = "DW_TEST_DATABASE_URL"
ROOT = Path(__file__).resolve().parents[3]
COMMANDS = ("drift", "fix_migration", "history", "endpoints")


def base_args(command: str) -> list[str]:
    """Every argument but the database URL."""
    schema = ["--schema", str(seed.SQLITE_SCHEMA_PATH)]
    if command == "history":
        return ["--migrations", str(seed.SQLITE_BASE_MIGRATIONS_DIR), *schema, "--format", "json"]
    if command == "endpoints":
        return ["--code", str(seed.BACKEND_DIR), *schema, "--format", "json"]
    return schema


def run(command: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def post_reset(tmp_path: Path) -> str:
    return str(build_sqlite_database(tmp_path / "post.db"))


@pytest.fixture(autouse=True)
def history_cache(settings, tmp_path: Path) -> None:
    settings.VAR_DIR = str(tmp_path / "var")


@pytest.mark.parametrize("command", COMMANDS)
def test_env_var_gives_the_same_result_as_the_flag(command, post_reset, monkeypatch):
    direct = run(command, *base_args(command), "--database-url", post_reset)
    monkeypatch.setenv(ENV, post_reset)
    via_env = run(command, *base_args(command), "--database-url-env", ENV)
    assert direct[0] == 0 and direct[2] == "" and direct[1]
    assert via_env == direct


@pytest.mark.parametrize("command", COMMANDS)
def test_both_flags_are_refused(command, post_reset, monkeypatch):
    monkeypatch.setenv(ENV, post_reset)
    with pytest.raises(CommandError, match="--database-url-env: not allowed with argument "
                                           "--database-url"):
        run(command, *base_args(command), "--database-url", post_reset, "--database-url-env", ENV)


@pytest.mark.parametrize("command", COMMANDS)
def test_one_of_the_flags_is_required(command):
    with pytest.raises(CommandError, match="one of the arguments --database-url "
                                           "--database-url-env is required"):
        run(command, *base_args(command))


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_or_empty_variable_is_one_line_naming_it(command, value, monkeypatch):
    if value is None:
        monkeypatch.delenv(ENV, raising=False)
    else:
        monkeypatch.setenv(ENV, value)
    assert run(command, *base_args(command), "--database-url-env", ENV) == (
        1, "", f"{command}: error: environment variable {ENV} is not set or is empty\n")


@pytest.mark.parametrize("command", COMMANDS)
def test_the_variable_s_password_is_never_printed(command, monkeypatch):
    monkeypatch.setenv(ENV, "postgresql://dw:hunter2-in-env@127.0.0.1:1/nowhere")
    code, out, err = run(command, *base_args(command), "--database-url-env", ENV)
    assert code == 1 and out == ""
    assert err.startswith(f"{command}: error: ") and err.count("\n") == 1
    assert "hunter2-in-env" not in err


# --- the engine's own CLI, as manage.py's fast path runs it (no Django) -----------------------


@pytest.mark.parametrize("command", ("drift", "fix_migration"))
def test_engine_cli_reads_the_variable(command, post_reset, monkeypatch, capsys):
    assert cli.main([command, *base_args(command), "--database-url", post_reset]) == 0
    direct = capsys.readouterr()
    monkeypatch.setenv(ENV, post_reset)
    assert cli.main([command, *base_args(command), "--database-url-env", ENV]) == 0
    assert capsys.readouterr() == direct and direct.out


@pytest.mark.parametrize("command", ("drift", "fix_migration"))
def test_engine_cli_missing_variable_and_flag_errors(command, post_reset, monkeypatch, capsys):
    monkeypatch.delenv(ENV, raising=False)
    assert cli.main([command, *base_args(command), "--database-url-env", ENV]) == 1
    assert capsys.readouterr() == (
        "", f"{command}: error: environment variable {ENV} is not set or is empty\n")
    for flags in ([], ["--database-url", post_reset, "--database-url-env", ENV]):
        with pytest.raises(SystemExit) as exit_info:
            cli.main([command, *base_args(command), *flags])
        assert exit_info.value.code == 2 and "--database-url" in capsys.readouterr().err


def test_manage_py_fast_path_reads_the_variable(post_reset):
    env = {**os.environ, ENV: post_reset}
    done = subprocess.run(
        [sys.executable, "manage.py", "drift", "--schema", str(seed.SQLITE_SCHEMA_PATH),
         "--database-url-env", ENV, "--exit-code"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == cli.EXIT_DRIFT and done.stderr == ""
    assert done.stdout.endswith(
        "2 models broken, 20 missing, 41 findings: 41 critical, 0 error, 0 warning, 0 info\n")
    env.pop(ENV)
    done = subprocess.run(
        [sys.executable, "manage.py", "drift", "--schema", str(seed.SQLITE_SCHEMA_PATH),
         "--database-url-env", ENV],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", f"drift: error: environment variable {ENV} is not set or is empty\n")
