"""`/api/kpis/`: KPIs, and their cascade to child units as roll-up members."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from kpis import services
from kpis.api.bulk import LEVEL_NAME_LENGTH
from kpis.models import KPI
from kpis.selectors import visible_kpis
from scorecard.api_support import (
    ServiceViewSet,
    VisibleRelatedField,
    require,
    service_errors,
    visible_to_requester,
)
from scorecard.ids import BIGGEST_ID
from scorecard.selectors import visible_people, visible_units
from strategy.api import NOT_A_CHOSEN_UNIT, keyed_by_unit_id, people_by_unit
from strategy.selectors import visible_objectives

MAX_LEVELS = 50
CASCADE_OBJECTIVE_HIDDEN = "No objective you may see has the id {id}."


class MissingChildrenField(serializers.ChoiceField):
    """Reads the rule the roll-up applies (the default by method when none is stored; null
    for a KPI that is no roll-up); writes the stored one, null for the default."""

    def get_attribute(self, instance: KPI) -> str | None:
        return instance.effective_missing_children


class KPISerializer(serializers.ModelSerializer):
    objective = VisibleRelatedField(visible=visible_objectives)
    owner = VisibleRelatedField(visible=visible_people, allow_null=True, required=False)
    rolls_up_to = VisibleRelatedField(visible=visible_kpis, allow_null=True, required=False)
    rollup_method = serializers.ChoiceField(
        choices=KPI.RollupMethod.choices, allow_null=True, required=False
    )
    missing_children = MissingChildrenField(
        choices=KPI.MissingChildren.choices,
        allow_null=True,
        required=False,
        help_text="A roll-up's value while a child KPI has none: require_all, ignore or zero; "
        "null for the default by method (require_all for sum, ignore for the others).",
    )

    levels = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=LEVEL_NAME_LENGTH),
        required=False,
        max_length=MAX_LEVELS,
        help_text="An ordinal KPI's level names, worst first (e.g. BBB, A, AA, AAA).",
    )

    class Meta:
        model = KPI
        fields = [
            "id",
            "objective",
            "code",
            "name",
            "description",
            "data_source",
            "unit",
            "decimals",
            "baseline",
            "direction",
            "indicator_type",
            "owner",
            "weight",
            "tolerance_pct",
            "source",
            "rolls_up_to",
            "rollup_method",
            "missing_children",
            "formula",
            "missing_values",
            "target_type",
            "levels",
            "frequency",
            "time_aggregation",
        ]
        validators: list = []
        extra_kwargs = {
            "formula": {
                "help_text": "For source formula: the expression of DESIGN.md section 4, e.g. "
                "[1.1] / [1.2] * 100; refused with the column of the error."
            },
            "missing_values": {
                "help_text": "For source formula: a missing input leaves the result blank "
                "(blank) or counts as 0 (zero)."
            },
        }


class KPIFilter(django_filters.FilterSet):
    objective = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_objectives))
    owner = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_people))
    rolls_up_to = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_kpis))

    class Meta:
        model = KPI
        fields = ["objective", "owner", "source", "rolls_up_to"]


class KPICascadeSerializer(serializers.Serializer):
    org_units = VisibleRelatedField(visible=visible_units, many=True)
    rollup_method = serializers.ChoiceField(choices=KPI.RollupMethod.choices)
    objectives = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=BIGGEST_ID),
        help_text="The objective of each unit's scorecard that its new KPI measures: "
        "{unit id: objective id}.",
    )
    owners = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=BIGGEST_ID),
        required=False,
        default=dict,
        help_text="Owner per unit: {unit id: user id}.",
    )

    def validate_objectives(self, value: dict) -> dict:
        return keyed_by_unit_id(value)

    def validate_owners(self, value: dict) -> dict:
        return keyed_by_unit_id(value)


def objectives_by_unit(user: Any, raw: dict, units: list) -> dict[int, Any]:
    chosen = {unit.pk for unit in units}
    wanted = {int(unit_id): objective_id for unit_id, objective_id in raw.items()}
    for unit_id in wanted:
        if unit_id not in chosen:
            raise serializers.ValidationError(
                {"objectives": [NOT_A_CHOSEN_UNIT.format(id=unit_id)]}
            )
    found = (
        visible_objectives(user)
        .select_related("scorecard__org_unit")
        .in_bulk(list(wanted.values()))
    )
    for objective_id in wanted.values():
        if objective_id not in found:
            raise serializers.ValidationError(
                {"objectives": [CASCADE_OBJECTIVE_HIDDEN.format(id=objective_id)]}
            )
    return {unit_id: found[objective_id] for unit_id, objective_id in wanted.items()}


class KPIViewSet(
    ServiceViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
):
    serializer_class = KPISerializer
    filterset_class = KPIFilter
    create_permission = update_permission = "kpis.change_kpi"
    create_on = "objective"

    def get_queryset(self) -> QuerySet[KPI]:
        return (
            visible_kpis(self.request.user)
            .select_related("objective__scorecard__org_unit")
            .order_by("objective_id", "order", "id")
        )

    def check_update(self, kpi: KPI, data: dict[str, Any]) -> None:
        super().check_update(kpi, data)
        if "objective" in data and data["objective"] != kpi.objective:
            # Moving a KPI to another objective is allowed within what the caller manages.
            require(self.request.user, "kpis.change_kpi", data["objective"])

    def create_with_service(self, data: dict[str, Any]) -> KPI:
        return services.kpi_create(by=self.request.user, **data)

    def update_with_service(self, kpi: KPI, data: dict[str, Any]) -> KPI:
        return services.kpi_update(kpi=kpi, by=self.request.user, **data)

    @extend_schema(request=KPICascadeSerializer, responses={201: KPISerializer(many=True)})
    @action(detail=True, methods=["post"])
    def cascade(self, request: Request, pk: Any = None) -> Response:
        """Cascade the KPI to child units: a KPI in each that rolls up to this one, which
        becomes a roll-up KPI with the chosen method."""
        kpi = self.get_object()
        require(request.user, "kpis.change_kpi", kpi)
        body = KPICascadeSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        units = body.validated_data["org_units"]
        objectives = objectives_by_unit(request.user, body.validated_data["objectives"], units)
        owners = people_by_unit(request.user, body.validated_data["owners"], units)
        with service_errors():
            created = services.kpi_cascade(
                kpi=kpi,
                org_units=units,
                rollup_method=body.validated_data["rollup_method"],
                objectives=objectives,
                owners=owners,
            )
        data = KPISerializer(created, many=True, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)
