"""Code, history and database three ways, on histories built the way Prisma builds them:
a hand-made case with every verdict, the seed incident before, between and after its fixes, and
the real-world projects with every migration applied."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from audits.engine.audit import expected_schema
from audits.engine.history import (
    HistoryReport,
    State,
    TableIdentity,
    check_history,
    clear_memory_cache,
)
from audits.engine.history.threeway import (
    CHANGED_BY_HAND,
    MIGRATION_CREATED_IT_GONE,
    NOT_IN_CODE,
    PENDING_MIGRATION,
    WRITE_MIGRATION,
    ThreeWay,
)
from audits.seed import (
    BASE_MIGRATIONS_DIR,
    FIX_MIGRATIONS_DIR,
    FIX_MISSING_TABLES,
    FIX_SUPPLIER_PROFILE_COLUMNS,
    FIX_USER_COLUMNS,
    MISSING_SUPPLIER_PROFILE_COLUMNS,
    MISSING_TABLES,
    MISSING_USER_COLUMNS,
    SCHEMA_PATH,
    base_migration_folders,
)
from audits.seed.build import apply_postgres_migrations
from tests.engine.prisma_history import PrismaLike, build_every_state, deploy_all, write_folder

SCHEMA = """
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
model User {
  id    Int     @id @default(autoincrement())
  email String  @unique
  name  String?
  posts Post[]
}
model Post {
  id     Int    @id @default(autoincrement())
  title  String
  userId Int
  user   User   @relation(fields: [userId], references: [id])
}
model Tag {
  id    Int    @id
  label String
}
model Audit {
  id Int      @id
  at DateTime @default(now())
}
"""
MIGRATIONS = {
    "01_init": 'CREATE TABLE "User" (\n    "id" SERIAL NOT NULL,\n    "email" TEXT NOT NULL,\n\n'
               '    CONSTRAINT "User_pkey" PRIMARY KEY ("id")\n);\n\n'
               'CREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n',
    "02_posts": 'CREATE TABLE "Post" (\n    "id" SERIAL NOT NULL,\n    "title" TEXT NOT NULL,\n'
                '    "userId" INTEGER NOT NULL,\n\n    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")\n'
                ');\n\nALTER TABLE "Post" ADD CONSTRAINT "Post_userId_fkey" FOREIGN KEY ("userId")'
                ' REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;\n',
    "03_tags": 'CREATE TABLE "Tag" (\n    "id" INTEGER NOT NULL,\n    "label" TEXT NOT NULL,\n\n'
               '    CONSTRAINT "Tag_pkey" PRIMARY KEY ("id")\n);\n',
    "04_title_index": 'CREATE INDEX "Post_title_idx" ON "Post"("title");\n',
    "05_user_name": 'ALTER TABLE "User" ADD COLUMN "name" TEXT;\n',
}


@pytest.fixture(autouse=True)
def fresh_memory() -> Iterator[None]:
    clear_memory_cache()
    yield
    clear_memory_cache()


def _rows(report_rows: object) -> list[tuple[object, ...]]:
    return [(r.object, r.kind, r.in_code, r.in_history, r.in_database, r.verdict, r.migration)
            for r in report_rows]  # type: ignore[attr-defined]


def test_every_verdict_on_a_hand_built_history(pg_admin_dsn: str, scratch_pg: str,
                                               tmp_path: Path) -> None:
    root = write_folder(tmp_path / "migrations", MIGRATIONS)
    with PrismaLike(scratch_pg) as prisma:
        prisma.deploy(root, "01_init")
        prisma.deploy(root, "02_posts")
        prisma.execute(MIGRATIONS["03_tags"])  # run by hand, then `migrate resolve --applied`
        prisma.resolve_applied(root, "03_tags")
        prisma.deploy(root, "04_title_index")
        prisma.execute('DROP TABLE "Tag"')  # later dropped by hand
        prisma.execute('ALTER TABLE "Post" ADD COLUMN "draft" BOOLEAN')
        prisma.execute('ALTER TABLE "Post" ALTER COLUMN "title" TYPE VARCHAR(50)')
    report = check_history(root, scratch_pg, code=expected_schema(SCHEMA),
                           shadow_dsn=pg_admin_dsn, allow_target_server=True)
    assert [(m.name, m.state, m.absent_objects) for m in report.migrations] == [
        ("01_init", State.APPLIED, ()),
        ("02_posts", State.APPLIED, ()),
        ("03_tags", State.MARKED_APPLIED, ("Tag",)),
        ("04_title_index", State.APPLIED, ()),
        ("05_user_name", State.PENDING, ()),
    ]
    assert _rows(report.three_way) == [
        ("Audit", "table", True, False, False, WRITE_MIGRATION, None),
        ("User.name", "column", True, True, False, PENDING_MIGRATION, "05_user_name"),
        ("Tag", "table", True, True, False, MIGRATION_CREATED_IT_GONE, "03_tags"),
        ("Post.title", "column", True, True, True, CHANGED_BY_HAND, "02_posts"),
        ("Post.draft", "column", False, False, True, CHANGED_BY_HAND, None),
        ("Post.Post_title_idx", "index", False, True, True, NOT_IN_CODE, "04_title_index"),
    ]
    grouped = ThreeWay(rows=report.three_way, fix_sql=None).by_table()
    by_table = {table: [r.object for r in rows] for table, rows in grouped.items()}
    assert by_table == {"Audit": ["Audit"], "User": ["User.name"], "Tag": ["Tag"],
                        "Post": ["Post.title", "Post.draft", "Post.Post_title_idx"]}
    assert [r.model for r in report.three_way] == ["Audit", "User", "Tag", "Post", "Post", "Post"]
    assert report.fix_sql is not None
    assert 'CREATE TABLE "Audit" (' in report.fix_sql
    assert '"Tag"' not in report.fix_sql  # the history builds Tag: re-apply, do not rewrite it
    assert report.table_present is True and report.in_flight is False
    # what an audit run stores, read back whole (timestamps, states, rows, fix SQL)
    stored = json.loads(json.dumps(report.to_record()))
    assert HistoryReport.from_record(stored) == report
    assert report.migration("03_tags") == report.migrations[2]
    assert report.migration("99_nope") is None


def test_without_a_schema_the_code_side_is_unknown(pg_admin_dsn: str, scratch_pg: str,
                                                   tmp_path: Path) -> None:
    root = write_folder(tmp_path / "migrations", MIGRATIONS)
    with PrismaLike(scratch_pg) as prisma:
        for name in ("01_init", "02_posts", "03_tags"):
            prisma.deploy(root, name)
        prisma.execute('DROP TABLE "Tag"')
    report = check_history(root, scratch_pg, shadow_dsn=pg_admin_dsn, allow_target_server=True)
    assert _rows(report.three_way) == [
        # most severe first within a verdict: a missing column breaks reads, an index is speed
        ("User.name", "column", None, True, False, PENDING_MIGRATION, "05_user_name"),
        ("Post.Post_title_idx", "index", None, True, False, PENDING_MIGRATION, "04_title_index"),
        ("Tag", "table", None, True, False, MIGRATION_CREATED_IT_GONE, "03_tags"),
    ]
    assert report.fix_sql is None


def test_a_never_migrated_database_reads_every_migration_pending(
        pg_admin_dsn: str, scratch_pg: str, tmp_path: Path) -> None:
    root = write_folder(tmp_path / "migrations", {"01_init": MIGRATIONS["01_init"]})
    report = check_history(root, scratch_pg, shadow_dsn=pg_admin_dsn, allow_target_server=True)
    assert report.table_present is False
    assert [(m.name, m.state) for m in report.migrations] == [("01_init", State.PENDING)]
    assert {r.verdict for r in report.three_way} == {PENDING_MIGRATION}
    assert [r.object for r in report.three_way] == ["User"]


# --- the seed incident ----------------------------------------------------------------------

SEED_EXPECTED_OBJECTS = (
    {(table, "table") for table in MISSING_TABLES}
    | {(f"User.{column}", "column") for column in MISSING_USER_COLUMNS}
    | {(f"SupplierProfile.{column}", "column") for column in MISSING_SUPPLIER_PROFILE_COLUMNS}
)


def _seed_folder(tmp_path: Path, with_fixes: bool) -> Path:
    root = tmp_path / "migrations"
    shutil.copytree(BASE_MIGRATIONS_DIR, root)
    if with_fixes:
        for folder in FIX_MIGRATIONS_DIR.iterdir():
            if folder.is_dir():
                shutil.copytree(folder, root / folder.name)
    return root


def _seed_owner(obj: str, kind: str) -> str:
    if kind in ("table", "enum"):
        return FIX_MISSING_TABLES
    return FIX_USER_COLUMNS if obj.startswith("User.") else FIX_SUPPLIER_PROFILE_COLUMNS


@pytest.fixture
def post_reset(scratch_pg: str) -> str:
    apply_postgres_migrations(scratch_pg, base_migration_folders(), record_migrations=True)
    return scratch_pg


def test_seed_post_reset_objects_are_in_the_code_but_in_no_migration(
        pg_admin_dsn: str, post_reset: str, tmp_path: Path) -> None:
    code = expected_schema(SCHEMA_PATH)
    report = check_history(_seed_folder(tmp_path, False), post_reset, code=code,
                           shadow_dsn=pg_admin_dsn, allow_target_server=True)
    assert report.state_counts() == {"applied": 16}
    assert all(m.checksum_local == m.checksum_db and not m.absent_objects
               for m in report.migrations)
    objects = {(r.object, r.kind) for r in report.three_way if r.kind in ("table", "column")}
    assert objects == SEED_EXPECTED_OBJECTS and len(objects) == 41
    assert Counter((r.kind, r.verdict) for r in report.three_way) == {
        ("table", WRITE_MIGRATION): 20, ("column", WRITE_MIGRATION): 21,
        ("enum", WRITE_MIGRATION): 10}  # the ten enums only the missing tables use
    assert {(r.in_code, r.in_history, r.in_database, r.migration)
            for r in report.three_way} == {(True, False, False, None)}
    assert report.fix_sql is not None
    assert 'CREATE TABLE "Payment" (' in report.fix_sql
    assert 'ADD COLUMN     "googleId" TEXT' in report.fix_sql or \
        '"googleId" TEXT' in report.fix_sql


def test_seed_fixes_in_the_folder_but_not_applied_read_pending(
        pg_admin_dsn: str, post_reset: str, tmp_path: Path) -> None:
    code = expected_schema(SCHEMA_PATH)
    report = check_history(_seed_folder(tmp_path, True), post_reset, code=code,
                           shadow_dsn=pg_admin_dsn, allow_target_server=True)
    assert report.state_counts() == {"applied": 16, "pending": 3}
    assert [m.name for m in report.migrations if m.state == State.PENDING] == [
        FIX_USER_COLUMNS, FIX_MISSING_TABLES, FIX_SUPPLIER_PROFILE_COLUMNS]
    objects = {(r.object, r.kind) for r in report.three_way if r.kind in ("table", "column")}
    assert objects == SEED_EXPECTED_OBJECTS
    assert {r.verdict for r in report.three_way} == {PENDING_MIGRATION}
    for row in report.three_way:
        assert row.migration == _seed_owner(row.object, row.kind), row
        assert (row.in_code, row.in_history, row.in_database) == (True, True, False)
    assert report.fix_sql is None


def test_seed_after_the_fixes_are_applied_nothing_is_left(
        pg_admin_dsn: str, post_reset: str, tmp_path: Path) -> None:
    root = _seed_folder(tmp_path, True)
    with PrismaLike(post_reset) as prisma:
        for name in (FIX_USER_COLUMNS, FIX_MISSING_TABLES, FIX_SUPPLIER_PROFILE_COLUMNS):
            prisma.deploy(root, name)
    report = check_history(root, post_reset, code=expected_schema(SCHEMA_PATH),
                           shadow_dsn=pg_admin_dsn, allow_target_server=True)
    assert report.state_counts() == {"applied": 19}
    assert report.three_way == ()
    assert report.fix_sql is None


# --- real-world histories (SOURCE.md says what must be found) -------------------------------


def _real_world(shared_dir: Path, project: str, pg_admin_dsn: str, scratch_pg: str,
                cache: Path) -> tuple[object, list[tuple[object, ...]]]:
    base = shared_dir / "fixtures" / "real-world" / project
    names = deploy_all(scratch_pg, base / "migrations")
    report = check_history(base / "migrations", scratch_pg,
                           code=expected_schema(base / "schema.prisma"),
                           shadow_dsn=pg_admin_dsn, allow_target_server=True, cache_dir=cache)
    assert [m.name for m in report.migrations] == names
    assert {m.state for m in report.migrations} == {State.APPLIED}
    assert all(m.absent_objects == () for m in report.migrations)
    assert {r.verdict for r in report.three_way} <= {NOT_IN_CODE}  # nothing absent or by hand
    return report, [(r.object, r.kind, r.migration) for r in report.three_way]


@pytest.fixture(scope="module")
def replay_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("replay-cache")


@pytest.mark.slow
def test_umami_every_migration_applied_and_one_extra_unique(
        shared_dir: Path, pg_admin_dsn: str, scratch_pg: str, replay_cache: Path) -> None:
    _report, rows = _real_world(shared_dir, "umami", pg_admin_dsn, scratch_pg, replay_cache)
    # SOURCE.md: "One extra object: the unique index board_board_id_key on board.board_id"
    assert rows == [("board.board_board_id_key", "unique", "16_boards")]


@pytest.mark.slow
def test_inbox_zero_every_migration_applied_and_only_hand_written_indexes_extra(
        shared_dir: Path, pg_admin_dsn: str, scratch_pg: str, replay_cache: Path) -> None:
    _report, rows = _real_world(shared_dir, "inbox-zero", pg_admin_dsn, scratch_pg,
                                replay_cache)
    # SOURCE.md: extra indexes not in the schema (DraftSendLog(createdAt) among them); the
    # _CategoryToRule layout change and the enum value order are not differences
    assert rows == [
        ("AvailabilitySchedule.AvailabilitySchedule_emailAccountId_default_key", "unique",
         "20260621140000_booking_availability_schedules"),
        ("Booking.Booking_no_overlap", "index", "20260506120000_add_booking_scheduling"),
        ("DraftSendLog.DraftSendLog_replyMemorySentText_createdAt_idx", "index",
         "20260503110000_add_query_performance_indexes"),
        ("Newsletter.Newsletter_patternAnalyzed_emailAccountId_lowerEmail_idx", "index",
         "20260503110000_add_query_performance_indexes"),
        ("Newsletter.Newsletter_emailAccountId_lower_email_key", "unique",
         "20260717220000_merge_newsletter_email_duplicates"),
        ("SnoozedThread.SnoozedThread_one_active_per_thread_idx", "unique",
         "20260815120000_add_snoozed_threads"),
    ]


@pytest.mark.slow
def test_langfuse_every_migration_applied_and_only_hand_written_indexes_extra(
        shared_dir: Path, pg_admin_dsn: str, scratch_pg: str, replay_cache: Path) -> None:
    report, rows = _real_world(shared_dir, "langfuse", pg_admin_dsn, scratch_pg, replay_cache)
    assert len(report.migrations) == 434  # type: ignore[attr-defined]
    # SOURCE.md: indexes created by hand-written SQL, an expression index on comments among
    # them; the views created and dropped later, and the enum value order, are not differences
    assert rows == [
        ("comments.idx_comments_content_gin", "index",
         "20251126000000_add_comment_search_indexes"),
        ("dataset_item_media.dataset_item_media_pending_key", "unique",
         "20260612000000_add_dataset_item_media"),
        ("default_views.default_views_project_user_view_key", "unique",
         "20260211164349_add_default_views"),
        ("default_views.default_views_project_view_key", "unique",
         "20260211164349_add_default_views"),
        ("in_app_agent_runs.in_app_agent_runs_active_conversation_key", "unique",
         "20260722070000_add_in_app_agent_run_lifecycle_fields"),
        ("monitors.monitors_scheduler_rescue_idx", "index",
         "20260527110000_monitor_wallclock_lifecycle"),
        ("verified_domains.verified_domains_domain_verified_key", "unique",
         "20260507120000_share_pending_verified_domains"),
    ]


def test_a_reset_between_two_checks_reads_recreated(pg_admin_dsn: str, scratch_pg: str,
                                                    tmp_path: Path) -> None:
    root = write_folder(tmp_path / "migrations", {"01_init": MIGRATIONS["01_init"]})
    deploy_all(scratch_pg, root)

    def check(previous: TableIdentity | None) -> HistoryReport:
        return check_history(root, scratch_pg, shadow_dsn=pg_admin_dsn,
                             allow_target_server=True, previous_identity=previous)

    first = check(None)
    assert first.recreated is False and first.identity is not None
    same = check(first.identity)
    assert same.recreated is False
    with PrismaLike(scratch_pg) as prisma:  # `prisma migrate reset`: drop everything, redeploy
        prisma.execute('DROP TABLE "_prisma_migrations"; DROP TABLE "User"')
    deploy_all(scratch_pg, root)
    after = check(first.identity)
    assert after.recreated is True
    assert [(m.name, m.state) for m in after.migrations] == [("01_init", State.APPLIED)]


def test_every_state_checked_whole_even_though_a_migration_fails_to_replay(
        pg_admin_dsn: str, scratch_pg: str, tmp_path: Path) -> None:
    root = build_every_state(scratch_pg, tmp_path / "migrations")
    report = check_history(root, scratch_pg, shadow_dsn=pg_admin_dsn, allow_target_server=True)
    assert report.replay_error == ("migration 05_failed fails at line 2 of migration.sql: "
                                   "division by zero")
    assert [m.state.value for m in report.migrations] == [
        "unknown", "applied", "applied", "edited", "marked_applied", "failed", "rolled_back",
        "pending"]
    assert _rows(report.three_way) == [
        # the failed migration's first statement ran before it failed, outside any record
        ("E", "table", None, True, True, CHANGED_BY_HAND, "05_failed"),
        # the edited file adds a column the database never got from the applied original
        ("C.x", "column", None, True, False, MIGRATION_CREATED_IT_GONE, "03_edited"),
        # the rolled-back migration's first statement; the replay stopped before it
        ("F", "table", None, False, True, CHANGED_BY_HAND, None),
    ]
    assert [m.absent_objects for m in report.migrations if m.absent_objects] == [("C.x",)]
    assert HistoryReport.from_record(report.to_record()) == report
