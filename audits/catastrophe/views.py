"""The vital-signs panel of a target: its chart, the latest detection and its incident."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audits.core.access import get_target_for_read

from . import services
from .svg import vital_signs_chart

PANEL = "vital-signs"


@require_GET
def vital_signs(request: HttpRequest, slug: str) -> HttpResponse:
    """The panel as the target page loads it (htmx), or as a page of its own."""
    target = get_target_for_read(request, slug)
    latest = services.latest(target)
    context = {
        "target": target,
        "chart": vital_signs_chart(services.recent_points(target)),
        "latest": latest,
        "detections": latest.found() if latest is not None and not latest.healthy else [],
        "incident": services.open_detection_incident(target),
        "limits": services.thresholds_for(target),
    }
    if getattr(request, "htmx", False):
        return render(request, f"audits/vital_signs.html#{PANEL}", context)
    return render(request, "audits/vital_signs.html", context)
