from django.contrib import admin
from django.db import models

from .models import Alert, AuditRun, Finding, ModelStatus, SchemaVersion, Target


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
    exclude = ("snapshot", "expected_snapshot")


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


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("target", "previous_status", "status", "email_status", "webhook_status",
                    "attempts", "created_at")
    list_filter = ("status", "email_status", "webhook_status")


# -- endpoint safety (issue 5) -------------------------------------------------------------------
from .models import (  # noqa: E402
    ApiToken,
    Endpoint,
    EndpointOverride,
    EndpointRescan,
    EndpointScan,
)


@admin.register(Endpoint)
class EndpointAdmin(ReadOnlyAdmin):
    """Endpoints are computed by scans; overrides are how a person changes them."""

    list_display = ("target", "method_key", "route", "verdict", "verdict_since", "decided_by_run")
    list_filter = ("target", "verdict")
    search_fields = ("route", "file")


@admin.register(EndpointScan)
class EndpointScanAdmin(ReadOnlyAdmin):
    list_display = ("target", "scanned_at", "run", "error_at")


@admin.register(EndpointRescan)
class EndpointRescanAdmin(ReadOnlyAdmin):
    list_display = ("target", "status", "requested_by", "queued_at", "finished_at",
                    "endpoint_count")
    list_filter = ("status", "target")


@admin.register(EndpointOverride)
class EndpointOverrideAdmin(admin.ModelAdmin):
    list_display = ("target", "action", "model", "method", "route", "author", "created_at")
    list_filter = ("target", "action")
    search_fields = ("route", "model", "reason")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """The token itself is never stored; only revoking (and reading metadata) is possible."""

    list_display = ("name", "user", "prefix", "read_only", "created_at", "last_used_at",
                    "revoked_at")
    list_filter = ("read_only",)
    readonly_fields = ("user", "name", "token_hash", "prefix", "read_only", "created_at",
                       "last_used_at")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


# -- migration history (issue 6): records of each run, read-only --------------------------------
from .models import HistoryCheck, MigrationRecord, ThreeWayRecord  # noqa: E402


@admin.register(HistoryCheck)
class HistoryCheckAdmin(ReadOnlyAdmin):
    list_display = ("run", "target", "checked_at", "table_present", "in_flight", "recreated",
                    "error")
    list_filter = ("table_present", "in_flight", "recreated", "target")
    list_select_related = ("run__target", "target")
    exclude = ("fix_sql",)


@admin.register(MigrationRecord)
class MigrationRecordAdmin(ReadOnlyAdmin):
    list_display = ("run", "name", "state", "checksum_match", "finished_at", "absent_count")
    list_filter = ("state",)
    search_fields = ("name",)
    list_select_related = ("run__target",)


@admin.register(ThreeWayRecord)
class ThreeWayRecordAdmin(ReadOnlyAdmin):
    list_display = ("run", "object", "kind", "verdict", "migration")
    list_filter = ("verdict", "kind")
    search_fields = ("object", "table", "model")
    list_select_related = ("run__target",)
