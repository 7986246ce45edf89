"""The rules of audits.services: one audit at a time, claims, immutability, sweeps, baselines,
changes since the previous run, alerts on status changes only, secrets at rest."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from audits.alerts.models import Alert
from audits.core import credentials, records
from audits.core.models import (
    AuditRun,
    Finding,
    ModelStatus,
    RunImmutable,
    SchemaVersion,
    Target,
)
from audits.targets import services
from recovery import services as recovery_services
from recovery.models import TimelineEntry
from tests.audits.conftest import SECRET_DSN, finding, old, report, schema

pytestmark = pytest.mark.django_db


def test_dsn_is_encrypted_at_rest_and_redacted_for_pages(make_target):
    target = make_target()
    assert "S3cr3t" not in target.dsn_encrypted
    assert credentials.target_dsn(target) == SECRET_DSN
    assert credentials.redacted_dsn(target) == "postgresql://driftwatch:***@127.0.0.1:5432/shop"


def test_dsn_from_environment_variable(make_target, monkeypatch):
    monkeypatch.setenv("DRIFTWATCH_TARGET_SHOP", SECRET_DSN)
    target = make_target(dsn="", dsn_env_var="DRIFTWATCH_TARGET_SHOP")
    assert target.dsn_encrypted == ""
    assert credentials.target_dsn(target) == SECRET_DSN
    assert credentials.redacted_dsn(target) == "$DRIFTWATCH_TARGET_SHOP"
    monkeypatch.delenv("DRIFTWATCH_TARGET_SHOP")
    with pytest.raises(credentials.TargetConfigError, match="DRIFTWATCH_TARGET_SHOP .* is not set"):
        credentials.target_dsn(target)


def test_scrub_removes_password_and_dsn():
    message = f"could not connect to {SECRET_DSN}: password S3cr3t-Pa55w0rd rejected"
    cleaned = credentials.scrub(message, SECRET_DSN)
    assert "S3cr3t" not in cleaned
    assert "driftwatch:***@127.0.0.1" in cleaned


def test_schema_versions_are_deduplicated_by_content_hash(make_target):
    target = make_target()
    first = target.current_schema
    again = services.add_schema_version(target, {"schema.prisma": first.content["schema.prisma"]})
    assert again.pk == first.pk
    changed = services.add_schema_version(target, {"schema.prisma": "model X { id Int @id }"})
    assert changed.pk != first.pk
    assert SchemaVersion.objects.filter(target=target).count() == 2
    target.refresh_from_db()
    assert target.current_schema_id == changed.pk


def test_one_audit_per_target_at_a_time(make_target, django_capture_on_commit_callbacks):
    target = make_target()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = services.request_audit(target)
        second = services.request_audit(target)
    assert first.pk == second.pk
    assert len(callbacks) == 1  # one task enqueued, on commit
    assert services.claim_run(first.pk)
    assert services.request_audit(target).pk == first.pk  # running counts too
    assert AuditRun.objects.filter(target=target).count() == 1


def test_database_refuses_a_second_active_run(make_target):
    target = make_target()
    services.request_audit(target, enqueue=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditRun.objects.create(target=target)


def test_claim_is_won_by_exactly_one(make_target):
    run = services.request_audit(make_target(), enqueue=False)
    assert services.claim_run(run.pk) is True
    assert services.claim_run(run.pk) is False
    assert services.execute_audit(run.pk) is None  # someone else's run: untouched
    run.refresh_from_db()
    assert run.status == "running" and run.started_at is not None


def test_finished_run_is_immutable(make_target, finish_run):
    run = finish_run(make_target(), report([], {"User": "ok"}))
    run.error = "edited"
    with pytest.raises(RunImmutable):
        run.save()
    with pytest.raises(RunImmutable):
        run.delete()
    assert services.fail_run(run.pk, "late failure") is False
    run.refresh_from_db()
    assert run.status == "succeeded" and run.error == ""


def test_save_result_stores_findings_statuses_and_counts(make_target, finish_run):
    target = make_target()
    rep = report([finding("missing_column", "User", "username"),
                  finding("missing_table", "Review"),
                  finding("missing_index", "User", "email", severity=services.engine_model
                          .Severity.WARNING)],
                 {"User": "broken", "Review": "missing", "Order": "ok"})
    run = finish_run(target, rep)
    assert (run.status, run.worst_status) == ("succeeded", "missing")
    assert (run.critical_count, run.error_count, run.warning_count) == (2, 0, 1)
    assert run.duration_ms == 12 and run.timings == {"introspect_ms": 3}
    assert Finding.objects.filter(run=run).count() == 3
    user = ModelStatus.objects.get(run=run, table="User")
    assert (user.status, user.finding_count, user.worst_severity) == ("broken", 2, "critical")
    target.refresh_from_db()
    assert target.last_success_id == run.pk and target.worst_status == "missing"
    assert records.report_from_run(run).by_severity() == rep.by_severity()


def test_changes_since_previous_successful_run(make_target, finish_run):
    target = make_target()
    finish_run(target, report([finding("missing_column", "User", "username"),
                               finding("missing_table", "Review")],
                              {"User": "broken", "Review": "missing"}))
    failed = services.request_audit(target, enqueue=False)
    services.claim_run(failed.pk)
    services.fail_run(failed.pk, "unreachable")
    second = finish_run(target, report([finding("missing_table", "Review"),
                                        finding("missing_table", "Wallet")],
                                       {"User": "ok", "Review": "missing", "Wallet": "missing"}))
    changes = second.changes
    assert [f["message"] for f in changes["new"]] == ["missing_table Wallet"]
    assert [f["message"] for f in changes["resolved"]] == ["missing_column User.username"]
    assert sorted((f["table"], f["before"], f["after"]) for f in changes["flipped"]) == [
        ("User", "broken", "ok"), ("Wallet", "absent", "missing")]
    assert second.previous_run_id != failed.pk


def test_alert_only_when_worst_status_changes(make_target, finish_run):
    target = make_target()
    broken = report([finding("missing_column", "User", "username")], {"User": "broken"})
    first = finish_run(target, broken)
    finish_run(target, broken)
    fixed = finish_run(target, report([], {"User": "ok"}))
    finish_run(target, report([], {"User": "ok"}))
    alerts = list(Alert.objects.filter(target=target).order_by("id"))
    assert [(a.previous_status, a.status, a.run_id) for a in alerts] == [
        ("", "broken", first.pk), ("broken", "ok", fixed.pk)]


def test_first_clean_audit_does_not_alert(make_target, finish_run):
    finish_run(make_target(), report([], {"User": "ok"}))
    assert Alert.objects.count() == 0


def test_alert_is_a_timeline_entry_on_open_incidents(make_target, finish_run, backend_user):
    target = make_target()
    open_incident = recovery_services.create_incident(title="Prod reset", author=backend_user)
    closed = recovery_services.create_incident(title="Old one", author=backend_user)
    closed.status = "resolved"
    closed.save()
    target.incidents.add(open_incident, closed)
    finish_run(target, report([finding("missing_column", "User", "username")],
                              {"User": "broken"}))
    entries = TimelineEntry.objects.filter(kind="alert")
    assert [e.incident_id for e in entries] == [open_incident.pk]
    assert "first audit → broken (1 critical)" in entries[0].body


def test_sweep_fails_runs_whose_worker_died(make_target, settings):
    settings.DRIFTWATCH_AUDIT_TIME_LIMIT = 60
    settings.DRIFTWATCH_STALE_MARGIN = 10
    dead = services.request_audit(make_target(), enqueue=False)
    alive = services.request_audit(make_target(), enqueue=False)
    services.claim_run(dead.pk)
    services.claim_run(alive.pk)
    AuditRun.objects.filter(pk=dead.pk).update(started_at=old(71))
    assert services.sweep_stale_runs() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == "failed" and dead.error == services.STALE_MESSAGE
    assert dead.finished_at is not None and dead.duration_ms >= 71_000
    assert alive.status == "running"
    assert services.sweep_stale_runs() == 0


def test_sweep_fails_a_run_whose_heartbeat_stopped_and_frees_the_target(make_target, settings):
    settings.DRIFTWATCH_HEARTBEAT_TIMEOUT = 40
    target = make_target()
    dead = services.request_audit(target, enqueue=False)
    alive = services.request_audit(make_target(), enqueue=False)
    services.claim_run(dead.pk)
    services.claim_run(alive.pk)
    AuditRun.objects.filter(pk=dead.pk).update(started_at=old(50), heartbeat_at=old(41))
    assert services.sweep_stale_runs() == 1
    dead.refresh_from_db()
    assert dead.status == "failed" and dead.finished_at is not None
    assert dead.error.startswith("worker lost: no heartbeat since ")
    assert dead.error.endswith(" UTC; the worker running this audit was killed or cut off "
                               "before finishing")
    assert AuditRun.objects.get(pk=alive.pk).status == "running"
    again = services.request_audit(target, enqueue=False)  # "Audit now" works again
    assert again.pk != dead.pk and again.status == "queued"


def test_sweep_fails_queued_runs_nobody_picked_up(make_target, settings):
    settings.DRIFTWATCH_QUEUED_LIMIT = 300
    lost = services.request_audit(make_target(), enqueue=False)
    AuditRun.objects.filter(pk=lost.pk).update(queued_at=old(301))
    assert services.sweep_stale_runs() == 1
    lost.refresh_from_db()
    assert (lost.status, lost.error) == ("failed", services.LOST_MESSAGE)


def test_late_result_after_sweep_is_discarded(make_target):
    target = make_target()
    run = services.request_audit(target, enqueue=False)
    services.claim_run(run.pk)
    services.fail_run(run.pk, services.STALE_MESSAGE)
    run.refresh_from_db()
    assert services.save_result(run, expected=schema("User"), actual=schema("User"),
                                report=report([], {"User": "ok"})) is None
    run.refresh_from_db()
    assert run.status == "failed" and not Finding.objects.filter(run=run).exists()


def test_baseline_mode_uses_the_chosen_runs_snapshot(make_target, finish_run):
    target = make_target()
    run = finish_run(target, report([], {"User": "ok", "Order": "ok"}),
                     actual=schema("User", "Order"))
    services.set_baseline(target, run)
    target.refresh_from_db()
    expected, version = services.expected_for(target)
    assert version is None
    assert [t.name for t in expected.tables] == ["User", "Order"]


def test_baseline_refuses_a_failed_run(make_target):
    target = make_target()
    run = services.request_audit(target, enqueue=False)
    services.claim_run(run.pk)
    services.fail_run(run.pk, "x")
    run.refresh_from_db()
    with pytest.raises(credentials.TargetConfigError):
        services.set_baseline(target, run)


def test_enqueue_due_targets_claims_each_target_once(make_target):
    due = make_target()
    disabled = make_target(enabled=False)
    later = make_target()
    later.next_due_at = old(-3600)
    later.save()
    runs = services.enqueue_due_targets()
    assert [r.target_id for r in runs] == [due.pk]
    assert services.enqueue_due_targets() == []
    due.refresh_from_db()
    assert due.next_due_at > old(-3500)
    assert not AuditRun.objects.filter(target=disabled).exists()


def test_execute_audit_fails_cleanly_without_a_schema(make_target):
    target = make_target(schema_files=None)
    run = services.request_audit(target, enqueue=False)
    result = services.execute_audit(run.pk)
    assert result.status == "failed"
    assert result.error == "no schema.prisma has been uploaded for this target"
    assert result.finished_at is not None


def test_execute_audit_records_an_unreachable_target_without_the_password(make_target):
    pytest.importorskip("audits.engine.audit")
    target = make_target(dsn="postgresql://driftwatch:S3cr3t-Pa55w0rd@127.0.0.1:1/shop")
    run = services.request_audit(target, enqueue=False)
    result = services.execute_audit(run.pk)
    assert result.status == "failed"
    assert "S3cr3t" not in result.error
    assert "127.0.0.1" in result.error


def test_trend_keeps_the_last_30_finished_runs(make_target, finish_run):
    target = make_target()
    runs = [finish_run(target, report([], {"User": "ok"})) for _ in range(31)]
    failed = services.request_audit(target, enqueue=False)
    services.claim_run(failed.pk)
    services.fail_run(failed.pk, "down")
    target.refresh_from_db()
    assert len(target.trend) == 30
    assert [item["id"] for item in target.trend] == [r.pk for r in runs[2:]] + [failed.pk]
    assert target.trend[-1]["status"] == "failed" and target.trend[0]["worst_status"] == "ok"


def test_a_trend_changed_after_the_run_was_loaded_is_read_again_not_overwritten(make_target):
    target = make_target()
    queued = services.request_audit(target, enqueue=False)
    assert services.claim_run(queued.pk)
    run = AuditRun.objects.select_related("target").get(pk=queued.pk)  # trend: [] here
    elsewhere = {"id": 0, "n": 0, "status": "failed", "worst_status": "", "at": "", "ms": 1}
    Target.objects.filter(pk=target.pk).update(trend=[elsewhere])
    assert services.save_result(run, expected=schema("User"), actual=schema("User"),
                                report=report([], {"User": "ok"})) is not None
    target.refresh_from_db()
    assert [item["id"] for item in target.trend] == [0, run.pk]
    assert target.last_success_id == run.pk and "<svg" in target.trend_svg


def test_execute_audit_of_a_schema_prisma_refuses_fails_listing_every_error(make_target):
    from tests.audits.conftest import SCHEMA

    bad = SCHEMA + "\nmodel Broken {\n  id    Int    @id\n  owner Nobody\n  kind  Strng\n}\n"
    target = make_target(schema_files={"schema.prisma": bad})
    run = services.request_audit(target, enqueue=False)
    result = services.execute_audit(run.pk)
    line = bad.splitlines().index("  owner Nobody") + 1
    assert result.status == "failed"
    assert result.error == (
        f'2 errors in the schema: schema.prisma:{line}:3: Type "Nobody" is neither a built-in '
        "type, nor refers to another model, composite type, or enum.; "
        f'schema.prisma:{line + 1}:3: Type "Strng" is neither a built-in type, nor refers to '
        "another model, composite type, or enum.")
    assert not Finding.objects.filter(run=run).exists()
