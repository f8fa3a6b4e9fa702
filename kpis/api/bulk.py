"""`/api/targets/bulk/` and `/api/actuals/bulk/`: rows of targets or actuals by KPI and
period, saved all or nothing; a refused request names every bad row."""

from collections.abc import Callable
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
from scorecard.ids import BIGGEST_ID
from scorecard.request_limits import BULK_ROWS_MARK, bulk_rows
from scorecard.rules import may
from scorecard.throttling import ImportThrottle


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


@extend_schema_field(
    {
        "type": "string",
        "example": "1234.5",
        "description": "A number (0 or 1 for a milestone), or a level name for an ordinal KPI.",
    }
)
class EnteredValueField(EnteredNumberField):
    """A number, or text that is no number: a level name, which the services look up in the
    row's KPI (and refuse, on the field, for a KPI that has no levels)."""

    def to_internal_value(self, data: Any) -> Decimal | str:  # type: ignore[override]
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            if isinstance(data, str) and data.strip() and len(data) <= LEVEL_NAME_LENGTH:
                return data.strip()
            raise


LEVEL_NAME_LENGTH = 100


def entered_level_or_value(**kwargs: Any) -> EnteredValueField:
    return EnteredValueField(**kwargs)


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
    value = entered_level_or_value(help_text="The target; a band's low edge; a level name.")
    red_flag = entered_level_or_value(required=False, allow_null=True)
    value_high = entered_value(required=False, allow_null=True, help_text="A band's high edge.")
    red_flag_high = entered_value(required=False, allow_null=True)


class ActualRowSerializer(serializers.Serializer):
    kpi = BulkKPIField(visible=visible_kpis)
    period = BulkPeriodField()
    value = entered_level_or_value()
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class BulkResultSerializer(serializers.Serializer):
    saved = serializers.IntegerField()


class BulkRowErrorsSerializer(serializers.Serializer):
    index = serializers.IntegerField(min_value=0, help_text="The row's place in the list, from 0.")
    # DRF's metaclass turns class attributes into fields; the stubs see Serializer.fields.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Messages by field; a row-wide one under "non_field_errors".',
    )


class BulkRefusalSerializer(serializers.Serializer):
    errors = BulkRowErrorsSerializer(  # type: ignore[assignment]
        many=True, help_text="One entry per bad row, every one."
    )


class BulkCurrentSerializer(serializers.Serializer):
    value = serializers.CharField()
    version = serializers.IntegerField()


class BulkConflictSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The first stale row, from 0.")
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )
    current = BulkCurrentSerializer()


BULK_RESPONSES = {200: BulkResultSerializer, 400: BulkRefusalSerializer}


def _bulk(
    request: Request,
    serializer_class: type[serializers.Serializer],
    permission: str,
    write: Callable[..., list],
) -> Response:
    """Validate every row, check the caller may write each, then write them all or none.

    Validation comes first: every row the serializer or the service refuses is answered in
    one 400. A caller who may not write a row is refused the whole request (403), unless rows
    are invalid already. A valid batch with a stale row answers 409."""
    data = bulk_rows(request.data)  # not a list, or too many rows: refused before any is read
    context = {"request": request, "kpis": _kpis_of(data, request.user), "periods": {}}
    errors: dict[int, Any] = {}
    valid: list[tuple[int, dict]] = []
    for index, item in enumerate(data):
        row = serializer_class(data=item, context=context)
        if row.is_valid():
            valid.append((index, dict(row.validated_data)))
        else:
            errors[index] = row.errors
    refused = next((i for i, row in valid if not may(request.user, permission, row["kpi"])), None)
    if refused is not None:
        if errors:
            return _invalid(errors)
        raise PermissionDenied(f"Row {refused}: {REFUSED}")
    try:
        saved = write(rows=[row for _, row in valid], check_only=bool(errors))
    except services.BulkRowsInvalid as invalid:
        errors.update({valid[index][0]: fields for index, fields in invalid.errors.items()})
    except services.BulkRowError as stale:
        if not errors:
            return _conflict(valid[stale.index][0], stale)
    if errors:
        return _invalid(errors)
    return Response({"saved": len(saved)})


def _kpis_of(data: list, user: Any) -> dict[int, Any]:
    """The KPIs the rows name that the caller may read, in one query, with what the
    permission check and the services read of each (its objective, scorecard and unit)."""
    # Only whole numbers an id column can hold: anything else (a list, an object, 2**70) is
    # the row's field error, which its serializer gives.
    wanted = {
        row["kpi"]
        for row in data
        if isinstance(row, dict) and type(row.get("kpi")) is int and 0 < row["kpi"] <= BIGGEST_ID
    }
    return (
        visible_kpis(user).select_related("objective__scorecard__org_unit").in_bulk(wanted)
        if wanted
        else {}
    )


def _invalid(errors: dict[int, Any]) -> Response:
    body = {"errors": [{"index": index, "fields": errors[index]} for index in sorted(errors)]}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def _conflict(index: int, error: services.BulkRowError) -> Response:
    assert error.stale is not None
    body = {
        "row": index,
        "errors": error.errors,
        "current": {"value": str(error.stale.value), "version": error.stale.version},
    }
    return Response(body, status=status.HTTP_409_CONFLICT)


@extend_schema(
    request=TargetRowSerializer(many=True),
    responses=BULK_RESPONSES,
    extensions={BULK_ROWS_MARK: True},
)
@api_view(["POST"])
@throttle_classes([ImportThrottle])
def targets_bulk(request: Request) -> Response:
    """Upsert targets by KPI and period, all or nothing (managers of the KPIs' units). A
    refused request names every bad row: `{"errors": [{"index": 1, "fields": {...}}]}`."""
    return _bulk(request, TargetRowSerializer, "kpis.change_target", services.targets_bulk_set)


@extend_schema(
    request=ActualRowSerializer(many=True),
    responses={**BULK_RESPONSES, 409: BulkConflictSerializer},
    extensions={BULK_ROWS_MARK: True},
)
@api_view(["POST"])
@throttle_classes([ImportThrottle])
def actuals_bulk(request: Request) -> Response:
    """Upsert actuals by KPI and period, all or nothing (owners of the KPIs, managers). A
    refused request names every bad row: `{"errors": [{"index": 1, "fields": {...}}]}`; a
    valid one with a stale `version` answers 409 with the first stale row and its current
    value."""

    def write(*, rows: list[dict], check_only: bool) -> list:
        return services.actuals_bulk_enter(rows=rows, by=request.user, check_only=check_only)

    return _bulk(request, ActualRowSerializer, "kpis.enter_actual", write)
