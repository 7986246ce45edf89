"""Real projects, real histories: each project in ``shared/fixtures/real-world`` is migrated from
nothing, exactly as its SOURCE.md says (every ``migration.sql`` in C-locale folder order, with
``psql -v ON_ERROR_STOP=1``, autocommit, never one transaction), and the engine must report what
SOURCE.md expects — nothing above info — and, finding by finding, which info it shows.

Each project's database is built once per module and dropped afterwards (langfuse has 434
migrations). The umami drift variant reproduces SOURCE.md's "Why this commit": the newer schema
declares ``@@index([visitId])`` on SessionReplay and no migration creates it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from audits.engine.audit import audit, live_schema
from audits.engine.model import Finding, Report, Severity, Status
from tests.conftest import make_scratch_database

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PROJECTS = ("umami", "inbox-zero", "langfuse")

Row = tuple[str, str, str | None, str | None, str | None]  # severity, kind, table, column, object


def project_dir(shared_dir: Path, project: str) -> Path:
    return shared_dir / "fixtures" / "real-world" / project


def migration_files(migrations: Path) -> list[Path]:
    """Each folder's migration.sql in byte-wise (C-locale) order of the folder name."""
    folders = sorted((p for p in migrations.iterdir() if p.is_dir()),
                     key=lambda p: os.fsencode(p.name))
    return [folder / "migration.sql" for folder in folders]


def apply_history(url: str, migrations: Path) -> int:
    """One psql with ``-f`` repeated: each file runs in turn, each statement autocommits (as
    with one psql per file: no migration sets session state), ``CREATE INDEX CONCURRENTLY``
    works because there is no ``-1``. Paths are argv items, so spaces need no quoting."""
    files = migration_files(migrations)
    arguments = [part for path in files for part in ("-f", str(path))]
    done = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, *arguments],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return len(files)


@pytest.fixture(scope="module")
def migrated(pg_admin_dsn: str, shared_dir: Path) -> Iterator[dict[str, str]]:
    """{project: URL of a database with its whole history applied}, built on first use."""
    builders: list[Iterator[str]] = []

    class Lazy(dict[str, str]):
        def __missing__(self, project: str) -> str:
            builder = make_scratch_database(pg_admin_dsn, prefix="dw_realworld")
            url = next(builder)
            builders.append(builder)
            apply_history(url, project_dir(shared_dir, project) / "migrations")
            self[project] = url
            return url

    yield Lazy()
    for builder in builders:
        next(builder, None)  # runs make_scratch_database's finally: DROP DATABASE


def rows(report: Report, *, above_info: bool) -> list[Row]:
    return [row(f) for f in report.findings if (f.severity != Severity.INFO) == above_info]


def row(finding: Finding) -> Row:
    return (finding.severity.value, finding.kind, finding.table, finding.column,
            finding.object_name)


def not_ok(report: Report) -> list[tuple[str, str]]:
    return [(o.table, o.status.value) for o in report.objects if o.status != Status.OK]


# --- umami -------------------------------------------------------------------------------------


def test_umami_is_in_sync_but_for_the_unique_index_on_the_primary_key(
        migrated: dict[str, str], shared_dir: Path) -> None:
    url = migrated["umami"]
    result = audit(project_dir(shared_dir, "umami") / "schema.prisma", url)
    assert rows(result.report, above_info=True) == []
    assert rows(result.report, above_info=False) == [
        ("info", "extra_unique", "board", None, "board_board_id_key"),
    ]
    [finding] = result.report.findings
    assert finding.actual == '("board_id")'
    assert "repeats the primary key" in finding.message
    # relationMode = "prisma": no foreign key expected, none live, none reported
    assert all(not table.foreign_keys for table in result.expected.tables)
    assert all(not table.foreign_keys for table in result.actual.tables)
    assert len(result.report.objects) == 17 and not_ok(result.report) == []


