"""The two roles: `backend` writes, `mobile` reads. Checked on the server for every write."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.http import HttpRequest, HttpResponse

BACKEND_GROUP = "backend"
MOBILE_GROUP = "mobile"


def group_names(user: Any) -> frozenset[str]:
    """The user's group names, read once per user object: one query per request, however many
    checks and labels a page makes (``request.user`` is loaded anew for every request)."""
    names = getattr(user, "_driftwatch_group_names", None)
    if names is None:
        names = _read_group_names(user)
        user._driftwatch_group_names = names
    return names


_group_statements: dict[tuple[type, str], str] = {}


def _read_group_names(user: Any) -> frozenset[str]:
    """``user.groups.values_list("name")`` in plain SQL: every page asks, and compiling the
    ORM's join cost four times what running it did."""
    model = user.__class__  # request.user is a lazy proxy: type() would name the proxy
    groups = model._meta.get_field("groups")
    alias = router.db_for_read(groups.related_model)
    connection = connections[alias]
    key = (model, alias)
    if key not in _group_statements:
        quote = connection.ops.quote_name
        group_meta = groups.related_model._meta
        _group_statements[key] = (
            f"SELECT g.{quote(group_meta.get_field('name').column)} "
            f"FROM {quote(group_meta.db_table)} g JOIN {quote(groups.m2m_db_table())} m "
            f"ON m.{quote(groups.m2m_reverse_name())} = g.{quote(group_meta.pk.column)} "
            f"WHERE m.{quote(groups.m2m_column_name())} = %s")
    with connection.cursor() as cursor:
        cursor.execute(_group_statements[key], [user.pk])
        return frozenset(name for (name,) in cursor.fetchall())


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
