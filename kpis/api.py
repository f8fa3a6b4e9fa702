"""API for KPIs."""

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from kpis import explain, selectors, services, updates
from kpis.forms import parse_number
from kpis.models import KPI, VALUE_DIGITS, VALUE_PLACES, Actual, ScoreSnapshot
from scorecard import fiscal
from scorecard.api import (
    REFUSED,
    VisibleRelatedField,
    active_users,
    require,
    service_errors,
    visible_scorecards,
    visible_to_requester,
    visible_units,
)
from scorecard.models import Period
from scorecard.rules import may, visible_q
from scorecard.services import fiscal_start_month, period_for_key
from strategy.api import (
    NOT_A_CHOSEN_UNIT,
    keyed_by_unit_id,
    people_by_unit,
    visible_objectives,
)

CASCADE_OBJECTIVE_HIDDEN = "No objective you may see has the id {id}."


def visible_kpis(user: Any) -> QuerySet[KPI]:
    return KPI.objects.filter(visible_q(user, "objective__scorecard__org_unit__path"))


class KPISerializer(serializers.ModelSerializer):
    objective = VisibleRelatedField(visible=visible_objectives)
    owner = VisibleRelatedField(visible=active_users, allow_null=True, required=False)
    rolls_up_to = VisibleRelatedField(visible=visible_kpis, allow_null=True, required=False)
    rollup_method = serializers.ChoiceField(
        choices=KPI.RollupMethod.choices, allow_null=True, required=False
    )

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


class KPIFilter(django_filters.FilterSet):
    objective = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_objectives))
    owner = django_filters.ModelChoiceFilter(queryset=visible_to_requester(active_users))
    rolls_up_to = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_kpis))

    class Meta:
        model = KPI
        fields = ["objective", "owner", "source", "rolls_up_to"]


class KPICascadeSerializer(serializers.Serializer):
    org_units = VisibleRelatedField(visible=visible_units, many=True)
    rollup_method = serializers.ChoiceField(choices=KPI.RollupMethod.choices)
    objectives = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        help_text="The objective of each unit's scorecard that its new KPI measures: "
        "{unit id: objective id}.",
    )
    owners = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
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
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = KPISerializer
    filterset_class = KPIFilter

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
        owners = people_by_unit(body.validated_data["owners"], units)
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


@extend_schema_field({"type": "string", "example": "FY2026-Q3", "pattern": "^FY\\d{4}[- ]Q[1-4]$"})
class PeriodKeyField(serializers.Field):
    """A period written as its key, FY2026-Q3, read into a Period row."""

    def to_internal_value(self, data: Any) -> Period:
        if not isinstance(data, str):
            raise serializers.ValidationError("Write the period as text, like FY2026-Q3.")
        try:
            return period_for_key(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["period"]) from None

    def to_representation(self, value: Period) -> str:
        return value.key


class ScoreQuerySerializer(serializers.Serializer):
    period = PeriodKeyField(help_text="The quarter, e.g. FY2026-Q3.")
    scorecard = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    subject_type = serializers.ChoiceField(
        choices=ScoreSnapshot.SubjectType.choices, required=False
    )


class ScoreSerializer(serializers.ModelSerializer):
    scorecard = serializers.IntegerField(source="scorecard_id")

    class Meta:
        model = ScoreSnapshot
        fields = [
            "subject_type",
            "subject_id",
            "scorecard",
            "value",
            "score",
            "status",
            "reported",
            "total",
        ]


class ExplainQuerySerializer(serializers.Serializer):
    period = PeriodKeyField(help_text="The quarter, e.g. FY2026-Q3.")
    scorecard = VisibleRelatedField(visible=visible_scorecards)
    subject_type = serializers.ChoiceField(choices=ScoreSnapshot.SubjectType.choices)
    subject_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class ExplanationMemberSerializer(serializers.Serializer):
    # DRF's metaclass turns class attributes into fields; the stubs see Field.label instead.
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.CharField()
    number = serializers.DecimalField(
        max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, allow_null=True
    )
    weight = serializers.DecimalField(max_digits=9, decimal_places=4)
    missing = serializers.BooleanField()


class ExplanationSerializer(serializers.Serializer):
    subject_type = serializers.CharField()
    title = serializers.CharField()
    score = serializers.DecimalField(
        max_digits=9, decimal_places=6, allow_null=True, source="snapshot.score", default=None
    )
    status = serializers.CharField(source="snapshot.status", default="no_data")
    summary = serializers.CharField()
    members = ExplanationMemberSerializer(many=True)
    formula = serializers.CharField()
    notes = serializers.ListField(child=serializers.CharField())


class ScoreViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Stored scores (snapshots) of a period: KPIs, objectives, perspectives of a scorecard
    (subject_id is the perspective's id, scorecard says whose) and scorecards."""

    serializer_class = ScoreSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[ScoreSnapshot]:
        query = ScoreQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.snapshots_for(
            period=query.validated_data["period"],
            scorecard_ids_q=visible_q(self.request.user, "scorecard__org_unit__path"),
            scorecard_id=query.validated_data.get("scorecard"),
            subject_type=query.validated_data.get("subject_type"),
        )

    @extend_schema(parameters=[ScoreQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[ExplainQuerySerializer], responses=ExplanationSerializer)
    @action(detail=False)
    def explain(self, request: Request) -> Response:
        """How one stored score was made: members, weights, who is missing, the formula."""
        query = ExplainQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        try:
            explanation = explain.explain(**query.validated_data)
        except explain.UnknownSubject as error:
            raise NotFound(str(error)) from None
        return Response(ExplanationSerializer(explanation).data)


class TargetRowSerializer(serializers.Serializer):
    kpi = VisibleRelatedField(visible=visible_kpis)
    period = PeriodKeyField()
    value = serializers.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    red_flag = serializers.DecimalField(
        max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, required=False, allow_null=True
    )


class ActualRowSerializer(serializers.Serializer):
    kpi = VisibleRelatedField(visible=visible_kpis)
    period = PeriodKeyField()
    value = serializers.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class BulkResultSerializer(serializers.Serializer):
    saved = serializers.IntegerField()


def _rows(serializer_class: type[serializers.Serializer], request: Request) -> list[dict]:
    """Validate every row; the first bad one is refused with its index and field errors."""
    if not isinstance(request.data, list):
        raise serializers.ValidationError({"non_field_errors": ["Send a list of rows."]})
    rows = serializer_class(data=request.data, many=True, context={"request": request})
    if not rows.is_valid():
        index, errors = _first_bad_row(rows.errors)
        raise services.BulkRowError(index, errors)
    return list(rows.validated_data)


def _first_bad_row(errors: Any) -> tuple[int, Any]:
    # DRF gives a list with an entry per row, or (LIST_SERIALIZER_ERRORS_AS_DICT, the
    # default since 3.17) a dict keyed by the index of each bad row.
    if isinstance(errors, dict):
        index = min(int(key) for key in errors)
        return index, errors.get(index, errors.get(str(index)))
    index = next(i for i, row_errors in enumerate(errors) if row_errors)
    return index, errors[index]


def _refuse_rows_beyond(user: Any, permission: str, rows: list[dict]) -> None:
    for index, row in enumerate(rows):
        if not may(user, permission, row["kpi"]):
            raise PermissionDenied(f"Row {index}: {REFUSED}")


def _bulk_refusal(error: services.BulkRowError) -> Response:
    body: dict[str, Any] = {"row": error.index, "errors": error.errors}
    if error.stale is not None:
        body["current"] = {"value": str(error.stale.value), "version": error.stale.version}
        return Response(body, status=status.HTTP_409_CONFLICT)
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


@extend_schema(request=TargetRowSerializer(many=True), responses=BulkResultSerializer)
@api_view(["POST"])
def targets_bulk(request: Request) -> Response:
    """Upsert targets by KPI and period, all or nothing (managers of the KPIs' units)."""
    try:
        rows = _rows(TargetRowSerializer, request)
        _refuse_rows_beyond(request.user, "kpis.change_target", rows)
        saved = services.targets_bulk_set(rows=rows)
    except services.BulkRowError as error:
        return _bulk_refusal(error)
    return Response({"saved": len(saved)})


@extend_schema(request=ActualRowSerializer(many=True), responses=BulkResultSerializer)
@api_view(["POST"])
def actuals_bulk(request: Request) -> Response:
    """Upsert actuals by KPI and period, all or nothing (owners of the KPIs, managers)."""
    try:
        rows = _rows(ActualRowSerializer, request)
        _refuse_rows_beyond(request.user, "kpis.enter_actual", rows)
        saved = services.actuals_bulk_enter(rows=rows, by=request.user)
    except services.BulkRowError as error:
        return _bulk_refusal(error)
    return Response({"saved": len(saved)})


def visible_actuals(user: Any) -> QuerySet[Actual]:
    return Actual.objects.filter(visible_q(user, "kpi__objective__scorecard__org_unit__path"))


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
    value = serializers.CharField(help_text="A number: 1234.5, 1,234.5 or 1234,5.")
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


class ActualFilter(django_filters.FilterSet):
    kpi = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_kpis))
    period = django_filters.CharFilter(method="filter_period", help_text="e.g. FY2026-Q3")

    class Meta:
        model = Actual
        fields = ["kpi", "period"]

    def filter_period(self, queryset: QuerySet[Actual], name: str, value: str) -> QuerySet[Actual]:
        try:
            quarter = fiscal.parse_period(value, fiscal_start_month())
        except ValueError as error:
            raise serializers.ValidationError({"period": [str(error)]}) from None
        return queryset.filter(
            period__fiscal_year=quarter.fiscal_year, period__quarter=quarter.quarter
        )


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
        try:
            value = parse_number(data["value"])
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
