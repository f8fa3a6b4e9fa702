"""The core's endpoints: org units, memberships, perspectives, scorecards and the signed-in
person. The machinery every API module shares is in `scorecard.api_support`."""

from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action, api_view
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from scorecard import services
from scorecard.api_support import (
    ServiceViewSet,
    VisibleRelatedField,
    require,
    service_errors,
    visible_to_requester,
)
from scorecard.ids import BIGGEST_ID
from scorecard.models import (
    KIND_LENGTH,
    Membership,
    OrganizationSettings,
    OrgUnit,
    Perspective,
    Scorecard,
)
from scorecard.rules import is_administrator
from scorecard.selectors import (
    people_grantable_by,
    units_named_like,
    visible_memberships,
    visible_people,
    visible_scorecards,
    visible_units,
)

PERSPECTIVES_AT_MOST = 1000  # a reorder lists every perspective; a map has a handful
UNIT_KINDS_AT_MOST = 100
UNIT_NAME_LENGTH = OrgUnit._meta.get_field("name").max_length


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


class OrgUnitFilter(django_filters.FilterSet):
    """`?kind=team` and `?search=north`: the units named like the text, as the unit picker
    finds them (`units_named_like`: names that start with it first), within the units the
    requester may see, which is the list's queryset already."""

    search = django_filters.CharFilter(
        method="named_like",
        max_length=UNIT_NAME_LENGTH,
        label="Part of the unit's name, any case; names that start with it come first.",
    )

    class Meta:
        model = OrgUnit
        fields = ["kind"]

    def named_like(self, queryset: QuerySet[OrgUnit], name: str, value: str) -> QuerySet[OrgUnit]:
        return units_named_like(queryset, value)


class OrgUnitViewSet(
    ServiceViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
):
    serializer_class = OrgUnitSerializer
    filterset_class = OrgUnitFilter
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
    archived = serializers.BooleanField(
        required=False, help_text="Archived: keeps its objectives, takes no new ones."
    )

    class Meta:
        model = Perspective
        fields = ["id", "name", "order", "color", "description", "archived"]
        read_only_fields = ["order"]  # changed by reordering them all at once
        validators: list = []  # The model says "already exists" on the field itself.

    def to_representation(self, instance: Perspective) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["archived"] = instance.archived
        return data


class PerspectiveOrderSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=BIGGEST_ID),
        max_length=PERSPECTIVES_AT_MOST,
        help_text="Every perspective's id once, bottom of the strategy map first.",
    )


class PerspectiveViewSet(
    ServiceViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
):
    """Every perspective, in order (order 1 is the bottom of the strategy map): anyone
    signed in reads them; administrators add, rename, recolour, archive and reorder them."""

    serializer_class = PerspectiveSerializer
    queryset = Perspective.objects.order_by("order")

    def check_create(self, data: dict[str, Any]) -> None:
        require(self.request.user, "scorecard.change_perspective", None)

    def check_update(self, instance: Perspective, data: dict[str, Any]) -> None:
        require(self.request.user, "scorecard.change_perspective", instance)

    @transaction.atomic
    def create_with_service(self, data: dict[str, Any]) -> Perspective:
        perspective = services.perspective_create(
            name=data["name"], color=data.get("color", ""), description=data.get("description", "")
        )
        if data.get("archived"):
            perspective = services.perspective_archive(perspective=perspective)
        return perspective

    @transaction.atomic
    def update_with_service(self, perspective: Perspective, data: dict[str, Any]) -> Perspective:
        perspective = services.perspective_update(
            perspective=perspective,
            name=data.get("name"),
            color=data.get("color"),
            description=data.get("description"),
        )
        if "archived" in data:
            perspective = services.perspective_archive(
                perspective=perspective, archived=data["archived"]
            )
        return perspective

    @extend_schema(request=PerspectiveOrderSerializer, responses=PerspectiveSerializer(many=True))
    @action(detail=False, methods=["post"])
    def reorder(self, request: Request) -> Response:
        """Put every perspective in a new order in one request: `{"ids": [3, 1, 2]}`, bottom of
        the map first (administrators)."""
        require(request.user, "scorecard.change_perspective", None)
        body = PerspectiveOrderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            perspectives = services.perspectives_reorder(ids=body.validated_data["ids"])
        return Response(PerspectiveSerializer(perspectives, many=True).data)


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


