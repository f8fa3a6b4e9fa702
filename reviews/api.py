"""API for reviews, findings, initiatives, action items and the caller's notifications.

The same rules as the pages: lists hold what the caller may read, writes need the policy's
permission (403, nothing changed) and go through the services (400 with their messages)."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from kpis.api import visible_kpis
from reviews import selectors, services
from reviews.models import ActionItem, Finding, Initiative, Milestone, Notification, Review
from scorecard.api import (
    VisibleRelatedField,
    active_users,
    require,
    service_errors,
    visible_scorecards,
    visible_to_requester,
)
from scorecard.models import Period
from scorecard.rules import visible_q
from scorecard.services import period_for_key
from strategy.api import visible_objectives

STAYS = "This cannot move: create a new one instead."
NOT_YOURS = services.NOTIFICATION_NOT_YOURS


def visible_reviews(user: Any) -> QuerySet[Review]:
    return Review.objects.filter(visible_q(user, "scorecard__org_unit__path"))


def visible_findings(user: Any) -> QuerySet[Finding]:
    return Finding.objects.filter(visible_q(user, "review__scorecard__org_unit__path"))


def visible_initiatives(user: Any) -> QuerySet[Initiative]:
    return Initiative.objects.filter(visible_q(user, "scorecard__org_unit__path"))


class PeriodKeyField(serializers.CharField):
    """A quarter as `FY2026-Q3`."""

    def to_internal_value(self, data: Any) -> Period:  # type: ignore[override]
        with service_errors():
            return period_for_key(str(data))

    def to_representation(self, value: Any) -> str:
        return value.key


class ReviewSerializer(serializers.ModelSerializer):
    scorecard = VisibleRelatedField(visible=visible_scorecards)
    period = PeriodKeyField()
    facilitator = VisibleRelatedField(visible=active_users, allow_null=True, required=False)
    participants = VisibleRelatedField(visible=active_users, many=True, required=False)

    class Meta:
        model = Review
        fields = [
            "id", "scorecard", "period", "kind", "status", "meeting_date", "facilitator",
            "participants", "summary", "decisions", "pack", "closed_at", "reopen_reason",
        ]  # fmt: skip
        read_only_fields = ["pack", "closed_at", "reopen_reason"]
        validators: list = []


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ReviewFilter(django_filters.FilterSet):
    scorecard = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_scorecards))

    class Meta:
        model = Review
        fields = ["scorecard", "status", "kind"]


class ReviewViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Reviews. Open, close and reopen are actions of their own: closing keeps the pack."""

    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Review]:
        return (
            visible_reviews(self.request.user)
            .select_related("period", "scorecard__org_unit")
            .prefetch_related("participants")
            .order_by("-period__start", "id")
        )

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        require(self.request.user, "reviews.change_review", data["scorecard"])
        with service_errors():
            serializer.instance = services.review_create(**data)

    def perform_update(self, serializer: Any) -> None:
        review = serializer.instance
        require(self.request.user, "reviews.change_review", review)
        data = dict(serializer.validated_data)
        for fixed in ("scorecard", "period", "kind"):
            if fixed in data and data.pop(fixed) != getattr(review, fixed):
                raise serializers.ValidationError({fixed: [STAYS]})
        data.pop("facilitator", None)
        with service_errors():
            serializer.instance = services.review_update(review=review, **data)

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


class FindingViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """A review's findings. Posting adds a note; patching changes the comment."""

    serializer_class = FindingSerializer
    filterset_fields = ["review", "kind"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Finding]:
        return visible_findings(self.request.user).select_related("review").order_by("review", "id")

    def perform_create(self, serializer: Any) -> None:
        review = serializer.validated_data["review"]
        require(self.request.user, "reviews.change_review", review)
        with service_errors():
            serializer.instance = services.finding_add_note(
                review=review, comment=serializer.validated_data.get("comment", "")
            )

    def perform_update(self, serializer: Any) -> None:
        finding = serializer.instance
        require(self.request.user, "reviews.change_review", finding.review)
        data = dict(serializer.validated_data)
        if "review" in data and data.pop("review") != finding.review:
            raise serializers.ValidationError({"review": [STAYS]})
        with service_errors():
            serializer.instance = services.finding_comment(
                finding=finding, comment=data.get("comment", finding.comment)
            )


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_date", "done_at"]


