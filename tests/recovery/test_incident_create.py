"""Declaring an incident from the form."""

import pytest
from django.test import Client
from django.urls import reverse

from recovery.models import Incident, TimelineEntry

pytestmark = pytest.mark.django_db
URL = reverse("recovery:incident_create")


def test_form_renders_for_backend(backend_client: Client) -> None:
    html = backend_client.get(URL).content.decode()
    assert 'name="title"' in html
    assert 'name="severity"' in html


def test_create_redirects_to_the_incident(backend_client: Client) -> None:
    response = backend_client.post(
        URL, {"title": "Prod DB wiped", "severity": "SEV1", "summary": "A reset ran."}
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/incidents/prod-db-wiped/"
    assert (incident.severity, incident.status) == ("SEV1", "declared")
    assert incident.entries.get().body == "Incident declared as **SEV1**: Prod DB wiped"


def test_empty_title_is_a_form_error_and_saves_nothing(backend_client: Client) -> None:
    response = backend_client.post(URL, {"title": "", "severity": "SEV1"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert 'class="field field-invalid' in response.content.decode()
    assert Incident.objects.count() == 0
    assert TimelineEntry.objects.count() == 0


def test_blank_title_after_strip_is_a_form_error(backend_client: Client) -> None:
    response = backend_client.post(URL, {"title": "   ", "severity": "SEV1"})
    assert "This field is required." in response.content.decode()
    assert Incident.objects.count() == 0
