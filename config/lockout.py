"""The page a locked-out login gets (django-axes calls this instead of its plain-text answer)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "username": str(username)[:150],
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": round(settings.AXES_COOLOFF_TIME * 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' check on every login made through a request (the login page, the admin).

    authenticate() called by code without a request (Django's test client, a shell) has no
    address to throttle: axes would refuse it outright, so it is passed on to the next backend.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)  # type: ignore[no-any-return]
