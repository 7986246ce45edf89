"""Pages of the audits app: thin views (access helper -> service or query -> render)."""

from __future__ import annotations

import copy
import io
import zipfile

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits.alerts.models import Alert
from audits.core.access import get_run_for_read, get_target_for_read, get_target_for_write
from audits.core.credentials import TargetConfigError, redacted_dsn
from audits.core.models import STATUS_ORDER, AuditRun, ModelStatus, Target, dom_id_for
from audits.core.svg import trend_strip
from config.roles import write_required
from recovery.models import Incident

from . import queries, services
from .forms import TargetForm

GRID_FILTERS = ("", "problems", *reversed(STATUS_ORDER))


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    cards = queries.overview()
    return render(request, "audits/overview.html", {
        "cards": cards, "incidents": queries.open_incidents(),
        "status_counts": _count_statuses(cards),
        "target_base": reverse("audits:overview") + "targets/",
    })


def _count_statuses(cards: list[queries.TargetCard]) -> dict[str, int]:
    """How many databases are in each state, worst first, in the words the cards use."""
    counts = dict.fromkeys(("unreachable", "broken", "degraded", "not_audited", "healthy"), 0)
    for card in cards:
        counts[card.target.health] += 1
    return counts


@require_GET
def target(request: HttpRequest, slug: str) -> HttpResponse:
    target = get_target_for_read(request, slug)
    status = request.GET.get("status", "")
    try:
        offset = int(request.GET.get("offset", 0))
    except ValueError:
        offset = 0
    grid = queries.grid(target.last_success, status=status if status in GRID_FILTERS else "",
                        query=request.GET.get("q", "").strip(), offset=offset)
    context = {"target": target, "run": target.last_success, "grid": grid,
               "filters": GRID_FILTERS,
               "findings_base": reverse("audits:target", args=[target.slug]) + "findings/"}
    if request.htmx and request.htmx.target in ("model-grid", "grid-more"):
        return render(request, f"audits/target.html#{request.htmx.target}", context)
    context["trend_svg"] = trend_strip(target.trend, detailed=True)
    if request.htmx and request.htmx.target == "drift-counts":
        # After "Audit now": the counters and trend, with the status badge and the "since"
        # line out of band, so the whole head of the page tells the new audit's story.
        html = "".join(
            render_to_string(f"audits/target.html#{name}", {**context, "oob": oob},
                             request=request)
            for name, oob in (("drift-counts", False), ("target-health", True),
                              ("drift-changes", True)))
        return HttpResponse(html)
    context.update({"active": services.active_run(target), "dsn": redacted_dsn(target)})
    return render(request, "audits/target.html", context)


@require_GET
def table_findings(request: HttpRequest, slug: str, schema: str, table: str) -> HttpResponse:
    target = get_target_for_read(request, slug)
    run_id = request.GET.get("run", "")
    if run_id and not run_id.isdigit():
        return HttpResponseBadRequest("run is a run number")
    run = get_run_for_read(target, int(run_id)) if run_id else target.last_success
    object_type = request.GET.get("type", "table")
    if object_type not in ModelStatus.ObjectType.values:
        return HttpResponseBadRequest("type is table, enum or schema")
    findings = queries.table_findings(run, schema, table, object_type) if run else []
    return render(request, "audits/target.html#findings", {
        "target": target, "findings": findings, "table": table,
        "dom_id": dom_id_for(schema, table, object_type),
    })


@require_POST
@write_required
def audit_now(request: HttpRequest, slug: str) -> HttpResponse:
    target = get_target_for_write(request, slug)
    run = services.request_audit(target, request.user)
    if request.htmx:
        response = render(request, "audits/target.html#audit-progress",
                          {"target": target, "active": run})
        if run.is_finished:  # an eager run (tests, demo) is done already
            response["HX-Trigger"] = "audit-finished"
        return response
    return redirect(target.get_absolute_url())