def test_umami_newer_schema_finds_the_one_missing_index(
        migrated: dict[str, str], shared_dir: Path) -> None:
    """SOURCE.md "Why this commit": ``@@index([visitId])`` on SessionReplay, no migration."""
    url = migrated["umami"]
    text = (project_dir(shared_dir, "umami") / "schema.prisma").read_text()
    anchor = "  @@index([sessionId, chunkIndex])\n  @@map(\"session_replay\")"
    assert text.count(anchor) == 1
    newer = text.replace(anchor, anchor.replace("  @@map", "  @@index([visitId])\n  @@map"))
    report = audit(newer, url).report
    assert rows(report, above_info=True) == [
        ("warning", "missing_index", "session_replay", None, "session_replay_visit_id_idx"),
    ]
    [missing] = [f for f in report.findings if f.severity != Severity.INFO]
    assert (missing.model, missing.expected) == ("SessionReplay", '("visit_id")')
    assert rows(report, above_info=False) == [
        ("info", "extra_unique", "board", None, "board_board_id_key"),
    ]
    assert not_ok(report) == [("session_replay", "degraded")]


# --- inbox-zero --------------------------------------------------------------------------------

# Found by reading the live catalog against the lowered schema: every one is an index the
# migrations created by hand (partial, expression, or a longer name truncated differently).
INBOX_ZERO_INFO: list[Row] = [
    ("info", "extra_unique", "AvailabilitySchedule", None,
     "AvailabilitySchedule_emailAccountId_default_key"),  # partial: WHERE "isDefault" = true
    ("info", "extra_index", "Booking", None, "Booking_no_overlap"),  # gist exclusion, tsrange
    # Prisma truncates the name to 63 bytes its own way; the hand-written SQL let PG truncate
    ("info", "extra_unique", "ClassificationFeedback", None,
     "ClassificationFeedback_emailAccountId_sender_ruleId_messageId_e"),
    ("info", "nullability_mismatch", "ContactResearch", "sources", None),  # list NOT NULL '{}'
    ("info", "extra_index", "DraftSendLog", None,
     "DraftSendLog_replyMemoryProcessedAt_replyMemoryAttemptCount_cre"),
    ("info", "extra_index", "DraftSendLog", None,
     "DraftSendLog_replyMemorySentText_createdAt_idx"),  # DraftSendLog(createdAt), partial
    ("info", "extra_index", "Newsletter", None,
     "Newsletter_patternAnalyzed_emailAccountId_lowerEmail_idx"),
    ("info", "extra_unique", "Newsletter", None, "Newsletter_emailAccountId_lower_email_key"),
    ("info", "extra_unique", "ReplyMemory", None,
     "ReplyMemory_emailAccountId_kind_scopeType_scopeValue_content_ke"),
    ("info", "extra_index", "ReplyMemorySource", None,
     "ReplyMemorySource_replyMemoryId_learnedWritingStyleAnalyzedAt_c"),
    ("info", "extra_unique", "SnoozedThread", None, "SnoozedThread_one_active_per_thread_idx"),
]


def test_inbox_zero_is_in_sync_with_only_hand_made_extras_as_info(
        migrated: dict[str, str], shared_dir: Path) -> None:
    url = migrated["inbox-zero"]
    result = audit(project_dir(shared_dir, "inbox-zero") / "schema.prisma", url)
    assert rows(result.report, above_info=True) == []
    assert rows(result.report, above_info=False) == INBOX_ZERO_INFO
    by_name = {f.object_name: f for f in result.report.findings}
    assert by_name["DraftSendLog_replyMemorySentText_createdAt_idx"].actual == '("createdAt")'
    renamed = by_name["ClassificationFeedback_emailAccountId_sender_ruleId_messageId_e"]
    assert renamed.expected == "ClassificationFeedback_emailAccountId_sender_ruleId_message_key"
    assert len(result.report.objects) == 74  # 73 models and _CategoryToRule
    assert not_ok(result.report) == []


def test_inbox_zero_join_table_has_the_primary_key_layout_and_is_accepted(
        migrated: dict[str, str], shared_dir: Path) -> None:
    url = migrated["inbox-zero"]
    live = live_schema(url).table("_CategoryToRule")
    assert live is not None and live.primary_key is not None
    assert (live.primary_key.name, live.primary_key.columns) == ("_CategoryToRule_AB_pkey",
                                                                 ("A", "B"))
    assert [(i.name, i.columns, i.unique) for i in live.indexes] == [
        ("_CategoryToRule_B_index", ("B",), False)]
    report = audit(project_dir(shared_dir, "inbox-zero") / "schema.prisma", url).report
    assert [f for f in report.findings if f.table == "_CategoryToRule"] == []


