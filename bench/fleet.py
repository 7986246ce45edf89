"""How many audits does one Celery worker process do per minute on a fleet of real-sized
targets, and what does Driftwatch add on top of the engine? (a benchmark, not a test)

    .venv/bin/python bench/fleet.py --targets 200 [--rounds 2] [--format json]
        [--engine-runs 30] [--admin-dsn postgresql://postgres@127.0.0.1:5432/postgres]
        [--redis-db 13]

1. Builds one PostgreSQL database from langfuse's migrations
   (``../shared/fixtures/real-world/langfuse/migrations``, 434 of them, statement by statement),
   copies it ``--targets`` times with ``CREATE DATABASE ... TEMPLATE`` and drifts every
   ``--drift-every``-th copy (a dropped column, a dropped table, an extra NOT NULL column, in
   turn).
2. Creates a scratch Driftwatch database on the same server, migrates it and registers every
   copy as a target with langfuse's ``schema.prisma`` (an encrypted URL each, as the form does).
3. Starts one Celery worker process (``--concurrency 1``, prefork, as in docker-compose) on
   Redis database ``--redis-db`` (it must be empty: the benchmark empties it at the end), queues
   one audit per target at once (``request_audit``, as the scheduler does) and waits until none
   is queued or running; ``--rounds`` times over (default 2). The first round is each target's
   first audit, which stores everything; the later rounds are what a fleet on a schedule does
   all day: periodic audits of targets whose schema and drift have not changed since their
   last audit. The goal is judged on the last round; the first round is reported beside it.
4. Times the engine alone on the first copy, in this process: introspect + compare
   (``audit_database``) with the schema parsed and lowered once beforehand; then the engine
   once on every copy in turn (catalogs out of shared buffers, as the worker meets them).

It prints, per round, audits per minute (the round's audits over the wall time from the first
queued to the last finished) and the median audit (the worker's own time for the task: claim,
audit, everything stored and the work after it); how many failed in all rounds; and the
engine's median. With ``--format json`` the last line is ``{"targets", "rounds", "audits",
"failed", "seconds", "audits_per_minute", "audit_ms_median", "engine_ms_median",
"engine_ms_median_all_copies", "first_round"}``: ``audits``, ``seconds``,
``audits_per_minute`` and ``audit_ms_median`` are the last round's, ``first_round`` holds the
same four for the first.

Every database it creates is named after Driftwatch's own database in ``DATABASE_URL`` (e.g.
``dw_h18_fleet_t0001`` for ``.../dw_h18``; ``dw_bench_fleet...`` otherwise) and is dropped at
the end, also on failure or Ctrl-C, with the worker and the Redis database's keys; with
``--keep`` the langfuse databases stay for the next run (which reuses them; a run without
``--keep`` drops them).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("DRIFTWATCH_SHARED", REPO.parent / "shared"))
LANGFUSE = SHARED / "fixtures" / "real-world" / "langfuse"
sys.path.insert(0, str(REPO))
# The worker's line for each finished task: "Task audits.run_audit[id] succeeded in 0.18s: ..."
TASK_LINE = re.compile(r"Task audits\.run_audit\[[^\]]+\] (succeeded|raised\w*)"
                       r"(?: in ([0-9.]+)s: '?(\w+)'?)?")
# Drifts applied in turn to every --drift-every-th copy: what a hand edit or a lost migration does.
DRIFTS = (
    'ALTER TABLE "datasets" DROP COLUMN "description" CASCADE',
    'DROP TABLE "comments" CASCADE',
    'ALTER TABLE "users" ADD COLUMN "nickname" text NOT NULL DEFAULT \'\'',
    'ALTER TABLE "projects" ALTER COLUMN "name" DROP NOT NULL',
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=200)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--rounds", type=int, default=2,
                        help="audit every target this many times: the first audits, then "
                             "periodic ones (default 2)")
    parser.add_argument("--engine-runs", type=int, default=30)
    parser.add_argument("--drift-every", type=int, default=20)
    parser.add_argument("--admin-dsn", default=os.environ.get(
        "BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="give up waiting for the audits after this many seconds")
    parser.add_argument("--keep", action="store_true",
                        help="keep the target databases for the next run (each DROP DATABASE "
                             "forces a checkpoint: 200 of them take minutes); a run without "
                             "--keep drops them")
    args = parser.parse_args()
    if args.targets < 1 or args.rounds < 1:
        parser.error("--targets and --rounds must be at least 1")

    fleet = Fleet(args.admin_dsn, _name_prefix(), f"{args.redis}/{args.redis_db}", args.keep)
    say = (lambda text: print(text, file=sys.stderr)) if args.format == "json" else print
    load_before = os.getloadavg()
    try:
        result = fleet.run(args.targets, args.drift_every, args.engine_runs, args.timeout, say,
                           rounds=args.rounds)
    finally:
        fleet.clean_up()
    load_after = os.getloadavg()
    say(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    first = result["first_round"]
    say(f"targets {result['targets']}, rounds {result['rounds']}, failed {result['failed']} "
        "(all rounds)")
    say(f"first audits: {first['audits']} in {first['seconds']:.1f} s, "
        f"{first['audits_per_minute']:.0f} per minute, median {first['audit_ms_median']:.1f} ms")
    if result["rounds"] > 1:
        say(f"periodic audits (last round): {result['audits']} in {result['seconds']:.1f} s")
    say(f"audits per minute (one worker process): {result['audits_per_minute']:.0f}")
    say(f"median audit (claim to stored, worker's task time): {result['audit_ms_median']:.1f} ms")
    say(f"engine median (introspect + compare, parse cached): {result['engine_ms_median']:.1f} ms"
        f"  -> audit / engine = "
        f"{result['audit_ms_median'] / max(result['engine_ms_median'], 0.001):.2f}x")
    say(f"engine median across all copies, once each (catalogs out of shared buffers): "
        f"{result['engine_ms_median_all_copies']:.1f} ms  -> audit / engine = "
        f"{result['audit_ms_median'] / max(result['engine_ms_median_all_copies'], 0.001):.2f}x")
    if args.format == "json":
        print(json.dumps(result))


def _round(audits: int, seconds: float, times: list[float]) -> dict[str, Any]:
    return {"audits": audits, "seconds": round(seconds, 3),
            "audits_per_minute": round(audits / seconds * 60, 1),
            "audit_ms_median": round(statistics.median(times) * 1000, 1) if times else 0.0}


def _name_prefix() -> str:
    """``<Driftwatch's own database>_fleet``, so parallel users of one server never collide."""
    url = os.environ.get("DATABASE_URL", "")
    base = "dw_bench"
    if url.startswith(("postgres://", "postgresql://")):
        base = str(conninfo_to_dict(url).get("dbname") or base)
    return f"{base}_fleet"


