"""Done-when of the catastrophe watch: `manage.py audit TARGET --inline` on a populated
PostgreSQL database (78,700 rows, statistics current), once before and once after each event.
(a) migrate reset, (b) TRUNCATE of most tables and (d) _prisma_migrations recreated open
exactly one SEV1 incident linked to the target; (c) a couple of dozen deletes and (e) ordinary
churn open none; auditing again after (a) adds a timeline entry to the same incident."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from audits import seed
from audits.catastrophe.models import VitalSignsRecord
from audits.core.models import Target
from recovery.models import EntryKind, Incident, Severity
from tests.engine import catastrophe

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(scope="module")
def populated_template(pg_admin_dsn: str, tmp_path_factory: pytest.TempPathFactory
                       ) -> Iterator[tuple[str, Path]]:
    extra = tmp_path_factory.mktemp("migrations")
    for name in catastrophe.populated_template(pg_admin_dsn, extra, "dw_watch_template"):
        yield name, extra


@pytest.fixture
def production(pg_admin_dsn: str, populated_template: tuple[str, Path],
               make_target: Callable[..., Target]) -> Iterator[tuple[Target, str, Path]]:
    """A target on a fresh copy of the populated database, audited once (healthy)."""
    template, extra = populated_template
    for url in catastrophe.analyzed_copy(pg_admin_dsn, template, "dw_watch"):
        target = make_target(name="Marketplace production", slug="prod", dsn=url,
                             schema_files={"schema.prisma": seed.SCHEMA_PATH.read_text()})
        audit()
        assert VitalSignsRecord.objects.get().healthy
        yield target, url, extra


def audit() -> None:
    """The post-reset schema lacks what schema.prisma expects: drift, so exit status 2."""
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "prod", "--inline")
    assert exit_info.value.code == 2


def sev1_incidents(target: Target) -> list[Incident]:
    return list(target.incidents.filter(severity=Severity.SEV1))


def test_a_migrate_reset_opens_one_sev1_incident_and_a_second_audit_adds_to_it(
        production: tuple[Target, str, Path]) -> None:
    target, url, extra = production
    catastrophe.migrate_reset(url, extra)
    audit()

    (incident,) = sev1_incidents(target)
    assert Incident.objects.count() == 1
    assert incident.title == ('Marketplace production looks wiped or reset: Schema "public" was '
                              "dropped and created again")
    entries = list(incident.entries.filter(kind=EntryKind.ALERT))
    assert len(entries) == 1
    assert "| rows in tables that held 100+ | 78,700 | 0 |" in entries[0].body
    assert "| Event.id last value | 20,000 | — |" in entries[0].body
    record = VitalSignsRecord.objects.order_by("-id").first()
    assert record is not None and not record.healthy and record.opened_incident
    assert [d["kind"] for d in record.detections] == [
        "schema_recreated", "tables_recreated", "migrations_reset", "rows_collapsed",
        "sequences_reset"]
    assert (record.email_status, record.webhook_status) == ("pending", "pending")

    audit()  # the same state, seen again
    assert sev1_incidents(target) == [incident]
    assert Incident.objects.count() == 1
    again = list(incident.entries.filter(kind=EntryKind.ALERT))
    assert len(again) == 2
    assert again[1].body.startswith("Still seen in audit [#")
    latest = VitalSignsRecord.objects.order_by("-id").first()
    assert latest is not None and latest.incident == incident and not latest.opened_incident
    assert latest.baseline == VitalSignsRecord.objects.order_by("id").first()


def test_truncate_of_most_tables_opens_one_sev1_incident(
        production: tuple[Target, str, Path]) -> None:
    target, url, _extra = production
    catastrophe.run_sql(url, catastrophe.TRUNCATE_SQL)
    audit()
    (incident,) = sev1_incidents(target)
    assert incident.title == "Marketplace production looks wiped or reset: 78% of the rows are gone"
    assert Incident.objects.count() == 1


def test_prisma_migrations_recreated_opens_one_sev1_incident(
        production: tuple[Target, str, Path]) -> None:
    target, url, extra = production
    catastrophe.recreate_migrations_table(url, extra)
    audit()
    (incident,) = sev1_incidents(target)
    assert incident.title == ("Marketplace production looks wiped or reset: _prisma_migrations "
                              "was dropped and created again")


def test_a_couple_of_dozen_deletes_open_nothing(production: tuple[Target, str, Path]) -> None:
    target, url, _extra = production
    catastrophe.run_sql(url, catastrophe.DELETE_A_FEW_SQL)
    audit()
    assert Incident.objects.count() == 0
    assert list(VitalSignsRecord.objects.values_list("healthy", flat=True)) == [True, True]


def test_ordinary_churn_opens_nothing(production: tuple[Target, str, Path]) -> None:
    target, url, _extra = production
    catastrophe.run_sql(url, catastrophe.CHURN_SQL, *catastrophe.MAINTENANCE_SQL)
    audit()
    assert Incident.objects.count() == 0
    assert VitalSignsRecord.objects.order_by("-id").first().total_rows == 78700 + 6000 - 400  # type: ignore[union-attr]


def test_a_protected_target_says_so_first(production: tuple[Target, str, Path]) -> None:
    target, url, _extra = production
    Target.objects.filter(pk=target.pk).update(protected=True)
    catastrophe.run_sql(url, catastrophe.TRUNCATE_SQL)
    audit()
    (incident,) = sev1_incidents(target)
    assert incident.title.startswith("Protected target (production): Marketplace production")
    (entry,) = incident.entries.filter(kind=EntryKind.ALERT)
    assert entry.body.startswith("**Protected target (production).**")
