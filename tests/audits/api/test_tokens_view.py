"""The API tokens page: each user creates (shown once) and revokes their own tokens."""

from __future__ import annotations

import re

import pytest

from audits.api import tokens
from audits.api.models import ApiToken

pytestmark = pytest.mark.django_db


def created_token(html: str) -> str:
    match = re.search(r'<pre id="new-token">(dw_[\w-]+)</pre>', html)
    assert match, "the new token is shown"
    return match.group(1)


def test_create_shows_the_token_once_and_stores_its_hash(backend, backend_user):
    response = backend.post("/account/tokens/", {"name": "deploy", "read_only": ""})
    raw = created_token(response.content.decode())
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.read_only) == (backend_user, "deploy", False)
    assert token.token_hash == tokens.hash_token(raw)
    again = backend.get("/account/tokens/").content.decode()
    assert raw not in again and f"<code>{raw[:10]}…</code>" in again
    assert "read and write" in again


def test_read_only_checkbox(backend):
    backend.post("/account/tokens/", {"name": "ci", "read_only": "1"})
    assert ApiToken.objects.get().read_only


def test_mobile_users_get_read_only_tokens(mobile, mobile_user):
    response = mobile.post("/account/tokens/", {"name": "mobile CI"})
    assert response.status_code == 200
    created_token(response.content.decode())
    assert ApiToken.objects.get(user=mobile_user).read_only


def test_name_is_required(backend):
    html = backend.post("/account/tokens/", {"name": " "}).content.decode()
    assert "Name the token after what uses it" in html and not ApiToken.objects.exists()


def test_revoke_only_your_own(backend, backend_user, mobile, mobile_user):
    mine, _ = tokens.create_token(backend_user, name="a")
    theirs, _ = tokens.create_token(mobile_user, name="b")
    assert mobile.post(f"/account/tokens/{mine.pk}/revoke/").status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is None
    backend.post(f"/account/tokens/{mine.pk}/revoke/")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None
    assert "revoked" in backend.get("/account/tokens/").content.decode()


def test_token_list_is_per_user(backend, backend_user, mobile_user):
    tokens.create_token(mobile_user, name="someone-elses")
    assert "someone-elses" not in backend.get("/account/tokens/").content.decode()


def test_anonymous_cannot_create(client):
    response = client.post("/account/tokens/", {"name": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not ApiToken.objects.exists()
