"""`/api/targets/`: the targets the caller may see, read back by KPI and period. They are
written in batches through `/api/targets/bulk/` (kpis.api.bulk)."""

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets

from kpis.api.actuals import KPIValueFilter
from kpis.models import Target
from kpis.selectors import visible_targets
from scorecard.api_support import PeriodKeyField


class TargetSerializer(serializers.ModelSerializer):
    period = PeriodKeyField(read_only=True)

    class Meta:
        model = Target
        fields = ["id", "kpi", "period", "value", "value_high", "red_flag", "red_flag_high"]
        read_only_fields = fields


class TargetFilter(KPIValueFilter):
    class Meta:
        model = Target
        fields = ["kpi", "period"]


class TargetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Targets the caller may see, by KPI and period (`?kpi=12&period=FY2026-Q3`). A band's
    `value` and `red_flag` are its low edges, `value_high` and `red_flag_high` its high ones."""

    serializer_class = TargetSerializer
    filterset_class = TargetFilter

    def get_queryset(self) -> QuerySet[Target]:
        return (
            visible_targets(self.request.user)
            .select_related("period")
            .order_by("kpi_id", "period__start")
        )
