"""SVG badges per target and per route prefix. They are embedded in READMEs, so they need a
logged-in session or a READ-ONLY token in ?token= (a token that can write is refused in a URL)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from audits.api import tokens
from audits.targets import services
from tests.audits.endpoints.fixtures import *  # noqa: F403 — the seed fixtures
from tests.audits.endpoints.fixtures import audit

pytestmark = pytest.mark.django_db


def label(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode())
    assert match
    return match.group(1)


@pytest.fixture
def ro_token(mobile_user) -> str:
    return tokens.create_token(mobile_user, name="readme")[1]


def test_target_badge_with_read_only_token(sqlite_seed_target, ro_token):
    response = Client().get(f"/badges/marketplace.svg?token={ro_token}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert label(response) == "endpoints: 20 unsafe"
    assert 'fill="#e05d44"' in response.content.decode()
    assert response.content.decode().startswith('<svg xmlns="http://www.w3.org/2000/svg"')


def test_prefix_badges(sqlite_seed_target, ro_token):
    client = Client()
    assert label(client.get(f"/badges/marketplace/api-auth.svg?token={ro_token}")) == \
        "/api/auth: 1 unsafe"
    assert label(client.get(f"/badges/marketplace/api-products.svg?token={ro_token}")) == \
        "/api/products: 3 safe"
    assert label(client.get(f"/badges/marketplace/api-admin.svg?token={ro_token}")) == \
        "/api/admin: 1 unknown"
    assert client.get(f"/badges/marketplace/api-nope.svg?token={ro_token}").status_code == 404


def test_badge_after_fixes(sqlite_seed_target, sqlite_fixed_dsn, ro_token):
    services.save_target(sqlite_seed_target, dsn=sqlite_fixed_dsn)
    audit(sqlite_seed_target)
    client = Client()
    assert label(client.get(f"/badges/marketplace/api-auth.svg?token={ro_token}")) == \
        "/api/auth: 1 safe"
    assert label(client.get(f"/badges/marketplace.svg?token={ro_token}")) == \
        "endpoints: 1 unknown"


def test_session_is_enough(sqlite_seed_target, mobile):
    assert mobile.get("/badges/marketplace.svg").status_code == 200


def test_no_token_bad_token_or_write_token_is_401(sqlite_seed_target, backend_user):
    client = Client()
    write_token = tokens.create_token(backend_user, name="deploy", read_only=False)[1]
    for query in ("", "?token=dw_nope", f"?token={write_token}"):
        response = client.get(f"/badges/marketplace.svg{query}")
        assert response.status_code == 401, query
        assert label(response) == "endpoints: token needed"


def test_unknown_target_is_404(db, ro_token):
    response = Client().get(f"/badges/nope.svg?token={ro_token}")
    assert response.status_code == 404 and label(response) == "endpoints: no such target"
