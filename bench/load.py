#!/usr/bin/env python
"""Driftwatch under concurrent logged-in users: req/s, p50/p95/p99 and errors.

Starts its own stack on loopback and removes it afterwards:

1. a scratch PostgreSQL database (``BENCH_DB``, default ``dw_bench_load``, dropped at the end)
   migrated and loaded with the demo (the seed incident, its two audited targets), and a scratch
   Redis database (``--redis-url``, default db 15; refused unless it starts empty, flushed at the
   end) as the Celery broker, under a temporary DRIFTWATCH_VAR_DIR;
2. ``--users`` accounts, half ``backend`` and half ``mobile`` role, each with a read-only API
   token (the password hash is computed once: creating the accounts is not what is measured);
3. gunicorn with production settings (DEBUG off, a random SECRET_KEY, ``config/gunicorn.py``,
   the configuration the Dockerfile runs) and one Celery worker (concurrency 1) that audits the
   demo targets throughout: a feeder asks for an audit of each target through the JSON API every
   second (one active run per target, so the worker is never idle);
4. every user logs in at the same moment through the login form (timed: "50 logins at once"),
   then, for ``--seconds``, walks its pages, pausing ``--think`` seconds after each: overview,
   target, endpoints, incident (with the two fragments the page loads at once), post-mortem and
   the JSON API. Each answer is checked (status 200, and the page it should be, not a login
   form); anything else is an error.

Prints the logins' time, req/s, p50/p95/p99 per page and overall, and the errors; with
``--format json`` the last line is ``{"requests", "errors", "rps", "p50_ms", "p99_ms"}`` (plus
p95, the logins' time and the load average). Exit 1 on any error.

Run: .venv/bin/python bench/load.py --users 50 --seconds 20 [--think 1.0] [--format json]
Other engineers' jobs on the same cores move the figures: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import free_port, percentile, wait_listening  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
ADMIN = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB", "dw_bench_load")
DEMO_TARGET_DB = "driftwatch_demo_target"  # audits.demo.PG_DATABASE: the demo's own target
INCIDENT = "prisma-migrate-reset-production"  # recovery.demo.DEMO_SLUG
TARGETS = ("marketplace-production", "marketplace-sqlite")  # audits.demo's two targets
REQUEST_TIMEOUT = 30.0
# Each login hashes the password (PBKDF2, about 0.9 s of one core here): fifty at once queue for
# the cores, so the login requests get a longer timeout than the pages.
LOGIN_TIMEOUT = 300.0
WARM_UP_WALKS = 4  # per role, before the measurement: enough to reach every gunicorn process

SETUP_CODE = """
import json, os
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from audits.api import tokens
from config.roles import BACKEND_GROUP, MOBILE_GROUP
count, password = int(os.environ["BENCH_USERS"]), os.environ["BENCH_PASSWORD"]
hashed = make_password(password)  # once: every account shares it, creating them is not measured
groups = {"backend": Group.objects.get_or_create(name=BACKEND_GROUP)[0],
          "mobile": Group.objects.get_or_create(name=MOBILE_GROUP)[0]}
users = []
for n in range(count):
    role = "backend" if n % 2 == 0 else "mobile"
    user = User.objects.create(username=f"bench-{role}-{n:03d}", password=hashed)
    user.groups.add(groups[role])
    users.append({"username": user.username, "role": role,
                  "token": tokens.create_token(user, name="bench")[1]})
