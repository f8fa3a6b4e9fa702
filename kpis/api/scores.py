"""`/api/scores/`: the stored scores of a period, and how one of them was made."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from kpis import explain, scoring, selectors
from kpis.models import COMPUTED_VALUE_DIGITS, KPI, VALUE_PLACES, ScoreSnapshot
from scorecard.api_support import PeriodKeyField, VisibleRelatedField
from scorecard.ids import BIGGEST_ID
from scorecard.rules import visible_q
from scorecard.selectors import visible_scorecards
from scorecard.throttling import ExplanationThrottle

PERIOD_HELP = "The period: a month, quarter or year, e.g. 2026-03, FY2026-Q3 or FY2026."


class ScoreQuerySerializer(serializers.Serializer):
    period = PeriodKeyField(help_text=PERIOD_HELP)
    scorecard = serializers.IntegerField(required=False, min_value=1, max_value=BIGGEST_ID)
    subject_type = serializers.ChoiceField(
        choices=ScoreSnapshot.SubjectType.choices, required=False
    )


class ScoreListSerializer(serializers.ListSerializer):
    """Reads the levels of the ordinal KPIs among the rows in one query, so each row can show
    its value as a level name."""

    def to_representation(self, data: Any) -> list:
        rows = list(data.all() if hasattr(data, "all") else data)
        kpi_ids = [
            row.subject_id for row in rows if row.subject_type == ScoreSnapshot.SubjectType.KPI
        ]
        levels: dict[int, list[str]] = (
            dict(
                KPI.objects.filter(pk__in=kpi_ids, target_type=scoring.ORDINAL).values_list(
                    "id", "levels"
                )
            )
            if kpi_ids
            else {}
        )
        # The child reads the root's context (one dict for every row).
        self._context = {**self.context, "levels": levels}
        return super().to_representation(rows)


class ScoreSerializer(serializers.ModelSerializer):
    scorecard = serializers.IntegerField(source="scorecard_id")
    provisional = serializers.BooleanField(
        source="period.provisional",
        read_only=True,
        help_text="True while the period has not ended: the number is so far, not final.",
    )

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
            "periods_reported",
            "periods_total",
            "provisional",
        ]
        list_serializer_class = ScoreListSerializer

    def to_representation(self, instance: ScoreSnapshot) -> dict[str, Any]:
        data = super().to_representation(instance)
        levels = self.context.get("levels", {}).get(instance.subject_id)
        if levels and instance.subject_type == ScoreSnapshot.SubjectType.KPI:
            # An ordinal KPI's value is the name of its level (snapshots store positions).
            data["value"] = scoring.level_name(levels, instance.value)
        return data


class ExplainQuerySerializer(serializers.Serializer):
    period = PeriodKeyField(help_text=PERIOD_HELP)
    scorecard = VisibleRelatedField(visible=visible_scorecards)
    subject_type = serializers.ChoiceField(choices=ScoreSnapshot.SubjectType.choices)
    subject_id = serializers.IntegerField(min_value=1, max_value=BIGGEST_ID)


class ExplanationMemberSerializer(serializers.Serializer):
    # DRF's metaclass turns class attributes into fields; the stubs see Field.label instead.
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.CharField()
    number = serializers.DecimalField(
        max_digits=COMPUTED_VALUE_DIGITS, decimal_places=VALUE_PLACES, allow_null=True
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
    # The sentence a page shows first ("On target: 41.5 % against 38.7 %").
    headline = serializers.CharField()
    summary = serializers.CharField()
    members = ExplanationMemberSerializer(many=True)
    formula = serializers.CharField()
    notes = serializers.ListField(child=serializers.CharField())
    # A KPI's actual an import brought: which import and run (null otherwise).
    import_id = serializers.IntegerField(
        source="provenance.import_id", default=None, allow_null=True
    )
    import_name = serializers.CharField(
        source="provenance.import_name", default=None, allow_null=True
    )
    run_id = serializers.IntegerField(source="provenance.run_id", default=None, allow_null=True)
    run_at = serializers.DateTimeField(source="provenance.run_at", default=None, allow_null=True)


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
        ).select_related("period")

    @extend_schema(parameters=[ScoreQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[ExplainQuerySerializer], responses=ExplanationSerializer)
    @action(detail=False, throttle_classes=[ExplanationThrottle])
    def explain(self, request: Request) -> Response:
        """How one stored score was made: members, weights, who is missing, the formula."""
        query = ExplainQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        try:
            explanation = explain.explain(**query.validated_data)
        except explain.UnknownSubject as error:
            raise NotFound(str(error)) from None
        return Response(ExplanationSerializer(explanation).data)
