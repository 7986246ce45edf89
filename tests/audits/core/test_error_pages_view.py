"""The 403, 404 and 500 pages: in the layout, and they say what the reader's role may do."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_mobile_refused_a_write_sees_its_role_explained(mobile_client) -> None:
    response = mobile_client.get(reverse("audits:target_create"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "<title>Not allowed · Driftwatch</title>" in page
    assert "Your role (<strong>mobile</strong>) may read but not change anything" in page
    assert page.count("may read but not change") == 1  # the view's generic reason is not repeated
    assert 'href="/"' in page and "Back to the overview" in page


def test_403_adds_the_views_own_reason(mobile_client, incident) -> None:
    response = mobile_client.post(reverse("recovery:incident_edit", args=[incident.slug]))
    assert response.status_code == 403
    assert "Your role may read but not change incidents." in response.content.decode()


def test_missing_page_is_a_friendly_404_in_the_layout(backend_client) -> None:
    response = backend_client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<title>Not found · Driftwatch</title>" in page
    assert "There is no page at <code class=\"wrap\">/no/such/page/</code>" in page
    assert 'class="topbar"' in page
    assert '<a class="skip-link" href="#main">Skip to content</a>' in page and 'id="main"' in page
    assert "may read but not change" not in page  # backend writes: no role caveat


def test_404_tells_a_reader_its_role(mobile_client) -> None:
    response = mobile_client.get(reverse("audits:target", args=["no-such-target"]))
    assert response.status_code == 404
    assert "Your role (mobile) may read but not change anything" in response.content.decode()


def test_500_renders_without_a_request() -> None:
    page = render_to_string("500.html")
    assert "<title>Server error · Driftwatch</title>" in page
    assert "Nothing was written to any target database" in page
