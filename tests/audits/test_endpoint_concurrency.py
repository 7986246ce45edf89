"""Two rescans of one target at once (an audit finishing while someone clicks "rescan") both
succeed and leave one row per endpoint: the store step locks the target row."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from audits import endpoints, seed, services
from audits.models import Endpoint

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_rescans(db):
    target = services.create_target(
        name="Race", slug="race", dsn="sqlite:////nonexistent.db",
        schema_files=services.read_schema_files(seed.SQLITE_SCHEMA_PATH),
        code_path=str(seed.BACKEND_DIR))
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def rescan() -> None:
        try:
            barrier.wait()
            endpoints.rescan(target)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=rescan) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Endpoint.objects.filter(target=target).count() == 29
