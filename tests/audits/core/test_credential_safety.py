"""A target's password never leaves the encrypted column, and an audit never writes to it.

End to end: targets whose DSN carries a distinctive password are audited for real (success,
unreachable, unknown role, missing database, malformed URL, keyword form, statement and lock
timeouts), then every place a person, a log collector or a broker could read is searched for
that password: the AuditRun rows, every page a backend or mobile user can load, the admin,
the JSON API and badges, the logs of every logger at DEBUG, the Celery message of the audit,
the management commands' output, alert e-mails and webhook bodies, and the raw database column.

The engine-level proof that a write through a target session fails lives in
tests/engine/test_connect.py (test_writes_fail and its neighbours); here the whole audit
(history check included) runs with a role that COULD write, and the target is unchanged after.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from audits.alerts import delivery as alerts
from audits.alerts.models import Alert
from audits.api import tokens
from audits.core import credentials, crypto
from audits.core.models import AuditRun, Target
from audits.history.models import HistoryCheck
from audits.targets import services
from tests.audits.targets.test_worker_integration import (  # a real worker and its broker
    filesystem_options,
    publishing_to,
    start_worker,  # noqa: F401 — a fixture
    wait_finished,
)

pytestmark = pytest.mark.django_db

PASSWORD = "S3cr3t-Pa55w0rd"
ENCODED_PASSWORD = "S3cr3t%2DPa55w0rd"  # the same password, percent-encoded in a URL
WEBHOOK_SECRET = "hook-S3cr3t-value"
REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "audits" / "seed"
SCHEMA = """datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Item {
  id   Int    @id @default(autoincrement())
  name String
}
"""

# A stored run error reduces a connection failure to its class, so that a closed, a filtered
# and a non-PostgreSQL port read the same (the CLI keeps the engine's own words).
NETWORK_ERROR = "network error (no connection: refused, unreachable, timed out or not PostgreSQL)"
RUN_REASONS = {"unreachable": NETWORK_ERROR, "keyword-form": NETWORK_ERROR,
               "query-password": NETWORK_ERROR, "encoded": NETWORK_ERROR,
               "unknown-role": "authentication refused"}
# slug -> a DSN that cannot be audited, and the reason the run (and the CLI) must give
FAILING: dict[str, tuple[str, str]] = {
    "unreachable": (f"postgresql://dw_user:{PASSWORD}@127.0.0.1:1/db",
                    "the host is unreachable: nothing listens on that port"),
    "unknown-role": (f"postgresql://dw_no_such_role:{PASSWORD}@127.0.0.1:5432/postgres",
                     "authentication failed: the role does not exist"),
    "bad-database": (f"postgresql://postgres:{PASSWORD}@127.0.0.1:5432/dw_no_such_database_x",
                     "the database does not exist"),
    "keyword-form": (f"host=127.0.0.1 port=1 user=dw_user password={PASSWORD} dbname=db",
                     "the host is unreachable: nothing listens on that port"),
    "query-password": (f"postgresql://dw_user@127.0.0.1:1/db?password={PASSWORD}",
                       "the host is unreachable: nothing listens on that port"),
    "encoded": (f"postgresql://dw_user:{ENCODED_PASSWORD}@127.0.0.1:1/db",
                "the host is unreachable: nothing listens on that port"),
    # libpq echoes a URL it cannot parse, password included
    "malformed": (f"postgresql://dw_user:{PASSWORD}@[::1/db",
                  "the PostgreSQL URL cannot be parsed"),
    "bad-port": (f"postgresql://dw_user:{PASSWORD}@127.0.0.1:notaport/db",
                 'invalid integer value "notaport" for connection option "port"'),
}


def assert_clean(text: str, where: str) -> None:
    for secret in (PASSWORD, ENCODED_PASSWORD, WEBHOOK_SECRET, "Pa55w0rd"):
        assert secret not in text, f"{secret!r} leaked in {where}: {text[:2000]}"


def with_password(url: str) -> str:
    return url.replace("postgres@", f"postgres:{PASSWORD}@", 1)


class WebhookSink:
    """A local HTTP receiver that keeps every body posted to it."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 — http.server's name
                sink.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[WebhookSink]:
    sink = WebhookSink()
    yield sink
    sink.close()


