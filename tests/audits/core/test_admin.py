"""Every audits model has an admin page that renders, and run records are read-only there."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_changelists_and_run_detail(client, seeded_target):
    admin = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-only")
    client.force_login(admin)
    for model in ("target", "schemaversion", "auditrun", "finding", "modelstatus", "alert"):
        response = client.get(reverse(f"admin:audits_{model}_changelist"))
        assert response.status_code == 200, model
    run = seeded_target.last_success
    page = client.get(reverse("admin:audits_auditrun_change", args=[run.pk])).content.decode()
    assert "S3cr3t" not in page and 'name="_save"' not in page
    target_page = client.get(reverse("admin:audits_target_change", args=[seeded_target.pk]))
    assert "S3cr3t" not in target_page.content.decode()
    assert "dsn_encrypted" not in target_page.content.decode()


def test_plural_names_read_as_english(client, db):
    """Issue 16: the admin index said "Model statuss" (and "Data losss" for recovery)."""
    from django.contrib import admin as django_admin

    plurals = {model._meta.verbose_name_plural for model in django_admin.site._registry}
    assert "model statuses" in plurals and "data losses" in plurals
    assert not [p for p in plurals if str(p).endswith("ss") and not str(p).endswith("ess")]
    root = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-only")
    client.force_login(root)
    html = client.get("/admin/").content.decode()
    assert ">Model statuses</a>" in html and "statuss" not in html and "losss" not in html
