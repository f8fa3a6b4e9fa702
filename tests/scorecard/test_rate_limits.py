"""Issue 14, "What to build" item 6: per-person limits on expensive work. Each test lowers the
setting; the defaults are generous enough for the suite and the browser journeys."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.scorecard.test_settings import run_manage


def limits(settings, **rates):
    settings.SIGHTLINE_RATE_LIMITS = settings.SIGHTLINE_RATE_LIMITS | rates


def assert_too_many_page(response, work):
    assert response.status_code == 429
    html = response.content.decode()
    assert f"You asked for {work} too often: try again in" in html
    assert 'class="topbar"' in html  # inside the layout
    assert 1 <= int(response["Retry-After"]) <= 60


@pytest.mark.django_db
def test_it_limits_explanations_per_person(client, settings, org, people):
    limits(settings, explanation="2/m")
    scorecard = org.north.scorecard
    url = reverse("kpis:explanation", args=[org.north.slug, "scorecard", scorecard.pk])
    client.force_login(people.north_manager)

    answers = [client.get(url).status_code for _ in range(2)]
    refused = client.get(url)

    assert answers == [200, 200]
    assert_too_many_page(refused, "score explanations")
    # Another person has a budget of their own.
    client.force_login(people.manager)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["kpis:export", "kpis:template"])
def test_it_limits_exports(client, settings, org, people, name):
    limits(settings, export="1/m")
    url = reverse(name, args=[org.north_sales.slug])
    client.force_login(people.owner)

    assert client.get(url).status_code == 200
    assert_too_many_page(client.get(url), "exports")


@pytest.mark.django_db
def test_it_limits_import_previews_not_the_import_page(client, settings, people):
    limits(settings, **{"import": "1/m"})
    url = reverse("kpis:import")
    client.force_login(people.owner)

    assert client.post(url, {}).status_code == 200  # a preview asked for (no file: refused)
    assert client.get(url).status_code == 200  # reading the page costs nothing
    assert_too_many_page(client.post(url, {}), "imports")
    assert_too_many_page(client.post(reverse("kpis:import_confirm")), "imports")


@pytest.mark.pdf
@pytest.mark.django_db
def test_it_limits_pdf_packs(client, settings, org, people):
    limits(settings, pdf="1/m")
    url = reverse("dashboard:pack_pdf", args=[org.north.slug]) + "?period=FY2026-Q1"
    client.force_login(people.north_manager)

    assert client.get(url)["Content-Type"] == "application/pdf"
    assert_too_many_page(client.get(url), "PDF packs")
    # The pack's page is not a PDF and stays open.
    pack = reverse("dashboard:pack", args=[org.north.slug]) + "?period=FY2026-Q1"
    assert client.get(pack).status_code == 200


@pytest.mark.django_db
def test_the_api_limits_explanations_with_a_json_detail(settings, org, people):
    limits(settings, explanation="2/m")
    api = APIClient()
    api.force_authenticate(people.north_manager)
    query = {
        "scorecard": org.north.scorecard.pk,
        "subject_type": "scorecard",
        "period": "FY2026-Q1",
    }

    first = [api.get("/api/scores/explain/", query).status_code for _ in range(2)]
    refused = api.get("/api/scores/explain/", query)

    assert 429 not in first
    assert refused.status_code == 429
    assert "Request was throttled. Expected available in" in refused.json()["detail"]
    assert int(refused["Retry-After"]) <= 60


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/actuals/bulk/", "/api/targets/bulk/"])
def test_the_api_limits_bulk_imports(settings, people, path):
    limits(settings, **{"import": "1/m"})
    api = APIClient()
    api.force_authenticate(people.owner)

    assert api.post(path, [], format="json").status_code != 429
    assert api.post(path, [], format="json").status_code == 429


def test_the_default_rates_are_generous():
    from django.conf import settings

    per_minute = {scope: int(rate.split("/")[0]) for scope, rate in
                  settings.SIGHTLINE_RATE_LIMITS.items() if rate.endswith("/m")}  # fmt: skip
    assert per_minute == {"pdf": 30, "export": 30, "explanation": 120, "import": 30}


def test_rate_limits_are_shared_by_every_worker_through_redis():
    show = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"

    with_redis = run_manage("shell", "-c", show, REDIS_URL="redis://127.0.0.1:6379/3")
    without = run_manage("shell", "-c", show)

    assert with_redis.stdout.strip().endswith("django.core.cache.backends.redis.RedisCache")
    assert without.stdout.strip().endswith("django.core.cache.backends.locmem.LocMemCache")


def test_it_refuses_a_rate_it_cannot_read():
    result = run_manage("check", SIGHTLINE_RATE_PDF="lots")

    assert result.returncode != 0
    assert "SIGHTLINE_RATE_PDF='lots' is not a rate" in result.stderr