@pytest.fixture
def target_db(scratch_pg: str) -> str:
    """A scratch database with a table, a row and an expression index (for the lock test)."""
    with psycopg.connect(scratch_pg, autocommit=True) as conn:
        conn.execute("CREATE TABLE item (id serial PRIMARY KEY, name text NOT NULL)")
        conn.execute("CREATE INDEX item_lower ON item (lower(name))")
        conn.execute("INSERT INTO item (name) VALUES ('one')")
    return scratch_pg


def make(slug: str, dsn: str = "", **extra: Any) -> Target:
    return services.create_target(name=slug.title(), slug=slug, dsn=dsn,
                                  schema_files={"schema.prisma": SCHEMA}, **extra)


def audit(target: Target) -> AuditRun:
    run = services.request_audit(target, enqueue=False)
    finished = services.execute_audit(run.pk)
    assert finished is not None
    return AuditRun.objects.get(pk=finished.pk)


@pytest.fixture
def audited(caplog: pytest.LogCaptureFixture, target_db: str, webhook: WebhookSink,
            monkeypatch: pytest.MonkeyPatch, settings: Any, incident: Any, tmp_path: Path
            ) -> dict[str, AuditRun]:
    """Every kind of audit, run for real with logs captured at DEBUG for every logger."""
    settings.VAR_DIR = tmp_path  # no cached history replay: each replay really runs
    caplog.set_level(logging.DEBUG)
    for name in ("celery", "django", "audits", "psycopg", "kombu"):
        caplog.set_level(logging.DEBUG, logger=name)
    runs: dict[str, AuditRun] = {}
    good = make("good", with_password(target_db), alert_emails="ops@example.com",
                webhook_url=webhook.url, migrations_path=str(SEED / "migrations"),
                code_path=str(SEED / "backend"))
    good.set_webhook_secret(WEBHOOK_SECRET)
    good.save()
    runs["good"] = audit(good)
    for slug, (dsn, _reason) in FAILING.items():
        runs[slug] = audit(make(slug, dsn))
    settings.DRIFTWATCH_SHADOW_DATABASE_URL = f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/x"
    runs["shadow-down"] = audit(make("shadow-down", with_password(target_db),
                                     migrations_path=str(fresh_migrations(tmp_path))))
    settings.DRIFTWATCH_SHADOW_DATABASE_URL = ""
    monkeypatch.setenv("DRIFTWATCH_TARGET_SAFETY", FAILING["unreachable"][0])
    runs["env-var"] = audit(make("env-var", dsn_env_var="DRIFTWATCH_TARGET_SAFETY"))
    runs["statement-timeout"] = _audit_behind_a_lock(
        make("statement-timeout", with_password(target_db)), target_db, settings,
        statement_ms=300, lock_ms=5000)
    runs["lock-timeout"] = _audit_behind_a_lock(
        make("lock-timeout", with_password(target_db)), target_db, settings,
        statement_ms=5000, lock_ms=300)
    for target in Target.objects.all():
        target.incidents.add(incident)
    return runs


def fresh_migrations(tmp_path: Path) -> Path:
    """The seed's migrations with a unique comment, so no cached replay stands in for one."""
    folder = tmp_path / "migrations"
    shutil.copytree(SEED / "migrations", folder)
    first = sorted(path for path in folder.iterdir() if path.is_dir())[0] / "migration.sql"
    first.write_text(first.read_text() + f"\n-- {tmp_path.name}\n")
    return folder


