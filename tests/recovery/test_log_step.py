"""The inline "log a step" form: htmx gets the fragments, plain posts the page; errors in place."""

import pytest
from django.test import Client
from django.urls import reverse

from recovery.models import TimelineEntry

pytestmark = pytest.mark.django_db


def url(incident) -> str:
    return reverse("recovery:log_step", args=[incident.slug])


def test_htmx_post_returns_fresh_form_and_timeline_out_of_band(
    backend_client: Client, incident, backend_user
) -> None:
    response = backend_client.post(
        url(incident),
        {
            "body": "Ran **prisma migrate deploy**",
            "kind": "deploy",
            "phase": "Phase 3",
            "occurred_at": "2026-02-12T13:20",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<form id="log-step"')
    assert '<div id="timeline" hx-swap-oob="true">' in html
    entry = TimelineEntry.objects.get(kind="deploy")
    assert f'<li id="entry-{entry.pk}" class="entry entry-deploy is-new">' in html
    assert "Ran <strong>prisma migrate deploy</strong>" in html
    assert entry.occurred_at.isoformat() == "2026-02-12T13:20:00+00:00"
    assert (entry.phase, entry.author) == ("Phase 3", backend_user)
    # The returned form is empty again.
    assert "prisma migrate deploy</textarea>" not in html


def test_plain_post_redirects_to_the_timeline(backend_client: Client, incident) -> None:
    response = backend_client.post(url(incident), {"body": "Checked backups", "kind": "finding"})
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.slug}/#timeline"
    assert TimelineEntry.objects.filter(body="Checked backups").count() == 1


def test_bad_date_is_an_error_in_the_fragment_and_saves_nothing(
    backend_client: Client, incident
) -> None:
    before = TimelineEntry.objects.count()
    response = backend_client.post(
        url(incident),
        {"body": "Something", "kind": "action", "occurred_at": "yesterday-ish"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="log-step"')
    assert "Enter a valid date/time." in html
    assert "hx-swap-oob" not in html
    # What was typed stays in the form.
    assert "\nSomething</textarea>" in html
    assert TimelineEntry.objects.count() == before


def test_empty_body_is_an_error_on_the_whole_page_for_plain_posts(
    backend_client: Client, incident
) -> None:
    before = TimelineEntry.objects.count()
    response = backend_client.post(url(incident), {"body": "", "kind": "action"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "This field is required." in html
    assert TimelineEntry.objects.count() == before


def test_status_change_kind_cannot_be_logged_by_hand(backend_client: Client, incident) -> None:
    before = TimelineEntry.objects.count()
    response = backend_client.post(
        url(incident), {"body": "x", "kind": "status_change"}, HTTP_HX_REQUEST="true"
    )
    assert "Select a valid choice." in response.content.decode()
    assert TimelineEntry.objects.count() == before
