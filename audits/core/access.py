"""Load what a request may see or change; the role check comes before any lookup."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from config.roles import can_write

from .models import AuditRun, Target


def get_target_for_read(request: HttpRequest, slug: str) -> Target:
    """Any logged-in user may read (the login middleware has turned anonymous users away)."""
    return get_object_or_404(Target.objects.select_related("last_run", "last_success"),
                             slug=slug)


def get_target_for_write(request: HttpRequest, slug: str) -> Target:
    if not can_write(request.user):
        raise PermissionDenied("Your role may read but not change targets.")
    return get_object_or_404(Target, slug=slug)


def get_run_for_read(target: Target, run_id: int) -> AuditRun:
    return get_object_or_404(AuditRun.objects.filter(target=target), pk=run_id)
