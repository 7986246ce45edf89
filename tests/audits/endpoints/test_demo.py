"""The demo: the seed targets scan audits/seed/backend and show its post-reset verdicts."""

from __future__ import annotations

import pytest

from audits import demo, seed
from audits.core.models import Target
from audits.endpoints.models import Endpoint, EndpointScan
from recovery.demo import demo_loaders, load_seed_incident
from tests.audits.endpoints.fixtures import expected_verdicts

pytestmark = pytest.mark.django_db


def test_registered_after_the_targets_loader():
    loaders = demo_loaders()
    assert loaders.index(demo.load_demo_endpoints) > loaders.index(demo.load_demo_targets)


def test_demo_targets_get_endpoints(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("DRIFTWATCH_DEMO_PG", "postgresql://postgres:pw@127.0.0.1:1/postgres")
    incident = load_seed_incident()
    demo.load_demo_targets(incident)
    target = Target.objects.get(slug=demo.SQLITE_SLUG)
    assert target.code_path == str(seed.BACKEND_DIR)
    verdicts = {row.key: row.verdict for row in Endpoint.objects.filter(target=target)}
    assert verdicts == expected_verdicts("post_reset")
    scan = EndpointScan.objects.get(target=target)
    # the loader keeps a scan that is current, and fills in a target without a code path
    assert demo.load_demo_endpoints(incident) == [scan]
    Target.objects.filter(pk=target.pk).update(code_path="")
    Endpoint.objects.all().delete()
    EndpointScan.objects.all().delete()
    demo.load_demo_endpoints(incident)
    target.refresh_from_db()
    assert target.code_path == str(seed.BACKEND_DIR)
    assert Endpoint.objects.filter(target=target).count() == 29
