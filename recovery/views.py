"""Thin views: access helper -> form -> service -> render.

Writes answer htmx with the fragment of the section that changed (named after its DOM id, a
`template#partial`) plus the timeline out of band, since every write also lands on the timeline.
Plain form posts get a redirect back to the incident, or the whole page with the form errors.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from config.roles import write_required

from . import services
from .access import get_incident_for_read, get_incident_for_write
from .forms import (
    ActionItemForm,
    CommitForm,
    DataLossForm,
    IncidentEditForm,
    IncidentForm,
    MigrationForm,
    SeverityForm,
    StatusForm,
    StepForm,
    apply_service_error,
)
from .markdown import render_markdown
from .models import ActionItem, ActionStatus, Incident, Severity, Status, TimelineEntry
from .postmortem import build_markdown, phase_groups

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
    """The incident with everything its page shows, in a fixed number of queries."""
    return Incident.objects.prefetch_related(
        Prefetch("entries", queryset=TimelineEntry.objects.select_related("author")),
        "commits",
        "migrations__commit",
        "data_losses",
        "action_items",
    ).get(pk=incident.pk)


def _page_context(incident: Incident, **forms_given: forms.Form) -> dict[str, Any]:
    incident = _load_for_page(incident)
    entries = list(incident.entries.all())
    context: dict[str, Any] = {
        "incident": incident,
        "phase_groups": phase_groups(entries),
        "phases": sorted({e.phase for e in entries if e.phase}),
        "commits": list(incident.commits.all()),
        "migrations": list(incident.migrations.all()),
        "losses": list(incident.data_losses.all()),
        "items": list(incident.action_items.all()),
        "status_form": StatusForm(initial={"status": incident.status}),
        "severity_form": SeverityForm(initial={"severity": incident.severity}),
        "step_form": StepForm(),
        "commit_form": CommitForm(),
        "migration_form": MigrationForm(incident=incident),
        "loss_form": DataLossForm(),
        "action_form": ActionItemForm(),
    }
    context.update(forms_given)
    return context


@require_GET
def incident_detail(request: HttpRequest, slug: str) -> HttpResponse:
    incident = get_incident_for_read(request, slug)
    return render(request, DETAIL, _page_context(incident))


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
    if request.htmx and entry is not None:
        # The fresh form in place, and the timeline (with the new entry) out of band.
        context = {**_page_context(incident), "new_entry_id": entry.pk}
        html = render_to_string(f"{DETAIL}#log-step", context, request=request)
        html += render_to_string(f"{DETAIL}#timeline", {**context, "oob": True}, request=request)
        return HttpResponse(html)
    return _respond(request, incident, "log-step", "step_form", form, "timeline")


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
    incident = _load_for_page(get_incident_for_read(request, slug))
    document = render_markdown(build_markdown(incident))
    return render(request, "recovery/postmortem.html", {"incident": incident,
                                                         "document": document})


@require_GET
def postmortem_markdown(request: HttpRequest, slug: str) -> HttpResponse:
    incident = _load_for_page(get_incident_for_read(request, slug))
    response = HttpResponse(build_markdown(incident), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{incident.slug}-postmortem.md"'
    return response
