"""Ctrl-C on bin/start stops the Celery worker promptly: the script sends the worker QUIT (a cold
shutdown with a short soft shutdown for running tasks), not only TERM, whose warm shutdown waits
for a running audit up to its time limit."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parent.parent
START = (REPO / "bin" / "start").read_text()


def stop_function() -> str:
    match = re.search(r"^stop\(\) \{\n(.*?)^\}", START, re.S | re.M)
    assert match, "bin/start has no stop() function"
    return match.group(1)


def test_stop_sends_the_worker_quit_and_the_others_term() -> None:
    stop = stop_function()
    assert 'kill -QUIT "$worker_pid"' in stop
    assert 'kill -TERM "$web_pid" "$beat_pid"' in stop
    assert "trap stop EXIT INT TERM" in START
    assert "kill -KILL" in stop  # whatever outlives the wait is ended


def test_running_tasks_get_a_short_soft_shutdown() -> None:
    assert 0 < settings.CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT <= 5


@pytest.mark.slow
def test_a_worker_stops_within_seconds_of_ctrl_c(tmp_path: Path) -> None:
    """The worker bin/start runs, given what a terminal's Ctrl-C and stop() send it."""
    env = {**os.environ, "DRIFTWATCH_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "CELERY_BROKER_URL": "filesystem://localhost/"}
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO",
             "--concurrency=1"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while b" ready." not in log.read_bytes():
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        started = time.monotonic()
        worker.send_signal(signal.SIGINT)  # the terminal's Ctrl-C reaches the worker too
        worker.send_signal(signal.SIGQUIT)  # stop()
        worker.wait(timeout=20)
        assert time.monotonic() - started < 10
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