def _audit_behind_a_lock(target: Target, url: str, settings: Any, *, statement_ms: int,
                         lock_ms: int) -> AuditRun:
    """A migration holds the table, so the audit waits: slow, not stuck, and password-free."""
    settings.DRIFTWATCH_STATEMENT_TIMEOUT_MS = statement_ms
    settings.DRIFTWATCH_LOCK_TIMEOUT_MS = lock_ms
    with psycopg.connect(url) as migration:
        migration.execute("ALTER TABLE item ADD COLUMN extra int")
        run = audit(target)
        migration.rollback()
    del settings.DRIFTWATCH_STATEMENT_TIMEOUT_MS, settings.DRIFTWATCH_LOCK_TIMEOUT_MS
    return run


# -- the runs themselves ---------------------------------------------------------------------------


def test_each_run_ends_with_its_reason_and_no_password(audited: dict[str, AuditRun]) -> None:
    good = audited["good"]
    assert good.status == "succeeded"
    assert good.error == ""
    for slug, (_dsn, cli_reason) in FAILING.items():
        reason = RUN_REASONS.get(slug, cli_reason)
        run = audited[slug]
        assert run.status == "failed", slug
        assert reason in run.error, (slug, run.error)
    assert audited["env-var"].status == "failed"
    assert NETWORK_ERROR in audited["env-var"].error
    assert audited["statement-timeout"].error.endswith(
        "the audit query exceeded the statement timeout of 300 ms")
    assert audited["lock-timeout"].error.endswith(
        "the audit query waited longer than the lock timeout of 300 ms")
    assert audited["unreachable"].error.startswith(
        "cannot connect to postgresql://dw_user:***@127.0.0.1:1/db: ")
    for slug, run in audited.items():
        row = AuditRun.objects.values().get(pk=run.pk)
        assert_clean(json.dumps(row, default=str), f"AuditRun row of {slug}")
    checks = list(HistoryCheck.objects.order_by("pk").values())
    assert [check["run_id"] for check in checks] == [good.pk, audited["shadow-down"].pk]
    assert checks[0]["error"] == "" and checks[0]["table_present"] is False
    assert checks[1]["error"].startswith(
        "cannot connect to the shadow server postgresql://postgres:***@127.0.0.1:1/x: ")
    assert audited["shadow-down"].status == "succeeded"  # history never fails the drift audit
    assert_clean(json.dumps(checks, default=str), "HistoryCheck rows")


def test_the_database_column_holds_no_password_in_clear(audited: dict[str, AuditRun]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT dsn_encrypted, webhook_secret_encrypted FROM audits_target "
                       "WHERE dsn_env_var = ''")
        rows = cursor.fetchall()
    assert len(rows) == len(audited) - 1  # all but the target whose DSN is in a variable
    for dsn_column, secret_column in rows:
        assert dsn_column.startswith("gAAAA")  # a Fernet token
        assert_clean(dsn_column + secret_column, "audits_target columns")
    assert credentials.target_dsn(Target.objects.get(slug="unreachable")) == \
        FAILING["unreachable"][0]


# -- logs ------------------------------------------------------------------------------------------


def test_logs_at_debug_carry_no_password(audited: dict[str, AuditRun],
                                         caplog: pytest.LogCaptureFixture) -> None:
    records = caplog.get_records("setup")
    assert any(record.name.startswith("psycopg") for record in records)  # DEBUG was on
    for record in records:
        text = record.getMessage() + (caplog.handler.format(record) if record.exc_info else "")
        assert_clean(text, f"log record of {record.name}")