class Fleet:
    def __init__(self, admin_dsn: str, prefix: str, broker_url: str, keep: bool = False) -> None:
        self.admin_dsn = admin_dsn
        self.keep = keep
        self.prefix = prefix
        self.broker_url = broker_url
        self.databases: list[str] = []  # created by us, dropped by clean_up
        self.worker: subprocess.Popen[bytes] | None = None
        self.var_dir = Path(tempfile.mkdtemp(prefix="dw-fleet-"))
        self.log_path = self.var_dir / "worker.log"
        self.redis_used = False
        self._expected: Any = None  # langfuse's schema, parsed once for the engine's timings

    def dsn(self, database: str) -> str:
        """The admin URL with another database: a URL, which targets and Django both need."""
        return urlunsplit(urlsplit(self.admin_dsn)._replace(path=f"/{database}"))

    # -- the run ---------------------------------------------------------------------------

    def run(self, targets: int, drift_every: int, engine_runs: int, timeout: float,
            say: Any, rounds: int = 2) -> dict[str, Any]:
        self._check_redis_empty()
        started = time.perf_counter()
        source, migrations = self._build_source()
        say(f"source database from {migrations} migrations: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        copies, drifted = self._copy(source, targets, drift_every)
        say(f"{targets} copies ({drifted} drifted): {time.perf_counter() - started:.1f} s")
        self._setup_driftwatch()
        ids = self._register(copies)
        self._start_worker()
        measured, task_failures = [], 0
        for _ in range(rounds):
            log_start = len(self.log_path.read_bytes())
            seconds = self._audit_all(ids, timeout)
            times, failures = self._task_times(log_start, len(ids))
            task_failures += failures
            measured.append(_round(len(ids), seconds, times))
        self._stop_worker()
        failed = self._failed_runs() + task_failures
        engine = self._engine_median(copies[0], engine_runs)
        engine_across = self._engine_median_across(copies)
        return {
            "targets": targets,
            "rounds": rounds,
            **measured[-1],
            "failed": failed,
            "engine_ms_median": round(engine, 1),
            "engine_ms_median_all_copies": round(engine_across, 1),
            "first_round": measured[0],
        }

    def _check_redis_empty(self) -> None:
        import redis

        client = redis.Redis.from_url(self.broker_url)
        if client.dbsize():
            raise SystemExit(f"{self.broker_url} is not empty; pick an unused --redis-db "
                             "(the benchmark empties its database at the end)")
        self.redis_used = True

    def _create(self, name: str, template: str | None = None) -> bool:
        """Create ``name``; with --keep, one kept from an earlier run is reused (False)."""
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            self.databases.append(name)
            if self.keep and conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s AND "
                    "shobj_description(oid, 'pg_database') = 'complete'", (name,)).fetchone():
                return False
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"'
                         + (f' TEMPLATE "{template}"' if template else ""))
        return True

    def _complete(self, name: str) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f"COMMENT ON DATABASE \"{name}\" IS 'complete'")

    def _build_source(self) -> tuple[str, int]:
        from audits.engine.history.folder import read_folder
        from audits.engine.history.statements import split_statements

        name = f"{self.prefix}_src"
        folder = read_folder(LANGFUSE / "migrations")
        if self._create(name):
            with psycopg.connect(self.dsn(name), autocommit=True) as conn:
                for migration in folder.migrations:  # as psql -f would: statement by statement
                    for statement in split_statements(migration.text):
                        conn.execute(statement.sql.encode())
            self._complete(name)
        return name, len(folder.migrations)

    def _copy(self, source: str, count: int, every: int) -> tuple[list[str], int]:
        """The copies, every ``every``-th one drifted; how many are drifted."""
        names = [f"{self.prefix}_t{number:04d}" for number in range(count)]
        for number, name in enumerate(names):
            if self._create(name, template=source):
                if every > 0 and (number + 1) % every == 0:
                    with psycopg.connect(self.dsn(name), autocommit=True) as conn:
                        conn.execute(DRIFTS[(number // every) % len(DRIFTS)])
                self._complete(name)
        return names, count // every if every > 0 else 0

    def _setup_driftwatch(self) -> None:
        name = f"{self.prefix}_app"
        self._create(name)
        os.environ["DATABASE_URL"] = self.dsn(name)
        os.environ["CELERY_BROKER_URL"] = self.broker_url
        os.environ["DRIFTWATCH_VAR_DIR"] = str(self.var_dir)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)

    def _register(self, copies: list[str]) -> list[int]:
        from audits.targets import services

        schema = {"schema.prisma": (LANGFUSE / "schema.prisma").read_text(encoding="utf-8")}
        ids = []
        for name in copies:
            target = services.create_target(name=name, slug=name.replace("_", "-"),
                                            dsn=self.dsn(name), schema_files=schema,
                                            interval_minutes=24 * 60)
            ids.append(target.pk)
        return ids

    def _start_worker(self) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1",
                   "--loglevel=INFO", "--without-gossip", "--without-mingle",
                   "--without-heartbeat", "-n", f"fleet-{os.getpid()}@%h"]
        with self.log_path.open("wb") as log:
            self.worker = subprocess.Popen(command, cwd=REPO, env=env, stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while " ready." not in self.log_path.read_text(errors="replace"):
            if self.worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the worker did not start:\n" + self.log_path.read_text())
            time.sleep(0.1)

    def _audit_all(self, target_ids: list[int], timeout: float) -> float:
        from audits.core.models import AuditRun, Target
        from audits.targets import services

        started = time.perf_counter()
        for target in Target.objects.filter(pk__in=target_ids):
            services.request_audit(target, trigger="schedule")
        deadline = time.monotonic() + timeout
        while AuditRun.objects.filter(status__in=("queued", "running")).exists():
            if time.monotonic() > deadline:
                raise SystemExit(f"audits still queued or running after {timeout:.0f} s")
            if self.worker is not None and self.worker.poll() is not None:
                raise SystemExit("the worker died:\n" + self.log_path.read_text()[-4000:])
            time.sleep(0.05)
        return time.perf_counter() - started

    def _task_times(self, log_start: int, expected: int) -> tuple[list[float], int]:
        """The task times logged since byte ``log_start``, and how many tasks failed; the
        worker may log the last lines a moment after the runs are stored."""
        deadline = time.monotonic() + 10
        while True:
            text = self.log_path.read_bytes()[log_start:].decode(errors="replace")
            matches = list(TASK_LINE.finditer(text))
            if len(matches) >= expected or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        times, failures = [], 0
        for match in matches:
            if match.group(1) != "succeeded":
                failures += 1
            elif match.group(2):
                times.append(float(match.group(2)))
        return times, failures

    def _failed_runs(self) -> int:
        from audits.core.models import AuditRun

        return AuditRun.objects.exclude(status="succeeded").count()

    def _engine_median(self, database: str, runs: int) -> float:
        durations = []
        for number in range(runs + 3):  # three untimed warm-up runs
            duration = self._engine_once(database)
            if number >= 3:
                durations.append(duration)
        return statistics.median(durations)

    def _engine_median_across(self, databases: list[str]) -> float:
        """The engine once on every copy in turn, after the worker's pass: each copy's catalog is
        read by a new server process and is mostly out of shared buffers (200 copies' catalogs
        do not fit in 128 MB), which one copy read again and again never shows. The worker met
        them colder still (first read since the copy was made or last evicted)."""
        return statistics.median(self._engine_once(database) for database in databases)

    def _engine_once(self, database: str) -> float:
        from audits.core import conf
        from audits.engine.audit import audit_database, expected_schema

        if self._expected is None:
            self._expected = expected_schema({"schema.prisma": (
                LANGFUSE / "schema.prisma").read_text(encoding="utf-8")})
        started = time.perf_counter()
        audit_database(self._expected, self.dsn(database),
                       connect_timeout_s=conf.connect_timeout(),
                       statement_timeout_ms=conf.statement_timeout_ms(),
                       lock_timeout_ms=conf.lock_timeout_ms())
        return (time.perf_counter() - started) * 1000

    def _stop_worker(self) -> None:
        worker, self.worker = self.worker, None
        if worker is None or worker.poll() is not None:
            return
        os.killpg(worker.pid, signal.SIGTERM)  # its own session: the pool child goes too
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()

    # -- removing what it created -----------------------------------------------------------

    def clean_up(self) -> None:
        with suppress(Exception):
            self._stop_worker()
        with suppress(Exception):
            from django.db import connections

            connections.close_all()
        app = f"{self.prefix}_app"
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            for name in reversed(self.databases):
                if name == app or not self.keep:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if self.redis_used:
            import redis

            redis.Redis.from_url(self.broker_url).flushdb()  # it was empty when we began
        for path in sorted(self.var_dir.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        self.var_dir.rmdir()


if __name__ == "__main__":
    main()
