"""`/api/notifications/`: the caller's own notifications."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from reviews import selectors, services
from reviews.models import Notification
from scorecard.api_support import service_errors

NOT_YOURS = services.NOTIFICATION_NOT_YOURS


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