def test_a_crash_logs_its_traceback_without_the_password(
        make_crashing_engine: None, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    run = audit(make("crash", FAILING["unreachable"][0]))
    assert run.status == "failed"
    assert run.error.startswith("internal error: RuntimeError: driver said ")
    assert_clean(run.error, "the crashed run's error")
    crashed = [r for r in caplog.records if r.getMessage().startswith("audit run")]
    assert crashed, [r.getMessage() for r in caplog.records]
    for record in caplog.records:
        assert_clean(record.getMessage(), "log message")
        assert_clean(caplog.handler.format(record), "formatted log record")
        if record.exc_info:
            assert_clean(logging.Formatter().formatException(record.exc_info), "traceback")
    assert "RuntimeError" in caplog.text


@pytest.fixture
def make_crashing_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug (not a TargetError) whose message quotes the DSN, as a careless library might."""

    def crash(expected: Any, dsn: str, **options: Any) -> Any:
        raise RuntimeError(f"driver said {dsn!r} is odd")

    monkeypatch.setattr(services, "_audit", crash)


# -- Celery ----------------------------------------------------------------------------------------


def test_the_audit_message_carries_only_the_run_id(make_target_with_secret: Target,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   django_capture_on_commit_callbacks: Any
                                                   ) -> None:
    from audits.targets.tasks import run_audit

    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(run_audit, "apply_async", lambda **kwargs: sent.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        run = services.request_audit(make_target_with_secret)
    assert [call["args"] for call in sent] == [[run.pk]]
    assert_clean(repr(sent), "the enqueued task")


@pytest.fixture
def make_target_with_secret(db: Any) -> Target:
    return make("queued", FAILING["unreachable"][0])


# -- pages -----------------------------------------------------------------------------------------


def page_urls(runs: dict[str, AuditRun]) -> list[str]:
    good = runs["good"]
    urls = [reverse("audits:overview"), reverse("audits:endpoints"), reverse("audits:tokens")]
    for slug, run in runs.items():
        urls += [
            reverse("audits:target", args=[slug]),
            reverse("audits:run_history", args=[slug]),
            reverse("audits:run", args=[slug, run.pk]),
            reverse("audits:run_progress", args=[slug, run.pk]),
            reverse("audits:compare", args=[slug]),
            reverse("audits:target_endpoints", args=[slug]),
            reverse("audits:target_migrations", args=[slug]),
            reverse("audits:target_three_way", args=[slug]),
            reverse("audits:target_badge", args=[slug]),
        ]
    urls += [
        reverse("audits:fix_migration", args=["good", good.pk]),
        reverse("audits:fix_migration_sql", args=["good", good.pk]),
        reverse("audits:fix_migration_zip", args=["good", good.pk]),
        reverse("audits:target_migrations", args=["good"]) + f"?run={good.pk}",
    ]
    incident = Target.objects.get(slug="good").incidents.get()
    urls += [
        reverse("recovery:incident_detail", args=[incident.slug]),
        reverse("recovery:postmortem", args=[incident.slug]),
        reverse("recovery:postmortem_markdown", args=[incident.slug]),
        reverse("audits:incident_panel", args=[incident.slug]),
        reverse("audits:incident_migrations", args=[incident.slug]),
    ]
    return urls


def test_no_page_a_user_can_load_shows_the_password(audited: dict[str, AuditRun],
                                                    backend: Client, mobile: Client) -> None:
    loaded = 0
    for client, who in ((backend, "backend"), (mobile, "mobile")):
        for url in page_urls(audited):
            response = client.get(url)
            assert response.status_code in (200, 302, 403, 404), (who, url)
            loaded += response.status_code == 200
            assert_clean(response.content.decode("utf-8", "replace"), f"{who} {url}")
    assert loaded > 50
    for slug in audited:
        url = reverse("audits:target_edit", args=[slug])
        html = backend.get(url).content.decode()
        assert_clean(html, url)
        assert 'name="database_url"' in html and 'value="' + "postgresql" not in html


def test_a_rejected_form_does_not_echo_the_dsn(backend: Client, db: Any) -> None:
    make("form", FAILING["unreachable"][0])
    response = backend.post(reverse("audits:target_edit", args=["form"]), {
        "name": "", "database_url": FAILING["bad-database"][0], "webhook_secret": WEBHOOK_SECRET,
        "schema_source": "versions", "interval_minutes": "60",
    })
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert_clean(response.content.decode(), "the re-rendered target form")
    response = backend.post(reverse("audits:target_create"), {
        "name": "Mysql", "database_url": f"mysql://root:{PASSWORD}@db/x",
        "schema_source": "path", "schema_path": str(SEED / "schema.prisma"),
        "interval_minutes": "60",
    })
    assert response.status_code == 200
    assert "unsupported database URL &#x27;mysql://root:***@db/x&#x27;" in (
        response.content.decode())
    assert_clean(response.content.decode(), "the refused target form")


def test_admin_change_pages_show_no_secret(audited: dict[str, AuditRun],
                                           admin_client: Client) -> None:
    good = Target.objects.get(slug="good")
    urls = [reverse("admin:audits_target_changelist"),
            reverse("admin:audits_target_change", args=[good.pk]),
            reverse("admin:audits_auditrun_changelist"),
            reverse("admin:audits_alert_changelist"),
            reverse("admin:audits_historycheck_changelist")]
    urls += [reverse("admin:audits_auditrun_change", args=[run.pk]) for run in audited.values()]
    urls += [reverse("admin:audits_alert_change", args=[a.pk]) for a in Alert.objects.all()]
    urls += [reverse("admin:audits_historycheck_change", args=[check.pk])
             for check in HistoryCheck.objects.all()]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_clean(html, url)
        assert "gAAAA" not in html, url  # not even the ciphertext


def test_api_json_shows_no_password(audited: dict[str, AuditRun], backend_user: Any,
                                    client: Client) -> None:
    _token, raw = tokens.create_token(backend_user, name="ci", read_only=True)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    for slug in audited:
        for name in ("audits:api_status", "audits:api_endpoints"):
            response = client.get(reverse(name, args=[slug]), **headers)
            assert response.status_code == 200, (name, slug)
            assert_clean(response.content.decode(), f"{name} {slug}")
        badge = client.get(reverse("audits:target_badge", args=[slug]) + f"?token={raw}")
        assert badge.status_code == 200
        assert_clean(badge.content.decode(), f"badge {slug}")


def test_a_crash_report_of_the_target_form_hides_the_secrets(
        backend: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        db: Any) -> None:
    """What ADMINS would be mailed (DEBUG=False): POST data and every frame's locals."""
    from django.views.debug import ExceptionReporter

    make("boom", FAILING["unreachable"][0])

    def boom() -> Any:
        raise RuntimeError("a bug while saving")

    # deep in the save: every frame above holds the DSN or the webhook secret in a local
    monkeypatch.setattr(crypto, "_fernet", boom)
    backend.raise_request_exception = False
    response = backend.post(reverse("audits:target_edit", args=["boom"]), {
        "name": "Boom", "slug": "boom", "database_url": FAILING["bad-database"][0],
        "webhook_secret": WEBHOOK_SECRET, "schema_source": "versions", "interval_minutes": "60",
    })
    assert response.status_code == 500
    assert_clean(response.content.decode(), "the 500 page")
    [record] = [r for r in caplog.records if r.name == "django.request"]
    reporter = ExceptionReporter(record.request, *record.exc_info, is_email=True)
    report = reporter.get_traceback_text() + reporter.get_traceback_html()
    assert "a bug while saving" in report and "database_url" in report
    assert "********************" in report  # Django's mask for a sensitive value
    assert_clean(report, "the error report mailed to ADMINS")
    assert_clean(caplog.text, "the django.request log")


# -- alerts ----------------------------------------------------------------------------------------


def test_alert_email_and_webhook_carry_no_password(audited: dict[str, AuditRun],
                                                   webhook: WebhookSink) -> None:
    alert = Alert.objects.get(run=audited["good"])
    assert alerts.deliver(alert.pk, final_attempt=True) == "sent"
    assert len(mail.outbox) == 1 and len(webhook.bodies) == 1
    message = mail.outbox[0]
    assert_clean(message.subject + message.body + str(message.message()), "alert e-mail")
    body = webhook.bodies[0].decode()
    assert json.loads(body)["target"] == "good"
    assert_clean(body, "webhook body")


# -- management commands ---------------------------------------------------------------------------


def run_command(*args: str) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return out.getvalue(), err.getvalue(), code


@pytest.mark.parametrize("slug", sorted(FAILING))
def test_commands_print_no_password(slug: str, tmp_path: Path, db: Any) -> None:
    dsn, reason = FAILING[slug]
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    make(slug, dsn)
    outputs = {
        "audit": run_command("audit", slug, "--inline"),
        "audit json": run_command("audit", slug, "--inline", "--format", "json"),
        "targets list": run_command("targets", "list"),
        "drift": run_command("drift", "--schema", str(schema), "--database-url", dsn),
        "drift json": run_command("drift", "--schema", str(schema), "--database-url", dsn,
                                  "--format", "json"),
        "fix_migration": run_command("fix_migration", "--schema", str(schema),
                                     "--database-url", dsn),
        "history": run_command("history", "--migrations", str(SEED / "migrations"),
                               "--database-url", dsn, "--format", "json"),
        "endpoints": run_command("endpoints", "--code", str(SEED / "backend"), "--schema",
                                 str(SEED / "schema.prisma"), "--database-url", dsn),
    }
    for name, (out, err, code) in outputs.items():
        assert_clean(out + err, f"{name} output")
        if name != "targets list":
            assert code != 0, (name, out, err)
    assert reason in outputs["drift"][1], outputs["drift"]
    assert outputs["drift"][1].count("\n") == 1  # one line, never a traceback


def test_commands_on_a_reachable_target_print_no_password(target_db: str, tmp_path: Path,
                                                          db: Any) -> None:
    dsn = with_password(target_db)
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    make("reachable", dsn)
    for args in (("audit", "reachable", "--inline", "--format", "json"),
                 ("targets", "list"),
                 ("drift", "--schema", str(schema), "--database-url", dsn, "--format", "json"),
                 ("fix_migration", "--schema", str(schema), "--database-url", dsn)):
        out, err, _code = run_command(*args)
        assert_clean(out + err, " ".join(args[:2]))
    out, _err, _code = run_command("targets", "list")
    assert "postgresql://postgres:***@127.0.0.1:5432/" in out


# -- read-only, end to end -------------------------------------------------------------------------


def database_state(url: str) -> dict[str, Any]:
    """Everything an audit could have changed: objects, rows, write counters, databases."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        objects = conn.execute(
            "SELECT n.nspname, c.relname, c.relkind FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') "
            "ORDER BY 1, 2").fetchall()
        rows = conn.execute("SELECT id, name FROM item ORDER BY id").fetchall()
        counters = conn.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables "
            "ORDER BY relname").fetchall()
        functions = conn.execute(
            "SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' ORDER BY 1").fetchall()
    return {"objects": objects, "rows": rows, "counters": counters, "functions": functions}


def settled_state(url: str) -> dict[str, Any]:
    """The state once the fixture's own insert shows in the (asynchronous) statistics."""
    deadline = time.monotonic() + 10
    state = database_state(url)
    while ("item", 1, 0, 0) not in state["counters"] and time.monotonic() < deadline:
        time.sleep(0.2)
        state = database_state(url)
    assert ("item", 1, 0, 0) in state["counters"], state["counters"]
    return state


def test_a_full_audit_with_a_writing_role_changes_nothing(target_db: str, db: Any) -> None:
    # The role is the superuser that owns the database: only Driftwatch's session stops it.
    before = settled_state(target_db)
    target = make("owner", with_password(target_db), migrations_path=str(SEED / "migrations"),
                  code_path=str(SEED / "backend"))
    run = audit(target)
    assert run.status == "succeeded", run.error
    assert HistoryCheck.objects.filter(run=run).count() == 1
    assert database_state(target_db) == before


def test_a_history_crash_logs_its_traceback_without_the_password(
        target_db: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from audits.history import services as history

    def crash(target: Any, dsn: str, shadow: str, code: Any, live: Any = None) -> Any:
        raise RuntimeError(f"replay said {dsn!r} is odd")

    monkeypatch.setattr(history, "_check", crash)
    caplog.set_level(logging.DEBUG)
    run = audit(make("history-crash", with_password(target_db),
                     migrations_path=str(SEED / "migrations")))
    assert run.status == "succeeded"
    assert HistoryCheck.objects.get(run=run).error == (
        "internal error while checking the migration history")
    crashed = [r for r in caplog.records if "history check of run" in r.getMessage()]
    assert len(crashed) == 1
    assert "RuntimeError: replay said 'postgresql://postgres:***@127.0.0.1:5432/" in (
        crashed[0].getMessage())
    for record in caplog.records:
        assert_clean(caplog.handler.format(record), "formatted log record")


def test_a_dsn_saved_under_another_key_fails_the_run_with_its_reason(
        db: Any, settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    target = make("rotated", FAILING["unreachable"][0])
    settings.DRIFTWATCH_ENCRYPTION_KEY = "a-rotated-key"
    caplog.set_level(logging.DEBUG)
    run = audit(target)
    assert run.status == "failed"
    assert run.error == ("the stored database URL cannot be decrypted: the encryption key "
                         "changed since it was saved; enter the URL again")
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert credentials.redacted_dsn(target) == "(unreadable: encryption key changed)"


def test_adding_an_unsupported_url_from_the_cli_prints_no_password(db: Any) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("targets", "add", "--name", "My", "--database-url",
                     f"mysql://root:{PASSWORD}@db/x", "--schema", str(SEED / "schema.prisma"))
    assert str(caught.value).startswith("unsupported database URL 'mysql://root:***@db/x'")
    assert_clean(str(caught.value), "targets add")


def test_a_webhook_secret_saved_under_another_key_fails_the_channel_not_the_task(
        audited: dict[str, AuditRun], settings: Any, webhook: WebhookSink) -> None:
    alert = Alert.objects.get(run=audited["good"])
    settings.DRIFTWATCH_ENCRYPTION_KEY = "a-rotated-key"
    assert alerts.deliver(alert.pk, final_attempt=True) == "failed"
    alert.refresh_from_db()
    assert (alert.email_status, alert.webhook_status) == ("sent", "failed")
    assert alert.last_error == ("the webhook secret cannot be decrypted: the encryption key "
                                "changed since it was saved; enter it again")
    assert webhook.bodies == []


@pytest.mark.parametrize("command", ["drift", "fix_migration"])
@pytest.mark.parametrize("slug", ["unreachable", "malformed", "keyword-form"])
def test_manage_py_prints_no_password(command: str, slug: str, tmp_path: Path) -> None:
    """The real process: manage.py drift/fix_migration start the engine's CLI before Django."""
    dsn, reason = FAILING[slug]
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    done = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), command, "--schema", str(schema),
         "--database-url", dsn], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.startswith(f"{command}: error: ") and reason in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1
    assert_clean(done.stderr, f"manage.py {command}")


def test_a_full_audit_of_a_sqlite_file_leaves_it_byte_for_byte(tmp_path: Path, db: Any) -> None:
    import hashlib
    import sqlite3

    path = tmp_path / "target.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        conn.execute("INSERT INTO item (name) VALUES ('one')")
    conn.close()
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    target = services.create_target(
        name="Lite", slug="lite", dsn=f"sqlite:///{path}",
        schema_files={"schema.prisma": (SEED / "sqlite" / "schema.prisma").read_text()},
        migrations_path=str(SEED / "sqlite" / "migrations"))
    run = audit(target)
    assert run.status == "succeeded", run.error
    assert HistoryCheck.objects.get(run=run).error == ""
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target.db"]  # no -journal, no -wal


# -- a real worker --------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_logs_no_password(target_db: str, tmp_path: Path,
                                        start_worker: Any) -> None:  # noqa: F811
    """Celery's own lines (task received, succeeded, alert e-mail on the console backend)."""
    options = filesystem_options(tmp_path / "broker")
    worker = start_worker("filesystem://", EMAIL_BACKEND=(
        "django.core.mail.backends.console.EmailBackend"))
    good = make("good", with_password(target_db), alert_emails="ops@example.com")
    down = make("down", FAILING["unreachable"][0])
    crash = make("malformed", FAILING["malformed"][0])
    with publishing_to("filesystem://", options):
        runs = [services.request_audit(target) for target in (good, down, crash)]
    finished = [wait_finished(run.pk) for run in runs]
    assert [run.status for run in finished] == ["succeeded", "failed", "failed"]
    worker.wait_for_log("[Driftwatch] Good is", timeout=60)  # the alert e-mail was printed
    log = worker.output()
    assert "audits.run_audit" in log and "audits.deliver_alert" in log
    assert_clean(log, "the worker's log")


