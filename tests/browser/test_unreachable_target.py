"""A target pointing at a closed port reads "unreachable" on the overview, first, and its page
says why; the healthy-or-not words and colours are the ones the rest of the app uses."""

from __future__ import annotations

import socket

import pytest

from audits import demo, seed
from audits.targets import services
from recovery.demo import load_seed_incident

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_closed_port_is_unreachable_first_with_its_reason(browser_page, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    load_seed_incident()
    demo.audit_once(demo.sqlite_target())
    replica = services.create_target(
        name="Orders replica", slug="orders-replica",
        dsn=f"postgresql://reader:S3cret@127.0.0.1:{closed_port()}/orders",
        schema_files={"schema.prisma": seed.SCHEMA_PATH.read_text()})
    services.execute_audit(services.request_audit(replica, enqueue=False).pk)

    page = browser_page
    login(page, "backend", "driftwatch-backend")
    page.goto("/")
    titles = page.locator(".dw-card-title").all_inner_texts()
    assert titles[0] == "Orders replica"
    first = page.locator("article.dw-card").first
    assert first.locator(".badge").first.inner_text() == "unreachable"
    assert "127.0.0.1" in first.inner_text() and "S3cret" not in first.inner_text()
    colour = first.locator(".badge").first.evaluate("b => getComputedStyle(b).backgroundColor")
    broken = page.locator("article.dw-card").nth(1).locator(".badge").first
    assert broken.inner_text() == "broken"
    assert broken.evaluate("b => getComputedStyle(b).backgroundColor") == colour  # both critical
    assert "missing" not in page.inner_text(".dw-head")  # a database is not "missing"

    first.locator(".dw-card-title").click()
    page.wait_for_url("**/targets/orders-replica/")
    assert page.inner_text("#target-health") == "unreachable"
    reason = page.inner_text("p.dw-reason[role=alert]")
    assert reason.startswith("Unreachable. Audit #1 (")
    assert "could not read the database" in reason and "S3cret" not in reason
