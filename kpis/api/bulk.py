"""`/api/targets/bulk/` and `/api/actuals/bulk/`: rows of targets or actuals by KPI and
period, saved all or nothing; the first bad row is refused with its index."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import api_view, throttle_classes
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from kpis import services
from kpis.selectors import visible_kpis
from kpis.services.numbers import parse_number
from scorecard.api_support import REFUSED, PeriodKeyField, VisibleRelatedField
from scorecard.request_limits import BULK_ROWS_MARK, bulk_rows
from scorecard.rules import may
from scorecard.throttling import ImportThrottle

MAX_ID = 2**63 - 1  # the largest id a bigint primary key holds


@extend_schema_field({"type": "string", "format": "decimal", "example": "1234.5"})
class EnteredNumberField(serializers.Field):
    """A value as an actual, a target or a red flag holds it, read by `parse_number` (the one
    parser of every path: a JSON number, or text like 1234.5 or 1,234.5, within the bound)."""

    def to_internal_value(self, data: Any) -> Decimal:
        try:
            return parse_number(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def to_representation(self, value: Any) -> str:
        return str(value)


def entered_value(**kwargs: Any) -> EnteredNumberField:
    return EnteredNumberField(**kwargs)


class BulkKPIField(VisibleRelatedField):
    """A row's KPI, found among those `_rows` read for the whole request in one query."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, int) and not isinstance(data, bool) and "kpis" in self.context:
            found = self.context["kpis"].get(data)
            if found is None:  # unknown, or not the caller's to read: the same answer
                self.fail("does_not_exist", pk_value=data)
            return found
        return super().to_internal_value(data)  # a string id, or a refusal


class BulkPeriodField(PeriodKeyField):
    """A row's period, looked up once per key for the whole request."""

    def to_internal_value(self, data: Any) -> Any:
        periods = self.context.get("periods")
        if periods is None:
            return super().to_internal_value(data)
        if isinstance(data, str) and data in periods:
            return periods[data]
        period = super().to_internal_value(data)
        periods[data] = period
        return period


class TargetRowSerializer(serializers.Serializer):
    kpi = BulkKPIField(visible=visible_kpis)
    period = BulkPeriodField()
    value = entered_value()
    red_flag = entered_value(required=False, allow_null=True)


class ActualRowSerializer(serializers.Serializer):
    kpi = BulkKPIField(visible=visible_kpis)
    period = BulkPeriodField()
    value = entered_value()
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class BulkResultSerializer(serializers.Serializer):
    saved = serializers.IntegerField()


def _rows(serializer_class: type[serializers.Serializer], request: Request) -> list[dict]:
    """Validate every row; the first bad one is refused with its index and field errors."""
    data = bulk_rows(request.data)  # not a list, or too many rows: refused before any is read
    context = {"request": request, "kpis": _kpis_of(data, request.user), "periods": {}}
    rows = serializer_class(data=data, many=True, context=context)
    if not rows.is_valid():
        index, errors = _first_bad_row(rows.errors)
        raise services.BulkRowError(index, errors)
    return list(rows.validated_data)


def _kpis_of(data: list, user: Any) -> dict[int, Any]:
    """The KPIs the rows name that the caller may read, in one query, with what the
    permission check and the services read of each (its objective, scorecard and unit)."""
    # Only whole numbers an id column can hold: anything else (a list, an object, 2**70) is
    # the row's field error, which its serializer gives.
    wanted = {
        row["kpi"]
        for row in data
        if isinstance(row, dict) and type(row.get("kpi")) is int and 0 < row["kpi"] <= MAX_ID
    }
    return (
        visible_kpis(user).select_related("objective__scorecard__org_unit").in_bulk(wanted)
        if wanted
        else {}
    )


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


@extend_schema(
    request=TargetRowSerializer(many=True),
    responses=BulkResultSerializer,
    extensions={BULK_ROWS_MARK: True},
)
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


@extend_schema(
    request=ActualRowSerializer(many=True),
    responses=BulkResultSerializer,
    extensions={BULK_ROWS_MARK: True},
)
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
