"""The target form's "Test connection" (backend role only, read-only, short timeout) and its
help texts: "leave empty to keep the current one" only where there is a current one."""

from __future__ import annotations

import socket
import sqlite3

import pytest
from django.test import Client
from django.urls import reverse

from audits.core.models import Target

pytestmark = pytest.mark.django_db
URL = "/targets/test-connection/"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sqlite_file(tmp_path) -> str:
    path = tmp_path / "shop.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE User (id INTEGER PRIMARY KEY)")
    return str(path)


def test_url_names() -> None:
    assert reverse("audits:test_connection") == URL
    assert reverse("audits:target_test_connection", args=["x"]) == "/targets/x/test-connection/"


def test_a_reachable_database_answers_what_it_is(backend: Client, sqlite_file: str) -> None:
    response = backend.post(URL, {"database_url": f"sqlite:///{sqlite_file}"},
                            HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip() == ('<div id="connection-test" class="dw-connection" aria-live="polite">'
                            '<p class="dw-connection-ok">Connected: SQLite file, read-only, '
                            '1 tables</p></div>')
    assert Target.objects.count() == 0  # nothing saved


@pytest.mark.postgres
def test_postgres_answers_read_only(backend: Client, pg_admin_dsn: str) -> None:
    html = backend.post(URL, {"database_url": pg_admin_dsn}).content.decode()
    assert "Connected: PostgreSQL " in html and ", read-only session, " in html


def test_a_closed_port_says_why_without_the_password(backend: Client) -> None:
    dsn = f"postgresql://reader:S3cret-pw@127.0.0.1:{closed_port()}/orders"
    html = backend.post(URL, {"database_url": dsn}).content.decode()
    assert '<p class="dw-reason">Could not connect: ' in html
    assert "S3cret-pw" not in html
    assert "127.0.0.1" in html


def test_nothing_to_test_is_a_clear_message(backend: Client) -> None:
    html = backend.post(URL, {}).content.decode()
    assert "Give a database URL or an environment variable to test." in html


def test_a_variable_outside_the_allowed_names_is_refused(backend: Client, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://me:own-secret@127.0.0.1/driftwatch")
    html = backend.post(URL, {"database_url_env": "DATABASE_URL"}).content.decode()
    assert "Could not connect: " in html and "DATABASE_URL" in html
    assert "own-secret" not in html


def test_an_edit_form_left_empty_tests_the_stored_url(backend: Client, make_target,
                                                     sqlite_file: str) -> None:
    target = make_target(name="Shop", slug="shop", dsn=f"sqlite:///{sqlite_file}")
    html = backend.post(reverse("audits:target_test_connection", args=["shop"]),
                        {"database_url": ""}).content.decode()
    assert "Connected: SQLite file" in html
    assert target.pk


def test_mobile_and_anonymous_are_refused(mobile: Client, client: Client, make_target,
                                          sqlite_file: str) -> None:
    make_target(name="Shop", slug="shop", dsn=f"sqlite:///{sqlite_file}")
    for url in (URL, reverse("audits:target_test_connection", args=["shop"])):
        assert mobile.post(url, {"database_url": f"sqlite:///{sqlite_file}"}).status_code == 403
        response = client.post(url, {"database_url": f"sqlite:///{sqlite_file}"})
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    assert mobile.get(URL).status_code == 405
    assert Client().get(URL).status_code == 302


def test_get_is_not_allowed(backend: Client) -> None:
    assert backend.get(URL).status_code == 405


def test_keep_the_current_one_only_on_edit(backend: Client, make_target) -> None:
    new = backend.get(reverse("audits:target_create")).content.decode()
    assert "Leave empty to keep the current one" not in new
    assert 'id="test-connection"' in new
    make_target(name="Shop", slug="shop")
    edit = backend.get(reverse("audits:target_edit", args=["shop"])).content.decode()
    assert edit.count("Leave empty to keep the current one") == 1  # the URL; no webhook yet
