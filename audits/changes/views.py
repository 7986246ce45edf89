"""The Changes page (two schema versions of a target, the API changes between them), its
Markdown export, and the error decoder's paste box. Every view reads; the decoder is a POST
only because a pasted log is long, so read-only roles use it too."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from audits.core.access import get_target_for_read
from audits.core.models import Target

from . import services


def _pair(request: HttpRequest, versions: list[services.Version]) -> tuple[str, str] | None:
    old, new = request.GET.get("from", ""), request.GET.get("to", "")
    if old and new:
        return old, new
    return services.default_pair(versions)


def _guide(target: Target, pair: tuple[str, str] | None) -> tuple[services.Guide | None, str]:
    if pair is None:
        return None, ""
    try:
        return services.change_guide(target, *pair), ""
    except services.ChangesError as exc:
        return None, str(exc)


@require_GET
def changes(request: HttpRequest, slug: str) -> HttpResponse:
    target = get_target_for_read(request, slug)
    versions = services.stored_versions(target)
    revisions = services.git_versions(target)
    pair = _pair(request, versions or revisions)
    guide, error = _guide(target, pair)
    status = 400 if error and request.GET.get("from") else 200
    return render(request, "audits/changes.html", {
        "target": target, "versions": versions, "revisions": revisions, "guide": guide,
        "error": error, "old": pair[0] if pair else "", "new": pair[1] if pair else "",
    }, status=status)


@require_GET
def changes_markdown(request: HttpRequest, slug: str) -> HttpResponse:
    target = get_target_for_read(request, slug)
    guide, error = _guide(target, _pair(request, services.stored_versions(target)))
    if guide is None:
        return HttpResponse(error or "choose two schema versions: ?from=v<id>&to=v<id>",
                            status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(guide.markdown(), content_type="text/markdown; charset=utf-8")
    name = f"{target.slug}-api-changes-{guide.old.ref}-{guide.new.ref}.md".replace(":", "-")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def decode(request: HttpRequest, slug: str) -> HttpResponse:
    target = get_target_for_read(request, slug)
    message = request.POST.get("error", "")
    decoded, error = None, ""
    try:
        decoded = services.decode_error(target, message)
    except services.ChangesError as exc:
        error = str(exc)
    context = {"target": target, "decoded": decoded, "error": error, "message": message}
    template = "audits/decode.html#decode-result" if request.headers.get("HX-Request") \
        else "audits/decode.html"
    return render(request, template, context, status=400 if error else 200)
