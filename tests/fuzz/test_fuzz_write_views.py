"""Every write view on hostile payloads, posted through the Django test client as a backend user
(the forms' own fuzzing calls them directly; this goes through the views, their services and
their transactions): never a 500, and an answer that shows a form error, or a 4xx, changed no
row of either app (nothing half-saved)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from audits.catastrophe.forms import ThresholdsForm
from audits.core.models import Target
from audits.targets import services as targets
from audits.targets.forms import TargetForm
from recovery import forms as recovery_forms
from recovery.models import ActionItem, Incident, TimelineEntry
from tests.audits.conftest import SCHEMA, SECRET_DSN
from tests.fuzz.conftest import FUZZ
from tests.fuzz.test_fuzz_forms import TEXT

pytestmark = pytest.mark.django_db

# markers of a form shown again with its errors (templates/partials/field.html, form_errors.html)
ERROR_MARKERS = ('class="field-error"', 'class="form-errors"')
RANDOM_KEYS = st.lists(st.sampled_from(["route", "method", "model", "action", "reason", "error",
                                        "status", "severity", "body", "title", "x"]),
                       max_size=4)


class World:
    def __init__(self, client: Client, incident: Incident, target: Target,
                 step: TimelineEntry, item: ActionItem) -> None:
        self.client, self.incident, self.target = client, incident, target
        self.step, self.item = step, item

    def views(self) -> list[tuple[str, str, list[str]]]:
        """(name, url, field names) of every write view that takes a payload."""
        slug, target = self.incident.slug, self.target.slug
        step = self.step.pk

        def fields(form: Any, prefix: str = "") -> list[str]:
            return [f"{prefix}{name}" for name in form.fields]

        return [
            ("incident_create", reverse("recovery:incident_create"),
             fields(recovery_forms.IncidentForm())),
            ("incident_edit", reverse("recovery:incident_edit", args=[slug]),
             fields(recovery_forms.IncidentEditForm(instance=self.incident))),
            ("incident_status", reverse("recovery:incident_status", args=[slug]),
             fields(recovery_forms.StatusForm())),
            ("incident_severity", reverse("recovery:incident_severity", args=[slug]),
             fields(recovery_forms.SeverityForm())),
            ("log_step", reverse("recovery:log_step", args=[slug]),
             fields(recovery_forms.StepForm())),
            ("step_edit", reverse("recovery:step_edit", args=[slug, step]),
             fields(recovery_forms.StepEditForm(), f"entry-{step}-")),
            ("step_remove", reverse("recovery:step_remove", args=[slug, step]),
             fields(recovery_forms.StepRemoveForm(), f"remove-{step}-")),
            ("comment_add", reverse("recovery:comment_add", args=[slug]),
             fields(recovery_forms.CommentForm())),
            ("commit_add", reverse("recovery:commit_add", args=[slug]),
             fields(recovery_forms.CommitForm())),
            ("migration_add", reverse("recovery:migration_add", args=[slug]),
             fields(recovery_forms.MigrationForm(incident=self.incident))),
            ("data_loss_add", reverse("recovery:data_loss_add", args=[slug]),
             fields(recovery_forms.DataLossForm())),
            ("action_add", reverse("recovery:action_add", args=[slug]),
             fields(recovery_forms.ActionItemForm())),
            ("action_toggle", reverse("recovery:action_toggle", args=[slug, self.item.pk]), []),
            ("target_create", reverse("audits:target_create"), fields(TargetForm())),
            ("target_edit", reverse("audits:target_edit", args=[target]),
             fields(TargetForm(instance=self.target))),
            ("endpoint_override_add", reverse("audits:endpoint_override_add", args=[target]),
             ["route", "method", "model", "action", "reason"]),
            ("vital_signs_thresholds", reverse("audits:vital_signs_thresholds", args=[target]),
             fields(ThresholdsForm())),
            ("target_decode", reverse("audits:target_decode", args=[target]), ["error"]),
        ]


@pytest.fixture
def world(backend_client: Client) -> World:
    incident = Incident.objects.create(title="Fuzzed", slug="fuzzed")
    target = targets.create_target(name="Fuzzed target", slug="fuzzed-target",
                                   dsn=SECRET_DSN,
                                   schema_files={"schema.prisma": SCHEMA})
    target.incidents.add(incident)
    step = TimelineEntry.objects.create(incident=incident, body="Restored `Order`")
    item = ActionItem.objects.create(incident=incident, title="Check backups")
    return World(backend_client, incident, target, step, item)


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for label in ("recovery", "audits")
            for model in apps.get_app_config(label).get_models()}


@FUZZ
@given(data=st.data())
def test_no_write_view_answers_500_or_half_saves(world: World, data: Any) -> None:
    name, url, fields = data.draw(st.sampled_from(world.views()), label="view")
    payload: dict[str, Any] = {field: data.draw(TEXT, label=field) for field in fields}
    for key in data.draw(RANDOM_KEYS, label="extra keys"):
        payload[key] = data.draw(TEXT, label=key)
    if name.startswith("target_"):
        upload = data.draw(st.one_of(st.binary(max_size=300), st.just(SCHEMA.encode())),
                           label="upload")
        payload["schema_files"] = SimpleUploadedFile("schema.prisma", upload)
    htmx = data.draw(st.booleans(), label="htmx")
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    before = row_counts()
    response = world.client.post(url, payload, **headers)
    assert response.status_code < 500, (name, payload, response.status_code)
    assert response.status_code in (200, 204, 302) or 400 <= response.status_code < 500
    body = response.content.decode(errors="replace") if response.status_code == 200 else ""
    if response.status_code >= 400 or any(marker in body for marker in ERROR_MARKERS):
        assert row_counts() == before, (name, payload)
