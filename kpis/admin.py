from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kpis.models import KPI, Actual, ImportJob, QuarterLock, ScoreSnapshot, Target


@admin.register(KPI)
class KPIAdmin(SimpleHistoryAdmin):
    list_display = ["name", "objective", "unit", "direction", "indicator_type", "owner", "source"]
    list_filter = ["direction", "indicator_type", "source", "objective__perspective"]
    search_fields = ["name", "description", "objective__title"]
    autocomplete_fields = ["objective", "owner", "rolls_up_to"]
    list_select_related = ["objective", "owner"]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["kpi", "period", "value", "red_flag"]
    list_filter = ["period"]
    search_fields = ["kpi__name"]
    autocomplete_fields = ["kpi"]
    list_select_related = ["kpi", "period"]


@admin.register(Actual)
class ActualAdmin(SimpleHistoryAdmin):
    list_display = ["kpi", "period", "value", "entered_by", "entered_at", "source", "version"]
    list_filter = ["period", "source"]
    search_fields = ["kpi__name", "comment"]
    autocomplete_fields = ["kpi"]
    list_select_related = ["kpi", "period", "entered_by"]
    readonly_fields = ["version"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(admin.ModelAdmin):
    list_display = ["subject_type", "subject_id", "scorecard", "period", "score", "status"]
    list_filter = ["subject_type", "status", "period"]
    list_select_related = ["scorecard", "period"]

    def has_add_permission(self, request) -> bool:
        # Snapshots are the engine's output; editing one by hand would make it lie.
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(QuarterLock)
class QuarterLockAdmin(admin.ModelAdmin):
    list_display = ["scorecard", "period", "locked_at", "locked_by", "reason"]
    list_filter = ["period"]
    list_select_related = ["scorecard", "period", "locked_by"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["file_name", "person", "status", "processed", "total", "saved", "created_at"]
    list_filter = ["status"]
    search_fields = ["file_name", "person__username"]
    list_select_related = ["person"]
    readonly_fields = ["rows", "preview"]
