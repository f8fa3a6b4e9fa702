"""The dashboard's tree, one branch at a time (issues 17 and 18): expanding a unit asks for
its children's rows alone, under the dashboard's own permission rule, at a cost that does not
grow with the organization; and the trend's eight consecutive quarters, gaps included.

The organization and scores are those of test_dashboard.py (its module docstring): North
Sales amber 5.0 in FY2026 Q1 (QoQ −1.7, YoY +1.7), South Ops red 0.0; North Sales also has
scores in FY2025 Q1 (3.333333) and FY2025 Q4 (6.666667), and nothing stored in between.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.selectors.trend import scorecard_trend
from kpis import benchmark
from kpis.recompute import recompute_everything
from scorecard import services as core
from scorecard.models import OrgUnit
from tests.dashboards.test_dashboard import Q1, clock, north_executive, scored
from tests.factories import UserFactory

__all__ = ["clock", "north_executive", "scored"]


def branch(client, slug: str, **params):
    return client.get(reverse("dashboard:branch", args=[slug]), {"period": Q1, **params})


def rows_in(html: str) -> list[str]:
    """The units of the rows, in order (each row carries its unit's slug)."""
    return [part.split('"', 1)[0] for part in html.split('data-unit="')[1:]]


def test_it_answers_a_branch_with_its_childrens_rows_only(client, org, people, scored):
    client.force_login(people.executive)

    response = branch(client, org.north.slug, root=org.acme.slug)

    html = response.content.decode()
    assert response.status_code == 200
    assert rows_in(html) == [org.north_sales.slug]
    assert "<html" not in html and "<table" not in html  # rows to insert, not a page
    row = html[: html.index("</tr>")]
    assert 'class="heat-row level-2' in row  # levelled from the page's root, Acme
    assert "5.0" in row and "At risk" in row and "↓ −1.7" in row and "↑ +1.7" in row
    assert "South" not in html


def test_it_marks_a_child_with_children_of_its_own_as_a_branch_to_open(client, org, people, scored):
    client.force_login(people.executive)

    html = branch(client, org.acme.slug, root=org.acme.slug).content.decode()

    assert rows_in(html) == [org.north.slug, org.south.slug]
    north = html[: html.index("</tr>")]
    assert f'data-branch="{reverse("dashboard:branch", args=[org.north.slug])}"' in north
    assert 'aria-expanded="false"' in north and 'aria-label="Expand North"' in north
    # Without script the toggle opens the page with this branch open as well.
    assert "open=acme%2Cnorth" in north


def test_it_shows_only_the_perspective_filtered_on(
    client, org, people, scored, financial, customer
):
    client.force_login(people.executive)

    html = branch(
        client, org.north.slug, root=org.acme.slug, perspective=customer.pk
    ).content.decode()

    assert f'data-label="{customer.name}"' in html
    assert f'data-label="{financial.name}"' not in html


@pytest.mark.parametrize("persona", ["admin", "manager", "executive", "north_manager"])
def test_it_gives_a_branch_to_everyone_who_may_read_it(client, org, people, scored, persona):
    client.force_login(getattr(people, persona))

    # No root: the person's own top unit, as the dashboard opens on.
    response = branch(client, org.north.slug)

    assert response.status_code == 200
    assert rows_in(response.content.decode()) == [org.north_sales.slug]


def test_it_refuses_a_branch_outside_what_one_may_read_and_shows_nothing_of_it(
    client, org, people, scored, north_executive
):
    client.force_login(north_executive)

    for slug, root in [
        (org.south.slug, None),  # another division
        (org.south.slug, org.north.slug),  # ... asked for under one's own root
        (org.acme.slug, None),  # the enterprise above one's division
    ]:
        response = branch(client, slug, **({"root": root} if root else {}))
        html = response.content.decode()
        assert response.status_code == 403, (slug, root)
        assert "South Ops" not in html and "Off target" not in html
    # One's own division, under a root one may not read: refused for the root.
    assert branch(client, org.north.slug, root=org.acme.slug).status_code == 403
    assert branch(client, org.north.slug, root=org.north.slug).status_code == 200


def test_it_answers_a_unit_outside_the_tree_shown_like_an_unknown_one(client, org, people, scored):
    client.force_login(people.executive)

    outside = branch(client, org.south.slug, root=org.north.slug)
    unknown = branch(client, "atlantis", root=org.acme.slug)

    assert (outside.status_code, unknown.status_code) == (404, 404)
    assert "South Ops" not in outside.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "owner"])
