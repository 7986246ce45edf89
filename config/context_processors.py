from django.http import HttpRequest

from config.roles import can_write


def roles(request: HttpRequest) -> dict[str, bool]:
    """Lets templates hide write controls; the server still refuses writes on its own."""
    return {"can_write": can_write(request.user)}
