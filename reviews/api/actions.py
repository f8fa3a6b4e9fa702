"""`/api/actions/`: action items, created by managers and updated by their owners."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import mixins, serializers

from kpis.selectors import visible_kpis
from reviews import selectors, services
from reviews.models import ActionItem
from reviews.selectors import visible_findings, visible_initiatives
from scorecard.api_support import ServiceViewSet, VisibleRelatedField, visible_to_requester
from scorecard.selectors import visible_people, visible_scorecards
from strategy.selectors import visible_objectives


class ActionItemSerializer(serializers.ModelSerializer):
    scorecard = VisibleRelatedField(visible=visible_scorecards)
    owner = VisibleRelatedField(visible=visible_people)
    kpi = VisibleRelatedField(visible=visible_kpis, allow_null=True, required=False)
    objective = VisibleRelatedField(visible=visible_objectives, allow_null=True, required=False)
    initiative = VisibleRelatedField(visible=visible_initiatives, allow_null=True, required=False)
    finding = VisibleRelatedField(visible=visible_findings, allow_null=True, required=False)

    class Meta:
        model = ActionItem
        fields = [
            "id", "scorecard", "title", "description", "owner", "due_date", "status",
            "is_draft", "kpi", "objective", "initiative", "finding", "created_at",
            "completed_at",
        ]  # fmt: skip
        read_only_fields = ["is_draft", "created_at", "completed_at"]


class ActionItemFilter(django_filters.FilterSet):
    scorecard = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_scorecards))
    owner = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_people))
    kpi = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_kpis))
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = ActionItem
        fields = ["scorecard", "owner", "status", "kpi"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        late = {"status__in": ActionItem.OPEN_STATUSES, "due_date__lt": timezone.localdate()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class ActionItemViewSet(
    ServiceViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
):
    """Action items. Managers create them; their owners (and managers) update them."""

    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    create_permission = "reviews.add_actionitem"
    create_on = "scorecard"
    update_permission = "reviews.update_actionitem"
    fixed_fields = ("scorecard", "kpi", "objective", "initiative", "finding")

    def get_queryset(self) -> QuerySet[ActionItem]:
        return selectors.action_items_visible_to(self.request.user, status="")

    def create_with_service(self, data: dict[str, Any]) -> ActionItem:
        return services.action_item_create(created_by=self.request.user, **data)

    def update_with_service(self, item: ActionItem, data: dict[str, Any]) -> ActionItem:
        return services.action_item_update(item=item, by=self.request.user, **data)
