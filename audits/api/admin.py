from django.contrib import admin

from .models import ApiToken


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
