"""Demo data for `python manage.py demo`: the SQL of the seed incident's fix migrations, and
the seed's post-reset database as targets, audited at once.

``register()`` adds the loaders to recovery's demo hook (recovery never imports audits); only
``AuditsConfig.ready`` calls it, and no page or service imports this module. Idempotent: SQL that
already matches the seed is not written again, a target that exists is kept, and an audit runs
only when the target has no successful one yet.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings

from audits import seed
from audits.catastrophe import services as watch
from audits.catastrophe.models import VitalSignsRecord
from audits.core.credentials import scrub
from audits.core.models import AuditRun, SchemaVersion, Target, content_hash
from audits.endpoints import services as endpoint_services
from audits.endpoints.models import EndpointScan
from audits.engine.vitals import read_vitals
from audits.seed.build import apply_postgres_migrations, build_sqlite_database
from audits.targets import services
from recovery.demo import fill_demo_migration_sql, register_demo_loader
from recovery.models import Incident

SQLITE_SLUG = "marketplace-sqlite"
PG_SLUG = "marketplace-production"
PG_DATABASE = "driftwatch_demo_target"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def register() -> None:
    """The demo's loaders, in the order ``manage.py demo`` must run them."""
    register_demo_loader(load_demo_migration_sql)  # first: later loaders see the real SQL
    register_demo_loader(load_demo_targets)
    register_demo_loader(load_demo_endpoints)  # after the targets exist
    register_demo_loader(load_demo_catastrophe)  # after the targets' first audit


def load_demo_migration_sql(incident: Incident) -> list[str]:
    """Fill in the SQL of the incident's fix migrations from audits/seed/fix_migrations, the
    one copy of those scripts (recovery logs the rows without it). Returns the names written."""
    return fill_demo_migration_sql(incident, seed_fix_migration_sql())


def seed_fix_migration_sql() -> dict[str, str]:
    """Each PostgreSQL fix migration's migration.sql by folder name, exactly as on disk:
    decoded from the bytes, so no newline is translated and the checksum is the file's."""
    return {folder.name: (folder / "migration.sql").read_bytes().decode("utf-8")
            for folder in seed.fix_migration_folders("postgresql")}


def load_demo_targets(incident: Incident) -> list[Target]:
    targets = [sqlite_target()]
    pg = postgres_target()
    if pg is not None:
        targets.append(pg)
    for target in targets:
        target.incidents.add(incident)
        audit_once(target)
    return targets


def sqlite_target() -> Target:
    path = Path(settings.VAR_DIR) / "demo" / "marketplace-post-reset.sqlite3"
    if not _sqlite_is_current(path):
        path.unlink(missing_ok=True)
        build_sqlite_database(path, record_migrations=True)  # history tab: 16 applied
    target = _target(
        slug=SQLITE_SLUG, name="Marketplace (SQLite demo)", dsn=f"sqlite:///{path}",
        schema_path=seed.SQLITE_SCHEMA_PATH, migrations=seed.SQLITE_BASE_MIGRATIONS_DIR,
    )
    return _with_pre_incident_version(target, seed.SQLITE_PRE_INCIDENT_SCHEMA_PATH)


def postgres_target() -> Target | None:
    admin = os.environ.get("DRIFTWATCH_DEMO_PG", DEFAULT_PG)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (PG_DATABASE,)).fetchone()
            if exists and not _postgres_is_current(_as_url(admin, PG_DATABASE)):
                conn.execute(f'DROP DATABASE "{PG_DATABASE}" WITH (FORCE)')
                exists = None
            if not exists:
                conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"Demo: no PostgreSQL target ({scrub(first_line, admin)})",
              file=sys.stdout)
        return None
    url = _as_url(admin, PG_DATABASE)
    if not exists:
        apply_postgres_migrations(url, seed.base_migration_folders("postgresql"),
                                  record_migrations=True)
    target = _target(
        slug=PG_SLUG, name="Marketplace production (PostgreSQL)", dsn=url,
        schema_path=seed.SCHEMA_PATH, migrations=seed.BASE_MIGRATIONS_DIR,
    )
    return _with_pre_incident_version(target, seed.PRE_INCIDENT_SCHEMA_PATH)


