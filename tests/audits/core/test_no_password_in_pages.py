"""No page, fragment or download ever shows a target's DSN password."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.core import credentials
from audits.targets import services
from recovery import services as recovery_services

pytestmark = pytest.mark.django_db
PASSWORD = "S3cr3t-Pa55w0rd"


def test_password_is_absent_from_every_page(backend, seeded_target, backend_user):
    incident = recovery_services.create_incident(title="Reset", author=backend_user)
    seeded_target.incidents.add(incident)
    seeded_target.set_webhook_secret("hook-secret-value")
    seeded_target.save()
    failed = services.request_audit(seeded_target, enqueue=False)
    services.claim_run(failed.pk)
    services.fail_run(failed.pk, credentials.scrub(
        f"could not connect to {credentials.target_dsn(seeded_target)}", credentials.target_dsn(
            seeded_target)))
    run = seeded_target.last_success
    urls = [
        reverse("audits:overview"),
        reverse("audits:target", args=["marketplace"]),
        reverse("audits:target_edit", args=["marketplace"]),
        reverse("audits:run_history", args=["marketplace"]),
        reverse("audits:run", args=["marketplace", run.pk]),
        reverse("audits:run", args=["marketplace", failed.pk]),
        reverse("audits:compare", args=["marketplace"]),
        reverse("audits:fix_migration", args=["marketplace", run.pk]),
        reverse("audits:incident_panel", args=[incident.slug]),
        reverse("audits:run_progress", args=["marketplace", failed.pk]),
    ]
    for url in urls:
        response = backend.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert PASSWORD not in html, url
        assert "hook-secret-value" not in html, url
    edit = backend.get(reverse("audits:target_edit", args=["marketplace"])).content.decode()
    assert "driftwatch:***@127.0.0.1:5432/shop" in edit
    assert 'name="database_url"' in edit and 'value="postgresql' not in edit
