from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from kpis import services
from kpis.forms import NumberField
from kpis.models import KPI, Actual, ImportJob, QuarterLock, ScoreSnapshot, Target
from scorecard.admin_support import ServiceAdmin, ShownOnlyAdmin

ACTUALS_SHOWN_ONLY = (
    "Actuals are shown here, not edited: enter them in My updates (the form, the grid or a "
    "spreadsheet import) or through the API (/api/actuals/), which keep their version, "
    "respect a closed review's lock, ask for a comment on a red result and recompute the "
    "scores."
)
SNAPSHOTS_SHOWN_ONLY = (
    "Snapshots are the engine's output, shown here, not edited: change the actuals, targets or "
    "structure they come from, and the recompute writes them."
)
LOCKS_SHOWN_ONLY = (
    "A quarter is locked by closing its review and unlocked by reopening the review with a "
    "reason, on the review's page or through the API (/api/reviews/)."
)


@admin.register(KPI)
class KPIAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = ["name", "objective", "unit", "direction", "indicator_type", "owner", "source"]
    list_filter = ["direction", "indicator_type", "source", "objective__perspective"]
    search_fields = ["name", "description", "objective__title"]
    autocomplete_fields = ["objective", "owner", "rolls_up_to"]
    list_select_related = ["objective", "owner"]

    def create_with_service(self, request: HttpRequest, data: dict[str, Any]) -> KPI:
        return services.kpi_create(**data)

    def update_with_service(self, request: HttpRequest, stored: KPI, data: dict[str, Any]) -> KPI:
        return services.kpi_update(kpi=stored, **data)

    def delete_with_service(self, request: HttpRequest, obj: KPI) -> None:
        services.kpi_delete(kpi=obj)


@admin.register(Target)
class TargetAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = ["kpi", "period", "value", "red_flag", "value_high", "red_flag_high"]
    list_filter = ["period"]
    search_fields = ["kpi__name"]
    autocomplete_fields = ["kpi"]
    list_select_related = ["kpi", "period"]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Numbers as every other path reads them (kpis.services.numbers), not Django's
        # DecimalField, which takes "１２３" and "1_000".
        # (An ordinal KPI's levels are positions here, 0 = worst; the editor shows names.)
        if db_field.name in ("value", "red_flag", "value_high", "red_flag_high"):
            return NumberField(label=db_field.verbose_name.capitalize(), required=not db_field.null)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A target belongs to its KPI and quarter: another quarter's target is another row.
        return ["kpi", "period"] if obj is not None else []

    def create_with_service(self, request: HttpRequest, data: dict[str, Any]) -> Target:
        return services.target_set(**data)

    def update_with_service(
        self, request: HttpRequest, stored: Target, data: dict[str, Any]
    ) -> Target:
        return services.target_set(
            kpi=stored.kpi,
            period=stored.period,
            value=data.get("value", stored.value),
            red_flag=data.get("red_flag", stored.red_flag),
            value_high=data.get("value_high", stored.value_high),
            red_flag_high=data.get("red_flag_high", stored.red_flag_high),
        )

    def delete_with_service(self, request: HttpRequest, obj: Target) -> None:
        services.target_clear(kpi=obj.kpi, period=obj.period)


@admin.register(Actual)
class ActualAdmin(ShownOnlyAdmin, SimpleHistoryAdmin):
    shown_only_because = ACTUALS_SHOWN_ONLY
    list_display = ["kpi", "period", "value", "entered_by", "entered_at", "source", "version"]
    list_filter = ["period", "source"]
    search_fields = ["kpi__name", "comment"]
    list_select_related = ["kpi", "period", "entered_by"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ShownOnlyAdmin):
    shown_only_because = SNAPSHOTS_SHOWN_ONLY
    list_display = ["subject_type", "subject_id", "scorecard", "period", "score", "status"]
    list_filter = ["subject_type", "status", "period"]
    list_select_related = ["scorecard", "period"]


@admin.register(QuarterLock)
class QuarterLockAdmin(ShownOnlyAdmin):
    shown_only_because = LOCKS_SHOWN_ONLY
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
