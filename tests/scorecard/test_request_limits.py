"""Issue 14: limits every request meets before any work — rows per bulk request (finding 4),
the size of a body (413), the number of form fields and the nesting of JSON (no
RecursionError, no 5xx)."""

import json
import time
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import Actual, Target
from scorecard import request_limits
from scorecard import services as core

Q1 = "FY2026-Q1"
FORM = "application/x-www-form-urlencoded"
BULK_ENDPOINTS = ["/api/actuals/bulk/", "/api/targets/bulk/"]


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people.manager)  # no session nor user query
    return client


def rows(kpi, count: int) -> list[dict]:
    return [{"kpi": kpi.pk, "period": Q1, "value": str(n)} for n in range(count)]


# Rows per bulk request ------------------------------------------------------------------------


@pytest.mark.parametrize("url", BULK_ENDPOINTS)
def test_it_refuses_more_bulk_rows_than_the_limit_before_reading_any(
    api, north_sales_kpi, django_assert_num_queries, url
):
    with django_assert_num_queries(0):
        response = api.post(url, rows(north_sales_kpi, 1001), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [request_limits.TOO_MANY_ROWS.format(limit=1000, count=1001)]
    }


@pytest.mark.parametrize("url", BULK_ENDPOINTS)
def test_it_takes_as_many_bulk_rows_as_the_limit_set_in_settings(
    api, settings, north_sales_kpi, url
):
    settings.SIGHTLINE_BULK_MAX_ROWS = 1
    one_row = [{"kpi": north_sales_kpi.pk, "period": Q1, "value": "100"}]

    assert api.post(url, one_row, format="json").status_code == 200
    refused = api.post(url, one_row * 2, format="json")

    assert refused.status_code == 400
    assert refused.json()["non_field_errors"] == [
        "Send at most 1 rows at once; this request has 2."
    ]


def test_the_schema_says_how_many_bulk_rows_a_request_takes(admin_client):
    schema = admin_client.get("/api/schema/?format=json").json()

    for url in BULK_ENDPOINTS:
        operation = schema["paths"][url]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body["type"] == "array"
        assert body["maxItems"] == 1000
        assert "At most 1,000 rows per request." in operation["description"]
        assert "x-bulk-rows" not in operation


# Body size ------------------------------------------------------------------------------------


def test_it_answers_413_with_a_detail_to_an_api_body_past_the_limit(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024
    body = json.dumps([{"kpi": 1, "period": Q1, "value": "1", "comment": "x" * 20_000}])

    response = api.post("/api/actuals/bulk/", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request is 20 KB; the limit is 10 KB. Send less at once."
    }
    assert not Actual.objects.exists()


def test_it_answers_413_with_a_page_to_a_form_past_the_limit(people, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024
    client = Client()
    client.force_login(people.owner)

    response = client.post("/my-updates/grid/", urlencode({"comment-1": "x" * 20_000}), FORM)

    assert response.status_code == 413
    assert "The request is 20 KB; the limit is 10 KB. Send less at once." in response.text


def test_it_answers_400_with_the_reason_to_a_form_of_too_many_fields(people, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 100
    client = Client()
    client.force_login(people.owner)

    fields = urlencode({f"value-{n}": "1" for n in range(150)})

    response = client.post("/my-updates/grid/", fields, FORM)

    assert response.status_code == 400
    assert request_limits.TOO_MANY_FIELDS.format(limit=100) in response.text


def test_the_import_page_still_explains_a_file_past_its_own_limit(people):
    client = Client()
    client.force_login(people.owner)
    big = b"kpi,period,value\n" + b"x" * (3 * 1024 * 1024)

    response = client.post("/my-updates/import/", {"file": SimpleUploadedFile("a.csv", big)})

    assert response.status_code == 200
    assert "the limit is 2048 KB" in response.content.decode()


# JSON nesting ---------------------------------------------------------------------------------


WRITE_ENDPOINTS = [
    ("post", "/api/actuals/bulk/"),
    ("post", "/api/targets/bulk/"),
    ("post", "/api/objectives/"),
    ("post", "/api/kpis/"),
    ("post", "/api/reviews/"),
    ("patch", "/api/actuals/{actual}/"),
    ("patch", "/api/kpis/{kpi}/"),
]


@pytest.mark.parametrize(("method", "url"), WRITE_ENDPOINTS)
def test_it_refuses_json_nested_a_hundred_thousand_deep_with_a_400(
    api, people, north_sales_kpi, method, url
):
    actual = kpi_services.actual_enter(
        kpi=north_sales_kpi, period=core.period_for_key(Q1), value="100", by=people.owner
    )
    url = url.format(actual=actual.pk, kpi=north_sales_kpi.pk)

    response = getattr(api, method)(url, "[" * 100_000, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON is nested more than 32 levels deep."}


def test_it_parses_json_nested_up_to_the_limit(api, settings):
    settings.SIGHTLINE_JSON_MAX_DEPTH = 3
    nested_in_strings = json.dumps([{"kpi": 1, "period": "[[[[{{{{", "value": {"a": "]]]"}}])

    response = api.post("/api/actuals/bulk/", nested_in_strings, content_type="application/json")

    assert response.status_code == 400
    assert "nested" not in json.dumps(response.json())
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("body", "deep"),
    [
        (b"[]", False),
        (b"[[[]]]", False),
        (b"[[[[]]]]", True),
        (b'["[[[[[[", {"k": "\\"[[[[[["}]', False),
        (b'{"a": {"b": {"c": {"d": 1}}}}', True),
        # Not JSON at all: the string runs to the end, and the parser refuses the body.
        (b'"unterminated [[[[[[', False),
        (b'[[[[ "unterminated', True),
    ],
)
def test_it_counts_brackets_outside_strings_only(body, deep):
    assert request_limits.json_depth_exceeds(body, 3) is deep


@pytest.mark.parametrize(
    "body",
    [
        b"[]" * 1_500_000,
        b"[" * 3_000_000,
        b'"\\"' * 1_000_000 + b"[" * 40,
        b'"\\' * 1_000_000 + b"[" * 40,
    ],
    ids=["flat pairs", "deep", "many strings", "one unterminated string"],
)
def test_it_counts_a_body_of_megabytes_in_linear_time(body):
    # About half a microsecond a string: a 4 MB body of tiny strings takes a second at worst.
    started = time.perf_counter()
    request_limits.json_depth_exceeds(body, 32)
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("kpi", [{}, [], [1], 2**70, -1, True, 1.5, "x"])
@pytest.mark.parametrize("url", BULK_ENDPOINTS)
def test_it_answers_a_bulk_row_naming_its_kpi_by_anything_but_an_id_with_a_field_error(
    api, url, kpi
):
    # Schemathesis found `"kpi": {}` answered 500: the rows' KPIs are read at once, by id.
    response = api.post(url, [{"kpi": kpi, "period": Q1, "value": "1"}], format="json")

    assert response.status_code == 400
    assert "kpi" in json.dumps(response.json())
    assert not Actual.objects.exists() and not Target.objects.filter(value=1).exists()
