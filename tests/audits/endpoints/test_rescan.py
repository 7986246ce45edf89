""""Rescan code" on a Celery worker: the view queues and answers at once, one rescan per target,
the task claims its rescan once, errors are stored with their reason (never a credential), the
sweep fails a stale one, and the htmx progress box renders each state."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import IntegrityError, transaction
from django.utils import timezone

from audits.endpoints import services as endpoints
from audits.endpoints.models import Endpoint, EndpointRescan, EndpointScan
from audits.endpoints.tasks import rescan_endpoints
from audits.tasks import sweep_stale_audits
from tests.audits.conftest import SECRET_DSN
from tests.audits.endpoints.fixtures import *  # noqa: F403 — the seed fixtures

pytestmark = pytest.mark.django_db

BASE = "/targets/marketplace/endpoints/"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "rescan-progress"}
ITEM = re.compile(r'<li class="ep-item ep-(\w+)"')


def progress_url(job: EndpointRescan) -> str:
    return f"{BASE}rescans/{job.pk}/"


def scanned_at(target) -> object:
    return EndpointScan.objects.get(target=target).scanned_at


# -- the view ----------------------------------------------------------------------------------


def test_view_queues_and_answers_without_scanning(sqlite_seed_target, backend,
                                                 django_capture_on_commit_callbacks, monkeypatch):
    sent: list[dict] = []
    monkeypatch.setattr(rescan_endpoints, "apply_async", lambda **kwargs: sent.append(kwargs))
    before = scanned_at(sqlite_seed_target)
    with django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        response = backend.post(BASE + "rescan/", **HTMX)
        elapsed = time.monotonic() - started
    job = EndpointRescan.objects.get()
    assert response.status_code == 200 and job.status == "queued"
    assert [call["args"] for call in sent] == [[job.pk]]  # the message carries the id only
    assert scanned_at(sqlite_seed_target) == before  # nothing was scanned in the request
    assert elapsed < 2.0, elapsed
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="rescan-progress"')
    assert f'hx-get="{progress_url(job)}" hx-trigger="every 1s"' in html
    assert "Scanning the code…" in html and f"rescan #{job.pk} queued" in html
    assert 'id="rescan-code"' not in html  # no second button while one is queued


def test_the_worker_then_runs_the_queued_rescan(sqlite_seed_target, backend,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        backend.post(BASE + "rescan/", **HTMX)
    Endpoint.objects.filter(target=sqlite_seed_target, prefix="/api/chat").delete()
    job = EndpointRescan.objects.get()
    assert rescan_endpoints(job.pk) == "succeeded"  # the task function, called as a worker does
    job.refresh_from_db()
    assert (job.status, job.endpoint_count, job.error) == ("succeeded", 29, "")
    assert job.started_at and job.finished_at and job.requested_by.username == "test-backend"
    assert Endpoint.objects.filter(target=sqlite_seed_target).count() == 29


def test_a_second_request_joins_the_active_rescan(sqlite_seed_target, backend,
                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = backend.post(BASE + "rescan/", **HTMX)
        second = backend.post(BASE + "rescan/", **HTMX)
    job = EndpointRescan.objects.get()
    assert len(callbacks) == 1  # one message, not two
    assert f"rescan #{job.pk} queued" in first.content.decode()
    assert f"rescan #{job.pk} queued" in second.content.decode()
    assert endpoints.claim_rescan(job.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        third = backend.post(BASE + "rescan/", **HTMX)
    assert callbacks == [] and EndpointRescan.objects.count() == 1
    assert f"rescan #{job.pk} running" in third.content.decode()


def test_a_finished_rescan_lets_a_new_one_be_queued(sqlite_seed_target):
    first = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    endpoints.execute_rescan(first.pk)
    second = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    assert second.pk != first.pk and second.status == "queued"


def test_the_database_refuses_a_second_active_rescan(sqlite_seed_target):
    endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        EndpointRescan.objects.create(target=sqlite_seed_target)


def test_refusals(sqlite_seed_target, mobile, client):
    assert mobile.post(BASE + "rescan/", **HTMX).status_code == 403
    response = client.post(BASE + "rescan/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not EndpointRescan.objects.exists()
    job = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    response = client.get(progress_url(job))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_broker_down_fails_the_rescan_with_the_reason(sqlite_seed_target, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    def down(**kwargs):
        raise ConnectionRefusedError("broker")

    monkeypatch.setattr(rescan_endpoints, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        job = endpoints.request_rescan(sqlite_seed_target)
    job.refresh_from_db()
    assert job.status == "failed" and "the task broker is unreachable" in job.error


# -- the claim: one worker per rescan, and a message run twice does nothing twice -------------


def test_claim_is_won_by_exactly_one(sqlite_seed_target):
    job = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    assert endpoints.claim_rescan(job.pk) is True
    assert endpoints.claim_rescan(job.pk) is False
    assert endpoints.execute_rescan(job.pk) is None  # a second worker gets nothing to do
    assert rescan_endpoints(job.pk) == "skipped"
    # two workers at once: tests/audits/test_endpoint_concurrency.py


def test_a_redelivered_message_does_not_scan_again(sqlite_seed_target):
    job = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    assert rescan_endpoints(job.pk) == "succeeded"
    after = scanned_at(sqlite_seed_target)
    assert rescan_endpoints(job.pk) == "skipped"
    assert scanned_at(sqlite_seed_target) == after


# -- errors: stored with their reason, never a crash, never a credential -------------------------


def test_a_scan_error_is_stored_on_the_rescan_and_the_scan(sqlite_seed_target, tmp_path):
    sqlite_seed_target.code_path = str(tmp_path / "gone")
    sqlite_seed_target.save(update_fields=["code_path"])
    job = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    assert rescan_endpoints(job.pk) == "failed"
    job.refresh_from_db()
    reason = f"the code path {tmp_path / 'gone'} is not a folder"
    assert (job.status, job.error, job.endpoint_count) == ("failed", reason, None)
    assert EndpointScan.objects.get(target=sqlite_seed_target).error == reason
    assert Endpoint.objects.filter(target=sqlite_seed_target).count() == 29  # last good list kept


def test_an_error_quoting_the_database_url_is_redacted(make_target, tmp_path, monkeypatch):
    target = make_target(slug="secret", code_path=str(tmp_path))

    def leaky(target, run):  # e.g. a driver error quoting the URL it was handed
        raise RuntimeError(f"could not read {SECRET_DSN}")

    monkeypatch.setattr(endpoints, "compute", leaky)
    job = endpoints.request_rescan(target, enqueue=False)
    assert rescan_endpoints(job.pk) == "failed"
    job.refresh_from_db()
    scan = EndpointScan.objects.get(target=target)
    for text in (job.error, scan.error):
        assert "S3cr3t-Pa55w0rd" not in text and text.startswith("RuntimeError: could not read")


def test_a_crash_while_storing_fails_the_rescan_without_details(sqlite_seed_target, monkeypatch):
    def broken_store(*args, **kwargs):
        raise RuntimeError(f"boom {SECRET_DSN}")

    monkeypatch.setattr(endpoints, "store", broken_store)
    job = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    assert rescan_endpoints(job.pk) == "failed"
    job.refresh_from_db()
    assert job.error == endpoints.RESCAN_CRASH_MESSAGE


def test_the_soft_time_limit_fails_the_rescan_with_the_reason(sqlite_seed_target, monkeypatch):
    def too_slow(target, run):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(endpoints, "compute", too_slow)
    job = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    assert rescan_endpoints(job.pk) == "failed"
    job.refresh_from_db()
    assert job.error == "the rescan took longer than 270 s and was stopped"
    assert rescan_endpoints.soft_time_limit == 270 and rescan_endpoints.time_limit == 300


# -- the sweep ----------------------------------------------------------------------------------


def test_sweep_fails_a_rescan_whose_worker_died(sqlite_seed_target):
    job = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    endpoints.claim_rescan(job.pk)
    assert sweep_stale_audits.apply().get() == 0  # running, but not for long
    EndpointRescan.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - timedelta(hours=1))
    assert sweep_stale_audits.apply().get() == 1
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", endpoints.RESCAN_STALE_MESSAGE)
    assert endpoints.request_rescan(sqlite_seed_target, enqueue=False).pk != job.pk


def test_sweep_fails_a_rescan_whose_heartbeat_stopped(sqlite_seed_target):
    job = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    endpoints.claim_rescan(job.pk)
    EndpointRescan.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=1))
    assert endpoints.sweep_stale_rescans() == 1
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error.startswith("worker lost: no heartbeat since ")
    assert endpoints.request_rescan(sqlite_seed_target, enqueue=False).pk != job.pk


def test_sweep_fails_a_queued_rescan_nobody_picked_up(sqlite_seed_target):
    job = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    EndpointRescan.objects.filter(pk=job.pk).update(queued_at=timezone.now() - timedelta(days=1))
    assert endpoints.sweep_stale_rescans() == 1
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", endpoints.RESCAN_LOST_MESSAGE)
    assert rescan_endpoints(job.pk) == "skipped"  # the lost message, delivered late


def test_a_rescan_swept_meanwhile_stays_failed(sqlite_seed_target, monkeypatch):
    real_compute = endpoints.compute

    def swept_while_scanning(target, run):
        endpoints.fail_rescan(job.pk, endpoints.RESCAN_STALE_MESSAGE)
        return real_compute(target, run)

    job = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    monkeypatch.setattr(endpoints, "compute", swept_while_scanning)
    endpoints.execute_rescan(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", endpoints.RESCAN_STALE_MESSAGE)


# -- the progress box, each state -----------------------------------------------------------------


def test_progress_queued_and_running_keep_polling(sqlite_seed_target, mobile):
    job = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    html = mobile.get(progress_url(job), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in html and f"rescan #{job.pk} queued" in html
    assert "waiting for a worker since" in html and 'id="endpoint-list"' not in html
    endpoints.claim_rescan(job.pk)
    html = mobile.get(progress_url(job), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in html and f"rescan #{job.pk} running" in html
    assert "Scanning the code…" in html and "waiting for a worker" not in html
    assert 'id="rescan-code"' not in html  # mobile never gets the button


def test_progress_succeeded_swaps_in_the_new_list_with_the_page_filters(sqlite_seed_target,
                                                                         backend):
    Endpoint.objects.filter(target=sqlite_seed_target).delete()
    job = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    endpoints.execute_rescan(job.pk)
    html = backend.get(progress_url(job) + "?verdict=safe", HTTP_HX_REQUEST="true"
                       ).content.decode()
    assert "every 1s" not in html and f"rescan #{job.pk} succeeded" in html
    assert "29 endpoints" in html and 'id="rescan-code"' in html  # the button is back
    assert '<div id="endpoint-summary" hx-swap-oob="true">' in html
    assert '<div id="endpoint-list" class="ep-list" aria-live="polite" hx-swap-oob="true">' in html
    assert ITEM.findall(html) == ["safe"] * 8  # filtered as the page is


def test_progress_failed_shows_the_reason(sqlite_seed_target, mobile, tmp_path):
    sqlite_seed_target.code_path = str(tmp_path / "gone")
    sqlite_seed_target.save(update_fields=["code_path"])
    job = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    endpoints.execute_rescan(job.pk)
    html = mobile.get(progress_url(job), HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in html and f"rescan #{job.pk} failed" in html
    reason = f"the code path {tmp_path / 'gone'} is not a folder"
    assert re.search(r'class="message message-error ep-scan-error">Last scan failed \([^)]*\): '
                     + re.escape(reason) + "</p>", html)
    assert html.count(reason) == 1  # said once, on the summary's line
    assert len(ITEM.findall(html)) == 29  # the last good list stays


def test_progress_failed_without_a_scan_error_shows_its_own_reason(sqlite_seed_target, mobile):
    job = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    endpoints.fail_rescan(job.pk, endpoints.RESCAN_LOST_MESSAGE, from_states=("queued",))
    html = mobile.get(progress_url(job), HTTP_HX_REQUEST="true").content.decode()
    assert f'<span class="dw-error-text ep-rescan-error">{endpoints.RESCAN_LOST_MESSAGE}' in html


def test_progress_of_another_targets_rescan_is_404(sqlite_seed_target, make_target, mobile):
    other = make_target(slug="other")
    job = endpoints.request_rescan(other, enqueue=False)
    assert mobile.get(progress_url(job)).status_code == 404


def test_the_page_shows_an_active_rescan_to_every_reader(sqlite_seed_target, mobile, backend):
    job = endpoints.request_rescan(sqlite_seed_target, enqueue=False)
    for client in (mobile, backend):
        html = client.get(BASE).content.decode()
        assert f'hx-get="{progress_url(job)}" hx-trigger="every 1s"' in html
        assert "Rescan code" not in html  # not while one is queued
    endpoints.execute_rescan(job.pk)
    html = backend.get(BASE).content.decode()
    assert "every 1s" not in html and "Rescan code" in html
    assert f"rescan #{job.pk}" not in html  # a finished success says nothing more
