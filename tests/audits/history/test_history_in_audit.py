"""Each audit of a target with a migrations folder records its history alongside the drift.

Real PostgreSQL targets built from the seed (migrations applied and recorded in
``_prisma_migrations`` as Prisma does), replayed on the target's own local server.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

from audits import seed
from audits.core.models import AuditRun, Target
from audits.engine.history import clear_memory_cache
from audits.history.models import (
    HistoryCheck,
    HistoryRecordImmutable,
    MigrationRecord,
    ThreeWayRecord,
)
from audits.seed.build import apply_postgres_migrations, build_sqlite_database
from audits.targets import services

SECRET = "S3cr3t-Pa55w0rd"
SEED_OBJECTS = 41  # 9 User + 12 SupplierProfile columns, 20 tables


@pytest.fixture(autouse=True)
def fresh_memory(settings, tmp_path: Path) -> None:
    clear_memory_cache()
    settings.VAR_DIR = tmp_path / "var"  # the replay cache of these tests only
    settings.DRIFTWATCH_SHADOW_DATABASE_URL = ""


@pytest.fixture
def post_reset_pg(scratch_pg: str) -> str:
    apply_postgres_migrations(scratch_pg, seed.base_migration_folders(), record_migrations=True)
    return scratch_pg


def seed_target(dsn: str, migrations: Path | str, slug: str = "marketplace",
                schema: Path = seed.SCHEMA_PATH) -> Target:
    return services.create_target(
        name=slug.title(), slug=slug, dsn=dsn,
        schema_files=services.read_schema_files(schema), migrations_path=str(migrations))


def audit(target: Target) -> AuditRun:
    run = services.request_audit(target, enqueue=False)
    done = services.execute_audit(run.pk)
    assert done is not None
    return done


def with_secret(url: str) -> str:
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{SECRET}@")


@pytest.mark.postgres
@pytest.mark.django_db
def test_post_reset_seed_records_16_applied_and_41_objects_to_write(post_reset_pg: str) -> None:
    run = audit(seed_target(with_secret(post_reset_pg), seed.BASE_MIGRATIONS_DIR))
    assert run.status == "succeeded" and run.critical_count > 0
    check = HistoryCheck.objects.get(run=run)
    assert (check.error, check.table_present, check.in_flight, check.recreated) == (
        "", True, False, False)
    assert check.state_counts == {"applied": 16}
    assert check.verdict_counts == {"write_migration": SEED_OBJECTS + 10}  # + the 10 enums
    assert 'CREATE TABLE "Payment" (' in check.fix_sql
    records = list(MigrationRecord.objects.filter(run=run))
    assert [r.name for r in records] == [p.name for p in seed.base_migration_folders()]
    assert {(r.state, r.checksum_match, r.absent_count) for r in records} == {
        ("applied", "exact", 0)}
    assert all(r.checksum_local == r.checksum_db and r.finished_at for r in records)
    rows = ThreeWayRecord.objects.filter(run=run).exclude(kind="enum")
    assert rows.count() == SEED_OBJECTS
    assert {r.verdict for r in rows} == {"write_migration"}
    assert set(rows.filter(kind="table").values_list("object", flat=True)) == set(
        seed.MISSING_TABLES)
    username = rows.get(object="User.username")
    assert (username.kind, username.table, username.model, username.in_code,
            username.in_history, username.in_database, username.migration) == (
        "column", "User", "User", True, False, False, "")
    assert SECRET not in check.fix_sql + "".join(r.message for r in rows)


@pytest.mark.postgres
@pytest.mark.django_db
def test_after_the_fixes_are_applied_and_recorded_nothing_is_left(
        post_reset_pg: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(seed.BASE_MIGRATIONS_DIR, folder)
    for fix in seed.fix_migration_folders():
        shutil.copytree(fix, folder / fix.name)
    target = seed_target(post_reset_pg, folder)
    pending = HistoryCheck.objects.get(run=audit(target))
    assert pending.state_counts == {"applied": 16, "pending": 3}
    assert set(pending.verdict_counts) == {"pending_migration"}
    apply_postgres_migrations(post_reset_pg, seed.fix_migration_folders(),
                              record_migrations=True)
    run = audit(target)
    check = HistoryCheck.objects.get(run=run)
    assert (run.critical_count, check.error, check.state_counts, check.verdict_counts) == (
        0, "", {"applied": 19}, {})
    assert ThreeWayRecord.objects.filter(run=run).count() == 0
    assert list(MigrationRecord.objects.filter(run=run).values_list("name", flat=True))[-3:] \
        == list(seed.FIX_MIGRATION_NAMES)


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_history_failure_is_recorded_and_the_drift_audit_stands(
        post_reset_pg: str, tmp_path: Path) -> None:
    broken = tmp_path / "migrations"
    (broken / "20250101000000_empty").mkdir(parents=True)
    run = audit(seed_target(with_secret(post_reset_pg), broken))
    assert run.status == "succeeded" and run.error == ""
    assert run.critical_count == AuditRun.objects.get(pk=run.pk).critical_count > 0
    check = HistoryCheck.objects.get(run=run)
    assert check.error == (f"migration '20250101000000_empty' in {broken} has no migration.sql; "
                           "Prisma refuses such a folder, so this history cannot be replayed")
    assert (check.table_present, check.state_counts) == (None, {})
    assert not MigrationRecord.objects.filter(run=run).exists()
    target = Target.objects.get(pk=run.target_id)
    assert (target.last_success_id, target.worst_status) == (run.pk, "missing")


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_unreachable_shadow_server_is_a_redacted_history_error(
        post_reset_pg: str, settings) -> None:
    settings.DRIFTWATCH_SHADOW_DATABASE_URL = f"postgresql://shadow:{SECRET}@127.0.0.1:1/postgres"
    run = audit(seed_target(with_secret(post_reset_pg), seed.BASE_MIGRATIONS_DIR))
    check = HistoryCheck.objects.get(run=run)
    assert run.status == "succeeded"
    assert check.error.startswith(
        "cannot connect to the shadow server postgresql://shadow:***@127.0.0.1:1/postgres")
    assert SECRET not in check.error


@pytest.mark.django_db
def test_a_crash_in_the_history_check_never_fails_the_audit(tmp_path: Path,
                                                            monkeypatch) -> None:
    db = build_sqlite_database(tmp_path / "seed.db", record_migrations=True)
    target = seed_target(f"sqlite:///{db}", seed.SQLITE_BASE_MIGRATIONS_DIR,
                         schema=seed.SQLITE_SCHEMA_PATH)

    def crash(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("audits.history.services._check", crash)
    run = audit(target)
    assert run.status == "succeeded"
    assert HistoryCheck.objects.get(run=run).error == (
        "internal error while checking the migration history")


@pytest.mark.django_db
def test_a_target_without_a_migrations_folder_records_no_history(tmp_path: Path) -> None:
    db = build_sqlite_database(tmp_path / "seed.db", record_migrations=True)
    target = seed_target(f"sqlite:///{db}", "", schema=seed.SQLITE_SCHEMA_PATH)
    run = audit(target)
    assert run.status == "succeeded"
    assert not HistoryCheck.objects.filter(run=run).exists()


@pytest.mark.django_db
def test_sqlite_target_replays_in_a_temporary_file(tmp_path: Path) -> None:
    db = build_sqlite_database(tmp_path / "seed.db", record_migrations=True)
    run = audit(seed_target(f"sqlite:///{db}", seed.SQLITE_BASE_MIGRATIONS_DIR,
                            schema=seed.SQLITE_SCHEMA_PATH))
    check = HistoryCheck.objects.get(run=run)
    assert (check.error, check.table_present, check.state_counts) == ("", True, {"applied": 16})
    tables = set(ThreeWayRecord.objects.filter(run=run, kind="table")
                 .values_list("object", flat=True))
    assert tables == set(seed.MISSING_TABLES)
    assert set(check.verdict_counts) == {"write_migration"}


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_reset_between_two_audits_reads_recreated(post_reset_pg: str) -> None:
    target = seed_target(post_reset_pg, seed.BASE_MIGRATIONS_DIR)
    first = HistoryCheck.objects.get(run=audit(target))
    with psycopg.connect(post_reset_pg, autocommit=True) as conn:
        conn.execute('CREATE TABLE "_copy" AS SELECT * FROM "_prisma_migrations"')
        conn.execute('DROP TABLE "_prisma_migrations"')
        conn.execute('ALTER TABLE "_copy" RENAME TO "_prisma_migrations"')
    second = HistoryCheck.objects.get(run=audit(target))
    third = HistoryCheck.objects.get(run=audit(target))
    assert (first.recreated, second.recreated, third.recreated) == (False, True, False)
    assert second.identity["oid"] != first.identity["oid"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_no_prisma_migrations_table_is_a_target_fact(scratch_pg: str) -> None:
    apply_postgres_migrations(scratch_pg, seed.base_migration_folders(), record_migrations=False)
    run = audit(seed_target(scratch_pg, seed.BASE_MIGRATIONS_DIR))
    check = HistoryCheck.objects.get(run=run)
    assert (check.error, check.table_present, check.state_counts) == (
        "", False, {"pending": 16})


@pytest.mark.django_db
def test_history_rows_are_written_once(tmp_path: Path) -> None:
    db = build_sqlite_database(tmp_path / "seed.db", record_migrations=True)
    run = audit(seed_target(f"sqlite:///{db}", seed.SQLITE_BASE_MIGRATIONS_DIR,
                            schema=seed.SQLITE_SCHEMA_PATH))
    record = MigrationRecord.objects.filter(run=run).first()
    check = HistoryCheck.objects.get(run=run)
    record.state = "failed"
    with pytest.raises(HistoryRecordImmutable):
        record.save()
    with pytest.raises(HistoryRecordImmutable):
        check.save()


@pytest.mark.django_db
def test_records_are_read_only_in_the_admin(tmp_path: Path, admin_client) -> None:
    db = build_sqlite_database(tmp_path / "seed.db", record_migrations=True)
    run = audit(seed_target(f"sqlite:///{db}", seed.SQLITE_BASE_MIGRATIONS_DIR,
                            schema=seed.SQLITE_SCHEMA_PATH))
    for name in ("historycheck", "migrationrecord", "threewayrecord"):
        listing = admin_client.get(f"/admin/audits/{name}/")
        assert listing.status_code == 200, name
        assert admin_client.get(f"/admin/audits/{name}/add/").status_code == 403
    record = MigrationRecord.objects.filter(run=run).first()
    page = admin_client.get(f"/admin/audits/migrationrecord/{record.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_logged_fix_seen_applied_is_a_deploy_entry_on_the_open_incident(
        post_reset_pg: str, tmp_path: Path, incident, backend_user) -> None:
    from recovery import services as recovery_services
    from recovery.models import TimelineEntry

    fix = seed.fix_migration_folders()[0]
    recovery_services.add_migration(incident, name=fix.name, author=backend_user,
                                    sql=(fix / "migration.sql").read_text(encoding="utf-8"))
    folder = tmp_path / "migrations"
    shutil.copytree(seed.BASE_MIGRATIONS_DIR, folder)
    shutil.copytree(fix, folder / fix.name)
    target = seed_target(post_reset_pg, folder)
    target.incidents.add(incident)
    deploys = TimelineEntry.objects.filter(incident=incident, kind="deploy")
    audit(target)
    assert deploys.count() == 0  # pending: nothing deployed yet
    apply_postgres_migrations(post_reset_pg, [fix], record_migrations=True)
    run = audit(target)
    entry = deploys.get()
    finished = MigrationRecord.objects.get(run=run, name=fix.name).finished_at
    assert entry.body == (f"Migration `{fix.name}` is applied on **Marketplace** (seen by "
                          f"[audit #{run.number}](/targets/marketplace/migrations/?run={run.pk})).")
    assert (entry.occurred_at, entry.author) == (finished, None)
    audit(target)
    assert deploys.count() == 1  # once, not at every audit
