"""The catastrophe watch, on the audit-finished event: store the vital signs, compare them with
the last healthy ones, and open (or add to) the SEV1 incident when a wipe or reset shows.

The baseline is the target's latest record that was healthy, or whose incident has since been
resolved (the team accepted the state it saw), or whose incident was deleted. So an audit that
still sees a reset while its incident is open compares with the state before the reset and adds
a timeline entry to that incident; it never opens a second one. A target whose database name
changed (its URL now points at another database) starts a new baseline instead.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse

from audits.alerts.delivery import email_target, post_to_target_webhook
from audits.alerts.models import Alert
from audits.core import queueing
from audits.core.events import AuditFinished
from audits.core.incidents import log_on_open_incidents
from audits.core.models import AuditRun, Target
from audits.engine.vitals import Detection, Thresholds, VitalSigns, detect
from recovery import services as recovery_services
from recovery.models import EntryKind, Incident, Severity, Status

from .models import VitalSignsRecord, WatchSettings

DELIVER_TASK = "audits.deliver_catastrophe_alert"
PROTECTED_NOTE = "Protected target (production)"


def on_audit_finished(sender: Any, event: AuditFinished, **kwargs: Any) -> None:
    if event.vitals is None:
        return
    record = record_vitals(event.run, event.vitals)
    if record is not None and record.opened_incident:
        record_id = record.pk
        transaction.on_commit(lambda: enqueue_alert(record_id))


def thresholds_for(target: Target) -> Thresholds:
    settings = WatchSettings.objects.filter(target=target).first()
    return settings.limits() if settings is not None else Thresholds()


def set_thresholds(target: Target, limits: Thresholds, *, user: Any = None) -> WatchSettings:
    """Store the target's thresholds (only those that differ from the defaults, so a later change
    of a default still reaches it) and note the change on its open incidents."""
    problems = limits.problems()
    if problems:
        raise ValueError("; ".join(problems))
    defaults = Thresholds().to_plain()
    chosen = {key: value for key, value in limits.to_plain().items() if value != defaults[key]}
    with transaction.atomic():
        settings, _ = WatchSettings.objects.update_or_create(
            target=target, defaults={"thresholds": chosen})
        described = ", ".join(f"{key} {value:g}" for key, value in limits.to_plain().items())
        log_on_open_incidents(
            target, f"Catastrophe watch thresholds of **{target.name}** set to {described}.",
            kind=EntryKind.DECISION, author=user)
    return settings


BASELINE = Q(healthy=True) | Q(incident__isnull=True) | Q(incident__status=Status.RESOLVED)


def baseline_for(target: Target, run: AuditRun) -> VitalSignsRecord | None:
    return (VitalSignsRecord.objects.filter(target=target).exclude(run=run).filter(BASELINE)
            .order_by("-id").first())


def record_vitals(run: AuditRun, vitals: VitalSigns) -> VitalSignsRecord | None:
    """Store ``run``'s vital signs and act on what they show; once per run.

    Every audit comes through here, so a healthy one costs two statements: the newest record
    that is this run's own (already recorded: nothing to do) or the baseline, with the
    target's thresholds (a subquery: joining them through the target cost more to compile
    than a statement of their own); then the record. Only a detection takes the target's lock
    and a transaction, for the incident it opens or adds to."""
    latest = (VitalSignsRecord.objects.filter(target_id=run.target_id)
              .filter(Q(run_id=run.pk) | BASELINE)
              .annotate(limits=Subquery(WatchSettings.objects.filter(
                  target_id=OuterRef("target_id")).values("thresholds")[:1]))
              .only("id", "run_id", "target_id", "vitals")
              .order_by("-id").first())
    if latest is not None and latest.run_id == run.pk:
        return None
    baseline = latest
    detections: tuple[Detection, ...] = ()
    before = baseline.signs() if baseline is not None else None
    if baseline is not None and before is not None and _same_database(before, vitals):
        detections = detect(before, vitals, Thresholds.from_plain(latest.limits))
    fields = {"run": run, "vitals": vitals.to_stored(), "total_rows": vitals.total_rows(),
              "table_count": len(vitals.user_tables()), "rows_exact": vitals.exact_counts,
              "baseline": baseline, "healthy": not detections,
              "detections": [detection.to_plain() for detection in detections]}
    if not detections:
        return VitalSignsRecord.objects.create(target_id=run.target_id, **fields)
    with transaction.atomic():
        # one audit of a target at a time already; the lock also orders two receivers
        target = Target.objects.select_for_update().get(pk=run.target_id)
        record = VitalSignsRecord.objects.create(target=target, **fields)
        _open_or_add_incident(target, record, baseline)
        return record


def _same_database(before: VitalSigns, now: VitalSigns) -> bool:
    return before.dialect == now.dialect and before.database == now.database


def _open_or_add_incident(target: Target, record: VitalSignsRecord,
                          baseline: VitalSignsRecord | None) -> None:
    open_one = (VitalSignsRecord.objects.filter(target=target, healthy=False,
                                                incident__isnull=False)
                .exclude(pk=record.pk).exclude(incident__status=Status.RESOLVED)
                .select_related("incident").order_by("-id").first())
    if open_one is not None and open_one.incident is not None:
        incident = open_one.incident
        body = timeline_body(target, record, baseline, again=True)
        opened = False
    else:
        incident = recovery_services.create_incident(
            title=incident_title(target, record), severity=Severity.SEV1,
            summary=incident_summary(target, record),
            impact="Data may be gone: every table, row and sequence the detection names.",
        )
        target.incidents.add(incident)
        body = timeline_body(target, record, baseline, again=False)
        opened = True
    recovery_services.log_step(incident, body=body, author=None, kind=EntryKind.ALERT,
                               phase="Detection")
    VitalSignsRecord.objects.filter(pk=record.pk).update(
        incident=incident, opened_incident=opened,
        email_status=Alert.Delivery.PENDING if opened else "",
        webhook_status=Alert.Delivery.PENDING if opened else "",
    )
    record.incident, record.opened_incident = incident, opened


# --- words ----------------------------------------------------------------------------------


def _protected_prefix(target: Target) -> str:
    return f"{PROTECTED_NOTE}: " if target.protected else ""


def incident_title(target: Target, record: VitalSignsRecord) -> str:
    headline = record.titles[0] if record.titles else "wiped or reset"
    return f"{_protected_prefix(target)}{target.name} looks wiped or reset: {headline}"[:200]


def incident_summary(target: Target, record: VitalSignsRecord) -> str:
    lines = [f"**{PROTECTED_NOTE}.**" if target.protected else "",
             f"Driftwatch's catastrophe watch saw the signature of a wiped or reset database "
             f"on **{target.name}** in audit #{record.run.number}:", ""]
    lines += [f"- {title}" for title in record.titles]
    return "\n".join(line for line in lines if line is not None).strip()


def timeline_body(target: Target, record: VitalSignsRecord,
                  baseline: VitalSignsRecord | None, *, again: bool) -> str:
    run_url = reverse("audits:run", args=[target.slug, record.run_id])
    since = (f"the last healthy audit [#{baseline.run.number}]"
             f"({reverse('audits:run', args=[target.slug, baseline.run_id])})"
             if baseline is not None else "the last healthy audit")
    number = record.run.number
    lead = (f"Still seen in audit [#{number}]({run_url}) of **{target.name}**, compared "
            f"with {since}:" if again else
            f"The catastrophe watch saw this in audit [#{number}]({run_url}) of "
            f"**{target.name}**, compared with {since}:")
    parts = [f"**{PROTECTED_NOTE}.**"] if target.protected else []
    parts.append(lead)
    figures: list[tuple[str, str, str]] = []
    for detection in record.found():
        parts.append(f"- **{detection.title}.** {detection.explanation}")
        figures += [(figure.label, _figure(figure.before), _figure(figure.after))
                    for figure in detection.figures]
    if figures:
        parts.append("| figure | before | after |\n|---|---|---|\n" + "\n".join(
            f"| {label} | {before} | {after} |" for label, before, after in figures))
    return "\n\n".join(parts)


def _figure(value: int | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


# --- the alert ------------------------------------------------------------------------------


def alert_message(record: VitalSignsRecord) -> str:
    target = record.target
    return (f"{_protected_prefix(target)}{target.name} looks wiped or reset: "
            f"{'; '.join(record.titles)}. SEV1 incident opened.")


def enqueue_alert(record_id: int) -> None:
    def note_failure(pk: int, reason: str) -> None:
        # an alert that cannot be queued never fails the audit
        VitalSignsRecord.objects.filter(pk=pk).update(last_error=reason[:4000])

    queueing.send(DELIVER_TASK, record_id, what="catastrophe alert", fail=note_failure)


def deliver_alert(record_id: int, *, final_attempt: bool = False) -> str:
    from audits.alerts.delivery import deliver_on_channels

    record = (VitalSignsRecord.objects.select_related("target", "incident", "run")
              .filter(pk=record_id).first())
    if record is None or not record.opened_incident:
        return "gone"
    target = record.target
    message = alert_message(record)

    def email() -> None:
        incident = record.incident.slug if record.incident else "(deleted)"
        email_target(target, f"[Driftwatch] SEV1: {message}"[:200],
                     f"{message}\n\nAudit #{record.run.number} of {target.name}; "
                     f"incident {incident}.")

    def webhook() -> None:
        post_to_target_webhook(target, webhook_body(record, message))

    return deliver_on_channels(VitalSignsRecord, record, target, email=email, webhook=webhook,
                               final_attempt=final_attempt)


def webhook_body(record: VitalSignsRecord, message: str) -> bytes:
    payload = {
        "text": f"Driftwatch: {message}",
        "event": "catastrophe",
        "target": record.target.slug,
        "protected": record.target.protected,
        "detections": [item.get("kind") for item in record.detections],
        "incident": record.incident.slug if record.incident else None,
        "run": record.run_id,
    }
    return json.dumps(payload, sort_keys=True).encode()


# --- the chart ------------------------------------------------------------------------------

CHART_LENGTH = 30


def recent_points(target: Target, limit: int = CHART_LENGTH) -> list[dict[str, Any]]:
    """The target's last ``limit`` records, oldest first, for the vital-signs chart."""
    records = (VitalSignsRecord.objects.filter(target=target).select_related("run")
               .only("run__id", "run__number", "total_rows", "table_count", "healthy",
                     "created_at")
               .order_by("-id")[:limit])
    return [record.as_point() for record in reversed(records)]


def latest(target: Target) -> VitalSignsRecord | None:
    return (VitalSignsRecord.objects.filter(target=target).select_related("incident", "run")
            .order_by("-id").first())


def open_detection_incident(target: Target) -> Incident | None:
    found = (VitalSignsRecord.objects.filter(target=target, healthy=False)
             .exclude(incident__isnull=True).exclude(incident__status=Status.RESOLVED)
             .select_related("incident").order_by("-id").first())
    return found.incident if found is not None else None
