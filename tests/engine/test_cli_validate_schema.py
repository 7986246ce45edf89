"""``manage.py validate_schema PATH [--format text|json]`` (the engine CLI's validate_schema):
exit 0 when Prisma would accept the schema, warnings or not; 1 when not; JSON
``{"errors": [{"file", "line", "column", "message"}], "warnings": [...]}``."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

REPO = Path(__file__).resolve().parents[2]
VALID = 'datasource db {\n  provider = "sqlite"\n}\nmodel A {\n  id Int @id\n}\n'
INVALID = ('datasource db {\n  provider = "sqlite"\n}\nmodel A {\n  id Int @id\n  b Strin\n'
           "}\n")


def run(*args: str) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "manage.py", "validate_schema", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout, done.stderr


def test_a_valid_schema_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "schema.prisma"
    path.write_text(VALID)
    assert run(str(path)) == (0, f"The schema at {path} is valid.\n", "")
    code, out, _ = run(str(path), "--format", "json")
    assert (code, json.loads(out)) == (0, {"errors": [], "warnings": []})


def test_an_invalid_schema_exits_1_with_its_errors(tmp_path: Path) -> None:
    path = tmp_path / "schema.prisma"
    path.write_text(INVALID)
    message = ('Type "Strin" is neither a built-in type, nor refers to another model, composite '
               "type, or enum.")
    assert run(str(path)) == (
        1, f"{path}:6:3: error: {message}\nThe schema at {path} is invalid: 1 error.\n", "")
    code, out, _ = run(str(path), "--format", "json")
    assert code == 1
    assert json.loads(out) == {"errors": [{"file": str(path), "line": 6, "column": 3,
                                           "message": message}], "warnings": []}


def test_a_folder_is_a_multi_file_schema(tmp_path: Path) -> None:
    (tmp_path / "a.prisma").write_text('datasource db {\n  provider = "sqlite"\n}\n')
    (tmp_path / "b.prisma").write_text("model A {\n  id Int @id\n  b B\n}\n")
    code, out, _ = run(str(tmp_path), "--format", "json")
    assert code == 1
    assert [(e["file"], e["line"]) for e in json.loads(out)["errors"]] == [("b.prisma", 3)]


def test_a_missing_path_is_one_line_on_stderr(tmp_path: Path) -> None:
    assert run(str(tmp_path / "absent.prisma")) == (
        1, "", f"validate_schema: error: {tmp_path / 'absent.prisma'}: "
               f"{tmp_path / 'absent.prisma'} does not exist\n")


@pytest.mark.django_db
def test_call_command_is_the_same_command(tmp_path: Path) -> None:
    path = tmp_path / "schema.prisma"
    path.write_text(INVALID)
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("validate_schema", str(path), "--format", "json", stdout=out, stderr=err)
    assert exited.value.code == 1
    assert json.loads(out.getvalue())["errors"][0]["line"] == 6
