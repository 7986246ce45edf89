"""The backend opens the seed target, filters to broken models, expands User to its 9 missing
columns, presses "Audit now" and watches the run finish, all without a page reload."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from audits import demo, seed
from audits.core.models import AuditRun
from audits.targets import services
from recovery.demo import load_seed_incident

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


WORKERS: list[threading.Thread] = []


def run_in_a_thread(run_id: int) -> None:
    """Stands in for a worker: picks the run up a moment later, so progress is visible."""

    def work() -> None:
        time.sleep(1.5)
        try:
            services.execute_audit(run_id)
        finally:
            connection.close()

    worker = threading.Thread(target=work, daemon=True)
    WORKERS.append(worker)
    worker.start()


@pytest.fixture(autouse=True)
def workers_finish():
    """The audit-finished receivers run after the page already says "succeeded": wait for
    them, or the test database is flushed under the thread's feet."""
    yield
    while WORKERS:
        WORKERS.pop().join(timeout=60)


def test_filter_expand_and_audit_now(browser_page, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    load_seed_incident()
    target = demo.sqlite_target()
    demo.audit_once(target)
    monkeypatch.setattr(services, "_enqueue", run_in_a_thread)

    page = browser_page
    login(page, "backend", "driftwatch-backend")
    page.goto(f"/targets/{target.slug}/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__driftwatchMarker = 'same page'")
    assert page.locator("#model-grid tbody.dw-row").count() > 20

    page.click("label.dw-chip:has(input[value=broken])")
    page.wait_for_function(
        "() => document.querySelectorAll('#model-grid tbody.dw-row').length === 2")
    models = page.locator("#model-grid tbody.dw-row").evaluate_all(
        "rows => rows.map(r => r.dataset.model).sort()")
    assert models == ["SupplierProfile", "User"]

    page.click("tbody.dw-row[data-model=User] button.dw-expand")
    findings = page.locator("tbody.dw-row[data-model=User] tr.dw-findings-row table tbody tr")
    findings.first.wait_for()
    assert findings.count() == 9
    # Kinds and statuses in words: "missing column", and broken in the critical colour.
    assert "missing column" in findings.first.inner_text()
    assert "missing_column" not in page.inner_text("#model-grid")
    columns = sorted(row.split("\t")[2] for row in findings.all_inner_texts())
    assert columns == sorted(seed.MISSING_USER_COLUMNS)

    page.click("#audit-now")
    page.wait_for_selector("#audit-progress .dw-spinner")
    assert "every 1s" in page.get_attribute("#audit-progress", "hx-trigger")
    page.wait_for_selector("#audit-progress:has-text('succeeded')", timeout=30_000)
    # The grid reloaded itself for the new run, keeping the "broken" filter.
    new_run = AuditRun.objects.filter(target=target).order_by("-id").first()
    assert new_run.number == 2  # numbered within the target
    page.wait_for_selector("#model-grid:has-text('audit #2 of')")
    assert page.locator("#model-grid tbody.dw-row").count() == 2
    # The counters, the trend and the "since" line refreshed too (issue 16): the trend strip
    # has a second bar, and the line compares with this target's audit #1.
    page.wait_for_selector("#drift-changes:has-text('Since audit #1:')")
    assert page.locator("#drift-counts svg rect").count() >= 2
    assert page.inner_text("#target-health") == "broken"
    assert page.evaluate("window.__driftwatchMarker") == "same page"
    assert AuditRun.objects.filter(target=target).count() == 2
