"""Run history, one run, and the comparison of two runs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.audits.conftest import finding, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_runs(seeded_target, finish_run):
    first = seeded_target.last_success
    second = finish_run(seeded_target, report(
        [finding("missing_table", "Review"), finding("missing_table", "Wallet")],
        {"User": "ok", "Review": "missing", "Product": "ok", "Wallet": "missing"}))
    return first, second


def test_history_lists_runs_newest_first(mobile, two_runs):
    first, second = two_runs
    html = mobile.get(reverse("audits:run_history", args=["marketplace"])).content.decode()
    assert html.index(f"#{second.number}</a>") < html.index(f"#{first.number}</a>")
    assert (first.number, second.number) == (1, 2)
    assert "+1 / −2" in html  # second run: 1 new, 2 resolved


def test_run_page_shows_findings_and_changes(mobile, two_runs):
    first, second = two_runs
    html = mobile.get(reverse("audits:run", args=["marketplace", second.pk])).content.decode()
    assert f"Since audit #{first.number}" in html
    assert "missing_table Wallet" in html
    assert "<s>missing_column User.username</s>" in html
    assert "Findings (2)" in html
    assert "missing → " not in html  # worst status unchanged: no alert for this run
    first_html = mobile.get(reverse("audits:run", args=["marketplace", first.pk])).content.decode()
    assert "first audit → " in first_html and "email pending" in first_html


def test_compare_any_two_runs(mobile, two_runs):
    first, second = two_runs
    url = reverse("audits:compare", args=["marketplace"])
    html = mobile.get(url, {"a": second.pk, "b": first.pk}).content.decode()
    # backwards: from the second to the first, the User columns come back as new
    assert "New findings (2)" in html and "Resolved (1)" in html
    assert "missing_column User.username" in html and "<s>missing_table Wallet</s>" in html
    default = mobile.get(url).content.decode()
    assert "New findings (1)" in default and "Resolved (2)" in default


def test_compare_refuses_runs_of_another_target(mobile, two_runs, make_target, finish_run):
    other = finish_run(make_target(slug="other"), report([], {"User": "ok"}))
    url = reverse("audits:compare", args=["marketplace"])
    assert mobile.get(url, {"a": other.pk, "b": two_runs[0].pk}).status_code == 404
    assert mobile.get(url, {"a": "x", "b": "1"}).status_code == 400


def test_compare_of_two_identical_audits_says_nothing_changed(mobile, seeded_target, finish_run):
    first = seeded_target.last_success
    second = finish_run(seeded_target, report(
        [finding("missing_column", "User", "username"),
         finding("missing_column", "User", "googleId"),
         finding("missing_table", "Review")],
        {"User": "broken", "Review": "missing", "Product": "ok"}))
    url = reverse("audits:compare", args=[seeded_target.slug])
    html = mobile.get(url, {"a": first.pk, "b": second.pk}).content.decode()
    assert "No change between these audits" in html
    assert "New findings (0)" not in html


def test_run_findings_table_stacks_on_phones_with_labels(mobile, two_runs):
    _, second = two_runs
    html = mobile.get(reverse("audits:run", args=["marketplace", second.pk])).content.decode()
    assert '<table class="dw-table table-stack">' in html
    assert html.count('<td data-label="Kind">missing table</td>') == 2
