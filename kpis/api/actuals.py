"""`/api/actuals/`: the actuals the caller may see, their change with a version check, and
their history."""

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from kpis import services, updates
from kpis.models import KPI, VALUE_DIGITS, VALUE_PLACES, Actual
from kpis.selectors import visible_actuals, visible_kpis
from kpis.services.numbers import parse_number
from scorecard.api_support import PeriodKeyField, require, service_errors, visible_to_requester
from scorecard.selectors import period_lookup


class ActualSerializer(serializers.ModelSerializer):
    period = PeriodKeyField(read_only=True)
    entered_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Actual
        fields = [
            "id",
            "kpi",
            "period",
            "value",
            "comment",
            "version",
            "entered_by",
            "entered_at",
            "source",
        ]
        read_only_fields = fields


class ActualChangeSerializer(serializers.Serializer):
    value = serializers.CharField(
        help_text="A number: 1234.5, 1,234.5 or 1234,5 (0 or 1 for a milestone); a level "
        "name for an ordinal KPI."
    )
    comment = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The version you read; a stale one is refused."
    )


class ActualConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = ActualSerializer()


class ActualHistorySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    who = serializers.CharField(source="who.username", default=None, allow_null=True)
    kind = serializers.CharField()
    old = serializers.DecimalField(
        max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, allow_null=True
    )
    new = serializers.DecimalField(
        max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, allow_null=True
    )
    comment = serializers.CharField()
    # DRF's metaclass turns class attributes into fields; the stubs see Field.source instead.
    source = serializers.CharField()  # type: ignore[assignment]
    version = serializers.IntegerField()
    # When an import's run wrote this version: which import and run (null otherwise).
    import_id = serializers.IntegerField(
        source="provenance.import_id", default=None, allow_null=True
    )
    import_name = serializers.CharField(
        source="provenance.import_name", default=None, allow_null=True
    )
    run_id = serializers.IntegerField(source="provenance.run_id", default=None, allow_null=True)
    run_at = serializers.DateTimeField(source="provenance.run_at", default=None, allow_null=True)


class KPIValueFilter(django_filters.FilterSet):
    """The filters of actuals and targets: a KPI the caller may read (a hidden id answers
    like an unknown one) and a period written as its key."""

    kpi = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_kpis))
    period = django_filters.CharFilter(method="filter_period", help_text="e.g. FY2026-Q3")

    def filter_period(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        try:
            period = period_lookup(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return queryset.filter(period__grain=period.grain, period__start=period.start)


class ActualFilter(KPIValueFilter):
    class Meta:
        model = Actual
        fields = ["kpi", "period"]


class ActualViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Actuals the caller may see. `PATCH` changes the value and comment under the same rules
    as the pages (owners of the KPI, managers of its unit) and needs the `version` read:
    a stale one is refused with 409 and the current actual."""

    serializer_class = ActualSerializer
    filterset_class = ActualFilter

    def get_queryset(self) -> QuerySet[Actual]:
        return (
            visible_actuals(self.request.user)
            .select_related("period", "entered_by")
            .order_by("kpi_id", "period__start")
        )

    @extend_schema(
        request=ActualChangeSerializer,
        responses={200: ActualSerializer, 409: ActualConflictSerializer},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actual = self.get_object()
        kpi = KPI.objects.select_related("objective__scorecard__org_unit").get(pk=actual.kpi_id)
        require(request.user, "kpis.enter_actual", kpi)
        change = ActualChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        data = change.validated_data
        value = data["value"]
        if not kpi.is_ordinal:  # an ordinal KPI's level name is looked up by the service
            try:
                value = parse_number(value)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"value": error.messages}) from None
        try:
            with service_errors():
                saved = services.actual_enter(
                    kpi=kpi,
                    period=actual.period,
                    value=value,
                    comment=data.get("comment", actual.comment),
                    by=request.user,
                    source=Actual.Source.API,
                    based_on_version=data["version"],
                )
        except services.StaleActual as stale:
            body = {"detail": str(stale), "current": ActualSerializer(stale.current).data}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(ActualSerializer(saved).data)

    @extend_schema(responses=ActualHistorySerializer(many=True))
    @action(detail=True)
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Every change of the actual, newest first: who, when, old → new, comment."""
        actual = self.get_object()
        changes = updates.actual_history(kpi=actual.kpi, period=actual.period)
        return Response(ActualHistorySerializer(changes, many=True).data)
