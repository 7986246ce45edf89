"""Markdown is rendered once, when written, capped in size, and linear in time."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from recovery import markdown, services
from recovery.markdown import MARKDOWN_MAX_LENGTH, stored_html
from recovery.models import Incident, TimelineEntry

pytestmark = pytest.mark.django_db


def reference_bomb(length: int) -> str:
    """`[1]: http://a/` then `[1]` repeated up to `length` characters: quadratic before."""
    head = "[1]: http://a/\n\n"
    return head + "[1]" * ((length - len(head)) // 3)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts rendered from now on."""
    seen: list[str] = []
    real = markdown.markdown_to_html

    def counting(text: str) -> str:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(markdown, "markdown_to_html", counting)
    return seen


def test_a_step_is_rendered_when_written_and_the_page_shows_what_was_stored(
    backend_client: Client, incident, backend_user, renders: list[str]
) -> None:
    entry = services.log_step(incident, body="Ran **deploy**", author=backend_user)
    assert entry.body_html.startswith("<!--md:")
    assert entry.body_html.endswith("--><p>Ran <strong>deploy</strong></p>")
    assert renders == ["Ran **deploy**"]
    mark = entry.body_html.split("-->")[0] + "-->"
    TimelineEntry.objects.filter(pk=entry.pk).update(body_html=mark + "<p>as stored</p>")
    html = backend_client.get(incident.get_absolute_url()).content.decode()
    assert '<div class="entry-body prose"><p>as stored</p></div>' in html
    assert renders == ["Ran **deploy**"]  # the page rendered nothing


def test_incident_texts_are_rendered_again_only_when_they_change(
    incident, backend_user, renders: list[str]
) -> None:
    services.update_incident(incident, author=backend_user, summary="*new* summary")
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.summary_rendered == "<p><em>new</em> summary</p>"
    services.change_status(incident, "investigating", author=backend_user)
    services.update_incident(incident, author=backend_user, impact="Orders lost")
    # Each text once; the rest are the timeline entries these writes logged.
    assert [text for text in renders if not text.startswith(("Incident details", "Status"))] == [
        "*new* summary", "Orders lost"]
    assert Incident.objects.get(pk=incident.pk).impact_rendered == "<p>Orders lost</p>"


def test_a_row_written_around_save_is_rendered_on_read(incident, backend_user) -> None:
    Incident.objects.filter(pk=incident.pk).update(root_cause="`reset`", root_cause_html="")
    assert Incident.objects.get(pk=incident.pk).root_cause_rendered == "<p><code>reset</code></p>"
    entry = services.log_step(incident, body="first words", author=backend_user)
    TimelineEntry.objects.filter(pk=entry.pk).update(body="second words")  # html now stale
    assert TimelineEntry.objects.get(pk=entry.pk).body_rendered == "<p>second words</p>"


def test_a_step_over_the_cap_is_a_form_error_and_nothing_is_saved(
    backend_client: Client, incident
) -> None:
    before = TimelineEntry.objects.count()
    response = backend_client.post(
        reverse("recovery:log_step", args=[incident.slug]),
        {"body": "x" * (MARKDOWN_MAX_LENGTH + 1), "kind": "action"},
    )
    assert response.status_code == 200
    assert (f"Ensure this value has at most {MARKDOWN_MAX_LENGTH} characters "
            f"(it has {MARKDOWN_MAX_LENGTH + 1}).") in response.content.decode()
    assert TimelineEntry.objects.count() == before


def test_incident_texts_over_the_cap_are_form_errors(backend_client: Client, incident) -> None:
    response = backend_client.post(
        reverse("recovery:incident_edit", args=[incident.slug]),
        {"title": incident.title, "impact": "y" * (MARKDOWN_MAX_LENGTH + 5)},
    )
    assert response.status_code == 200
    assert (f"Ensure this value has at most {MARKDOWN_MAX_LENGTH} characters "
            f"(it has {MARKDOWN_MAX_LENGTH + 5}).") in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).impact == incident.impact


def test_the_services_refuse_over_the_cap_too(incident, backend_user) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.log_step(incident, body="z" * (MARKDOWN_MAX_LENGTH + 1), author=backend_user)
    assert error.value.message_dict == {"body": [
        f"Ensure this value has at most {MARKDOWN_MAX_LENGTH} characters "
        f"(it has {MARKDOWN_MAX_LENGTH + 1})."]}


def test_the_reference_link_bomb_renders_every_link() -> None:
    text = reference_bomb(MARKDOWN_MAX_LENGTH)
    html = markdown.markdown_to_html(text)
    references = (len(text) - len("[1]: http://a/\n\n")) // 3
    # CommonMark reads each `[1][1]` pair as one full reference link.
    links = html.count('<a href="http://a/" rel="noopener noreferrer nofollow">1</a>')
    assert (references, links) == (6661, 3331)


def test_the_data_migration_fills_html_for_existing_rows(incident, backend_user) -> None:
    entry = services.log_step(incident, body="**old** row", author=backend_user)
    TimelineEntry.objects.filter(pk=entry.pk).update(body_html="")
    Incident.objects.filter(pk=incident.pk).update(summary="old _summary_", summary_html="")
    migration = importlib.import_module("recovery.migrations.0003_stored_markdown_html")
    migration.fill_stored_html(apps, None)
    assert TimelineEntry.objects.get(pk=entry.pk).body_html == stored_html("**old** row")
    assert Incident.objects.get(pk=incident.pk).summary_html == stored_html("old _summary_")
