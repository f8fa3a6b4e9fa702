"""The KPI detail page: every quarter against target with the red-flag band, comments,
the history of the actuals, the roll-up children, the explanation; who may read it.

North Sales' "Regional revenue" (owner: owner), up, target 100, red flag 90 (10 %):
  FY2025 Q4: target 100, red flag set by hand at 80, actual 100 → 6.666667 green
  FY2026 Q1: actual 95 first, then 97 → 10/3 × (1 + 7/10) = 5.666667 amber
North's "Group revenue" is a roll-up (sum) of it: FY2026 Q1 value 97.
"""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from kpis import services as kpi_services
from kpis.models import KPI
from scorecard import services as core
from strategy import services as strategy_services

Q1 = "FY2026-Q1"
Q4 = "FY2025-Q4"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def detail_url(kpi, period=Q1) -> str:
    slug = kpi.objective.scorecard.org_unit.slug
    return reverse("kpis:kpi_detail", args=[slug, kpi.pk]) + f"?period={period}"


@pytest.fixture
def revenue(org, people, financial, north_sales_kpi, django_capture_on_commit_callbacks):
    q1, q4 = core.period_for_key(Q1), core.period_for_key(Q4)
    with django_capture_on_commit_callbacks(execute=True):
        group_goal = strategy_services.objective_create(
            scorecard=org.north.scorecard, perspective=financial, title="Grow group revenue"
        )
        group = kpi_services.kpi_create(
            objective=group_goal, name="Group revenue", unit="USD", source="rollup",
            rollup_method="sum", owner=people.north_manager,
        )  # fmt: skip
        kpi_services.kpi_update(kpi=north_sales_kpi, rolls_up_to=group, indicator_type="leading")
        kpi_services.target_set(kpi=group, period=q1, value=Decimal("100"))
        kpi_services.target_set(
            kpi=north_sales_kpi, period=q4, value=Decimal("100"), red_flag=Decimal("80")
        )
        kpi_services.actual_enter(kpi=north_sales_kpi, period=q4, value="100", by=people.owner)
        kpi_services.actual_enter(
            kpi=north_sales_kpi, period=q1, value="95", by=people.owner,
            comment="Lost a key account",
        )  # fmt: skip
    actual = north_sales_kpi.actuals.get(period=q1)
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(
            kpi=north_sales_kpi, period=q1, value="97", by=people.north_manager,
            comment="Lost a key account; one deal came back", based_on_version=actual.version,
        )  # fmt: skip
    north_sales_kpi.refresh_from_db()
    return {"kpi": north_sales_kpi, "group": group}


def test_it_shows_the_facts_of_the_kpi(client, people, revenue):
    client.force_login(people.executive)

    html = client.get(detail_url(revenue["kpi"])).content.decode()

    assert "<h1>Regional revenue</h1>" in html
    assert "<dt>Owner</dt><dd>owner" in html
    assert "<dt>Type</dt><dd>Leading</dd>" in html
    assert "Higher is better" in html
    assert "Group revenue</a> (North)" in html


def test_it_charts_every_quarter_against_target_and_red_flag(client, people, revenue):
    client.force_login(people.executive)

    response = client.get(detail_url(revenue["kpi"]))

    html = response.content.decode()
    figure = json.loads(
        re.search(r'id="kpi-figure" type="application/json">(.*?)</script>', html)[1]
    )
    red_flag, target, actual = figure["data"]
    assert actual["x"] == ["FY2025 Q4", "FY2026 Q1"]
    assert actual["y"] == [100.0, 97.0]
    assert target["y"] == [100.0, 100.0]
    # Set by hand in Q4; the default 10 % below 100 in Q1.
    assert red_flag["y"] == [80.0, 90.0]
    assert target["fill"] == "tonexty"  # the band between red flag and target
    table = html[html.index('class="kpis quarters"') :]
    table = table[: table.index("</table>")]
    # Q1: 10/3 × (1 + (97 − 90)/(100 − 90)) = 5.666667 → 5.7, at risk.
    assert "5.7" in table and "At risk" in table
    assert "Lost a key account; one deal came back" in table
    assert "<summary>Show as table</summary>" in html


