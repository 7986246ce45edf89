from django.contrib import admin

from audits.core.admin import ReadOnlyAdmin

from .models import Alert


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("target", "previous_status", "status", "email_status", "webhook_status",
                    "attempts", "created_at")
    list_filter = ("status", "email_status", "webhook_status")


# -- endpoint safety (issue 5) -------------------------------------------------------------------
