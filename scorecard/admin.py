from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from scorecard.models import (
    Membership,
    OrganizationSettings,
    OrgUnit,
    Period,
    Perspective,
    PerspectiveWeight,
    Scorecard,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(OrgUnit)
class OrgUnitAdmin(TreeAdmin):
    form = movenodeform_factory(OrgUnit)
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "org_unit"]
    list_filter = ["role", "org_unit__kind"]
    search_fields = ["user__username", "user__email", "org_unit__name"]
    autocomplete_fields = ["user", "org_unit"]
    list_select_related = ["user", "org_unit"]


@admin.register(Perspective)
class PerspectiveAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "color"]
    list_display_links = ["name"]
    search_fields = ["name"]


@admin.register(OrganizationSettings)
class OrganizationSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "fiscal_start_month", "reminder_lead_days", "grace_days"]

    def has_add_permission(self, request) -> bool:
        return not OrganizationSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "start", "end"]
    list_filter = ["fiscal_year"]
    ordering = ["-start"]


class PerspectiveWeightInline(admin.TabularInline):
    model = PerspectiveWeight
    extra = 0


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ["title", "org_unit"]
    search_fields = ["title", "org_unit__name"]
    list_select_related = ["org_unit"]
    inlines = [PerspectiveWeightInline]
