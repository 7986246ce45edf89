"""The backend logs a step on the demo incident and sees it appear without a page reload."""

import pytest

from recovery.demo import load_seed_incident
from recovery.models import TimelineEntry

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_logged_step_appears_without_reload(browser_page) -> None:
    incident = load_seed_incident()
    page = browser_page
    login(page, "backend", "driftwatch-backend")
    page.goto(f"/incidents/{incident.slug}/")
    page.wait_for_function("() => window.htmx !== undefined")
    # A full reload would wipe this marker.
    page.evaluate("window.__driftwatchMarker = 'same page'")

    # An empty step is refused in place, without a reload.
    page.click("#log-step button[type=submit]")
    page.wait_for_selector("#log-step .field-error")
    assert "This field is required." in page.inner_text("#log-step")

    page.fill("#log-step input[name=phase]", "Phase 6: Verification")
    page.select_option("#log-step select[name=kind]", "finding")
    page.fill("#log-step textarea[name=body]", "Ran `prisma migrate status`: **no drift left**")
    page.click("#log-step button[type=submit]")

    entry = page.wait_for_selector("#timeline li.entry-finding:has-text('no drift left')")
    assert "prisma migrate status" in entry.inner_text()
    assert entry.query_selector("strong").inner_text() == "no drift left"
    assert "Phase 6: Verification" in page.text_content("#timeline")
    assert page.evaluate("window.__driftwatchMarker") == "same page"
    assert page.input_value("#log-step textarea[name=body]") == ""
    assert page.query_selector("#log-step .field-error") is None
    assert (
        TimelineEntry.objects.filter(incident=incident, phase="Phase 6: Verification").count() == 1
    )
