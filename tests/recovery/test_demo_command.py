"""`manage.py demo`: the seed incident, idempotent, extensible by other apps."""

import hashlib
import re
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import RequestFactory

from audits import seed
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
from recovery.postmortem import build_markdown

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
    assert list(migrations) == [name for name, _ in demo.MIGRATIONS] == [
        "20260212132000_add_missing_user_columns",
        "20260212133000_create_missing_tables",
        "20260212134000_add_supplierprofile_columns",
    ]
    assert [m.commit.sha for m in migrations.values()] == ["3523b29", "a6c853a", "b1d20da"]
    # The command runs every installed app's loaders: audits fills in the SQL from its seed.
    for name, migration in migrations.items():
        script = (seed.FIX_MIGRATIONS_DIR / name / "migration.sql").read_bytes()
        assert migration.sql.encode("utf-8") == script, name
        assert migration.checksum == hashlib.sha256(script).hexdigest(), name
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
    login = RequestFactory().post("/login/")  # django-axes wants the request
    backend = authenticate(login, username="backend", password="driftwatch-backend")
    mobile = authenticate(login, username="mobile", password="driftwatch-mobile")
    admin = authenticate(login, username="admin", password="driftwatch-admin")
    assert list(backend.groups.values_list("name", flat=True)) == ["backend"]
    assert list(mobile.groups.values_list("name", flat=True)) == ["mobile"]
    assert admin.is_superuser and admin.is_staff


def test_the_demo_keeps_an_admin_that_ensure_admin_made() -> None:
    """docker compose runs ensure_admin before the demo: its admin keeps its own password."""
    User.objects.create_superuser("admin", password="the-operators-own-1")
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert User.objects.get(username="admin").check_password("the-operators-own-1")


def test_running_twice_changes_nothing() -> None:
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = counts()
    rows = list(Migration.objects.values_list("id", "name", "sql", "checksum", "commit_id"))
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == first
    assert list(Migration.objects.values_list("id", "name", "sql", "checksum", "commit_id")) == rows
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


def test_recovery_alone_logs_the_migrations_without_their_sql(monkeypatch) -> None:
    """No other app's loader (recovery on its own): the rows exist, and say the SQL is missing."""
    monkeypatch.setattr(demo, "_loaders", [])
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    incident = Incident.objects.get(slug=demo.DEMO_SLUG)
    migrations = list(incident.migrations.all())
    assert [m.name for m in migrations] == [name for name, _ in demo.MIGRATIONS]
    for migration in migrations:
        assert migration.sql == demo.SQL_NOT_AVAILABLE
        assert migration.checksum == prisma_checksum(demo.SQL_NOT_AVAILABLE)
        migration.full_clean()  # a placeholder the model accepts, not an empty script
    text = build_markdown(incident)
    assert text.count("-- SQL not available") == len(demo.MIGRATIONS)


def test_fill_demo_migration_sql_is_idempotent_and_keeps_to_the_demo_rows(
    demo_incident, backend_user
) -> None:
    from recovery import services

    other = services.add_migration(
        demo_incident, name="20260301000000_later_fix", sql="SELECT 1;\n", author=backend_user
    )
    name = demo.MIGRATIONS[0][0]
    script = "-- a script\r\nSELECT 1;\r\n"  # stored as given: CRLF stays CRLF
    entries = demo_incident.entries.count()
    assert demo.fill_demo_migration_sql(
        demo_incident, {name: script, other.name: "SELECT 2;\n", "unknown": "x"}
    ) == [name]
    assert demo.fill_demo_migration_sql(demo_incident, {name: script}) == []
    filled = demo_incident.migrations.get(name=name)
    assert (filled.sql, filled.checksum) == (script, prisma_checksum(script))
    assert demo_incident.migrations.get(pk=other.pk).sql == "SELECT 1;\n"
    assert demo_incident.entries.count() == entries  # fixture data: no timeline entry


# SQL statements, not prose: the keywords the seed's scripts are made of.
SQL_STATEMENT = re.compile(
    r"\b(?:ALTER|CREATE|DROP)\s+(?:TABLE|TYPE|INDEX|UNIQUE)\b|ADD\s+(?:COLUMN|CONSTRAINT)\b"
    r"|\bREFERENCES\b|\bINSERT\s+INTO\b"
)


def test_recovery_demo_holds_no_sql_and_does_not_reach_into_audits() -> None:
    source = Path(demo.__file__).read_text(encoding="utf-8")
    assert SQL_STATEMENT.findall(source) == []
    assert "audits" not in "".join(
        line for line in source.splitlines() if line.lstrip().startswith(("import", "from"))
    )
    assert "read_bytes" not in source and "read_text" not in source  # no seed file read here
