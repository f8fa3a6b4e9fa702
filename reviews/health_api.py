"""`GET /api/scorecards/<id>/health/`: the health check of a scorecard, for API clients."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from kpis.selectors import default_period
from reviews.health import scorecard_health
from scorecard.api_support import PeriodKeyField
from scorecard.selectors import visible_scorecards


class HealthFindingSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["warning", "hint"])
    message = serializers.CharField()
    subject_type = serializers.ChoiceField(
        choices=["scorecard", "perspective", "objective", "kpi", "link"]
    )
    subject_id = serializers.IntegerField()


class HealthQuerySerializer(serializers.Serializer):
    period = PeriodKeyField(
        required=False,
        help_text=(
            "The period checked, e.g. 2026-03, FY2026-Q3 or FY2026; if left out, the last "
            "ended quarter, or the latest period with data when that one has none."
        ),
    )


@extend_schema(parameters=[HealthQuerySerializer], responses=HealthFindingSerializer(many=True))
@api_view(["GET"])
def scorecard_health_view(request: Request, pk: int) -> Response:
    """Where the scorecard breaks the rules of good practice, each finding with its code,
    severity and subject, for `period` (targets and actuals are looked for in it). A
    scorecard the caller may not read answers 404."""
    scorecard = get_object_or_404(visible_scorecards(request.user), pk=pk)
    query = HealthQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    period = query.validated_data.get("period") or default_period(scorecard=scorecard)
    findings = scorecard_health(scorecard=scorecard, period=period)
    return Response(HealthFindingSerializer(findings, many=True).data)
