"""The mobile team's endpoints page in a real browser, on a phone-sized screen: readable
without sideways scrolling, and the verdict filter and search swap the list without a reload."""

from __future__ import annotations

import pytest

from tests.audits.endpoints.fixtures import *  # noqa: F403 — the seed fixtures
from tests.browser.conftest import login

SHOTS = "/tmp/driftwatch-shots"


@pytest.fixture
def phone_page(browser, live_server, transactional_db):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url,
                                  viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_phone_filter_and_search_without_reload(sqlite_seed_target, mobile_user, phone_page):
    import os

    page = phone_page
    login(page, "test-mobile", "pw-for-tests-only")
    page.goto("/endpoints/")
    assert page.locator("li.ep-item").count() == 29
    wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(
        e => e.getBoundingClientRect().right > 390).map(e => e.tagName + '.' + e.className)""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide[:8]
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/endpoints-phone.png", full_page=True)
    page.locator("#group-api-chat").screenshot(path=f"{SHOTS}/endpoints-phone-chat.png")
    page.evaluate("window.__noReload = true")
    page.select_option("select[name=verdict]", "safe")
    page.wait_for_function("document.querySelectorAll('li.ep-item').length === 8")
    assert page.locator("li.ep-unsafe").count() == 0
    # The address stays /endpoints/ (the mobile team's page), filtered: shareable, back works.
    page.wait_for_url("**/endpoints/?target=marketplace*verdict=safe*")
    assert "/targets/" not in page.url
    page.fill("input[name=q]", "logistics")
    page.wait_for_function("document.querySelectorAll('li.ep-item').length === 2")
    assert sorted(page.locator("li.ep-item").evaluate_all(
        "items => items.map(i => i.dataset.route)")) == ["/api/logistics/:id", "/api/orders/:id"]
    assert page.evaluate("window.__noReload") is True  # the same document: no reload
    page.select_option("select[name=verdict]", "unsafe")
    page.fill("input[name=q]", "")
    page.wait_for_function("document.querySelectorAll('li.ep-item').length === 20")
    first = page.locator("li.ep-item", has_text="/api/auth/google")
    assert "User.username is missing" not in first.inner_text()  # the 7th: folded away
    first.locator("summary").click()
    assert "User.username is missing" in first.inner_text()
    page.screenshot(path=f"{SHOTS}/endpoints-phone-unsafe.png", full_page=False)
    # A reload (or the link shared) opens the same page, filtered the same way.
    page.wait_for_url("**/endpoints/?target=marketplace*verdict=unsafe*")
    page.reload()
    assert page.url.split("?")[0].endswith("/endpoints/")
    assert page.locator("nav.ep-targets").count() == 1  # only /endpoints/ lists the targets
    assert page.locator("li.ep-item").count() == 20


def test_rescan_shows_progress_then_swaps_in_the_new_list(sqlite_seed_target, backend_user,
                                                          browser_page, monkeypatch):
    """"Rescan code" answers at once with a polling box; when the worker is done the box says
    so and the new list replaces the old one, still filtered, without a reload."""
    import os

    from audits.endpoints.models import Endpoint
    from audits.endpoints.tasks import rescan_endpoints

    queued: list[int] = []
    monkeypatch.setattr(rescan_endpoints, "apply_async",
                        lambda **kwargs: queued.append(kwargs["args"][0]))
    Endpoint.objects.filter(target=sqlite_seed_target, prefix="/api/chat").delete()
    page = browser_page
    login(page, "test-backend", "pw-for-tests-only")
    page.goto("/targets/marketplace/endpoints/?verdict=unsafe")
    before = page.locator("li.ep-item").count()
    assert before < 20
    page.evaluate("window.__noReload = true")
    page.click("#rescan-code")
    page.wait_for_selector("#rescan-progress >> text=Scanning the code…")
    assert page.locator("#rescan-progress[hx-get]").count() == 1
    assert len(queued) == 1
    os.makedirs(SHOTS, exist_ok=True)
    page.locator(".page-head").screenshot(path=f"{SHOTS}/endpoints-rescan-scanning.png")
    assert rescan_endpoints(queued[0]) == "succeeded"  # the worker
    page.wait_for_selector("#rescan-progress >> text=succeeded")
    page.wait_for_function("document.querySelectorAll('li.ep-item').length === 20")
    assert page.locator("li.ep-item:not(.ep-unsafe)").count() == 0  # the filter still holds
    assert page.locator("#rescan-code").count() == 1  # the button is back
    assert page.evaluate("window.__noReload") is True
    page.locator(".page-head").screenshot(path=f"{SHOTS}/endpoints-rescan-done.png")