def test_it_shows_who_changed_the_actual_from_what_to_what(client, people, revenue):
    client.force_login(people.executive)

    html = client.get(detail_url(revenue["kpi"])).content.decode()

    history = html[html.index("History of the actuals") :]
    body = history[history.index("<tbody>") : history.index("</tbody>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    cells = [[cell.strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows]
    # Newest first: the manager's correction, the owner's first entry, the Q4 entry.
    assert [(c[1], c[2], c[3]) for c in cells] == [
        ("north_manager", "FY2026 Q1", "changed: 95.0 → 97.0"),
        ("owner", "FY2026 Q1", "entered: 95.0"),
        ("owner", "FY2025 Q4", "entered: 100.0"),
    ]


def test_it_explains_the_score_of_the_quarter(client, people, revenue):
    client.force_login(people.executive)

    html = client.get(detail_url(revenue["kpi"])).content.decode()

    assert "97.0 misses the target of 100.0 but not the red flag of 90.0: amber." in html


def test_it_lists_the_roll_up_children_with_their_values(client, org, people, revenue):
    client.force_login(people.executive)

    html = client.get(detail_url(revenue["group"])).content.decode()

    children = html[html.index("Rolled up from") :]
    children = children[: children.index("</table>")]
    assert "Regional revenue" in children and "North Sales" in children
    assert ">97.0<" in children
    assert f'href="{detail_url(revenue["kpi"])}"' in children


def test_it_answers_a_quarter_switch_with_the_quarter_fragment(client, people, revenue):
    client.force_login(people.executive)

    response = client.get(detail_url(revenue["kpi"], Q4), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="kpi-quarter"')
    assert 'data-period="FY2025-Q4"' in html
    assert "100.0 meets the target of 100.0: green." in html


@pytest.mark.parametrize("persona", ["admin", "manager", "executive", "north_manager", "owner"])
def test_it_lets_everyone_who_reads_the_unit_read_the_kpi(client, people, revenue, persona):
    client.force_login(getattr(people, persona))

    response = client.get(detail_url(revenue["kpi"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Regional revenue" in html
    assert "Lost a key account; one deal came back" in html


@pytest.mark.parametrize("persona", ["south_team_manager", "outsider"])
def test_it_refuses_everyone_else(client, people, revenue, persona):
    client.force_login(getattr(people, persona))

    assert client.get(detail_url(revenue["kpi"])).status_code == 403


def test_it_sends_anonymous_visitors_to_sign_in(client, revenue):
    response = client.get(detail_url(revenue["kpi"]))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_answers_404_for_a_kpi_of_another_scorecard(client, org, people, revenue):
    client.force_login(people.executive)

    wrong = reverse("kpis:kpi_detail", args=[org.south.slug, revenue["kpi"].pk])

    assert client.get(wrong).status_code == 404


@pytest.mark.parametrize("quarters", [2, 20])
def test_it_holds_a_fixed_number_of_queries_whatever_the_history(
    client, people, north_sales_kpi, quarters, django_assert_max_num_queries
):
    period = core.period_for_key("FY2020-Q1")
    for _ in range(quarters):
        kpi_services.target_set(kpi=north_sales_kpi, period=period, value=Decimal("100"))
        kpi_services.actual_enter(kpi=north_sales_kpi, period=period, value="99", by=people.owner)
        period = core.period_for_quarter(period.as_fiscal_quarter(1).next())
    client.force_login(people.executive)
    client.get(detail_url(north_sales_kpi))

    # Session and user (2); the scorecard (1); the person's memberships (1); the KPI with
    # its relations (1); the organization settings and the period (2); targets, actuals,
    # snapshots (3); the history (1); the explanation: snapshot, KPI, target (3); the
    # switcher's settings and periods (2); the page's unread notifications, when the top
    # bar counts them in the page (1).
    with django_assert_max_num_queries(17):
        response = client.get(detail_url(north_sales_kpi))
    assert response.status_code == 200


def test_it_charts_a_unit_of_html_as_text_not_as_a_link(client, people, revenue):
    """Issue 14, finding 10: Plotly reads HTML in titles and hover templates."""
    # Both ends of the roll-up: their units must match.
    KPI.objects.filter(pk__in=[revenue["kpi"].pk, revenue["group"].pk]).update(
        unit="<a href='//e.x'>$"
    )
    client.force_login(people.executive)

    html = client.get(detail_url(revenue["kpi"])).content.decode()

    figure = json.loads(
        re.search(r'id="kpi-figure" type="application/json">(.*?)</script>', html)[1]
    )
    escaped = "&lt;a href='//e.x'&gt;$"
    assert figure["layout"]["yaxis"]["title"]["text"] == escaped
    for trace in figure["data"]:
        assert trace["hovertemplate"].endswith(f" {escaped}<extra></extra>")
        assert "<a" not in trace["hovertemplate"]
