"""The targets grid of the editor and the roll-forward of a year's targets into the next.

North holds "Grow north revenue" measured by "Revenue" (USD, higher is better, tolerance
10 %) and "Returns" (%, lower is better). The fiscal year is the calendar year."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from kpis import services as kpi_services
from kpis.editor.views import targets as editor_targets
from kpis.models import Target
from kpis.scoring import RED_FLAG_ON_GOOD_SIDE, ZERO_TARGET_NEEDS_RED_FLAG
from kpis.services import NOT_A_NUMBER
from scorecard import selectors as core_selectors
from scorecard import services as core
from strategy import services as strategy_services


@pytest.fixture
def kpis(org, financial):
    objective = strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow north revenue"
    )
    revenue = kpi_services.kpi_create(objective=objective, name="Revenue", unit="USD")
    returns = kpi_services.kpi_create(
        objective=objective, name="Returns", unit="%", direction="down"
    )
    return revenue, returns


def grid_url(org, year):
    return f"{reverse('editor:targets', args=[org.north.slug])}?year={year}"


def targets_of(kpi, year):
    rows = Target.objects.filter(kpi=kpi, period__fiscal_year=year).order_by("period__quarter")
    return [(t.period.quarter, t.value, t.red_flag) for t in rows]


def test_it_shows_stored_targets_and_where_the_red_flag_lies(client, org, people, kpis):
    revenue, returns = kpis
    kpi_services.target_set(kpi=revenue, period=core.period_for_key("FY2026-Q1"), value=200)
    kpi_services.target_set(kpi=returns, period=core.period_for_key("FY2026-Q2"), value=4)
    client.force_login(people.north_manager)

    page = client.get(grid_url(org, 2026)).content.decode()

    assert f'name="target-{revenue.pk}-2026-1" value="200"' in page
    # 200 − 10 % of 200 for "higher is better"; 4 + 10 % of 4 for "lower is better".
    assert "red below 180" in page
    assert "red above 4.4" in page


def test_it_saves_a_pasted_column_and_clears_an_emptied_cell(client, org, people, kpis):
    revenue, returns = kpis
    kpi_services.target_set(kpi=returns, period=core.period_for_key("FY2026-Q4"), value=3)
    client.force_login(people.north_manager)

    response = client.post(
        grid_url(org, 2026),
        {
            f"target-{revenue.pk}-2026-1": "100",
            f"target-{revenue.pk}-2026-2": "105",
            f"red-{revenue.pk}-2026-2": "95",
            f"target-{returns.pk}-2026-1": "5",
            f"target-{returns.pk}-2026-4": "",
        },
    )

    assert response.status_code == 302
    assert targets_of(revenue, 2026) == [
        (1, Decimal("100"), None),
        (2, Decimal("105"), Decimal("95")),
    ]
    assert targets_of(returns, 2026) == [(1, Decimal("5"), None)]


@pytest.mark.parametrize(
    ("value", "red_flag", "message"),
    [
        ("100", "110", RED_FLAG_ON_GOOD_SIDE),
        ("0", "", ZERO_TARGET_NEEDS_RED_FLAG),
        ("lots", "", NOT_A_NUMBER),
    ],
)
def test_it_refuses_a_bad_cell_and_saves_nothing_of_the_grid(
    client, org, people, kpis, value, red_flag, message
):
    revenue, returns = kpis
    client.force_login(people.north_manager)

    response = client.post(
        grid_url(org, 2026),
        {
            f"target-{returns.pk}-2026-1": "5",
            f"target-{revenue.pk}-2026-3": value,
            f"red-{revenue.pk}-2026-3": red_flag,
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert escape(message) in page
    assert escape(editor_targets.GRID_REFUSED) in page
    # What was typed stays in the grid.
    assert f'name="target-{revenue.pk}-2026-3" value="{value}"' in page
    assert not Target.objects.exists()


@pytest.mark.parametrize("persona", ["owner", "executive", "south_team_manager", "outsider"])
def test_it_refuses_the_grid_to_all_but_managers(client, org, people, kpis, persona):
    revenue, _ = kpis
    client.force_login(getattr(people, persona))

    response = client.post(grid_url(org, 2026), {f"target-{revenue.pk}-2026-1": "100"})

    assert response.status_code == 403
    assert client.get(grid_url(org, 2026)).status_code == 403
    assert not Target.objects.exists()


def test_it_rolls_targets_forward_grown_and_keeps_targets_already_set(client, org, people, kpis):
    revenue, _ = kpis
    for quarter, value in ((1, 100), (2, 110), (3, 120), (4, 130)):
        kpi_services.target_set(
            kpi=revenue,
            period=core.period_for_key(f"FY2026-Q{quarter}"),
            value=value,
            red_flag=value - 20,
        )
    kpi_services.target_set(kpi=revenue, period=core.period_for_key("FY2027-Q1"), value=150)
    client.force_login(people.north_manager)

    response = client.post(
        reverse("editor:roll_forward", args=[org.north.slug]), {"year": "2026", "grow_pct": "10"}
    )

    assert response.status_code == 302
    assert response["Location"].endswith("?year=2027")
    # Each FY2026 quarter × 1.10: 110 → 121, 120 → 132, 130 → 143; red flags 90 → 99,
    # 100 → 110, 110 → 121. Q1 had 150 already and keeps it.
    assert targets_of(revenue, 2027) == [
        (1, Decimal("150"), None),
        (2, Decimal("121"), Decimal("99")),
        (3, Decimal("132"), Decimal("110")),
        (4, Decimal("143"), Decimal("121")),
    ]
    message = editor_targets.ROLLED_FORWARD.format(year=2026, next=2027, created=3, kept=1)
    assert message in [str(m) for m in response.wsgi_request._messages]
    # Every new target is in the history, with who did it.
    history = Target.history.filter(
        kpi_id=revenue.pk, period__fiscal_year=2027, period__quarter__gt=1
    )
    assert {h.history_user for h in history} == {people.north_manager}


def test_it_refuses_a_growth_that_is_not_a_number(client, org, people, kpis):
    revenue, _ = kpis
    kpi_services.target_set(kpi=revenue, period=core.period_for_key("FY2026-Q1"), value=100)
    client.force_login(people.north_manager)

    response = client.post(
        reverse("editor:roll_forward", args=[org.north.slug]),
        {"year": "2026", "grow_pct": "ten"},
        follow=True,
    )

    assert "Enter the growth as a number of percent" in response.content.decode()
    assert targets_of(revenue, 2027) == []


def test_it_changes_only_the_cells_a_post_carries(client, org, people, kpis):
    """Finding 9 of issue 14: a post of one cell deleted every other target of the year. A
    field that is absent is unchanged; one that is present and empty is cleared."""
    revenue, returns = kpis
    for quarter, value in [(1, 100), (2, 105), (3, 110)]:
        kpi_services.target_set(
            kpi=revenue, period=core.period_for_key(f"FY2026-Q{quarter}"), value=value
        )
    kpi_services.target_set(
        kpi=returns, period=core.period_for_key("FY2026-Q1"), value=5, red_flag=6
    )
    client.force_login(people.north_manager)

    response = client.post(
        grid_url(org, 2026),
        {f"target-{revenue.pk}-2026-2": "120", f"target-{revenue.pk}-2026-3": ""},
    )

    assert response.status_code == 302
    assert targets_of(revenue, 2026) == [(1, Decimal("100"), None), (2, Decimal("120"), None)]
    assert targets_of(returns, 2026) == [(1, Decimal("5"), Decimal("6"))]


def test_it_keeps_a_red_flag_its_post_does_not_carry(client, org, people, kpis):
    revenue, _ = kpis
    q1 = core.period_for_key("FY2026-Q1")
    kpi_services.target_set(kpi=revenue, period=q1, value=100, red_flag=80)
    client.force_login(people.north_manager)

    response = client.post(grid_url(org, 2026), {f"target-{revenue.pk}-2026-1": "110"})

    assert response.status_code == 302
    assert targets_of(revenue, 2026) == [(1, Decimal("110"), Decimal("80"))]


@pytest.mark.parametrize(
    "year", ["abc", "\x00", "1.5", "-1", str(2**70), "9" * 10_000, "\u00b2", "1900", "9999"]
)
def test_it_opens_the_year_under_way_for_a_year_it_cannot_read(client, org, people, kpis, year):
    """Issue 14: `?year=²` (a digit to `isdigit`, not to `int`) answered 500."""
    client.force_login(people.north_manager)

    response = client.get(reverse("editor:targets", args=[org.north.slug]), {"year": year})

    first, last = core_selectors.data_window()
    assert response.status_code == 200
    assert escape(editor_targets.YEAR_NOT_VALID.format(first=first, last=last)) in (
        response.content.decode()
    )
