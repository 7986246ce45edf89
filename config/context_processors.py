from functools import partial

from django.http import HttpRequest

from config.roles import can_write, role_label


def roles(request: HttpRequest) -> dict[str, object]:
    """Lets templates hide write controls (and say why); the server still refuses writes.
    The role's name is a callable, so only a page that shows it pays for the query."""
    return {"can_write": can_write(request.user), "role_label": partial(role_label, request.user)}
