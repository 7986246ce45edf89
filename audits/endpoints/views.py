"""Pages of endpoint safety: the mobile team's endpoint list, overrides and rescans.
Thin: access helper -> audits.endpoints.services -> render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from audits.core.access import get_target_for_read, get_target_for_write
from audits.core.models import Target
from audits.templatetags.audits_tags import ago
from config.roles import can_write, write_required
from recovery.fragments import digest

from . import services as endpoints
from .models import EndpointOverride, EndpointRescan, EndpointScan

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
        "list_digest": _list_digest(target, rows, scan),
        "verdict": verdict, "query": query, "verdicts": endpoints.VERDICTS, "scan": scan,
        "summary": [(v, counts.get(v, 0)) for v in reversed(endpoints.VERDICTS)],
        "list_url": reverse("audits:target_endpoints", args=[target.slug]),
    }


def _list_digest(target: Target, rows: list[Any], scan: EndpointScan | None) -> str:
    """Everything the endpoint list shows, "N min ago" included: the rendered list is kept
    under it (the template's cache tag), so a changed row or an older "ago" is a new key."""
    return digest(target.slug, target.code_path, scan.error if scan else None, *(
        (row.pk, row.route, row.method_key, row.methods, row.prefix, row.verdict, row.reasons,
         row.models, row.file, row.decided_by_run_id, row.verdict_since.isoformat(),
         ago(row.verdict_since))
        for row in rows))


def _endpoint_page(request: HttpRequest, target: Target,
                   targets: list[Target] | None) -> HttpResponse:
    context = _list_context(request, target)
    context["targets"] = targets
    if targets is not None:
        # On /endpoints/ the filters load from, and push, /endpoints/ itself (with ?target=), so
        # a reload or a shared link lands on the same page, not on the target's endpoints page.
        context["list_url"] = reverse("audits:endpoints")
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
