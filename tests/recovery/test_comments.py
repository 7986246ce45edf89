"""Comments: the mobile role may comment on an incident, and only comment."""

import pytest
from django.test import Client
from django.urls import reverse

from recovery.models import EntryKind, TimelineEntry

pytestmark = pytest.mark.django_db


def url(incident) -> str:
    return reverse("recovery:comment_add", args=[incident.slug])


def test_mobile_comments_through_htmx(incident, mobile_client: Client, mobile_user) -> None:
    response = mobile_client.post(url(incident), {"body": "iOS login works again"},
                                  HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="add-comment"')
    assert '<div id="timeline" hx-swap-oob="true">' in html
    entry = TimelineEntry.objects.get(kind=EntryKind.COMMENT)
    assert (entry.body, entry.author, entry.phase) == ("iOS login works again", mobile_user, "")
    assert f'<li id="entry-{entry.pk}" class="entry entry-comment is-new">' in html


def test_a_comment_is_only_a_comment(incident, mobile_client: Client) -> None:
    mobile_client.post(url(incident), {"body": "hello", "kind": "deploy", "phase": "Phase 9"})
    entry = TimelineEntry.objects.get(body="hello")
    assert (entry.kind, entry.phase) == ("comment", "")


def test_mobile_still_cannot_log_a_step(incident, mobile_client: Client) -> None:
    before = TimelineEntry.objects.count()
    step = reverse("recovery:log_step", args=[incident.slug])
    assert mobile_client.post(step, {"body": "x", "kind": "comment"}).status_code == 403
    assert TimelineEntry.objects.count() == before


def test_empty_comment_is_refused_in_place(incident, mobile_client: Client) -> None:
    before = TimelineEntry.objects.count()
    html = mobile_client.post(url(incident), {"body": " "}, HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<form id="add-comment"')
    assert "This field is required." in html
    assert TimelineEntry.objects.count() == before


def test_anonymous_cannot_comment(incident, client: Client) -> None:
    before = TimelineEntry.objects.count()
    response = client.post(url(incident), {"body": "hi"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert TimelineEntry.objects.count() == before


def test_mobile_sees_why_the_write_controls_are_missing(demo_incident, mobile_client) -> None:
    html = mobile_client.get(demo_incident.get_absolute_url()).content.decode()
    assert html.count('<p class="read-only-note" role="note">Read-only: you are signed in as '
                      '<strong>test-mobile</strong> (mobile team).') == 2
    assert 'id="add-comment"' in html
    assert 'id="log-step"' not in html
    assert "Set status" not in html


def test_backend_sees_no_read_only_note(demo_incident, backend_client) -> None:
    html = backend_client.get(demo_incident.get_absolute_url()).content.decode()
    assert "read-only-note" not in html
    assert 'id="add-comment"' not in html
    assert 'id="log-step"' in html
