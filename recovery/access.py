"""Load an incident for a request, checking the role first (healthchecks' get_X_for_Y style)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from config.roles import can_write

from .models import Incident


def get_incident_for_read(request: HttpRequest, slug: str) -> Incident:
    """Any logged-in user may read (LoginRequiredMiddleware has already turned anonymous away)."""
    return get_object_or_404(Incident, slug=slug)


def get_incident_for_write(request: HttpRequest, slug: str) -> Incident:
    """Only the backend role writes; the check comes before the lookup so a read-only user
    learns nothing from a 404 versus 403 difference."""
    if not can_write(request.user):
        raise PermissionDenied("Your role may read but not change incidents.")
    return get_object_or_404(Incident, slug=slug)
