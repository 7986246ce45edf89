"""Real Celery workers (separate processes) running audits of real PostgreSQL targets.

The worker uses pytest-django's test database (``test_<name>``), so the tests are
``transaction=True``: rows the test writes are committed and the worker sees them. Brokers:
Redis on 127.0.0.1:6379 (a database number of this module's own), kombu's filesystem transport
in a temporary folder, and a throwaway redis-server this module starts and stops.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from audits.core import credentials
from audits.core.models import AuditRun, Finding, Target
from audits.targets import services
from config.celery import app

pytestmark = [pytest.mark.slow, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True)]

REPO_ROOT = Path(__file__).resolve().parents[3]
# One Redis database per pytest-xdist worker: two of this module's tests run at once on two
# xdist workers, and on one database each flushed the other's queue and each test's Celery
# worker could take the other's message (a run id of the other test database).
REDIS_DB = (int(os.environ.get("DRIFTWATCH_TEST_REDIS_DB", "11"))
            + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)) % 16
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
SCHEMA = """datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id    Int    @id @default(autoincrement())
  email String @unique
  name  String?
  posts Post[]
}

model Post {
  id       Int    @id @default(autoincrement())
  title    String
  author   User   @relation(fields: [authorId], references: [id])
  authorId Int
}
"""
# The live database: User lacks `name`, Post is absent, and an unmodelled table exists.
LIVE_DDL = [
    'CREATE TABLE "User" ("id" SERIAL NOT NULL, "email" TEXT NOT NULL,'
    ' CONSTRAINT "User_pkey" PRIMARY KEY ("id"))',
    'CREATE UNIQUE INDEX "User_email_key" ON "User"("email")',
    'CREATE TABLE "Audit_log" ("id" SERIAL PRIMARY KEY)',
]
EXPECTED_FINDINGS = [
    ("missing_table", "critical", "Post", ""),
    ("missing_column", "critical", "User", "name"),
    ("extra_table", "info", "Audit_log", ""),
]


# -- workers and brokers ------------------------------------------------------------------------


def filesystem_options(folder: Path) -> dict[str, object]:
    (folder / "queue").mkdir(parents=True, exist_ok=True)
    (folder / "processed").mkdir(parents=True, exist_ok=True)
    return {"data_folder_in": str(folder / "queue"), "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"), "store_processed": False}


class Worker:
    """`celery -A config worker --pool=solo -c 1` on the test database and a given broker."""

    def __init__(self, broker_url: str, var_dir: Path, **env: str) -> None:
        self.log_path = var_dir / f"worker-{uuid.uuid4().hex[:6]}.log"
        environment = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
            "DRIFTWATCH_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **env,
        }
        if broker_url == "filesystem://":
            environment.pop("CELERY_BROKER_URL", None)
        else:
            environment["CELERY_BROKER_URL"] = broker_url
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-c", "1",
             "-l", "info", "--without-mingle", "--without-gossip", "--without-heartbeat",
             "-n", f"dw-audits-test-{uuid.uuid4().hex[:6]}@%h"],
            cwd=REPO_ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.wait_for_log(" ready.", timeout=60)

    def output(self) -> str:
        return self.log_path.read_text()

    def wait_for_log(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited:\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"worker never logged {text!r}:\n{self.output()[-3000:]}")
            time.sleep(0.2)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@contextmanager
def publishing_to(url: str, options: dict[str, object] | None = None) -> Iterator[None]:
    """Make this process's Celery app publish to ``url`` (the services enqueue through it)."""
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url = url
    app.conf.broker_transport_options = options or {}
    _drop_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = saved
        _drop_pools()


def _drop_pools() -> None:
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def redis_queue() -> Iterator[str]:
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "FLUSHDB"], check=True,
                   capture_output=True)
    yield REDIS_URL
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "FLUSHDB"], check=False,
                   capture_output=True)


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    workers: list[Worker] = []

    def start(broker_url: str, **env: str) -> Worker:
        worker = Worker(broker_url, tmp_path, **env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


# -- targets ----------------------------------------------------------------------------------


@pytest.fixture
def live_target(scratch_pg: str) -> Target:
    with psycopg.connect(scratch_pg, autocommit=True) as conn:
        for statement in LIVE_DDL:
            conn.execute(statement)
    return services.create_target(name="Scratch", slug="scratch", dsn=scratch_pg,
                                  schema_files={"schema.prisma": SCHEMA})


def wait_finished(run_id: int, timeout: float = 60) -> AuditRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = AuditRun.objects.get(pk=run_id)
        if run.is_finished:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} still {AuditRun.objects.get(pk=run_id).status}")


def wait_status(run_id: int, status: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while AuditRun.objects.get(pk=run_id).status != status:
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id} never became {status}")
        time.sleep(0.1)


def finding_tuples(run: AuditRun) -> list[tuple[str, str, str, str]]:
    return sorted(
        ((f.kind, f.severity, f.table, f.column) for f in Finding.objects.filter(run=run)),
        key=lambda t: (t[1] != "critical", t[0], t[2]),
    )


# -- the happy paths ----------------------------------------------------------------------------


