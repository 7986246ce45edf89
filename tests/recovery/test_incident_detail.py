"""The incident page: both roles, the sections, the audit slots, a constant number of queries."""

import pytest
from django.test import Client
from django.urls import reverse

from recovery import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["backend_client", "mobile_client"])
def test_renders_for_both_roles(role, demo_incident, request) -> None:
    client: Client = request.getfixturevalue(role)
    response = client.get(demo_incident.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    for dom_id in (
        "incident-header",
        "timeline",
        "commits",
        "migrations",
        "action-items",
        "data-loss",
    ):
        assert f'id="{dom_id}"' in html
    assert "Phase 2: TypeScript Error Cascade" in html
    assert "20260212134000_add_supplierprofile_columns" in html
    writer = role == "backend_client"
    assert ('id="log-step"' in html) is writer
    assert ("Set status" in html) is writer
    assert ("Add a commit" in html) is writer


def test_unknown_slug_is_404(backend_client: Client, db) -> None:
    response = backend_client.get(reverse("recovery:incident_detail", args=["nope"]))
    assert response.status_code == 404


def test_timeline_groups_entries_by_phase_in_order(backend_client: Client, demo_incident) -> None:
    html = backend_client.get(demo_incident.get_absolute_url()).content.decode()
    positions = [html.index(f"Phase {n}:") for n in range(1, 6)]
    assert positions == sorted(positions)


def test_markdown_in_entries_is_sanitized_on_the_page(
    backend_client: Client, incident, backend_user
) -> None:
    services.log_step(incident, body='<script>alert("x")</script>\n\n**bold**',
                      author=backend_user)
    html = backend_client.get(incident.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "<strong>bold</strong>" in html


def test_audit_slots_render_only_when_audits_serves_them(backend_client: Client, incident) -> None:
    from django.urls import NoReverseMatch

    html = backend_client.get(incident.get_absolute_url()).content.decode()
    for name, dom_id in (
        ("audits:incident_panel", "audit-panel"),
        ("audits:incident_migrations", "migrations-applied"),
    ):
        try:
            url = reverse(name, args=[incident.slug])
        except NoReverseMatch:
            assert f'id="{dom_id}"' not in html
        else:
            assert f'hx-get="{url}"' in html


def test_query_count_does_not_grow_with_entries(
    backend_client: Client, incident, backend_user, django_assert_max_num_queries
) -> None:
    def page_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert backend_client.get(incident.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    small = page_queries()
    for i in range(15):
        services.log_step(incident, body=f"step {i}", phase=f"Phase {i % 3}", author=backend_user)
        services.add_commit(incident, services.CommitFields(sha=f"{i:07x}a"), author=backend_user)
        services.add_action_item(incident, title=f"item {i}", author=backend_user)
    assert page_queries() == small
    with django_assert_max_num_queries(16):
        backend_client.get(incident.get_absolute_url())
