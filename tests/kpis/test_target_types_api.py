"""Target types through the API: KPI `target_type` and `levels`, band edges and level names in
target and actual rows, level names in score rows; what does not fit answers 400 with field
errors and saves nothing."""

import pytest
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import Actual, Target
from kpis.recompute import recompute_everything
from scorecard import services as core

Q1 = "FY2026-Q1"
RATING = ["BBB", "A", "AA", "AAA"]


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def manager(people):
    return api_as(people.north_manager)


@pytest.fixture
def kpi(people, north_sales_kpi):
    """A KPI of North Sales without data yet (the fixture's KPI has a target)."""
    return kpi_services.kpi_create(
        objective=north_sales_kpi.objective, name="Credit rating", owner=people.owner
    )


def made(client, kpi, **fields):
    response = client.patch(f"/api/kpis/{kpi.pk}/", fields, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_target_type_of_a_kpi_with_data_does_not_change(manager, north_sales_kpi):
    response = manager.patch(
        f"/api/kpis/{north_sales_kpi.pk}/", {"target_type": "band"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["target_type"]


def test_a_kpi_becomes_ordinal_with_its_levels(manager, kpi):
    body = made(manager, kpi, target_type="ordinal", levels=RATING)

    assert (body["target_type"], body["levels"]) == ("ordinal", RATING)


def test_an_ordinal_kpi_without_levels_answers_400(manager, kpi):
    response = manager.patch(f"/api/kpis/{kpi.pk}/", {"target_type": "ordinal"}, format="json")

    assert response.status_code == 400
    assert "levels" in response.json()


def test_level_names_go_in_and_come_out_of_the_api(manager, people, kpi):
    made(manager, kpi, target_type="ordinal", levels=RATING)
    targets = manager.post(
        "/api/targets/bulk/",
        [{"kpi": kpi.pk, "period": Q1, "value": "AAA", "red_flag": "A"}],
        format="json",
    )
    actuals = api_as(people.owner).post(
        "/api/actuals/bulk/",
        [{"kpi": kpi.pk, "period": Q1, "value": "AA", "comment": "Outlook"}],
        format="json",
    )
    recompute_everything(period_ids=[core.period_for_key(Q1).pk])

    scores = manager.get(f"/api/scores/?period={Q1}&subject_type=kpi").json()["results"]

    assert (targets.status_code, actuals.status_code) == (200, 200), actuals.json()
    assert (Target.objects.get(kpi=kpi).value, Actual.objects.get().value) == (3, 2)
    row = next(row for row in scores if row["subject_id"] == kpi.pk)
    # Positions 2 against target 3 and red flag 1: (10/3)(1 + 1/2) = 5.
    assert (row["value"], row["score"], row["status"]) == ("AA", "5.000000", "amber")


def test_a_level_not_in_the_list_answers_400_and_saves_nothing(manager, kpi):
    made(manager, kpi, target_type="ordinal", levels=RATING)

    response = manager.post(
        "/api/targets/bulk/",
        [{"kpi": kpi.pk, "period": Q1, "value": "B"}],
        format="json",
    )

    assert response.status_code == 400
    assert "value" in str(response.json())
    assert not Target.objects.filter(kpi=kpi).exists()


def test_a_band_target_takes_its_high_edge(manager, kpi):
    made(manager, kpi, target_type="band")

    good = manager.post(
        "/api/targets/bulk/",
        [{"kpi": kpi.pk, "period": Q1, "value": "98", "value_high": "100"}],
        format="json",
    )
    bad = manager.post(
        "/api/targets/bulk/",
        [{"kpi": kpi.pk, "period": "FY2026-Q2", "value": "10", "value_high": "5"}],
        format="json",
    )

    assert good.status_code == 200, good.json()
    target = Target.objects.get(kpi=kpi)
    assert (target.value, target.value_high) == (98, 100)
    assert bad.status_code == 400
    assert "value_high" in str(bad.json())
    assert Target.objects.filter(kpi=kpi).count() == 1


def test_a_milestone_actual_other_than_0_or_1_answers_400(manager, people, kpi):
    made(manager, kpi, target_type="milestone")

    response = api_as(people.owner).post(
        "/api/actuals/bulk/",
        [{"kpi": kpi.pk, "period": Q1, "value": "2"}],
        format="json",
    )

    assert response.status_code == 400
    assert "value" in str(response.json())
    assert not Actual.objects.exists()


def test_a_word_for_a_kpi_of_numbers_answers_400(manager, people, kpi):
    response = api_as(people.owner).post(
        "/api/actuals/bulk/",
        [{"kpi": kpi.pk, "period": Q1, "value": "AA"}],
        format="json",
    )

    assert response.status_code == 400
    assert "value" in str(response.json())
