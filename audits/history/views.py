"""Pages of migration history (issue 6): a target's migrations tab, its three-way view, and the
incident page's "where is each migration applied" fragment. Thin: access ->
audits.history.services -> render."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from audits.core.access import get_target_for_read
from audits.core.models import Target
from recovery.models import Incident

from . import services as history
from .models import MIGRATION_STATE_ORDER, HistoryCheck

MIGRATION_LIST = "migration-list"
THREE_WAY_LIST = "three-way-list"
# the filter chips, in the order the issue names the states
STATE_FILTERS = ("applied", "edited", "failed", "rolled_back", "pending", "unknown",
                 "marked_applied")


def _checks(request: HttpRequest, target: Target) -> tuple[Any, Any]:
    """The latest history (maybe failed) and the latest good one (what the tables show); with
    ``?run=N``, that run's history only."""
    run_id = request.GET.get("run", "")
    if run_id:
        if not run_id.isdigit():
            raise Http404("run is a run number")
        check = get_object_or_404(HistoryCheck.objects.select_related("run"),
                                  target=target, run_id=int(run_id))
        return check, (check if check.ok else None)
    latest = history.latest_check(target)
    if latest is None or latest.ok:
        return latest, latest
    return latest, history.latest_good_check(target)


@require_GET
def target_migrations(request: HttpRequest, slug: str) -> HttpResponse:
    target = get_target_for_read(request, slug)
    state = request.GET.get("state", "")
    state = state if state in MIGRATION_STATE_ORDER else ""
    latest, good = _checks(request, target)
    rows = history.migration_rows(good, state) if good else []
    counts = history.state_counts_of(good) if good else {}
    context: dict[str, Any] = {
        "target": target, "latest": latest, "check": good, "rows": rows, "state": state,
        "chips": [(s, counts.get(s, 0)) for s in STATE_FILTERS], "total": sum(counts.values()),
        "to_write": history.kinds_to_write(good) if good and good.verdict_counts else [],
        "list_url": reverse("audits:target_migrations", args=[target.slug]),
    }
    context["run_param"] = request.GET.get("run", "")  # a filter stays on the run it shows
    if request.htmx and request.htmx.target == MIGRATION_LIST:
        return render(request, f"audits/migrations.html#{MIGRATION_LIST}", context)
    return render(request, "audits/migrations.html", context)


@require_GET
def target_three_way(request: HttpRequest, slug: str) -> HttpResponse:
    target = get_target_for_read(request, slug)
    verdict = request.GET.get("verdict", "")
    verdict = verdict if verdict in history.VERDICTS else ""
    latest, good = _checks(request, target)
    rows = history.three_way_rows(good, verdict) if good else []
    counts = good.verdict_counts if good else {}
    context: dict[str, Any] = {
        "target": target, "latest": latest, "check": good, "verdict": verdict,
        "groups": history.grouped(rows, good.fix_sql if good else ""), "shown": len(rows),
        "verdicts": [(v, counts.get(v, 0)) for v in history.VERDICTS],
        "list_url": reverse("audits:target_three_way", args=[target.slug]),
    }
    context["run_param"] = request.GET.get("run", "")
    if request.htmx and request.htmx.target == THREE_WAY_LIST:
        return render(request, f"audits/three_way.html#{THREE_WAY_LIST}", context)
    return render(request, "audits/three_way.html", context)


@require_GET
def incident_migrations(request: HttpRequest, incident_slug: str) -> HttpResponse:
    """Where each of the incident's migrations is applied, loaded into #migrations-applied."""
    incident = get_object_or_404(Incident, slug=incident_slug)
    migrations = list(incident.migrations.only("id", "name", "sql", "checksum", "incident_id")
                      .order_by("name"))
    targets = list(Target.objects.filter(incidents=incident).only("id", "name", "slug")
                   .order_by("name"))
    placed = history.placements(migrations, targets) if migrations and targets else {}
    return render(request, "audits/incident_migrations.html", {
        "incident": incident, "targets": targets,
        "rows": [(m, placed.get(m.name, [])) for m in migrations],
    })