def test_redis_worker_audits_a_postgres_target(live_target, redis_queue, start_worker):
    worker = start_worker(redis_queue)
    with publishing_to(redis_queue):
        run = services.request_audit(live_target)
        assert services.request_audit(live_target).pk == run.pk  # asking again: same run
    run = wait_finished(run.pk)
    assert run.status == "succeeded", run.error
    assert finding_tuples(run) == sorted(EXPECTED_FINDINGS,
                                         key=lambda t: (t[1] != "critical", t[0], t[2]))
    assert (run.worst_status, run.critical_count, run.info_count) == ("missing", 2, 1)
    assert "audits.run_audit[" in worker.output()
    assert AuditRun.objects.count() == 1


def test_filesystem_broker_worker_audits_a_postgres_target(live_target, start_worker, tmp_path):
    options = filesystem_options(tmp_path / "broker")
    start_worker("filesystem://")
    with publishing_to("filesystem://", options):
        run = services.request_audit(live_target)
    run = wait_finished(run.pk)
    assert run.status == "succeeded", run.error
    assert ("missing_column", "critical", "User", "name") in finding_tuples(run)
    assert run.worst_status == "missing"


# -- faults -------------------------------------------------------------------------------------


def audit_on_worker(target: Target, broker: str) -> AuditRun:
    with publishing_to(broker):
        run = services.request_audit(target)
    return wait_finished(run.pk)


def test_unreachable_target_fails_with_a_clear_reason(redis_queue, start_worker):
    start_worker(redis_queue)
    target = services.create_target(
        name="Down", slug="down", dsn="postgresql://app:Hunter2-pw@127.0.0.1:1/shop",
        schema_files={"schema.prisma": SCHEMA})
    run = audit_on_worker(target, redis_queue)
    assert run.status == "failed" and run.finished_at is not None
    assert "cannot connect to postgresql://app:***@127.0.0.1:1/shop" in run.error
    assert "Hunter2" not in run.error
    assert AuditRun.objects.count() == 1


def test_unknown_role_or_wrong_password_fails_with_a_clear_reason(redis_queue, start_worker,
                                                                   scratch_pg):
    start_worker(redis_queue)
    dsn = scratch_pg.replace("postgresql://postgres@", "postgresql://no_such_role:Wr0ng-pw@")
    target = services.create_target(name="Bad login", slug="bad-login", dsn=dsn,
                                    schema_files={"schema.prisma": SCHEMA})
    run = audit_on_worker(target, redis_queue)
    assert run.status == "failed"
    assert "no_such_role" in run.error and "Wr0ng" not in run.error
    assert run.error.startswith("cannot connect to postgresql://no_such_role:***@")


@pytest.fixture
def catalog_lock(live_target: Target) -> Iterator[Callable[[], None]]:
    """Hold an exclusive lock on pg_enum in the target: introspection blocks on it."""
    holder = psycopg.connect(credentials.target_dsn(live_target))
    holder.execute("LOCK TABLE pg_catalog.pg_enum IN ACCESS EXCLUSIVE MODE")

    def release() -> None:
        if not holder.closed:
            holder.rollback()
            holder.close()

    yield release
    release()


def test_statement_timeout_fails_with_a_clear_reason(live_target, catalog_lock, redis_queue,
                                                     start_worker):
    start_worker(redis_queue, DRIFTWATCH_STATEMENT_TIMEOUT_MS="700",
                 DRIFTWATCH_LOCK_TIMEOUT_MS="30000")
    run = audit_on_worker(live_target, redis_queue)
    assert run.status == "failed"
    assert run.error.endswith("the audit query exceeded the statement timeout of 700 ms")
    assert run.duration_ms < 10_000


def test_worker_killed_mid_run_is_failed_by_the_sweep(live_target, catalog_lock, redis_queue,
                                                      start_worker, settings):
    worker = start_worker(redis_queue)
    with publishing_to(redis_queue):
        run = services.request_audit(live_target)
    wait_status(run.pk, "running")
    worker.wait_for_log("audits.run_audit[", timeout=10)
    time.sleep(0.5)  # inside introspection, blocked on the catalog lock
    worker.kill()
    catalog_lock()
    assert AuditRun.objects.get(pk=run.pk).status == "running"
    settings.DRIFTWATCH_AUDIT_TIME_LIMIT = 1
    settings.DRIFTWATCH_STALE_MARGIN = 0
    time.sleep(1.1)
    assert services.sweep_stale_runs() == 1
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", services.STALE_MESSAGE)
    # Nothing is stuck: the next request is a new run that a new worker completes.
    start_worker(redis_queue)
    again = audit_on_worker(live_target, redis_queue)
    assert again.pk != run.pk and again.status == "succeeded"
    assert AuditRun.objects.filter(status__in=["queued", "running"]).count() == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    def __init__(self, port: int, folder: Path) -> None:
        self.port, self.folder, self.process = port, folder, None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                             text=True).stdout.strip() != "PONG":
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def test_broker_down_then_back(live_target, start_worker, tmp_path):
    server = RedisServer(free_port(), tmp_path)
    server.start()
    url = f"redis://127.0.0.1:{server.port}/0"
    try:
        start_worker(url)
        server.stop()
        with publishing_to(url):
            lost = services.request_audit(live_target)
        lost.refresh_from_db()
        assert lost.status == "failed"
        assert lost.error.startswith("the task broker is unreachable, so the audit was never "
                                     "queued")
        server.start()
        with publishing_to(url):
            run = services.request_audit(live_target)
        run = wait_finished(run.pk, timeout=90)  # the worker reconnects on its own
        assert run.status == "succeeded", run.error
        assert AuditRun.objects.count() == 2
        assert AuditRun.objects.filter(status__in=["queued", "running"]).count() == 0
    finally:
        server.stop()
