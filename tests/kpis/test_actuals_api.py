"""The actuals API: list with filters, PATCH with optimistic concurrency, history."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import Actual
from scorecard import services as core
from scorecard.rules import forget_grants

Q1 = "FY2026-Q1"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def actual(people, north_sales_kpi):
    return kpi_services.actual_enter(
        kpi=north_sales_kpi, period=core.period_for_key(Q1), value="95", by=people.owner
    )


def patch(api, actual, **data):
    return api.patch(f"/api/actuals/{actual.pk}/", data, format="json")


def test_it_lists_actuals_with_their_fields_and_filters_by_kpi_and_period(
    api, people, north_sales_kpi, actual
):
    kpi_services.actual_enter(
        kpi=north_sales_kpi, period=core.period_for_key("FY2025-Q4"), value="90", by=people.owner
    )
    api.force_authenticate(people.executive)

    body = api.get("/api/actuals/", {"kpi": north_sales_kpi.pk, "period": Q1}).json()

    assert body["count"] == 1
    row = body["results"][0]
    assert {k: row[k] for k in ("id", "kpi", "period", "value", "comment", "version")} == {
        "id": actual.pk,
        "kpi": north_sales_kpi.pk,
        "period": Q1,
        "value": "95.000000",
        "comment": "",
        "version": 1,
    }
    assert row["entered_by"] == "owner"
    assert row["entered_at"]
    assert api.get("/api/actuals/").json()["count"] == 2


def test_it_refuses_a_bad_period_filter(api, people, actual):
    api.force_authenticate(people.executive)

    response = api.get("/api/actuals/", {"period": "soon"})

    assert response.status_code == 400
    assert response.json() == {
        "period": ['Unknown period "soon": use the form 2026-03, FY2026-Q3 or FY2026.']
    }


def test_it_hides_actuals_of_units_the_caller_cannot_see(api, people, actual):
    api.force_authenticate(people.south_team_manager)

    assert api.get("/api/actuals/").json()["count"] == 0
    assert api.get(f"/api/actuals/{actual.pk}/").status_code == 404


def test_it_patches_an_actual_based_on_the_current_version(api, people, actual):
    api.force_authenticate(people.owner)

    response = patch(api, actual, value="97", comment="Late invoice", version=1)

    assert response.status_code == 200
    assert (response.json()["value"], response.json()["version"]) == ("97.000000", 2)
    actual.refresh_from_db()
    assert (actual.value, actual.comment, actual.source) == (Decimal("97"), "Late invoice", "api")


def test_it_answers_409_with_the_current_value_when_the_version_is_stale(api, people, actual):
    kpi_services.actual_enter(
        kpi=actual.kpi, period=actual.period, value="96", by=people.north_manager
    )
    api.force_authenticate(people.owner)

    response = patch(api, actual, value="97", version=1)

    assert response.status_code == 409
    assert response.json()["current"]["value"] == "96.000000"
    assert response.json()["current"]["version"] == 2
    assert response.json()["detail"].startswith("Someone else saved this actual")
    assert Actual.objects.get(pk=actual.pk).value == Decimal("96")


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"value": "97"}, {"version": ["This field is required."]}),
        ({"value": "NaN", "version": 1}, {"value": ["Enter a number, like 1234.5."]}),
        ({"value": "1,234", "version": 1},
         {"value": ['"1,234" is ambiguous: write 1234 or 1.234 (a point for decimals, no '
                    "thousands comma)."]}),
        ({"value": "80", "version": 1}, {"comment": [kpi_services.RED_NEEDS_COMMENT]}),
    ],
)  # fmt: skip
def test_it_refuses_bad_input_and_changes_nothing(api, people, actual, data, errors):
    api.force_authenticate(people.owner)

    response = patch(api, actual, **data)

    assert response.status_code == 400
    assert response.json() == errors
    assert Actual.objects.get(pk=actual.pk).version == 1


def test_it_lets_the_manager_patch_and_refuses_every_other_role(api, people, actual):
    other = kpi_services.kpi_create(
        objective=actual.kpi.objective, name="Deals won", owner=people.north_manager
    )
    theirs = kpi_services.actual_enter(kpi=other, period=actual.period, value="3")
    for persona, expected in [("owner", 403), ("executive", 403), ("outsider", 404)]:
        api.force_authenticate(getattr(people, persona))
        assert patch(api, theirs, value="4", version=1).status_code == expected, persona
    assert Actual.objects.get(pk=theirs.pk).value == Decimal("3")

    api.force_authenticate(people.manager)
    assert patch(api, theirs, value="4", version=1).status_code == 200
    theirs.refresh_from_db()
    assert (theirs.value, theirs.version) == (Decimal("4"), 2)


def test_it_refuses_anonymous_callers(api, actual):
    assert patch(api, actual, value="1", version=1).status_code == 401
    assert Actual.objects.get(pk=actual.pk).value == Decimal("95")


def test_it_shows_the_history_of_an_actual(api, people, actual):
    api.force_authenticate(people.owner)
    patch(api, actual, value="97", comment="Late invoice", version=1)

    history = api.get(f"/api/actuals/{actual.pk}/history/").json()

    assert [(h["old"], h["new"], h["who"], h["comment"], h["version"]) for h in history] == [
        ("95.000000", "97.000000", "owner", "Late invoice", 2),
        (None, "95.000000", "owner", "", 1),
    ]


def test_it_refuses_the_bulk_endpoint_for_another_owners_kpi(api, people, north_sales_kpi):
    other = kpi_services.kpi_create(
        objective=north_sales_kpi.objective, name="Deals won", owner=people.north_manager
    )
    api.force_authenticate(people.owner)

    response = api.post(
        "/api/actuals/bulk/",
        [
            {"kpi": north_sales_kpi.pk, "period": Q1, "value": "95"},
            {"kpi": other.pk, "period": Q1, "value": "3"},
        ],
        format="json",
    )

    assert response.status_code == 403
    assert not Actual.objects.exists()


# 1 the caller's memberships, 2 the count, 3 the page of actuals (with period and who
# entered them). force_authenticate needs no session or user query.
LIST_QUERIES = 3


@pytest.mark.parametrize("quarters", [1, 10])
def test_it_lists_in_a_fixed_number_of_queries(
    api, people, north_sales_kpi, django_assert_num_queries, quarters
):
    period = core.period_for_key(Q1)
    for _ in range(quarters):
        kpi_services.actual_enter(kpi=north_sales_kpi, period=period, value="95")
        period = core.period_for_key(f"FY{period.fiscal_year - 1}-Q{period.quarter}")
    forget_grants(people.owner)
    api.force_authenticate(people.owner)

    with django_assert_num_queries(LIST_QUERIES):
        body = api.get("/api/actuals/").json()

    assert body["count"] == quarters
