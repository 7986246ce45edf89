"""Two rescans of one target at once (an audit finishing while someone clicks "rescan") both
succeed and leave one row per endpoint: the store step locks the target row. And two workers
handed the same queued rescan scan it once: the claim is a conditional UPDATE."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from audits import seed
from audits.core.models import Target
from audits.endpoints import services as endpoints
from audits.endpoints.models import Endpoint
from audits.endpoints.tasks import rescan_endpoints
from audits.targets import services

pytestmark = pytest.mark.django_db(transaction=True)


def race_target() -> Target:
    return services.create_target(
        name="Race", slug="race", dsn="sqlite:////tmp/nonexistent.db",
        schema_files=services.read_schema_files(seed.SQLITE_SCHEMA_PATH),
        code_path=str(seed.BACKEND_DIR))


def all_at_once(work: Callable[[], Any], count: int) -> list[Any]:
    """Run ``work`` in ``count`` threads released together; their results, or raise."""
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            barrier.wait()
            results.append(work())
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_concurrent_rescans(db):
    target = race_target()
    all_at_once(lambda: endpoints.rescan(target), 3)
    assert Endpoint.objects.filter(target=target).count() == 29


def test_two_workers_given_one_rescan_scan_it_once(db):
    target = race_target()
    job = endpoints.request_rescan(target, enqueue=False)
    assert sorted(all_at_once(lambda: rescan_endpoints(job.pk), 2)) == ["skipped", "succeeded"]
    assert Endpoint.objects.filter(target=target).count() == 29