class InitiativeSerializer(serializers.ModelSerializer):
    scorecard = VisibleRelatedField(visible=visible_scorecards)
    objectives = VisibleRelatedField(visible=visible_objectives, many=True, required=False)
    owner = VisibleRelatedField(visible=active_users, allow_null=True, required=False)
    milestones = MilestoneSerializer(many=True, required=False)

    class Meta:
        model = Initiative
        fields = [
            "id", "scorecard", "objectives", "name", "description", "owner", "budget",
            "start_date", "end_date", "status", "percent_complete", "milestones",
        ]  # fmt: skip
        validators: list = []


class InitiativeViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Initiatives with their milestones; milestones are written when the initiative is
    created."""

    serializer_class = InitiativeSerializer
    filterset_fields = ["scorecard", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Initiative]:
        return (
            visible_initiatives(self.request.user)
            .select_related("scorecard")
            .prefetch_related("objectives", "milestones")
            .order_by("scorecard", "name")
        )

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        require(self.request.user, "reviews.change_initiative", data["scorecard"])
        drafts = [services.MilestoneDraft(**row) for row in data.pop("milestones", [])]
        with service_errors():
            serializer.instance = services.initiative_create(milestones=drafts, **data)

    def perform_update(self, serializer: Any) -> None:
        initiative = serializer.instance
        require(self.request.user, "reviews.change_initiative", initiative)
        data = dict(serializer.validated_data)
        if "scorecard" in data and data.pop("scorecard") != initiative.scorecard:
            raise serializers.ValidationError({"scorecard": [STAYS]})
        if "milestones" in data:
            raise serializers.ValidationError({"milestones": ["Milestones are set at creation."]})
        with service_errors():
            serializer.instance = services.initiative_update(initiative=initiative, **data)


class ActionItemSerializer(serializers.ModelSerializer):
    scorecard = VisibleRelatedField(visible=visible_scorecards)
    owner = VisibleRelatedField(visible=active_users)
    kpi = VisibleRelatedField(visible=visible_kpis, allow_null=True, required=False)
    objective = VisibleRelatedField(visible=visible_objectives, allow_null=True, required=False)
    initiative = VisibleRelatedField(visible=visible_initiatives, allow_null=True, required=False)
    finding = VisibleRelatedField(visible=visible_findings, allow_null=True, required=False)

    class Meta:
        model = ActionItem
        fields = [
            "id", "scorecard", "title", "description", "owner", "due_date", "status",
            "is_draft", "kpi", "objective", "initiative", "finding", "created_at",
            "completed_at",
        ]  # fmt: skip
        read_only_fields = ["is_draft", "created_at", "completed_at"]


class ActionItemFilter(django_filters.FilterSet):
    scorecard = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_scorecards))
    owner = django_filters.ModelChoiceFilter(queryset=visible_to_requester(active_users))
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = ActionItem
        fields = ["scorecard", "owner", "status", "kpi"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        late = {"status__in": ActionItem.OPEN_STATUSES, "due_date__lt": timezone.localdate()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class ActionItemViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Action items. Managers create them; their owners (and managers) update them."""

    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ActionItem]:
        return selectors.action_items_visible_to(self.request.user, status="")

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        require(self.request.user, "reviews.add_actionitem", data["scorecard"])
        with service_errors():
            serializer.instance = services.action_item_create(created_by=self.request.user, **data)

    def perform_update(self, serializer: Any) -> None:
        item = serializer.instance
        require(self.request.user, "reviews.update_actionitem", item)
        data = dict(serializer.validated_data)
        for fixed in ("scorecard", "kpi", "objective", "initiative", "finding"):
            if fixed in data and data.pop(fixed) != getattr(item, fixed):
                raise serializers.ValidationError({fixed: [STAYS]})
        with service_errors():
            serializer.instance = services.action_item_update(
                item=item, by=self.request.user, **data
            )


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's own notifications; another person's are refused."""

    serializer_class = NotificationSerializer
    filterset_fields = ["kind"]
    # For the schema generator, which has no signed-in person.
    queryset = Notification.objects.none()

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        if self.action == "list":
            return selectors.notifications_of(self.request.user)
        # Asking for someone else's by id is answered with a clear refusal, not "not found".
        return Notification.objects.order_by("-created_at", "-id")

    def get_object(self) -> Notification:
        notification = super().get_object()
        if notification.recipient_id != self.request.user.pk:
            raise PermissionDenied(NOT_YOURS)
        return notification

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: Any = None) -> Response:
        """Mark as read."""
        notification = self.get_object()
        with service_errors():
            services.notification_mark_read(notification=notification, user=request.user)
        return Response(NotificationSerializer(notification).data)
