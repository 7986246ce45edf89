"""recovery.services: lifecycle rules, and every write leaves a timeline entry."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from recovery import services
from recovery.models import (
    ActionItem,
    Commit,
    EntryKind,
    Incident,
    Migration,
    TimelineEntry,
    prisma_checksum,
    prisma_checksum_variants,
)

pytestmark = pytest.mark.django_db


def entries(incident: Incident) -> list[tuple[str, str]]:
    return list(incident.entries.order_by("id").values_list("kind", "body"))


def test_create_incident_writes_declared_entry(incident, backend_user) -> None:
    assert incident.slug == "orders-table-dropped"
    assert incident.status == "declared"
    assert entries(incident) == [
        ("status_change", "Incident declared as **SEV2**: Orders table dropped")
    ]
    again = services.create_incident(title="Orders table dropped", author=backend_user)
    assert again.slug == "orders-table-dropped-2"


def test_empty_title_is_refused_and_saves_nothing(backend_user) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_incident(title="   ", author=backend_user)
    assert exc.value.message_dict == {"title": ["An incident needs a title."]}
    assert Incident.objects.count() == 0
    assert TimelineEntry.objects.count() == 0


def test_forward_move_may_skip_and_skipped_status_has_no_time(incident, backend_user) -> None:
    entry = services.change_status(incident, "recovering", author=backend_user)
    incident.refresh_from_db()
    assert incident.status == "recovering"
    assert incident.recovering_at is not None
    assert incident.investigating_at is None
    assert entry.kind == EntryKind.STATUS_CHANGE
    assert entry.body == "Status: Declared → **Recovering** (skipped investigating)"
    assert entry.author == backend_user


def test_backward_move_without_reason_is_refused(incident, backend_user) -> None:
    services.change_status(incident, "monitoring", author=backend_user)
    before = entries(incident)
    with pytest.raises(ValidationError) as exc:
        services.change_status(incident, "investigating", author=backend_user)
    assert exc.value.message_dict == {
        "reason": ["Moving back from monitoring to investigating needs a reason."]
    }
    incident.refresh_from_db()
    assert incident.status == "monitoring"
    assert entries(incident) == before


def test_backward_move_with_reason_clears_later_times(incident, backend_user) -> None:
    services.change_status(incident, "resolved", author=backend_user)
    entry = services.change_status(
        incident, "recovering", author=backend_user, reason="Drift is back on Order"
    )
    incident.refresh_from_db()
    assert incident.status == "recovering"
    assert incident.recovering_at is not None
    assert incident.resolved_at is None
    assert entry.body == "Status: Resolved → **Recovering**\n\nReason: Drift is back on Order"


def test_same_status_and_unknown_status_are_refused(incident, backend_user) -> None:
    with pytest.raises(ValidationError, match="already declared"):
        services.change_status(incident, "declared", author=backend_user)
    with pytest.raises(ValidationError, match="'exploded' is not a status"):
        services.change_status(incident, "exploded", author=backend_user)


def test_change_severity_writes_status_change_entry(incident, backend_user) -> None:
    entry = services.change_severity(incident, "SEV1", author=backend_user, reason="prod")
    incident.refresh_from_db()
    assert incident.severity == "SEV1"
    assert (entry.kind, entry.body) == (
        "status_change",
        "Severity: SEV2 → **SEV1**\n\nReason: prod",
    )
    with pytest.raises(ValidationError, match="already SEV1"):
        services.change_severity(incident, "SEV1", author=backend_user)


def test_log_step_keeps_occurred_at_apart_from_logged_at(incident, backend_user) -> None:
    when = datetime(2026, 2, 12, 13, 38, 55, tzinfo=ZoneInfo("UTC"))
    entry = services.log_step(
        incident,
        body="Supplier signup failed",
        kind="error",
        phase="Phase 5",
        occurred_at=when,
        author=backend_user,
    )
    assert entry.occurred_at == when
    assert entry.logged_at > when
    assert (entry.phase, entry.kind) == ("Phase 5", "error")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"body": "  "}, {"body": ["Say what happened."]}),
        (
            {"body": "x", "kind": "status_change"},
            {"kind": ["Status changes are written by the status control."]},
        ),
        ({"body": "x", "kind": "nonsense"}, {"kind": ["'nonsense' is not a kind of entry."]}),
    ],
)
def test_log_step_refusals(incident, backend_user, kwargs, message) -> None:
    count = TimelineEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.log_step(incident, author=backend_user, **kwargs)
    assert exc.value.message_dict == message
    assert TimelineEntry.objects.count() == count


def test_system_entry_has_no_author(incident) -> None:
    entry = services.log_step(incident, body="Drift on Order", kind="alert", author=None)
    assert entry.author is None


def test_add_commit_without_repo_keeps_typed_fields(incident, backend_user, settings) -> None:
    settings.REPO_PATH = ""
    commit = services.add_commit(
        incident,
        services.CommitFields(sha="B1D20DA", message="Add columns\n\nbody"),
        author=backend_user,
    )
    assert (commit.sha, commit.subject, commit.files_changed) == ("b1d20da", "Add columns", None)
    assert commit.timeline_entry.body == "Commit `b1d20da` logged: Add columns"
    with pytest.raises(ValidationError, match="already logged"):
        services.add_commit(incident, services.CommitFields(sha="b1d20da"), author=backend_user)


@pytest.mark.parametrize("sha", ["xyz1234", "abc12", "a" * 41, ""])
def test_bad_sha_is_refused_and_saves_nothing(incident, backend_user, sha) -> None:
    count = TimelineEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.add_commit(incident, services.CommitFields(sha=sha), author=backend_user)
    assert "sha" in exc.value.message_dict
    assert Commit.objects.count() == 0
    assert TimelineEntry.objects.count() == count


def test_add_migration_stores_prisma_checksum(incident, backend_user) -> None:
    sql = 'ALTER TABLE "User" ADD COLUMN "username" TEXT;\n'
    migration = services.add_migration(
        incident, name="20260212132000_add_missing_user_columns", sql=sql, author=backend_user
    )
    assert migration.checksum == prisma_checksum(sql)
    assert migration.checksum == "193e276545315bcb4cb7f991939c150cb2613787678595aa16e3798c927cef41"
    assert incident.entries.filter(
        body__contains="20260212132000_add_missing_user_columns"
    ).exists()


def test_checksum_variants_cover_crlf_and_lf() -> None:
    lf = "SELECT 1;\nSELECT 2;\n"
    crlf = "SELECT 1;\r\nSELECT 2;\r\n"
    assert prisma_checksum(lf) != prisma_checksum(crlf)
    assert prisma_checksum_variants(lf) == prisma_checksum_variants(crlf)
    assert prisma_checksum_variants(lf) == {prisma_checksum(lf), prisma_checksum(crlf)}


@pytest.mark.parametrize(
    "name",
    ["add_user_columns", "20260212132000-add", "20260212132000_Add Columns", "20260212132000_"],
)
def test_bad_migration_name_is_refused(incident, backend_user, name) -> None:
    with pytest.raises(ValidationError) as exc:
        services.add_migration(incident, name=name, sql="SELECT 1;", author=backend_user)
    assert "name" in exc.value.message_dict
    assert Migration.objects.count() == 0


def test_baseline_style_name_is_accepted(incident, backend_user) -> None:
    migration = services.add_migration(
        incident, name="0_init", sql="SELECT 1;", author=backend_user
    )
    assert migration.name == "0_init"


def test_migration_commit_must_belong_to_incident(incident, backend_user) -> None:
    other = services.create_incident(title="Other", author=backend_user)
    commit = services.add_commit(other, services.CommitFields(sha="abcdef1"), author=backend_user)
    with pytest.raises(ValidationError, match="another incident"):
        services.add_migration(
            incident, name="0_init", sql="SELECT 1;", commit=commit, author=backend_user
        )


def test_data_loss_twice_for_a_table_is_refused(incident, backend_user) -> None:
    services.add_data_loss(incident, table_name="User", unrecoverable=True, author=backend_user)
    with pytest.raises(ValidationError, match="User is already recorded"):
        services.add_data_loss(incident, table_name="User", author=backend_user)
    assert incident.data_losses.count() == 1
    assert incident.entries.filter(body="Data loss recorded for `User`: unrecoverable").exists()


def test_action_item_toggle_cycles_and_logs(incident, backend_user) -> None:
    item = services.add_action_item(
        incident, title="Audit Product", owner="bea", author=backend_user
    )
    item = services.toggle_action_item(item, author=backend_user)
    assert item.status == "done"
    item = services.toggle_action_item(item, author=backend_user)
    assert item.status == "open"
    bodies = [body for _, body in entries(incident)]
    assert bodies[-3:] == [
        "Action item added: Audit Product (owner: bea)",
        "Action item *Audit Product* marked done",
        "Action item *Audit Product* marked open",
    ]
    with pytest.raises(ValidationError):
        services.add_action_item(incident, title="", author=backend_user)
    assert ActionItem.objects.count() == 1
