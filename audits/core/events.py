"""The one event of the audit flow: an audit finished and its result is stored.

The audit service sends it once per succeeded run, after the run's transaction committed; the
features that react to an audit (alerts, endpoint verdicts, the migration history...) connect
to it in ``AuditsConfig.ready()``, in that order. The audit service imports none of them.

A receiver must not break the audit or the receivers after it: an exception is logged (without
its locals, which may hold a database URL) and the next receiver still runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.dispatch import Signal

if TYPE_CHECKING:
    from audits.engine import model as engine_model
    from audits.engine.vitals.model import VitalSigns

    from .models import AuditRun

log = logging.getLogger(__name__)

audit_finished = Signal()


@dataclass(frozen=True)
class AuditFinished:
    """What a receiver gets as ``event``: the stored run and what it was computed from."""

    run: AuditRun  # succeeded, with its findings and model statuses stored
    previous: AuditRun | None  # the target's previous succeeded run, if any
    expected: engine_model.Schema
    actual: engine_model.Schema
    report: engine_model.Report
    counts: dict[str, int]  # findings per severity
    vitals: VitalSigns | None = None  # the database's vital signs, read in the same session

    @property
    def worst_status(self) -> str:
        return self.run.worst_status

    @property
    def changed(self) -> bool:
        """Whether anything differs from the previous succeeded run: its findings, its model
        statuses, or the schema it was audited against. A receiver whose work depends only on
        those (and on inputs it can check itself) may skip an unchanged run: a fleet audited
        every few minutes is mostly unchanged runs."""
        changes: dict[str, Any] = self.run.changes or {}
        if self.previous is None:
            return True
        if self.run.schema_version_id != self.previous.schema_version_id:
            return True
        return bool(changes.get("new") or changes.get("resolved") or changes.get("flipped"))


def announce(event: AuditFinished) -> None:
    """Send the event to every receiver; one failing receiver never stops the others."""
    for receiver, result in audit_finished.send_robust(sender=AuditFinished, event=event):
        if isinstance(result, Exception):
            name = getattr(receiver, "__qualname__", repr(receiver))
            log.error("audit-finished receiver %s failed for run %s: %s", name, event.run.pk,
                      type(result).__name__)
