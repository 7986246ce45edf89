"""Who may read and write what: every route of the URLconf × anonymous, mobile, backend, staff.

The routes are read from the URLconf, so a new route without an entry in MATRIX fails
`test_every_route_has_an_entry`. Each entry says, for GET and for POST (an empty form: what is
checked is who gets in, not the form), what each role gets:

- `login`: sent to the login page (anonymous on a page that needs a session);
- `denied`: 403 (a read-only role on a write), `token`: 401 (the JSON API and badges without a
  token), `method`: 405 (the route does not take that method);
- `ok`: let in: any answer below 500 other than those (a page, a redirect, form errors).

No answer may be a 500. The admin is one entry: every admin page is for staff only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audits.api import tokens
from audits.core import crypto, snapshots
from audits.engine.model import Schema
from audits.models import AuditRun, EndpointOverride, EndpointRescan, Target
from recovery.models import ActionItem, Incident, TimelineEntry

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "mobile", "backend", "staff")


# Policies: for each role, (what GET gets, what POST gets).
def policy(anonymous: tuple[str, str], mobile: tuple[str, str], backend: tuple[str, str],
           staff: tuple[str, str]) -> dict[str, tuple[str, str]]:
    return {"anonymous": anonymous, "mobile": mobile, "backend": backend, "staff": staff}


LOGGED_OUT = ("login", "login")
PUBLIC = policy(("ok", "ok"), ("ok", "ok"), ("ok", "ok"), ("ok", "ok"))
LOGOUT = policy(LOGGED_OUT, ("method", "login"), ("method", "login"), ("method", "login"))
READ_PAGE = policy(LOGGED_OUT, ("ok", "method"), ("ok", "method"), ("ok", "method"))
WRITE_FORM = policy(LOGGED_OUT, ("denied", "denied"), ("ok", "ok"), ("ok", "ok"))
WRITE_POST = policy(LOGGED_OUT, ("method", "denied"), ("method", "ok"), ("method", "ok"))
# Anyone signed in may comment on an incident, the read-only mobile role included.
COMMENT = policy(LOGGED_OUT, ("method", "ok"), ("method", "ok"), ("method", "ok"))
OWN_TOKENS = policy(LOGGED_OUT, ("ok", "ok"), ("ok", "ok"), ("ok", "ok"))
OWN_TOKEN_REVOKE = policy(LOGGED_OUT, ("method", "ok"), ("method", "ok"), ("method", "ok"))
# The JSON API takes a bearer token only (no session); a read-only token may not write.
API_READ = policy(("token", "token"), ("ok", "method"), ("ok", "method"), ("ok", "method"))
API_WRITE = policy(("token", "token"), ("denied", "denied"), ("method", "ok"), ("method", "ok"))
# Decoding an error message is a read posted as a form: any signed-in role, any token.
DECODE = policy(LOGGED_OUT, ("method", "ok"), ("method", "ok"), ("method", "ok"))
API_DECODE = policy(("token", "token"), ("method", "ok"), ("method", "ok"), ("method", "ok"))
# Badges take a read-only token in ?token= or a session.
BADGE = policy(("token", "method"), ("ok", "method"), ("ok", "method"), ("ok", "method"))
STAFF_ONLY = policy(LOGGED_OUT, LOGGED_OUT, LOGGED_OUT, ("ok", "ok"))

MATRIX: dict[str, dict[str, tuple[str, str]]] = {
    "login": PUBLIC,
    "logout": LOGOUT,
    "admin:*": STAFF_ONLY,
    "recovery:incident_list": READ_PAGE,
    "recovery:incident_create": WRITE_FORM,
    "recovery:incident_detail": READ_PAGE,
    "recovery:incident_edit": WRITE_FORM,
    "recovery:incident_status": WRITE_POST,
    "recovery:incident_severity": WRITE_POST,
    "recovery:log_step": WRITE_POST,
    "recovery:step_edit": WRITE_FORM,
    "recovery:step_remove": WRITE_POST,
    "recovery:comment_add": COMMENT,
    "recovery:commit_add": WRITE_POST,
    "recovery:migration_add": WRITE_POST,
    "recovery:data_loss_add": WRITE_POST,
    "recovery:action_add": WRITE_POST,
    "recovery:action_toggle": WRITE_POST,
    "recovery:postmortem": READ_PAGE,
    "recovery:postmortem_markdown": READ_PAGE,
    "audits:overview": READ_PAGE,
    "audits:target_create": WRITE_FORM,
    "audits:target": READ_PAGE,
    "audits:target_edit": WRITE_FORM,
    "audits:test_connection": WRITE_POST,
    "audits:target_test_connection": WRITE_POST,
    "audits:audit_now": WRITE_POST,
    "audits:table_findings": READ_PAGE,
    "audits:run_history": READ_PAGE,
    "audits:run": READ_PAGE,
    "audits:run_progress": READ_PAGE,
    "audits:set_baseline": WRITE_POST,
    "audits:fix_migration": READ_PAGE,
    "audits:fix_migration_sql": READ_PAGE,
    "audits:fix_migration_zip": READ_PAGE,
    "audits:compare": READ_PAGE,
    "audits:incident_panel": READ_PAGE,
    "audits:endpoints": READ_PAGE,
    "audits:target_endpoints": READ_PAGE,
    "audits:endpoints_rescan": WRITE_POST,
    "audits:endpoints_rescan_progress": READ_PAGE,
    "audits:endpoint_override_add": WRITE_POST,
    "audits:endpoint_override_delete": WRITE_POST,
    "audits:tokens": OWN_TOKENS,
    "audits:token_revoke": OWN_TOKEN_REVOKE,
    "audits:target_badge": BADGE,
    "audits:prefix_badge": BADGE,
    "audits:api_endpoints": API_READ,
    "audits:api_status": API_READ,
    "audits:api_audits": API_WRITE,
    "audits:target_migrations": READ_PAGE,
    "audits:target_changes": READ_PAGE,
    "audits:target_changes_md": READ_PAGE,
    "audits:target_decode": DECODE,
    "audits:vital_signs": READ_PAGE,
    "audits:vital_signs_thresholds": WRITE_POST,
    "audits:api_changes": API_READ,
    "audits:api_decode": API_DECODE,
    "audits:target_three_way": READ_PAGE,
    "audits:incident_migrations": READ_PAGE,
}


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or "admin:*" for every admin page
    pattern: str


def urlconf_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or namespace
                if inner == "admin":
                    routes.append(Route("admin:*", prefix + str(entry.pattern)))
                    continue
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
                routes.append(Route(name, prefix + str(entry.pattern)))

    walk(get_resolver().url_patterns, "", None)
    return routes


@dataclass
class World:
    """One object of each kind a route names, and a client per role."""

    urls: dict[str, list[str]]
    tokens: dict[str, str]
    users: dict[str, User | None]


@pytest.fixture
def world() -> World:
    users: dict[str, User | None] = {"anonymous": None}
    for role in ("mobile", "backend"):
        user = User.objects.create_user(f"matrix-{role}", password="pw-for-tests-only")
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        users[role] = user
    users["staff"] = User.objects.create_superuser("matrix-staff", password="pw-for-tests-only")
    raw_tokens = {role: tokens.create_token(user, name="matrix", read_only=role == "mobile")[1]
                  for role, user in users.items() if user is not None}

    incident = Incident.objects.create(title="Matrix incident", slug="matrix-incident")
    item = ActionItem.objects.create(incident=incident, title="Check backups")
    step = TimelineEntry.objects.create(incident=incident, body="Restored `Order`",
                                        author=users["backend"])
    target = Target.objects.create(name="Matrix target", slug="matrix-target", dialect="sqlite",
                                   dsn_encrypted=crypto.encrypt("sqlite:///nowhere.db"))
    target.incidents.add(incident)
    empty, _ = snapshots.store(Schema(dialect="sqlite"), Schema(dialect="sqlite"))
    run = AuditRun.objects.create(target=target, status="succeeded", live_snapshot_id=empty,
                                  expected_snapshot_id=empty, worst_status="ok")
    rescan = EndpointRescan.objects.create(target=target, status="failed", error="no code")
    override = EndpointOverride.objects.create(target=target, route="/api/x", model="User",
                                               reason="matrix")
    # A token of staff's own that the revoke route may revoke (not the one the API uses).
    token_row = tokens.create_token(users["staff"], name="to revoke")[0]
    slug, run_id = target.slug, run.pk
    named = {
        "recovery": {"slug": incident.slug, "pk": item.pk},
        "audits": {"slug": slug, "run_id": run_id, "schema": "main", "table": "User",
                   "incident_slug": incident.slug, "rescan_id": rescan.pk,
                   "override_id": override.pk, "token_id": token_row.pk, "prefix": "api-auth"},
    }
    # Where a route's `pk` is not an action item.
    route_kwargs = {"recovery:step_edit": {"pk": step.pk}, "recovery:step_remove": {"pk": step.pk}}
    urls: dict[str, list[str]] = {}
    for route in urlconf_routes():
        if route.key == "admin:*":
            admin_urls = [reverse("admin:index")]
            for model in admin.site._registry:
                meta = model._meta
                admin_urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
            urls[route.key] = admin_urls
            continue
        namespace = route.key.split(":")[0] if ":" in route.key else ""
        kwargs = {name: value for name, value in named.get(namespace, {}).items()
                  if f"<{name}>" in route.pattern or f":{name}>" in route.pattern}
        kwargs.update(route_kwargs.get(route.key, {}))
        urls[route.key] = [reverse(route.key, kwargs=kwargs)]
    return World(urls=urls, tokens=raw_tokens, users=users)


def outcome(response: Any) -> str:
    status = response.status_code
    assert status < 500, (status, response.content[:500])
    location = response.get("Location", "")
    if status in (301, 302) and (location.startswith("/login/")
                                 or location.startswith("/admin/login/")):
        return "login"
    return {401: "token", 403: "denied", 405: "method"}.get(status, "ok")


def request(world: World, role: str, method: str, url: str) -> str:
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    headers = {}
    if url.startswith("/api/") and role != "anonymous":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[role]}"
    send = client.get if method == "GET" else client.post
    return outcome(send(url, **headers))


def actual_matrix(world: World) -> dict[str, dict[str, tuple[str, str]]]:
    result: dict[str, dict[str, tuple[str, str]]] = {}
    for key, urls in world.urls.items():
        per_role = {}
        for role in ROLES:
            seen = {(request(world, role, "GET", url), request(world, role, "POST", url))
                    for url in urls}
            assert len(seen) == 1, (key, role, seen)
            per_role[role] = seen.pop()
        result[key] = per_role
    return result


def test_every_route_has_an_entry() -> None:
    missing = sorted({route.key for route in urlconf_routes()} - set(MATRIX))
    assert not missing, f"routes without an entry in MATRIX: {missing}"
    stale = sorted(set(MATRIX) - {route.key for route in urlconf_routes()})
    assert not stale, f"MATRIX entries for routes that no longer exist: {stale}"


def test_every_role_gets_exactly_what_the_matrix_says(world: World) -> None:
    actual = actual_matrix(world)
    if os.environ.get("DRIFTWATCH_PRINT_MATRIX"):
        for key, roles in actual.items():
            print(f"    {key!r}: {roles},")
    wrong = {key: {role: (MATRIX.get(key, {}).get(role), got) for role, got in roles.items()
                   if MATRIX.get(key, {}).get(role) != got}
             for key, roles in actual.items()}
    assert not {key: diff for key, diff in wrong.items() if diff}
