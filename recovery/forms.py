"""Forms parse and type the input; the services own the rules and the writes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .markdown import MARKDOWN_MAX_LENGTH
from .models import SYSTEM_KINDS, ActionItem, Commit, EntryKind, Incident, Severity, Status


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        # The value format a datetime-local input accepts (no seconds, a "T"), so an edit form
        # shows the stored time.
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"


def apply_service_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class IncidentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = [
            "title", "severity", "commander", "summary", "impact", "root_cause",
            "data_lost_text", "data_recovered_text",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ["summary", "impact", "root_cause", "data_lost_text",
                         "data_recovered_text"]
        }


class IncidentEditForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = [
            "title", "commander", "summary", "impact", "root_cause", "data_lost_text",
            "data_recovered_text", "lessons_learned",
        ]
        widgets = {**IncidentForm.Meta.widgets,
                   "lessons_learned": forms.Textarea(attrs={"rows": 5})}


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    reason = forms.CharField(required=False, max_length=500,
                             help_text="Required to move the status back.")


class SeverityForm(forms.Form):
    severity = forms.ChoiceField(choices=Severity.choices)
    reason = forms.CharField(required=False, max_length=500)


STEP_KINDS = [(v, label) for v, label in EntryKind.choices if v not in SYSTEM_KINDS]


class StepForm(forms.Form):
    occurred_at = forms.DateTimeField(
        required=False, widget=DateTimeInput(), help_text="Empty means now."
    )
    phase = forms.CharField(required=False, max_length=120,
                            widget=forms.TextInput(attrs={"list": "phases"}))
    kind = forms.ChoiceField(choices=STEP_KINDS, initial=EntryKind.ACTION)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=MARKDOWN_MAX_LENGTH,
                           help_text="Markdown.", label="What happened")


class StepEditForm(StepForm):
    """The same fields as logging a step; an empty time keeps the step's own."""

    occurred_at = forms.DateTimeField(
        required=False, widget=DateTimeInput(), help_text="Empty keeps the logged time."
    )


class StepRemoveForm(forms.Form):
    reason = forms.CharField(required=False, max_length=300,
                             help_text="Kept on the timeline, e.g. “logged twice”.")


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Comment",
                           max_length=MARKDOWN_MAX_LENGTH,
                           help_text="Markdown. Everyone on the incident sees it.")


class CommitForm(forms.Form):
    sha = forms.CharField(max_length=40, label="SHA")
    message = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    author = forms.CharField(required=False, max_length=200)
    committed_at = forms.DateTimeField(required=False, widget=DateTimeInput())
    files_changed = forms.IntegerField(required=False, min_value=0)
    insertions = forms.IntegerField(required=False, min_value=0)
    deletions = forms.IntegerField(required=False, min_value=0)


class MigrationForm(forms.Form):
    name = forms.CharField(max_length=200,
                           widget=forms.TextInput(
                               attrs={"placeholder": "20260212132000_add_missing_user_columns"}))
    sql = forms.CharField(widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
                          label="SQL", strip=False)
    commit = forms.ModelChoiceField(queryset=Commit.objects.none(), required=False)

    def __init__(self, *args: object, incident: Incident, commits: list[Commit] | None = None,
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["commit"]
        field.queryset = incident.commits.all()  # type: ignore[attr-defined]
        if commits is not None:
            # The page has the incident's commits in hand: the same options without reading
            # them again (a posted choice is still checked against the queryset).
            field.choices = [("", field.empty_label),  # type: ignore[attr-defined]
                             *((commit.pk, field.label_from_instance(commit))  # type: ignore[attr-defined]
                               for commit in commits)]

    def clean_sql(self) -> str:
        # Browsers always submit a textarea with CRLF line ends (HTML spec), whatever was
        # pasted; the file in the repository almost always has LF, so LF is what was "given".
        sql: str = self.cleaned_data["sql"]
        return sql.replace("\r\n", "\n")


class DataLossForm(forms.Form):
    table_name = forms.CharField(max_length=128, label="Table")
    rows_before = forms.IntegerField(required=False, min_value=0)
    rows_restored = forms.IntegerField(required=False, min_value=0)
    how_restored = forms.CharField(required=False, max_length=500)
    unrecoverable = forms.BooleanField(required=False)


class ActionItemForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["title", "owner", "due_date"]
        widgets = {"due_date": DateInput()}
