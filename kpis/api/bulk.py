"""`/api/targets/bulk/` and `/api/actuals/bulk/`: rows of targets or actuals by KPI and
period, saved all or nothing; the first bad row is refused with its index."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, throttle_classes
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from kpis import services
from kpis.models import VALUE_DIGITS, VALUE_PLACES, validate_within_bound
from kpis.selectors import visible_kpis
from scorecard.api_support import REFUSED, PeriodKeyField, VisibleRelatedField
from scorecard.rules import may
from scorecard.throttling import ImportThrottle


def entered_value(**kwargs: Any) -> serializers.DecimalField:
    """A value as an actual, a target or a red flag holds it, within the configured bound."""
    return serializers.DecimalField(
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        validators=[validate_within_bound],
        **kwargs,
    )


class TargetRowSerializer(serializers.Serializer):
    kpi = VisibleRelatedField(visible=visible_kpis)
    period = PeriodKeyField()
    value = entered_value()
    red_flag = entered_value(required=False, allow_null=True)


class ActualRowSerializer(serializers.Serializer):
    kpi = VisibleRelatedField(visible=visible_kpis)
    period = PeriodKeyField()
    value = entered_value()
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
@throttle_classes([ImportThrottle])
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
@throttle_classes([ImportThrottle])
def actuals_bulk(request: Request) -> Response:
    """Upsert actuals by KPI and period, all or nothing (owners of the KPIs, managers)."""
    try:
        rows = _rows(ActualRowSerializer, request)
        _refuse_rows_beyond(request.user, "kpis.enter_actual", rows)
        saved = services.actuals_bulk_enter(rows=rows, by=request.user)
    except services.BulkRowError as error:
        return _bulk_refusal(error)
    return Response({"saved": len(saved)})