feeder = User.objects.get(username="bench-backend-000")
writer = tokens.create_token(feeder, name="bench feeder", read_only=False)[1]
print(json.dumps({"users": users, "writer": writer}))
"""


# --- the stack ------------------------------------------------------------------------------


def database_url(name: str) -> str:
    return ADMIN.rsplit("/", 1)[0] + f"/{name}"


def database_exists(name: str) -> bool:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            (name,)).fetchone() is not None


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=REPO, env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"manage.py {args[0]} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM to the process group (gunicorn's or celery's workers too), SIGKILL if it lingers."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextmanager
def stack(args: argparse.Namespace) -> Iterator[tuple[int, dict[str, object]]]:
    """Database, broker, accounts, gunicorn and a worker; everything removed on the way out."""
    broker = redis.Redis.from_url(args.redis_url)
    if broker.dbsize():
        raise SystemExit(f"{args.redis_url} is not empty: pick a free Redis database number")
    if database_exists(DB_NAME):
        raise SystemExit(f"database {DB_NAME} exists: another run? drop it or set BENCH_DB")
    demo_target_existed = database_exists(DEMO_TARGET_DB)
    var_dir = tempfile.mkdtemp(prefix="dw_bench_load_")
    env = {**os.environ, "DATABASE_URL": database_url(DB_NAME), "DRIFTWATCH_VAR_DIR": var_dir,
           "CELERY_BROKER_URL": args.redis_url, "DEBUG": "0", "LOG_LEVEL": "WARNING",
           "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
           "CSRF_TRUSTED_ORIGINS": "http://127.0.0.1"}
    web = worker = None
    log = None
    try:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "demo")
        password = secrets.token_urlsafe(16)
        accounts = json.loads(manage({**env, "BENCH_USERS": str(args.users),
                                      "BENCH_PASSWORD": password},
                                     "shell", "-c", SETUP_CODE).strip().splitlines()[-1])
        accounts["password"] = password
        port = free_port()
        gunicorn = [str(BIN / "gunicorn"), "config.wsgi", "-c", "config/gunicorn.py",
                    "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
        if args.workers:
            gunicorn += ["--workers", str(args.workers)]
        if args.threads:
            gunicorn += ["--threads", str(args.threads)]
        # the servers' output, shown on failure; closed in the finally below
        log = Path(var_dir, "stack.log").open("w")  # noqa: SIM115
        web = subprocess.Popen(gunicorn, cwd=REPO, env=env, start_new_session=True,
                               stdout=log, stderr=subprocess.STDOUT)
        worker = subprocess.Popen(
            [str(BIN / "celery"), "-A", "config", "worker", "--concurrency", "1",
             "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=REPO, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_listening(port, web)
        except SystemExit as exc:
            raise SystemExit(f"{exc}\n{Path(var_dir, 'stack.log').read_text()[-3000:]}") from None
        accounts["meter"] = CpuMeter(web.pid, worker.pid)
        yield port, accounts
        accounts["audits"] = manage(env, "shell", "-c", (
            "from audits.core.models import AuditRun; "
            "print(AuditRun.objects.filter(trigger='api', status='succeeded').count())"
        )).strip().splitlines()[-1]
    finally:
        stop(web)
        stop(worker)
        if log is not None:
            log.close()
        drop_database(DB_NAME)
        if not demo_target_existed:
            drop_database(DEMO_TARGET_DB)
        broker.flushdb()
        shutil.rmtree(var_dir, ignore_errors=True)


# --- where the cores went -------------------------------------------------------------------


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process so far (Linux /proc); 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def group_pids(pgid: int) -> list[int]:
    """Every process of a process group: gunicorn's master and workers, celery's pool."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                pids.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return pids


def postgres_backends(database: str) -> list[int]:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        return [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,))]


class CpuMeter:
    """CPU seconds the web server, the worker, PostgreSQL (this database's backends) and this
    client spent between start() and stop(): on a shared machine, a request's cost in CPU
    moves much less with other people's load than its latency does."""

    def __init__(self, web: int, worker: int) -> None:
        self.groups = {"web": web, "worker": worker}
        self.before: dict[str, dict[int, float]] = {}
        self.spent: dict[str, float] = {}

    def _snapshot(self) -> dict[str, dict[int, float]]:
        pids = {name: group_pids(pgid) for name, pgid in self.groups.items()}
        pids["postgres"] = postgres_backends(DB_NAME)
        return {name: {pid: process_cpu(pid) for pid in group} for name, group in pids.items()}

    def start(self) -> None:
        self.before = self._snapshot()
        self.client_before = time.process_time()

    def stop(self) -> None:
        after = self._snapshot()
        for name, group in after.items():
            self.spent[name] = sum(cpu - self.before[name].get(pid, 0.0)
                                   for pid, cpu in group.items())
        self.spent["client"] = time.process_time() - self.client_before


# --- one user -------------------------------------------------------------------------------


@dataclass
class Sample:
    page: str
    seconds: float
    error: str = ""


