from django.contrib import admin

from audits.core.admin import ReadOnlyAdmin

from .models import Endpoint, EndpointOverride, EndpointRescan, EndpointScan


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
