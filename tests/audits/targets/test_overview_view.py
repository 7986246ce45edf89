"""The overview: every target with status, worst findings, last audit and a trend strip."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recovery import services as recovery_services
from tests.audits.conftest import report

pytestmark = pytest.mark.django_db


def test_overview_lists_targets_with_status_trend_and_worst_findings(mobile, seeded_target,
                                                                     make_target, backend_user):
    make_target(name="Never audited", slug="never")
    recovery_services.create_incident(title="Production reset", author=backend_user)
    html = mobile.get(reverse("audits:overview")).content.decode()
    assert "Marketplace" in html and "Never audited" in html
    assert '<span class="badge badge-broken">broken</span>' in html  # a database is broken
    assert "missing_table Review" in html  # worst finding first
    assert html.count('<svg class="trend"') == 1
    assert "No audits yet — the first one runs on the schedule." in html
    assert html.count('<path class="bar bar-missing" d="M232 0h6v24h-6z"/>') == 1
    assert 'aria-label="last 1 audits: 1 missing"' in html
    assert "in 12 ms" in html
    assert "Production reset" in html
    assert "Add a target" not in html


def test_backend_sees_the_add_button(backend, db):
    assert "Add a target" in backend.get(reverse("audits:overview")).content.decode()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("audits:overview"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_worst_findings_put_a_broken_models_missing_columns_first_grouped(mobile, seeded_target):
    # User exists but lacks two columns (every read of User fails in the deployed code), Review
    # has no table at all: the columns come first, as one line naming them.
    html = mobile.get(reverse("audits:overview")).content.decode()
    columns = html.index("<strong>User</strong>: 2 missing columns — googleId, username")
    table = html.index("missing_table Review")
    assert columns < table
    assert html.count('<span class="badge badge-critical">critical</span>') == 2


def test_open_incident_badges_are_the_shared_badges(mobile, backend_user):
    incident = recovery_services.create_incident(title="Production reset", author=backend_user)
    html = mobile.get(reverse("audits:overview")).content.decode()
    sev = incident.severity
    assert f'<span class="badge badge-{sev.lower()}">{sev}</span>' in html
    assert "dw-pill" not in html and "dw-sev" not in html  # one badge vocabulary


def test_backend_is_told_to_press_audit_now_on_a_never_audited_target(backend, make_target):
    make_target(name="Never audited", slug="never")
    html = backend.get(reverse("audits:overview")).content.decode()
    assert "No audits yet — open it and press <strong>Audit now</strong>" in html
    assert '<span class="badge badge-not_audited">1 not audited</span>' in html  # as on the card


def test_cards_that_need_someone_come_first(mobile, seeded_target, make_target, finish_run):
    healthy = make_target(name="Alpha healthy", slug="alpha")
    finish_run(healthy, report([], {"User": "ok"}))
    make_target(name="Beta never audited", slug="beta")
    html = mobile.get(reverse("audits:overview")).content.decode()
    # missing (Marketplace), then never audited (Beta), then ok (Alpha), whatever the names
    assert html.index(">Marketplace<") < html.index(">Beta never audited<") \
        < html.index(">Alpha healthy<")


def test_worst_findings_follow_the_next_audit(mobile, seeded_target, finish_run,
                                              django_assert_max_num_queries):
    from tests.audits.conftest import finding

    url = reverse("audits:overview")
    assert "missing_table Review" in mobile.get(url).content.decode()
    # the same runs again: their findings cannot have changed, so they are not read again
    with django_assert_max_num_queries(5):
        assert "missing_table Review" in mobile.get(url).content.decode()
    finish_run(seeded_target, report([finding("missing_table", "Invoice")],
                                     {"User": "ok", "Invoice": "missing"}))
    html = mobile.get(url).content.decode()
    assert "missing_table Invoice" in html and "missing_table Review" not in html
