"""Admin pages of the endpoint-safety models render; tokens cannot be added there (a token is
only ever shown once, on the tokens page), and the target page links to its endpoints."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from audits.api import tokens
from audits.endpoints import services as endpoints

pytestmark = pytest.mark.django_db


def test_changelists_render(client, seeded_target, backend_user):
    admin = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-only")
    client.force_login(admin)
    _, raw = tokens.create_token(backend_user, name="ci")
    endpoints.record_error(seeded_target, "the target has no code path to scan")
    endpoints.request_rescan(seeded_target, enqueue=False)
    for model in ("endpoint", "endpointscan", "endpointrescan", "endpointoverride", "apitoken"):
        response = client.get(reverse(f"admin:audits_{model}_changelist"))
        assert response.status_code == 200, model
        assert raw not in response.content.decode()
    assert client.get(reverse("admin:audits_apitoken_add")).status_code == 403


def test_target_page_links_to_endpoints(mobile, seeded_target):
    html = mobile.get("/targets/marketplace/").content.decode()
    assert 'href="/targets/marketplace/endpoints/">Endpoints</a>' in html
