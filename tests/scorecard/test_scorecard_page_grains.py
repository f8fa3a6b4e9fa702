"""The scorecard page at every grain (issue 15; DESIGN.md section 4, "Frequencies and periods
of every length"), with hand-worked numbers.

A monthly KPI "Orders" (direction up, tolerance 10 %, time aggregation sum) of North Sales:
- January 2026: actual 85, target 100 with its red flag at 80;
- February: actual 120, target 110 (default red flag 110 − 11 = 99);
- March: a target of 100 and no actual (does not count).
FY2026-Q1 therefore counts January and February ("2 of 3 months"): actual 85 + 120 = 205,
target 100 + 110 = 210, red flag 80 + 99 = 179, score (10/3)·(1 + 26/31) = 6.1, amber.
The year FY2026 holds the same two months: "2 of 12 months", the year to date.

A yearly KPI "Audit findings closed" has FY2025 actual 40 against 50: in FY2026-Q1 it shows
FY2025, its last ended year, with that value (and FY2026 itself only in FY2026-Q4 or the
year view)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis import services as kpi_services
from kpis.recompute import recompute_everything
from scorecard import selectors


@pytest.fixture(autouse=True)
def in_the_summer(time_machine):
    time_machine.move_to("2026-07-15 12:00Z", tick=False)


@pytest.fixture
def monthly(north_sales_kpi, people):
    kpi = kpi_services.kpi_create(
        objective=north_sales_kpi.objective,
        name="Orders",
        owner=people.owner,
        frequency="month",
        time_aggregation="sum",
        decimals=0,
    )
    for key, target, red_flag, actual in [
        ("2026-01", "100", "80", "85"),
        ("2026-02", "110", None, "120"),
        ("2026-03", "100", None, None),
    ]:
        period = selectors.period_lookup(key)
        kpi_services.target_set(
            kpi=kpi,
            period=period,
            value=Decimal(target),
            red_flag=Decimal(red_flag) if red_flag else None,
        )
        if actual:
            kpi_services.actual_enter(
                kpi=kpi, period=selectors.period_lookup(key), value=Decimal(actual), by=people.owner
            )
    return kpi


@pytest.fixture
def yearly(north_sales_kpi, people):
    kpi = kpi_services.kpi_create(
        objective=north_sales_kpi.objective,
        name="Audit findings closed",
        owner=people.owner,
        frequency="year",
        decimals=0,
    )
    fy2025 = selectors.period_lookup("FY2025")
    kpi_services.target_set(kpi=kpi, period=fy2025, value=Decimal("50"))
    kpi_services.actual_enter(
        kpi=kpi, period=fy2025, value=Decimal("40"), by=people.owner, comment="Two audits late."
    )
    return kpi


def row_of(client, unit, period_key, kpi) -> str:
    url = reverse("scorecard:scorecard", args=[unit.slug])
    body = client.get(f"{url}?period={period_key}").content.decode()
    match = re.search(rf'<tr class="kpi" data-kpi="{kpi.pk}">(.*?)</tr>', body, re.S)
    assert match, f"no row for {kpi.name} in {period_key}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_a_quarter_shows_a_monthly_kpi_folded_from_the_months_that_count(
    client, org, people, monthly
):
    recompute_everything()
    client.force_login(people.north_manager)

    row = row_of(client, org.north_sales, "FY2026-Q1", monthly)

    assert "Orders monthly" in row
    assert "210 205 6.1 At risk" in row
    assert "2 of 3 months" in row


def test_the_year_shows_the_monthly_kpi_to_date(client, org, people, monthly):
    recompute_everything()
    client.force_login(people.north_manager)

    row = row_of(client, org.north_sales, "FY2026", monthly)

    assert "210 205 6.1 At risk" in row
    assert "2 of 12 months" in row
    assert "so far" in row  # FY2026 runs until December


def test_a_month_shows_the_monthly_kpi_as_entered(client, org, people, monthly):
    recompute_everything()
    client.force_login(people.north_manager)

    row = row_of(client, org.north_sales, "2026-01", monthly)

    # January alone: (10/3)·(1 + 5/20) = 4.2, amber; no coverage at its own frequency.
    assert "100 85 4.2 At risk" in row
    assert "of 3 months" not in row


def test_a_quarter_shows_a_yearly_kpi_with_its_last_ended_year(client, org, people, yearly):
    recompute_everything()
    client.force_login(people.north_manager)

    row = row_of(client, org.north_sales, "FY2026-Q1", yearly)

    # 40 against 50 with the default red flag 45: below it, red, score 0.
    assert "50 40 0.0 Off target FY2025" in row
    assert "so far" not in row


def test_the_page_holds_its_query_count_with_kpis_of_every_frequency(
    client, org, people, monthly, yearly, django_assert_max_num_queries
):
    recompute_everything()
    client.force_login(people.north_manager)
    url = reverse("scorecard:scorecard", args=[org.north_sales.slug])
    client.get(f"{url}?period=FY2026-Q1")  # warm the per-process caches

    with django_assert_max_num_queries(30) as counted:
        client.get(f"{url}?period=FY2026-Q1")

    for number in range(10):
        kpi_services.kpi_create(
            objective=monthly.objective,
            name=f"More orders {number}",
            frequency="month" if number % 2 else "year",
        )
    with django_assert_max_num_queries(len(counted.captured_queries)):
        client.get(f"{url}?period=FY2026-Q1")


def test_a_band_an_ordinal_and_a_milestone_read_in_words(client, org, people, north_sales_kpi):
    objective = north_sales_kpi.objective
    q1 = selectors.period_lookup("FY2026-Q1")
    band = kpi_services.kpi_create(
        objective=objective, name="Budget used", target_type="band", decimals=0
    )
    kpi_services.target_set(
        kpi=band, period=q1, value=Decimal("98"), value_high=Decimal("100"),
        red_flag=Decimal("95"), red_flag_high=Decimal("103"),
    )  # fmt: skip
    kpi_services.actual_enter(kpi=band, period=q1, value=Decimal("99"), by=people.owner)
    rating = kpi_services.kpi_create(
        objective=objective, name="Rating", target_type="ordinal", levels=["BBB", "A", "AA"]
    )
    kpi_services.target_set(kpi=rating, period=q1, value=Decimal("2"), red_flag=Decimal("0"))
    kpi_services.actual_enter(kpi=rating, period=q1, value=Decimal("1"), by=people.owner)
    launch = kpi_services.kpi_create(objective=objective, name="Launch", target_type="milestone")
    kpi_services.target_set(kpi=launch, period=q1, value=Decimal("1"))
    kpi_services.actual_enter(kpi=launch, period=q1, value=Decimal("1"), by=people.owner)
    client.force_login(people.north_manager)

    assert "98–100 99" in row_of(client, org.north_sales, "FY2026-Q1", band)
    assert "AA A" in row_of(client, org.north_sales, "FY2026-Q1", rating)
    assert "done done" in row_of(client, org.north_sales, "FY2026-Q1", launch)


def test_the_quarterly_pack_shows_the_monthly_kpi_with_its_coverage(client, org, people, monthly):
    recompute_everything()
    client.force_login(people.north_manager)
    url = reverse("dashboard:pack", args=[org.north_sales.slug])

    body = client.get(f"{url}?period=FY2026-Q1").content.decode()

    row = re.search(r"<tr><th scope=\"row\" class=\"indent-2\">[^<]*Orders.*?</tr>", body, re.S)
    assert row, "no row for Orders in the pack"
    text = " ".join(re.sub(r"<[^>]+>", " ", row.group(0)).split())
    assert "210 205 6.1 At risk" in text
    assert "2 of 3 months" in text


def test_a_quarter_shows_a_monthly_tracked_kpi_summed_over_its_months(
    client, org, people, north_sales_kpi
):
    # Calls received: 40 in January, 55 in February, none yet in March (tracked, no target).
    kpi = kpi_services.kpi_create(
        objective=north_sales_kpi.objective,
        name="Calls received",
        owner=people.owner,
        frequency="month",
        time_aggregation="sum",
        target_type="track",
        decimals=0,
    )
    for key, value in [("2026-01", "40"), ("2026-02", "55")]:
        kpi_services.actual_enter(
            kpi=kpi, period=selectors.period_lookup(key), value=Decimal(value), by=people.owner
        )
    recompute_everything()
    client.force_login(people.north_manager)

    row = row_of(client, org.north_sales, "FY2026-Q1", kpi)

    assert "95" in row.split()  # 40 + 55
    assert "tracked" in row.lower()
    assert "2 of 3 months" in row
