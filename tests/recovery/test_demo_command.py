"""`manage.py demo`: the seed incident, idempotent, extensible by other apps."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command

from recovery import demo
from recovery.models import (
    ActionItem,
    Commit,
    DataLoss,
    Incident,
    Migration,
    TimelineEntry,
    prisma_checksum,
)

pytestmark = pytest.mark.django_db
MODELS = (Incident, TimelineEntry, Commit, Migration, DataLoss, ActionItem, User)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_demo_loads_the_seed_incident() -> None:
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    incident = Incident.objects.get(slug=demo.DEMO_SLUG)
    assert incident.title == "Production database wiped by prisma migrate reset --force"
    assert (incident.severity, incident.status) == ("SEV1", "recovering")
    assert incident.investigating_at.isoformat() == "2026-02-12T10:00:00+00:00"
    assert incident.monitoring_at is None
    assert sorted(incident.commits.values_list("sha", flat=True)) == sorted(
        [
            "7baa291",
            "66b25fc",
            "964aaca",
            "1118ca6",
            "e65a5fe",
            "fe0f046",
            "fdfb306",
            "c942af2",
            "3523b29",
            "a6c853a",
            "b1d20da",
        ]
    )
    migrations = {m.name: m for m in incident.migrations.select_related("commit")}
    assert list(migrations) == [
        "20260212132000_add_missing_user_columns",
        "20260212133000_create_missing_tables",
        "20260212134000_add_supplierprofile_columns",
    ]
    users = migrations["20260212132000_add_missing_user_columns"]
    assert users.sql == demo.USER_COLUMNS_SQL
    assert users.checksum == prisma_checksum(demo.USER_COLUMNS_SQL)
    assert users.commit.sha == "3523b29"
    assert migrations["20260212134000_add_supplierprofile_columns"].sql.count("ADD COLUMN") == 12
    tables = migrations["20260212133000_create_missing_tables"].sql
    for table in demo.MISSING_TABLES:
        assert f'"{table}"' in tables or f"{table}\n" in tables
    # Other apps' demo loaders may add entries (audit alerts); the seed's are the backend's.
    seed_entries = incident.entries.filter(author__username="backend")
    phases = set(seed_entries.values_list("phase", flat=True))
    assert phases == {demo.PHASE_1, demo.PHASE_2, demo.PHASE_3, demo.PHASE_4, demo.PHASE_5}
    on_the_day = seed_entries.filter(occurred_at__date="2026-02-12")
    assert on_the_day.count() == seed_entries.count() == len(demo.TIMELINE) + 3
    assert list(incident.action_items.values_list("title", flat=True)) == demo.ACTION_ITEMS
    assert incident.data_losses.filter(unrecoverable=True).count() == len(demo.LOSSES)


def test_demo_users_have_their_roles() -> None:
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    backend = authenticate(username="backend", password="driftwatch-backend")
    mobile = authenticate(username="mobile", password="driftwatch-mobile")
    admin = authenticate(username="admin", password="driftwatch-admin")
    assert list(backend.groups.values_list("name", flat=True)) == ["backend"]
    assert list(mobile.groups.values_list("name", flat=True)) == ["mobile"]
    assert admin.is_superuser and admin.is_staff


def test_running_twice_changes_nothing() -> None:
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = counts()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == first
    assert first["Commit"] == 11
    assert first["Migration"] == 3


def test_registered_loaders_run_after_the_incident(capsys) -> None:
    seen = []

    def loader(incident: Incident) -> None:
        seen.append(incident.slug)

    demo.register_demo_loader(loader)
    demo.register_demo_loader(loader)
    try:
        call_command("demo")
    finally:
        demo._loaders.remove(loader)
    assert seen == [demo.DEMO_SLUG]
    out = capsys.readouterr().out
    assert "driftwatch-backend" not in out  # no passwords in the output
    assert "Demo users: backend (backend), mobile (mobile), admin (superuser)" in out
