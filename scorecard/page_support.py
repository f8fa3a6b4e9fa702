"""What every page of every app shares: the htmx request type, the one helper that turns an id
into an object or a refusal, and the period a page is asked for.

Pages of any app import this module; it imports only the core (`scorecard`) below them.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django_htmx.middleware import HtmxDetails

from scorecard import selectors
from scorecard.models import Period, Scorecard
from scorecard.rules import may

NOT_FOUND = "There is nothing here, or nothing you may see."
REFUSED = "You may not do this here: it is outside the units you may {what}."
NO_ROLE = "You have no role on this unit or above it."


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class QueryForm(forms.Form):
    """A page's query parameters, typed, read before anything touches the database.

    A value that does not parse (text where a number goes, a NUL, a number out of range) is
    dropped, so the page opens on its default as if the parameter were absent: a stale or
    mangled bookmark still opens the page. Repeated parameters count by their last value."""

    def values(self) -> dict[str, Any]:
        self.is_valid()
        return {
            name: self.cleaned_data.get(name, field.initial) for name, field in self.fields.items()
        }


def object_or_refuse[M: Model](
    request: HttpRequest,
    queryset: QuerySet[M],
    permission: str,
    *,
    visible: str | None = None,
    refused: str = NO_ROLE,
    **lookup: Any,
) -> M:
    """The object of `queryset` matching `lookup`, if the signed-in person holds `permission`.

    An unknown id answers 404. So does an id the person may not see, when `visible` names the
    permission that "seeing" means, so that nobody can tell a hidden object from a missing one.
    One that is seen but not permitted answers 403 with `refused`, which names nothing that was
    found. A malformed id (text where a number goes) counts as unknown.
    """
    try:
        obj = queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404(NOT_FOUND) from None
    if visible is not None and not may(request.user, visible, obj):
        raise Http404(NOT_FOUND)
    if not may(request.user, permission, obj):
        raise PermissionDenied(refused)
    return obj


def scorecard_of_unit(
    request: HttpRequest, slug: str, permission: str, *, refused: str = NO_ROLE
) -> Scorecard:
    """The scorecard of the unit named by `slug` in the URL, if the person holds `permission`
    on it (see object_or_refuse); its unit comes along, since the policy reads it."""
    return object_or_refuse(
        request,
        Scorecard.objects.select_related("org_unit"),
        permission,
        refused=refused,
        org_unit__slug=slug,
    )


def scorecard_for_reading(request: HttpRequest, slug: str) -> Scorecard:
    return scorecard_of_unit(request, slug, "scorecard.view_scorecard")


def period_from_request(
    request: HttpRequest, default: Callable[[], Period] | None = None
) -> Period:
    """The period asked for in `?period=` (`2026-03`, `FY2026-Q3` or `FY2026`), else the
    page's `default` (pages that show a subject's data pass `kpis.selectors.default_period`,
    DESIGN.md section 4), else the last quarter that has ended.

    Reading creates nothing: a period without a stored row comes back unsaved and reads as
    "no data". A malformed key, or one outside the data window, is said in a message and
    the page shows the default period."""
    key = request.GET.get("period")
    if key:
        try:
            return selectors.period_lookup(key)
        except ValidationError as error:
            messages.error(request, error.message_dict["period"][0])
    return default() if default is not None else selectors.last_ended_period()
