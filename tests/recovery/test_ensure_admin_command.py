"""`manage.py ensure_admin`: the first superuser, from the environment or a random password."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name in ("DRIFTWATCH_ADMIN_PASSWORD", "DRIFTWATCH_ADMIN_USERNAME",
                 "DRIFTWATCH_ADMIN_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    return out.getvalue()


def test_random_password_is_printed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    output = run(monkeypatch)
    match = re.fullmatch(
        r"Created superuser admin with password: (\S+)\nThis is the only time it is shown: "
        r"log in and change it, or set DRIFTWATCH_ADMIN_PASSWORD before the first start.\n",
        output,
    )
    assert match, output
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(match.group(1))
    assert len(match.group(1)) >= 20
    assert run(monkeypatch) == "A superuser exists (admin): nothing to do.\n"
    assert User.objects.count() == 1


def test_password_from_the_environment_is_not_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    output = run(monkeypatch, DRIFTWATCH_ADMIN_PASSWORD="a long chosen passphrase",
                 DRIFTWATCH_ADMIN_USERNAME="root-admin", DRIFTWATCH_ADMIN_EMAIL="ops@example.com")
    assert output == ("Created superuser root-admin with the password from "
                      "DRIFTWATCH_ADMIN_PASSWORD.\n")
    admin = User.objects.get(username="root-admin")
    assert admin.check_password("a long chosen passphrase")
    assert admin.email == "ops@example.com"


def test_an_existing_superuser_keeps_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    User.objects.create_superuser("boss", password="kept-password-1")
    output = run(monkeypatch, DRIFTWATCH_ADMIN_PASSWORD="another passphrase")
    assert output == "A superuser exists (boss): nothing to do.\n"
    assert User.objects.get(username="boss").check_password("kept-password-1")
    assert not User.objects.filter(username="admin").exists()


def test_a_short_password_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CommandError) as error:
        run(monkeypatch, DRIFTWATCH_ADMIN_PASSWORD="short")
    assert str(error.value) == (
        "DRIFTWATCH_ADMIN_PASSWORD is refused: This password is too short. "
        "It must contain at least 8 characters."
    )
    assert not User.objects.exists()


def test_a_plain_user_named_admin_is_not_promoted(monkeypatch: pytest.MonkeyPatch) -> None:
    User.objects.create_user("admin", password="plain-user-pw")
    with pytest.raises(CommandError) as error:
        run(monkeypatch)
    assert "A user named 'admin' exists but is not a superuser" in str(error.value)
    assert not User.objects.filter(is_superuser=True).exists()
