"""Incident page journeys: a step placed by its time and corrected or removed by the backend
team; the mobile team landing on Endpoints, told why it cannot write, and commenting; a short
post-mortem with real checkboxes and one heading."""

import pytest

from recovery.demo import load_seed_incident
from recovery.models import EntryKind, TimelineEntry

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHASE_4 = "Phase 4: Comprehensive Table Missing Discovery"


def test_backend_places_corrects_and_removes_a_step(browser_page) -> None:
    incident = load_seed_incident()
    page = browser_page
    login(page, "backend", "driftwatch-backend")
    page.goto(f"/incidents/{incident.slug}/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__driftwatchMarker = 'same page'")

    # Logged without a phase, at 13:25: it lands inside Phase 4 by its time, not on top.
    page.fill("#log-step input[name=occurred_at]", "2026-02-12T13:25")
    page.fill("#log-step textarea[name=body]", "Checked the backups: none since the reset")
    page.click("#log-step button[type=submit]")
    entry = page.wait_for_selector("#timeline li.entry:has-text('Checked the backups')")
    phase_title = entry.evaluate("li => li.closest('.phase').querySelector('.phase-title')"
                                 ".textContent")
    assert phase_title == PHASE_4
    assert "UNPHASED" not in page.inner_text("#timeline").upper()
    assert entry.query_selector("time").inner_text() == "12 Feb 2026 13:25"

    # The double submit: log it again, then remove the duplicate.
    page.fill("#log-step input[name=occurred_at]", "2026-02-12T13:25")
    page.fill("#log-step textarea[name=body]", "Checked the backups: none since the reset")
    page.click("#log-step button[type=submit]")
    page.wait_for_function("() => document.querySelectorAll(\"#timeline li.entry\").length && "
                           "[...document.querySelectorAll('#timeline li.entry')].filter("
                           "li => li.textContent.includes('Checked the backups')).length === 2")
    duplicate = TimelineEntry.objects.filter(body__startswith="Checked the backups").last()
    page.click(f"#entry-{duplicate.pk} .entry-edit")
    page.wait_for_selector(f"#entry-{duplicate.pk}.entry-editing")
    page.fill(f"#entry-{duplicate.pk} input[name=remove-{duplicate.pk}-reason]", "double submit")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#entry-{duplicate.pk} .remove-step button[type=submit]")
    page.wait_for_selector(f"#entry-{duplicate.pk}", state="detached")
    note = page.wait_for_selector("#timeline li.entry-correction:has-text('double submit')")
    assert "Removed the action of 12 Feb 2026 13:25" in note.inner_text()

    # Correct the remaining one: its text changes in place and says it was edited.
    original = TimelineEntry.objects.get(body__startswith="Checked the backups")
    page.click(f"#entry-{original.pk} .entry-edit")
    textarea = f"#entry-{original.pk} textarea[name=entry-{original.pk}-body]"
    page.wait_for_selector(textarea)
    page.fill(textarea, "Checked the backups: the last one is from February 11")
    page.click(f"#entry-{original.pk} button:has-text('Save correction')")
    edited = page.wait_for_selector(f"#entry-{original.pk}:has-text('February 11')")
    assert "edited" in edited.query_selector(".entry-meta").inner_text()
    assert page.evaluate("window.__driftwatchMarker") == "same page"
    assert TimelineEntry.objects.filter(incident=incident, kind=EntryKind.CORRECTION).count() == 2
    page.screenshot(path="/tmp/h16-timeline.png")


def test_mobile_lands_on_endpoints_reads_why_and_comments(browser_page) -> None:
    incident = load_seed_incident()
    page = browser_page
    login(page, "mobile", "driftwatch-mobile")
    assert page.url.endswith("/endpoints/")

    page.goto(f"/incidents/{incident.slug}/")
    page.wait_for_function("() => window.htmx !== undefined")
    notes = page.locator(".read-only-note")
    assert notes.count() == 2
    assert notes.first.inner_text() == "Read-only: you are signed in as mobile (mobile team)."
    assert page.locator("#log-step").count() == 0
    assert page.locator(".entry-edit").count() == 0

    page.fill("#add-comment textarea[name=body]", "Google sign-in still fails on Android")
    page.click("#add-comment button[type=submit]")
    comment = page.wait_for_selector("#timeline li.entry-comment")
    assert "Google sign-in still fails on Android" in comment.inner_text()
    assert "mobile" in comment.query_selector(".entry-meta").inner_text()
    assert page.input_value("#add-comment textarea[name=body]") == ""


def test_postmortem_is_short_with_checkboxes_and_one_h1(browser_page) -> None:
    incident = load_seed_incident()
    page = browser_page
    login(page, "mobile", "driftwatch-mobile")
    page.goto(f"/incidents/{incident.slug}/postmortem/")
    assert page.locator("h1").count() == 1
    assert page.locator("article li.task input[type=checkbox]").count() == 5
    assert "[ ]" not in page.inner_text("article")
    assert page.locator("article h2:has-text('Lessons learned')").count() == 1
    # The SQL is collapsed in the appendix: the page is a fraction of its old 17,000 px.
    assert page.locator("#appendix details[open]").count() == 0
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 8000, height
