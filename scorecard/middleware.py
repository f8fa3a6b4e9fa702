"""Middleware of the project's own."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


def private_to_the_signed_in(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Every answer to a signed-in person (a page, an export, a PDF, the API) is
    `Cache-Control: private, no-store`: it shows what this person may read, so no shared proxy
    may keep it and no browser may store it on disk for the next person at the machine.
    Static files never get here (WhiteNoise answers them first) and stay cacheable.

    It reads the user after the view: an API request signed in by token is known only once
    DRF has authenticated it, and DRF then sets the user on the request."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware
