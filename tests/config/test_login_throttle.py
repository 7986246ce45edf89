"""Login throttling (django-axes): ten wrong passwords, then even the right one is refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-password-1"


@pytest.fixture
def user() -> User:
    return User.objects.create_user("bea", password=PASSWORD)


def log_in(client: Client, password: str, username: str = "bea"):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password})


def test_ten_wrong_passwords_then_the_right_one_is_refused(user: User) -> None:
    client = Client()
    for attempt in range(10):
        response = log_in(client, f"wrong-{attempt}")
        assert response.status_code in (200, 429)
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins for “bea” from your address" in page
    assert "(10 wrong passwords)" in page
    assert "blocked for\n    15 minutes, even with the right password" in page
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("audits:overview")).status_code == 302


def test_nine_wrong_passwords_still_let_the_right_one_in(user: User) -> None:
    client = Client()
    for attempt in range(9):
        assert log_in(client, f"wrong-{attempt}").status_code == 200
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_locked_user_does_not_lock_another(user: User) -> None:
    User.objects.create_user("cai", password=PASSWORD)
    client = Client()
    for attempt in range(11):
        log_in(client, f"wrong-{attempt}")
    assert log_in(client, PASSWORD).status_code == 429
    assert log_in(Client(), PASSWORD, username="cai").status_code == 302
