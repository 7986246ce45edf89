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


def path_roots() -> list[str]:
    """The folders a target's schema, code and migrations paths must lie under.

    DRIFTWATCH_PATH_ROOTS, separated by ":" like PATH; default the var dir and the bundled demo
    folder (audits/seed, found by path: production code does not import the demo).
    """
    value = getattr(settings, "DRIFTWATCH_PATH_ROOTS", None)
    if value is None:
        value = os.environ.get("DRIFTWATCH_PATH_ROOTS")
    if value is None:
        seed = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "seed")
        return [str(settings.VAR_DIR), seed]
    if isinstance(value, str):
        value = value.split(":")
    return [str(item) for item in value if str(item).strip()]


def max_file_bytes() -> int:
    """The largest schema file (and schema folder) the workers and the CLI read for a target.
    Parsing, validating and lowering are linear (bench/hostile_input.py: a 10 MB schema of
    37,000 models, 9.8 s of CPU and 413 MB peak), so 16 MiB bounds one audit's schema to
    about 16 s and 700 MB; real schemas stay far below 1 MiB."""
    return _int("DRIFTWATCH_MAX_FILE_BYTES", 16 * 1024 * 1024)


def max_upload_bytes() -> int:
    """The largest schema file the web form accepts: the form parses and validates it inside
    the request (about a second of CPU per MiB), so this stays well inside gunicorn's timeout;
    a larger schema goes through a schema path, which the worker reads."""
    return _int("DRIFTWATCH_MAX_UPLOAD_BYTES", 2 * 1024 * 1024)


def target_hosts() -> list[str]:
    """DRIFTWATCH_TARGET_HOSTS: the hosts (or host:port, or *.domain) targets may live on;
    empty means any host (Driftwatch's own database is refused whatever this says)."""
    value = getattr(settings, "DRIFTWATCH_TARGET_HOSTS", None)
    if value is None:
        value = os.environ.get("DRIFTWATCH_TARGET_HOSTS", "")
    if isinstance(value, str):
        value = value.split(",")
    return [str(item).strip() for item in value if str(item).strip()]
