"""The status and severity controls: lifecycle violations come back with a clear message."""

import pytest
from django.test import Client
from django.urls import reverse

from recovery import services

pytestmark = pytest.mark.django_db


def status_url(incident) -> str:
    return reverse("recovery:incident_status", args=[incident.slug])


def test_htmx_status_change_returns_header_and_timeline(backend_client: Client, incident) -> None:
    response = backend_client.post(
        status_url(incident), {"status": "recovering"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="incident-header"')
    assert "badge-recovering" in html
    assert '<div id="timeline" hx-swap-oob="true">' in html
    assert "Status: Declared → <strong>Recovering</strong> (skipped investigating)" in html
    incident.refresh_from_db()
    assert incident.status == "recovering"


def test_moving_back_without_reason_is_refused_in_place(
    backend_client: Client, incident, backend_user
) -> None:
    services.change_status(incident, "monitoring", author=backend_user)
    before = incident.entries.count()
    response = backend_client.post(
        status_url(incident), {"status": "declared", "reason": ""}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="incident-header"')
    assert "Moving back from monitoring to declared needs a reason." in html
    incident.refresh_from_db()
    assert incident.status == "monitoring"
    assert incident.entries.count() == before


def test_moving_back_with_reason_is_accepted(
    backend_client: Client, incident, backend_user
) -> None:
    services.change_status(incident, "resolved", author=backend_user)
    response = backend_client.post(
        status_url(incident), {"status": "recovering", "reason": "Order drift again"}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.resolved_at) == ("recovering", None)


def test_same_status_is_refused_on_the_plain_page(backend_client: Client, incident) -> None:
    response = backend_client.post(status_url(incident), {"status": "declared"})
    html = response.content.decode()
    assert "<html" in html
    assert "The incident is already declared." in html


def test_severity_change(backend_client: Client, incident) -> None:
    url = reverse("recovery:incident_severity", args=[incident.slug])
    response = backend_client.post(url, {"severity": "SEV1"}, HTTP_HX_REQUEST="true")
    assert "Severity: SEV2 → <strong>SEV1</strong>" in response.content.decode()
    response = backend_client.post(url, {"severity": "SEV1"}, HTTP_HX_REQUEST="true")
    assert "The incident is already SEV1." in response.content.decode()
