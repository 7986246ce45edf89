"""Audit knobs, read from settings when present, else from the environment, else defaults.

Kept here rather than in config/settings.py so the audits app owns its own tuning.
"""

from __future__ import annotations

import os

from django.conf import settings


def _setting(name: str, default: object) -> object:
    value = getattr(settings, name, None)
    return os.environ.get(name, default) if value is None else value


def _int(name: str, default: int) -> int:
    return int(str(_setting(name, default)))


def _float(name: str, default: float) -> float:
    return float(str(_setting(name, default)))


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


def heartbeat_interval() -> float:
    """Seconds between two heartbeats of a running audit or rescan (see core.queueing)."""
    return _float("DRIFTWATCH_HEARTBEAT_SECONDS", 5.0)


def heartbeat_timeout() -> float:
    """Seconds without a heartbeat after which the sweep declares the worker lost. With the
    sweep every 20 s (DRIFTWATCH_SWEEP_SECONDS), a dead worker's run is failed within a minute
    of its last heartbeat."""
    return _float("DRIFTWATCH_HEARTBEAT_TIMEOUT", 40.0)


def connect_timeout() -> int:
    return _int("DRIFTWATCH_CONNECT_TIMEOUT", 10)


def statement_timeout_ms() -> int:
    return _int("DRIFTWATCH_STATEMENT_TIMEOUT_MS", 60_000)


def lock_timeout_ms() -> int:
    return _int("DRIFTWATCH_LOCK_TIMEOUT_MS", 5_000)
