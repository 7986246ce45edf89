"""The vital-signs panel of a target: its chart, the latest detection and its incident, and
(for the roles that write) the form that changes the detectors' thresholds."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from audits.core.access import get_target_for_read, get_target_for_write
from audits.core.models import Target
from config.roles import can_write

from . import services
from .forms import ThresholdsForm
from .svg import vital_signs_chart

PANEL = "vital-signs"


def _panel(request: HttpRequest, target: Target, form: ThresholdsForm | None = None,
           status: int = 200) -> HttpResponse:
    latest = services.latest(target)
    limits = services.thresholds_for(target)
    if form is None and can_write(request.user):
        form = ThresholdsForm.for_limits(limits)
    context: dict[str, Any] = {
        "target": target,
        "chart": vital_signs_chart(services.recent_points(target)),
        "latest": latest,
        "detections": latest.found() if latest is not None and not latest.healthy else [],
        "incident": services.open_detection_incident(target),
        "limits": limits,
        "thresholds_form": form,
    }
    template = "audits/vital_signs.html"
    if getattr(request, "htmx", False):
        template += f"#{PANEL}"
    return render(request, template, context, status=status)


@require_GET
def vital_signs(request: HttpRequest, slug: str) -> HttpResponse:
    """The panel as the target page loads it (htmx), or as a page of its own."""
    return _panel(request, get_target_for_read(request, slug))


@require_POST
def vital_signs_thresholds(request: HttpRequest, slug: str) -> HttpResponse:
    """Save the thresholds; answer the panel again (htmx) or go back to the page. A bad value
    is shown beside its field with a 400, and nothing is stored."""
    target = get_target_for_write(request, slug)
    form = ThresholdsForm.for_limits(services.thresholds_for(target), request.POST)
    if not form.is_valid():
        return _panel(request, target, form, status=400)
    services.set_thresholds(target, form.limits(), user=request.user)
    if getattr(request, "htmx", False):
        return _panel(request, target)
    return redirect("audits:vital_signs", slug=target.slug)
