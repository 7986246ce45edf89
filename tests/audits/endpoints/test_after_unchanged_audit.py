"""After an audit that changed nothing (same statuses, same schema) and with code unchanged
since the last scan, the endpoint verdicts are not recomputed; a changed file, a changed
audit or a failed last scan recompute them."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from audits import seed
from audits.core.models import Target
from audits.endpoints import services as endpoints
from audits.endpoints.models import EndpointScan
from audits.seed.build import build_sqlite_database
from audits.targets import services
from tests.audits.endpoints.fixtures import audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The runs the endpoints were recomputed for."""
    runs: list[int] = []
    original = endpoints.rescan

    def counting(target: Target, run: Any = None) -> Any:
        runs.append(run.pk if run is not None else 0)
        return original(target, run)

    monkeypatch.setattr(endpoints, "rescan", counting)
    return runs


@pytest.fixture
def target(tmp_path: Path) -> Target:
    code = tmp_path / "backend"
    shutil.copytree(seed.BACKEND_DIR, code)
    old = time.time() - 60  # a checkout from a minute ago
    for folder, _subfolders, files in os.walk(code):
        for name in (*files, "."):
            os.utime(os.path.join(folder, name), (old, old))
    path = build_sqlite_database(tmp_path / "post-reset.sqlite3")
    return services.create_target(
        name="Marketplace", slug="marketplace", dsn=f"sqlite:///{path}",
        schema_files=services.read_schema_files(seed.SQLITE_SCHEMA_PATH), code_path=str(code))


def test_an_unchanged_audit_of_unchanged_code_keeps_the_verdicts(target: Target,
                                                                 scans: list[int]) -> None:
    first = audit(target)
    scanned = EndpointScan.objects.get(target=target).scanned_at
    second = audit(target)
    assert scans == [first.pk]
    assert EndpointScan.objects.get(target=target).scanned_at == scanned
    assert second.changes["new"] == second.changes["resolved"] == []


def test_a_changed_file_is_scanned_again(target: Target, scans: list[int]) -> None:
    first = audit(target)
    route = next(Path(target.code_path).rglob("*.ts"))
    route.write_text(route.read_text() + "\n// edited\n")
    second = audit(target)
    assert scans == [first.pk, second.pk]


def test_a_failed_last_scan_is_retried(target: Target, scans: list[int]) -> None:
    first = audit(target)
    endpoints.record_error(target, "the code folder could not be read")
    second = audit(target)
    assert scans == [first.pk, second.pk]


def test_a_target_without_code_never_scans(tmp_path: Path, scans: list[int]) -> None:
    path = build_sqlite_database(tmp_path / "post-reset.sqlite3")
    target = services.create_target(
        name="No code", slug="no-code", dsn=f"sqlite:///{path}",
        schema_files=services.read_schema_files(seed.SQLITE_SCHEMA_PATH))
    audit(target)
    audit(target)
    assert scans == [] and not EndpointScan.objects.filter(target=target).exists()
