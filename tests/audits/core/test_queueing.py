"""queueing: one queued-or-running row per target, the race settled by the database, a claim
taken by one worker only, a broker that is down reported on the row, and the heartbeat that
tells the sweep a worker is alive."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from celery import current_app
from django.utils import timezone

from audits.core import queueing
from audits.core.models import AuditRun
from audits.endpoints.models import EndpointRescan

pytestmark = pytest.mark.django_db


def test_a_second_request_gets_the_active_row(make_target):
    target = make_target()
    first, created = queueing.queue_once(lambda: None,
                                         lambda: AuditRun.objects.create(target=target))
    again, created_again = queueing.queue_once(
        lambda: AuditRun.objects.get(pk=first.pk),
        lambda: pytest.fail("must not create while one is active"))
    assert (created, created_again) == (True, False) and again == first


def test_a_lost_race_returns_the_winners_row(make_target):
    target = make_target()
    winner = EndpointRescan.objects.create(target=target)
    looks = iter([None, winner])  # nothing active at first; the constraint then says otherwise
    row, created = queueing.queue_once(lambda: next(looks),
                                       lambda: EndpointRescan.objects.create(target=target))
    assert (row, created) == (winner, False)
    assert EndpointRescan.objects.filter(target=target).count() == 1


def test_only_one_claim_wins(make_target):
    run = AuditRun.objects.create(target=make_target())
    assert [queueing.claim(AuditRun, run.pk), queueing.claim(AuditRun, run.pk)] == [True, False]
    run.refresh_from_db()
    assert run.status == "running" and run.started_at is not None
    assert run.heartbeat_at == run.started_at  # the first heartbeat is the claim


def broker_down(**kwargs):
    raise ConnectionRefusedError("[Errno 111] Connection refused")


def test_a_broker_that_is_down_is_the_rows_reason(monkeypatch):
    # tasks are sent by name, so the registered task's send is what fails
    monkeypatch.setattr(current_app.tasks["audits.rescan_endpoints"], "apply_async", broker_down)
    failed = []
    queueing.send("audits.rescan_endpoints", 7, what="rescan",
                  fail=lambda pk, reason: failed.append((pk, reason)))
    assert failed == [(7, "the task broker is unreachable, so the rescan was never queued "
                          "(ConnectionRefusedError); ask again once the broker is back")]


def ago(seconds: float):  # type: ignore[no-untyped-def]
    return timezone.now() - timedelta(seconds=seconds)


@pytest.mark.django_db(transaction=True)  # the heartbeat thread has a connection of its own
def test_the_heartbeat_stamps_while_the_body_runs_and_stops_after(make_target, settings):
    settings.DRIFTWATCH_HEARTBEAT_SECONDS = 0.1
    run = AuditRun.objects.create(target=make_target())
    queueing.claim(AuditRun, run.pk)
    AuditRun.objects.filter(pk=run.pk).update(heartbeat_at=ago(3600))
    with queueing.heartbeat(AuditRun, run.pk):
        time.sleep(0.6)
        run.refresh_from_db()
        assert run.heartbeat_at > ago(1)
    stopped_at = AuditRun.objects.get(pk=run.pk).heartbeat_at
    time.sleep(0.3)
    assert AuditRun.objects.get(pk=run.pk).heartbeat_at == stopped_at


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_ends_once_the_row_is_no_longer_running(make_target, settings):
    settings.DRIFTWATCH_HEARTBEAT_SECONDS = 0.05
    run = AuditRun.objects.create(target=make_target())
    queueing.claim(AuditRun, run.pk)
    with queueing.heartbeat(AuditRun, run.pk):
        AuditRun.objects.filter(pk=run.pk).update(status="failed", heartbeat_at=None)
        time.sleep(0.3)
    assert AuditRun.objects.get(pk=run.pk).heartbeat_at is None  # a failed row is left alone


def test_left_behind_a_silent_heartbeat_or_a_run_past_its_time_limit(make_target, settings):
    settings.DRIFTWATCH_HEARTBEAT_TIMEOUT = 40
    settings.DRIFTWATCH_STALE_MARGIN = 60
    settings.DRIFTWATCH_QUEUED_LIMIT = 1800
    rows = {name: AuditRun.objects.create(target=make_target()) for name in
            ("alive", "silent", "too long", "pre-heartbeat", "queued", "lost")}
    for name in ("alive", "silent", "too long", "pre-heartbeat"):
        queueing.claim(AuditRun, rows[name].pk)
    silent_since = ago(41)
    AuditRun.objects.filter(pk=rows["silent"].pk).update(heartbeat_at=silent_since)
    AuditRun.objects.filter(pk=rows["too long"].pk).update(started_at=ago(661))
    AuditRun.objects.filter(pk=rows["pre-heartbeat"].pk).update(started_at=ago(661),
                                                                 heartbeat_at=None)
    AuditRun.objects.filter(pk=rows["lost"].pk).update(queued_at=ago(1801))
    dead, lost = queueing.left_behind(AuditRun, 600)
    assert sorted(dead) == sorted([(rows["silent"].pk, silent_since),
                                   (rows["too long"].pk, None),
                                   (rows["pre-heartbeat"].pk, None)])
    assert lost == [rows["lost"].pk]


def test_the_lost_worker_message_says_since_when():
    when = timezone.datetime(2026, 2, 12, 13, 5, 9, tzinfo=timezone.get_fixed_timezone(0))
    assert queueing.lost_worker_message("audit", when) == (
        "worker lost: no heartbeat since 2026-02-12 13:05:09 UTC; the worker running this "
        "audit was killed or cut off before finishing")