# -- a DSN read from an environment variable -----------------------------------------------------

NOT_A_DSN = {  # what else a worker's environment holds
    "token": "tok-S3cr3t-Pa55w0rd",
    "fernet-key": "x8YfS3cr3tPa55w0rdQ=",  # has "=": it would pass for libpq's keyword form
    "broker-url": "redis://:S3cr3t-Pa55w0rd@127.0.0.1:6379/0",
}
ENV_REFUSED = ("the environment variable DRIFTWATCH_TARGET_OTHER does not hold a database URL "
               "(postgresql://..., sqlite:///abs/path.db or a path ending .db/.sqlite/.sqlite3); "
               "its value is not shown")


@pytest.mark.parametrize("value", sorted(NOT_A_DSN.values()))
def test_a_variable_holding_another_secret_is_never_quoted(
        value: str, monkeypatch: pytest.MonkeyPatch, backend: Client, db: Any) -> None:
    monkeypatch.setenv("DRIFTWATCH_TARGET_OTHER", value)
    response = backend.post(reverse("audits:target_create"), {
        "name": "Other", "database_url_env": "DRIFTWATCH_TARGET_OTHER", "schema_source": "path",
        "schema_path": str(SEED / "schema.prisma"), "interval_minutes": "60",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "the environment variable DRIFTWATCH_TARGET_OTHER does not hold a database URL" in html
    assert_clean(html, "the target form")
    assert value not in html
    with pytest.raises(CommandError) as caught:
        call_command("targets", "add", "--name", "Other", "--database-url-env",
                     "DRIFTWATCH_TARGET_OTHER", "--schema", str(SEED / "schema.prisma"))
    assert str(caught.value) == ENV_REFUSED
    # set after the target was saved (the workers' environment differs from the web's)
    monkeypatch.delenv("DRIFTWATCH_TARGET_OTHER")
    target = make("other", dsn_env_var="DRIFTWATCH_TARGET_OTHER")
    monkeypatch.setenv("DRIFTWATCH_TARGET_OTHER", value)
    run = audit(target)
    assert (run.status, run.error) == ("failed", ENV_REFUSED)


def test_a_variable_holding_a_keyword_dsn_is_used(monkeypatch: pytest.MonkeyPatch,
                                                  db: Any) -> None:
    monkeypatch.setenv("DRIFTWATCH_TARGET_OTHER", FAILING["keyword-form"][0])
    run = audit(make("keyword-env", dsn_env_var="DRIFTWATCH_TARGET_OTHER"))
    assert run.status == "failed"
    assert run.error.startswith("cannot connect to host=127.0.0.1 port=1 user=dw_user "
                                f"password=*** dbname=db: {NETWORK_ERROR}")
