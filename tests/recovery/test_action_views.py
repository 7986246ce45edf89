"""Action items and data loss from the incident page: add, and the htmx toggle."""

import pytest
from django.test import Client
from django.urls import reverse

from recovery import services
from recovery.models import ActionItem, DataLoss

pytestmark = pytest.mark.django_db


def test_toggle_over_htmx_returns_the_row(backend_client: Client, incident, backend_user) -> None:
    item = services.add_action_item(incident, title="Audit Order", author=backend_user)
    url = reverse("recovery:action_toggle", args=[incident.slug, item.pk])
    html = backend_client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith(f'<li id="action-{item.pk}" class="action action-done">')
    assert 'aria-pressed="true"' in html
    assert "marked done" in html  # the timeline, out of band
    item.refresh_from_db()
    assert item.status == "done"
    response = backend_client.post(url)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "open"


def test_toggle_of_another_incidents_item_is_404(
    backend_client: Client, incident, backend_user
) -> None:
    other = services.create_incident(title="Other", author=backend_user)
    item = services.add_action_item(other, title="Theirs", author=backend_user)
    url = reverse("recovery:action_toggle", args=[incident.slug, item.pk])
    assert backend_client.post(url).status_code == 404


def test_add_action_item_with_bad_due_date(backend_client: Client, incident) -> None:
    url = reverse("recovery:action_add", args=[incident.slug])
    html = backend_client.post(
        url, {"title": "Audit", "due_date": "soon"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert html.lstrip().startswith('<section id="action-items"')
    assert "Enter a valid date." in html
    assert ActionItem.objects.count() == 0
    html = backend_client.post(
        url, {"title": "Audit", "due_date": "2026-03-01"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "due 1 Mar 2026" in html


def test_add_data_loss(backend_client: Client, incident) -> None:
    url = reverse("recovery:data_loss_add", args=[incident.slug])
    html = backend_client.post(
        url,
        {"table_name": "Order", "rows_before": "1200", "unrecoverable": "on"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert html.lstrip().startswith('<section id="data-loss"')
    assert ">1200<" in html
    loss = DataLoss.objects.get()
    assert (loss.table_name, loss.rows_before, loss.unrecoverable) == ("Order", 1200, True)
    html = backend_client.post(url, {"table_name": "Order"}, HTTP_HX_REQUEST="true")
    assert "Order is already recorded." in html.content.decode()
