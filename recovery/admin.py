from django.contrib import admin

from .models import ActionItem, Commit, DataLoss, Incident, Migration, TimelineEntry


class DataLossInline(admin.TabularInline):
    model = DataLoss
    extra = 0


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["title", "severity", "status", "commander", "declared_at"]
    list_filter = ["status", "severity"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [DataLossInline, ActionItemInline]


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "incident", "phase", "kind", "author"]
    list_filter = ["kind", "incident"]
    search_fields = ["body", "phase"]


@admin.register(Commit)
class CommitAdmin(admin.ModelAdmin):
    list_display = ["sha", "incident", "author", "committed_at", "files_changed"]
    search_fields = ["sha", "message"]


@admin.register(Migration)
class MigrationAdmin(admin.ModelAdmin):
    list_display = ["name", "incident", "checksum", "commit"]
    search_fields = ["name", "sql"]
    readonly_fields = ["checksum"]


@admin.register(DataLoss)
class DataLossAdmin(admin.ModelAdmin):
    list_display = ["table_name", "incident", "rows_before", "rows_restored", "unrecoverable"]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "incident", "owner", "due_date", "status"]
    list_filter = ["status"]
