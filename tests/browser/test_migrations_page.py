"""The demo's SQLite target in a real browser: the Migrations tab shows its 16 applied
migrations, a state chip filters the list through htmx without a reload, the three-way view
lists the 41 objects to write a migration for, and the incident page says where the three fix
migrations are applied (nowhere yet)."""

from __future__ import annotations

import os

import pytest

from audits import demo, seed
from audits.engine.history import clear_memory_cache
from recovery.demo import load_seed_incident

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("DRIFTWATCH_SHOTS", "/tmp/driftwatch")


def test_migrations_tab_three_way_and_incident(browser_page, settings, tmp_path):
    clear_memory_cache()
    settings.VAR_DIR = tmp_path
    os.makedirs(SHOTS, exist_ok=True)
    incident = load_seed_incident()
    target = demo.sqlite_target()
    target.incidents.add(incident)
    demo.audit_once(target)
    page = browser_page
    login(page, "backend", "driftwatch-backend")

    page.goto(f"/targets/{target.slug}/")
    page.click("nav.tabs a:has-text('Migrations')")
    page.wait_for_selector("#history-facts")
    assert page.locator("#migration-list tbody tr").count() == 16
    assert page.locator("#migration-list .badge-applied").count() == 16
    assert page.locator("#three-way-summary").inner_text().startswith(
        "In the code but in no migration: 20 tables, 21 columns — write a migration.")
    page.screenshot(path=f"{SHOTS}/migrations.png", full_page=True)

    page.evaluate("window.__same_page = true")
    page.click("label.dw-chip:has-text('pending')")
    page.wait_for_function(
        "document.querySelectorAll('#migration-list tbody tr').length === 0")
    assert page.locator("#migration-list").inner_text().strip().endswith(
        "No migration is pending.")
    assert page.evaluate("window.__same_page") is True  # htmx swapped, no reload
    assert page.url.endswith("?state=pending")

    page.click("text=Code · history · database")
    page.wait_for_selector("#three-way-list")
    objects = page.locator("#three-way-list tr[data-verdict='write_migration']").count()
    assert objects == len(seed.MISSING_TABLES) + 21  # SQLite has no enums
    page.screenshot(path=f"{SHOTS}/three-way.png", full_page=False)

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: rows stack, no sideways
    page.goto(f"/targets/{target.slug}/migrations/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=f"{SHOTS}/migrations-phone.png", full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"/incidents/{incident.slug}/")
    page.wait_for_selector("#migrations-applied .hw-applied-table")
    states = page.locator("#migrations-applied td[data-state]").evaluate_all(
        "cells => cells.map(c => c.dataset.state)")
    assert states == ["not_applied"] * 3
    page.locator("#migrations").screenshot(path=f"{SHOTS}/incident-migrations.png")
