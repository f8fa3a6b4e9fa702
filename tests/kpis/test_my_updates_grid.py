"""The grid: every due KPI in one form, all or nothing or the valid rows only."""

import html as html_text
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis import services as kpi_services
from kpis.models import Actual
from scorecard import services as core

Q1 = "FY2026-Q1"


@pytest.fixture
def deals(people, north_sales_kpi):
    kpi = kpi_services.kpi_create(
        objective=north_sales_kpi.objective, name="Deals won", unit="count", owner=people.owner
    )
    kpi_services.target_set(kpi=kpi, period=core.period_for_key(Q1), value="10")
    return kpi


def post_grid(client, rows, mode="all"):
    data = {"mode": mode}
    for kpi, value, comment in rows:
        data[f"value-{kpi.pk}"] = value
        data[f"comment-{kpi.pk}"] = comment
        data[f"version-{kpi.pk}"] = "0"
    response = client.post(f"{reverse('kpis:grid')}?period={Q1}", data, follow=True)
    return html_text.unescape(response.content.decode())


def test_it_saves_every_row_at_once(client, people, north_sales_kpi, deals):
    client.force_login(people.owner)

    page = post_grid(client, [(north_sales_kpi, "95", ""), (deals, "1,234.5", "")])

    assert "Saved 2 actuals." in page
    assert Actual.objects.get(kpi=north_sales_kpi).source == "grid"
    assert Actual.objects.get(kpi=deals).value == Decimal("1234.5")


def test_it_saves_nothing_while_any_row_is_wrong_and_says_so(
    client, people, north_sales_kpi, deals
):
    client.force_login(people.owner)

    page = post_grid(client, [(north_sales_kpi, "80", ""), (deals, "lots", "")])

    assert "Nothing was saved: 2 rows need fixing (see below)." in page
    assert f"Regional revenue: {kpi_services.RED_NEEDS_COMMENT}" in page
    assert "Deals won: Enter a number, like 1234.5." in page
    # What the person typed stays in the form.
    assert 'value="lots"' in page
    assert not Actual.objects.exists()


def test_it_saves_the_valid_rows_when_asked_and_says_which(client, people, north_sales_kpi, deals):
    client.force_login(people.owner)

    page = post_grid(client, [(north_sales_kpi, "95", ""), (deals, "lots", "")], mode="valid")

    assert "Saved 1 actuals; 1 rows were not saved (see below)." in page
    assert Actual.objects.get(kpi=north_sales_kpi).value == Decimal("95")
    assert not Actual.objects.filter(kpi=deals).exists()


def test_it_leaves_blank_rows_alone(client, people, north_sales_kpi, deals):
    client.force_login(people.owner)

    page = post_grid(client, [(north_sales_kpi, "95", ""), (deals, "", "")])

    assert "Saved 1 actuals." in page
    assert not Actual.objects.filter(kpi=deals).exists()


def test_it_cannot_reach_another_owners_kpi(client, people, north_sales_kpi):
    other = kpi_services.kpi_create(
        objective=north_sales_kpi.objective, name="Margin", owner=people.north_manager
    )
    client.force_login(people.owner)

    post_grid(client, [(other, "30", "")])

    # The grid only reads the person's own rows: the other KPI's field is ignored.
    assert not Actual.objects.exists()


# 1 session, 2 user, 3 organization settings and 4 the period row of the quarter asked for,
# 5 settings again (the sheet), 6 memberships, 7 KPIs (with objective, scorecard, unit,
# owner), 8 quarters shown, 9 targets, 10 actuals, 11 locks, 12 KPI snapshots, 13 the top
# bar's unread notifications.
GRID_QUERIES = 13


@pytest.mark.parametrize("count", [5, 50])
def test_it_holds_a_fixed_number_of_queries(
    client, people, north_sales_kpi, django_assert_num_queries, count
):
    for number in range(count - 1):
        kpi_services.kpi_create(
            objective=north_sales_kpi.objective, name=f"Measure {number}", owner=people.owner
        )
    client.force_login(people.owner)

    with django_assert_num_queries(GRID_QUERIES):
        page = client.get(f"{reverse('kpis:grid')}?period={Q1}")

    assert page.content.decode().count('class="grid-row') == count


def test_it_keeps_a_comment_its_post_does_not_carry(client, people, north_sales_kpi, deals):
    """Issue 14 ("partial posts"): a row posted without its comment field keeps its comment;
    a comment field posted empty clears it."""
    q1 = core.period_for_key(Q1)
    kpi_services.actual_enter(kpi=deals, period=q1, value="9", comment="Two late", by=people.owner)
    kpi_services.actual_enter(
        kpi=north_sales_kpi, period=q1, value="101", comment="On plan", by=people.owner
    )
    client.force_login(people.owner)
    data = {"mode": "all", f"value-{deals.pk}": "11", f"value-{north_sales_kpi.pk}": "102"}
    data[f"comment-{north_sales_kpi.pk}"] = ""

    client.post(f"{reverse('kpis:grid')}?period={Q1}", data)

    assert Actual.objects.get(kpi=deals).comment == "Two late"
    assert Actual.objects.get(kpi=north_sales_kpi).comment == ""
    assert Actual.objects.get(kpi=deals).value == Decimal("11")


def test_it_answers_a_version_that_is_no_number_as_none_given(client, people, deals):
    client.force_login(people.owner)
    data = {"mode": "all", f"value-{deals.pk}": "11", f"version-{deals.pk}": "\u00b2"}

    response = client.post(f"{reverse('kpis:grid')}?period={Q1}", data)

    assert response.status_code == 302
    assert Actual.objects.get(kpi=deals).value == Decimal("11")
