"""`/api/initiatives/`: initiatives with the milestones they are created with."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import mixins, serializers

from reviews import services
from reviews.models import Initiative, Milestone
from reviews.selectors import visible_initiatives
from scorecard.api_support import ServiceViewSet, VisibleRelatedField, visible_to_requester
from scorecard.selectors import visible_people, visible_scorecards
from strategy.selectors import visible_objectives

MILESTONES_AT_CREATION = "Milestones are set at creation."


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_date", "done_at"]


class InitiativeSerializer(serializers.ModelSerializer):
    scorecard = VisibleRelatedField(visible=visible_scorecards)
    objectives = VisibleRelatedField(visible=visible_objectives, many=True, required=False)
    owner = VisibleRelatedField(visible=visible_people, allow_null=True, required=False)
    milestones = MilestoneSerializer(many=True, required=False)

    class Meta:
        model = Initiative
        fields = [
            "id", "scorecard", "objectives", "name", "description", "owner", "budget",
            "start_date", "end_date", "status", "percent_complete", "milestones",
        ]  # fmt: skip
        validators: list = []


class InitiativeFilter(django_filters.FilterSet):
    scorecard = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_scorecards))

    class Meta:
        model = Initiative
        fields = ["scorecard", "status"]


class InitiativeViewSet(
    ServiceViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
):
    """Initiatives with their milestones; milestones are written when the initiative is
    created."""

    serializer_class = InitiativeSerializer
    filterset_class = InitiativeFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    create_permission = update_permission = "reviews.change_initiative"
    create_on = "scorecard"
    fixed_fields = ("scorecard",)

    def get_queryset(self) -> QuerySet[Initiative]:
        return (
            visible_initiatives(self.request.user)
            .select_related("scorecard")
            .prefetch_related("objectives", "milestones")
            .order_by("scorecard", "name")
        )

    def check_update(self, initiative: Initiative, data: dict[str, Any]) -> None:
        super().check_update(initiative, data)
        if "milestones" in data:
            raise serializers.ValidationError({"milestones": [MILESTONES_AT_CREATION]})

    def create_with_service(self, data: dict[str, Any]) -> Initiative:
        drafts = [services.MilestoneDraft(**row) for row in data.pop("milestones", [])]
        return services.initiative_create(milestones=drafts, **data)

    def update_with_service(self, initiative: Initiative, data: dict[str, Any]) -> Initiative:
        return services.initiative_update(initiative=initiative, **data)
