"""The API's shared machinery and the core's endpoints: org units, memberships,
perspectives, scorecards and the signed-in person.

Every viewset lists only what the policy lets the caller read (`visible_q`), refuses writes
the policy does not allow (403, nothing changed), and sends writes through the services,
whose validation errors come back as 400 with field errors."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from treebeard.exceptions import InvalidMoveToDescendant

from scorecard import services
from scorecard.models import Membership, OrgUnit, Perspective, Scorecard
from scorecard.rules import may, visible_q

REFUSED = "You may not change this: it is outside the units you manage."
MOVE_INTO_OWN_SUBTREE = "A unit cannot move under itself or one of its own units."
MOVE_WITH_OBJECTIVES = (
    "This unit or a unit below it already has objectives, whose cascade and roll-ups follow "
    "the tree: move units before building their scorecards."
)
SCORECARD_STAYS = "A scorecard stays with its unit; create one for the other unit."


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn a service's Django ValidationError into DRF's 400 with field errors."""
    try:
        yield
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            errors = dict(error.message_dict)
            if NON_FIELD_ERRORS in errors:
                errors["non_field_errors"] = errors.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(errors) from None
        raise serializers.ValidationError({"non_field_errors": error.messages}) from None


def require(user: Any, permission: str, obj: Any) -> None:
    if not may(user, permission, obj):
        raise PermissionDenied(REFUSED)


@extend_schema_field({"type": "integer"})
class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key that only accepts ids the caller may read: an id they may not see is
    answered exactly like one that does not exist."""

    def __init__(self, *, visible: Callable[[Any], QuerySet], **kwargs: Any) -> None:
        self.visible = visible
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        user = request.user if request else None
        return self.visible(user)


def visible_to_requester(visible: Callable[[Any], QuerySet]) -> Callable[[Any], QuerySet]:
    """For django-filter: a filter on a hidden id answers like one on an unknown id."""

    def queryset(request: Any) -> QuerySet:
        return visible(getattr(request, "user", None))

    return queryset


def visible_units(user: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(visible_q(user, "path"))


def visible_scorecards(user: Any) -> QuerySet[Scorecard]:
    return Scorecard.objects.filter(visible_q(user, "org_unit__path")).select_related("org_unit")


def active_users(user: Any) -> QuerySet:
    return get_user_model().objects.filter(is_active=True)


@extend_schema_field({"type": "integer", "nullable": True})
class ParentUnitField(VisibleRelatedField):
    """The parent unit's id. The tree stores paths, not a parent column."""


class OrgUnitSerializer(serializers.ModelSerializer):
    # DRF's metaclass turns class attributes into fields; the stubs see Field.parent instead.
    parent = ParentUnitField(  # type: ignore[assignment]
        visible=visible_units, allow_null=True, required=False
    )

    class Meta:
        model = OrgUnit
        fields = ["id", "name", "kind", "parent"]

    def to_representation(self, instance: OrgUnit) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["parent"] = parent_id_from_path(instance)
        return data


def parent_id_from_path(unit: OrgUnit) -> int | None:
    # `attach_parent_ids` fills `path_to_id` for a whole page of units in one query.
    parent_path = unit.path[: -OrgUnit.steplen]
    return getattr(unit, "path_to_id", {}).get(parent_path)


class OrgUnitViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = OrgUnitSerializer
    filterset_fields = ["kind"]

    def get_queryset(self) -> QuerySet[OrgUnit]:
        return visible_units(self.request.user).order_by("path")

    def paginate_queryset(self, queryset: Any) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        if page is not None:
            attach_parent_ids(page)
        return page

    def get_object(self) -> OrgUnit:
        unit = super().get_object()
        attach_parent_ids([unit])
        return unit

    def perform_create(self, serializer: Any) -> None:
        parent = serializer.validated_data.get("parent")
        if parent is None:
            require(self.request.user, "scorecard.change_orgunit", None)
        else:
            require(self.request.user, "scorecard.add_child_orgunit", parent)
        with service_errors():
            unit = services.org_unit_create(
                name=serializer.validated_data["name"],
                kind=serializer.validated_data["kind"],
                parent=parent,
            )
        attach_parent_ids([unit])
        serializer.instance = unit

    @transaction.atomic
    def perform_update(self, serializer: Any) -> None:
        unit = serializer.instance
        require(self.request.user, "scorecard.change_orgunit", unit)
        data = serializer.validated_data
        with service_errors():
            if "parent" in data and data["parent"] != OrgUnit.objects.get_parent(unit):
                self._move(unit, data["parent"])
            unit = services.org_unit_update(
                unit=OrgUnit.objects.get(pk=unit.pk), name=data.get("name"), kind=data.get("kind")
            )
        attach_parent_ids([unit])
        serializer.instance = unit

    def _move(self, unit: OrgUnit, new_parent: OrgUnit | None) -> None:
        if new_parent is None:
            raise serializers.ValidationError({"parent": [services.SECOND_ROOT]})
        require(self.request.user, "scorecard.add_child_orgunit", new_parent)
        if new_parent.path.startswith(unit.path):
            raise serializers.ValidationError({"parent": [MOVE_INTO_OWN_SUBTREE]})
        if unit_has_objectives(unit):
            raise serializers.ValidationError({"parent": [MOVE_WITH_OBJECTIVES]})
        try:
            OrgUnit.objects.move(unit, new_parent, "last-child")
        except InvalidMoveToDescendant:
            raise serializers.ValidationError({"parent": [MOVE_INTO_OWN_SUBTREE]}) from None


