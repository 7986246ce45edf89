"""The demo's post-reset targets carry the catastrophe watch's detection and its incident."""

from __future__ import annotations

import pytest

from audits import demo
from audits.catastrophe.models import VitalSignsRecord
from audits.core.models import AuditRun, Target
from recovery.demo import load_seed_incident
from recovery.models import EntryKind, Severity

pytestmark = pytest.mark.django_db


def test_the_sqlite_demo_target_carries_the_detection_and_its_incident(settings, tmp_path,
                                                                       monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("DRIFTWATCH_DEMO_PG", "postgresql://postgres:pw@127.0.0.1:1/postgres")
    seed_incident = load_seed_incident()
    demo.load_demo_targets(seed_incident)
    demo.load_demo_catastrophe(seed_incident)
    demo.load_demo_catastrophe(seed_incident)  # idempotent

    target = Target.objects.get(slug=demo.SQLITE_SLUG)
    before, after = VitalSignsRecord.objects.filter(target=target).order_by("id")
    assert before.healthy and before.total_rows == sum(demo.PRE_RESET_ROWS.values())
    assert before.run.finished_at < after.run.finished_at
    assert not after.healthy and after.baseline == before and after.total_rows == 0
    assert [d["kind"] for d in after.detections] == ["tables_recreated", "migrations_reset",
                                                     "rows_collapsed"]
    sev1 = after.incident
    assert sev1 is not None and sev1 != seed_incident and sev1.severity == Severity.SEV1
    assert set(target.incidents.all()) == {seed_incident, sev1}
    assert sev1.title == ("Marketplace (SQLite demo) looks wiped or reset: 20 of 29 tables were "
                          "dropped")
    assert sev1.entries.filter(kind=EntryKind.ALERT).count() == 1
    assert AuditRun.objects.filter(target=target).count() == 2
