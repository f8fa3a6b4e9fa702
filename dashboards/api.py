"""`GET /api/dashboard/`: the heatmap of the executive dashboard as data, for BI tools."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from dashboards.dashboard import NOT_YOURS, default_root
from dashboards.selectors.heatmap import heatmap_rows
from kpis import selectors as kpi_selectors
from scorecard.api_support import PeriodKeyField
from scorecard.models import OrgUnit, Perspective
from scorecard.rules import may

NO_SUCH_UNIT = "There is no unit with this slug."


class DashboardQuerySerializer(serializers.Serializer):
    period = PeriodKeyField(
        required=False,
        help_text=(
            "The period, e.g. 2026-03, FY2026-Q3 or FY2026; if left out, the last ended "
            "quarter, or the latest period with data under the root when that one has none."
        ),
    )
    # DRF's metaclass turns class attributes into fields; the stubs see Field.root instead.
    root = serializers.SlugField(  # type: ignore[assignment]
        required=False, help_text="The unit at the top (its slug); your highest unit if left out."
    )


class DashboardCellSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    status = serializers.CharField()
    qoq = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        allow_null=True,
        help_text="Change against the quarter before.",
    )
    yoy = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        allow_null=True,
        help_text="Change against the same quarter a year before.",
    )
    reported = serializers.IntegerField()
    total = serializers.IntegerField()


class DashboardPerspectiveCellSerializer(DashboardCellSerializer):
    perspective = serializers.IntegerField(help_text="The perspective's id.")


class DashboardFreshnessSerializer(serializers.Serializer):
    due = serializers.IntegerField(help_text="Entered KPIs that need an actual this quarter.")
    entered = serializers.IntegerField()
    share = serializers.IntegerField(allow_null=True, help_text="Whole per cent entered.")
    missing = serializers.ListField(child=serializers.CharField(), help_text="Who has not entered.")


class DashboardUnitSerializer(serializers.Serializer):
    slug = serializers.CharField(source="unit.slug")
    name = serializers.CharField(source="unit.name")
    kind = serializers.CharField(source="unit.kind")
    level = serializers.IntegerField(help_text="Depth below the root (the root is 0).")
    parent = serializers.CharField(  # type: ignore[assignment]
        allow_null=True, help_text="The parent's slug (none for the root)."
    )
    overall = DashboardCellSerializer()
    perspectives = DashboardPerspectiveCellSerializer(many=True)
    freshness = DashboardFreshnessSerializer()


class DashboardPerspectiveSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DashboardSerializer(serializers.Serializer):
    period = serializers.CharField()
    root = serializers.CharField()  # type: ignore[assignment]
    perspectives = DashboardPerspectiveSerializer(many=True)
    units = DashboardUnitSerializer(many=True)


def _root(request: Request, slug: str | None) -> OrgUnit:
    try:
        if not slug:
            return default_root(request.user)
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    root = OrgUnit.objects.filter(slug=slug).first()
    if root is None:
        raise NotFound(NO_SUCH_UNIT)
    if not may(request.user, "scorecard.view_orgunit", root):
        raise PermissionDenied(NOT_YOURS)
    return root


def _unit_row(row: Any, parents: dict[str, str], perspective_ids: list[int]) -> dict:
    return {
        "unit": row.unit,
        "level": row.level,
        "parent": parents.get(row.unit.path[: -OrgUnit.steplen]) if row.level else None,
        "overall": row.overall,
        "perspectives": [
            {**vars(row.cells[pid]), "perspective": pid}
            for pid in perspective_ids
            if pid in row.cells
        ],
        "freshness": {**vars(row.freshness), "share": row.freshness.share},
    }


@extend_schema(parameters=[DashboardQuerySerializer], responses=DashboardSerializer)
@api_view(["GET"])
def dashboard(request: Request) -> Response:
    """The heatmap of the executive dashboard: every unit of the root's subtree with its
    overall and per-perspective scores for the quarter, their change against the quarter
    before and a year before, and how much of the quarter's data is entered."""
    query = DashboardQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    root = _root(request, query.validated_data.get("root"))
    period = query.validated_data.get("period") or kpi_selectors.default_period(root=root)
    rows = heatmap_rows(root=root, period=period)
    perspectives = list(Perspective.objects.order_by("-order"))
    perspective_ids = [p.pk for p in perspectives]
    parents = {row.unit.path: row.unit.slug for row in rows}
    body = {
        "period": period.key,
        "root": root.slug,
        "perspectives": [{"id": p.pk, "name": p.name} for p in perspectives],
        "units": [_unit_row(row, parents, perspective_ids) for row in rows],
    }
    return Response(DashboardSerializer(body).data)
