""""Audit now": backend only, POST only, one run per target, live progress fragment."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.core.models import AuditRun
from audits.targets import services

pytestmark = pytest.mark.django_db


def test_backend_starts_one_run_and_gets_the_polling_fragment(backend, make_target,
                                                              django_capture_on_commit_callbacks):
    target = make_target(slug="shop")
    url = reverse("audits:audit_now", args=["shop"])
    with django_capture_on_commit_callbacks(execute=False):
        first = backend.post(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="audit-progress")
        second = backend.post(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="audit-progress")
    run = AuditRun.objects.get(target=target)
    assert first.status_code == second.status_code == 200
    html = first.content.decode()
    assert html.lstrip().startswith('<div id="audit-progress"')
    assert f'hx-get="/targets/shop/runs/{run.pk}/progress/"' in html
    assert 'hx-trigger="every 1s"' in html
    assert f"audit #{run.number} queued" in html and run.number == 1


def test_progress_stops_polling_and_triggers_grid_refresh_when_finished(mobile, seeded_target):
    run = seeded_target.last_success
    response = mobile.get(reverse("audits:run_progress", args=["marketplace", run.pk]))
    assert response["HX-Trigger"] == "audit-finished"
    html = response.content.decode()
    assert "every 1s" not in html and f"audit #{run.number} succeeded" in html


def test_progress_keeps_polling_while_running(mobile, make_target):
    target = make_target(slug="slow")
    run = services.request_audit(target, enqueue=False)
    services.claim_run(run.pk)
    response = mobile.get(reverse("audits:run_progress", args=["slow", run.pk]))
    assert "HX-Trigger" not in response
    assert 'hx-trigger="every 1s"' in response.content.decode()


def test_mobile_gets_403_and_no_run(mobile, make_target):
    make_target(slug="shop")
    assert mobile.post(reverse("audits:audit_now", args=["shop"])).status_code == 403
    assert AuditRun.objects.count() == 0


def test_get_is_not_allowed(backend, make_target):
    make_target(slug="shop")
    assert backend.get(reverse("audits:audit_now", args=["shop"])).status_code == 405


def test_without_htmx_redirects_to_the_target(backend, make_target,
                                              django_capture_on_commit_callbacks):
    make_target(slug="shop")
    with django_capture_on_commit_callbacks(execute=False):
        response = backend.post(reverse("audits:audit_now", args=["shop"]))
    assert response.status_code == 302 and response["Location"] == "/targets/shop/"


@pytest.mark.django_db(transaction=True)  # committed at once, so the send happens in the request
def test_broker_down_says_the_queue_is_unavailable_and_offers_the_button(backend, make_target):
    from tests.audits.targets.test_worker_integration import free_port, publishing_to

    target = make_target(slug="shop")
    with publishing_to(f"redis://127.0.0.1:{free_port()}/0"):
        response = backend.post(reverse("audits:audit_now", args=["shop"]),
                                HTTP_HX_REQUEST="true", HTTP_HX_TARGET="audit-progress")
    run = AuditRun.objects.get(target=target)
    html = response.content.decode()
    assert run.status == "failed"
    assert f"audit #{run.number} failed" in html and "every 1s" not in html
    assert "the task broker is unreachable, so the audit was never queued" in html
    assert 'id="audit-now"' in html  # nothing stuck: it can be asked again