def unit_has_objectives(unit: OrgUnit) -> bool:
    # The API is a face of every layer, so it may look at objectives from here.
    from strategy.models import Objective

    return Objective.objects.filter(scorecard__org_unit__path__startswith=unit.path).exists()


def attach_parent_ids(units: list[OrgUnit]) -> None:
    """Resolve every unit's parent id from the paths in one query."""
    parent_paths = {unit.path[: -OrgUnit.steplen] for unit in units if unit.depth > 1}
    path_to_id = dict(OrgUnit.objects.filter(path__in=parent_paths).values_list("path", "id"))
    for unit in units:
        unit.path_to_id = path_to_id


class MembershipSerializer(serializers.ModelSerializer):
    user = VisibleRelatedField(visible=active_users)
    org_unit = VisibleRelatedField(visible=visible_units)

    class Meta:
        model = Membership
        fields = ["id", "user", "org_unit", "role"]
        validators: list = []  # A repeated grant is answered with the existing one.


class MembershipFilter(django_filters.FilterSet):
    user = django_filters.ModelChoiceFilter(queryset=visible_to_requester(active_users))
    org_unit = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_units))

    class Meta:
        model = Membership
        fields = ["user", "org_unit", "role"]


class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter

    def get_queryset(self) -> QuerySet[Membership]:
        return Membership.objects.filter(visible_q(self.request.user, "org_unit__path"))

    def perform_create(self, serializer: Any) -> None:
        require(
            self.request.user, "scorecard.manage_memberships", serializer.validated_data["org_unit"]
        )
        with service_errors():
            serializer.instance = services.membership_grant(**serializer.validated_data)

    def perform_destroy(self, instance: Membership) -> None:
        require(self.request.user, "scorecard.manage_memberships", instance.org_unit)
        services.membership_revoke(membership=instance)


class PerspectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Perspective
        fields = ["id", "name", "order"]


class PerspectiveViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PerspectiveSerializer
    queryset = Perspective.objects.order_by("order")


class ScorecardSerializer(serializers.ModelSerializer):
    org_unit = VisibleRelatedField(visible=visible_units)

    class Meta:
        model = Scorecard
        fields = ["id", "org_unit", "title"]
        validators: list = []  # The service says "already has a scorecard" in its own words.


class ScorecardFilter(django_filters.FilterSet):
    org_unit = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_units))

    class Meta:
        model = Scorecard
        fields = ["org_unit"]


class ScorecardViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ScorecardSerializer
    filterset_class = ScorecardFilter

    def get_queryset(self) -> QuerySet[Scorecard]:
        return visible_scorecards(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        unit = serializer.validated_data["org_unit"]
        require(self.request.user, "scorecard.change_scorecard", unit)
        with service_errors():
            serializer.instance = services.scorecard_create(
                org_unit=unit, title=serializer.validated_data["title"]
            )

    def perform_update(self, serializer: Any) -> None:
        scorecard = serializer.instance
        require(self.request.user, "scorecard.change_scorecard", scorecard)
        data = serializer.validated_data
        if "org_unit" in data and data["org_unit"] != scorecard.org_unit:
            raise serializers.ValidationError({"org_unit": [SCORECARD_STAYS]})
        with service_errors():
            serializer.instance = services.scorecard_update(
                scorecard=scorecard,
                title=data.get("title", scorecard.title),
                description=scorecard.description,
            )


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The signed-in person."""
    return Response(MeSerializer(request.user).data)
