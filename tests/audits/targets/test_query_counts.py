"""The target page and the overview cost the same number of queries at any size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.audits.conftest import finding, report

pytestmark = pytest.mark.django_db


def wide_target(make_target, finish_run, tables: int, slug: str):
    target = make_target(slug=slug)
    names = [f"table_{i:04d}" for i in range(tables)]
    statuses = {name: ("broken" if i % 3 == 0 else "ok") for i, name in enumerate(names)}
    findings = [finding("missing_column", name, "col") for name in names[::3]]
    finish_run(target, report(findings, statuses))
    finish_run(target, report(findings[1:], statuses))
    return target


def count_queries(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers).status_code == 200
    return len(captured)


def test_target_page_constant_queries(mobile, make_target, finish_run,
                                      django_assert_max_num_queries):
    small = wide_target(make_target, finish_run, 10, "small")
    large = wide_target(make_target, finish_run, 300, "large")
    url = reverse("audits:target", args=["small"])
    small_count = count_queries(mobile, url)
    large_count = count_queries(mobile, reverse("audits:target", args=["large"]))
    assert small_count == large_count
    with django_assert_max_num_queries(small_count):
        mobile.get(reverse("audits:target", args=["large"]))
    grid = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "model-grid"}
    assert count_queries(mobile, url + "?status=broken", **grid) == count_queries(
        mobile, reverse("audits:target", args=["large"]) + "?status=broken", **grid)
    assert small.pk != large.pk


def test_overview_constant_queries(mobile, make_target, finish_run,
                                   django_assert_max_num_queries):
    def targets(count: int, prefix: str) -> None:
        for i in range(count):
            target = make_target(slug=f"{prefix}-{i}")
            finish_run(target, report([finding("missing_table", "Review")],
                                      {"Review": "missing", "User": "ok"}))

    targets(3, "few")
    few = count_queries(mobile, reverse("audits:overview"))
    targets(57, "many")
    many = count_queries(mobile, reverse("audits:overview"))
    assert few == many
    with django_assert_max_num_queries(few):
        mobile.get(reverse("audits:overview"))
