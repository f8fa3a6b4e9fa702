"""The core's endpoints: org units, memberships, perspectives, scorecards and the signed-in
person. The machinery every API module shares is in `scorecard.api_support`."""

from typing import Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from scorecard import services
from scorecard.api_support import (
    ServiceViewSet,
    VisibleRelatedField,
    require,
    visible_to_requester,
)
from scorecard.models import Membership, OrgUnit, Perspective, Scorecard
from scorecard.selectors import (
    people_grantable_by,
    visible_memberships,
    visible_people,
    visible_scorecards,
    visible_units,
)


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
        fields = ["id", "name", "slug", "kind", "parent"]
        extra_kwargs = {
            "slug": {
                "required": False,
                "help_text": "In page addresses; from the name if not given.",
            }
        }

    def to_representation(self, instance: OrgUnit) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["parent"] = parent_id_from_path(instance)
        return data


def parent_id_from_path(unit: OrgUnit) -> int | None:
    # `attach_parent_ids` fills `path_to_id` for a whole page of units in one query.
    parent_path = unit.path[: -OrgUnit.steplen]
    return getattr(unit, "path_to_id", {}).get(parent_path)


class OrgUnitViewSet(
    ServiceViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
):
    serializer_class = OrgUnitSerializer
    filterset_fields = ["kind"]
    update_permission = "scorecard.change_orgunit"

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

    def check_create(self, data: dict[str, Any]) -> None:
        # A root is created under the organisation's permission, a child under its parent's.
        parent = data.get("parent")
        if parent is None:
            require(self.request.user, "scorecard.change_orgunit", None)
        else:
            require(self.request.user, "scorecard.add_child_orgunit", parent)

    def create_with_service(self, data: dict[str, Any]) -> OrgUnit:
        unit = services.org_unit_create(
            name=data["name"],
            kind=data["kind"],
            parent=data.get("parent"),
            slug=data.get("slug", ""),
        )
        attach_parent_ids([unit])
        return unit

    @transaction.atomic
    def update_with_service(self, unit: OrgUnit, data: dict[str, Any]) -> OrgUnit:
        if "parent" in data and data["parent"] != OrgUnit.objects.get_parent(unit):
            if data["parent"] is not None:
                # Moving under a unit needs the right to add units there.
                require(self.request.user, "scorecard.add_child_orgunit", data["parent"])
            unit = services.org_unit_move(unit=unit, parent=data["parent"])
        unit = services.org_unit_update(
            unit=OrgUnit.objects.get(pk=unit.pk),
            name=data.get("name"),
            kind=data.get("kind"),
            slug=data.get("slug"),
        )
        attach_parent_ids([unit])
        return unit


def attach_parent_ids(units: list[OrgUnit]) -> None:
    """Resolve every unit's parent id from the paths in one query."""
    parent_paths = {unit.path[: -OrgUnit.steplen] for unit in units if unit.depth > 1}
    path_to_id = dict(OrgUnit.objects.filter(path__in=parent_paths).values_list("path", "id"))
    for unit in units:
        unit.path_to_id = path_to_id


class MembershipSerializer(serializers.ModelSerializer):
    user = VisibleRelatedField(visible=people_grantable_by)
    org_unit = VisibleRelatedField(visible=visible_units)

    class Meta:
        model = Membership
        fields = ["id", "user", "org_unit", "role"]
        validators: list = []  # A repeated grant is answered with the existing one.


class MembershipFilter(django_filters.FilterSet):
    user = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_people))
    org_unit = django_filters.ModelChoiceFilter(queryset=visible_to_requester(visible_units))

    class Meta:
        model = Membership
        fields = ["user", "org_unit", "role"]


class MembershipViewSet(
    ServiceViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
):
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    create_permission = delete_permission = "scorecard.manage_memberships"
    create_on = permission_on = "org_unit"

    def get_queryset(self) -> QuerySet[Membership]:
        return visible_memberships(self.request.user)

    def create_with_service(self, data: dict[str, Any]) -> Membership:
        return services.membership_grant(**data)

    def delete_with_service(self, membership: Membership) -> None:
        services.membership_revoke(membership=membership)


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
    ServiceViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
):
    serializer_class = ScorecardSerializer
    filterset_class = ScorecardFilter
    create_permission = update_permission = "scorecard.change_scorecard"
    create_on = "org_unit"

    def get_queryset(self) -> QuerySet[Scorecard]:
        return visible_scorecards(self.request.user)

    def create_with_service(self, data: dict[str, Any]) -> Scorecard:
        return services.scorecard_create(org_unit=data["org_unit"], title=data["title"])

    def update_with_service(self, scorecard: Scorecard, data: dict[str, Any]) -> Scorecard:
        return services.scorecard_update(
            scorecard=scorecard,
            title=data.get("title", scorecard.title),
            description=scorecard.description,
            org_unit=data.get("org_unit"),
        )


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The signed-in person."""
    return Response(MeSerializer(request.user).data)
