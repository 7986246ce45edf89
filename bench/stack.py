"""What the benchmarks that start servers share: a scratch database on the bench's PostgreSQL
server, a free port on loopback, waiting for a server to listen there, and percentiles.

Imported by the scripts as ``bench.stack`` (each puts the repository on ``sys.path`` first, as
they run as ``python bench/<script>.py``)."""

from __future__ import annotations

import socket
import subprocess
import time

import psycopg


def ensure_database(admin_dsn: str, name: str, *, rebuild: bool = False) -> str:
    """The database ``name`` on ``admin_dsn``'s server, created if missing (dropped first with
    ``rebuild``); returns its URL."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              (name,)).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return admin_dsn.rsplit("/", 1)[0] + f"/{name}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Until gunicorn (``proc``) accepts connections on ``port``; exits if it dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start listening")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]
