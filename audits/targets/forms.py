"""The target form. Secrets are write-only: the DSN, the webhook URL (a Slack webhook URL is
itself a credential) and the webhook secret never render back."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.utils.text import slugify

from audits.core import conf, confinement
from audits.core.credentials import (
    TargetConfigError,
    allowed_env_vars_text,
    check_env_var,
    check_target_location,
)
from audits.core.models import Target
from audits.targets import services


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class SchemaFilesField(forms.FileField):
    """One schema.prisma, or several .prisma files of a multi-file schema."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class TargetForm(forms.ModelForm):
    database_url = forms.CharField(
        required=False, label="Database URL",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="postgresql://… or a SQLite path. Stored encrypted; never shown again.",
    )
    database_url_env = forms.CharField(
        required=False, max_length=200, label="…or an environment variable",
        help_text="The name of an environment variable, set on the workers, that holds the URL.",
    )
    schema_files = SchemaFilesField(
        required=False,
        help_text="Upload schema.prisma, or every .prisma file of a multi-file schema.",
    )
    namespaces_text = forms.CharField(
        required=False, label="Schemas to inspect",
        help_text="Comma-separated database schemas; empty means the schema's own (public).",
    )
    webhook_url = forms.URLField(
        required=False, max_length=1000, assume_scheme="https", label="Webhook URL",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Slack-compatible incoming webhook; receives {\"text\": …} as JSON. "
        "Never shown again.",
    )
    clear_webhook_url = forms.BooleanField(required=False, label="Remove the webhook")
    webhook_secret = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False),
        help_text="Signs webhook bodies (HMAC-SHA256).",
    )

    class Meta:
        model = Target
        fields = [
            "name", "slug", "schema_source", "schema_path", "interval_minutes", "enabled",
            "incidents", "code_path", "migrations_path", "protected", "exact_row_counts",
            "alert_emails", "webhook_url",
        ]
        widgets = {"alert_emails": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["schema_source"].choices = [
            c for c in Target.SchemaSource.choices if c[0] != Target.SchemaSource.BASELINE
            or (self.instance.pk and self.instance.baseline_run_id)
        ]
        if self.instance.pk:
            self.fields["namespaces_text"].initial = ", ".join(self.instance.namespaces)
            self.fields["database_url_env"].initial = self.instance.dsn_env_var
            # Only an edit has a current value that an empty secret field keeps.
            keep = " Leave empty to keep the current one."
            if self.instance.dsn_encrypted:
                self.fields["database_url"].help_text += keep
            if self.instance.webhook_url:
                self.fields["webhook_url"].help_text += keep
            if self.instance.webhook_secret_encrypted:
                self.fields["webhook_secret"].help_text += keep
        self.fields["database_url_env"].help_text += f" Allowed names: {allowed_env_vars_text()}."
        if self.instance.webhook_url:
            self.fields["webhook_url"].help_text += f" Current: {webhook_host(self.instance)}"

    def clean_slug(self) -> str:
        return self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("name", ""))

    def clean_webhook_url(self) -> str:
        # Write-only: an empty field keeps the stored URL (the page never held it).
        return str(self.cleaned_data.get("webhook_url") or "") or self.instance.webhook_url

    def clean_namespaces_text(self) -> list[str]:
        text = self.cleaned_data.get("namespaces_text", "")
        return [item.strip() for item in text.split(",") if item.strip()]

    def clean_schema_files(self) -> dict[str, str]:
        files = {}
        limit = conf.max_upload_bytes()
        total = 0
        for upload in self.cleaned_data.get("schema_files") or []:
            if not upload.name.endswith(".prisma"):
                raise forms.ValidationError(f"{upload.name} is not a .prisma file.")
            total += upload.size
            if upload.size > limit:
                raise forms.ValidationError(
                    f"{upload.name} is larger than {limit:,} bytes, the most the form accepts "
                    "(DRIFTWATCH_MAX_UPLOAD_BYTES); a larger schema can be read from a schema "
                    "path by the worker.")
            if total > limit:  # several files are parsed together, in this request
                raise forms.ValidationError(
                    f"the uploaded files hold more than {limit:,} bytes together, the most the "
                    "form accepts (DRIFTWATCH_MAX_UPLOAD_BYTES).")
            data = upload.read()
            if b"\x00" in data:  # PostgreSQL cannot store it, and no schema holds one
                raise forms.ValidationError(
                    f"{upload.name} is not a text file (it holds NUL bytes).")
            try:
                files[upload.name] = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(f"{upload.name} is not UTF-8 text.") from exc
        if files:
            problems = services.schema_problems(files)
            if problems:
                raise forms.ValidationError(problems)
        return files

    def _clean_path(self, field: str) -> str:
        value = str(self.cleaned_data.get(field) or "").strip()
        if value:
            try:
                confinement.confined(value, confinement.WHAT[field])
            except TargetConfigError as exc:
                raise forms.ValidationError(f"{exc}.") from exc
        return value

    def clean_schema_path(self) -> str:
        return self._clean_path("schema_path")

    def clean_code_path(self) -> str:
        return self._clean_path("code_path")

    def clean_migrations_path(self) -> str:
        return self._clean_path("migrations_path")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_dsn = bool(data.get("database_url") or data.get("database_url_env"))
        if not self.instance.pk and not has_dsn:
            self.add_error("database_url", "Give a database URL or an environment variable.")
        if data.get("database_url_env") and not data.get("database_url"):
            self._check_env_var(data["database_url_env"])
        if data.get("database_url"):
            try:
                check_target_location(data["database_url"])
            except TargetConfigError as exc:
                self.add_error("database_url", f"{exc}.")
        if data.get("clear_webhook_url") and not self.data.get("webhook_url"):
            data["webhook_url"] = ""
        source = data.get("schema_source")
        if source == Target.SchemaSource.PATH and not data.get("schema_path") \
                and "schema_path" not in self.errors:
            self.add_error("schema_path", "Give the path of schema.prisma or its folder.")
        needs_upload = not (self.instance.pk and self.instance.current_schema_id)
        uploaded = data.get("schema_files") or "schema_files" in self.errors  # refused above
        if source == Target.SchemaSource.VERSIONS and needs_upload and not uploaded:
            self.add_error("schema_files", "Upload schema.prisma (or choose a path on disk).")
        return data

    def _check_env_var(self, name: str) -> None:
        # Refused here, before anything is saved; an entered URL would replace the variable.
        try:
            check_env_var(name)
        except TargetConfigError as exc:
            self.add_error("database_url_env", str(exc))


def webhook_host(target: Target) -> str:
    """What the page may show of a webhook URL: its host only (the path is the secret)."""
    host = urlsplit(target.webhook_url).hostname or ""
    return f"{host}/…" if host else ""
