"""config/sessions.py and the group names of config/roles.py: the plain-SQL reads every page
makes answer exactly what Django's ORM reads did."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.roles import can_write, group_names, role_label
from config.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_stored_session_reads_back_what_was_saved() -> None:
    store = SessionStore()
    store["answer"] = {"n": 42, "words": ["drift", "watch"]}
    store.save()
    assert SessionStore(store.session_key).load() == {
        "answer": {"n": 42, "words": ["drift", "watch"]}}


def test_an_expired_session_is_empty_and_forgets_its_key() -> None:
    store = SessionStore()
    store["answer"] = 1
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1))
    again = SessionStore(store.session_key)
    assert again.load() == {}
    assert again.session_key is None


def test_an_unknown_or_missing_key_is_empty() -> None:
    unknown = SessionStore("no-such-session-key-0123456789abcdef")
    assert unknown.load() == {}
    assert unknown.session_key is None
    assert SessionStore().load() == {}


def test_a_login_is_kept_and_a_logout_ends_it(backend_user: User) -> None:
    client = Client()
    client.force_login(backend_user)
    assert client.get(reverse("audits:overview")).status_code == 200
    key = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key  # the old cookie, replayed
    response = client.get(reverse("audits:overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_group_names_are_the_users_groups_read_once(
        django_assert_num_queries: object) -> None:
    user = User.objects.create_user("two-hats")
    user.groups.add(Group.objects.create(name="backend"), Group.objects.create(name="ops"))
    Group.objects.create(name="mobile")  # not theirs
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert group_names(user) == frozenset({"backend", "ops"})
        assert can_write(user)
        assert role_label(user) == "backend team"


def test_no_group_no_write() -> None:
    user = User.objects.create_user("nobody")
    assert group_names(user) == frozenset()
    assert not can_write(user)
    assert role_label(user) == "no team"
