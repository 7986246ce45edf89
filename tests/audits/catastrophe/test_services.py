"""The catastrophe watch's services, fed handmade vital signs through the audit-finished
event: records, baselines, the one incident, thresholds and the alert."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from audits.catastrophe import services
from audits.catastrophe.models import VitalSignsRecord, WatchSettings
from audits.core.models import Target
from audits.engine.model import to_plain
from recovery import services as recovery_services
from recovery.models import EntryKind, Incident, Severity, Status
from tests.audits.catastrophe.helpers import HEALTHY, WIPED, audit_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(make_target):
    return make_target(name="Shop", slug="shop", alert_emails="oncall@example.test")


def test_the_first_audit_is_the_first_baseline(target) -> None:
    audit_with(target, HEALTHY)
    record = VitalSignsRecord.objects.get()
    assert (record.healthy, record.baseline, record.total_rows, record.table_count) == (
        True, None, 15000, 3)
    assert Incident.objects.count() == 0


def test_an_audit_without_vital_signs_records_nothing(target) -> None:
    audit_with(target, None)
    assert VitalSignsRecord.objects.count() == 0


def test_a_wipe_opens_one_sev1_incident_then_adds_to_it(target) -> None:
    first = audit_with(target, HEALTHY)
    audit_with(target, WIPED)
    (incident,) = Incident.objects.all()
    assert incident.severity == Severity.SEV1 and incident.status == Status.DECLARED
    assert list(target.incidents.all()) == [incident]
    assert incident.title == ('Shop looks wiped or reset: Schema "public" was dropped and '
                              "created again")
    (entry,) = incident.entries.filter(kind=EntryKind.ALERT)
    assert entry.phase == "Detection" and entry.author is None
    assert entry.body.startswith(f"The catastrophe watch saw this in audit [#{first.number + 1}]")
    assert "| schema \"public\" OID | 2,200 | 9,000 |" in entry.body
    assert "| rows in tables that held 100+ | 15,000 | 0 |" in entry.body

    audit_with(target, WIPED)
    audit_with(target, WIPED)
    assert Incident.objects.count() == 1
    entries = list(incident.entries.filter(kind=EntryKind.ALERT))
    assert len(entries) == 3 and entries[2].body.startswith("Still seen in audit")
    baselines = set(VitalSignsRecord.objects.filter(healthy=False)
                    .values_list("baseline__run_id", flat=True))
    assert baselines == {first.pk}
    assert list(VitalSignsRecord.objects.order_by("id").values_list("opened_incident", flat=True)
                ) == [False, True, False, False]


def test_once_the_incident_is_resolved_the_state_it_saw_is_the_new_normal(target,
                                                                          backend_user) -> None:
    audit_with(target, HEALTHY)
    audit_with(target, WIPED)
    incident = Incident.objects.get()
    recovery_services.change_status(incident, Status.RESOLVED, author=backend_user,
                                    reason="restored")
    audit_with(target, WIPED)
    assert Incident.objects.count() == 1
    latest = VitalSignsRecord.objects.order_by("-id").first()
    assert latest is not None and latest.healthy


def test_a_target_pointed_at_another_database_starts_a_new_baseline(target) -> None:
    audit_with(target, HEALTHY)
    audit_with(target, replace(WIPED, database="shop_copy"))
    assert Incident.objects.count() == 0
    assert VitalSignsRecord.objects.order_by("-id").first().healthy  # type: ignore[union-attr]


def test_thresholds_per_target(target) -> None:
    WatchSettings.objects.create(target=target, thresholds={"rows_gone_fraction": 0.9})
    audit_with(target, HEALTHY)
    half_gone = replace(HEALTHY, tables=tuple(
        replace(t, n_live_tup=2000, n_tup_del=3000) for t in HEALTHY.tables))
    audit_with(target, half_gone)
    assert Incident.objects.count() == 0  # 60% gone is under this target's 90%
    assert services.thresholds_for(target).rows_gone_fraction == 0.9


def test_bad_thresholds_are_refused_with_their_names(target) -> None:
    settings = WatchSettings(target=target, thresholds={"rows_gone_fraction": 2, "nope": 1})
    with pytest.raises(ValidationError) as error:
        settings.full_clean()
    assert error.value.message_dict == {"thresholds": ["Unknown thresholds: nope."]}
    settings.thresholds = {"rows_gone_fraction": 2}
    with pytest.raises(ValidationError) as error:
        settings.full_clean()
    assert error.value.message_dict == {"thresholds": [
        "rows_gone_fraction must be a fraction above 0 and at most 1, not 2"]}


def test_the_alert_goes_through_the_targets_channels(target) -> None:
    audit_with(target, HEALTHY)
    audit_with(target, WIPED)
    record = VitalSignsRecord.objects.get(opened_incident=True)
    assert services.deliver_alert(record.pk) == "sent"
    (email,) = mail.outbox
    assert email.subject.startswith('[Driftwatch] SEV1: Shop looks wiped or reset: Schema "public"')
    assert email.to == ["oncall@example.test"]
    record.refresh_from_db()
    assert (record.email_status, record.webhook_status, record.attempts) == ("sent", "skipped", 1)
    assert services.deliver_alert(record.pk) == "sent"  # a retry sends nothing again
    assert len(mail.outbox) == 1


def test_a_protected_target_says_so_first(target) -> None:
    Target.objects.filter(pk=target.pk).update(protected=True)
    target.refresh_from_db()
    audit_with(target, HEALTHY)
    audit_with(target, WIPED)
    incident = Incident.objects.get()
    assert incident.title.startswith("Protected target (production): Shop looks wiped")
    assert incident.summary.startswith("**Protected target (production).**")
    record = VitalSignsRecord.objects.get(opened_incident=True)
    body = services.webhook_body(record, services.alert_message(record))
    assert b'"protected": true' in body
    assert services.alert_message(record).startswith("Protected target (production): Shop")


def test_each_run_is_recorded_once(target) -> None:
    run = audit_with(target, HEALTHY)
    assert services.record_vitals(run, HEALTHY) is None
    assert VitalSignsRecord.objects.count() == 1


def test_records_store_the_compact_form_and_a_baseline_in_the_old_form_still_compares(
        target) -> None:
    audit_with(target, HEALTHY)
    record = VitalSignsRecord.objects.get()
    assert record.vitals["tables"]["fields"][:2] == ["name", "schema"]
    assert record.signs() == HEALTHY
    # a record written before the compact form: one object per table
    VitalSignsRecord.objects.filter(pk=record.pk).update(vitals=to_plain(HEALTHY))
    audit_with(target, WIPED)
    assert Incident.objects.count() == 1
    assert VitalSignsRecord.objects.get(pk=record.pk).signs() == HEALTHY
