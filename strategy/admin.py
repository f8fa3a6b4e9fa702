from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from strategy.models import CausalLink, Objective


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ["title", "scorecard", "perspective", "owner", "weight", "archived_at"]
    list_filter = ["perspective", "scorecard__org_unit__kind", "archived_at"]
    search_fields = ["title", "description", "scorecard__title"]
    autocomplete_fields = ["owner", "supports"]
    list_select_related = ["scorecard", "perspective", "owner"]


@admin.register(CausalLink)
class CausalLinkAdmin(SimpleHistoryAdmin):
    list_display = ["source", "target", "scorecard"]
    list_filter = ["scorecard"]
    search_fields = ["source__title", "target__title", "note"]
    autocomplete_fields = ["source", "target"]
    list_select_related = ["source", "target", "scorecard"]
