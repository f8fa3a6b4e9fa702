"""Signing in against guessing: three limits, each against one way of guessing.

- One name from one address: django-axes locks the pair out after `AXES_FAILURE_LIMIT`
  failures, for `AXES_COOLOFF_MINUTES`.
- Many names from one address (one try each on every account): the address is locked out
  after `SIGHTLINE_SIGN_IN_ADDRESS_FAILURE_LIMIT` failures across all names in the same
  cool-off (`SignInLockout`).
- One name from many addresses: the name is never locked out, since anyone could then lock an
  administrator out of their own account. Its failures are counted in the cache instead, and
  past `SIGHTLINE_SIGN_IN_USERNAME_RATE` every sign-in with that name, from anywhere, waits
  until the window ends (seconds, not minutes): 429 "try again in N seconds". A guesser gets
  that many tries a window and no more, whatever the number of addresses.

Addresses come from `scorecard.throttling.client_address`, so a trusted proxy's header counts
when it is configured."""

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db.models import Sum
from django.dispatch import receiver
from django.forms.utils import ErrorList
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import get_usage

SIGN_IN_SLOWED = (
    "Too many sign-in attempts for this name: try again in {seconds} seconds. "
    "(Sign-in for a name is slowed down, never locked, after repeated failures.)"
)
USERNAME_GROUP = "sightline:sign-in-username"


class SignInLockout(AxesDatabaseHandler):
    """Axes' database handler, plus a lockout of an address that failed too often across
    every name. Axes compares one count with one limit; past the address's own limit this
    answers at least that limit, so the address is refused like a locked-out pair."""

    def get_failures(self, request: Any, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.SIGHTLINE_SIGN_IN_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures


def address_failures(request: Any) -> int:
    attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def _username_usage(request: HttpRequest, username: str, *, increment: bool) -> dict | None:
    # Names are compared case-folded: "Admin" and "admin" share their count.
    return get_usage(
        request,
        group=USERNAME_GROUP,
        key=lambda group, request: username.strip().casefold(),
        rate=settings.SIGHTLINE_SIGN_IN_USERNAME_RATE,
        increment=increment,
    )


class UsernameSlowdownBackend:
    """Refuses, before any password is checked, a name that failed too often in the current
    window; Django then reports a failed sign-in, and `SignInView` says how long to wait.
    It has no `get_user`: it never signs anyone in, so no session names it as its backend."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, **credentials: Any
    ) -> None:
        if request is None or not username:
            return None
        usage = _username_usage(request, username, increment=False)
        if usage is not None and usage["count"] >= usage["limit"]:
            request.sign_in_wait = max(usage["time_left"], 1)  # type: ignore[attr-defined]
            raise PermissionDenied
        return None


@receiver(user_login_failed, dispatch_uid="sightline.count_username_failure")
def count_username_failure(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = credentials.get("username")
    if request is not None and username:
        _username_usage(request, username, increment=True)


class SignInView(auth_views.LoginView):
    """Django's sign-in page, answering 429 with the wait while the name is slowed down."""

    def form_invalid(self, form: Any) -> HttpResponse:
        seconds = getattr(self.request, "sign_in_wait", None)
        if seconds is None:
            return super().form_invalid(form)
        form._errors = {NON_FIELD_ERRORS: ErrorList([SIGN_IN_SLOWED.format(seconds=seconds)])}
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        response["Retry-After"] = str(seconds)
        return response


# The home page reads this once (scorecard.views.JUST_SIGNED_IN): the first visit after
# signing in takes an owner with entries due to "My updates".
@receiver(user_logged_in, dispatch_uid="sightline.mark_just_signed_in")
def mark_just_signed_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session["sightline_just_signed_in"] = True
