"""SVG badges of a target's endpoint verdicts, shields-style.

Embedded in READMEs, so no session cookie comes with them: a logged-in session or a READ-ONLY
token in ?token= is required (a token that can write is refused in a URL, where it would leak).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from audits.core.models import Target
from audits.endpoints import services as endpoints

from . import tokens
from .badges import badge_svg, message_for


def _badge_allowed(request: HttpRequest) -> bool:
    if request.user.is_authenticated:
        return True
    token = tokens.authenticate(request.GET.get("token", ""))
    return token is not None and token.read_only


def _svg(body: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8", status=status)
    response["Cache-Control"] = "no-cache, max-age=0"  # verdicts change with each audit
    return response


@login_not_required
@require_GET
def target_badge(request: HttpRequest, slug: str) -> HttpResponse:
    return _badge(request, slug, None)


@login_not_required
@require_GET
def prefix_badge(request: HttpRequest, slug: str, prefix: str) -> HttpResponse:
    return _badge(request, slug, prefix)


def _badge(request: HttpRequest, slug: str, prefix: str | None) -> HttpResponse:
    if not _badge_allowed(request):
        return _svg(badge_svg("endpoints", "token needed", "none"), status=401)
    target = Target.objects.filter(slug=slug).only("pk", "slug").first()
    if target is None:
        return _svg(badge_svg("endpoints", "no such target", "none"), status=404)
    rows = endpoints.endpoint_rows(target)
    label = "endpoints"
    if prefix is not None:
        rows = [row for row in rows if endpoints.prefix_slug(row.prefix) == prefix]
        if not rows:
            return _svg(badge_svg("/" + prefix.replace("-", "/"), "no endpoints", "none"),
                        status=404)
        label = rows[0].prefix
    counts = dict.fromkeys(endpoints.VERDICTS, 0)
    for row in rows:
        counts[row.verdict] += 1
    message, color = message_for(counts)
    return _svg(badge_svg(label, message, color))
