"""manage.py runs drift and fix_migration through the engine's CLI without importing Django:
the same stdout, stderr and exit code as the management commands under call_command."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from audits import seed
from audits.seed.build import build_sqlite_database

REPO = Path(__file__).resolve().parents[3]


def in_django(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def as_process(*args: str) -> tuple[int, str, str, list[str]]:
    """Exit code, stdout, stderr without the import log, and the django modules imported."""
    done = subprocess.run([sys.executable, "-X", "importtime", "manage.py", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    imports = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    stderr = "".join(f"{line}\n" for line in done.stderr.splitlines()
                     if not line.startswith("import time:"))
    modules = [line.rsplit("|", 1)[1].strip() for line in imports]
    return done.returncode, done.stdout, stderr, sorted(
        m for m in modules if m == "django" or m.startswith("django."))


def test_drift_json_and_text_are_the_commands_own_without_django(tmp_path: Path) -> None:
    path = str(build_sqlite_database(tmp_path / "post_reset.db"))
    for extra in (("--format", "json"), ()):
        args = ("drift", "--schema", str(seed.SQLITE_SCHEMA_PATH), "--database-url", path,
                "--exit-code", *extra)
        code, out, err, django = as_process(*args)
        assert (code, out, err) == in_django(*args)
        assert code == 2 and out.endswith("0 info\n" if not extra else "}\n")
        assert django == []


def test_drift_failure_is_the_same_one_line(tmp_path: Path) -> None:
    args = ("drift", "--schema", str(tmp_path / "nope.prisma"), "--database-url",
            str(tmp_path / "x.db"), "--exit-code")
    code, out, err, django = as_process(*args)
    assert (code, out, err) == in_django(*args)
    assert (code, out, django) == (1, "", [])
    assert err == f"drift: error: {tmp_path / 'nope.prisma'}: {tmp_path / 'nope.prisma'} " \
                  "does not exist\n"


def test_fix_migration_prints_the_same_sql_without_django(tmp_path: Path) -> None:
    path = str(build_sqlite_database(tmp_path / "post_reset.db"))
    args = ("fix_migration", "--schema", str(seed.SQLITE_SCHEMA_PATH), "--database-url", path)
    code, out, err, django = as_process(*args)
    assert (code, out, err) == in_django(*args)
    assert code == 0 and 'ALTER TABLE "User" ADD COLUMN "username" TEXT;' in out
    assert django == []


def test_django_options_still_go_through_django() -> None:
    code, out, _, django = as_process("drift", "--help")
    assert code == 0 and "--settings SETTINGS" in out and "--database-url" in out
    assert "django" in django
