"""The two roles: `backend` writes, `mobile` reads. Checked on the server for every write."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

BACKEND_GROUP = "backend"
MOBILE_GROUP = "mobile"


def group_names(user: Any) -> frozenset[str]:
    """The user's group names, read once per user object: one query per request, however many
    checks and labels a page makes (``request.user`` is loaded anew for every request)."""
    names = getattr(user, "_driftwatch_group_names", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._driftwatch_group_names = names
    return names


def can_write(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return BACKEND_GROUP in group_names(user)


def write_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous users are sent to the login page by the middleware; read-only users get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_write(request.user):
            raise PermissionDenied("Your role may read but not change anything.")
        return view(request, *args, **kwargs)

    return wrapper


def role_label(user: Any) -> str:
    """What a signed-in user's role is called on the pages ("mobile team", "backend team")."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if user.is_superuser:
        return "administrator"
    names = group_names(user)
    if BACKEND_GROUP in names:
        return "backend team"
    if MOBILE_GROUP in names:
        return "mobile team"
    return "no team"


def is_read_only(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and not can_write(user)
