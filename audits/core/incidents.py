"""How audit features write to the recovery log (recovery never imports audits)."""

from __future__ import annotations

from typing import Any

from recovery import services as recovery_services
from recovery.models import EntryKind, Incident, Status

from .models import Target


def open_incidents(target: Target) -> list[Incident]:
    return list(target.incidents.exclude(status=Status.RESOLVED))


def log_on_open_incidents(
    target: Target, body: str, *, kind: str, author: Any = None, **extra: Any
) -> int:
    """One timeline entry on each open incident linked to the target; returns how many."""
    incidents = open_incidents(target)
    for incident in incidents:
        recovery_services.log_step(incident, body=body, author=author, kind=kind, **extra)
    return len(incidents)


__all__ = ["EntryKind", "log_on_open_incidents", "open_incidents"]
