"""Correcting the log: a logged step edited or removed by the backend role, through services
that leave a correction entry; system entries and other roles are refused, nothing half-saved."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from recovery import services
from recovery.models import EntryKind, TimelineEntry

pytestmark = pytest.mark.django_db

T = datetime(2026, 2, 12, 13, 20, tzinfo=UTC)


@pytest.fixture
def step(incident, backend_user) -> TimelineEntry:
    return services.log_step(incident, body="Deployed migration 1", kind="deploy",
                             phase="Phase 3", occurred_at=T, author=backend_user)


def edit_url(entry: TimelineEntry) -> str:
    return reverse("recovery:step_edit", args=[entry.incident.slug, entry.pk])


def remove_url(entry: TimelineEntry) -> str:
    return reverse("recovery:step_remove", args=[entry.incident.slug, entry.pk])


def corrections(incident) -> list[TimelineEntry]:
    return list(incident.entries.filter(kind=EntryKind.CORRECTION))


def test_edit_changes_the_step_and_notes_what_it_said(step, backend_user) -> None:
    changed = services.edit_step(step, author=backend_user, body="Committed migration 1",
                                 kind="action", phase="Phase 3", occurred_at=None)
    step.refresh_from_db()
    assert changed == ["body", "kind"]
    assert (step.body, step.kind, step.occurred_at) == ("Committed migration 1", "action", T)
    assert step.edited_at is not None
    [note] = corrections(step.incident)
    assert note.body == ("Corrected the deploy of 12 Feb 2026 13:20, Phase 3 (text, kind). "
                         "It said:\n\n> Deployed migration 1")
    assert (note.author, note.phase) == (backend_user, "Phase 3")


def test_edit_without_a_change_writes_nothing(step, backend_user) -> None:
    before = TimelineEntry.objects.count()
    assert services.edit_step(step, author=backend_user, body=" Deployed migration 1 ",
                              kind="deploy", phase="Phase 3") == []
    assert TimelineEntry.objects.count() == before
    step.refresh_from_db()
    assert step.edited_at is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"body": "  ", "kind": "action"}, {"body": ["Say what happened."]}),
        ({"body": "x", "kind": "status_change"},
         {"kind": ["Status changes are written by the status control."]}),
        ({"body": "x", "kind": "alert"}, {"kind": ["A step cannot become a alert."]}),
    ],
)
def test_edit_refusals_save_nothing(step, backend_user, changes, message) -> None:
    before = TimelineEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.edit_step(step, author=backend_user, **changes)
    assert exc.value.message_dict == message
    step.refresh_from_db()
    assert (step.body, step.kind) == ("Deployed migration 1", "deploy")
    assert TimelineEntry.objects.count() == before


def test_system_entries_cannot_be_edited_or_removed(incident, backend_user) -> None:
    status = incident.entries.get(kind=EntryKind.STATUS_CHANGE)
    with pytest.raises(ValidationError) as exc:
        services.edit_step(status, author=backend_user, body="x", kind="action")
    assert exc.value.messages == ["A status change entry cannot be edited."]
    with pytest.raises(ValidationError) as exc:
        services.remove_step(status, author=backend_user)
    assert exc.value.messages == ["A status change entry cannot be removed."]
    assert incident.entries.count() == 1


def test_remove_keeps_the_text_and_reason_on_the_timeline(step, backend_user) -> None:
    note = services.remove_step(step, author=backend_user, reason="logged twice")
    assert not TimelineEntry.objects.filter(pk=step.pk).exists()
    assert note.kind == EntryKind.CORRECTION
    assert note.body == ("Removed the deploy of 12 Feb 2026 13:20, Phase 3. It said:\n\n"
                         "> Deployed migration 1\n\nReason: logged twice")


# --- views ---------------------------------------------------------------------------------


def test_backend_edits_a_step_through_htmx(step, backend_client: Client) -> None:
    form = backend_client.get(edit_url(step), HTTP_HX_REQUEST="true")
    html = form.content.decode()
    assert html.lstrip().startswith(f'<li id="entry-{step.pk}" class="entry entry-deploy '
                                    'entry-editing">')
    assert 'value="2026-02-12T13:20"' in html
    response = backend_client.post(edit_url(step), {
        f"entry-{step.pk}-body": "Committed migration 1", f"entry-{step.pk}-kind": "action",
        f"entry-{step.pk}-phase": "Phase 3", f"entry-{step.pk}-occurred_at": "2026-02-12T13:21",
    }, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="timeline" >')
    assert "Committed migration 1" in html
    assert "· edited</span>" in html
    step.refresh_from_db()
    assert step.occurred_at == datetime(2026, 2, 12, 13, 21, tzinfo=UTC)


def test_refused_edit_comes_back_as_the_form_in_place(step, backend_client: Client) -> None:
    response = backend_client.post(edit_url(step), {
        f"entry-{step.pk}-body": "", f"entry-{step.pk}-kind": "action",
    }, HTTP_HX_REQUEST="true")
    assert response["HX-Retarget"] == f"#entry-{step.pk}"
    assert "This field is required." in response.content.decode()
    step.refresh_from_db()
    assert step.body == "Deployed migration 1"


def test_backend_removes_a_duplicate(step, backend_client: Client) -> None:
    response = backend_client.post(remove_url(step), {f"remove-{step.pk}-reason": "double submit"})
    assert response.status_code == 302
    assert not TimelineEntry.objects.filter(pk=step.pk).exists()
    assert corrections(step.incident)[0].body.endswith("Reason: double submit")


def test_mobile_and_anonymous_cannot_edit_or_remove(step, mobile_client: Client,
                                                    client: Client) -> None:
    data = {f"entry-{step.pk}-body": "changed", f"entry-{step.pk}-kind": "action"}
    before = TimelineEntry.objects.count()
    assert mobile_client.get(edit_url(step)).status_code == 403
    assert mobile_client.post(edit_url(step), data).status_code == 403
    assert mobile_client.post(remove_url(step), HTTP_HX_REQUEST="true").status_code == 403
    for url in (edit_url(step), remove_url(step)):
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    step.refresh_from_db()
    assert step.body == "Deployed migration 1"
    assert TimelineEntry.objects.count() == before


def test_a_step_of_another_incident_is_not_found(step, backend_client: Client,
                                                 backend_user) -> None:
    other = services.create_incident(title="Other", author=backend_user)
    url = reverse("recovery:step_remove", args=[other.slug, step.pk])
    assert backend_client.post(url).status_code == 404
    assert TimelineEntry.objects.filter(pk=step.pk).exists()


def test_status_entry_edit_view_is_refused(incident, backend_client: Client) -> None:
    status = incident.entries.get(kind=EntryKind.STATUS_CHANGE)
    assert backend_client.get(edit_url(status)).status_code == 409
    assert backend_client.post(remove_url(status)).status_code == 409
    assert incident.entries.count() == 1