# A demo database left by an older Driftwatch (say, built before migrations were recorded) is
# rebuilt, so the demo always tells the seed's story: 16 base migrations applied and recorded.
def _sqlite_is_current(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            (count,) = conn.execute("SELECT count(*) FROM _prisma_migrations").fetchone()
    except sqlite3.Error:
        return False
    return bool(count == len(seed.base_migration_folders("sqlite")))


def _postgres_is_current(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            row = conn.execute("SELECT count(*) FROM _prisma_migrations").fetchone()
    except psycopg.Error:
        return False
    return row is not None and row[0] == len(seed.base_migration_folders("postgresql"))


def _as_url(admin_url: str, dbname: str) -> str:
    base, _, _ = admin_url.partition("?")
    return base.rsplit("/", 1)[0] + f"/{dbname}"


def _target(*, slug: str, name: str, dsn: str, schema_path: Path, migrations: Path) -> Target:
    existing = Target.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    return services.create_target(
        name=name, slug=slug, dsn=dsn,
        schema_files=services.read_schema_files(schema_path),
        interval_minutes=60, code_path=str(seed.BACKEND_DIR), migrations_path=str(migrations),
    )


PRE_INCIDENT_LABEL = "schema.prisma before the incident (TrackingEvent, Order.paymentStatus)"


def _with_pre_incident_version(target: Target, path: Path) -> Target:
    """The schema the code expected before the reset, stored as the target's earlier version, so
    its Changes tab opens on the seed's API update guide (pre-incident → current). The current
    version stays current; a demo loaded again finds the version and adds nothing."""
    files = services.read_schema_files(path)
    current = target.current_schema
    if current is None or target.schema_versions.filter(content_hash=content_hash(files)).exists():
        return target
    earlier = services.add_schema_version(target, files, label=PRE_INCIDENT_LABEL)
    SchemaVersion.objects.filter(pk=earlier.pk).update(
        created_at=current.created_at - timedelta(days=1))
    services.add_schema_version(target, current.content)
    return target


def audit_once(target: Target) -> None:
    target.refresh_from_db()
    if target.last_success_id:
        return
    run = services.request_audit(target, trigger="demo", enqueue=False)
    services.execute_audit(run.pk)


# -- endpoints ----------------------------------------------------------------------------------


def load_demo_endpoints(incident: Any) -> list[EndpointScan]:
    """Demo loader (registered after the targets'): the seed targets scan the seed backend.

    Their audits already computed the endpoints (after_audit); this covers demo targets that
    existed before endpoint safety did, or that lack a code path. Idempotent.
    """
    scans = []
    for target in Target.objects.filter(slug__in=[SQLITE_SLUG, PG_SLUG]):
        if not target.code_path:
            target.code_path = str(seed.BACKEND_DIR)
            target.save(update_fields=["code_path"])
        scan = endpoint_services.scan_of(target)
        if scan is not None and not scan.error and scan.run_id == target.last_success_id:
            scans.append(scan)
            continue
        with contextlib.suppress(endpoint_services.EndpointScanError):
            scans.append(endpoint_services.rescan(target))
    return scans


# -- the catastrophe watch ----------------------------------------------------------------------

# The marketplace before `prisma migrate reset --force`: every migration applied (base and
# fixes) and this many rows, as the demo's stand-in for production's last healthy audit.
PRE_RESET_ROWS = {"User": 4812, "SupplierProfile": 310, "Product": 2460, "Order": 2306}
PRE_RESET_PG_DATABASE = "driftwatch_demo_before_reset"


def load_demo_catastrophe(incident: Any) -> list[Any]:
    """Demo loader: the post-reset targets carry the catastrophe watch's detection and its SEV1
    incident. The pre-reset production is rebuilt for real (all migrations, a few thousand
    rows) and its vital signs read by the engine; they are recorded as an audit on the day
    before the reset, and the post-reset audit's vital signs are compared with them again.
    Idempotent: a target that already has a detection is left alone."""
    detected = []
    for target in Target.objects.filter(slug__in=[SQLITE_SLUG, PG_SLUG]):
        if VitalSignsRecord.objects.filter(target=target, healthy=False).exists():
            continue
        post = VitalSignsRecord.objects.filter(target=target).order_by("-id").first()
        if post is None:
            continue
        before = _pre_reset_vitals(target.dialect)
        if before is None:
            continue
        before = _applied_when_named(before, target.dialect)
        earlier = post.run.finished_at or post.run.queued_at
        when = earlier - timedelta(days=1)
        run = AuditRun.objects.create(target=target, status=AuditRun.State.SUCCEEDED,
                                      trigger="demo", worst_status="ok")
        AuditRun.objects.filter(pk=run.pk).update(queued_at=when, started_at=when,
                                                  finished_at=when, duration_ms=0)
        VitalSignsRecord.objects.create(
            run=run, target=target, vitals=before.to_stored(), total_rows=before.total_rows(),
            table_count=len(before.user_tables()), rows_exact=before.exact_counts)
        post_run, post_signs = post.run, post.signs()
        post.delete()
        record = watch.record_vitals(post_run, post_signs)
        if record is not None:
            detected.append(record)
    return detected


def _applied_when_named(vitals: Any, dialect: str) -> Any:
    """Production applied its migrations over months, not during the demo: the bookkeeping's
    oldest and newest ``started_at`` are the times the first and last folder names carry."""
    folders = seed.base_migration_folders(dialect) + seed.fix_migration_folders(dialect)
    first, last = (datetime.strptime(folders[i].name[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
                   for i in (0, -1))
    migrations = tuple(replace(m, oldest_started_at=first.isoformat(),
                               newest_started_at=last.isoformat()) for m in vitals.migrations)
    return replace(vitals, migrations=migrations)


def _pre_reset_vitals(dialect: str) -> Any:
    if dialect == Target.Dialect.SQLITE:
        path = Path(settings.VAR_DIR) / "demo" / "marketplace-before-reset.sqlite3"
        build_sqlite_database(path, include_fixes=True, record_migrations=True)
        with sqlite3.connect(path) as conn:
            _insert_rows(conn.cursor(), "?", now=0)
        return read_vitals(f"sqlite:///{path}")
    admin = os.environ.get("DRIFTWATCH_DEMO_PG", DEFAULT_PG)
    url = _as_url(admin, PRE_RESET_PG_DATABASE)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PRE_RESET_PG_DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PRE_RESET_PG_DATABASE}"')
        apply_postgres_migrations(url, seed.base_migration_folders("postgresql")
                                  + seed.fix_migration_folders("postgresql"),
                                  record_migrations=True)
        with psycopg.connect(url, autocommit=True) as conn:
            with conn.cursor() as cursor:
                _insert_rows(cursor, "%s", now=datetime.now(UTC))
            conn.execute("ANALYZE")
            conn.execute("SELECT pg_stat_force_next_flush()")
        return read_vitals(url)
    except psycopg.Error:
        return None
    finally:
        with contextlib.suppress(psycopg.Error), psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PRE_RESET_PG_DATABASE}" WITH (FORCE)')


def _insert_rows(cursor: Any, mark: str, *, now: Any) -> None:
    users, suppliers, products, orders = (PRE_RESET_ROWS[name] for name in PRE_RESET_ROWS)
    cursor.executemany(
        f'INSERT INTO "User" ("id", "email", "updatedAt") VALUES ({mark}, {mark}, {mark})',
        [(f"u{n}", f"user{n}@example.ng", now) for n in range(users)])
    cursor.executemany(
        'INSERT INTO "SupplierProfile" ("id", "userId", "businessName", "businessAddress", '
        f'"city", "state", "updatedAt") VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark}, '
        f"{mark})",
        [(f"s{n}", f"u{n}", f"Parts {n}", "Ladipo Market", "Lagos", "Lagos", now)
         for n in range(suppliers)])
    cursor.executemany(
        'INSERT INTO "Product" ("id", "supplierId", "name", "price", "category", "updatedAt") '
        f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark})",
        [(f"p{n}", f"s{n % suppliers}", f"Brake pad {n}", 12500, "brakes", now)
         for n in range(products)])
    cursor.executemany(
        'INSERT INTO "Order" ("id", "orderNumber", "customerId", "productId", "subtotal", '
        f'"total", "shippingAddress", "updatedAt") VALUES ({mark}, {mark}, {mark}, {mark}, '
        f"{mark}, {mark}, {mark}, {mark})",
        [(f"o{n}", f"ORD-{n}", f"u{n % users}", f"p{n % products}", 12500, 14000, "Ikeja",
          now) for n in range(orders)])
