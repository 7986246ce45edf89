"""Every write view refuses the mobile role (403) and anonymous users (login redirect)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.core.models import AuditRun, Target

pytestmark = pytest.mark.django_db


def write_urls(target: Target) -> list[tuple[str, str]]:
    run = target.last_success
    return [
        ("post", reverse("audits:audit_now", args=[target.slug])),
        ("get", reverse("audits:target_create")),
        ("post", reverse("audits:target_create")),
        ("get", reverse("audits:target_edit", args=[target.slug])),
        ("post", reverse("audits:target_edit", args=[target.slug])),
        ("post", reverse("audits:set_baseline", args=[target.slug, run.pk])),
    ]


def test_mobile_gets_403_on_every_write(mobile, seeded_target):
    for method, url in write_urls(seeded_target):
        assert getattr(mobile, method)(url).status_code == 403, url
    assert AuditRun.objects.count() == 1
    seeded_target.refresh_from_db()
    assert seeded_target.baseline_run_id is None


def test_anonymous_is_redirected_to_login_everywhere(client, seeded_target):
    run = seeded_target.last_success
    reads = [reverse("audits:overview"), reverse("audits:target", args=["marketplace"]),
             reverse("audits:run", args=["marketplace", run.pk]),
             reverse("audits:fix_migration_sql", args=["marketplace", run.pk]),
             reverse("audits:incident_panel", args=["x"])]
    for method, url in [*write_urls(seeded_target), *(("get", u) for u in reads)]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url


def test_backend_may_set_a_baseline(backend, seeded_target):
    run = seeded_target.last_success
    response = backend.post(reverse("audits:set_baseline", args=["marketplace", run.pk]))
    assert response.status_code == 302
    seeded_target.refresh_from_db()
    assert (seeded_target.schema_source, seeded_target.baseline_run_id) == ("baseline", run.pk)
