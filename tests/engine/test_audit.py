"""The facade: every schema source form, and whole audits of real projects' databases."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from audits import seed
from audits.engine.audit import audit, audit_database, expected_schema
from audits.engine.errors import SchemaError, TargetError
from audits.engine.model import Schema, Severity

SCHEMA = """datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id    Int    @id @default(autoincrement())
  email String @unique
}
"""


def test_expected_schema_from_every_source_form(tmp_path: Path) -> None:
    from_text = expected_schema(SCHEMA)
    assert [t.name for t in from_text.tables] == ["User"]
    (tmp_path / "schema.prisma").write_text(SCHEMA)
    assert expected_schema(tmp_path / "schema.prisma") == from_text
    assert expected_schema(str(tmp_path / "schema.prisma")) == from_text
    assert expected_schema(tmp_path) == from_text
    assert expected_schema({"schema.prisma": SCHEMA}) == from_text
    assert expected_schema(from_text) is from_text
    assert expected_schema(Schema.from_json(from_text.to_json())) == from_text


def test_expected_schema_errors_are_schema_errors(tmp_path: Path) -> None:
    with pytest.raises(SchemaError):
        expected_schema(str(tmp_path / "missing.prisma"))
    with pytest.raises(SchemaError) as error:
        expected_schema("model User {\n  id Int @id\n  x @@@\n}\n")
    assert error.value.line > 0


def test_audit_of_a_sqlite_file_with_timings(tmp_path: Path) -> None:
    from audits.seed.build import build_sqlite_database

    path = build_sqlite_database(tmp_path / "demo.db", include_fixes=True)
    result = audit(seed.SQLITE_SCHEMA_PATH, str(path))
    assert result.report.findings == ()
    assert result.actual.dialect == "sqlite"
    assert set(result.timings) == {"introspect", "compare"}
    assert all(ms >= 0 for ms in result.timings.values())


def test_unreadable_target_is_a_target_error(tmp_path: Path) -> None:
    with pytest.raises(TargetError):
        audit_database(expected_schema(SCHEMA), "postgresql://u:pw@127.0.0.1:1/x",
                       connect_timeout_s=2)


def test_schema_for_another_dialect_is_a_target_error(tmp_path: Path) -> None:
    from audits.seed.build import build_sqlite_database

    path = build_sqlite_database(tmp_path / "demo.db")
    with pytest.raises(TargetError) as error:
        audit(seed.SCHEMA_PATH, str(path))
    assert str(error.value) == (f"{path} is a sqlite database but the schema's datasource "
                                "provider is postgresql")


def _apply_history(url: str, migrations: Path) -> None:
    for folder in sorted(p for p in migrations.iterdir() if p.is_dir()):
        done = subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", url, "-f",
                               str(folder / "migration.sql")], capture_output=True, text=True)
        assert done.returncode == 0, f"{folder.name}: {done.stderr}"


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize("project", ["umami", "inbox-zero", "langfuse"])
def test_real_projects_full_history_has_no_drift_above_info(
        project: str, scratch_pg: str, shared_dir: Path) -> None:
    root = shared_dir / "fixtures" / "real-world" / project
    _apply_history(scratch_pg, root / "migrations")
    report = audit(root / "schema.prisma", scratch_pg).report
    above_info = [(f.kind, f.table, f.column or f.object_name) for f in report.findings
                  if f.severity != Severity.INFO]
    assert above_info == []
    if project == "umami":  # SOURCE.md: exactly one extra object
        assert [(f.kind, f.object_name) for f in report.findings] == [
            ("extra_unique", "board_board_id_key")]
