"""The endpoints page and the API cost the same number of queries for 10 and 200 endpoints."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.api import tokens
from audits.endpoints import services as endpoints
from audits.endpoints.models import Endpoint, EndpointScan

pytestmark = pytest.mark.django_db


def fill(target, count: int, *, payload: bool = True) -> None:
    Endpoint.objects.filter(target=target).delete()
    now = timezone.now()
    Endpoint.objects.bulk_create([
        Endpoint(target=target, route=f"/api/area{i % 17}/thing{i}", methods=["GET"],
                 method_key="GET", prefix=f"/api/area{i % 17}", file=f"app/api/{i}/route.ts",
                 models=["User", "Order"], verdict=("safe", "unsafe")[i % 2],
                 verdict_rank=(0, 3)[i % 2], reasons=["User.username is missing"] * (i % 2),
                 verdict_since=now, search_text=f"/api/area{i % 17}/thing{i} user order")
        for i in range(count)])
    EndpointScan.objects.update_or_create(target=target, defaults={
        "scanned_at": now, "counts": {"safe": count // 2, "unsafe": count - count // 2},
        "payload": json.dumps(endpoints.endpoint_dicts(target)) if payload else ""})


def queries(client, path: str, **headers) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
    assert response.status_code == 200
    return len(captured), response.content.count(b'<li class="ep-item ') or \
        response.content.count(b'"route"')


@pytest.mark.parametrize("who", ["mobile", "backend"])
def test_page_constant_queries(make_target, request, who):
    client = request.getfixturevalue(who)
    target = make_target(name="Big", slug="big")
    counts = []
    for size in (10, 200):
        fill(target, size)
        for path in ("/targets/big/endpoints/", "/endpoints/?target=big"):
            number, shown = queries(client, path)
            assert shown == size
            counts.append((path, number))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


def test_api_constant_queries(make_target, mobile_user):
    from django.test import Client

    target = make_target(name="Big", slug="big")
    raw = tokens.create_token(mobile_user, name="ci")[1]
    Client().get("/api/v1/targets/big/status", HTTP_AUTHORIZATION=f"Bearer {raw}")  # last_used
    numbers = []
    for size, payload in ((10, True), (200, True), (10, False), (200, False)):
        fill(target, size, payload=payload)
        number, shown = queries(Client(), "/api/v1/targets/big/endpoints",
                                HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert shown == size
        numbers.append(number)
    # token+user, then target+scan with its stored payload; a scan stored before payloads
    # existed reads the endpoint rows instead (one more query)
    assert numbers == [2, 2, 3, 3], numbers


def test_an_active_rescan_costs_no_extra_query(make_target, backend):
    """The page always asks for the target's latest rescan (one query), whether or not one is
    queued; the progress box then polls on its own URL."""
    target = make_target(name="Big", slug="big")
    fill(target, 10)
    without = queries(backend, "/targets/big/endpoints/")[0]
    endpoints.request_rescan(target, enqueue=False)
    assert queries(backend, "/targets/big/endpoints/")[0] == without


def test_finished_rescan_progress_constant_queries(make_target, backend):
    """The finished box carries the new list: its cost does not grow with the endpoints."""
    target = make_target(name="Big", slug="big")
    job = endpoints.request_rescan(target, enqueue=False)
    endpoints.fail_rescan(job.pk, "stopped", from_states=("queued",))
    counts = []
    for size in (10, 200):
        fill(target, size)
        number, shown = queries(backend, f"/targets/big/endpoints/rescans/{job.pk}/",
                                HTTP_HX_REQUEST="true")
        assert shown == size
        counts.append(number)
    assert counts[0] == counts[1], counts
