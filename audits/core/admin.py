from django.contrib import admin
from django.db import models

from .models import AuditRun, Finding, ModelStatus, SchemaVersion, Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("name", "dialect", "schema_source", "worst_status", "enabled", "next_due_at")
    list_filter = ("dialect", "schema_source", "enabled")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    # The secrets stay out of the form: they are set through the target form or CLI. The
    # webhook URL is one too (it is stored in clear, so it is kept off this page entirely).
    exclude = ("dsn_encrypted", "webhook_secret_encrypted", "webhook_url")
    readonly_fields = ("last_run", "last_success", "worst_status", "current_schema",
                       "baseline_run")
    filter_horizontal = ("incidents",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(SchemaVersion)
class SchemaVersionAdmin(admin.ModelAdmin):
    list_display = ("target", "label", "content_hash", "created_at")
    list_filter = ("target",)
    readonly_fields = ("content", "content_hash", "created_at")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit results are records: viewable, never edited by hand."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AuditRun)
class AuditRunAdmin(ReadOnlyAdmin):
    list_display = ("target", "status", "worst_status", "queued_at", "duration_ms",
                    "critical_count", "error_count", "warning_count")
    list_filter = ("status", "worst_status", "target")
    raw_id_fields = ("expected_snapshot", "live_snapshot")


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("run", "severity", "kind", "table", "column", "message")
    list_filter = ("severity", "kind")
    search_fields = ("table", "column", "model", "message")
    list_select_related = ("run__target",)


@admin.register(ModelStatus)
class ModelStatusAdmin(ReadOnlyAdmin):
    list_display = ("run", "schema", "table", "model", "status", "finding_count")
    list_filter = ("status",)
    search_fields = ("table", "model")
    list_select_related = ("run__target",)
