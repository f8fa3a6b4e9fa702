"""Limits every request meets before a view does any work: the size of its body, the number
of its form fields, the nesting of its JSON, and the rows of a bulk API request.

Each limit is a setting (see the "Issue 14 — limits" block of settings.py). A body that is too
large answers 413, with `{"detail": ...}` from the API and a short page elsewhere; a form of
too many fields and JSON nested too deeply answer 400 with the reason."""

import io
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

BODY_TOO_LARGE = "The request is {size:,} KB; the limit is {limit:,} KB. Send less at once."
TOO_MANY_FIELDS = "The form sent more than {limit:,} fields. Save fewer rows at once."
TOO_DEEP = "The JSON is nested more than {limit} levels deep."
NOT_A_LIST = "Send a list of rows."
TOO_MANY_ROWS = "Send at most {limit:,} rows at once; this request has {count:,}."

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RequestLimitsMiddleware:
    """Refuse a body past its limit before anything reads it. It sits before the CSRF
    middleware, which reads a form's fields and would otherwise meet the refusal first, as
    an exception that Django answers with a bare 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self._refusal(request) or self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        limit = _body_limit(request)
        if _content_length(request) > limit:
            return _too_large(request, size=_content_length(request), limit=limit)
        if request.method == "POST" and request.content_type in FORM_TYPES:
            try:
                request.POST  # noqa: B018 - read now, where its refusals are answered well
            except RequestDataTooBig:
                return _too_large(request, size=_content_length(request), limit=limit)
            except (TooManyFieldsSent, TooManyFilesSent):
                message = TOO_MANY_FIELDS.format(limit=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
                return _refused(request, message, status=400)
        return None


def _body_limit(request: HttpRequest) -> int:
    # A form's fields count against DATA_UPLOAD_MAX_MEMORY_SIZE; a spreadsheet upload may add
    # up to the import's own limit, which the import page then explains in its own words.
    if request.content_type == "multipart/form-data":
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE + settings.SIGHTLINE_IMPORT_MAX_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _too_large(request: HttpRequest, *, size: int, limit: int) -> HttpResponse:
    message = BODY_TOO_LARGE.format(size=-(-size // 1024), limit=limit // 1024)
    return _refused(request, message, status=413)


def _refused(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "request_refused.html", {"message": message}, status=status)


# JSON nesting ------------------------------------------------------------------------------

# A JSON string, escapes included: what the bracket count must skip. An unterminated string
# runs to the end of the body (the closing quote is optional), so that every attempt to match
# succeeds where it starts and the scan stays linear; such a body is no JSON anyway.
JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
NOT_A_BRACKET = re.compile(rb"[^\[\]{}]")


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether the JSON in `body` nests arrays and objects deeper than `limit`. Python's json
    parser recurses once per level and raises RecursionError near a thousand; this counts the
    brackets outside strings instead, without recursion, stopping at the first level too
    deep."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # too few brackets to nest that deep: the common case, at C speed
    brackets = NOT_A_BRACKET.sub(b"", JSON_STRING.sub(b"", body))
    depth = 0
    for bracket in brackets:
        depth += 1 if bracket in b"[{" else -1
        if depth > limit:
            return True
    return False


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, refusing JSON nested deeper than SIGHTLINE_JSON_MAX_DEPTH with a 400
    before it is parsed."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        body = stream.read() if stream is not None else b""
        limit = settings.SIGHTLINE_JSON_MAX_DEPTH
        if json_depth_exceeds(body, limit):
            raise ParseError(TOO_DEEP.format(limit=limit))
        return super().parse(io.BytesIO(body), media_type, parser_context)


# Bulk rows ---------------------------------------------------------------------------------


def bulk_rows(data: Any) -> list:
    """The rows of a bulk request, refused (400) before any row is read when they are not a
    list or more than SIGHTLINE_BULK_MAX_ROWS."""
    if not isinstance(data, list):
        raise serializers.ValidationError({"non_field_errors": [NOT_A_LIST]})
    limit = settings.SIGHTLINE_BULK_MAX_ROWS
    if len(data) > limit:
        message = TOO_MANY_ROWS.format(limit=limit, count=len(data))
        raise serializers.ValidationError({"non_field_errors": [message]})
    return data


BULK_ROWS_MARK = "x-bulk-rows"


def bulk_rows_in_schema(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular post-processing: each operation marked with `x-bulk-rows` (through
    `extend_schema(extensions=...)`) says in its request body how many rows it takes."""
    limit = settings.SIGHTLINE_BULK_MAX_ROWS
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or not operation.pop(BULK_ROWS_MARK, False):
                continue
            for media in operation.get("requestBody", {}).get("content", {}).values():
                media["schema"]["maxItems"] = limit
            operation["description"] = (
                operation.get("description", "") + f"\n\nAt most {limit:,} rows per request."
            ).strip()
    return result
