"""The demo loader: seed targets linked to the seed incident and audited, idempotent."""

from __future__ import annotations

import hashlib
import sqlite3
import uuid

import psycopg
import pytest
from django.urls import reverse

from audits import demo, seed
from audits.core.models import AuditRun, Finding, Target
from recovery.demo import SQL_NOT_AVAILABLE, demo_loaders, load_seed_incident
from recovery.models import Migration, prisma_checksum
from recovery.postmortem import build_markdown

pytestmark = pytest.mark.django_db


def test_loader_is_registered_with_recovery():
    assert demo.load_demo_targets in demo_loaders()
    loaders = demo_loaders()
    # the SQL first: the targets' audits and pages then see the incident's real checksums
    assert loaders.index(demo.load_demo_migration_sql) < loaders.index(demo.load_demo_targets)


def test_demo_migrations_hold_the_seed_sql_byte_for_byte():
    incident = load_seed_incident()
    assert set(incident.migrations.values_list("sql", flat=True)) == {SQL_NOT_AVAILABLE}
    folders = seed.fix_migration_folders("postgresql")
    assert demo.load_demo_migration_sql(incident) == [f.name for f in folders]
    assert demo.load_demo_migration_sql(incident) == []  # idempotent: nothing written again
    assert Migration.objects.count() == 3
    migrations = {m.name: m for m in incident.migrations.all()}
    assert list(migrations) == [f.name for f in folders] == list(seed.FIX_MIGRATION_NAMES)
    for folder in folders:
        script = (folder / "migration.sql").read_bytes()
        migration = migrations[folder.name]
        assert migration.sql.encode("utf-8") == script
        assert migration.checksum == hashlib.sha256(script).hexdigest()
        assert migration.checksum == prisma_checksum(migration.sql)


def test_postmortem_shows_the_seed_sql(mobile_client):
    incident = load_seed_incident()
    demo.load_demo_migration_sql(incident)
    text = build_markdown(incident)
    assert "SQL not available" not in text
    for number, folder in enumerate(seed.fix_migration_folders("postgresql"), start=1):
        script = (folder / "migration.sql").read_bytes().decode("utf-8")
        checksum = hashlib.sha256(script.encode("utf-8")).hexdigest()
        assert f"### Migration {number}: {folder.name}" in text
        assert f"**Checksum**: `{checksum}`" in text
        assert f"```sql\n{script.rstrip()}\n```" in text
    html = mobile_client.get(reverse("recovery:postmortem", args=[incident.slug])).content
    assert b'<code class="language-sql">ALTER TABLE "User" ADD COLUMN "username" TEXT;' in html


def test_sqlite_only_when_postgres_is_unreachable(settings, tmp_path, monkeypatch, capsys):
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("DRIFTWATCH_DEMO_PG", "postgresql://postgres:pw@127.0.0.1:1/postgres")
    incident = load_seed_incident()
    demo.load_demo_targets(incident)
    demo.load_demo_targets(incident)  # idempotent
    target = Target.objects.get()
    assert target.slug == demo.SQLITE_SLUG and list(target.incidents.all()) == [incident]
    run = AuditRun.objects.get()
    assert (run.status, run.worst_status, run.trigger) == ("succeeded", "missing", "demo")
    assert Finding.objects.filter(run=run, table="User", kind="missing_column").count() == 9
    out = capsys.readouterr().out
    assert "Demo: no PostgreSQL target" in out and ":pw@" not in out


@pytest.fixture
def pg_demo_target(settings, tmp_path, monkeypatch, pg_admin_dsn):
    """The demo's PostgreSQL target, in a database of this test's own."""
    settings.VAR_DIR = tmp_path
    name = f"dw_demo_{uuid.uuid4().hex[:10]}"
    monkeypatch.setattr(demo, "PG_DATABASE", name)
    monkeypatch.setenv("DRIFTWATCH_DEMO_PG", pg_admin_dsn)
    try:
        demo.load_demo_targets(load_seed_incident())
        yield Target.objects.get(slug=demo.PG_SLUG)
    finally:
        with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgres_target_when_reachable(pg_demo_target):
    assert pg_demo_target.last_success.worst_status == "missing"
    missing_tables = Finding.objects.filter(run=pg_demo_target.last_success, kind="missing_table")
    assert missing_tables.count() == 20


def test_stale_sqlite_demo_database_is_rebuilt(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    stale = tmp_path / "demo" / "marketplace-post-reset.sqlite3"
    stale.parent.mkdir(parents=True)
    with sqlite3.connect(stale) as conn:
        conn.execute('CREATE TABLE "User" (id TEXT PRIMARY KEY)')  # no _prisma_migrations
    demo.sqlite_target()
    with sqlite3.connect(stale) as conn:
        (recorded,) = conn.execute("SELECT count(*) FROM _prisma_migrations").fetchone()
    assert recorded == 16


def test_postgres_demo_drift_tab_names_every_finding(pg_demo_target, mobile_client):
    """Issue 16: the header said 51 critical and the grid added up to 41; the ten missing enums
    were only on the audit page. Every table and enum a finding names has its row now."""
    import re

    run = pg_demo_target.last_success
    html = mobile_client.get(pg_demo_target.get_absolute_url()).content.decode()
    above_info = Finding.objects.filter(run=run).exclude(severity="info")
    names = {f.table or f.object_name for f in above_info if f.kind != "missing_enum_value"}
    assert len(names) == 20 + 2 + 10  # missing tables, User and SupplierProfile, enums
    for named in names:
        assert f"<code>{named}</code>" in html, named
    counts = [int(n) for n in re.findall(
        r'<span class="badge badge-n badge-\w+">(\d+)</span>', html)]
    assert sum(counts) == run.critical_count + run.error_count + run.warning_count \
        + run.info_count == 51
    assert '<span id="target-health" class="badge badge-broken">broken</span>' in html


def _changes_page(client, target):
    return client.get(reverse("audits:target_changes", args=[target.slug]))


def test_sqlite_target_opens_its_changes_tab_on_the_seed_guide(settings, tmp_path, mobile_client):
    """The pre-incident schema is the demo target's earlier version (current stays current), so
    the zero-setup demo's Changes tab is the seed's API update guide, not an empty page."""
    settings.VAR_DIR = tmp_path
    target = demo.sqlite_target()
    demo.sqlite_target()  # idempotent: no third version, the current one stays current
    versions = list(target.schema_versions.order_by("created_at"))
    assert [v.label for v in versions] == [demo.PRE_INCIDENT_LABEL, "schema.prisma"]
    target.refresh_from_db()
    assert target.current_schema == versions[1]
    guide = _changes_page(mobile_client, target).context["guide"]
    assert guide.summary == "31 changes: 9 breaking, 0 risky, 22 safe"
    assert {(c.kind, c.model) for c in guide.changes if c.kind == "model_renamed"} == {
        ("model_renamed", "TrackingUpdate")}


def test_postgres_target_opens_its_changes_tab_on_the_seed_guide(pg_demo_target, mobile_client):
    response = _changes_page(mobile_client, pg_demo_target)
    assert response.context["guide"].summary == "31 changes: 9 breaking, 0 risky, 22 safe"
    assert "Model TrackingEvent was renamed TrackingUpdate" in response.content.decode()
    assert pg_demo_target.last_success.schema_version == pg_demo_target.current_schema
