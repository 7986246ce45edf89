"""Audit knobs, read from settings when present, else from the environment, else defaults.

Kept here rather than in config/settings.py so the audits app owns its own tuning.
"""

from __future__ import annotations

import os

from django.conf import settings


def _int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return int(value)


def audit_time_limit() -> int:
    """Seconds after which Celery kills the task running one audit."""
    return _int("DRIFTWATCH_AUDIT_TIME_LIMIT", 600)


def audit_soft_time_limit() -> int:
    """Seconds after which the task is asked to stop (it then fails the run cleanly)."""
    return _int("DRIFTWATCH_AUDIT_SOFT_TIME_LIMIT", 540)


def stale_margin() -> int:
    """Extra seconds beyond the hard limit before a `running` run is declared abandoned."""
    return _int("DRIFTWATCH_STALE_MARGIN", 60)


def queued_limit() -> int:
    """Seconds a run may wait in the queue before the sweep declares its message lost."""
    return _int("DRIFTWATCH_QUEUED_LIMIT", 1800)


def connect_timeout() -> int:
    return _int("DRIFTWATCH_CONNECT_TIMEOUT", 10)


def statement_timeout_ms() -> int:
    return _int("DRIFTWATCH_STATEMENT_TIMEOUT_MS", 60_000)


def lock_timeout_ms() -> int:
    return _int("DRIFTWATCH_LOCK_TIMEOUT_MS", 5_000)
