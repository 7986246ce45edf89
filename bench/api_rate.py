#!/usr/bin/env python
"""The endpoints API under one client on loopback: >= 100 requests/s for 10 s, no error.

1. creates (fresh each run) the PostgreSQL database ``dw_bench_api`` for Driftwatch's own data,
   migrates it and loads the demo (``manage.py demo``: the seed targets, audited, with their
   endpoints), under a temporary DRIFTWATCH_VAR_DIR;
2. creates a read-only API token for the demo's mobile user;
3. starts gunicorn on 127.0.0.1 (a free port; gthread workers, so the client keeps its
   connection alive as a CI job's HTTP client would);
4. one client (one thread, one keep-alive connection) sends
   ``GET /api/v1/targets/<slug>/endpoints`` paced at --rate for --seconds (a bounded loop:
   at most rate x seconds requests, and it stops at the deadline), checks each response
   (200, JSON, the demo's endpoint count) and reports the achieved rate, p50/p95/max latency
   and the error count;
5. stops gunicorn and drops the database. Exit 1 if any error or the rate is under --min-rate.

Run: .venv/bin/python bench/api_rate.py [--rate 150] [--seconds 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import free_port, percentile, wait_listening  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ADMIN = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB", "dw_bench_api")
SLUG = "marketplace-sqlite"  # the demo's zero-setup target (always there)


def database_url() -> str:
    return ADMIN.rsplit("/", 1)[0] + f"/{DB_NAME}"


def recreate_database() -> None:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=REPO, env=env, check=True,
                          capture_output=True, text=True)
    return done.stdout


TOKEN_CODE = """
from django.contrib.auth.models import User
from audits.api import tokens
print(tokens.create_token(User.objects.get(username="mobile"), name="bench")[1])
"""


def one_client(port: int, token: str, rate: float, seconds: float,
               expected_count: int) -> tuple[list[float], int, float, list[str]]:
    """Paced requests on one keep-alive connection; returns latencies (s), errors, elapsed."""
    path = f"/api/v1/targets/{SLUG}/endpoints"
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    latencies: list[float] = []
    errors: list[str] = []
    interval = 1.0 / rate
    limit = int(rate * seconds)
    start = time.perf_counter()
    deadline = start + seconds
    for index in range(limit):  # bounded: never more than rate x seconds requests
        due = start + index * interval
        now = time.perf_counter()
        if now >= deadline:
            break
        if due > now:
            time.sleep(due - now)
        sent = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            latencies.append(time.perf_counter() - sent)
            if response.status != 200:
                errors.append(f"HTTP {response.status}")
            elif len(json.loads(body)["endpoints"]) != expected_count:
                errors.append("wrong endpoint count")
        except (OSError, http.client.HTTPException, ValueError) as exc:
            errors.append(type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    elapsed = time.perf_counter() - start
    conn.close()
    return latencies, len(errors), elapsed, errors[:5]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=150.0,
                        help="requests per second to send (headroom over the 100 required)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread", choices=("gthread", "sync"),
                        help="sync workers close the connection after each response")
    parser.add_argument("--min-rate", type=float, default=100.0)
    parser.add_argument("--keep-db", action="store_true", help="do not drop dw_bench_api")
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="dw_bench_api_")
    env = {**os.environ, "DATABASE_URL": database_url(), "DRIFTWATCH_VAR_DIR": var_dir,
           "DEBUG": "0", "DATABASE_CONN_MAX_AGE": "600", "LOG_LEVEL": "WARNING",
           # Production settings refuse to start without a strong key of their own.
           "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(64)}
    recreate_database()
    gunicorn = None
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "demo")
        token = manage(env, "shell", "-c", TOKEN_CODE).strip().splitlines()[-1]
        expected = int(manage(env, "shell", "-c",
                              "from audits.models import Endpoint; print(Endpoint.objects"
                              f".filter(target__slug='{SLUG}').count())").split()[-1])
        port = free_port()
        gunicorn = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "config.wsgi", "--bind",
             f"127.0.0.1:{port}", "--workers", str(args.workers),
             "--worker-class", args.worker_class, "--threads", str(args.threads),
             "--log-level", "warning"],
            cwd=REPO, env=env)
        wait_listening(port, gunicorn, timeout=30.0)
        one_client(port, token, 20, 0.5, expected)  # warm-up: imports, connections
        latencies, errors, elapsed, samples = one_client(port, token, args.rate, args.seconds,
                                                         expected)
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
        if not args.keep_db:
            drop_database()
    achieved = len(latencies) / elapsed if elapsed else 0.0
    print(f"GET /api/v1/targets/{SLUG}/endpoints ({expected} endpoints) via gunicorn "
          f"({args.workers} {args.worker_class} workers x {args.threads} threads), PostgreSQL, "
          f"one client on loopback")
    print(f"requests {len(latencies)} in {elapsed:.2f} s -> {achieved:.1f} req/s "
          f"(paced at {args.rate:g}/s)")
    print(f"latency p50 {statistics.median(latencies) * 1000:.2f} ms, "
          f"p95 {percentile(latencies, 0.95) * 1000:.2f} ms, "
          f"max {max(latencies) * 1000:.2f} ms")
    print(f"errors {errors}" + (f" (e.g. {', '.join(samples)})" if samples else ""))
    return 0 if errors == 0 and achieved >= args.min_rate else 1


if __name__ == "__main__":
    sys.exit(main())
