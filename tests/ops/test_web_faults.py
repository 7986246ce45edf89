"""Fault drills on the web server (gunicorn, production settings, real PostgreSQL and Redis).

- Redis down: the broker URL points at a closed port. Every page still answers; "Audit now"
  and the API say the queue is unavailable, the run is failed with that reason, and nothing is
  left queued or running, so asking again works once the broker is back.
- Driftwatch's own PostgreSQL drops the server's connections (pg_terminate_backend, as a
  restart or a failover does): the next request gets a new connection instead of a 500.
"""

from __future__ import annotations

import json

import psycopg
import pytest
from django.contrib.auth.models import Group, User

from audits.api import tokens
from audits.core.models import AuditRun
from audits.targets import services
from config.roles import BACKEND_GROUP
from tests.conftest import PG_ADMIN_DSN
from tests.ops.conftest import WEB_APPLICATION_NAME, free_port

pytestmark = [pytest.mark.slow, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True)]

PASSWORD = "drill-password-for-tests"
SCHEMA = """datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id Int @id
}
"""


@pytest.fixture
def writer() -> User:
    user = User.objects.create_user(username="drill-backend", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=BACKEND_GROUP)[0])
    return user


def web_backends() -> list[int]:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        return [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
            (WEB_APPLICATION_NAME,))]


def test_redis_down_pages_answer_and_audit_now_says_the_queue_is_unavailable(
        start_web, writer, scratch_pg):
    target = services.create_target(name="Shop", slug="shop", dsn=scratch_pg,
                                    schema_files={"schema.prisma": SCHEMA})
    _, raw_token = tokens.create_token(writer, name="drill", read_only=False)
    web = start_web(CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0")
    browser = web.browser()
    browser.login(writer.username, PASSWORD)

    for path in ("/", "/targets/shop/", "/endpoints/", "/incidents/", "/targets/shop/runs/"):
        status, _ = browser.get(path)
        assert status == 200, path

    status, html = browser.post("/targets/shop/audit/", headers={"HX-Request": "true"})
    assert status == 200
    assert "the task broker is unreachable, so the audit was never queued" in html
    run = AuditRun.objects.get(target=target)
    assert run.status == "failed"
    assert run.error.startswith("the task broker is unreachable, so the audit was never queued")

    status, body, _ = browser.request("POST", "/api/v1/targets/shop/audits",
                                      headers={"Authorization": f"Bearer {raw_token}"})
    assert status == 503
    answer = json.loads(body)
    assert answer["status"] == "failed"
    assert answer["error"].startswith("the task broker is unreachable")
    assert answer["run"] != run.pk  # a new request, not the old run: nothing was stuck

    assert AuditRun.objects.filter(status__in=["queued", "running"]).count() == 0
    assert AuditRun.objects.filter(target=target, status="failed").count() == 2


def test_killed_database_connections_are_replaced_before_the_next_request(start_web, writer):
    web = start_web(DATABASE_CONN_MAX_AGE="600")
    browser = web.browser()
    browser.login(writer.username, PASSWORD)
    assert browser.get("/")[0] == 200
    before = web_backends()
    assert before, "the server keeps its connection between requests"

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        for pid in before:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))

    for path in ("/", "/incidents/", "/endpoints/"):
        status, _ = browser.get(path)
        assert status == 200, f"{path}: {status}\n{web.output()[-2000:]}"
    after = web_backends()
    assert after and not set(after) & set(before)
