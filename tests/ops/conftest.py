"""Driftwatch's own processes for the fault drills: gunicorn with production settings on the
test database, reached over loopback like a browser would.

The tests are ``transaction=True`` so the rows they write are committed and the server sees
them. The server runs with DEBUG off and a strong random SECRET_KEY, which the test process
uses too (its connection strings are encrypted with a key derived from it).
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

# The worker harness and the live targets of the worker tests, as fixtures here too.
from tests.audits.targets.test_worker_integration import (  # noqa: F401
    catalog_lock,
    live_target,
    start_worker,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
WEB_APPLICATION_NAME = "driftwatch-ops-web"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Browser:
    """One session on the web server: cookies, CSRF, form posts, like a browser."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, text, {k.lower(): v for k, v in response.getheaders()}

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        status, text, _ = self.request("GET", path, headers=headers)
        return status, text

    def post(self, path: str, form: dict[str, str] | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, str]:
        status, text, _ = self.request("POST", path, form=form or {}, headers=headers)
        return status, text

    def login(self, username: str, password: str) -> None:
        status, text = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        assert status == 200 and token, status
        status, _, _ = self.request("POST", "/login/",
                                    form={"username": username, "password": password})
        assert status == 302 and "sessionid" in self.cookies, f"login refused: {status}"


class WebServer:
    """gunicorn config.wsgi -c config/gunicorn.py, one process, on the test database."""

    def __init__(self, var_dir: Path, secret_key: str, **env: str) -> None:
        self.port = free_port()
        self.log_path = var_dir / f"web-{self.port}.log"
        database = connection.settings_dict["NAME"]
        environment = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}"
                            f"?application_name={WEB_APPLICATION_NAME}",
            "DATABASE_CONN_MAX_AGE": "600",
            "DRIFTWATCH_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": "127.0.0.1",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "2",
            **env,
        }
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-c",
             "config/gunicorn.py", "--bind", f"127.0.0.1:{self.port}"],
            cwd=REPO_ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.output()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                assert time.monotonic() < deadline, f"gunicorn never listened:\n{self.output()}"
                time.sleep(0.2)

    def output(self) -> str:
        return self.log_path.read_text()

    def browser(self) -> Browser:
        return Browser(self.port)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def secret_key(settings) -> str:  # type: ignore[no-untyped-def]
    """A key the production settings accept, shared by the test process and its servers."""
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    return str(settings.SECRET_KEY)


@pytest.fixture
def start_web(tmp_path: Path, secret_key: str) -> Iterator[Callable[..., WebServer]]:
    servers: list[WebServer] = []

    def start(**env: str) -> WebServer:
        server = WebServer(tmp_path, secret_key, **env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
