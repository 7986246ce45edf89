"""The vital-signs panel: read by every role, an htmx partial or a page, its chart, and a
detection said plainly (a protected target's first)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.core.models import Target
from tests.audits.catastrophe.helpers import HEALTHY, WIPED, audit_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(make_target):
    return make_target(name="Shop", slug="shop")


def url(target: Target) -> str:
    return reverse("audits:vital_signs", args=[target.slug])


def test_anonymous_is_sent_to_login(client, target) -> None:
    response = client.get(url(target))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_no_vital_signs_yet(mobile, target) -> None:
    html = mobile.get(url(target), HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<section id="vital-signs"')
    assert "No vital signs yet: the next audit reads them." in html
    assert "no vital signs yet</text>" in html


def test_a_detection_is_shown_with_its_incident(mobile, target) -> None:
    Target.objects.filter(pk=target.pk).update(protected=True)
    audit_with(target, HEALTHY)
    run = audit_with(target, WIPED)
    page = mobile.get(url(target)).content.decode()
    assert "<h1>Vital signs of Shop</h1>" in page
    fragment = mobile.get(url(target), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert (f"<strong>Protected target (production).</strong> The last audit (#{run.number}) shows "
            "a wiped or reset database") in fragment
    assert "<strong>Schema &quot;public&quot; was dropped and created again.</strong>" in fragment
    incident = target.incidents.get()
    assert f'<a href="{incident.get_absolute_url()}">' in fragment
    assert fragment.count('class="vitals-detected"') == 1
    assert fragment.count('<circle class="vitals-dot') == 2
    assert "15,000 rows in 3 tables" in fragment


def test_healthy_audits_say_nothing_unusual(mobile, target) -> None:
    run = audit_with(target, HEALTHY)
    fragment = mobile.get(url(target), HTTP_HX_REQUEST="true").content.decode()
    assert (f"Nothing unusual in the last audit (#{run.number}): 15,000 rows in 3 tables "
            "(the database's own estimates).") in fragment
    assert 'class="vitals-detected"' not in fragment


def test_the_target_page_loads_the_panel(mobile, target) -> None:
    html = mobile.get(reverse("audits:target", args=[target.slug])).content.decode()
    assert f'<div id="vital-signs" hx-get="{url(target)}" hx-trigger="load"' in html


def test_the_overview_marks_protected_targets(mobile, target, make_target) -> None:
    make_target(name="Staging", slug="staging")
    Target.objects.filter(pk=target.pk).update(protected=True)
    html = mobile.get(reverse("audits:overview")).content.decode()
    assert html.count('<span class="badge badge-protected"') == 1


def test_queries_do_not_grow_with_the_history(mobile, target) -> None:
    counts = []
    for audits in (2, 12):
        while target.vital_signs.count() < audits:
            audit_with(target, HEALTHY)
        with CaptureQueriesContext(connection) as queries:
            assert mobile.get(url(target), HTTP_HX_REQUEST="true").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
