"""JSON API for mobile CI and scripts: ``Authorization: Bearer <token>`` (see audits.api.tokens).

Contract (all JSON; errors are ``{"error": "..."}``):
- ``GET  /api/v1/targets/<slug>/endpoints[?verdict=unsafe]`` -> 200
  ``{"target", "run", "scanned_at", "scan_error", "counts", "endpoints": [{route, methods, file,
  models, verdict, reasons, since, run}], "unresolved"}``
- ``GET  /api/v1/targets/<slug>/status`` -> 200 ``{"target", "name", "worst_status",
  "last_run", "last_success", "models": [{model, table, schema, status}], "endpoints"}``
- ``POST /api/v1/targets/<slug>/audits`` -> 202 ``{"run", "status", "url"}``: needs a token that
  is not read-only, of a backend-role user. When the task broker cannot be reached, the run is
  stored failed and the answer is 503 with the same keys and the run's ``"error"``.
No token or an unknown/revoked one -> 401 (with ``WWW-Authenticate: Bearer``); a read-only token
or a read-only role on the write -> 403; an unknown target -> 404; a bad ``verdict`` -> 400.
Exempt from the login-required middleware and from CSRF: the token is the credential, and a
browser never sends it on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from audits.core.models import AuditRun, Target
from audits.core.records import statuses_of
from audits.endpoints import services as endpoints
from audits.targets import services
from config.roles import can_write

from . import tokens

View = Callable[..., HttpResponse]


def error(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="driftwatch"'
    return response


def token_required(*, write: bool = False) -> Callable[[View], View]:
    """Authenticate the bearer token; ``write`` also needs a full token of a writing role."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            raw = tokens.bearer_token(request.headers.get("Authorization", ""))
            if not raw:
                return error(401, "send a token: Authorization: Bearer <token>")
            token = tokens.authenticate(raw)
            if token is None:
                return error(401, "the token is unknown or revoked")
            if write and token.read_only:
                return error(403, "this token is read-only")
            if write and not can_write(token.user):
                return error(403, "your role may read but not change anything")
            request.user = token.user
            request.api_token = token  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return csrf_exempt(login_not_required(wrapper))

    return decorate


def _target(slug: str) -> Target | None:
    return Target.objects.filter(slug=slug).first()


def _run(run: AuditRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {"id": run.pk, "status": run.status, "worst_status": run.worst_status,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None}


@token_required()
@require_GET
def target_endpoints(request: HttpRequest, slug: str) -> HttpResponse:
    # one query after the token's: the target with its scan, whose payload holds the list
    target = Target.objects.select_related("endpoint_scan").only(
        "pk", "slug", *(f"endpoint_scan__{name}" for name in SCAN_FIELDS)).filter(
        slug=slug).first()
    if target is None:
        return error(404, f"no target {slug}")
    verdict = request.GET.get("verdict", "")
    if verdict and verdict not in endpoints.VERDICTS:
        return error(400, f"verdict is one of {', '.join(endpoints.VERDICTS)}")
    scan = getattr(target, "endpoint_scan", None)
    return JsonResponse({
        "target": target.slug,
        "run": scan.run_id if scan else None,
        "scanned_at": scan.scanned_at.isoformat() if scan and scan.scanned_at else None,
        "scan_error": scan.error if scan else "",
        "counts": scan.counts if scan else {},
        "endpoints": endpoints.api_endpoints(target, scan, verdict=verdict),
        "unresolved": scan.unresolved if scan else [],
    })


SCAN_FIELDS = ("run", "scanned_at", "error", "counts", "unresolved", "payload")


@token_required()
@require_GET
def target_status(request: HttpRequest, slug: str) -> HttpResponse:
    target = Target.objects.select_related("last_run", "last_success").filter(slug=slug).first()
    if target is None:
        return error(404, f"no target {slug}")
    models = []
    if target.last_success_id:
        models = [{"model": row.model, "table": row.table, "schema": row.schema,
                   "status": row.status}
                  for row in statuses_of(target.last_success).filter(object_type="table")
                  .order_by("-status_rank", "table")]
    scan = endpoints.scan_of(target)
    return JsonResponse({
        "target": target.slug, "name": target.name,
        "worst_status": target.worst_status or "unknown",
        "last_run": _run(target.last_run), "last_success": _run(target.last_success),
        "models": models, "endpoints": scan.counts if scan else {},
    })


@token_required(write=True)
@require_POST
def request_audit(request: HttpRequest, slug: str) -> HttpResponse:
    target = _target(slug)
    if target is None:
        return error(404, f"no target {slug}")
    run = services.request_audit(target, request.user, trigger="api")
    answer: dict[str, Any] = {
        "run": run.pk, "status": run.status,
        "url": request.build_absolute_uri(reverse("audits:run", args=[target.slug, run.pk])),
    }
    if run.status == AuditRun.State.FAILED:  # just created and failed: the broker is down
        return JsonResponse({**answer, "error": run.error}, status=503)
    return JsonResponse(answer, status=202)
