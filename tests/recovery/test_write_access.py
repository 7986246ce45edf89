"""Every write view: the mobile role gets 403 and anonymous users the login page; nothing saved."""

import pytest
from django.test import Client
from django.urls import reverse

from recovery import services
from recovery.models import ActionItem, Commit, DataLoss, Incident, Migration, TimelineEntry

pytestmark = pytest.mark.django_db

VALID_POSTS = {
    "incident_status": {"status": "investigating"},
    "incident_severity": {"severity": "SEV1"},
    "log_step": {"body": "Restarted the API", "kind": "action"},
    "commit_add": {"sha": "abcdef1"},
    "migration_add": {"name": "20260212132000_add_columns", "sql": "SELECT 1;"},
    "data_loss_add": {"table_name": "Order"},
    "action_add": {"title": "Audit Product"},
}


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Incident, TimelineEntry, Commit, Migration, DataLoss, ActionItem)
    )


def write_requests(incident: Incident) -> list[tuple[str, dict[str, str]]]:
    item = services.add_action_item(incident, title="Existing item", author=None)
    urls = [
        (reverse(f"recovery:{name}", args=[incident.slug]), data)
        for name, data in VALID_POSTS.items()
    ]
    urls.append((reverse("recovery:action_toggle", args=[incident.slug, item.pk]), {}))
    urls.append((reverse("recovery:incident_create"), {"title": "New", "severity": "SEV3"}))
    urls.append(
        (
            reverse("recovery:incident_edit", args=[incident.slug]),
            {"title": "Renamed", "commander": "Ada"},
        )
    )
    return urls


def test_mobile_role_is_refused_everywhere(incident, mobile_client: Client) -> None:
    requests = write_requests(incident)
    before = counts()
    for url, data in requests:
        assert mobile_client.post(url, data).status_code == 403, url
        assert mobile_client.post(url, data, HTTP_HX_REQUEST="true").status_code == 403, url
    assert mobile_client.get(reverse("recovery:incident_create")).status_code == 403
    edit = reverse("recovery:incident_edit", args=[incident.slug])
    assert mobile_client.get(edit).status_code == 403
    assert counts() == before
    assert ActionItem.objects.get().status == "open"


def test_anonymous_is_sent_to_login(incident, client: Client) -> None:
    requests = write_requests(incident)
    before = counts()
    for url, data in requests:
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url
    assert counts() == before


def test_backend_role_may_write_each(incident, backend_client: Client) -> None:
    for url, data in write_requests(incident):
        response = backend_client.post(url, data)
        assert response.status_code == 302, (url, response.content[:500])
    incident.refresh_from_db()
    assert (incident.status, incident.severity) == ("investigating", "SEV1")
    assert Commit.objects.get().sha == "abcdef1"
    assert Migration.objects.get().name == "20260212132000_add_columns"
    assert DataLoss.objects.get().table_name == "Order"
    assert Incident.objects.filter(title="New", severity="SEV3").count() == 1
    assert Incident.objects.filter(title="Renamed").count() == 1


def test_get_on_a_write_url_is_not_allowed(incident, backend_client: Client) -> None:
    url = reverse("recovery:log_step", args=[incident.slug])
    assert backend_client.get(url).status_code == 405
