"""The incident page's "where is each migration applied" fragment, and the post-mortem's
Deployment status: from each linked target's latest recorded history, not a hand-kept column."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits import demo, seed
from audits.core.models import Target
from audits.engine.history import State, clear_memory_cache
from audits.seed.build import apply_postgres_migrations
from audits.targets import services
from recovery.models import prisma_checksum
from recovery.postmortem import build_markdown
from tests.audits.history.fixtures import error_run, history_report, history_run, status

pytestmark = pytest.mark.django_db
SECRET = "S3cr3t-Pa55w0rd"
NAMES = seed.FIX_MIGRATION_NAMES


def url(incident) -> str:
    return reverse("audits:incident_migrations", args=[incident.slug])


def cells(html: str) -> list[tuple[str, str, str]]:
    """(migration, target slug, state) per cell, in page order."""
    found = []
    for name, body in re.findall(r'<tr data-migration="([^"]+)">(.*?)</tr>', html, re.S):
        for slug, state in re.findall(r'data-target="([^"]+)" data-state="(\w+)"', body):
            found.append((name, slug, state))
    return found


def _with_checksum(value, checksum: str):  # the checksum Prisma recorded
    from dataclasses import replace

    return replace(value, checksum_db=checksum, checksum_local=checksum)


@pytest.fixture
def linked(demo_incident, make_target, finish_run):
    """Two targets linked to the seed incident: production has the first fix applied, staging
    had its history recorded with nothing of the fixes."""
    fixes = list(demo_incident.migrations.order_by("name"))
    prod, _, _ = history_run(make_target, finish_run, history_report(
        (status("20250612093015_init"), _with_checksum(status(fixes[0].name, minutes=5),
                                                         fixes[0].checksum))),
        name="Production", slug="production")
    staging, _, _ = history_run(make_target, finish_run, history_report(
        (status("20250612093015_init"),)), name="Staging", slug="staging")
    for target in (prod, staging):
        target.incidents.add(demo_incident)
    return demo_incident, prod, staging, fixes


@pytest.mark.parametrize("role", ["backend", "mobile"])
def test_each_migration_on_each_linked_target(role, request, linked) -> None:
    incident, prod, staging, fixes = linked
    response = request.getfixturevalue(role).get(url(incident))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="migrations-applied"' not in html  # innerHTML fragment
    assert cells(html) == [
        (NAMES[0], "production", "applied"), (NAMES[0], "staging", "not_applied"),
        (NAMES[1], "production", "not_applied"), (NAMES[1], "staging", "not_applied"),
        (NAMES[2], "production", "not_applied"), (NAMES[2], "staging", "not_applied"),
    ]
    first = html[html.index(f'data-migration="{NAMES[0]}"'):html.index(
        f'data-migration="{NAMES[1]}"')]
    assert "2026-02-12 09:05" in first
    assert '<span class="hw-match hw-match-match">checksum matches</span>' in first
    assert '<span class="badge badge-not_applied">not applied</span>' in html
    assert "<th>Production</th><th>Staging</th>" in html


def test_checksums_compared_with_the_logged_sql(demo_incident, make_target, finish_run,
                                                mobile) -> None:
    fixes = list(demo_incident.migrations.order_by("name"))
    crlf = prisma_checksum(fixes[1].sql.replace("\n", "\r\n"))
    target, _, _ = history_run(make_target, finish_run, history_report((
        _with_checksum(status(fixes[0].name), "0" * 64),
        _with_checksum(status(fixes[1].name), crlf),
        _with_checksum(status(fixes[2].name, State.FAILED), fixes[2].checksum),
    )), slug="prod")
    target.incidents.add(demo_incident)
    client_html = mobile.get(url(demo_incident)).content.decode()
    assert cells(client_html) == [(NAMES[0], "prod", "applied"), (NAMES[1], "prod", "applied"),
                                  (NAMES[2], "prod", "failed")]
    assert client_html.count("checksum differs") == 1
    assert client_html.count("checksum matches (CRLF/LF only)") == 1
    assert client_html.count("checksum matches</span>") == 1


def test_a_target_without_history_says_so(demo_incident, make_target, mobile) -> None:
    target = make_target(slug="unchecked")
    target.incidents.add(demo_incident)
    html = mobile.get(url(demo_incident)).content.decode()
    assert html.count("no migration history recorded yet") == 3
    assert {state for _, _, state in cells(html)} == {"unchecked"}


def test_the_latest_good_history_counts_not_a_failed_check(linked, make_target, finish_run,
                                                            mobile) -> None:
    incident, prod, _, _ = linked
    error_run(make_target, finish_run, "the shadow server is down", target=prod)
    html = mobile.get(url(incident)).content.decode()
    assert (NAMES[0], "production", "applied") in cells(html)


def test_no_linked_target(demo_incident, mobile) -> None:
    html = mobile.get(url(demo_incident)).content.decode()
    assert "No audited database is linked to this incident" in html


def test_the_incident_page_loads_the_fragment(linked, mobile) -> None:
    incident = linked[0]
    page = mobile.get(reverse("recovery:incident_detail", args=[incident.slug]))
    assert (f'<div id="migrations-applied" hx-get="/drift/incidents/{incident.slug}/'
            'migrations/" hx-trigger="load"') in page.content.decode()


def test_constant_queries_whatever_the_targets(demo_incident, make_target, finish_run,
                                               mobile) -> None:
    def link(count: int) -> None:
        for _ in range(count):
            target, _, _ = history_run(make_target, finish_run, history_report(
                (status(NAMES[0]),)))
            target.incidents.add(demo_incident)

    link(2)
    mobile.get(url(demo_incident))
    with CaptureQueriesContext(connection) as few:
        mobile.get(url(demo_incident))
    link(18)
    with CaptureQueriesContext(connection) as many:
        html = mobile.get(url(demo_incident)).content.decode()
    assert len(cells(html)) == 3 * 20
    assert len(few) == len(many)


def test_postmortem_deployment_status(linked) -> None:
    incident = linked[0]
    markdown = build_markdown(incident)
    section = markdown[markdown.index("## Deployment status"):]
    lines = section.splitlines()
    assert lines[2:5] == ["| Migration | Production | Staging |", "|---|---|---|",
                          f"| `{NAMES[0]}` | applied 2026-02-12 09:05 | not applied |"]
    assert lines[5] == f"| `{NAMES[1]}` | not applied | not applied |"


def test_no_password_in_the_fragment(linked, mobile, backend) -> None:
    for client in (mobile, backend):
        assert SECRET not in client.get(url(linked[0])).content.decode()


# -- the seed, end to end on PostgreSQL ---------------------------------------------------------


@pytest.mark.postgres
def test_seed_post_reset_then_fixed(demo_incident, scratch_pg: str, tmp_path: Path, mobile,
                                    settings) -> None:
    clear_memory_cache()
    settings.VAR_DIR = tmp_path / "var"
    settings.DRIFTWATCH_SHADOW_DATABASE_URL = ""
    demo.load_demo_migration_sql(demo_incident)  # as `manage.py demo` does: the seed's SQL
    apply_postgres_migrations(scratch_pg, seed.base_migration_folders(), record_migrations=True)
    folder = tmp_path / "prisma" / "migrations"
    shutil.copytree(seed.BASE_MIGRATIONS_DIR, folder)
    url_with_secret = scratch_pg.replace("postgresql://postgres@",
                                         f"postgresql://postgres:{SECRET}@")
    target = services.create_target(
        name="Marketplace production", slug="marketplace-production", dsn=url_with_secret,
        schema_files=services.read_schema_files(seed.SCHEMA_PATH), migrations_path=str(folder))
    target.incidents.add(demo_incident)

    def audit() -> None:
        run = services.request_audit(Target.objects.get(pk=target.pk), enqueue=False)
        assert services.execute_audit(run.pk).status == "succeeded"

    audit()  # the post-reset database: 16 applied, 41 objects to write a migration for
    pages = _pages(mobile, target, demo_incident)
    assert re.findall(r'data-state="(\w+)">\s*<td data-label="Migration">', pages["migrations"]) \
        == ["applied"] * 16
    assert ("In the code but in no migration: <strong>20</strong> tables, <strong>21</strong> "
            "columns, <strong>10</strong> enums — write a migration.") in pages["migrations"]
    words = re.findall(r'data-object="([^"]+)">.*?<span class="hw-verdict [^"]+">([^<]+)<',
                       pages["three_way"], re.S)
    objects = {obj for obj, verdict in words if verdict == "write a migration"}
    tables_and_columns = {o for o in objects if o in seed.MISSING_TABLES or "." in o}
    assert len(tables_and_columns) == 41 and len(words) == 51  # and the 10 enums
    assert {verdict for _, verdict in words} == {"write a migration"}
    assert 'CREATE TABLE &quot;Payment&quot; (' in pages["three_way"]
    assert cells(pages["incident"]) == [(name, target.slug, "not_applied") for name in NAMES]

    for fix in seed.fix_migration_folders():  # the team's fixes, committed, not deployed yet
        shutil.copytree(fix, folder / fix.name)
    audit()
    pages = _pages(mobile, target, demo_incident)
    assert re.findall(r'data-state="(\w+)">\s*<td data-label="Migration">', pages["migrations"]) \
        == ["applied"] * 16 + ["pending"] * 3
    words = dict(re.findall(r'data-object="([^"]+)">.*?<span class="hw-verdict [^"]+">([^<]+)<',
                            pages["three_way"], re.S))
    assert len(words) == 51
    assert words["User.googleId"] == f"pending migration {seed.FIX_USER_COLUMNS}"
    assert words["Payment"] == f"pending migration {seed.FIX_MISSING_TABLES}"
    assert words["SupplierProfile.keywords"] == (
        f"pending migration {seed.FIX_SUPPLIER_PROFILE_COLUMNS}")
    assert {verdict.rsplit(" ", 1)[0] for verdict in words.values()} == {"pending migration"}
    assert cells(pages["incident"]) == [(name, target.slug, "pending") for name in NAMES]

    apply_postgres_migrations(scratch_pg, seed.fix_migration_folders(), record_migrations=True)
    audit()
    pages = _pages(mobile, target, demo_incident)
    assert re.findall(r'data-state="(\w+)">\s*<td data-label="Migration">', pages["migrations"]) \
        == ["applied"] * 19
    assert "Code, migrations and database agree: nothing to fix." in pages["three_way"]
    assert cells(pages["incident"]) == [(name, target.slug, "applied") for name in NAMES]
    assert pages["incident"].count("checksum matches</span>") == 3
    for html in pages.values():
        assert SECRET not in html


@pytest.mark.postgres
def test_the_demo_targets(settings, tmp_path: Path, monkeypatch, pg_admin_dsn, mobile) -> None:
    """manage.py demo's two targets: 16 applied, 41 objects to write a migration for, and the
    incident's three fix migrations applied nowhere."""
    import uuid

    import psycopg

    from recovery.demo import load_seed_incident

    clear_memory_cache()
    settings.VAR_DIR = tmp_path
    settings.DRIFTWATCH_SHADOW_DATABASE_URL = ""
    name = f"dw_demo_{uuid.uuid4().hex[:10]}"
    monkeypatch.setattr(demo, "PG_DATABASE", name)
    monkeypatch.setenv("DRIFTWATCH_DEMO_PG", pg_admin_dsn)
    try:
        incident = load_seed_incident()
        demo.load_demo_targets(incident)
        for slug in (demo.PG_SLUG, demo.SQLITE_SLUG):
            target = Target.objects.get(slug=slug)
            pages = _pages(mobile, target, incident)
            states = re.findall(r'data-state="(\w+)">\s*<td data-label="Migration">',
                                pages["migrations"])
            assert states == ["applied"] * 16, slug
            assert ("In the code but in no migration: <strong>20</strong> tables, "
                    "<strong>21</strong> columns") in pages["migrations"]
        assert sorted(cells(pages["incident"])) == sorted(
            (migration, slug, "not_applied") for migration in NAMES
            for slug in (demo.PG_SLUG, demo.SQLITE_SLUG))
    finally:
        with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pages(client, target, incident) -> dict[str, str]:
    return {
        "migrations": client.get(reverse("audits:target_migrations", args=[target.slug]))
        .content.decode(),
        "three_way": client.get(reverse("audits:target_three_way", args=[target.slug]))
        .content.decode(),
        "incident": client.get(url(incident)).content.decode(),
    }


def test_each_target_says_its_own_audit_number(mobile, linked) -> None:
    incident, prod, staging, fixes = linked
    html = mobile.get(url(incident)).content.decode()
    numbers = [int(n) for n in re.findall(r"as of audit #(\d+)", html)]
    # each target was audited once: its audit #1 in every cell, though one run's id is 2
    assert len(numbers) == 2 * len(fixes) and set(numbers) == {1}
    assert max(prod.last_success_id, staging.last_success_id) > 1
