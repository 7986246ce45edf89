"""queueing: one queued-or-running row per target, the race settled by the database, a claim
taken by one worker only, and a broker that is down reported on the row."""

from __future__ import annotations

import pytest
from celery import current_app

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
