from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from treebeard.admin import TreeAdmin

from scorecard import services
from scorecard.admin_support import ServiceAdmin, ServiceForm, ShownOnlyAdmin
from scorecard.models import (
    Membership,
    OrganizationSettings,
    OrgUnit,
    Period,
    Perspective,
    PerspectiveWeight,
    Scorecard,
    kind_label,
)

PERIODS_SHOWN_ONLY = (
    "Quarters are shown here, not edited: the application makes them from the fiscal calendar "
    "when data first needs them. Edited here, a quarter would no longer match the calendar "
    "its actuals and targets were stored under."
)
MOVED = "Moved “{unit}” under “{parent}”."


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class OrgUnitForm(ServiceForm):
    """A unit, with the unit it sits under: creating and moving go through the services."""

    parent = forms.ModelChoiceField(
        queryset=OrgUnit.objects.order_by("path"),
        required=False,
        help_text="The unit it sits under; empty only for the top unit.",
    )

    class Meta:
        model = OrgUnit
        fields = ["name", "slug", "kind"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The organization's own kinds (settings), which administrators extend.
        kinds = OrganizationSettings.unit_kinds_listed()
        self.fields["kind"] = forms.ChoiceField(
            choices=[(kind, kind_label(kind)) for kind in kinds],
            help_text="The organization's unit kinds are listed in its settings.",
        )
        if self.instance.pk is not None:
            parent = OrgUnit.objects.get_parent(self.instance)
            self.initial["parent"] = parent.pk if parent else None


@admin.register(OrgUnit)
class OrgUnitAdmin(ServiceAdmin, TreeAdmin):
    form = OrgUnitForm
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def create_with_service(self, request: HttpRequest, data: dict[str, Any]) -> OrgUnit:
        return services.org_unit_create(**data)

    def update_with_service(
        self, request: HttpRequest, stored: OrgUnit, data: dict[str, Any]
    ) -> OrgUnit:
        unit = stored
        if "parent" in data:
            unit = services.org_unit_move(unit=unit, parent=data["parent"])
        return services.org_unit_update(
            unit=unit, name=data.get("name"), kind=data.get("kind"), slug=data.get("slug")
        )

    def move_node(self, request: HttpRequest) -> HttpResponse:
        """The tree's drag and drop: the unit goes under the unit it was dropped on (or beside
        it, under the same parent), through the service; a refusal comes back as a message."""
        move = UnitMoveForm(request.POST)
        if not move.is_valid():
            return HttpResponseBadRequest("Invalid form data provided")
        unit, target = move.cleaned_data["node"], move.cleaned_data["target"]
        if not self.has_change_permission(request, unit):
            raise PermissionDenied
        parent = (
            target
            if move.cleaned_data["relation"] == "child"
            else OrgUnit.objects.get_parent(target)
        )
        try:
            services.org_unit_move(unit=unit, parent=parent)
        except ValidationError as error:
            # The page reloads after the move and shows the message.
            messages.error(request, " ".join(error.messages))
            return HttpResponseBadRequest("Move refused")
        messages.info(request, MOVED.format(unit=unit, parent=parent))
        return HttpResponse("OK")


class UnitMoveForm(forms.Form):
    node = forms.ModelChoiceField(queryset=OrgUnit.objects.all())
    target = forms.ModelChoiceField(queryset=OrgUnit.objects.all())
    relation = forms.ChoiceField(choices=[("child", "child"), ("sibling", "sibling")])


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
class OrganizationSettingsAdmin(ServiceAdmin):
    list_display = ["__str__", "fiscal_start_month", "reminder_lead_days", "grace_days"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not OrganizationSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def create_with_service(
        self, request: HttpRequest, data: dict[str, Any]
    ) -> OrganizationSettings:
        return services.organization_settings_update(**data)

    def update_with_service(
        self, request: HttpRequest, stored: OrganizationSettings, data: dict[str, Any]
    ) -> OrganizationSettings:
        return services.organization_settings_update(**data)


@admin.register(Period)
class PeriodAdmin(ShownOnlyAdmin):
    shown_only_because = PERIODS_SHOWN_ONLY
    list_display = ["label", "start", "end"]
    list_filter = ["fiscal_year"]
    ordering = ["-start"]


class PerspectiveWeightInline(admin.TabularInline):
    model = PerspectiveWeight
    extra = 0


@admin.register(Scorecard)
class ScorecardAdmin(ServiceAdmin):
    list_display = ["title", "org_unit"]
    search_fields = ["title", "org_unit__name"]
    list_select_related = ["org_unit"]
    inlines = [PerspectiveWeightInline]

    def create_with_service(self, request: HttpRequest, data: dict[str, Any]) -> Scorecard:
        return services.scorecard_create(**data)

    def update_with_service(
        self, request: HttpRequest, stored: Scorecard, data: dict[str, Any]
    ) -> Scorecard:
        return services.scorecard_update(
            scorecard=stored,
            title=data.get("title", stored.title),
            description=data.get("description", stored.description),
            org_unit=data.get("org_unit"),
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Perspective weights through the services, which recompute the scorecard: a removed
        row is the default weight again, a row moved to another perspective leaves the old
        one at the default."""
        scorecard = form.instance
        # What the admin's change message reads, as a formset's save() leaves it.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.deleted_forms:
            if row.instance.pk is not None:
                removed = PerspectiveWeight.objects.get(pk=row.instance.pk)
                services.perspective_weight_reset(
                    scorecard=scorecard, perspective=removed.perspective
                )
                formset.deleted_objects.append(removed)
        for row in formset.forms:
            if row not in formset.deleted_forms and row.has_changed():
                self._save_weight(scorecard, row, formset)

    def _save_weight(self, scorecard: Scorecard, row: Any, formset: Any) -> None:
        perspective = row.cleaned_data["perspective"]
        if row.instance.pk is not None:
            stored = PerspectiveWeight.objects.get(pk=row.instance.pk)
            if stored.perspective_id != perspective.pk:
                services.perspective_weight_reset(
                    scorecard=scorecard, perspective=stored.perspective
                )
        saved = services.perspective_weight_set(
            scorecard=scorecard, perspective=perspective, weight=row.cleaned_data["weight"]
        )
        if row.instance.pk is None:
            formset.new_objects.append(saved)
        else:
            formset.changed_objects.append((saved, row.changed_data))
