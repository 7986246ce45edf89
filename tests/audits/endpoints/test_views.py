"""The endpoints pages: the seed's verdicts with their reasons, grouped by route prefix;
filter and search swap #endpoint-list through htmx; /endpoints/ picks a target."""

from __future__ import annotations

import re

import pytest

from audits.targets import services
from tests.audits.endpoints.fixtures import *  # noqa: F403 — the seed fixtures
from tests.audits.endpoints.fixtures import audit, expected_verdicts

pytestmark = pytest.mark.django_db

PAGE = "/targets/marketplace/endpoints/"
ITEM = re.compile(r'<li class="ep-item ep-(\w+)" data-route="([^"]+)" data-methods="([^"]+)"')


def page_verdicts(html: str) -> dict[str, str]:
    return {f"{methods} {route}": verdict for verdict, route, methods in ITEM.findall(html)}


def test_page_shows_seed_verdicts_and_reasons(sqlite_seed_target, mobile):
    response = mobile.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert page_verdicts(html) == expected_verdicts("post_reset")
    assert "<li>User.username is missing</li>" in html
    assert "<li>SupplierProfile.keywords is missing</li>" in html
    assert '<li>table &quot;ContactSubmission&quot; does not exist (model ContactSubmission)</li>' \
        in html
    run = sqlite_seed_target.last_success
    # the target's own audit number, not the run's id among every target's (issue 16)
    assert f'href="/targets/marketplace/runs/{run.pk}/">audit #{run.number}</a>' in html
    assert "unsafe since <time" in html
    # grouped by prefix, in order, each group once
    groups = re.findall(r'<section class="card card-flush ep-group" id="group-([\w-]+)">', html)
    assert groups == ["api-admin", "api-auth", "api-bookings", "api-chat", "api-contact",
                      "api-health", "api-logistics", "api-onboarding", "api-orders",
                      "api-payments", "api-products", "api-reviews", "api-tracking",
                      "api-trade-in", "api-wallet"]
    # mobile reads, but sees no write control
    assert "Rescan code" not in html and "Save override" not in html


def test_page_after_fixes(sqlite_seed_target, sqlite_fixed_dsn, mobile):
    services.save_target(sqlite_seed_target, dsn=sqlite_fixed_dsn)
    audit(sqlite_seed_target)
    html = mobile.get(PAGE).content.decode()
    assert page_verdicts(html) == expected_verdicts("after_fixes")
    assert "is missing" not in html


def test_backend_sees_write_controls(sqlite_seed_target, backend):
    html = backend.get(PAGE).content.decode()
    assert "Rescan code" in html and "Save override" in html
    assert '<option value="SupplierProfile">' in html  # the model list of the override form
    assert '<option value="/api/auth/google">' in html  # and its route list


def test_htmx_filter_returns_only_the_list(sqlite_seed_target, mobile):
    response = mobile.get(PAGE + "?verdict=unknown", HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="endpoint-list")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="endpoint-list"')
    assert "<html" not in html
    assert page_verdicts(html) == {"GET /api/admin/stats": "unknown"}
    assert "1 endpoint · unknown" in html


def test_search_by_route_and_model(sqlite_seed_target, mobile):
    html = mobile.get(PAGE + "?q=wallet", HTTP_HX_REQUEST="true",
                      HTTP_HX_TARGET="endpoint-list").content.decode()
    assert page_verdicts(html) == {"GET /api/wallet": "unsafe", "POST /api/wallet/withdraw":
                                   "unsafe"}
    html = mobile.get(PAGE + "?q=logisticsprofile&verdict=safe").content.decode()
    assert page_verdicts(html) == {"GET /api/logistics/:id": "safe",
                                   "GET /api/orders/:id": "safe"}
    html = mobile.get(PAGE + "?q=nothing-like-this").content.decode()
    assert "No endpoint matches." in html


def test_endpoints_home_picks_the_scanned_target(make_target, sqlite_seed_target, mobile):
    make_target(name="Alpha", slug="alpha")  # sorts first, has no endpoints
    response = mobile.get("/endpoints/")
    html = response.content.decode()
    assert response.status_code == 200
    assert page_verdicts(html) == expected_verdicts("post_reset")
    assert 'href="?target=alpha"' in html
    assert '<a href="?target=marketplace" aria-current="page">Marketplace' in html
    html = mobile.get("/endpoints/?target=alpha").content.decode()
    assert page_verdicts(html) == {}
    assert "this target has no code path" in html


def test_endpoints_home_without_targets(mobile):
    assert "No target yet." in mobile.get("/endpoints/").content.decode()


def test_nav_links_to_the_page(mobile):
    html = mobile.get("/endpoints/").content.decode()
    assert '<a href="/endpoints/" aria-current="page">Endpoints</a>' in html


def test_scan_error_is_shown(sqlite_seed_target, mobile, tmp_path):
    sqlite_seed_target.code_path = str(tmp_path / "gone")
    sqlite_seed_target.save(update_fields=["code_path"])
    audit(sqlite_seed_target)
    html = mobile.get(PAGE).content.decode()
    assert f"Last scan failed (just now): the code path {tmp_path / 'gone'} is not a folder" \
        in html


def test_anonymous_is_sent_to_login(sqlite_seed_target, client):
    for path in (PAGE, "/endpoints/", "/account/tokens/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_page_on_postgresql_post_reset_then_fixed(pg_seed_target, mobile):
    path = "/targets/marketplace-pg/endpoints/"
    html = mobile.get(path).content.decode()
    assert page_verdicts(html) == expected_verdicts("post_reset")
    assert "<li>User.googleId is missing</li>" in html
    pg_seed_target.fix()
    audit(pg_seed_target)
    assert page_verdicts(mobile.get(path).content.decode()) == expected_verdicts("after_fixes")


def test_the_kept_list_follows_every_change_of_a_row(sqlite_seed_target, mobile):
    from datetime import timedelta

    from django.utils import timezone

    from audits.endpoints.models import Endpoint

    first = mobile.get(PAGE).content.decode()
    again = mobile.get(PAGE).content.decode()  # kept: the same list again
    assert again[again.index('id="endpoint-list"'):] == first[first.index('id="endpoint-list"'):]
    row = Endpoint.objects.filter(target=sqlite_seed_target, route="/api/auth/google").first()
    Endpoint.objects.filter(pk=row.pk).update(reasons=["a reason written just now"])
    assert "<li>a reason written just now</li>" in mobile.get(PAGE).content.decode()
    # time alone moves "since ... (N min ago)"
    Endpoint.objects.filter(pk=row.pk).update(verdict_since=timezone.now() - timedelta(hours=5))
    assert "(5 h ago)" in mobile.get(PAGE).content.decode()
