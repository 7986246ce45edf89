"""Pages of endpoint safety: the mobile team's endpoint list, overrides, rescans, API tokens and
the SVG badges. Thin: access helper -> audits.endpoints / audits.tokens -> render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from config.roles import can_write, write_required

from . import endpoints, tokens
from .access import get_target_for_read, get_target_for_write
from .badges import badge_svg, message_for
from .models import EndpointOverride, EndpointRescan, EndpointScan, Target

LIST_PARTIAL = "endpoint-list"
PROGRESS_PARTIAL = "rescan-progress"
SUMMARY_PARTIAL = "endpoint-summary"
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


# -- the endpoint pages ----------------------------------------------------------------------------


@require_GET
def endpoints_home(request: HttpRequest) -> HttpResponse:
    """/endpoints/: every target with its verdict counts, and one target's endpoints."""
    targets = list(Target.objects.select_related("endpoint_scan").only(
        "name", "slug", "endpoint_scan__counts", "endpoint_scan__error"
    ).order_by("name"))
    if not targets:
        return render(request, "audits/endpoints.html", {"targets": [], "target": None})
    slug = request.GET.get("target", "")
    chosen = next((t for t in targets if t.slug == slug), None) or _first_scanned(targets)
    return _endpoint_page(request, get_target_for_read(request, chosen.slug), targets)


def _first_scanned(targets: list[Target]) -> Target:
    for target in targets:
        scan = getattr(target, "endpoint_scan", None)
        if scan is not None and scan.counts and sum(scan.counts.values()):
            return target
    return targets[0]


@require_GET
def target_endpoints(request: HttpRequest, slug: str) -> HttpResponse:
    return _endpoint_page(request, get_target_for_read(request, slug), None)


def _list_context(request: HttpRequest, target: Target,
                  params: Any = None) -> dict[str, Any]:
    """The endpoint list and its summary, filtered as the page is (``params``: GET or POST)."""
    params = request.GET if params is None else params
    verdict = params.get("verdict", "")
    verdict = verdict if verdict in endpoints.VERDICTS else ""
    query = params.get("q", "").strip()
    rows = endpoints.endpoint_rows(target, verdict=verdict, query=query)
    scan = endpoints.scan_of(target)
    counts = scan.counts if scan else {}
    return {
        "target": target, "groups": endpoints.grouped(rows), "shown": len(rows),
        "verdict": verdict, "query": query, "verdicts": endpoints.VERDICTS, "scan": scan,
        "summary": [(v, counts.get(v, 0)) for v in reversed(endpoints.VERDICTS)],
        "list_url": reverse("audits:target_endpoints", args=[target.slug]),
    }


def _endpoint_page(request: HttpRequest, target: Target,
                   targets: list[Target] | None) -> HttpResponse:
    context = _list_context(request, target)
    context["targets"] = targets
    context["http_methods"] = HTTP_METHODS
    if request.htmx and request.htmx.target == LIST_PARTIAL:
        return render(request, f"audits/endpoints.html#{LIST_PARTIAL}", context)
    context["rescan"] = _rescan_to_show(endpoints.latest_rescan(target), context["scan"])
    context["overrides"] = list(EndpointOverride.objects.filter(target=target)
                                .select_related("author"))
    # the override form's model list (parsing the schema is only worth it for writers)
    writer = can_write(request.user)
    context["model_names"] = endpoints.model_names_for(target) if writer else []
    context["routes"] = endpoints.scanned_routes(target) if writer else []
    return render(request, "audits/endpoints.html", context)


# -- writes (backend role) ----------------------------------------------------------------


@require_POST
@write_required
def rescan(request: HttpRequest, slug: str) -> HttpResponse:
    """Queue a rescan on a worker (or join the one already queued) and answer at once: htmx
    gets the polling progress box, a plain form post the page with a message."""
    target = get_target_for_write(request, slug)
    job = endpoints.request_rescan(target, request.user)
    if request.htmx:
        return _progress(request, target, job, request.POST)
    # without htmx nothing polls: the page shows the box, a reload shows the end
    messages.info(request, f"Rescan #{job.pk} {job.status}: reload this page to see it end.")
    return redirect("audits:target_endpoints", slug=target.slug)