# People: administrators invite them; everyone lists the people of the units they see.


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(
        required=False,
        max_length=150,
        help_text="From the e-mail address when not given (ada@city.gov → ada).",
    )
    name = serializers.CharField(max_length=301, help_text="First and last name.")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {"id": instance.pk, "username": instance.username, "name": person_name(instance)}


class PersonWithEmailSerializer(PersonSerializer):
    """What administrators read and write: the person's e-mail address too."""

    email = serializers.EmailField(help_text="Where the link to set a password goes.")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {**super().to_representation(instance), "email": instance.email}


def person_name(person: Any) -> str:
    return person.get_full_name() or person.username


class PersonFilter(django_filters.FilterSet):
    username = django_filters.CharFilter()

    class Meta:
        model = get_user_model()
        fields = ["username"]


class PersonViewSet(
    ServiceViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
):
    """The people of the units the caller sees (`name`, no e-mail address); administrators
    see everyone with their address, and create people, who are mailed a link to set their
    password."""

    filterset_class = PersonFilter

    def get_queryset(self) -> QuerySet:
        return visible_people(self.request.user).order_by("username")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        # The schema describes what administrators read (`swagger_fake_view`: no one asks).
        administrator = is_administrator(self.request.user)
        if administrator or self.action == "create" or getattr(self, "swagger_fake_view", False):
            return PersonWithEmailSerializer
        return PersonSerializer

    def check_create(self, data: dict[str, Any]) -> None:
        require(self.request.user, "scorecard.add_person", None)

    def create_with_service(self, data: dict[str, Any]) -> Any:
        return services.person_invite(
            name=data["name"], email=data["email"], username=data.get("username", "")
        )


# Organization settings: administrators only.


class OrganizationSettingsSerializer(serializers.ModelSerializer):
    unit_kinds = serializers.ListField(
        child=serializers.CharField(max_length=KIND_LENGTH),
        allow_empty=False,
        max_length=UNIT_KINDS_AT_MOST,
        help_text="The kinds of unit, as keys like focus-area; units hold one of them.",
    )

    class Meta:
        model = OrganizationSettings
        fields = [
            "fiscal_start_month",
            "reminder_lead_days",
            "grace_days",
            "red_needs_comment",
            "red_drafts_action",
            "extra_action_verbs",
            "unit_kinds",
        ]


def stored_settings() -> OrganizationSettings:
    """The stored settings, or the defaults before anyone saved them: a read (or a refused
    write) creates no row."""
    return OrganizationSettings.objects.filter(pk=1).first() or OrganizationSettings(pk=1)


class OrganizationSettingsView(GenericAPIView):
    """The organization's settings (administrators). The fiscal year's start month is fixed
    once quarters hold data; a unit kind in use cannot be removed."""

    serializer_class = OrganizationSettingsSerializer
    pagination_class = None
    filter_backends: list = []

    def get_object(self) -> OrganizationSettings:
        # One object, no queryset; DRF's OPTIONS answer asks for it too.
        return stored_settings()

    def get(self, request: Request) -> Response:
        require(request.user, "scorecard.change_settings", None)
        return Response(self.get_serializer(self.get_object()).data)

    def put(self, request: Request) -> Response:
        return self._update(request, partial=False)

    def patch(self, request: Request) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        require(request.user, "scorecard.change_settings", None)
        body = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        with service_errors():
            saved = services.organization_settings_update(**body.validated_data)
        return Response(self.get_serializer(saved).data)
