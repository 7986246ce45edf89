"""Schema, code and migrations paths stay under DRIFTWATCH_PATH_ROOTS, files are capped, and
what is stored of an error is its first line (never a file's or the environment's contents)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from audits.core import confinement
from audits.core.credentials import TargetConfigError
from audits.core.models import AuditRun, SchemaVersion, Target
from audits.targets import services
from tests.audits.conftest import SCHEMA, SECRET_DSN
from tests.audits.targets.test_target_form_view import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def allowed(tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    """The only root: a folder holding a valid schema.prisma."""
    root = tmp_path / "allowed"
    root.mkdir()
    (root / "schema.prisma").write_text(SCHEMA)
    settings.DRIFTWATCH_PATH_ROOTS = [str(root)]
    return root


@pytest.mark.parametrize("field", ["schema_path", "code_path", "migrations_path"])
def test_the_form_refuses_a_path_outside_the_roots(backend, allowed: Path, field: str) -> None:
    data = form_data(**{field: "/etc/passwd"})
    if field == "schema_path":
        data["schema_source"] = "path"
    html = backend.post(reverse("audits:target_create"), data).content.decode()
    what = confinement.WHAT[field]
    assert (f"The {what} /etc/passwd is outside the folders Driftwatch may read "
            f"(DRIFTWATCH_PATH_ROOTS: {allowed})." in html.replace("the " + what, "The " + what))
    assert not Target.objects.exists()


def test_dot_dot_and_symlinks_are_resolved_before_the_check(allowed: Path) -> None:
    (allowed / "out").symlink_to("/etc")
    for raw in (f"{allowed}/../../../etc/passwd", f"{allowed}/out/passwd"):
        with pytest.raises(TargetConfigError) as error:
            confinement.confined(raw, "schema path")
        assert str(error.value).startswith(f"the schema path {raw} is outside the folders")
    assert confinement.confined(f"{allowed}/./schema.prisma") == allowed / "schema.prisma"


def test_a_schema_path_that_is_not_a_schema_fails_the_audit_with_one_line(
    allowed: Path, make_target
) -> None:
    (allowed / "notes.prisma").write_text("root:x:0:0:root:/root:/bin/bash\nsecret line two\n")
    target = make_target(schema_path=str(allowed / "notes.prisma"), schema_files=None)
    run = services.request_audit(target, enqueue=False)
    services.execute_audit(run.pk)
    run = AuditRun.objects.get(pk=run.pk)
    assert run.status == "failed"
    assert run.error.startswith("notes.prisma:1:")
    assert "\n" not in run.error and "secret line two" not in run.error


def test_a_path_inside_the_roots_is_accepted(backend, allowed: Path) -> None:
    response = backend.post(reverse("audits:target_create"), form_data(
        schema_source="path", schema_path=str(allowed), code_path=str(allowed)))
    assert response.status_code == 302
    assert Target.objects.get().schema_path == str(allowed)


def test_an_upload_with_a_nul_byte_is_a_form_error_not_a_500(backend, allowed: Path) -> None:
    upload = SimpleUploadedFile("schema.prisma", SCHEMA.encode() + b"\x00")
    response = backend.post(reverse("audits:target_create"), form_data(schema_files=[upload]))
    assert response.status_code == 200
    assert "schema.prisma is not a text file (it holds NUL bytes)." in response.content.decode()
    assert not SchemaVersion.objects.exists()


def test_an_upload_that_is_not_a_schema_is_a_form_error(backend, allowed: Path) -> None:
    upload = SimpleUploadedFile("schema.prisma", b"model {\n")
    html = backend.post(reverse("audits:target_create"),
                        form_data(schema_files=[upload])).content.decode()
    assert "schema.prisma:1:" in html
    assert not Target.objects.exists()


def test_targets_add_refuses_etc_passwd_either_way(allowed: Path) -> None:
    with pytest.raises(CommandError) as error:
        call_command("targets", "add", "--name", "x", "--database-url", SECRET_DSN,
                     "--schema-path", "/etc/passwd", stdout=io.StringIO())
    assert str(error.value) == (
        "the schema path /etc/passwd is outside the folders Driftwatch may read "
        f"(DRIFTWATCH_PATH_ROOTS: {allowed})")
    with pytest.raises(CommandError) as error:
        call_command("targets", "add", "--name", "x", "--database-url", SECRET_DSN,
                     "--schema", "/etc/passwd", stdout=io.StringIO())
    assert str(error.value).startswith("the schema has errors:\npasswd:1:")
    assert not Target.objects.exists()


def test_files_are_capped(allowed: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DRIFTWATCH_MAX_FILE_BYTES = 100
    with pytest.raises(TargetConfigError) as error:
        services.read_schema_files(allowed / "schema.prisma")
    assert str(error.value) == "the schema file schema.prisma is larger than 100 bytes"


def test_at_audit_time_a_swapped_symlink_is_refused_and_nothing_leaks(
    allowed: Path, make_target
) -> None:
    link = allowed / "current.prisma"
    link.symlink_to(allowed / "schema.prisma")
    target = make_target(schema_path=str(link), schema_files=None)
    link.unlink()
    link.symlink_to("/proc/self/environ")  # after the form's check, before the audit
    run = services.request_audit(target, enqueue=False)
    services.execute_audit(run.pk)
    run = AuditRun.objects.get(pk=run.pk)
    assert run.status == "failed"
    assert run.error == (f"the schema path {link} is outside the folders Driftwatch may read "
                         f"(DRIFTWATCH_PATH_ROOTS: {allowed})")
    assert os.environ["SECRET_KEY"] not in run.error


def test_a_schema_path_past_16_mib_fails_the_audit_before_it_is_parsed_and_saves_nothing(
    allowed: Path, make_target
) -> None:
    # 10 MB schemas are read (bench/hostile_input.py: 9.8 s of CPU, 413 MB); past the cap,
    # the file's size is all that is read of it
    target = make_target(schema_path=str(allowed), schema_files=None)
    versions = SchemaVersion.objects.count()
    with (allowed / "huge.prisma").open("w") as file:
        file.write(SCHEMA * (17_000_000 // len(SCHEMA)))
    run = services.request_audit(target, enqueue=False)
    services.execute_audit(run.pk)
    run = AuditRun.objects.get(pk=run.pk)
    assert (run.status, run.error) == (
        "failed", "the schema file huge.prisma is larger than 16,777,216 bytes")
    assert SchemaVersion.objects.count() == versions
    assert not run.findings.exists()


def test_an_upload_past_the_form_cap_is_a_form_error_and_saves_nothing(
    backend, allowed: Path
) -> None:
    # the form parses its upload inside the request, so it takes less than the worker reads
    big = SCHEMA.encode() + b"/// padding\n" * (2 * 1024 * 1024 // 12)
    response = backend.post(reverse("audits:target_create"), form_data(
        schema_files=[SimpleUploadedFile("schema.prisma", big)]))
    assert response.status_code == 200
    assert ("schema.prisma is larger than 2,097,152 bytes, the most the form accepts "
            "(DRIFTWATCH_MAX_UPLOAD_BYTES); a larger schema can be read from a schema path by "
            "the worker.") in response.content.decode()
    assert not Target.objects.exists() and not SchemaVersion.objects.exists()


def test_a_route_file_past_the_scanner_cap_fails_the_scan_and_keeps_the_last_endpoints(
    allowed: Path, make_target
) -> None:
    from audits.endpoints import services as endpoints
    from audits.endpoints.models import Endpoint, EndpointScan

    code = allowed / "backend"
    code.mkdir()
    (code / "app.ts").write_text(
        "import express from 'express';\nconst app = express();\n"
        "app.get('/health', (req, res) => res.json({}));\n")
    target = make_target(code_path=str(code))
    endpoints.rescan(target)
    before = list(Endpoint.objects.filter(target=target).values_list("route", flat=True))
    assert before == ["/health"]
    with (code / "routes.ts").open("wb") as file:
        file.truncate(10 * 1024 * 1024 + 1)
    with pytest.raises(endpoints.EndpointScanError):
        endpoints.rescan(target)
    assert EndpointScan.objects.get(target=target).error == (
        "EngineError: routes.ts is larger than 10,485,760 bytes: too large to scan")
    assert list(Endpoint.objects.filter(target=target).values_list("route", flat=True)) == before


def test_stored_errors_keep_the_first_line_only() -> None:
    driver = ('relation "x" does not exist\nLINE 1: SELECT secret FROM x\n'
              "CONTEXT: PL/pgSQL function leak() line 3")
    assert confinement.stored_error(driver) == 'relation "x" does not exist'
    assert confinement.stored_error("a" * 2100) == "a" * 1999 + "…"


# -- files inside a confined folder -------------------------------------------------------------

OUTSIDE_ROUTES = ("import express from 'express';\nconst router = express.Router();\n"
                  "router.get('/SECRET_KEY=leaked', (req, res) => res.json({}));\n"
                  "export default router;\n")


def test_a_symlink_out_of_the_code_folder_fails_the_scan_and_never_reaches_a_page(
    allowed: Path, tmp_path: Path, make_target, backend
) -> None:
    from audits.endpoints import services as endpoints
    from audits.endpoints.models import Endpoint, EndpointScan

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "routes.ts").write_text(OUTSIDE_ROUTES)
    code = allowed / "backend"
    code.mkdir()
    (code / "app.ts").write_text("import express from 'express';\nconst app = express();\n")
    (code / "routes.ts").symlink_to(outside / "routes.ts")
    target = make_target(code_path=str(code))
    with pytest.raises(endpoints.EndpointScanError):
        endpoints.rescan(target)
    message = ("OutsideRoots: routes.ts resolves outside the folders Driftwatch may read "
               "(DRIFTWATCH_PATH_ROOTS), so it was not read")
    assert EndpointScan.objects.get(target=target).error == message
    assert not Endpoint.objects.filter(target=target).exists()
    html = backend.get(reverse("audits:target_endpoints", args=[target.slug])).content.decode()
    assert "routes.ts resolves outside the folders Driftwatch may read" in html
    assert "SECRET_KEY" not in html and "leaked" not in html
    # the link swapped for /proc/self/environ: the same refusal, the environment never read
    (code / "routes.ts").unlink()
    (code / "routes.ts").symlink_to("/proc/self/environ")
    with pytest.raises(endpoints.EndpointScanError):
        endpoints.rescan(target)
    assert EndpointScan.objects.get(target=target).error == message


def test_a_symlinked_migration_sql_fails_the_history_check_and_never_reaches_a_page(
    allowed: Path, make_target, backend
) -> None:
    from audits.history import services as history
    from audits.history.models import HistoryCheck, MigrationRecord

    folder = allowed / "migrations"
    (folder / "20240101000000_init").mkdir(parents=True)
    (folder / "20240101000000_init" / "migration.sql").write_text("SELECT 1;\n")
    (folder / "20240102000000_env").mkdir()
    (folder / "20240102000000_env" / "migration.sql").symlink_to("/proc/self/environ")
    target = make_target(migrations_path=str(folder))
    run = services.request_audit(target, enqueue=False)
    check = history.record_history(run, None)
    assert check.error == ("20240102000000_env/migration.sql resolves outside the folders "
                           "Driftwatch may read (DRIFTWATCH_PATH_ROOTS), so it was not read")
    assert HistoryCheck.objects.get(run=run).error == check.error
    assert not MigrationRecord.objects.filter(run=run).exists()
    html = backend.get(reverse("audits:target_migrations", args=[target.slug])).content.decode()
    assert "20240102000000_env/migration.sql resolves outside the folders" in html
    assert os.environ["SECRET_KEY"] not in html and "DATABASE_URL=" not in html
