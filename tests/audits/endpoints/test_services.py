"""Endpoint records and verdicts on the seed: computed after each audit, with exact reasons,
the deciding run and verdict_since; a scan failure never fails the audit."""

from __future__ import annotations

import pytest

from audits import seed
from audits.core.models import AuditRun
from audits.endpoints import services as endpoints
from audits.endpoints.models import Endpoint, EndpointScan
from audits.targets import services
from tests.audits.endpoints.fixtures import *  # noqa: F403 — the seed fixtures
from tests.audits.endpoints.fixtures import audit, expected_reasons, expected_verdicts

pytestmark = pytest.mark.django_db


def verdicts(target) -> dict[str, str]:
    return {row.key: row.verdict for row in Endpoint.objects.filter(target=target)}


def reasons(target) -> dict[str, set[str]]:
    return {row.key: set(row.reasons) for row in Endpoint.objects.filter(target=target)
            if row.verdict == "unsafe"}


def test_post_reset_sqlite_verdicts_and_exact_reasons(sqlite_seed_target):
    target = sqlite_seed_target
    assert verdicts(target) == expected_verdicts("post_reset")
    assert reasons(target) == expected_reasons()
    google = Endpoint.objects.get(target=target, route="/api/auth/google")
    assert google.reasons == [f"User.{c} is missing" for c in sorted(seed.MISSING_USER_COLUMNS)]
    assert google.decided_by_run_id == target.last_success_id
    assert google.prefix == "/api/auth" and google.methods == ["POST"]
    assert google.file == "app/api/auth/google/route.ts"
    assert google.models == ["Account", "User"]
    stats = Endpoint.objects.get(target=target, route="/api/admin/stats")
    assert stats.verdict == "unknown" and len(stats.reasons) == 1
    scan = EndpointScan.objects.get(target=target)
    assert scan.error == "" and scan.unresolved == [] and scan.run_id == target.last_success_id
    assert scan.counts == {"safe": 8, "degraded": 0, "unknown": 1, "unsafe": 20}


def test_after_fixes_all_safe_but_admin_stats_and_since_kept(sqlite_seed_target,
                                                                sqlite_fixed_dsn):
    target = sqlite_seed_target
    first = {row.key: row for row in Endpoint.objects.filter(target=target)}
    services.save_target(target, dsn=sqlite_fixed_dsn)
    second_run = audit(target)
    now = {row.key: row for row in Endpoint.objects.filter(target=target)}
    assert {k: r.verdict for k, r in now.items()} == expected_verdicts("after_fixes")
    assert set(now) == set(first)  # same identities: rows updated, not replaced
    assert {r.pk for r in now.values()} == {r.pk for r in first.values()}
    for key, row in now.items():
        assert row.decided_by_run_id == second_run.pk
        if first[key].verdict == row.verdict:
            assert row.verdict_since == first[key].verdict_since, key
        else:
            assert row.verdict_since > first[key].verdict_since, key
            assert row.reasons == []


def test_post_reset_and_fixed_postgresql(pg_seed_target):
    target = pg_seed_target
    assert verdicts(target) == expected_verdicts("post_reset")
    assert reasons(target) == expected_reasons()
    target.fix()
    audit(target)
    assert verdicts(target) == expected_verdicts("after_fixes")


def test_overrides_apply_before_verdicts(sqlite_seed_target, backend_user):
    target = sqlite_seed_target
    endpoints.add_override(target, route="/api/health", model="Review", action="add",
                           reason="reads the review count", author=backend_user)
    health = Endpoint.objects.get(target=target, route="/api/health")
    assert health.verdict == "unsafe" and health.models == ["Review"]
    assert health.reasons == ['table "Review" does not exist (model Review)']
    endpoints.add_override(target, route="/api/contact", method="POST", model="ContactSubmission",
                           action="remove", reason="feature flag off", author=backend_user)
    contact = Endpoint.objects.get(target=target, route="/api/contact")
    assert contact.verdict == "safe" and contact.models == []
    override = target.endpoint_overrides.get(model="Review")
    assert override.author == backend_user and override.reason == "reads the review count"
    endpoints.delete_override(target, override.pk, author=backend_user)
    assert Endpoint.objects.get(target=target, route="/api/health").verdict == "safe"


def test_override_validation(sqlite_seed_target, backend_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        endpoints.add_override(sqlite_seed_target, route="api/x", model="Nope", action="swap",
                               reason="", author=backend_user)
    assert set(info.value.message_dict) == {"route", "model", "action", "reason"}


def test_scan_failure_never_fails_the_audit(sqlite_seed_target, tmp_path):
    target = sqlite_seed_target
    target.code_path = str(tmp_path / "gone")
    target.save(update_fields=["code_path"])
    run = audit(target)
    assert run.status == AuditRun.State.SUCCEEDED
    scan = EndpointScan.objects.get(target=target)
    assert scan.error == f"the code path {tmp_path / 'gone'} is not a folder"
    assert scan.error_at is not None
    # the endpoints of the last good scan stay, with their verdicts
    assert Endpoint.objects.filter(target=target).count() == 29


def test_rescan_without_audit_lists_endpoints_as_unknown(db):
    target = services.create_target(
        name="New", slug="new", dsn="sqlite:////tmp/nonexistent.db",
        schema_files=services.read_schema_files(seed.SQLITE_SCHEMA_PATH),
        code_path=str(seed.BACKEND_DIR))
    scan = endpoints.rescan(target)
    assert scan.run is None and scan.counts["unknown"] == 29
    google = Endpoint.objects.get(target=target, route="/api/auth/google")
    assert google.reasons == [endpoints.NO_AUDIT_REASON]


@pytest.mark.parametrize(("route", "prefix", "slug"), [
    ("/api/auth/google", "/api/auth", "api-auth"),
    ("/api/health", "/api/health", "api-health"),
    ("/api/:id/x", "/api", "api"),
    ("/", "/", "root"),
])
def test_prefix_of(route, prefix, slug):
    assert endpoints.prefix_of(route) == prefix
    assert endpoints.prefix_slug(prefix) == slug


def test_override_must_name_a_scanned_route_and_method(sqlite_seed_target, backend_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        endpoints.add_override(sqlite_seed_target, route="/api/nope", model="User",
                               action="add", reason="r", author=backend_user)
    assert info.value.message_dict == {"route": ["No scanned endpoint has the route /api/nope."]}
    with pytest.raises(ValidationError) as info:
        endpoints.add_override(sqlite_seed_target, route="/api/contact", method="DELETE",
                               model="User", action="add", reason="r", author=backend_user)
    assert info.value.message_dict == {"route": ["/api/contact has no DELETE handler."]}
    # a handler of every method (Pages Router) is one endpoint: no method to single out
    with pytest.raises(ValidationError) as info:
        endpoints.add_override(sqlite_seed_target, route="/api/health", method="DELETE",
                               model="User", action="add", reason="r", author=backend_user)
    assert info.value.message_dict == {
        "route": ["/api/health is one handler for every method: leave the method empty."]}
    endpoints.add_override(sqlite_seed_target, route="/api/reviews", method="GET",
                           model="Order", action="add", reason="r", author=backend_user)
    reviews = {row.method_key: row.models
               for row in Endpoint.objects.filter(target=sqlite_seed_target, route="/api/reviews")}
    assert reviews == {"GET": ["Order", "Review", "User"], "POST": ["Product", "Review", "User"]}
