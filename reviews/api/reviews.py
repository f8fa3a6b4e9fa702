"""`/api/reviews/` and `/api/findings/`: reviews with their open, close and reopen steps,
and the findings written during them.

The same rules as the pages: lists hold what the caller may read, writes need the policy's
permission (403, nothing changed) and go through the services (400 with their messages)."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from reviews import services
from reviews.models import Finding, Review
from reviews.selectors import visible_findings, visible_reviews
from scorecard.api_support import (
    PeriodKeyField,
    ServiceViewSet,
    VisibleRelatedField,
    require,
    service_errors,
    visible_to_requester,
)
from scorecard.selectors import visible_people, visible_scorecards


class ReviewSerializer(serializers.ModelSerializer):
    scorecard = VisibleRelatedField(visible=visible_scorecards)
    period = PeriodKeyField()
    facilitator = VisibleRelatedField(visible=visible_people, allow_null=True, required=False)
    participants = VisibleRelatedField(visible=visible_people, many=True, required=False)

    class Meta:
        model = Review
        fields = [
            "id", "scorecard", "period", "kind", "status", "meeting_date", "facilitator",
            "participants", "summary", "decisions", "pack", "closed_at", "reopen_reason",
        ]  # fmt: skip
        # The status moves only through the open, close and reopen actions, which keep the
        # agenda, the pack and the quarter's lock with it.
        read_only_fields = ["status", "pack", "closed_at", "reopen_reason"]
        validators: list = []


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ReviewFilter(django_filters.FilterSet):
    scorecard = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_scorecards))

    class Meta:
        model = Review
        fields = ["scorecard", "status", "kind"]


class ReviewViewSet(
    ServiceViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
):
    """Reviews. Open, close and reopen are actions of their own, the only way to change a
    review's status: closing keeps the pack and locks the quarter."""

    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    create_permission = update_permission = "reviews.change_review"
    create_on = "scorecard"
    fixed_fields = ("scorecard", "period", "kind")

    def get_queryset(self) -> QuerySet[Review]:
        return (
            visible_reviews(self.request.user)
            .select_related("period", "scorecard__org_unit")
            .prefetch_related("participants")
            .order_by("-period__start", "id")
        )

    def create_with_service(self, data: dict[str, Any]) -> Review:
        return services.review_create(**data)

    def update_with_service(self, review: Review, data: dict[str, Any]) -> Review:
        data.pop("facilitator", None)
        return services.review_update(review=review, **data)

    def _transition(self, change: Any) -> Response:
        review = self.get_object()
        require(self.request.user, "reviews.change_review", review)
        with service_errors():
            review = change(review)
        return Response(ReviewSerializer(review, context={"request": self.request}).data)

    @extend_schema(request=None, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: Any = None) -> Response:
        """Start the review: its agenda is written as findings."""
        return self._transition(lambda review: services.review_open(review=review))

    @extend_schema(request=None, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        """Close: keep the quarter's snapshots in the pack and lock the quarter's actuals."""
        return self._transition(
            lambda review: services.review_close(review=review, by=request.user)
        )

    @extend_schema(request=ReopenSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: Any = None) -> Response:
        """Reopen a closed review, with a reason that is kept."""
        body = ReopenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data["reason"]
        return self._transition(
            lambda review: services.review_reopen(review=review, by=request.user, reason=reason)
        )


class FindingSerializer(serializers.ModelSerializer):
    review = VisibleRelatedField(visible=visible_reviews)

    class Meta:
        model = Finding
        fields = [
            "id", "review", "kind", "kpi", "objective", "link", "action_item", "headline",
            "comment", "created_at",
        ]  # fmt: skip
        read_only_fields = ["kind", "kpi", "objective", "link", "action_item", "headline"]


class FindingFilter(django_filters.FilterSet):
    review = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_reviews))

    class Meta:
        model = Finding
        fields = ["review", "kind"]


class FindingViewSet(
    ServiceViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
):
    """A review's findings. Posting adds a note; patching changes the comment."""

    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    # A finding is written under its review's permission.
    create_permission = update_permission = "reviews.change_review"
    create_on = permission_on = "review"
    fixed_fields = ("review",)

    def get_queryset(self) -> QuerySet[Finding]:
        return visible_findings(self.request.user).select_related("review").order_by("review", "id")

    def create_with_service(self, data: dict[str, Any]) -> Finding:
        return services.finding_add_note(review=data["review"], comment=data.get("comment", ""))

    def update_with_service(self, finding: Finding, data: dict[str, Any]) -> Finding:
        return services.finding_comment(
            finding=finding, comment=data.get("comment", finding.comment)
        )
