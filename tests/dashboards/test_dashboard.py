"""The executive dashboard: heatmap with deltas, tree, filters, worst KPIs, freshness and
action items; who sees what; and its cost in queries.

The organization of tests/conftest.py, with on 15 May 2026 (FY2026 Q1 is the last ended
quarter, so the dashboard opens on it):

North Sales, Financial, "Grow regional revenue":
  Regional revenue (owner: owner), up, target 100 every quarter, red flag 90 (10 %)
    FY2025 Q1: 90  → 10/3 × (1 + 0/10)  = 3.333333 amber (at the red flag, not past it)
    FY2025 Q4: 100 → 10/3 × (1 + 10/10) = 6.666667 green
    FY2026 Q1: 95  → 10/3 × (1 + 5/10)  = 5.000000 amber
  Deal size (owner: north_manager), target 100 in FY2026 Q1, no actual: no score, due.
  So the objective, Financial and North Sales overall are 5.000000 (1 of 2 KPIs reported),
  QoQ 5 − 6.666667 = −1.666667 (↓ −1.7), YoY 5 − 3.333333 = +1.666667 (↑ +1.7).
South Ops, Customer, "Cut the backlog":
  Ticket backlog (owner: south_team_manager), down, target 50, red flag 55 (10 % of 50);
    FY2026 Q1: 70 → 10/3 × (1 + (70 − 55)/(50 − 55)) = 10/3 × (1 − 3) < 0 → 0.000000 red.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.templatetags.dashboard import delta
from kpis import benchmark
from kpis import services as kpi_services
from kpis.recompute import recompute_everything
from reviews import services as review_services
from reviews.models import ActionItem
from scorecard import services as core
from scorecard.models import Membership, Perspective
from strategy import services as strategy_services
from tests.factories import UserFactory

Q1 = "FY2026-Q1"
TODAY = dt.datetime(2026, 5, 15, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def url(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("dashboard:home") + (f"?{query}" if query else "")


@pytest.fixture
def north_executive(org):
    """A viewer of the North division only."""
    person = UserFactory(username="north_executive")
    core.membership_grant(user=person, org_unit=org.north, role=Membership.Role.VIEWER)
    return person


@pytest.fixture
def scored(org, people, financial, customer, north_sales_kpi, django_capture_on_commit_callbacks):
    """The organization of the module docstring, scores computed."""
    with django_capture_on_commit_callbacks(execute=True):
        for key, value in [("FY2025-Q1", "90"), ("FY2025-Q4", "100"), (Q1, "95")]:
            period = core.period_for_key(key)
            kpi_services.target_set(kpi=north_sales_kpi, period=period, value=Decimal("100"))
            kpi_services.actual_enter(
                kpi=north_sales_kpi, period=period, value=Decimal(value), by=people.owner,
                comment="Lost a key account" if value == "90" else "",
            )  # fmt: skip
        deal_size = kpi_services.kpi_create(
            objective=north_sales_kpi.objective, name="Deal size", unit="USD",
            owner=people.north_manager,
        )  # fmt: skip
        kpi_services.target_set(kpi=deal_size, period=core.period_for_key(Q1), value=Decimal("100"))
        backlog_goal = strategy_services.objective_create(
            scorecard=org.south_ops.scorecard, perspective=customer, title="Cut the backlog"
        )
        backlog = kpi_services.kpi_create(
            objective=backlog_goal, name="Ticket backlog", unit="tickets", direction="down",
            owner=people.south_team_manager,
        )  # fmt: skip
        kpi_services.target_set(kpi=backlog, period=core.period_for_key(Q1), value=Decimal("50"))
        kpi_services.actual_enter(
            kpi=backlog, period=core.period_for_key(Q1), value=Decimal("70"),
            comment="Two engineers out", by=people.south_team_manager,
        )  # fmt: skip
    return {"revenue": north_sales_kpi, "deal_size": deal_size, "backlog": backlog}


def api_units(client, **params) -> dict:
    response = client.get(reverse("api-dashboard"), params)
    assert response.status_code == 200, response.content
    return {unit["slug"]: unit for unit in response.json()["units"]}


def test_it_gives_every_unit_its_scores_and_their_changes(client, org, people, scored, financial):
    client.force_login(people.executive)

    units = api_units(client, period=Q1)

    north_sales = units[org.north_sales.slug]
    assert north_sales["overall"] == {
        "score": "5.000000", "status": "amber", "qoq": "-1.666667", "yoy": "1.666667",
        "reported": 1, "total": 1,
    }  # fmt: skip
    assert north_sales["perspectives"] == [
        {"perspective": financial.pk, "score": "5.000000", "status": "amber",
         "qoq": "-1.666667", "yoy": "1.666667", "reported": 1, "total": 1},
    ]  # fmt: skip
    assert units[org.south_ops.slug]["overall"]["score"] == "0.000000"
    assert units[org.south_ops.slug]["overall"]["status"] == "red"
    # Nothing to compare the backlog with: no score in FY2025 Q4 or FY2025 Q1.
    assert units[org.south_ops.slug]["overall"]["qoq"] is None
    # Acme, North and South have no objectives of their own (no supports): no score.
    assert units[org.acme.slug]["overall"]["status"] == "no_data"
    assert [units[slug]["level"] for slug in units] == [0, 1, 2, 1, 2]
    assert units[org.north_sales.slug]["parent"] == org.north.slug


def test_it_shows_scores_with_status_in_words_and_arrows_for_the_changes(
    client, org, people, scored
):
    client.force_login(people.executive)

    html = client.get(url(period=Q1, open="acme,north,south")).content.decode()

    row = html[html.index(f'data-unit="{org.north_sales.slug}"') :]
    row = row[: row.index("</tr>")]
    assert "5.0" in row and "At risk" in row
    assert "↓ −1.7" in row and "↑ +1.7" in row
    south_ops = html[html.index(f'data-unit="{org.south_ops.slug}"') :]
    assert "0.0" in south_ops[: south_ops.index("</tr>")]
    assert "Off target" in south_ops[: south_ops.index("</tr>")]


def test_it_counts_the_due_actuals_entered_and_names_who_is_missing(client, org, people, scored):
    client.force_login(people.executive)

    units = api_units(client, period=Q1)

    # North Sales: revenue entered, deal size (north_manager) not: 1 of 2, 50 %.
    assert units[org.north_sales.slug]["freshness"] == {
        "due": 2, "entered": 1, "share": 50, "missing": ["north_manager"],
    }  # fmt: skip
    assert units[org.south_ops.slug]["freshness"] == {
        "due": 1, "entered": 1, "share": 100, "missing": [],
    }  # fmt: skip
    assert units[org.acme.slug]["freshness"]["share"] is None


def test_it_opens_on_the_root_and_its_children_and_expands_a_unit(client, org, people, scored):
    client.force_login(people.executive)

    collapsed = client.get(url(period=Q1)).content.decode()
    expanded = client.get(url(period=Q1, open="acme,north")).content.decode()

    assert f'data-unit="{org.north.slug}"' in collapsed
    assert f'data-unit="{org.north_sales.slug}"' not in collapsed
    assert f'data-unit="{org.north_sales.slug}"' in expanded
    assert f'data-unit="{org.south_ops.slug}"' not in expanded
    # The toggle of North is a real link (it works without JavaScript) and names the branch
    # request that loads North's rows alone (static/js/dashboard.js).
    assert f'data-branch="{reverse("dashboard:branch", args=["north"])}"' in collapsed
    assert "open=acme%2Cnorth" in collapsed
    # The filters form sends the tree as shown, so switching quarter keeps it expanded.
    assert 'name="open" form="dashboard-filters" value="acme,north"' in expanded


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (Decimal("1.666667"), "↑ +1.7"),
        (Decimal("-1.666667"), "↓ −1.7"),
        (Decimal("0.04"), "→ 0.0"),
        (Decimal("-0.049999"), "→ 0.0"),
        (Decimal("0.05"), "↑ +0.1"),
        (None, "–"),
    ],
)
def test_it_shows_a_change_with_an_arrow_and_a_sign_to_one_decimal(change, shown):
    assert delta(change) == shown


def test_it_answers_the_tree_toggle_with_the_heatmap_only(client, org, people, scored):
    client.force_login(people.executive)

    response = client.get(
        url(period=Q1, open="acme,north"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="heatmap"
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="heatmap"')
    assert f'data-unit="{org.north_sales.slug}"' in html
    assert "<html" not in html and "Ten lowest-scoring KPIs" not in html


def test_it_filters_by_status_keeping_the_ancestors_as_context(client, org, people, scored):
    client.force_login(people.executive)

    html = client.get(url(period=Q1, status="red")).content.decode()

    heatmap = html[html.index('id="heatmap"') : html.index("</section>")]
    assert f'data-unit="{org.south_ops.slug}"' in heatmap
    assert f'heat-row level-1 context-row" data-unit="{org.south.slug}"' in heatmap
    assert f'data-unit="{org.north_sales.slug}"' not in heatmap
    assert f'data-unit="{org.north.slug}"' not in heatmap
    # The worst KPIs follow the filter too.
    assert "Ticket backlog" in html and "Regional revenue" not in html


def test_it_filters_by_perspective(client, org, people, scored, financial, customer):
    client.force_login(people.executive)

    html = client.get(url(period=Q1, perspective=customer.pk, open="acme,north,south")).content
    html = html.decode()

    heatmap = html[html.index('id="heatmap"') : html.index("</section>")]
    assert ">Customer</th>" in heatmap and ">Financial</th>" not in heatmap
    assert "Ticket backlog" in html and "Regional revenue" not in html


def test_it_lists_the_worst_kpis_lowest_first_with_owner_and_why(client, org, people, scored):
    client.force_login(people.executive)

    html = client.get(url(period=Q1)).content.decode()

    worst = html[html.index("Ten lowest-scoring KPIs") :]
    worst = worst[: worst.index("</table>")]
    assert worst.index("Ticket backlog") < worst.index("Regional revenue")
    assert "Deal size" not in worst  # no score, so not among the scored worst
    assert "south_team_manager" in worst and ">owner<" in worst
    # Revenue: 5.0 now, 6.666667 a quarter before, 3.333333 a year before.
    revenue = worst[worst.index("Regional revenue") :]
    assert "↓ −1.7" in revenue and "↑ +1.7" in revenue
    detail = reverse("kpis:kpi_detail", args=[org.south_ops.slug, scored["backlog"].pk])
    why = reverse("kpis:explanation", args=[org.south_ops.slug, "kpi", scored["backlog"].pk])
    assert f'href="{detail}?period={Q1}"' in worst
    assert f'href="{why}?period={Q1}"' in worst


def test_it_counts_open_and_overdue_action_items(client, org, people, scored):
    review_services.action_item_create(
        scorecard=org.north_sales.scorecard, title="Call back the lost account",
        owner=people.owner, due_date=dt.date(2026, 5, 1), backdated=True,
    )  # fmt: skip
    review_services.action_item_create(
        scorecard=org.north_sales.scorecard, title="Hire a second rep",
        owner=people.owner, due_date=dt.date(2026, 6, 30),
    )  # fmt: skip
    review_services.action_item_create(
        scorecard=org.north_sales.scorecard, title="Old and done", owner=people.owner,
        due_date=dt.date(2026, 4, 1), backdated=True, status=ActionItem.Status.DONE,
    )  # fmt: skip
    # The backlog was red from its first computation: no turn, so no drafted action.
    assert not ActionItem.objects.filter(is_draft=True).exists()
    client.force_login(people.executive)

    html = client.get(url(period=Q1)).content.decode()

    # Open: the two that are not done; overdue: the one due on 1 May.
    assert '<strong>2</strong> open, of which <strong class="overdue">1</strong> overdue' in html
    assert "Call back the lost account" in html and "Old and done" not in html


def test_it_shows_the_trend_as_a_chart_and_as_a_table(client, org, people, scored):
    client.force_login(people.north_manager)

    response = client.get(url(period=Q1, root=org.north_sales.slug))

    html = response.content.decode()
    figure = response.context["trend_figure"]
    # Three quarters of North Sales have a score; the quarters between have none (no data).
    points = dict(zip(figure["data"][0]["x"], figure["data"][0]["y"], strict=True))
    assert points["FY2025 Q1"] == pytest.approx(3.333333)
    assert points["FY2025 Q4"] == pytest.approx(6.666667)
    assert points["FY2026 Q1"] == pytest.approx(5.0)
    assert len(points) <= 8 and list(points)[-1] == "FY2026 Q1"
    assert 'data-chart="trend-figure"' in html and 'id="trend-figure"' in html
    assert "<summary>Show as table</summary>" in html
    assert "<script>" not in html  # the CSP allows no inline script


def test_an_executive_of_one_division_sees_nothing_of_another(
    client, org, people, scored, north_executive
):
    review_services.action_item_create(
        scorecard=org.north_sales.scorecard, title="North thing", owner=people.owner,
        due_date=dt.date(2026, 6, 30),
    )  # fmt: skip
    client.force_login(north_executive)

    html = client.get(url(period=Q1, open="north,north-sales")).content.decode()
    units = api_units(client, period=Q1)

    assert "North Sales" in html and "Regional revenue" in html and "North thing" in html
    for word in ["South", "Ticket backlog", "Acme", "Two engineers out"]:
        assert word not in html
    assert set(units) == {org.north.slug, org.north_sales.slug}
    assert client.get(url(period=Q1, root=org.south.slug)).status_code == 403
    assert client.get(url(period=Q1, root=org.acme.slug)).status_code == 403
    assert client.get(reverse("api-dashboard"), {"root": org.south_ops.slug}).status_code == 403
    backlog = reverse("kpis:kpi_detail", args=[org.south_ops.slug, scored["backlog"].pk])
    assert client.get(backlog).status_code == 403
    for name in ["dashboard:pack", "dashboard:pack_pdf"]:
        assert client.get(reverse(name, args=[org.south_ops.slug])).status_code == 403


@pytest.mark.parametrize("persona", ["outsider"])
def test_it_refuses_a_person_without_any_role(client, people, scored, persona):
    client.force_login(getattr(people, persona))

    assert client.get(url()).status_code == 403
    assert client.get(reverse("api-dashboard")).status_code == 403


def test_it_sends_anonymous_visitors_to_sign_in(client, scored):
    response = client.get(url())
    api = client.get(reverse("api-dashboard"))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert api.status_code == 401


def test_it_opens_on_the_top_of_what_each_person_may_read(client, org, people, scored):
    expected = {
        people.admin: org.acme, people.manager: org.acme, people.executive: org.acme,
        people.north_manager: org.north, people.owner: org.north_sales,
        people.south_team_manager: org.south_ops,
    }  # fmt: skip
    for person, root in expected.items():
        client.force_login(person)
        assert client.get(url()).context["root"] == root, person.username


def test_it_explains_a_malformed_quarter_and_shows_the_last_ended_one(client, people, scored):
    client.force_login(people.executive)

    response = client.get(url(period="FY2026-Q9"))
    api = client.get(reverse("api-dashboard"), {"period": "FY2026-Q9"})

    assert response.context["period"].key == Q1
    message = 'Unknown period "FY2026-Q9": use the form 2026-03, FY2026-Q3 or FY2026.'
    assert [str(m) for m in response.context["messages"]] == [message]
    assert api.status_code == 400
    assert api.json() == {"period": [message]}


def test_it_answers_an_unknown_unit_with_404(client, people, scored):
    client.force_login(people.executive)

    assert client.get(url(root="atlantis")).status_code == 404
    api = client.get(reverse("api-dashboard"), {"root": "atlantis"})
    assert api.status_code == 404
    assert api.json() == {"detail": "There is no unit with this slug."}


def test_it_ignores_unknown_filter_values(client, people, scored):
    client.force_login(people.executive)

    for perspective in ["x", "999999"]:
        response = client.get(url(period=Q1, status="purple", perspective=perspective))

        assert response.status_code == 200
        assert response.context["filters"].status == ""
        assert response.context["filters"].perspective_id is None
        assert len(response.context["columns"]) == Perspective.objects.count()


def dashboard_address(units) -> str:
    period = benchmark.services.last_ended_period().key
    return url(root="bench", period=period, open=",".join(unit.slug for unit in units))


def test_it_runs_the_same_queries_for_ten_times_the_units(
    db, client, django_assert_max_num_queries
):
    admin = UserFactory(username="bench-admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    small = benchmark.build(benchmark.Shape(units=6, kpis_per_unit=4, quarters=2))
    recompute_everything()
    address = dashboard_address(small["units"])
    client.get(address)  # the first visit may create the periods the switcher lists
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert len(response.context["rows"]) == 6
    for unit in sorted(small["units"], key=lambda unit: -unit.depth):
        unit.delete()
    large = benchmark.build(benchmark.Shape(units=60, kpis_per_unit=4, quarters=2))
    recompute_everything()
    address = dashboard_address(large["units"])
    client.get(address)

    # Session and user (2); the root unit (1); the organization settings and the period
    # asked for (2); the open units of the tree, then the units shown with their
    # scorecards (2, issue 18: only those, not the whole subtree); the three quarters'
    # snapshots (1); freshness by scorecard and owner (1); perspectives (1); the trend (1);
    # the worst KPIs' snapshots, their KPIs and their earlier scores (3); action items
    # counted and listed (2); the switcher's settings and periods (2); the page's unread
    # notifications, when the top bar counts them in the page (1); the failed or late
    # imports of the subtree for a manager (1, issue 16's data-freshness panel; none for
    # someone who manages no unit). No list of units for a root switcher: the unit picker
    # asks for a few as one types (issue 18). At most 20, and the same at any size.
    with django_assert_max_num_queries(20) as large_captured:
        response = client.get(address)
    assert len(response.context["rows"]) == 60
    assert len(captured) == len(large_captured)


def test_it_measures_the_dashboard_in_the_benchmark_within_the_transfer_budget(db):
    figures = benchmark.measure(benchmark.Shape(units=6, kpis_per_unit=4, quarters=1))

    # 19, and the data-freshness panel's imports for the administrator the benchmark signs in.
    assert figures["dashboard_queries"] <= 20
    assert 0 < figures["dashboard_s"] < 5
    # Page, stylesheets and scripts (Plotly's basic bundle is most of it), gzipped: well
    # under the 1.5 MB budget of a first visit.
    assert 400_000 < figures["dashboard_bytes"] < 1_500_000
