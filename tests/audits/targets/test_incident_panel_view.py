"""The fragment the incident page loads, and the post-mortem section."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.targets.postmortem import drift_section
from recovery import services as recovery_services
from recovery.postmortem import build_markdown, extra_sections

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(backend_user, seeded_target, make_target):
    incident = recovery_services.create_incident(title="Prod reset", author=backend_user)
    seeded_target.incidents.add(incident)
    make_target(name="Unlinked", slug="unlinked")
    return incident


def test_panel_is_a_fragment_with_the_linked_targets_only(mobile, incident):
    response = mobile.get(reverse("audits:incident_panel", args=[incident.slug]),
                          HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    # innerHTML of the incident page's #audit-panel: no second element with that id
    assert 'id="audit-panel"' not in html and "Drift of the linked databases" in html
    assert "Marketplace" in html and "Unlinked" not in html
    assert "3 critical" in html and "missing_table Review" in html


def test_panel_for_an_incident_without_targets(mobile, backend_user):
    other = recovery_services.create_incident(title="Other", author=backend_user)
    html = mobile.get(reverse("audits:incident_panel", args=[other.slug])).content.decode()
    assert "No audited database is linked to this incident." in html


def test_postmortem_section_is_registered_and_lists_the_drift(incident):
    assert drift_section in [p for p in __import__("recovery.postmortem", fromlist=["x"])
                             ._providers]
    sections = extra_sections(incident)
    assert [s.title for s in sections] == ["Drift state of the databases"]
    assert "| Marketplace | missing | 3 | 0 | 0 |" in sections[0].markdown
    assert "## Drift state of the databases" in build_markdown(incident)
