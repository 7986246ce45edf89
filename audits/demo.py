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
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings

from audits import seed
from audits.core.credentials import scrub
from audits.core.models import Target
from audits.endpoints import services as endpoint_services
from audits.endpoints.models import EndpointScan
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
    return _target(
        slug=SQLITE_SLUG, name="Marketplace (SQLite demo)", dsn=f"sqlite:///{path}",
        schema_path=seed.SQLITE_SCHEMA_PATH, migrations=seed.SQLITE_BASE_MIGRATIONS_DIR,
    )


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
    return _target(
        slug=PG_SLUG, name="Marketplace production (PostgreSQL)", dsn=url,
        schema_path=seed.SCHEMA_PATH, migrations=seed.BASE_MIGRATIONS_DIR,
    )


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
