from django.contrib import admin

from audits.core.admin import ReadOnlyAdmin

from .models import HistoryCheck, MigrationRecord, ThreeWayRecord


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
