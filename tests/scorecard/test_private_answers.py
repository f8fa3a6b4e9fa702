"""Issue 14, finding 12: what a signed-in person reads is kept by no cache, and the API's
schema and docs need a signed-in caller (the schema also by token, as schemathesis reads it)."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

PRIVATE = {"private", "no-store"}


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


@pytest.fixture
def signed_in(client, people):
    client.force_login(people.north_manager)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["scorecard:home", "kpis:my_updates", "dashboard:home", "reviews:notifications"],
)
def test_every_page_for_a_signed_in_person_is_private(signed_in, name):
    response = signed_in.get(reverse(name))

    assert response.status_code == 200
    assert cache_control(response) >= PRIVATE


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["kpis:export", "kpis:template"])
def test_exports_are_private(signed_in, org, name):
    url = reverse(name, args=[org.north.slug])
    if name == "kpis:export":
        url += "?first=FY2026-Q1&last=FY2026-Q1&format=csv"

    response = signed_in.get(url)

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert cache_control(response) >= PRIVATE


@pytest.mark.pdf
@pytest.mark.django_db
def test_pdf_packs_are_private(signed_in, org):
    url = reverse("dashboard:pack_pdf", args=[org.north.slug]) + "?period=FY2026-Q1"

    response = signed_in.get(url)

    assert response["Content-Type"] == "application/pdf"
    assert cache_control(response) >= PRIVATE


@pytest.mark.django_db
def test_the_api_is_private_signed_in_by_token(people):
    token = Token.objects.create(user=people.north_manager)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api.get("/api/org-units/")

    assert response.status_code == 200
    assert cache_control(response) >= PRIVATE


@pytest.mark.django_db
def test_answers_to_anonymous_callers_are_left_alone(client):
    assert "no-store" not in cache_control(client.get("/healthz"))


def test_static_files_are_answered_before_and_stay_cacheable():
    from django.conf import settings

    middleware = settings.MIDDLEWARE
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < middleware.index(
        "scorecard.middleware.private_to_the_signed_in"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_the_schema_and_docs_refuse_anonymous_callers(client, path):
    response = client.get(path)

    assert response.status_code in (401, 403)
    assert b"openapi" not in response.content


@pytest.mark.django_db
def test_the_schema_answers_a_token_as_schemathesis_sends_it(people):
    token = Token.objects.create(user=people.admin)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api.get("/api/schema/")

    assert response.status_code == 200
    assert b"openapi" in response.content


@pytest.mark.django_db
def test_the_docs_open_for_a_signed_in_person(signed_in):
    assert signed_in.get("/api/docs/").status_code == 200
    assert signed_in.get("/api/schema/").status_code == 200


@pytest.mark.django_db
def test_the_schema_can_be_made_public_again(client, settings):
    settings.SIGHTLINE_API_DOCS_NEED_SIGN_IN = False

    assert client.get("/api/schema/").status_code == 200
