"""Middleware of the project's own."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
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


API_PREFIX = "/api/"
NOT_FOUND = "Not found."
NOT_ALLOWED = 'Method "{method}" not allowed.'


def api_errors_as_json(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Under /api/, a 404 or a 405 answers JSON like DRF's own (`{"detail": ...}`), also where
    no API view answered: an unknown path, or a plain Django view. DRF's own answers, already
    JSON, pass unchanged; a 405 keeps its `Allow` header."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if (
            not request.path.startswith(API_PREFIX)
            or response.status_code not in (404, 405)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        detail = NOT_FOUND if response.status_code == 404 else NOT_ALLOWED
        answer = JsonResponse(
            {"detail": detail.format(method=request.method)}, status=response.status_code
        )
        if response.has_header("Allow"):
            answer["Allow"] = response["Allow"]
        return answer

    return middleware
