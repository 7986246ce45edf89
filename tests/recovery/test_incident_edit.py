"""Editing an incident's texts: backend only, logged on the timeline, empty title refused."""

import pytest
from django.test import Client
from django.urls import reverse

from recovery import services

pytestmark = pytest.mark.django_db


def url(incident) -> str:
    return reverse("recovery:incident_edit", args=[incident.slug])


def form_data(incident, **changes) -> dict[str, str]:
    data = {name: getattr(incident, name) for name in services.EDITABLE_FIELDS}
    data.update(changes)
    return data


def test_edit_saves_and_logs_changed_fields(backend_client: Client, incident) -> None:
    assert 'name="summary"' in backend_client.get(url(incident)).content.decode()
    response = backend_client.post(
        url(incident), form_data(incident, impact="Orders lost", root_cause="A reset")
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.impact, incident.root_cause) == ("Orders lost", "A reset")
    last = incident.entries.order_by("-id").first()
    assert last.body == "Incident details edited: impact, root cause"


def test_unchanged_form_logs_nothing(backend_client: Client, incident) -> None:
    before = incident.entries.count()
    backend_client.post(url(incident), form_data(incident))
    assert incident.entries.count() == before


def test_empty_title_is_a_form_error(backend_client: Client, incident) -> None:
    response = backend_client.post(url(incident), form_data(incident, title=""))
    assert "This field is required." in response.content.decode()
    incident.refresh_from_db()
    assert incident.title == "Orders table dropped"


def test_roles(mobile_client: Client, client: Client, incident) -> None:
    assert mobile_client.get(url(incident)).status_code == 403
    assert mobile_client.post(url(incident), form_data(incident, title="x")).status_code == 403
    assert client.post(url(incident), form_data(incident, title="x")).status_code == 302
    incident.refresh_from_db()
    assert incident.title == "Orders table dropped"


def test_status_is_not_editable_through_update(incident, backend_user) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Not editable here: status"):
        services.update_incident(incident, author=backend_user, status="resolved")
