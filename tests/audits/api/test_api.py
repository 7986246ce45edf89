"""The JSON API with bearer tokens: 401 without or with a bad token, reads for any token
(a mobile user's included), the one write refused to read-only tokens and read-only roles,
and the seed's verdicts through it (post-reset, then after the fixes)."""

from __future__ import annotations

import pytest
from django.test import Client

from audits.api import tokens
from audits.api.models import ApiToken
from audits.core.models import AuditRun
from audits.targets import services
from tests.audits.endpoints.fixtures import *  # noqa: F403 — the seed fixtures
from tests.audits.endpoints.fixtures import audit, expected_reasons, expected_verdicts

pytestmark = pytest.mark.django_db


def get(path: str, token: str | None = None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().get(path, **headers, **extra)


def post(path: str, token: str | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client(enforce_csrf_checks=True).post(path, **headers)


def by_key(data: dict) -> dict[str, dict]:
    return {f"{','.join(e['methods'])} {e['route']}": e for e in data["endpoints"]}


@pytest.fixture
def mobile_token(mobile_user) -> str:
    return tokens.create_token(mobile_user, name="mobile CI", read_only=False)[1]


@pytest.fixture
def backend_ro_token(backend_user) -> str:
    return tokens.create_token(backend_user, name="dashboards", read_only=True)[1]


@pytest.fixture
def backend_rw_token(backend_user) -> str:
    return tokens.create_token(backend_user, name="deploy", read_only=False)[1]


ENDPOINTS = "/api/v1/targets/marketplace/endpoints"
STATUS = "/api/v1/targets/marketplace/status"
AUDITS = "/api/v1/targets/marketplace/audits"


@pytest.mark.parametrize("path", [ENDPOINTS, STATUS])
def test_no_token_or_bad_token_is_401_json(sqlite_seed_target, path):
    response = get(path)
    assert response.status_code == 401
    assert response.json() == {"error": "send a token: Authorization: Bearer <token>"}
    assert response["WWW-Authenticate"] == 'Bearer realm="driftwatch"'
    assert get(path, "dw_not-a-real-token").json() == {"error": "the token is unknown or revoked"}
    assert get(path, "dw_not-a-real-token").status_code == 401
    assert post(AUDITS).status_code == 401


def test_a_session_is_not_a_token(sqlite_seed_target, backend_client):
    assert backend_client.get(ENDPOINTS).status_code == 401


def test_mobile_token_reads_seed_verdicts(sqlite_seed_target, mobile_token, mobile_user):
    response = get(ENDPOINTS, mobile_token)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert {k: e["verdict"] for k, e in by_key(data).items()} == expected_verdicts("post_reset")
    assert {k: set(e["reasons"]) for k, e in by_key(data).items()
            if e["verdict"] == "unsafe"} == expected_reasons()
    google = by_key(data)["POST /api/auth/google"]
    assert google["run"] == sqlite_seed_target.last_success_id
    assert set(google) == {"route", "methods", "file", "models", "verdict", "reasons", "since",
                           "run"}
    assert data["counts"] == {"safe": 8, "degraded": 0, "unknown": 1, "unsafe": 20}
    assert data["target"] == "marketplace" and data["scan_error"] == ""
    # the token of a mobile user is read-only whatever was asked, and it was used just now
    token = ApiToken.objects.get(user=mobile_user)
    assert token.read_only and token.last_used_at is not None


def test_verdict_filter(sqlite_seed_target, mobile_token):
    data = get(ENDPOINTS + "?verdict=unknown", mobile_token).json()
    assert [(e["route"], e["verdict"]) for e in data["endpoints"]] == \
        [("/api/admin/stats", "unknown")]
    assert len(get(ENDPOINTS + "?verdict=safe", mobile_token).json()["endpoints"]) == 8
    bad = get(ENDPOINTS + "?verdict=fine", mobile_token)
    assert bad.status_code == 400
    assert bad.json() == {"error": "verdict is one of safe, degraded, unknown, unsafe"}


def test_after_fixes_all_safe_through_the_api(sqlite_seed_target, sqlite_fixed_dsn,
                                              mobile_token):
    services.save_target(sqlite_seed_target, dsn=sqlite_fixed_dsn)
    audit(sqlite_seed_target)
    data = get(ENDPOINTS, mobile_token).json()
    assert {k: e["verdict"] for k, e in by_key(data).items()} == expected_verdicts("after_fixes")


def test_postgresql_seed_through_the_api(pg_seed_target, backend_ro_token):
    path = "/api/v1/targets/marketplace-pg/endpoints"
    data = get(path, backend_ro_token).json()
    assert {k: e["verdict"] for k, e in by_key(data).items()} == expected_verdicts("post_reset")
    pg_seed_target.fix()
    audit(pg_seed_target)
    data = get(path, backend_ro_token).json()
    assert {k: e["verdict"] for k, e in by_key(data).items()} == expected_verdicts("after_fixes")


def test_status(sqlite_seed_target, backend_ro_token):
    data = get(STATUS, backend_ro_token).json()
    run = sqlite_seed_target.last_success
    assert data["target"] == "marketplace" and data["worst_status"] == "missing"
    assert data["last_run"]["id"] == data["last_success"]["id"] == run.pk
    assert data["last_success"]["status"] == "succeeded"
    models = {m["model"]: m["status"] for m in data["models"]}
    assert models["User"] == "broken" and models["SupplierProfile"] == "broken"
    assert models["Review"] == "missing" and models["Product"] == "ok"
    assert len(models) == 29
    assert data["endpoints"]["unsafe"] == 20


def test_unknown_target_is_404(db, backend_ro_token):
    response = get("/api/v1/targets/nope/endpoints", backend_ro_token)
    assert response.status_code == 404 and response.json() == {"error": "no target nope"}


def test_read_only_token_cannot_write(sqlite_seed_target, backend_ro_token):
    response = post(AUDITS, backend_ro_token)
    assert response.status_code == 403
    assert response.json() == {"error": "this token is read-only"}
    assert AuditRun.objects.filter(target=sqlite_seed_target).count() == 1


def test_mobile_role_cannot_write_even_with_a_full_token(sqlite_seed_target, mobile_user):
    token = tokens.create_token(mobile_user, name="x", read_only=False)[0]
    ApiToken.objects.filter(pk=token.pk).update(read_only=False)  # forced, as if by an admin
    raw = "dw_forced-full-token"
    ApiToken.objects.filter(pk=token.pk).update(token_hash=tokens.hash_token(raw))
    response = post(AUDITS, raw)
    assert response.status_code == 403
    assert response.json() == {"error": "your role may read but not change anything"}


def test_full_backend_token_requests_an_audit_without_csrf(sqlite_seed_target,
                                                           backend_rw_token, backend_user):
    response = post(AUDITS, backend_rw_token)
    assert response.status_code == 202
    run = AuditRun.objects.exclude(pk=sqlite_seed_target.last_success_id).get()
    assert response.json()["run"] == run.pk and run.trigger == "api"
    assert run.requested_by == backend_user
    assert response.json()["url"] == f"http://testserver/targets/marketplace/runs/{run.pk}/"


def test_revoked_token_is_401(sqlite_seed_target, backend_user):
    token, raw = tokens.create_token(backend_user, name="old", read_only=True)
    assert get(ENDPOINTS, raw).status_code == 200
    assert tokens.revoke_token(backend_user, token.pk)
    assert get(ENDPOINTS, raw).status_code == 401


def test_only_the_hash_is_stored(backend_user):
    token, raw = tokens.create_token(backend_user, name="ci", read_only=True)
    token.refresh_from_db()
    assert raw.startswith("dw_") and len(raw) > 40
    assert token.token_hash == tokens.hash_token(raw) and raw not in token.token_hash
    assert token.prefix == raw[:10]


@pytest.mark.django_db(transaction=True)  # committed at once, so the send happens in the request
def test_broker_down_is_503_with_the_runs_real_status(sqlite_seed_target, backend_rw_token):
    from tests.audits.targets.test_worker_integration import free_port, publishing_to

    with publishing_to(f"redis://127.0.0.1:{free_port()}/0"):
        response = post(AUDITS, backend_rw_token)
    run = AuditRun.objects.exclude(pk=sqlite_seed_target.last_success_id).get()
    assert response.status_code == 503
    assert response.json() == {
        "run": run.pk, "status": "failed", "error": run.error,
        "url": f"http://testserver/targets/marketplace/runs/{run.pk}/",
    }
    assert run.status == "failed"
    assert run.error.startswith("the task broker is unreachable, so the audit was never queued")
    assert not AuditRun.objects.filter(status__in=["queued", "running"]).exists()
