"""Rate limits: who the client is, and how often one person may ask for expensive work.

Expensive work (PDF packs, exports, score explanations, import previews and runs) costs a
worker seconds and memory; one person asking for it in a loop would starve everyone else.
Each kind has a rate per person (`SIGHTLINE_RATE_LIMITS`), counted in the default cache, which
is Redis when `REDIS_URL` is set, so every gunicorn worker counts against the same budget.
Pages use `rate_limited`, the API the `*Throttle` classes; over the limit both answer 429 with
the seconds to wait (a page inside the layout, the API as JSON `detail`)."""

import functools
import ipaddress
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage
from rest_framework.throttling import SimpleRateThrottle

TOO_MANY = "You asked for {work} too often: try again in {seconds} seconds."
WORK_NAMES = {
    "pdf": "PDF packs",
    "export": "exports",
    "explanation": "score explanations",
    "import": "imports",
}


def client_address(request: HttpRequest) -> str:
    """The address of the client, for sign-in lockouts and every rate limit.

    Behind a reverse proxy every request comes from the proxy, so its REMOTE_ADDR would make
    all clients one. `SIGHTLINE_CLIENT_IP_HEADER` (off by default) names the header that the
    trusted proxy sets; its right-most address is the one the proxy itself saw, which a client
    cannot forge (addresses to its left are whatever the client sent)."""
    header = settings.SIGHTLINE_CLIENT_IP_HEADER
    if header:
        key = "HTTP_" + header.upper().replace("-", "_")
        forwarded = request.META.get(key, "").split(",")[-1].strip()
        if _is_address(forwarded):
            return forwarded
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _person(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"address:{client_address(request)}"


def rate_limited(scope: str, *, methods: tuple[str, ...] = ("GET", "POST")) -> Callable:
    """A page's limit on one kind of expensive work (`SIGHTLINE_RATE_LIMITS[scope]`), per
    person. Put it under `login_required`, so the person is known."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                usage = get_usage(
                    request,
                    group=f"sightline:{scope}",
                    key=lambda group, request: _person(request),
                    rate=settings.SIGHTLINE_RATE_LIMITS[scope],
                    increment=True,
                )
                if usage is not None and usage["should_limit"]:
                    return too_many_requests(request, scope, usage["time_left"])
            return view(request, *args, **kwargs)

        return limited

    return decorator


def too_many_requests(request: HttpRequest, scope: str, seconds: int) -> HttpResponse:
    seconds = max(seconds, 1)
    message = TOO_MANY.format(work=WORK_NAMES[scope], seconds=seconds)
    response = render(request, "too_many_requests.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


class ExpensiveWorkThrottle(SimpleRateThrottle):
    """The API's limit on one kind of expensive work, per person; the rate is read at each
    request from `SIGHTLINE_RATE_LIMITS`, so a changed setting applies at once."""

    scope = ""

    def get_rate(self) -> str:
        return settings.SIGHTLINE_RATE_LIMITS[self.scope]

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": _person(request)}


class ExplanationThrottle(ExpensiveWorkThrottle):
    scope = "explanation"


class ImportThrottle(ExpensiveWorkThrottle):
    scope = "import"
