"""`GET /api/scorecards/<id>/health/`: the health check of a scorecard, for API clients."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from reviews.health import scorecard_health
from scorecard.selectors import visible_scorecards


class HealthFindingSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["warning", "hint"])
    message = serializers.CharField()
    subject_type = serializers.ChoiceField(
        choices=["scorecard", "perspective", "objective", "kpi", "link"]
    )
    subject_id = serializers.IntegerField()


@extend_schema(responses=HealthFindingSerializer(many=True))
@api_view(["GET"])
def scorecard_health_view(request: Request, pk: int) -> Response:
    """Where the scorecard breaks the rules of good practice, each finding with its code,
    severity and subject. A scorecard the caller may not read answers 404."""
    scorecard = get_object_or_404(visible_scorecards(request.user), pk=pk)
    findings = scorecard_health(scorecard=scorecard)
    return Response(HealthFindingSerializer(findings, many=True).data)
