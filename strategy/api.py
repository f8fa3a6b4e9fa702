"""API for objectives and the strategy map's links."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets

from scorecard.api import (
    VisibleRelatedField,
    active_users,
    require,
    service_errors,
    visible_scorecards,
    visible_to_requester,
)
from scorecard.models import Perspective
from scorecard.rules import visible_q
from strategy import services
from strategy.models import CausalLink, Objective

OBJECTIVE_STAYS = "An objective stays on its scorecard; cascade it instead."


def visible_objectives(user: Any) -> QuerySet[Objective]:
    return Objective.objects.filter(visible_q(user, "scorecard__org_unit__path"))


class ObjectiveSerializer(serializers.ModelSerializer):
    scorecard = VisibleRelatedField(visible=visible_scorecards)
    perspective = serializers.PrimaryKeyRelatedField(queryset=Perspective.objects.all())
    owner = VisibleRelatedField(visible=active_users, allow_null=True, required=False)
    supports = VisibleRelatedField(visible=visible_objectives, many=True, required=False)

    class Meta:
        model = Objective
        fields = [
            "id",
            "scorecard",
            "perspective",
            "title",
            "description",
            "owner",
            "weight",
            "supports",
        ]
        validators: list = []  # The model's own constraint speaks through the service.


class ObjectiveFilter(django_filters.FilterSet):
    scorecard = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_scorecards))
    owner = django_filters.ModelChoiceFilter(queryset=visible_to_requester(active_users))

    class Meta:
        model = Objective
        fields = ["scorecard", "perspective", "owner"]


class ObjectiveViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilter

    def get_queryset(self) -> QuerySet[Objective]:
        return (
            visible_objectives(self.request.user)
            .select_related("scorecard__org_unit")
            .prefetch_related("supports")
            .order_by("scorecard_id", "perspective__order", "order", "id")
        )

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        require(self.request.user, "strategy.change_objective", data["scorecard"])
        with service_errors():
            serializer.instance = services.objective_create(**data)

    def perform_update(self, serializer: Any) -> None:
        objective = serializer.instance
        data = dict(serializer.validated_data)
        require(self.request.user, "strategy.change_objective", objective)
        if "scorecard" in data and data.pop("scorecard") != objective.scorecard:
            raise serializers.ValidationError({"scorecard": [OBJECTIVE_STAYS]})
        with service_errors():
            serializer.instance = services.objective_update(objective=objective, **data)


class LinkSerializer(serializers.ModelSerializer):
    scorecard = VisibleRelatedField(visible=visible_scorecards)
    # DRF's metaclass turns class attributes into fields; the stubs see Field.source instead.
    source = VisibleRelatedField(visible=visible_objectives)  # type: ignore[assignment]
    target = VisibleRelatedField(visible=visible_objectives)

    class Meta:
        model = CausalLink
        fields = ["id", "scorecard", "source", "target", "note"]
        validators: list = []


class LinkFilter(django_filters.FilterSet):
    scorecard = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_scorecards))
    source = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_objectives))
    target = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_objectives))

    class Meta:
        model = CausalLink
        fields = ["scorecard", "source", "target"]


class LinkViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = LinkSerializer
    filterset_class = LinkFilter

    def get_queryset(self) -> QuerySet[CausalLink]:
        return CausalLink.objects.filter(
            visible_q(self.request.user, "scorecard__org_unit__path")
        ).select_related("scorecard__org_unit")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        require(self.request.user, "strategy.change_causallink", data["scorecard"])
        with service_errors():
            serializer.instance = services.link_create(**data)

    def perform_destroy(self, instance: CausalLink) -> None:
        require(self.request.user, "strategy.change_causallink", instance)
        services.link_delete(link=instance)
