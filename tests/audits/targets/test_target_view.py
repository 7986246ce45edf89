"""The target page: full page, the grid fragment with filters, the findings fragment."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.core.models import dom_id_for

pytestmark = pytest.mark.django_db
HTMX_GRID = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "model-grid"}


def test_full_page_shows_every_table_worst_first(mobile, seeded_target):
    response = mobile.get(reverse("audits:target", args=["marketplace"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and 'id="model-grid"' in html and 'id="audit-progress"' in html
    assert html.index("Review") < html.index("<code>User</code>") < html.index("Product")
    assert 'hx-trigger="input changed delay:200ms, search"' in html
    assert "Audit now" not in html  # mobile may not start audits


def test_grid_fragment_filters_by_status_without_the_page(mobile, seeded_target):
    url = reverse("audits:target", args=["marketplace"])
    response = mobile.get(url, {"status": "broken"}, **HTMX_GRID)
    html = response.content.decode()
    assert "<html" not in html and html.lstrip().startswith('<div id="model-grid"')
    assert "<code>User</code>" in html
    assert "<code>Review</code>" not in html and "<code>Product</code>" not in html
    assert "1 of 3 tables" in html


def test_grid_fragment_searches_models_and_tables(mobile, seeded_target):
    url = reverse("audits:target", args=["marketplace"])
    html = mobile.get(url, {"q": "rev"}, **HTMX_GRID).content.decode()
    assert "<code>Review</code>" in html and "<code>User</code>" not in html
    html = mobile.get(url, {"status": "problems"}, **HTMX_GRID).content.decode()
    assert "<code>User</code>" in html and "<code>Review</code>" in html
    assert "<code>Product</code>" not in html


def test_findings_fragment_for_one_table(mobile, seeded_target):
    url = reverse("audits:table_findings", args=["marketplace", "public", "User"])
    response = mobile.get(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="{dom_id_for("public", "User")}"')
    assert html.count('<td data-label="Kind">missing column</td>') == 2
    assert "username" in html and "googleId" in html and "Review" not in html


def test_unknown_target_is_404(mobile, db):
    assert mobile.get(reverse("audits:target", args=["nope"])).status_code == 404


def test_target_without_audit_says_so(mobile, make_target):
    target = make_target(name="Fresh", slug="fresh")
    html = mobile.get(target.get_absolute_url()).content.decode()
    assert "No successful audit yet" in html
    assert "someone in the backend team can start one now" in html  # mobile cannot press it


def test_big_grid_shows_the_worst_page_first_and_loads_more(mobile, make_target, finish_run):
    from audits.targets.queries import GRID_PAGE
    from tests.audits.conftest import report

    target = make_target(slug="wide")
    statuses = {f"t{i:04d}": ("missing" if i < 5 else "ok") for i in range(GRID_PAGE + 50)}
    finish_run(target, report([], statuses))
    html = mobile.get(target.get_absolute_url()).content.decode()
    assert html.count('class="dw-row ') == GRID_PAGE
    assert "showing the worst 200" in html and "Show 50 more (50 left)" in html
    assert html.index("t0004") < html.index("t0005")  # missing ones first
    more = mobile.get(target.get_absolute_url(), {"offset": GRID_PAGE},
                      HTTP_HX_REQUEST="true", HTTP_HX_TARGET="grid-more").content.decode()
    assert more.count('class="dw-row ') == 50 and 'id="grid-more"' not in more
    assert "<html" not in more


def test_findings_fragment_rejects_a_bad_run_number(mobile, seeded_target):
    url = reverse("audits:table_findings", args=["marketplace", "public", "User"])
    assert mobile.get(url, {"run": "x"}).status_code == 400
    assert mobile.get(url, {"run": "999999"}).status_code == 404
