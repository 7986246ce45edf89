"""The login page, which sends each role to its own first page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch

from config.roles import is_read_only


class RoleLoginView(LoginView):
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """Without a ?next=, the mobile team lands on the Endpoints page, the backend team on
        the overview (LOGIN_REDIRECT_URL)."""
        if is_read_only(self.request.user):
            try:
                return resolve_url(settings.LOGIN_REDIRECT_URL_READ_ONLY)
            except NoReverseMatch:
                pass
        return super().get_default_redirect_url()
