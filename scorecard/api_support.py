"""What every API module shares: refusing what the policy does not allow, turning services'
errors into 400s, fields that only accept what the caller may read, periods written as keys,
and the viewset that validates, checks the permission and calls the service.

Every viewset lists only what the policy lets the caller read (a `visible_*` selector),
refuses writes the policy does not allow (403, nothing changed), and sends writes through the
services, whose validation errors come back as 400 with field errors."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.relations import MANY_RELATION_KWARGS

from scorecard.models import Period
from scorecard.rules import may
from scorecard.selectors import period_lookup

REFUSED = "You may not change this: it is outside the units you manage."
STAYS = "This cannot move: create a new one instead."


class ApiDocsReaders(permissions.BasePermission):
    """Who may read the schema and the docs page: anyone signed in (by session or token), or
    everyone when `SIGHTLINE_API_DOCS_NEED_SIGN_IN` is off. Read at each request."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not settings.SIGHTLINE_API_DOCS_NEED_SIGN_IN:
            return True
        return bool(request.user and request.user.is_authenticated)


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


class IdListField(serializers.ManyRelatedField):
    """A list of ids holds at most SIGHTLINE_BULK_MAX_ROWS of them: DRF reads each id with a
    query of its own, so a body of a million ids would hold a worker for minutes."""

    def to_internal_value(self, data: Any) -> Any:
        most = settings.SIGHTLINE_BULK_MAX_ROWS
        if isinstance(data, list) and len(data) > most:
            raise serializers.ValidationError(f"At most {most} ids in one request.")
        return super().to_internal_value(data)


@extend_schema_field({"type": "integer"})
class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key that only accepts ids the caller may read: an id they may not see is
    answered exactly like one that does not exist. With `many=True`, a list of them, capped
    by IdListField."""

    def __init__(self, *, visible: Callable[[Any], QuerySet], **kwargs: Any) -> None:
        self.visible = visible
        super().__init__(**kwargs)

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> IdListField:
        list_kwargs = {key: kwargs[key] for key in kwargs if key in MANY_RELATION_KWARGS}
        return IdListField(child_relation=cls(*args, **kwargs), **list_kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        user = request.user if request else None
        return self.visible(user)


def visible_to_requester(visible: Callable[[Any], QuerySet]) -> Callable[[Any], QuerySet]:
    """For django-filter: a filter on a hidden id answers like one on an unknown id."""

    def queryset(request: Any) -> QuerySet:
        return visible(getattr(request, "user", None))

    return queryset


@extend_schema_field(
    {
        "type": "string",
        "example": "FY2026-Q3",
        "description": "A month (2026-03), a quarter (FY2026-Q3) or a year (FY2026).",
        "pattern": "^([0-9]{4}-(0[1-9]|1[0-2])|[Ff][Yy][0-9]{4}([- ][Qq][1-4])?)$",
    }
)
class PeriodKeyField(serializers.Field):
    """A period written as its key (2026-03, FY2026-Q3 or FY2026) read into a Period: the
    stored row, or the stand-in of a period nobody wrote into yet (reading creates nothing;
    a service that writes into it opens it). A malformed key, or one outside the data
    window, is a 400 on the field."""

    def to_internal_value(self, data: Any) -> Period:
        if not isinstance(data, str):
            raise serializers.ValidationError("Write the period as text, like FY2026-Q3.")
        try:
            return period_lookup(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["period"]) from None

    def to_representation(self, value: Period) -> str:
        return value.key


class ServiceViewSet(viewsets.GenericViewSet):
    # No docstring: the schema would give it to every viewset below as its description.
    #
    # Writes as every resource makes them: validate the body (the serializer), check the
    # policy's permission (403, nothing changed), then call the service (its ValidationError
    # is a 400 with field errors). A resource states its permissions and its service calls;
    # list this class first among its bases, before DRF's mixins, so these writes replace
    # their plain `save()`:
    # - `create_permission`, checked on the object the body names in `create_on`;
    # - `update_permission` and `delete_permission`, checked on the object itself, or on its
    #   attribute `permission_on` (a finding is changed under its review's permission);
    # - `fixed_fields`, which an update may not change (`fixed_message` says so);
    # - `create_with_service`, `update_with_service`, `delete_with_service`: the calls.

    create_permission = ""
    create_on = ""
    update_permission = ""
    delete_permission = ""
    permission_on = ""
    fixed_fields: tuple[str, ...] = ()
    fixed_message = STAYS

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        self.check_create(data)
        with service_errors():
            serializer.instance = self.create_with_service(data)

    def perform_update(self, serializer: Any) -> None:
        instance = serializer.instance
        data = dict(serializer.validated_data)
        self.check_update(instance, data)
        with service_errors():
            serializer.instance = self.update_with_service(instance, data)

    def perform_destroy(self, instance: Any) -> None:
        require(self.request.user, self.delete_permission, self.permission_object(instance))
        with service_errors():
            self.delete_with_service(instance)

    def check_create(self, data: dict[str, Any]) -> None:
        require(self.request.user, self.create_permission, data[self.create_on])

    def check_update(self, instance: Any, data: dict[str, Any]) -> None:
        """The permission, then the fixed fields: each is taken out of `data`, and one that
        would change is refused."""
        require(self.request.user, self.update_permission, self.permission_object(instance))
        for fixed in self.fixed_fields:
            if fixed in data and data.pop(fixed) != getattr(instance, fixed):
                raise serializers.ValidationError({fixed: [self.fixed_message]})

    def permission_object(self, instance: Any) -> Any:
        return getattr(instance, self.permission_on) if self.permission_on else instance

    def create_with_service(self, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def update_with_service(self, instance: Any, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def delete_with_service(self, instance: Any) -> None:
        raise NotImplementedError
