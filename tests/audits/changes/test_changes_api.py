"""GET /api/v1/targets/<slug>/changes and POST /api/v1/targets/<slug>/decode: bearer tokens
(read-only ones too), no CSRF, JSON errors."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from audits.api import tokens
from audits.core.models import Target
from tests.audits.changes.fixtures import *  # noqa: F403 — the seed fixtures
from tests.audits.changes.fixtures import version_refs

pytestmark = pytest.mark.django_db

CHANGES = "/api/v1/targets/marketplace/changes"
DECODE = "/api/v1/targets/marketplace/decode"


@pytest.fixture
def ro_token(mobile_user) -> str:
    return tokens.create_token(mobile_user, name="log pipeline", read_only=True)[1]


def auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_no_token_is_401(guide_target: Target) -> None:
    assert Client().get(CHANGES).status_code == 401
    response = Client(enforce_csrf_checks=True).post(DECODE, "x", content_type="text/plain")
    assert response.status_code == 401
    assert response.json() == {"error": "send a token: Authorization: Bearer <token>"}


def test_unknown_target_is_404(db, ro_token: str) -> None:
    response = Client().get("/api/v1/targets/nowhere/changes", **auth(ro_token))
    assert (response.status_code, response.json()) == (404, {"error": "no target nowhere"})


def test_changes_between_two_versions(guide_target: Target, ro_token: str) -> None:
    refs = version_refs(guide_target)
    response = Client().get(CHANGES, {"from": refs["pre-incident"], "to": refs["current"]},
                            **auth(ro_token))
    assert response.status_code == 200
    document = response.json()
    assert list(document) == ["target", "from", "to", "from_label", "to_label", "changes"]
    assert (document["target"], document["from"], document["to"]) == (
        "marketplace", refs["pre-incident"], refs["current"])
    assert len(document["changes"]) == 31
    assert document["changes"][0] == {
        "kind": "field_removed", "model": "Booking", "field": "orders", "enum": None,
        "value": None, "from": "Order[]", "to": None, "probable": False, "impact": "breaking",
        "message": "Booking.orders was removed: code that reads or writes it fails.",
        "endpoints": ["GET /api/bookings", "POST /api/bookings"]}
    # without versions: the previous and the newest
    default = Client().get(CHANGES, **auth(ro_token)).json()
    assert (default["from"], default["to"]) == (refs["pre-incident"], refs["current"])


def test_bad_version_is_400(guide_target: Target, ro_token: str) -> None:
    response = Client().get(CHANGES, {"from": "HEAD", "to": "v1"}, **auth(ro_token))
    assert response.status_code == 400
    assert response.json() == {"error": "'HEAD' is not a version: use v<id> or git:<sha>"}


def test_decode_with_a_read_only_token_and_no_csrf(guide_target: Target, ro_token: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(DECODE, json.dumps({
        "error": "SELECT query attempted to include a column User.username not found in "
                 "database"}), content_type="application/json", **auth(ro_token))
    assert response.status_code == 200
    document = response.json()
    assert list(document) == ["error", "findings", "endpoints", "fix", "explanation"]
    assert [(f["kind"], f["table"], f["column"]) for f in document["findings"]] == [
        ("missing_column", "User", "username")]
    assert "POST /api/auth/google" in document["endpoints"]
    assert '"username"' in document["fix"]
    plain = client.post(DECODE, 'relation "Review" does not exist', content_type="text/plain",
                        **auth(ro_token)).json()
    assert plain["findings"][0]["kind"] == "missing_table"


def test_decode_errors_are_400(guide_target: Target, ro_token: str) -> None:
    client = Client()
    bad_json = client.post(DECODE, "{nope", content_type="application/json", **auth(ro_token))
    assert bad_json.json() == {"error": 'send {"error": "<the error as the log shows it>"}'}
    empty = client.post(DECODE, json.dumps({"error": ""}), content_type="application/json",
                        **auth(ro_token))
    assert (empty.status_code, empty.json()) == (400, {"error": "paste an error first"})
    assert client.get(DECODE, **auth(ro_token)).status_code == 405
