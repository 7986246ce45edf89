"""Every page of one target shows the same tab bar: same order, same labels, one current tab."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from audits.core.models import Target

pytestmark = pytest.mark.django_db

LABELS = ["Drift", "Audit history", "Compare audits", "Fix migration", "Migrations",
          "Code · history · database", "Endpoints", "Changes"]
TAB_BAR = re.compile(r'<nav class="tabs"[^>]*>(.*?)</nav>', re.S)
TAB = re.compile(r"<(?:a|span)\b([^>]*)>([^<]*)</(?:a|span)>")


def per_target_pages(target: Target) -> list[tuple[str, str]]:
    """(url, label of the tab it is under) for every full page that belongs to one target."""
    slug, run = target.slug, target.last_success_id
    return [
        (reverse("audits:target", args=[slug]), "Drift"),
        (reverse("audits:run_history", args=[slug]), "Audit history"),
        (reverse("audits:run", args=[slug, run]), "Audit history"),
        (reverse("audits:compare", args=[slug]), "Compare audits"),
        (reverse("audits:fix_migration", args=[slug, run]), "Fix migration"),
        (reverse("audits:target_migrations", args=[slug]), "Migrations"),
        (reverse("audits:target_three_way", args=[slug]), "Code · history · database"),
        (reverse("audits:target_endpoints", args=[slug]), "Endpoints"),
        (reverse("audits:target_changes", args=[slug]), "Changes"),
    ]


def tabs_of(html: str) -> list[tuple[str, bool]]:
    bars = TAB_BAR.findall(html)
    assert len(bars) == 1, f"{len(bars)} tab bars"
    return [(label.strip(), 'aria-current="page"' in attrs)
            for attrs, label in TAB.findall(bars[0])]


def test_every_per_target_page_has_the_tab_bar_with_one_current_tab(mobile, seeded_target):
    for url, current in per_target_pages(seeded_target):
        response = mobile.get(url)
        assert response.status_code == 200, url
        tabs = tabs_of(response.content.decode())
        assert [label for label, _ in tabs] == LABELS, url
        assert [label for label, on in tabs if on] == [current], url


def test_the_tabs_link_to_the_pages_and_fix_migration_to_the_last_good_audit(mobile,
                                                                             seeded_target):
    html = mobile.get(reverse("audits:compare", args=[seeded_target.slug])).content.decode()
    bar = TAB_BAR.findall(html)[0]
    for url, _ in per_target_pages(seeded_target):
        if "/runs/" in url and not url.endswith("/fix/"):
            continue  # an audit's own page is under Audit history, not a tab of its own
        assert f'href="{url}"' in bar, url


def test_without_a_successful_audit_fix_migration_is_shown_but_not_a_link(mobile, make_target):
    target = make_target(name="Never audited", slug="never")
    tabs = tabs_of(mobile.get(reverse("audits:target", args=[target.slug])).content.decode())
    assert [label for label, _ in tabs] == LABELS
    html = mobile.get(reverse("audits:target", args=[target.slug])).content.decode()
    assert '<span class="tab-off" aria-disabled="true"' in html


def test_actions_stay_buttons_outside_the_tabs(backend, seeded_target):
    html = backend.get(reverse("audits:target", args=[seeded_target.slug])).content.decode()
    bar = TAB_BAR.findall(html)[0]
    assert "Edit" not in bar and "Audit now" not in bar
    edit = reverse("audits:target_edit", args=[seeded_target.slug])
    assert f'<a class="btn" href="{edit}">Edit</a>' in html


def test_the_endpoints_home_keeps_its_target_chips_without_tabs(mobile, seeded_target):
    html = mobile.get(reverse("audits:endpoints")).content.decode()
    assert '<nav class="tabs"' not in html and '<nav class="ep-targets"' in html
