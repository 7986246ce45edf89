"""Thin views: access helper -> form -> service -> render.

Writes answer htmx with the fragment of the section that changed (named after its DOM id, a
`template#partial`) plus the timeline out of band, since every write also lands on the timeline.
Plain form posts get a redirect back to the incident, or the whole page with the form errors.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.roles import write_required

from . import services
from .access import get_incident_for_read, get_incident_for_write
from .forms import (
    ActionItemForm,
    CommentForm,
    CommitForm,
    DataLossForm,
    IncidentEditForm,
    IncidentForm,
    MigrationForm,
    SeverityForm,
    StatusForm,
    StepEditForm,
    StepForm,
    StepRemoveForm,
    apply_service_error,
)
from .fragments import rows_digest, timeline_digest
from .models import (
    ActionItem,
    ActionStatus,
    Incident,
    Migration,
    Severity,
    Status,
    TimelineEntry,
)
from .postmortem import build_markdown, phase_groups, render_page

DETAIL = "recovery/incident_detail.html"


# --- list and create -----------------------------------------------------------------------


@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    severity = request.GET.get("severity", "")
    incidents = Incident.objects.annotate(
        open_actions=Count("action_items", filter=Q(action_items__status=ActionStatus.OPEN),
                           distinct=True),
        entry_count=Count("entries", distinct=True),
    ).order_by("-declared_at", "-id")
    if status in Status.values:
        incidents = incidents.filter(status=status)
    if severity in Severity.values:
        incidents = incidents.filter(severity=severity)
    context = {
        "incidents": incidents,
        "status": status,
        "severity": severity,
        "statuses": Status.choices,
        "severities": Severity.choices,
    }
    template = "recovery/incident_list.html"
    if request.htmx:
        template += "#incident-list"
    return render(request, template, context)


@write_required
def incident_create(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.create_incident(author=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            return redirect(incident)
    return render(request, "recovery/incident_form.html", {"form": form})


def incident_edit(request: HttpRequest, slug: str) -> HttpResponse:
    incident = get_incident_for_write(request, slug)
    # A copy keeps the form's instance from being edited in place before the service runs.
    form = IncidentEditForm(request.POST or None, instance=Incident.objects.get(pk=incident.pk))
    if request.method == "POST":
        _run(form, lambda d: services.update_incident(incident, author=request.user, **d))
        if not form.errors:
            return redirect(incident)
    return render(request, "recovery/incident_edit.html", {"form": form, "incident": incident})


# --- the incident page ---------------------------------------------------------------------


def _load_for_page(incident: Incident) -> Incident:
    """The incident read again (a write may just have changed it) with everything its page
    shows."""
    return _with_page_rows(Incident.objects.get(pk=incident.pk))


def _with_page_rows(incident: Incident) -> Incident:
    """Everything the incident's page shows, loaded onto it: one query per kind of row. A
    migration's commit is one of the incident's commits, already loaded: not read again."""
    prefetch_related_objects(
        [incident],
        Prefetch("entries", queryset=TimelineEntry.objects.select_related("author")),
        "commits", "migrations", "data_losses", "action_items",
    )
    commits = {commit.pk: commit for commit in incident.commits.all()}
    elsewhere = []
    for migration in incident.migrations.all():
        if migration.commit_id in commits:
            Migration.commit.field.set_cached_value(migration, commits[migration.commit_id])
        elif migration.commit_id is not None:
            elsewhere.append(migration)
    prefetch_related_objects(elsewhere, "commit")
    return incident


def _page_context(incident: Incident, *, loaded: bool = False,
                  **forms_given: forms.Form) -> dict[str, Any]:
    """``loaded``: the incident was read in this request and holds its rows already."""
    if not loaded:
        incident = _load_for_page(incident)
    entries = list(incident.entries.all())
    commits = list(incident.commits.all())
    migrations = list(incident.migrations.all())
    losses = list(incident.data_losses.all())
    items = list(incident.action_items.all())
    context: dict[str, Any] = {
        "incident": incident,
        "phase_groups": phase_groups(entries),
        "timeline_digest": timeline_digest(entries),
        # the page's kept blocks (the keep tag) are built from these rows and unbound forms
        # alone; a form handed back with its errors is rendered afresh
        "page_digest": "" if forms_given else rows_digest(
            incident, *entries, *commits, *migrations, *losses, *items),
        "phases": sorted({e.phase for e in entries if e.phase}),
        "commits": commits,
        "migrations": migrations,
        "losses": losses,
        "items": items,
        "status_form": StatusForm(initial={"status": incident.status}),
        "severity_form": SeverityForm(initial={"severity": incident.severity}),
        "step_form": StepForm(),
        "comment_form": CommentForm(),
        "commit_form": CommitForm(),
        "migration_form": MigrationForm(incident=incident, commits=commits),
        "loss_form": DataLossForm(),
        "action_form": ActionItemForm(),
    }
    context.update(forms_given)
    return context


@require_GET
def incident_detail(request: HttpRequest, slug: str) -> HttpResponse:
    incident = _with_page_rows(get_incident_for_read(request, slug))
    return render(request, DETAIL, _page_context(incident, loaded=True))


def _respond(
    request: HttpRequest,
    incident: Incident,
    partial: str,
    form_key: str,
    form: forms.Form,
    anchor: str,
) -> HttpResponse:
    """htmx: the changed section, plus the timeline out of band when the write succeeded.
    Plain post: back to the page on success, or the page with the errors."""
    ok = not form.errors
    context = _page_context(incident, **({} if ok else {form_key: form}))
    if not request.htmx:
        if ok:
            return redirect(f"{incident.get_absolute_url()}#{anchor}")
        return render(request, DETAIL, context)
    html = render_to_string(f"{DETAIL}#{partial}", context, request=request)
    if ok and partial != "timeline":
        html += render_to_string(f"{DETAIL}#timeline", {**context, "oob": True}, request=request)
    return HttpResponse(html)


def _run(form: forms.Form, write: Any) -> Any:
    """Call the service when the form is valid and return what it made; its ValidationError
    becomes form errors (and None is returned)."""
    if not form.is_valid():
        return None
    try:
        return write(form.cleaned_data)
    except ValidationError as exc:
        apply_service_error(form, exc)
        return None


@require_POST
def incident_status(request: HttpRequest, slug: str) -> HttpResponse:
    incident = get_incident_for_write(request, slug)
    form = StatusForm(request.POST)
    _run(form, lambda d: services.change_status(incident, d["status"], author=request.user,
                                                reason=d["reason"]))
    return _respond(request, incident, "incident-header", "status_form", form, "incident-header")


@require_POST
def incident_severity(request: HttpRequest, slug: str) -> HttpResponse:
    incident = get_incident_for_write(request, slug)
    form = SeverityForm(request.POST)
    _run(form, lambda d: services.change_severity(incident, d["severity"], author=request.user,
                                                  reason=d["reason"]))
    return _respond(request, incident, "incident-header", "severity_form", form,
                    "incident-header")


@require_POST
def log_step(request: HttpRequest, slug: str) -> HttpResponse:
    incident = get_incident_for_write(request, slug)
    form = StepForm(request.POST)
    entry = _run(form, lambda d: services.log_step(incident, author=request.user, **d))
    return _respond_new_entry(request, incident, entry, "log-step", "step_form", form)


def _respond_new_entry(
    request: HttpRequest,
    incident: Incident,
    entry: TimelineEntry | None,
    partial: str,
    form_key: str,
    form: forms.Form,
) -> HttpResponse:
    """After a new entry from a form: htmx gets the fresh form in place and the timeline (with
    the new entry marked) out of band; otherwise as _respond."""
    if request.htmx and entry is not None:
        context = {**_page_context(incident), "new_entry_id": entry.pk}
        html = render_to_string(f"{DETAIL}#{partial}", context, request=request)
        html += render_to_string(f"{DETAIL}#timeline", {**context, "oob": True}, request=request)
        return HttpResponse(html)
    return _respond(request, incident, partial, form_key, form, "timeline")


def _entry_for_write(request: HttpRequest, slug: str, pk: int) -> tuple[Incident, TimelineEntry]:
    incident = get_incident_for_write(request, slug)
    return incident, get_object_or_404(TimelineEntry, pk=pk, incident=incident)


def _timeline_response(request: HttpRequest, incident: Incident, **extra: Any) -> HttpResponse:
    context = {**_page_context(incident), **extra}
    return HttpResponse(render_to_string(f"{DETAIL}#timeline", context, request=request))


def _edit_form_for(entry: TimelineEntry, data: Any = None) -> StepEditForm:
    initial = {"body": entry.body, "kind": entry.kind, "phase": entry.phase,
               "occurred_at": entry.occurred_at}
    return StepEditForm(data, initial=initial, prefix=f"entry-{entry.pk}")


@require_http_methods(["GET", "POST"])
def step_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET: the step as a form in place (htmx) or the page with it open; `?cancel` gives the
    step back. POST: correct it through the service; the timeline comes back re-ordered."""
    incident, entry = _entry_for_write(request, slug, pk)
    if not entry.is_editable:
        return HttpResponse(f"A {entry.get_kind_display().lower()} entry cannot be edited.",
                            status=409)
    form = _edit_form_for(entry, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _run(form, lambda d: services.edit_step(entry, author=request.user, **d))
        if not form.errors:
            if request.htmx:
                return _timeline_response(request, incident, new_entry_id=entry.pk)
            return redirect(f"{incident.get_absolute_url()}#entry-{entry.pk}")
    elif request.htmx and "cancel" in request.GET:
        context = {**_page_context(incident), "entry": entry}
        return HttpResponse(render_to_string(f"{DETAIL}#timeline-entry", context,
                                             request=request))
    context = {**_page_context(incident), "entry": entry, "editing_id": entry.pk,
               "edit_form": form, "remove_form": StepRemoveForm(prefix=f"remove-{entry.pk}")}
    if request.htmx:
        response = HttpResponse(render_to_string(f"{DETAIL}#step-edit", context,
                                                 request=request))
        # A refused correction comes back as the form, in place of the step, not the timeline.
        response["HX-Retarget"] = f"#entry-{entry.pk}"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, DETAIL, context)