@require_GET
def run_progress(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    target = get_target_for_read(request, slug)
    run = get_run_for_read(target, run_id)
    response = render(request, "audits/target.html#audit-progress",
                      {"target": target, "active": run, "just_finished": run.is_finished})
    if run.is_finished:
        response["HX-Trigger"] = "audit-finished"  # the grid listens and reloads itself
    return response


@require_GET
def run_history(request: HttpRequest, slug: str) -> HttpResponse:
    target = get_target_for_read(request, slug)
    runs = queries.run_list(target)
    return render(request, "audits/run_history.html", {"target": target, "runs": runs})


@require_GET
def run(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    target = get_target_for_read(request, slug)
    audit_run = get_run_for_read(target, run_id)
    return render(request, "audits/run.html", {
        "target": target, "run": audit_run, "findings": queries.run_findings(audit_run),
        "grid": queries.grid(audit_run if audit_run.status == "succeeded" else None),
        "is_baseline": target.baseline_run_id == audit_run.pk,
        "alert": Alert.objects.filter(run=audit_run).first(),
    })


@require_POST
@write_required
def set_baseline(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    target = get_target_for_write(request, slug)
    audit_run = get_run_for_read(target, run_id)
    try:
        services.set_baseline(target, audit_run)
    except TargetConfigError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request,
                         f"Audit #{audit_run.number} is now the baseline of {target.name}.")
    return redirect(audit_run.get_absolute_url())


@require_GET
def compare(request: HttpRequest, slug: str) -> HttpResponse:
    target = get_target_for_read(request, slug)
    runs = queries.run_list(target)
    succeeded = [r for r in runs if r.status == AuditRun.State.SUCCEEDED]
    try:
        a_id = int(request.GET.get("a") or (succeeded[1].pk if len(succeeded) > 1 else 0))
        b_id = int(request.GET.get("b") or (succeeded[0].pk if succeeded else 0))
    except ValueError:
        return HttpResponseBadRequest("a and b are run numbers")
    changes = None
    a = b = None
    if a_id and b_id:
        a, b = get_run_for_read(target, a_id), get_run_for_read(target, b_id)
        changes = services.compare_runs(a, b)
    return render(request, "audits/compare.html", {
        "target": target, "runs": succeeded, "a": a, "b": b, "changes": changes,
    })


def _fix_run(request: HttpRequest, slug: str, run_id: int) -> tuple[Target, AuditRun]:
    target = get_target_for_read(request, slug)
    return target, get_run_for_read(target, run_id)


def _fix_sql_or_404(audit_run: AuditRun) -> str:
    """A download of a run that has no fix (failed, still running) is a 404 saying why."""
    try:
        return services.fix_migration_for_run(audit_run)
    except (TargetConfigError, services.EngineError) as exc:
        raise Http404(str(exc)) from exc


@require_GET
def fix_migration(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    target, audit_run = _fix_run(request, slug, run_id)
    sql, error = "", ""
    try:
        sql = services.fix_migration_for_run(audit_run)
    except (TargetConfigError, services.EngineError, ImportError) as exc:
        error = str(exc)
    folder = services.fix_migration_folder(audit_run)
    return render(request, "audits/fix_migration.html", {
        "target": target, "run": audit_run, "sql": sql, "error": error,
        "path": f"prisma/migrations/{folder}/migration.sql",
    })


@require_GET
def fix_migration_sql(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    target, audit_run = _fix_run(request, slug, run_id)
    sql = _fix_sql_or_404(audit_run)
    folder = services.fix_migration_folder(audit_run)
    response = HttpResponse(sql, content_type="application/sql; charset=utf-8")
    # Browsers drop folders from a download name, so the folder travels in the name itself.
    response["Content-Disposition"] = f'attachment; filename="{folder}.migration.sql"'
    response["X-Prisma-Path"] = f"prisma/migrations/{folder}/migration.sql"
    return response


@require_GET
def fix_migration_zip(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    target, audit_run = _fix_run(request, slug, run_id)
    sql = _fix_sql_or_404(audit_run)
    folder = services.fix_migration_folder(audit_run)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"prisma/migrations/{folder}/migration.sql", sql)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{folder}.zip"'
    return response


# Error reports mailed to ADMINS list POST data and each frame's locals: these hold secrets.
SECRET_FIELDS = ("database_url", "webhook_url", "webhook_secret")


@sensitive_post_parameters(*SECRET_FIELDS)
@require_http_methods(["GET", "POST"])
@write_required
def target_create(request: HttpRequest) -> HttpResponse:
    return _target_form(request, Target())


@sensitive_post_parameters(*SECRET_FIELDS)
@require_http_methods(["GET", "POST"])
@write_required
def target_edit(request: HttpRequest, slug: str) -> HttpResponse:
    return _target_form(request, get_target_for_write(request, slug))


@sensitive_post_parameters(*SECRET_FIELDS)
@require_POST
@write_required
def connection_test(request: HttpRequest, slug: str = "") -> HttpResponse:
    """The form's "Test connection": a read-only connect with what the form holds (or, on an
    edit form left empty, the stored URL). Answers the #connection-test fragment."""
    target = get_target_for_write(request, slug) if slug else None
    try:
        answer, ok = services.check_connection(
            dsn=request.POST.get("database_url", "").strip(),
            dsn_env_var=request.POST.get("database_url_env", "").strip(), target=target), True
    except TargetConfigError as exc:
        answer, ok = str(exc), False
    return render(request, "audits/target_form.html#connection-test",
                  {"connection_answer": answer, "connection_ok": ok})


@sensitive_variables("data")
def _target_form(request: HttpRequest, instance: Target) -> HttpResponse:
    # Validation writes the input into `instance` (an emptied name empties the slug), so the
    # page's heading and links use the target as stored.
    shown = copy.copy(instance)
    form = TargetForm(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = form.save(commit=False)
        try:
            services.save_target(
                target, dsn=data["database_url"], dsn_env_var=data["database_url_env"],
                namespaces=data["namespaces_text"], webhook_secret=data["webhook_secret"],
                schema_files=data["schema_files"], incidents=data["incidents"],
                user=request.user,
            )
        except services.EngineError as exc:
            form.add_error("database_url", str(exc))
        except TargetConfigError as exc:  # the form checks first; a backstop, never a 500
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Saved {target.name}.")
            return redirect(target.get_absolute_url())
    return render(request, "audits/target_form.html", {
        "form": form, "target": shown if shown.pk else None,
        "test_timeout": services.CHECK_CONNECT_TIMEOUT_S,
        "dsn": redacted_dsn(shown) if shown.pk else "",
    })


@require_GET
def incident_panel(request: HttpRequest, incident_slug: str) -> HttpResponse:
    """The drift of an incident's targets, loaded by the incident page as a fragment."""
    incident = get_object_or_404(Incident, slug=incident_slug)
    cards = queries.incident_targets(incident)
    return render(request, "audits/incident_panel.html", {
        "incident": incident, "cards": cards,
        "overview_url": reverse("audits:overview"),
    })
