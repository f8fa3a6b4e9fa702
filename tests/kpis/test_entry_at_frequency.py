"""My updates asks each KPI at its own frequency (issue 15, item 2): a monthly KPI for its
months, a yearly KPI for its year, with a level select for an ordinal KPI and done/not done
for a milestone; calculated KPIs are not asked.

The calendar is the fiscal year from January; the default 7 reminder lead days. On 15 May
2026 (FY2026 Q2 under way) the quarter due is FY2026 Q1, the month due April 2026 (31 May is
16 days away, more than 7) and the year due FY2025."""

import datetime as dt
import html as html_text
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from kpis import scoring, updates
from kpis import services as kpi_services
from kpis.models import ACTUAL_ON_FORMULA, KPI, Actual
from scorecard import fiscal
from scorecard import services as core
from scorecard.models import OrganizationSettings
from strategy import services as strategy_services

HTMX = {"HTTP_HX_REQUEST": "true"}
SETTINGS = OrganizationSettings(fiscal_start_month=1, reminder_lead_days=7)
MID_MAY = dt.date(2026, 5, 15)


@pytest.fixture
def mid_may():
    with time_machine.travel(dt.datetime(2026, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def keys(periods) -> list[str]:
    return [period.key for period in periods]


def asked(frequency: str, page: fiscal.FiscalPeriod, today: dt.date = MID_MAY) -> list[str]:
    return keys(
        updates.entry_periods(frequency=frequency, page=page, today=today, settings=SETTINGS)
    )


Q1 = fiscal.FiscalQuarter(2026, 1)
Q2 = fiscal.FiscalQuarter(2026, 2)
Q3 = fiscal.FiscalQuarter(2026, 3)


def test_it_asks_a_quarterly_kpi_for_the_page_quarter():
    assert asked("quarter", Q1) == ["FY2026-Q1"]
    assert asked("quarter", Q2) == ["FY2026-Q2"]


def test_it_asks_a_monthly_kpi_for_the_due_quarters_months_and_the_month_due_now():
    # Q1 is due on 15 May: January to March, then April, the month due (May is not yet).
    assert asked("month", Q1) == ["2026-01", "2026-02", "2026-03", "2026-04"]


def test_it_asks_a_monthly_kpi_only_for_the_months_that_have_started():
    # Q2 is under way: April and May have started, June has not.
    assert asked("month", Q2) == ["2026-04", "2026-05"]
    # Q3 has not started at all: its first month, which a save refuses as not started.
    assert asked("month", Q3) == ["2026-07"]


def test_it_asks_a_yearly_kpi_for_the_year_due_on_the_due_quarter_else_the_pages_year():
    # On the quarter due, the year due: FY2025 has just closed, FY2026 runs to December.
    assert asked("year", Q1) == ["FY2025"]
    # On another quarter's page, the year that holds it.
    assert asked("year", Q2) == ["FY2026"]
    # From 24 December (7 days before its end) FY2026 is the year due, with Q4.
    assert asked("year", fiscal.FiscalQuarter(2026, 4), dt.date(2026, 12, 25)) == ["FY2026"]


def test_it_asks_a_quarterly_kpi_for_the_quarter_of_a_month_page():
    march = fiscal.FiscalMonth(2026, 3)
    assert asked("quarter", march) == ["FY2026-Q1"]
    assert asked("month", march) == ["2026-03"]


@pytest.fixture
def objective(org, people, financial):
    return strategy_services.objective_create(
        scorecard=org.north_sales.scorecard, perspective=financial, title="Serve customers"
    )


@pytest.fixture
def kinds(people, objective):
    """A KPI of every kind the owner enters, and a calculated one they do not."""

    def make(name, **fields):
        return kpi_services.kpi_create(objective=objective, name=name, owner=people.owner, **fields)

    made = {
        "monthly": make("Orders shipped", frequency="month", code="M1"),
        "yearly": make("Staff survey score", frequency="year"),
        "quarterly": make("Regional revenue"),
        "rating": make("Credit rating", target_type="ordinal", levels=["BBB", "A", "AA", "AAA"]),
        "milestone": make("Warehouse system live", target_type="milestone"),
    }
    made["calculated"] = make("Orders per quarter", source="formula", formula="[M1] * 3", code="C1")
    return made


def rows_of(page) -> list[tuple[str, str]]:
    sheet = page.context["sheet"]
    return [(row.kpi.name, row.period.key) for row in sheet.rows]


def test_it_lists_each_kpi_at_its_own_frequency_and_not_the_calculated_one(
    client, people, kinds, mid_may
):
    client.force_login(people.owner)

    page = client.get(reverse("kpis:my_updates"))

    assert sorted(rows_of(page)) == sorted(
        [
            ("Orders shipped", "2026-01"),
            ("Orders shipped", "2026-02"),
            ("Orders shipped", "2026-03"),
            ("Orders shipped", "2026-04"),
            ("Staff survey score", "FY2025"),
            ("Regional revenue", "FY2026-Q1"),
            ("Credit rating", "FY2026-Q1"),
            ("Warehouse system live", "FY2026-Q1"),
        ]
    )
    html = page.content.decode()
    assert "0 of 8 entered" in html
    assert f'id="row-{kinds["monthly"].pk}-2026-04"' in html
    assert f'id="row-{kinds["yearly"].pk}-FY2025"' in html
    # A quarterly KPI keeps the id it always had.
    assert f'id="row-{kinds["quarterly"].pk}"' in html
    assert "Orders per quarter" not in html


def test_it_offers_the_levels_of_an_ordinal_kpi_and_done_or_not_for_a_milestone(
    client, people, kinds, mid_may
):
    client.force_login(people.owner)

    html = client.get(reverse("kpis:my_updates")).content.decode()

    for level in ("BBB", "A", "AA", "AAA"):
        assert f'<option value="{level}">{level}</option>' in html
    assert '<option value="0">not done</option>' in html
    assert '<option value="1">done</option>' in html


def save(client, kpi, period_key, value, comment=""):
    url = reverse("kpis:actual_save", args=[kpi.pk]) + f"?period={period_key}"
    return client.post(url, {"value": value, "comment": comment, "version": "0"}, **HTMX)


def test_it_saves_a_monthly_actual_for_its_month(client, people, kinds, mid_may):
    client.force_login(people.owner)

    response = save(client, kinds["monthly"], "2026-04", "120")

    assert response.status_code == 200
    actual = Actual.objects.get(kpi=kinds["monthly"])
    assert (actual.period.key, actual.value) == ("2026-04", Decimal("120"))
    # The row comes back under its month's id, marked entered.
    html = response.content.decode()
    assert f'id="row-{kinds["monthly"].pk}-2026-04"' in html
    assert "✓ entered" in html


def test_it_refuses_a_monthly_actual_for_a_quarter(client, people, kinds, mid_may):
    client.force_login(people.owner)

    response = save(client, kinds["monthly"], "FY2026-Q1", "120")

    text = html_text.unescape(response.content.decode())
    assert (
        "Orders shipped is reported monthly: enter it for a month such as 2026-03, "
        "not FY2026 Q1." in text
    )
    assert not Actual.objects.exists()


def test_it_refuses_a_month_that_has_not_started(client, people, kinds, mid_may):
    client.force_login(people.owner)

    response = save(client, kinds["monthly"], "2026-06", "120")

    assert "Jun 2026 has not started yet: actuals open on 2026-06-01." in (
        html_text.unescape(response.content.decode())
    )
    assert not Actual.objects.exists()


def test_it_saves_a_level_by_its_name_and_shows_it_selected(client, people, kinds, mid_may):
    client.force_login(people.owner)
    rating = kinds["rating"]

    response = save(client, rating, "FY2026-Q1", "AA")

    # AA is the third level, worst first: position 2.
    assert Actual.objects.get(kpi=rating).value == Decimal("2")
    assert '<option value="AA" selected>AA</option>' in response.content.decode()


def test_it_refuses_a_level_not_in_the_list(client, people, kinds, mid_may):
    client.force_login(people.owner)

    response = save(client, kinds["rating"], "FY2026-Q1", "B")

    text = html_text.unescape(response.content.decode())
    assert scoring.LEVEL_UNKNOWN.format(levels="BBB, A, AA, AAA") in text
    assert not Actual.objects.exists()


def test_it_saves_a_milestone_done_and_refuses_a_two(client, people, kinds, mid_may):
    client.force_login(people.owner)
    milestone = kinds["milestone"]

    refused = save(client, milestone, "FY2026-Q1", "2")

    text = html_text.unescape(refused.content.decode())
    assert scoring.MILESTONE_ACTUAL_NOT_DONE_OR_NOT in text
    assert not Actual.objects.exists()

    done = save(client, milestone, "FY2026-Q1", "1")

    assert Actual.objects.get(kpi=milestone).value == Decimal("1")
    assert '<option value="1" selected>done</option>' in done.content.decode()


def test_it_refuses_an_actual_for_a_calculated_kpi(client, people, kinds, mid_may):
    client.force_login(people.owner)

    response = save(client, kinds["calculated"], "FY2026-Q1", "5")

    assert ACTUAL_ON_FORMULA in html_text.unescape(response.content.decode())
    assert not Actual.objects.filter(kpi=kinds["calculated"]).exists()


def test_the_grid_saves_two_months_of_a_monthly_kpi_at_once(client, people, kinds, mid_may):
    client.force_login(people.owner)
    monthly = kinds["monthly"]
    url = reverse("kpis:grid") + "?period=FY2026-Q1"

    response = client.post(
        url, {f"value-{monthly.pk}-2026-01": "100", f"value-{monthly.pk}-2026-02": "110"}
    )

    assert response.status_code == 302
    saved = {a.period.key: a.value for a in Actual.objects.filter(kpi=monthly)}
    assert saved == {"2026-01": Decimal("100"), "2026-02": Decimal("110")}


def test_the_grid_reads_a_level_name(client, people, kinds, mid_may):
    client.force_login(people.owner)
    rating = kinds["rating"]

    client.post(reverse("kpis:grid") + "?period=FY2026-Q1", {f"value-{rating.pk}": "AAA"})

    assert Actual.objects.get(kpi=rating).value == Decimal("3")


# The page's queries with monthly and yearly KPIs (the same list as test_my_updates' 15):
# 1 session, 2 user, 3 settings (the quarter due), 4 that quarter's period row, 5 settings
# (the sheet), 6 memberships, 7 KPIs, 8 the periods of the rows and their history (every
# grain), 9 targets, 10 actuals, 11 locks, 12 KPI snapshots, 13 settings (the switcher),
# 14 unread notifications, 15 action items.
PAGE_QUERIES = 15


@pytest.mark.parametrize("count", [3, 30])
def test_it_holds_a_fixed_number_of_queries_for_3_or_30_monthly_and_yearly_kpis(
    client, people, objective, mid_may, django_assert_num_queries, count
):
    for number in range(count):
        for frequency in ("month", "year"):
            kpi = kpi_services.kpi_create(
                objective=objective,
                name=f"{frequency} measure {number}",
                owner=people.owner,
                frequency=frequency,
            )
            key = "2026-02" if frequency == "month" else "FY2025"
            kpi_services.actual_enter(kpi=kpi, period=core.period_for_key(key), value="1")
    client.force_login(people.owner)

    with django_assert_num_queries(PAGE_QUERIES):
        page = client.get(reverse("kpis:my_updates"))

    # Four months and one year each; February's and FY2025's actuals are in.
    assert f"{2 * count} of {5 * count} entered" in page.content.decode()
    assert KPI.objects.count() == 2 * count