@require_POST
def step_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    incident, entry = _entry_for_write(request, slug, pk)
    form = StepRemoveForm(request.POST, prefix=f"remove-{entry.pk}")
    correction = _run(form, lambda d: services.remove_step(entry, author=request.user, **d))
    if correction is None:
        return HttpResponse("; ".join(e for errs in form.errors.values() for e in errs),
                            status=409)
    if request.htmx:
        return _timeline_response(request, incident, new_entry_id=correction.pk)
    return redirect(f"{incident.get_absolute_url()}#timeline")


@require_POST
def comment_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone signed in may comment (the mobile role too); only as a comment, nothing else."""
    incident = get_incident_for_read(request, slug)
    form = CommentForm(request.POST)
    entry = _run(form, lambda d: services.add_comment(incident, author=request.user, **d))
    return _respond_new_entry(request, incident, entry, "add-comment", "comment_form", form)


@require_POST
def commit_add(request: HttpRequest, slug: str) -> HttpResponse:
    incident = get_incident_for_write(request, slug)
    form = CommitForm(request.POST)
    _run(form, lambda d: services.add_commit(incident, services.CommitFields(**d),
                                             author=request.user))
    return _respond(request, incident, "commits", "commit_form", form, "commits")


@require_POST
def migration_add(request: HttpRequest, slug: str) -> HttpResponse:
    incident = get_incident_for_write(request, slug)
    form = MigrationForm(request.POST, incident=incident)
    _run(form, lambda d: services.add_migration(incident, author=request.user, **d))
    return _respond(request, incident, "migrations", "migration_form", form, "migrations")


@require_POST
def data_loss_add(request: HttpRequest, slug: str) -> HttpResponse:
    incident = get_incident_for_write(request, slug)
    form = DataLossForm(request.POST)
    _run(form, lambda d: services.add_data_loss(incident, author=request.user, **d))
    return _respond(request, incident, "data-loss", "loss_form", form, "data-loss")


@require_POST
def action_add(request: HttpRequest, slug: str) -> HttpResponse:
    incident = get_incident_for_write(request, slug)
    form = ActionItemForm(request.POST)
    _run(form, lambda d: services.add_action_item(incident, author=request.user, **d))
    return _respond(request, incident, "action-items", "action_form", form, "action-items")


@require_POST
def action_toggle(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    incident = get_incident_for_write(request, slug)
    item = get_object_or_404(ActionItem, pk=pk, incident=incident)
    item = services.toggle_action_item(item, author=request.user)
    if not request.htmx:
        return redirect(f"{incident.get_absolute_url()}#action-items")
    context = _page_context(incident)
    html = render_to_string(f"{DETAIL}#action-item", {**context, "item": item}, request=request)
    html += render_to_string(f"{DETAIL}#timeline", {**context, "oob": True}, request=request)
    return HttpResponse(html)


# --- post-mortem ---------------------------------------------------------------------------


@require_GET
def postmortem_page(request: HttpRequest, slug: str) -> HttpResponse:
    incident = _with_page_rows(get_incident_for_read(request, slug))
    document, appendix = render_page(incident)
    return render(request, "recovery/postmortem.html",
                  {"incident": incident, "document": document, "appendix": appendix})


@require_GET
def postmortem_markdown(request: HttpRequest, slug: str) -> HttpResponse:
    incident = _with_page_rows(get_incident_for_read(request, slug))
    response = HttpResponse(build_markdown(incident), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{incident.slug}-postmortem.md"'
    return response