def test_inbox_zero_enum_order_is_not_drift(migrated: dict[str, str], shared_dir: Path) -> None:
    result = audit(project_dir(shared_dir, "inbox-zero") / "schema.prisma", migrated["inbox-zero"])
    reordered = reordered_enums(result.expected.enums, result.actual.enums)
    assert len(reordered) == 8  # SOURCE.md: 8 enums whose values are in another order
    assert [f for f in result.report.findings if "enum" in f.kind] == []


def reordered_enums(expected: tuple, actual: tuple) -> list[str]:  # type: ignore[type-arg]
    live = {(e.schema, e.name): e.values for e in actual}
    return sorted(e.name for e in expected
                  if live.get((e.schema, e.name)) not in (None, e.values)
                  and sorted(live[(e.schema, e.name)]) == sorted(e.values))


# --- langfuse ----------------------------------------------------------------------------------

LANGFUSE_EXTRA_INDEXES: list[Row] = [
    ("info", "extra_index", "comments", None, "idx_comments_content_gin"),  # to_tsvector(...)
    ("info", "extra_unique", "dataset_item_media", None, "dataset_item_media_pending_key"),
    ("info", "extra_unique", "default_views", None, "default_views_project_user_view_key"),
    ("info", "extra_unique", "default_views", None, "default_views_project_view_key"),
    ("info", "extra_unique", "in_app_agent_runs", None,
     "in_app_agent_runs_active_conversation_key"),
    ("info", "extra_index", "monitors", None, "monitors_scheduler_rescue_idx"),
    ("info", "extra_unique", "verified_domains", None, "verified_domains_domain_verified_key"),
]
# Scalar lists the hand-written SQL made NOT NULL DEFAULT '{}': Prisma never writes NULL to a
# list, so this is info (compare._nullability).
LANGFUSE_NOT_NULL_LISTS = [
    ("blob_storage_integrations", "export_field_groups"),
    ("evaluation_rules", "time_scope"),
    ("evaluator_versions", "vars"),
    ("in_app_agent_conversations", "always_allowed_tools"),
    ("llm_api_keys", "custom_models"),
    ("llm_api_keys", "extra_header_keys"),
    ("monitors", "trigger_ids"),
    ("web_callout_endpoints", "request_header_keys"),
]


def test_langfuse_is_in_sync_with_hand_written_indexes_as_info(
        migrated: dict[str, str], shared_dir: Path) -> None:
    url = migrated["langfuse"]
    result = audit(project_dir(shared_dir, "langfuse") / "schema.prisma", url)
    assert rows(result.report, above_info=True) == []
    info = rows(result.report, above_info=False)
    assert [r for r in info if r[1] in {"extra_index", "extra_unique"}] == LANGFUSE_EXTRA_INDEXES
    assert [(r[2], r[3]) for r in info if r[1] == "nullability_mismatch"] == \
        LANGFUSE_NOT_NULL_LISTS
    assert len(info) == len(LANGFUSE_EXTRA_INDEXES) + len(LANGFUSE_NOT_NULL_LISTS)
    by_name = {f.object_name: f for f in result.report.findings}
    assert by_name["idx_comments_content_gin"].actual == \
        "(\"to_tsvector('english'::regconfig, content)\")"
    assert not_ok(result.report) == []
    # SOURCE.md: the views were dropped again; no table is left that no model maps
    assert {t.name for t in result.actual.tables} == {t.name for t in result.expected.tables}


def test_langfuse_enum_order_is_not_drift(migrated: dict[str, str], shared_dir: Path) -> None:
    result = audit(project_dir(shared_dir, "langfuse") / "schema.prisma", migrated["langfuse"])
    assert reordered_enums(result.expected.enums, result.actual.enums) == [
        "DashboardWidgetChartType", "EvaluatorBlockReason"]
    assert [f for f in result.report.findings if "enum" in f.kind] == []


@pytest.mark.parametrize("project", PROJECTS)
def test_history_has_the_size_source_md_states(project: str, shared_dir: Path) -> None:
    counts = {"umami": 19, "inbox-zero": 240, "langfuse": 434}
    files = migration_files(project_dir(shared_dir, project) / "migrations")
    assert len(files) == counts[project]
    assert all(path.is_file() for path in files)
