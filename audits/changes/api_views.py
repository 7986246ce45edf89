"""The change guide and the error decoder in the JSON API (token auth as in ``audits.api``).

- ``GET  /api/v1/targets/<slug>/changes?from=<version>&to=<version>`` -> 200 ``{"target",
  "from", "to", "from_label", "to_label", "changes": [{kind, model, field, enum, value, from,
  to, probable, impact, message, endpoints}]}``; a version is ``v<id>`` (a stored schema
  version) or ``git:<sha>``; without both, the previous and the newest stored version.
- ``POST /api/v1/targets/<slug>/decode`` with ``{"error": "..."}`` (or the error as a
  ``text/plain`` body) -> 200 ``{"error": {parts}, "findings", "endpoints", "fix",
  "explanation"}``, against the target's last successful audit. Read-only tokens may use it:
  it reads, for log pipelines.
Errors: 401 no/unknown token, 404 unknown target, 400 a bad version, an empty error, no audit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from audits.api.views import error, token_required
from audits.core.models import Target

from . import services


def with_target(view: Callable[[HttpRequest, Target], HttpResponse]) -> Callable[..., HttpResponse]:
    """Load the target by slug (404 JSON when there is none) and hand it to ``view``."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str) -> HttpResponse:
        target = Target.objects.only("pk", "slug", "schema_path", "last_success",
                                     "current_schema", "dialect").filter(slug=slug).first()
        if target is None:
            return error(404, f"no target {slug}")
        return view(request, target)

    return wrapper


@token_required()
@require_GET
@with_target
def changes(request: HttpRequest, target: Target) -> HttpResponse:
    old, new = request.GET.get("from", ""), request.GET.get("to", "")
    if not (old and new):
        pair = services.default_pair(services.stored_versions(target))
        if pair is None:
            return error(400, "the target has fewer than two schema versions: "
                              "give ?from=<version>&to=<version>")
        old, new = pair
    try:
        guide = services.change_guide(target, old, new)
    except services.ChangesError as exc:
        return error(400, str(exc))
    return JsonResponse(guide.to_dict(target))


@token_required()
@require_POST
@with_target
def decode(request: HttpRequest, target: Target) -> HttpResponse:
    message = _message(request)
    if message is None:
        return error(400, 'send {"error": "<the error as the log shows it>"}')
    try:
        decoded = services.decode_error(target, message)
    except services.ChangesError as exc:
        return error(400, str(exc))
    return JsonResponse(decoded.to_dict())


def _message(request: HttpRequest) -> str | None:
    body = request.body.decode("utf-8", errors="replace")
    if request.content_type == "application/json":
        try:
            document = json.loads(body or "null")
        except ValueError:
            return None
        value = document.get("error") if isinstance(document, dict) else None
        return value if isinstance(value, str) else None
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.POST.get("error")
    return body
