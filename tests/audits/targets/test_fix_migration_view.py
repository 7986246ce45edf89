"""The fix migration of a run: page, .sql download and .zip in Prisma's folder layout."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from audits import seed
from audits.core.models import AuditRun
from audits.seed.build import build_sqlite_database

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_run(tmp_path, make_target):
    path = build_sqlite_database(tmp_path / "post-reset.sqlite3")
    make_target(name="Seed", slug="seed", dsn=f"sqlite:///{path}",
                schema_files={"schema.prisma": seed.SQLITE_SCHEMA_PATH.read_text()})
    with pytest.raises(SystemExit):
        call_command("audit", "seed", "--inline")
    return AuditRun.objects.get()


def test_page_shows_sql_and_the_prisma_path(mobile, seed_run):
    html = mobile.get(reverse("audits:fix_migration", args=["seed", seed_run.pk])).content.decode()
    folder = f"{seed_run.finished_at:%Y%m%d%H%M%S}_driftwatch_fix"
    assert f"prisma/migrations/{folder}/migration.sql" in html
    assert "ALTER TABLE &quot;User&quot; ADD COLUMN &quot;username&quot;" in html
    assert "CREATE TABLE &quot;Review&quot;" in html


def test_sql_download_is_named_after_the_folder(mobile, seed_run):
    response = mobile.get(reverse("audits:fix_migration_sql", args=["seed", seed_run.pk]))
    folder = f"{seed_run.finished_at:%Y%m%d%H%M%S}_driftwatch_fix"
    assert response["Content-Disposition"] == f'attachment; filename="{folder}.migration.sql"'
    assert response["X-Prisma-Path"] == f"prisma/migrations/{folder}/migration.sql"
    assert 'ADD COLUMN "googleId"' in response.content.decode()


def test_zip_has_prisma_layout_and_fixes_the_database(mobile, seed_run, tmp_path, capsys):
    response = mobile.get(reverse("audits:fix_migration_zip", args=["seed", seed_run.pk]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    folder = f"{seed_run.finished_at:%Y%m%d%H%M%S}_driftwatch_fix"
    assert archive.namelist() == [f"prisma/migrations/{folder}/migration.sql"]
    sql = archive.read(archive.namelist()[0]).decode()
    import sqlite3

    conn = sqlite3.connect(tmp_path / "post-reset.sqlite3")
    conn.executescript(sql)
    conn.close()
    capsys.readouterr()
    call_command("audit", "seed", "--inline")  # exit 0: no drift left
    assert ": ok — 0 critical, 0 error, 0 warning" in capsys.readouterr().out


def test_failed_run_has_no_fix(mobile, tmp_path, make_target):
    make_target(slug="down", dsn="sqlite:///" + str(tmp_path / "absent.sqlite3"))
    with pytest.raises(SystemExit):
        call_command("audit", "down", "--inline")
    run = AuditRun.objects.get()
    html = mobile.get(reverse("audits:fix_migration", args=["down", run.pk])).content.decode()
    assert "only a succeeded audit can produce a fix migration" in html


@pytest.mark.postgres
def test_fix_applied_with_psql_clears_the_postgres_seed(mobile, scratch_pg, make_target, tmp_path,
                                                        capsys):
    import subprocess

    from audits.seed.build import apply_postgres_migrations

    apply_postgres_migrations(scratch_pg, seed.base_migration_folders("postgresql"),
                              record_migrations=True)
    make_target(name="Seed PG", slug="seed-pg", dsn=scratch_pg,
                schema_files={"schema.prisma": seed.SCHEMA_PATH.read_text()})
    with pytest.raises(SystemExit):
        call_command("audit", "seed-pg", "--inline")
    run = AuditRun.objects.get()
    assert run.critical_count > 0
    sql_file = tmp_path / "migration.sql"
    sql_file.write_bytes(
        mobile.get(reverse("audits:fix_migration_sql", args=["seed-pg", run.pk])).content)
    subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", "-q", "-d", scratch_pg, "-f",
                    str(sql_file)], check=True, capture_output=True)
    capsys.readouterr()
    call_command("audit", "seed-pg", "--inline")
    assert ": ok — 0 critical, 0 error, 0 warning, 0 info" in capsys.readouterr().out


@pytest.mark.parametrize("download", ["audits:fix_migration_sql", "audits:fix_migration_zip"])
def test_a_failed_run_has_no_fix_to_download(mobile, make_target, download):
    target = make_target(name="Down", slug="down")
    run = AuditRun.objects.create(target=target, status="failed", error="cannot connect")
    response = mobile.get(reverse(download, args=["down", run.pk]))
    assert response.status_code == 404