@require_GET
def rescan_progress(request: HttpRequest, slug: str, rescan_id: int) -> HttpResponse:
    """The progress box, polled every second while the rescan is queued or running."""
    target = get_target_for_read(request, slug)
    job = get_object_or_404(EndpointRescan, target=target, pk=rescan_id)
    return _progress(request, target, job, request.GET)


def _progress(request: HttpRequest, target: Target, job: EndpointRescan,
              params: Any) -> HttpResponse:
    """Still going: the box alone (it polls again). Finished: the final box, plus the new
    summary and endpoint list swapped out of band, filtered as the page is (the poll carries
    the filter form's fields)."""
    context: dict[str, Any] = {"target": target, "rescan": job}
    if not job.is_finished:
        return render(request, f"audits/endpoints.html#{PROGRESS_PARTIAL}", context)
    context.update(_list_context(request, target, params), oob=True)
    return HttpResponse("".join(
        render_to_string(f"audits/endpoints.html#{name}", context, request)
        for name in (PROGRESS_PARTIAL, SUMMARY_PARTIAL, LIST_PARTIAL)
    ))


def _rescan_to_show(job: EndpointRescan | None, scan: EndpointScan | None
                    ) -> EndpointRescan | None:
    """On a page load: a rescan still going (the box polls it), or one that failed after the
    last good scan (a lost worker or a broker outage is said nowhere else)."""
    if job is None or not job.is_finished:
        return job
    if job.status == EndpointRescan.State.FAILED and (
        scan is None or scan.scanned_at is None
        or (job.finished_at is not None and job.finished_at > scan.scanned_at)
    ):
        return job
    return None


@require_POST
@write_required
def add_override(request: HttpRequest, slug: str) -> HttpResponse:
    target = get_target_for_write(request, slug)
    try:
        endpoints.add_override(
            target, route=request.POST.get("route", ""), method=request.POST.get("method", ""),
            model=request.POST.get("model", ""), action=request.POST.get("action", "add"),
            reason=request.POST.get("reason", ""), author=request.user,
        )
    except ValidationError as exc:
        for field_errors in exc.message_dict.values():
            for message in field_errors:
                messages.error(request, message)
    else:
        messages.success(request, "Override saved; verdicts recomputed.")
    return redirect("audits:target_endpoints", slug=target.slug)


@require_POST
@write_required
def delete_override(request: HttpRequest, slug: str, override_id: int) -> HttpResponse:
    target = get_target_for_write(request, slug)
    endpoints.delete_override(target, override_id, author=request.user)
    messages.success(request, "Override withdrawn; verdicts recomputed.")
    return redirect("audits:target_endpoints", slug=target.slug)


# -- API tokens: each user manages their own (mobile users need read tokens too) ---------------


def token_list(request: HttpRequest) -> HttpResponse:
    new_token = ""
    if request.method == "POST":
        try:
            token, new_token = tokens.create_token(
                request.user, name=request.POST.get("name", ""),
                read_only=bool(request.POST.get("read_only")),
            )
        except ValidationError as exc:
            for field_errors in exc.message_dict.values():
                for message in field_errors:
                    messages.error(request, message)
    elif request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    return render(request, "audits/tokens.html", {
        "tokens": tokens.user_tokens(request.user), "new_token": new_token,
        "example_target": Target.objects.order_by("name").values_list("slug", flat=True).first(),
    })


@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    if tokens.revoke_token(request.user, token_id):
        messages.success(request, "Token revoked: it no longer works.")
    return redirect("audits:tokens")


# -- SVG badges -------------------------------------------------------------------------------
# Embedded in READMEs, so no session cookie comes with them: a logged-in session or a READ-ONLY
# token in ?token= is required (a token that can write is refused in a URL, where it would leak).


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
