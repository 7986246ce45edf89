"""Every endpoint-safety write view: backend writes, mobile gets 403, anonymous goes to login;
overrides carry author and reason and are logged on the target's open incidents."""

from __future__ import annotations

import pytest

from audits.endpoints.models import Endpoint, EndpointOverride, EndpointRescan, EndpointScan
from recovery.models import TimelineEntry
from tests.audits.endpoints.fixtures import *  # noqa: F403 — the seed fixtures

pytestmark = pytest.mark.django_db

BASE = "/targets/marketplace/endpoints/"
OVERRIDE = {"route": "/api/health", "method": "", "model": "Review", "action": "add",
            "reason": "health reads the review count"}


def write_paths(target) -> list[tuple[str, dict]]:
    override = EndpointOverride.objects.create(target=target, route="/api/contact",
                                               model="ContactSubmission", action="remove",
                                               reason="x")
    return [(BASE + "rescan/", {}), (BASE + "overrides/", OVERRIDE),
            (BASE + f"overrides/{override.pk}/delete/", {})]


def test_mobile_gets_403_and_nothing_changes(sqlite_seed_target, mobile):
    paths = write_paths(sqlite_seed_target)
    scanned = EndpointScan.objects.get(target=sqlite_seed_target).scanned_at
    for path, data in paths:
        assert mobile.post(path, data).status_code == 403, path
    assert EndpointOverride.objects.count() == 1
    assert EndpointScan.objects.get(target=sqlite_seed_target).scanned_at == scanned
    assert not EndpointRescan.objects.exists()  # nothing was queued either


def test_anonymous_goes_to_login(sqlite_seed_target, client):
    for path, data in write_paths(sqlite_seed_target):
        response = client.post(path, data)
        assert response.status_code == 302 and response["Location"] == f"/login/?next={path}"
    assert EndpointOverride.objects.count() == 1
    assert not EndpointRescan.objects.exists()


def test_get_is_refused_on_write_urls(sqlite_seed_target, backend):
    for path, _ in write_paths(sqlite_seed_target):
        assert backend.get(path).status_code == 405


def test_backend_adds_and_withdraws_an_override(sqlite_seed_target, backend, backend_user,
                                                incident):
    sqlite_seed_target.incidents.add(incident)
    response = backend.post(BASE + "overrides/", OVERRIDE)
    assert response.status_code == 302 and response["Location"] == BASE
    override = EndpointOverride.objects.get()
    assert (override.author, override.reason, override.model, override.action,
            override.method) == (backend_user, OVERRIDE["reason"], "Review", "add", "")
    health = Endpoint.objects.get(target=sqlite_seed_target, route="/api/health")
    assert health.verdict == "unsafe" and health.models == ["Review"]
    entry = TimelineEntry.objects.filter(incident=incident, kind="decision").get()
    assert entry.body == ("Endpoint override on **Marketplace**: add model `Review` for "
                          "`* /api/health` — health reads the review count")
    assert entry.author == backend_user
    html = backend.get(BASE).content.decode()
    assert "health reads the review count" in html and "Override saved" in html
    backend.post(BASE + f"overrides/{override.pk}/delete/")
    assert not EndpointOverride.objects.exists()
    assert Endpoint.objects.get(target=sqlite_seed_target, route="/api/health").verdict == "safe"


def test_invalid_override_is_refused_with_messages(sqlite_seed_target, backend):
    response = backend.post(BASE + "overrides/", {**OVERRIDE, "model": "Nope", "reason": ""},
                            follow=True)
    html = response.content.decode()
    assert "&#x27;Nope&#x27; is not a model of this target&#x27;s schema." in html
    assert "Say why the scanner is wrong here." in html
    assert not EndpointOverride.objects.exists()


# The rescan runs on a worker: here Celery's eager mode, run when the test's transaction would
# commit (tests/audits/test_endpoint_rescan.py covers the queued states and the htmx box).


@pytest.fixture
def eager_worker():
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_backend_rescan(sqlite_seed_target, backend, eager_worker,
                        django_capture_on_commit_callbacks):
    before = EndpointScan.objects.get(target=sqlite_seed_target).scanned_at
    with django_capture_on_commit_callbacks(execute=True):
        response = backend.post(BASE + "rescan/", follow=True)
    job = EndpointRescan.objects.get()
    assert f"Rescan #{job.pk} queued: reload this page to see it end." \
        in response.content.decode()  # the view answered before the worker ran
    job.refresh_from_db()
    assert (job.status, job.endpoint_count) == ("succeeded", 29)
    assert EndpointScan.objects.get(target=sqlite_seed_target).scanned_at > before


def test_rescan_failure_is_reported(sqlite_seed_target, backend, tmp_path, eager_worker,
                                    django_capture_on_commit_callbacks):
    sqlite_seed_target.code_path = str(tmp_path / "gone")
    sqlite_seed_target.save(update_fields=["code_path"])
    with django_capture_on_commit_callbacks(execute=True):
        backend.post(BASE + "rescan/")
    html = backend.get(BASE).content.decode()
    reason = f"the code path {tmp_path / 'gone'} is not a folder"
    assert f"{reason}</p>" in html  # the page's "Last scan failed" line
    job = EndpointRescan.objects.get()
    assert (job.status, job.error) == ("failed", reason)
    assert f"rescan #{job.pk} failed</span>" in html  # the box says which rescan failed
