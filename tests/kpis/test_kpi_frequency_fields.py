"""A KPI's frequency and time aggregation, chosen in the editor and through the API (issue 15,
item 2 and the API contract). A KPI with actuals or targets keeps its frequency: its data was
entered for periods of that grain."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import KPI
from kpis.services.changes import FREQUENCY_WITH_DATA
from strategy import services as strategy_services


@pytest.fixture
def north_goal(org, financial):
    return strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow north revenue"
    )


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def kpi_form(**overrides):
    return {
        "name": "Orders shipped",
        "unit": "",
        "decimals": "0",
        "direction": "up",
        "owner": "",
        "owning_team": "",
        "source": "manual",
        "rolls_up_to": "",
        "rollup_method": "",
    } | overrides


def test_the_editor_adds_a_monthly_kpi_that_sums_its_months(client, org, people, north_goal):
    client.force_login(people.north_manager)

    client.post(
        reverse("editor:kpi_add", args=[org.north.slug, north_goal.pk]),
        kpi_form(frequency="month", time_aggregation="sum"),
    )

    kpi = KPI.objects.get(objective=north_goal)
    assert (kpi.frequency, kpi.time_aggregation) == ("month", "sum")


def test_the_editor_keeps_both_when_the_form_leaves_them_out(client, org, people, north_goal):
    kpi = kpi_services.kpi_create(
        objective=north_goal, name="Orders shipped", frequency="year", time_aggregation="max"
    )
    client.force_login(people.north_manager)

    client.post(
        reverse("editor:kpi_edit", args=[org.north.slug, kpi.pk]),
        kpi_form(name="Orders shipped on time"),
    )

    kpi.refresh_from_db()
    assert (kpi.name, kpi.frequency, kpi.time_aggregation) == (
        "Orders shipped on time",
        "year",
        "max",
    )


def test_a_new_milestone_in_the_editor_combines_its_periods_by_the_last(
    client, org, people, north_goal
):
    client.force_login(people.north_manager)

    client.post(
        reverse("editor:kpi_add", args=[org.north.slug, north_goal.pk]),
        kpi_form(target_type="milestone", frequency="month", time_aggregation=""),
    )

    kpi = KPI.objects.get(objective=north_goal)
    assert (kpi.target_type, kpi.time_aggregation) == ("milestone", "last")


def test_the_editor_refuses_a_frequency_change_on_a_kpi_with_data(
    client, org, people, north_sales_kpi
):
    client.force_login(people.north_manager)

    response = client.post(
        reverse("editor:kpi_edit", args=[org.north_sales.slug, north_sales_kpi.pk]),
        kpi_form(name=north_sales_kpi.name, frequency="month"),
    )

    north_sales_kpi.refresh_from_db()
    assert north_sales_kpi.frequency == "quarter"
    assert FREQUENCY_WITH_DATA.format(frequency="quarterly") in response.content.decode()


def test_the_api_shows_and_changes_both_on_a_kpi_without_data(people, north_goal):
    kpi = kpi_services.kpi_create(objective=north_goal, name="Orders shipped")
    manager = api_as(people.north_manager)

    before = manager.get(f"/api/kpis/{kpi.pk}/").json()
    response = manager.patch(
        f"/api/kpis/{kpi.pk}/", {"frequency": "month", "time_aggregation": "sum"}, format="json"
    )

    assert (before["frequency"], before["time_aggregation"]) == ("quarter", "average")
    assert response.status_code == 200, response.json()
    assert (response.json()["frequency"], response.json()["time_aggregation"]) == ("month", "sum")


def test_the_api_refuses_a_frequency_change_on_a_kpi_with_data(people, north_sales_kpi):
    response = api_as(people.north_manager).patch(
        f"/api/kpis/{north_sales_kpi.pk}/", {"frequency": "year"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"frequency": [FREQUENCY_WITH_DATA.format(frequency="quarterly")]}
    north_sales_kpi.refresh_from_db()
    assert north_sales_kpi.frequency == "quarter"


@pytest.mark.parametrize(
    ("field", "value"),
    [("frequency", "week"), ("frequency", 3), ("time_aggregation", "median"), ("frequency", "")],
)
def test_the_api_refuses_values_outside_the_lists(people, north_sales_kpi, field, value):
    response = api_as(people.north_manager).patch(
        f"/api/kpis/{north_sales_kpi.pk}/", {field: value}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
