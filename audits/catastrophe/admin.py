from django.contrib import admin

from audits.core.admin import ReadOnlyAdmin

from .models import VitalSignsRecord, WatchSettings


@admin.register(VitalSignsRecord)
class VitalSignsRecordAdmin(ReadOnlyAdmin):
    list_display = ("target", "run", "total_rows", "table_count", "healthy", "incident",
                    "email_status", "webhook_status", "created_at")
    list_filter = ("healthy",)


@admin.register(WatchSettings)
class WatchSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Thresholds per target (JSON, the keys of ``Thresholds``; validated on save)."""

    list_display = ("target", "thresholds")
