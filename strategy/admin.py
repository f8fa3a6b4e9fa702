from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from scorecard.admin_support import ServiceAdmin
from strategy import services
from strategy.models import CausalLink, Objective


@admin.register(Objective)
class ObjectiveAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = ["title", "scorecard", "perspective", "owner", "weight", "archived_at"]
    list_filter = ["perspective", "scorecard__org_unit__kind", "archived_at"]
    search_fields = ["title", "description", "scorecard__title"]
    autocomplete_fields = ["owner", "supports"]
    list_select_related = ["scorecard", "perspective", "owner"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A new objective is active; archiving one is a change of a stored one.
        return ["archived_at"] if obj is None else []

    def create_with_service(self, request: HttpRequest, data: dict[str, Any]) -> Objective:
        data.pop("archived_at", None)
        return services.objective_create(**data)

    def update_with_service(
        self, request: HttpRequest, stored: Objective, data: dict[str, Any]
    ) -> Objective:
        return services.objective_update(objective=stored, **data)

    def delete_with_service(self, request: HttpRequest, obj: Objective) -> None:
        services.objective_delete(objective=obj)


@admin.register(CausalLink)
class CausalLinkAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = ["source", "target", "scorecard"]
    list_filter = ["scorecard"]
    search_fields = ["source__title", "target__title", "note"]
    autocomplete_fields = ["source", "target"]
    list_select_related = ["source", "target", "scorecard"]

    def create_with_service(self, request: HttpRequest, data: dict[str, Any]) -> CausalLink:
        return services.link_create(**data)

    def update_with_service(
        self, request: HttpRequest, stored: CausalLink, data: dict[str, Any]
    ) -> CausalLink:
        return services.link_update(link=stored, **data)

    def delete_with_service(self, request: HttpRequest, obj: CausalLink) -> None:
        services.link_delete(link=obj)