def test_it_refuses_the_branch_to_people_without_a_role_on_it(client, org, people, scored, persona):
    # The owner's role is on North Sales: North, above it, is not theirs to read.
    client.force_login(getattr(people, persona))

    response = branch(client, org.north.slug)

    assert response.status_code == 403
    assert "North Sales" not in response.content.decode()


def test_it_sends_anonymous_visitors_to_sign_in(client, org, scored):
    response = branch(client, org.north.slug)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def first_branch_address(built) -> tuple[str, int]:
    """The branch of the root's first child (the largest a first "expand" asks for) and how
    many children it has."""
    root = built["units"][0]
    child = next(unit for unit in built["units"] if unit.depth == root.depth + 1)
    period = benchmark.services.last_ended_period().key
    children = sum(1 for unit in built["units"] if unit.path[: -OrgUnit.steplen] == child.path)
    address = reverse("dashboard:branch", args=[child.slug]) + f"?root=bench&period={period}"
    return address, children


def test_it_runs_the_same_queries_for_a_branch_of_ten_times_the_units(
    db, client, django_assert_max_num_queries
):
    admin = UserFactory(username="bench-admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    small = benchmark.build(benchmark.Shape(units=6, kpis_per_unit=4, quarters=2))
    recompute_everything()
    address, small_children = first_branch_address(small)
    client.get(address)  # warm-up: the session row
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert rows_in(response.content.decode()).__len__() == small_children == 2
    for unit in sorted(small["units"], key=lambda unit: -unit.depth):
        unit.delete()
    large = benchmark.build(benchmark.Shape(units=60, kpis_per_unit=4, quarters=2))
    recompute_everything()
    address, large_children = first_branch_address(large)
    client.get(address)

    # 1 session, 2 user; 3 the root named in ?root= (the permission check of an
    # administrator reads nothing more); 4 the branch's unit; 5 the organization settings
    # and 6 the period asked for; 7 perspectives (the columns); 8 the branch's children with
    # their scorecards; 9 their snapshots in the three quarters compared; 10 their freshness.
    # No bell, no switcher, no trend: rows only. The same at any size.
    with django_assert_max_num_queries(10) as large_captured:
        response = client.get(address)
    assert len(rows_in(response.content.decode())) == large_children == 4
    assert len(captured) == len(large_captured)


def test_it_plots_eight_consecutive_quarters_with_gaps_where_nothing_is_stored(org, people, scored):
    # Hand-worked: FY2026 Q1 and the seven quarters before it are FY2024 Q2 … FY2026 Q1.
    # Stored for North Sales: FY2025 Q1 (3.333333), FY2025 Q4 (6.666667), FY2026 Q1 (5.0);
    # FY2025 Q2 and Q3 were never written (no period row), nor anything before FY2025.
    points = scorecard_trend(
        scorecard_id=org.north_sales.scorecard.pk, period=core.period_for_key(Q1)
    )

    assert [point.period.label for point in points] == [
        "FY2024 Q2", "FY2024 Q3", "FY2024 Q4", "FY2025 Q1",
        "FY2025 Q2", "FY2025 Q3", "FY2025 Q4", "FY2026 Q1",
    ]  # fmt: skip
    assert [point.score for point in points] == [
        None, None, None, Decimal("3.333333"), None, None, Decimal("6.666667"), Decimal("5"),
    ]  # fmt: skip
    assert [point.status for point in points][4:6] == ["no_data", "no_data"]


def test_it_draws_the_gaps_as_breaks_in_the_line(client, org, people, scored):
    client.force_login(people.north_manager)

    response = client.get(reverse("dashboard:home"), {"period": Q1, "root": org.north_sales.slug})

    line = response.context["trend_figure"]["data"][0]
    assert len(line["x"]) == 8 and line["x"][4] == "FY2025 Q2"
    assert line["y"][4] is None and line["y"][5] is None
    # The table says it in words for each quarter, the gaps included.
    html = response.content.decode()
    assert html.count('<td class="num">–</td>') >= 5
