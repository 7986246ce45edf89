"""API token pages: each user manages their own (mobile users need read tokens too)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audits.core.models import Target

from . import tokens


def token_list(request: HttpRequest) -> HttpResponse:
    new_token = ""
    if request.method == "POST":
        try:
            token, new_token = tokens.create_token(
                request.user, name=request.POST.get("name", ""),
                read_only=bool(request.POST.get("read_only")),
            )
        except ValidationError as exc:
            for field_errors in exc.message_dict.values():
                for message in field_errors:
                    messages.error(request, message)
    elif request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    return render(request, "audits/tokens.html", {
        "tokens": tokens.user_tokens(request.user), "new_token": new_token,
        "example_target": Target.objects.order_by("name").values_list("slug", flat=True).first(),
    })


@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    if tokens.revoke_token(request.user, token_id):
        messages.success(request, "Token revoked: it no longer works.")
    return redirect("audits:tokens")
