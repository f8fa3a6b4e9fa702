"""API for KPIs."""

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets

from kpis import services
from kpis.models import KPI
from scorecard.api import VisibleRelatedField, active_users, require, service_errors
from scorecard.rules import visible_q
from strategy.api import visible_objectives


def visible_kpis(user: Any) -> QuerySet[KPI]:
    return KPI.objects.filter(visible_q(user, "objective__scorecard__org_unit__path"))


class KPISerializer(serializers.ModelSerializer):
    objective = VisibleRelatedField(visible=visible_objectives)
    owner = VisibleRelatedField(visible=active_users, allow_null=True, required=False)
    rolls_up_to = VisibleRelatedField(visible=visible_kpis, allow_null=True, required=False)

    class Meta:
        model = KPI
        fields = [
            "id",
            "objective",
            "name",
            "unit",
            "direction",
            "indicator_type",
            "owner",
            "weight",
            "tolerance_pct",
            "source",
            "rolls_up_to",
            "rollup_method",
        ]
        validators: list = []


class KPIViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = KPISerializer
    filterset_fields = ["objective", "owner", "source", "rolls_up_to"]

    def get_queryset(self) -> QuerySet[KPI]:
        return (
            visible_kpis(self.request.user)
            .select_related("objective__scorecard__org_unit")
            .order_by("objective_id", "order", "id")
        )

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        require(self.request.user, "kpis.change_kpi", data["objective"])
        with service_errors():
            serializer.instance = services.kpi_create(**data)

    def perform_update(self, serializer: Any) -> None:
        kpi = serializer.instance
        data = dict(serializer.validated_data)
        require(self.request.user, "kpis.change_kpi", kpi)
        if "objective" in data and data["objective"] != kpi.objective:
            # Moving a KPI to another objective is allowed within what the caller manages.
            require(self.request.user, "kpis.change_kpi", data["objective"])
        with service_errors():
            serializer.instance = services.kpi_update(kpi=kpi, **data)