@dataclass
class User:
    port: int
    username: str
    role: str
    token: str
    cookies: dict[str, str] = field(default_factory=dict)
    conn: http.client.HTTPConnection | None = None
    timeout: float = REQUEST_TIMEOUT

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                       timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, data, dict(response.getheaders())
        raise AssertionError("unreachable")

    def login(self, password: str) -> None:
        self.timeout = LOGIN_TIMEOUT
        status, body, _ = self.request("GET", "/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or match is None:
            raise RuntimeError(f"login form: HTTP {status}")
        form = urllib.parse.urlencode({"username": self.username, "password": password,
                                       "csrfmiddlewaretoken": match.group(1).decode()})
        status, _, headers = self.request(
            "POST", "/login/", body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login refused: HTTP {status}")
        self.timeout = REQUEST_TIMEOUT
        if self.conn is not None:
            self.conn.close()  # the pages start on a connection with the pages' timeout
            self.conn = None

    def visits(self, target: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
        """(page, [(name, path, what a good answer holds)]) in this user's walking order; the
        incident page's two fragments are fetched right after it, as the browser does."""
        incident = [
            ("incident", f"/incidents/{INCIDENT}/", "id=\"timeline\""),
            ("incident: drift panel", f"/drift/incidents/{INCIDENT}/", "</"),
            ("incident: migrations applied", f"/drift/incidents/{INCIDENT}/migrations/", "</"),
        ]
        pages = {
            "overview": [("overview", "/", "<h1>Overview</h1>")],
            "target": [("target", f"/targets/{target}/", "id=\"model-grid\"")],
            "target endpoints": [("target endpoints", f"/targets/{target}/endpoints/",
                                  "id=\"endpoint-list\"")],
            "endpoints": [("endpoints", "/endpoints/", "id=\"endpoint-list\"")],
            "incident": incident,
            "post-mortem": [("post-mortem", f"/incidents/{INCIDENT}/postmortem/",
                             "<h1>Post-mortem: ")],
            "api status": [("api status", f"/api/v1/targets/{target}/status", '"models"')],
            "api endpoints": [("api endpoints", f"/api/v1/targets/{target}/endpoints",
                               '"endpoints"')],
        }
        order = (["overview", "target", "target endpoints", "incident", "post-mortem",
                  "api status"] if self.role == "backend" else
                 ["overview", "endpoints", "target", "incident", "post-mortem",
                  "api endpoints"])
        return [(name, pages[name]) for name in order]

    def get(self, name: str, path: str, marker: str) -> Sample:
        headers = {"Authorization": f"Bearer {self.token}"} if path.startswith("/api/") else {}
        started = time.perf_counter()
        try:
            status, body, _ = self.request("GET", path, headers=headers)
        except (OSError, http.client.HTTPException) as exc:
            return Sample(name, time.perf_counter() - started, type(exc).__name__)
        elapsed = time.perf_counter() - started
        if status != 200:
            return Sample(name, elapsed, f"HTTP {status}")
        if marker.encode() not in body or b'name="password"' in body:
            return Sample(name, elapsed, "not the expected page")
        return Sample(name, elapsed)


def walk(user: User, target: str, think: float, start: float, deadline: float,
         out: list[Sample]) -> None:
    """Pages in a loop until the deadline; starts at a random point of the first pause so that
    fifty users are not in lock step."""
    visits = user.visits(target)
    rng = random.Random(user.username)
    time.sleep(max(0.0, start + rng.uniform(0, think) - time.perf_counter()))
    step = rng.randrange(len(visits))
    while time.perf_counter() < deadline:
        _, requests = visits[step % len(visits)]
        for name, path, marker in requests:
            out.append(user.get(name, path, marker))
        step += 1
        if think:
            time.sleep(think)


def feed_audits(port: int, writer: str, stop_event: threading.Event) -> None:
    """Keeps the worker auditing: asks for an audit of each demo target every second (the API
    returns the active run instead of queueing a second one)."""
    feeder = User(port, "feeder", "backend", writer)
    while not stop_event.is_set():
        for slug in TARGETS:
            with suppress(OSError, http.client.HTTPException):  # counted by the audits done
                feeder.request("POST", f"/api/v1/targets/{slug}/audits",
                               headers={"Authorization": f"Bearer {writer}"})
        stop_event.wait(1.0)


# --- the run --------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, object]:
    with stack(args) as (port, accounts):
        users = [User(port, a["username"], a["role"], a["token"])
                 for a in accounts["users"]]  # type: ignore[index]
        # 50 logins at once: all threads wait at the barrier, then post the login form.
        barrier = threading.Barrier(len(users))
        login_times: list[float] = []
        login_errors: list[str] = []

        def login(user: User) -> None:
            barrier.wait()
            started = time.perf_counter()
            try:
                user.login(str(accounts["password"]))
                login_times.append(time.perf_counter() - started)
            except (OSError, http.client.HTTPException, RuntimeError) as exc:
                login_errors.append(f"{user.username}: {exc}")

        threads = [threading.Thread(target=login, args=(u,)) for u in users]
        logins_started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        logins_wall = time.perf_counter() - logins_started
        if login_errors:
            raise SystemExit("logins failed: " + "; ".join(login_errors[:5]))

        # Warm-up, not measured: every gunicorn process compiles its templates and opens its
        # database connection on its first requests, which a server that has run a while did.
        for user in users[:2]:
            for _ in range(WARM_UP_WALKS):
                for _, requests in user.visits(TARGETS[0]):
                    for name, path, marker in requests:
                        user.get(name, path, marker)

        stop_feeding = threading.Event()
        feeder = threading.Thread(target=feed_audits,
                                  args=(port, accounts["writer"], stop_feeding))
        feeder.start()
        samples: list[list[Sample]] = [[] for _ in users]
        start = time.perf_counter()
        deadline = start + args.seconds
        walkers = [threading.Thread(target=walk, args=(
            u, TARGETS[n % len(TARGETS)], args.think, start, deadline, samples[n]))
            for n, u in enumerate(users)]
        meter: CpuMeter = accounts["meter"]  # type: ignore[assignment]
        meter.start()
        for thread in walkers:
            thread.start()
        for thread in walkers:
            thread.join()
        elapsed = time.perf_counter() - start
        meter.stop()
        stop_feeding.set()
        feeder.join()
    every = [s for per_user in samples for s in per_user]
    return {"samples": every, "elapsed": elapsed, "logins_wall": logins_wall,
            "login_times": login_times, "audits": accounts.get("audits", "?"),
            "cpu": meter.spent}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--think", type=float, default=1.0,
                        help="seconds each user pauses after each page (0: as fast as it can)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--workers", type=int, default=0,
                        help="gunicorn workers (default: config/gunicorn.py's)")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads per gunicorn worker (default: config/gunicorn.py's)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL",
                                                              "redis://127.0.0.1:6379/15"),
                        help="an empty Redis database for the broker; flushed at the end")
    args = parser.parse_args()
    if args.users < 2:
        parser.error("--users: at least 2 (half backend, half mobile)")

    result = run(args)
    samples: list[Sample] = result["samples"]  # type: ignore[assignment]
    elapsed: float = result["elapsed"]  # type: ignore[assignment]
    load = os.getloadavg()
    errors = [s for s in samples if s.error]
    times = [s.seconds * 1000 for s in samples]
    logins: list[float] = result["login_times"]  # type: ignore[assignment]
    summary = {
        "requests": len(samples), "errors": len(errors),
        "rps": round(len(samples) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(times), 1) if times else None,
        "p95_ms": round(percentile(times, 0.95), 1) if times else None,
        "p99_ms": round(percentile(times, 0.99), 1) if times else None,
        "logins_s": round(float(result["logins_wall"]), 2),  # type: ignore[arg-type]
        "load_average": [round(x, 2) for x in load],
    }
    print(f"{args.users} users ({args.users - args.users // 2} backend, {args.users // 2} "
          f"mobile), think {args.think:g} s, {args.seconds:g} s; gunicorn + PostgreSQL + Redis "
          f"+ 1 Celery worker ({result['audits']} audits done meanwhile); load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{args.users} logins at once: {result['logins_wall']:.2f} s "
          f"(each: p50 {statistics.median(logins):.2f} s, max {max(logins):.2f} s)")
    by_page: dict[str, list[float]] = defaultdict(list)
    for s in samples:
        by_page[s.page].append(s.seconds * 1000)
    print(f"{'page':30} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for page, values in sorted(by_page.items()):
        print(f"{page:30} {len(values):8d} {statistics.median(values):8.1f} "
              f"{percentile(values, 0.95):8.1f} {percentile(values, 0.99):8.1f} "
              f"{max(values):8.1f}")
    print(f"{'all':30} {len(samples):8d} {summary['p50_ms']:8} {summary['p95_ms']:8} "
          f"{summary['p99_ms']:8} {max(times):8.1f}")
    cpu: dict[str, float] = result["cpu"]  # type: ignore[assignment]
    print(f"CPU seconds in the {elapsed:.1f} s ({os.cpu_count()} cores): "
          + ", ".join(f"{name} {seconds:.1f}" for name, seconds in cpu.items())
          + (f"; web {cpu['web'] / len(samples) * 1000:.1f} ms and PostgreSQL "
             f"{cpu['postgres'] / len(samples) * 1000:.1f} ms per request" if samples else ""))
    summary["web_cpu_ms_per_request"] = (round(cpu["web"] / len(samples) * 1000, 1)
                                         if samples else None)
    print(f"{summary['rps']} req/s, {len(errors)} errors"
          + (" (e.g. " + ", ".join(sorted({f'{s.page}: {s.error}' for s in errors})[:5]) + ")"
             if errors else ""))
    if args.format == "json":
        print(json.dumps(summary))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
