"""API for objectives and the strategy map's links."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from scorecard.api_support import (
    ServiceViewSet,
    VisibleRelatedField,
    require,
    service_errors,
    visible_to_requester,
)
from scorecard.ids import BIGGEST_ID
from scorecard.models import Perspective
from scorecard.selectors import visible_people, visible_scorecards, visible_units
from strategy import services
from strategy.models import CausalLink, Objective
from strategy.selectors import visible_links, visible_objectives

UNKNOWN_PERSON = "No active person has the id {id}."
NOT_A_CHOSEN_UNIT = "Unit {id} is not among the chosen org_units."
NOT_A_UNIT_ID = "{key!r} is not a unit id: key this object by the ids of org_units."


class ObjectiveSerializer(serializers.ModelSerializer):
    scorecard = VisibleRelatedField(visible=visible_scorecards)
    perspective = serializers.PrimaryKeyRelatedField(queryset=Perspective.objects.all())
    owner = VisibleRelatedField(visible=visible_people, allow_null=True, required=False)
    supports = VisibleRelatedField(visible=visible_objectives, many=True, required=False)

    class Meta:
        model = Objective
        fields = [
            "id",
            "scorecard",
            "perspective",
            "code",
            "title",
            "description",
            "owner",
            "weight",
            "supports",
        ]
        validators: list = []  # The model's own constraint speaks through the service.


class ObjectiveFilter(django_filters.FilterSet):
    scorecard = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_scorecards))
    owner = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_people))

    class Meta:
        model = Objective
        fields = ["scorecard", "perspective", "owner"]


def people_by_unit(user: Any, raw: dict, units: list) -> dict[int, Any]:
    """Turn {unit id: user id} into {unit id: user}, refusing units that were not chosen
    and ids that are not people the caller may name (unknown and hidden alike)."""
    chosen = {unit.pk for unit in units}
    wanted = {int(unit_id): user_id for unit_id, user_id in raw.items()}
    for unit_id in wanted:
        if unit_id not in chosen:
            raise serializers.ValidationError({"owners": [NOT_A_CHOSEN_UNIT.format(id=unit_id)]})
    people = visible_people(user).in_bulk(list(wanted.values()))
    for user_id in wanted.values():
        if user_id not in people:
            raise serializers.ValidationError({"owners": [UNKNOWN_PERSON.format(id=user_id)]})
    return {unit_id: people[user_id] for unit_id, user_id in wanted.items()}


class ObjectiveCascadeSerializer(serializers.Serializer):
    org_units = VisibleRelatedField(visible=visible_units, many=True)
    owners = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=BIGGEST_ID),
        required=False,
        default=dict,
        help_text="Owner per unit: {unit id: user id}.",
    )

    def validate_owners(self, value: dict) -> dict:
        return keyed_by_unit_id(value)


def keyed_by_unit_id(value: dict) -> dict:
    for key in value:
        if not (str(key).isascii() and str(key).isdigit()):
            raise serializers.ValidationError(NOT_A_UNIT_ID.format(key=key))
    return value


class ObjectiveViewSet(
    ServiceViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
):
    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilter
    create_permission = update_permission = "strategy.change_objective"
    create_on = "scorecard"

    def get_queryset(self) -> QuerySet[Objective]:
        return (
            visible_objectives(self.request.user)
            .select_related("scorecard__org_unit")
            .prefetch_related("supports")
            .order_by("scorecard_id", "perspective__order", "order", "id")
        )

    def create_with_service(self, data: dict[str, Any]) -> Objective:
        return services.objective_create(**data)

    def update_with_service(self, objective: Objective, data: dict[str, Any]) -> Objective:
        return services.objective_update(objective=objective, **data)

    @extend_schema(
        request=ObjectiveCascadeSerializer, responses={201: ObjectiveSerializer(many=True)}
    )
    @action(detail=True, methods=["post"])
    def cascade(self, request: Request, pk: Any = None) -> Response:
        """Cascade the objective to child units: one supporting objective in each."""
        objective = self.get_object()
        require(request.user, "strategy.change_objective", objective)
        body = ObjectiveCascadeSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        units = body.validated_data["org_units"]
        owners = people_by_unit(request.user, body.validated_data["owners"], units)
        with service_errors():
            created = services.objective_cascade(
                objective=objective, org_units=units, owners=owners
            )
        data = ObjectiveSerializer(created, many=True, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


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
    ServiceViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
):
    serializer_class = LinkSerializer
    filterset_class = LinkFilter
    create_permission = delete_permission = "strategy.change_causallink"
    create_on = "scorecard"

    def get_queryset(self) -> QuerySet[CausalLink]:
        return visible_links(self.request.user).select_related("scorecard__org_unit")

    def create_with_service(self, data: dict[str, Any]) -> CausalLink:
        return services.link_create(**data)

    def delete_with_service(self, link: CausalLink) -> None:
        services.link_delete(link=link)
