"""Rendered fragments kept under a digest of what they show: a change is never hidden.

The incident page's timeline and the post-mortem's HTML are rendered once per process for a
given content (recovery/fragments.py); these tests change the rows every way the product and an
admin can, and read the page again in the same process.
"""

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recovery import fragments, services
from recovery.models import ActionItem, Commit, Incident, TimelineEntry

pytestmark = pytest.mark.django_db


def page(client: Client, incident) -> str:  # type: ignore[no-untyped-def]
    response = client.get(incident.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_logged_step_shows_on_the_next_view(backend_client, backend_user, incident) -> None:
    page(backend_client, incident)  # renders (and keeps) the timeline as it was
    services.log_step(incident, body="Restored **Order** from the backup", author=backend_user,
                      phase="Phase 9")
    html = page(backend_client, incident)
    assert "Restored <strong>Order</strong> from the backup" in html
    assert "Phase 9" in html


def test_an_entry_edited_in_place_shows_its_new_text(mobile_client, backend_user,
                                                      incident) -> None:
    entry = services.log_step(incident, body="first words", author=backend_user)
    assert "first words" in page(mobile_client, incident)
    # an admin edit, or any write that bypasses the services: no signal, no hook involved
    TimelineEntry.objects.filter(pk=entry.pk).update(body="second words", phase="Later")
    html = page(mobile_client, incident)
    assert "second words" in html and "first words" not in html
    assert "Later" in html


def test_a_renamed_author_and_a_moved_time_show(mobile_client, backend_user, incident) -> None:
    entry = services.log_step(incident, body="step", author=backend_user)
    page(mobile_client, incident)
    backend_user.username = "bea-renamed"
    backend_user.save()
    TimelineEntry.objects.filter(pk=entry.pk).update(
        occurred_at=datetime(2026, 2, 13, 9, 41, tzinfo=UTC))
    html = page(mobile_client, incident)
    assert "bea-renamed" in html
    assert "13 Feb 2026 09:41" in html


def test_the_timeline_is_rendered_in_the_viewers_time_zone(mobile_client, backend_user,
                                                           incident) -> None:
    services.log_step(incident, body="step", author=backend_user,
                      occurred_at=datetime(2026, 2, 12, 13, 5, tzinfo=UTC))
    assert "12 Feb 2026 13:05" in page(mobile_client, incident)
    with timezone.override("Asia/Tokyo"):
        assert "12 Feb 2026 22:05" in page(mobile_client, incident)


def test_the_post_mortem_follows_the_incident(mobile_client, backend_user, incident) -> None:
    url = reverse("recovery:postmortem", args=[incident.slug])
    mobile_client.get(url)
    services.log_step(incident, body="Backfilled `SupplierProfile`", author=backend_user)
    html = mobile_client.get(url).content.decode()
    assert "Backfilled <code>SupplierProfile</code>" in html


def test_digest_covers_every_part_and_their_boundaries() -> None:
    assert fragments.digest("a", "b") != fragments.digest("ab")
    assert fragments.digest("a", "b") != fragments.digest("b", "a")
    assert fragments.digest("a") == fragments.digest("a")


def test_markdown_html_is_the_sanitized_rendering() -> None:
    html = fragments.markdown_html("**x** <script>alert(1)</script>")
    assert str(html) == str(fragments.markdown_html("**x** <script>alert(1)</script>"))
    assert "<strong>x</strong>" in html and "<script>" not in html


def test_write_controls_are_never_served_to_a_reader(backend_client, mobile_client,
                                                      backend_user, incident) -> None:
    services.log_step(incident, body="step", author=backend_user)
    assert "entry-edit" in page(backend_client, incident)  # rendered and kept first
    assert "entry-edit" not in page(mobile_client, incident)
    assert "entry-edit" in page(backend_client, incident)


def test_the_step_being_edited_is_not_kept(backend_client, backend_user, incident) -> None:
    entry = services.log_step(incident, body="step", author=backend_user)
    url = reverse("recovery:step_edit", args=[incident.slug, entry.pk])
    editing = backend_client.get(url).content.decode()
    assert "Save correction" in editing
    html = page(backend_client, incident)
    assert "Save correction" not in html and "entry-edit" in html


# -- the page's kept blocks (the keep tag) ---------------------------------------------------


def csrf_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))


def test_each_viewer_gets_their_own_csrf_token_in_kept_forms(backend_user, incident) -> None:
    second = User.objects.create_user("second-backend")
    second.groups.add(Group.objects.get(name="backend"))
    first_client, second_client = (Client(enforce_csrf_checks=True) for _ in range(2))
    first_client.force_login(backend_user)
    second_client.force_login(second)
    first = page(first_client, incident)  # renders and keeps the forms
    second_html = page(second_client, incident)  # served the kept forms
    assert len(csrf_tokens(first)) == len(csrf_tokens(second_html)) == 1
    assert csrf_tokens(first) != csrf_tokens(second_html)
    assert fragments.CSRF_SLOT not in second_html
    # the second viewer's token, taken from the kept form, is accepted for their session
    response = second_client.post(
        reverse("recovery:action_add", args=[incident.slug]),
        {"title": "Rotate the database password", "owner": "", "due_date": "",
         "csrfmiddlewaretoken": csrf_tokens(second_html).pop()})
    assert response.status_code == 302
    assert "Rotate the database password" in page(first_client, incident)


def test_kept_blocks_never_store_a_token() -> None:
    fragments.cache.delete("recovery:fragment:test-kept-token")
    def render() -> str:
        return '<form><input type="hidden" name="csrfmiddlewaretoken" value="T0KEN"></form>'

    html = fragments.kept_fragment("test-kept-token", render, lambda: "T0KEN")
    assert html == render()
    stored = fragments.cache.get("recovery:fragment:test-kept-token")
    assert "T0KEN" not in stored and fragments.CSRF_SLOT in stored
    again = fragments.kept_fragment("test-kept-token", render, lambda: "OTHER")
    assert again == render().replace("T0KEN", "OTHER")


def test_rows_changed_behind_the_services_back_show(mobile_client, backend_user,
                                                    incident) -> None:
    commit = services.add_commit(incident, services.CommitFields(
        sha="3523b29aa", message="Add the missing user columns"), author=backend_user)
    item = services.add_action_item(incident, title="Write the runbook", author=backend_user)
    page(mobile_client, incident)
    Commit.objects.filter(pk=commit.pk).update(message="Add the missing USER columns")
    ActionItem.objects.filter(pk=item.pk).update(title="Write the restore runbook")
    Incident.objects.filter(pk=incident.pk).update(commander="Dana")
    html = page(mobile_client, incident)
    assert "Add the missing USER columns" in html
    assert "Write the restore runbook" in html
    assert "Dana" in html


def test_the_read_only_note_names_each_reader(mobile_client, incident) -> None:
    other = User.objects.create_user("other-reader")
    other.groups.add(Group.objects.get(name="mobile"))
    other_client = Client()
    other_client.force_login(other)
    assert "test-mobile" in page(mobile_client, incident)
    html = page(other_client, incident)
    assert "other-reader" in html and "test-mobile" not in html
