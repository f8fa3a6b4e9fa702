"""`/api/connections/` and `/api/imports/` (issue 16).

Administrators write connections (`secret` is write-only: no answer ever carries it);
managers list a connection's `id, name, kind` to pick one, never its URL or secret. Imports
are seen, changed and run by the managers of their unit's subtree; `preview` answers the
rows as they would land, `run` queues a run (202), or with `?wait=1` carries it out and
answers the finished run (200), and `runs` lists the runs, newest first."""

from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from connections import selectors, services
from connections.models import Connection, Import, ImportRun
from scorecard.api_support import ServiceViewSet, VisibleRelatedField, require, service_errors
from scorecard.rules import is_administrator, may
from scorecard.selectors import org_units_visible_to, visible_people


class ConnectionSerializer(serializers.ModelSerializer):
    secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False
    )

    class Meta:
        model = Connection
        fields = ["id", "name", "kind", "url", "options", "secret"]


class ConnectionChoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Connection
        fields = ["id", "name", "kind"]
        read_only_fields = fields


class ConnectionTestSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    error = serializers.CharField(
        allow_blank=True, help_text="What failed, in words; empty when ok."
    )


class PicksConnections(permissions.BasePermission):
    """Administrators and managers; writes are checked again per action (administrators)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return may(request.user, "connections.pick_connection", None)


class ConnectionViewSet(
    ServiceViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """Data connections. Administrators see and write `id, name, kind, url, options` and
    write `secret` (never answered back); managers list `id, name, kind`."""

    permission_classes = [permissions.IsAuthenticated, PicksConnections]
    update_permission = delete_permission = "connections.change_connection"

    def get_queryset(self) -> QuerySet[Connection]:
        return selectors.connections_for(self.request.user)

    def get_serializer_class(self) -> Any:
        if is_administrator(self.request.user):
            return ConnectionSerializer
        return ConnectionChoiceSerializer

    def check_create(self, data: dict[str, Any]) -> None:
        require(self.request.user, "connections.change_connection", None)

    def create_with_service(self, data: dict[str, Any]) -> Model:
        return services.connection_create(**data)

    def update_with_service(self, instance: Connection, data: dict[str, Any]) -> Model:
        secret = data.pop("secret", None)
        return services.connection_update(connection=instance, secret=secret, **data)

    def delete_with_service(self, instance: Connection) -> None:
        if instance.imports.exists():
            raise serializers.ValidationError(
                {"non_field_errors": ["Imports read this connection: delete them first."]}
            )
        instance.delete()

    @extend_schema(request=None, responses=ConnectionTestSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        """Reach the source as an import would (administrators, as the page's "Test
        connection"): `{"ok": true, "error": ""}`, or `ok` false and what failed, in words."""
        require(request.user, "connections.change_connection", None)
        problem = services.connection_test(connection=self.get_object())
        return Response(ConnectionTestSerializer({"ok": not problem, "error": problem}).data)


def _pickable_connections(user: Any) -> QuerySet[Connection]:
    if may(user, "connections.pick_connection", None):
        return Connection.objects.all()
    return Connection.objects.none()


class ImportSerializer(serializers.ModelSerializer):
    connection = VisibleRelatedField(visible=_pickable_connections)
    org_unit = VisibleRelatedField(visible=org_units_visible_to)
    owner = VisibleRelatedField(visible=visible_people)

    class Meta:
        model = Import
        fields = [
            "id",
            "name",
            "connection",
            "org_unit",
            "owner",
            "query",
            "mapping",
            "schedule",
            "enabled",
        ]


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportRun
        fields = [
            "id",
            "started_at",
            "finished_at",
            "status",
            "rows_read",
            "rows_changed",
            "rows_unchanged",
            "rows_refused",
            "error",
        ]
        read_only_fields = fields


class ImportViewSet(
    ServiceViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """Imports of the units the caller manages (every import for an administrator)."""

    serializer_class = ImportSerializer
    create_permission = update_permission = delete_permission = "connections.change_import"
    create_on = "org_unit"

    def get_queryset(self) -> QuerySet[Import]:
        return selectors.imports_managed_by(self.request.user)

    def check_update(self, instance: Any, data: dict[str, Any]) -> None:
        super().check_update(instance, data)
        if "org_unit" in data:
            # Moving an import needs the manager's role on the new unit as well.
            require(self.request.user, "connections.change_import", data["org_unit"])

    def create_with_service(self, data: dict[str, Any]) -> Model:
        return services.import_create(**data)

    def update_with_service(self, instance: Import, data: dict[str, Any]) -> Model:
        return services.import_update(import_job=instance, **data)

    def delete_with_service(self, instance: Import) -> None:
        instance.delete()

    @action(detail=True, methods=["post"])
    def preview(self, request: Request, pk: str | None = None) -> Response:
        """The first 50 rows as they would land (new, changed, unchanged, error with the
        reasons) and the counts of all rows; `error` when the source cannot be read."""
        preview = services.import_preview(import_job=self.get_object())
        return Response(
            {
                "error": preview.error,
                "rows_read": preview.rows_read,
                "counts": preview.counts,
                "rows": [row.as_json() for row in preview.rows],
            }
        )

    @action(detail=True, methods=["post"])
    def run(self, request: Request, pk: str | None = None) -> Response:
        """Queue a run (202); `?wait=1` carries it out in this request and answers the
        finished run (200), for scripts."""
        import_job = self.get_object()
        wait = request.query_params.get("wait") == "1"
        with service_errors():
            queued = services.run_request(import_job=import_job, by=request.user, start=not wait)
        if wait:
            finished = services.run_execute(run_id=queued.pk)
            return Response(RunSerializer(finished).data, status=status.HTTP_200_OK)
        return Response(RunSerializer(queued).data, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["get"])
    def runs(self, request: Request, pk: str | None = None) -> Response:
        """The import's runs, newest first."""
        runs = selectors.runs_of(self.get_object())
        page = self.paginate_queryset(runs)
        if page is not None:
            return self.get_paginated_response(RunSerializer(page, many=True).data)
        return Response(RunSerializer(runs, many=True).data)
