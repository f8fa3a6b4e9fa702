"""The editor's targets grid at each KPI's frequency (issue 15): a monthly KPI gets the
twelve months of the fiscal year, a yearly one the year; a band KPI a high edge and its red
flag; an ordinal KPI level selects; a tracked KPI is not asked. The fiscal year is the
calendar year; North's manager edits North's scorecard."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kpis import services as kpi_services
from kpis.models import Target
from scorecard import services as core
from strategy import services as strategy_services


@pytest.fixture
def objective(org, financial):
    return strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Run a tight ship"
    )


@pytest.fixture
def kinds(objective):
    def make(name, **fields):
        return kpi_services.kpi_create(objective=objective, name=name, **fields)

    return {
        "monthly": make("Orders shipped", frequency="month"),
        "yearly": make("Staff survey score", frequency="year"),
        "band": make("Budget adherence", unit="%", target_type="band"),
        "rating": make("Credit rating", target_type="ordinal", levels=["BBB", "A", "AA", "AAA"]),
        "tracked": make("Headcount", target_type="track"),
    }


def grid_url(org, year=2026):
    return f"{reverse('editor:targets', args=[org.north.slug])}?year={year}"


def test_it_lays_each_kpi_out_at_its_own_frequency(client, org, people, kinds):
    client.force_login(people.north_manager)

    page = client.get(grid_url(org)).content.decode()

    monthly, yearly = kinds["monthly"], kinds["yearly"]
    # Twelve months for the monthly KPI, January to December 2026; no quarter for it.
    for month in range(1, 13):
        assert f'name="target-{monthly.pk}-2026-{month:02d}"' in page
    assert f'name="target-{monthly.pk}-2026-1"' not in page
    assert "Jan 2026 target" in page and "Dec 2026 target" in page
    # The yearly KPI gets the year alone.
    assert f'name="target-{yearly.pk}-FY2026"' in page
    assert f'name="target-{yearly.pk}-2026-1"' not in page
    assert "Monthly KPIs" in page and "Yearly KPIs" in page and "Quarterly KPIs" in page


def test_it_asks_a_band_for_its_high_edge_and_an_ordinal_kpi_for_levels(client, org, people, kinds):
    client.force_login(people.north_manager)

    page = client.get(grid_url(org)).content.decode()

    band, rating = kinds["band"], kinds["rating"]
    assert f'name="high-{band.pk}-2026-1"' in page
    assert f'name="redhigh-{band.pk}-2026-1"' in page
    assert f'<select id="target-{rating.pk}-2026-1" name="target-{rating.pk}-2026-1"' in page
    assert '<option value="AA">AA</option>' in page
    # Other KPIs have no high edge.
    assert f'name="high-{kinds["monthly"].pk}-' not in page


def test_it_does_not_ask_a_tracked_kpi_for_targets(client, org, people, kinds):
    client.force_login(people.north_manager)

    page = client.get(grid_url(org)).content.decode()

    assert f'name="target-{kinds["tracked"].pk}-' not in page
    assert "Headcount" not in page


def test_it_saves_a_months_target_a_years_target_a_band_and_a_level(client, org, people, kinds):
    client.force_login(people.north_manager)
    monthly, yearly, band, rating = (kinds[k] for k in ("monthly", "yearly", "band", "rating"))

    response = client.post(
        grid_url(org),
        {
            "year": "2026",
            f"target-{monthly.pk}-2026-03": "120",
            f"target-{yearly.pk}-FY2026": "4.2",
            f"target-{band.pk}-2026-1": "98",
            f"high-{band.pk}-2026-1": "100",
            f"red-{band.pk}-2026-1": "95",
            f"redhigh-{band.pk}-2026-1": "103",
            f"target-{rating.pk}-2026-2": "AA",
            f"red-{rating.pk}-2026-2": "BBB",
        },
    )

    assert response.status_code == 302
    assert [(t.period.key, t.value) for t in Target.objects.filter(kpi=monthly)] == [
        ("2026-03", Decimal("120"))
    ]
    assert [(t.period.key, t.value) for t in Target.objects.filter(kpi=yearly)] == [
        ("FY2026", Decimal("4.2"))
    ]
    edges = Target.objects.get(kpi=band)
    assert (edges.value, edges.value_high, edges.red_flag, edges.red_flag_high) == (
        Decimal("98"),
        Decimal("100"),
        Decimal("95"),
        Decimal("103"),
    )
    level = Target.objects.get(kpi=rating)
    # AA and BBB are the third and the first level, worst first: positions 2 and 0.
    assert (level.period.key, level.value, level.red_flag) == ("FY2026-Q2", 2, 0)


def test_it_shows_a_bands_zones_and_its_stored_edges(client, org, people, kinds):
    band = kinds["band"]
    kpi_services.target_set(
        kpi=band, period=core.period_for_key("FY2026-Q1"), value="98", value_high="100"
    )
    client.force_login(people.north_manager)

    page = client.get(grid_url(org)).content.decode()

    assert f'name="high-{band.pk}-2026-1" value="100"' in page
    # The default tolerance (10 %) of each edge: 98 − 9.8 = 88.2 and 100 + 10 = 110.
    assert "green 98–100, amber 88.2–98 or 100–110, red below 88.2 or above 110" in page


def test_it_refuses_a_band_whose_low_edge_is_above_its_high_edge_and_saves_nothing(
    client, org, people, kinds
):
    client.force_login(people.north_manager)
    band, monthly = kinds["band"], kinds["monthly"]

    response = client.post(
        grid_url(org),
        {
            "year": "2026",
            f"target-{monthly.pk}-2026-03": "120",
            f"target-{band.pk}-2026-1": "100",
            f"high-{band.pk}-2026-1": "98",
        },
    )

    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert not Target.objects.exists()


# 1 session, 2 user, 3 the scorecard with its unit, 4 memberships, 5 and 6 settings, 7 KPIs
# with objective and perspective, 8 the year's targets of every grain with their periods,
# 9 bell: as test_query_counts pins for quarterly KPIs.
GRID_QUERIES = 9


@pytest.mark.parametrize("count", [2, 20])
def test_it_holds_a_fixed_number_of_queries_for_monthly_and_band_kpis(
    client, org, people, objective, django_assert_num_queries, count
):
    march = core.period_for_key("2026-03")
    for number in range(count):
        monthly = kpi_services.kpi_create(
            objective=objective, name=f"Monthly {number}", frequency="month"
        )
        kpi_services.target_set(kpi=monthly, period=march, value="10")
        kpi_services.kpi_create(objective=objective, name=f"Band {number}", target_type="band")
    client.force_login(people.north_manager)

    with django_assert_num_queries(GRID_QUERIES):
        page = client.get(grid_url(org)).content.decode()

    assert page.count('class="grid-row"') == 2 * count
