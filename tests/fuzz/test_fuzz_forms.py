"""Every form on hostile input: a verdict (valid or errors), never an exception; a NUL byte or
other non-text input in any field is a form error."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from audits.targets.forms import TargetForm
from recovery import forms as recovery_forms
from recovery.models import Incident
from tests.fuzz.conftest import FUZZ

pytestmark = pytest.mark.django_db

# No lone surrogates: Django decodes request data with errors="replace", so none reach a form.
TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.sampled_from(["", " ", "\x00", "a\x00b", "2026-02-12T13:20", "-1", "1e309", "99999999999",
                     "SEV1", "resolved", "action", "backend", "x" * 25_000]),
)


def every_form(incident: Incident) -> list[tuple[str, Any]]:
    """(name, a function making the form from data and files) for every form of the app."""
    return [
        ("IncidentForm", lambda d, f: recovery_forms.IncidentForm(d)),
        ("IncidentEditForm", lambda d, f: recovery_forms.IncidentEditForm(d, instance=incident)),
        ("StatusForm", lambda d, f: recovery_forms.StatusForm(d)),
        ("SeverityForm", lambda d, f: recovery_forms.SeverityForm(d)),
        ("StepForm", lambda d, f: recovery_forms.StepForm(d)),
        ("StepEditForm", lambda d, f: recovery_forms.StepEditForm(d)),
        ("StepRemoveForm", lambda d, f: recovery_forms.StepRemoveForm(d)),
        ("CommentForm", lambda d, f: recovery_forms.CommentForm(d)),
        ("CommitForm", lambda d, f: recovery_forms.CommitForm(d)),
        ("MigrationForm", lambda d, f: recovery_forms.MigrationForm(d, incident=incident)),
        ("DataLossForm", lambda d, f: recovery_forms.DataLossForm(d)),
        ("ActionItemForm", lambda d, f: recovery_forms.ActionItemForm(d)),
        ("TargetForm", lambda d, f: TargetForm(d, f)),
    ]


@pytest.fixture
def incident() -> Incident:
    return Incident.objects.create(title="Fuzzed", slug="fuzzed")


def text_fields(form: forms.Form) -> list[str]:
    return [name for name, field in form.fields.items()
            if isinstance(field, forms.CharField) and not isinstance(field, forms.URLField)]


@FUZZ
@given(data=st.data())
def test_every_form_gives_a_verdict_on_any_input(incident: Incident, data: Any) -> None:
    for name, make in every_form(incident):
        fields = make({}, {}).fields
        values = {field: data.draw(TEXT, label=f"{name}.{field}") for field in fields}
        upload = data.draw(st.binary(max_size=300), label=f"{name}.upload")
        files = {"schema_files": SimpleUploadedFile("schema.prisma", upload)}
        form = make(values, files)
        valid = form.is_valid()  # must not raise
        if any("\x00" in values[field] for field in text_fields(form)):
            assert not valid, (name, values)
        if name == "TargetForm" and (b"\x00" in upload or not _utf8(upload)):
            assert "schema_files" in form.errors, (upload, form.errors)


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_a_nul_byte_in_any_text_field_is_a_form_error(incident: Incident) -> None:
    for name, make in every_form(incident):
        for field in text_fields(make({}, {})):
            form = make({field: "before\x00after"}, {})
            assert not form.is_valid()
            assert field in form.errors, (name, field)
            assert "Null characters are not allowed." in form.errors[field], (name, field)
