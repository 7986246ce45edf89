"""deliver_alert: email and signed webhook, retried with backoff, never failing the audit."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from audits.alerts.models import Alert
from audits.alerts.tasks import ALERT_MAX_RETRIES, deliver_alert
from tests.audits.conftest import finding, report

pytestmark = pytest.mark.django_db


class Receiver:
    """A tiny webhook receiver on 127.0.0.1 that fails the first `failures` requests."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 — http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                failing = len(receiver.requests) <= receiver.failures
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def alert(make_target, finish_run):
    def make(url: str, secret: str = "", emails: str = "") -> Alert:
        target = make_target(name="Shop", webhook_url=url, alert_emails=emails)
        if secret:
            target.set_webhook_secret(secret)
            target.save()
        finish_run(target, report([finding("missing_table", "Review")], {"Review": "missing"}))
        return Alert.objects.get(target=target)

    return make


def test_signed_webhook_and_email(alert, mailoutbox):
    with Receiver() as receiver:
        item = alert(receiver.url, secret="s3cret", emails="ops@example.com, dev@example.com")
        assert deliver_alert.apply(args=[item.pk]).get() == "sent"
    headers, body = receiver.requests[0]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Driftwatch-Signature"] == expected
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert payload["text"] == "Driftwatch: Shop: first audit → broken (1 critical)"
    assert (payload["status"], payload["previous_status"]) == ("missing", "")
    assert [m.to for m in mailoutbox] == [["ops@example.com", "dev@example.com"]]
    assert mailoutbox[0].subject == "[Driftwatch] Shop is broken"
    item.refresh_from_db()
    assert (item.email_status, item.webhook_status, item.attempts) == ("sent", "sent", 1)


def test_unsigned_without_secret(alert):
    with Receiver() as receiver:
        deliver_alert.apply(args=[alert(receiver.url).pk])
    assert "X-Driftwatch-Signature" not in receiver.requests[0][0]


def test_retries_until_the_webhook_answers_and_sends_email_once(alert, mailoutbox, settings):
    with Receiver(failures=2) as receiver:
        item = alert(receiver.url, emails="ops@example.com")
        deliver_alert.apply(args=[item.pk])
    item.refresh_from_db()
    assert len(receiver.requests) == 3
    assert (item.webhook_status, item.attempts, item.last_error) == ("sent", 3, "")
    assert len(mailoutbox) == 1  # email succeeded on the first attempt and is not resent


def test_gives_up_after_max_retries_and_the_run_stays_succeeded(alert):
    with Receiver(failures=100) as receiver:
        item = alert(receiver.url)
        result = deliver_alert.apply(args=[item.pk])
    item.refresh_from_db()
    assert result.get() == "failed"
    assert len(receiver.requests) == ALERT_MAX_RETRIES + 1
    assert (item.webhook_status, item.email_status) == ("failed", "skipped")
    assert item.last_error == "webhook answered HTTP 500"
    assert item.run.status == "succeeded"
