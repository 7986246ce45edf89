"""run_audit, enqueue_due_audits and sweep_stale_audits, called as Celery runs them."""

from __future__ import annotations

import pytest
from django.conf import settings

from audits import seed
from audits.core.models import AuditRun
from audits.seed.build import build_sqlite_database
from audits.targets import services
from audits.targets.tasks import enqueue_due_audits, run_audit
from audits.tasks import sweep_stale_audits
from tests.audits.conftest import old

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_target(tmp_path, make_target):
    path = build_sqlite_database(tmp_path / "post-reset.sqlite3")
    return make_target(slug="seed", dsn=f"sqlite:///{path}",
                       schema_files={"schema.prisma": seed.SQLITE_SCHEMA_PATH.read_text()})


def test_run_audit_is_idempotent(seed_target):
    run = services.request_audit(seed_target, enqueue=False)
    assert run_audit.apply(args=[run.pk]).get() == "succeeded"
    assert run_audit.apply(args=[run.pk]).get() == "skipped"  # a redelivered message
    run.refresh_from_db()
    assert (run.status, run.critical_count) == ("succeeded", 41)


def test_run_audit_has_time_limits_from_settings():
    assert run_audit.time_limit == 600 and run_audit.soft_time_limit == 540


def test_beat_schedule_enqueues_each_minute_and_sweeps_every_20_s():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["enqueue-due-audits"] == {"task": enqueue_due_audits.name, "schedule": 60.0}
    assert schedule["sweep-stale-audits"] == {"task": sweep_stale_audits.name, "schedule": 20.0}


def test_enqueue_and_sweep_tasks(seed_target, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert enqueue_due_audits.apply().get() == 1
        assert enqueue_due_audits.apply().get() == 0
    assert len(callbacks) == 1
    run = AuditRun.objects.get()
    services.claim_run(run.pk)
    AuditRun.objects.filter(pk=run.pk).update(started_at=old(3600))
    assert sweep_stale_audits.apply().get() == 1
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", services.STALE_MESSAGE)


def test_soft_time_limit_fails_the_run_with_the_reason(seed_target, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    def too_slow(expected, dsn, **options):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "_audit", too_slow)
    run = services.request_audit(seed_target, enqueue=False)
    assert run_audit.apply(args=[run.pk]).get() == "failed"
    run.refresh_from_db()
    assert run.error == "the audit took longer than 540 s and was stopped"
