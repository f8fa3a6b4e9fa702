"""Cascading from the editor's pages, and the line-of-sight view down the cascade."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from kpis import services as kpi_services
from kpis.editor.forms import CHOOSE_A_UNIT
from kpis.models import KPI
from strategy import services as strategy_services
from strategy.models import Objective
from strategy.services import CASCADE_NOT_CHILD


@pytest.fixture
def group_goal(org, people, financial):
    return strategy_services.objective_create(
        scorecard=org.acme.scorecard,
        perspective=financial,
        title="Grow group revenue",
        owner=people.manager,
    )


def cascade_url(org, objective):
    return reverse("editor:objective_cascade", args=[org.acme.slug, objective.pk])


def test_it_offers_each_child_unit_with_the_people_who_may_own_there(
    client, org, people, group_goal
):
    client.force_login(people.manager)

    page = client.get(cascade_url(org, group_goal)).content.decode()

    assert f'value="{org.north.pk}"> North' in page
    assert f'value="{org.south.pk}"> South' in page
    assert f'value="{org.north_sales.pk}"' not in page
    # North's owner choices: the enterprise's people and North's manager, not South's.
    north_select = page[page.index(f'name="owner_{org.north.pk}"') :].split("</select>")[0]
    assert "north_manager" in north_select
    assert "south_team_manager" not in north_select


def test_it_cascades_from_the_page_to_two_units(client, org, people, group_goal):
    client.force_login(people.manager)

    response = client.post(
        cascade_url(org, group_goal),
        {
            "org_units": [org.north.pk, org.south.pk],
            f"owner_{org.north.pk}": people.north_manager.pk,
        },
    )

    assert response.status_code == 302
    created = Objective.objects.filter(supports=group_goal).order_by("scorecard__org_unit__path")
    assert [(o.scorecard.org_unit, o.owner) for o in created] == [
        (org.north, people.north_manager),
        (org.south, None),
    ]


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ([], CHOOSE_A_UNIT),
        (["north_sales"], CASCADE_NOT_CHILD.format(unit="North Sales", own="Acme")),
    ],
)
def test_it_refuses_a_cascade_without_units_or_to_a_grandchild(
    client, org, people, group_goal, units, message
):
    client.force_login(people.manager)

    response = client.post(
        cascade_url(org, group_goal), {"org_units": [getattr(org, u).pk for u in units]}
    )

    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert not Objective.objects.filter(supports=group_goal).exists()


@pytest.mark.parametrize("persona", ["executive", "north_manager", "owner", "outsider"])
def test_it_refuses_the_cascade_page_to_all_but_managers_of_the_unit(
    client, org, people, group_goal, persona
):
    client.force_login(getattr(people, persona))

    response = client.post(cascade_url(org, group_goal), {"org_units": [org.north.pk]})

    assert response.status_code == 403
    assert not Objective.objects.filter(supports=group_goal).exists()


def test_it_cascades_a_kpi_from_the_page(client, org, people, group_goal):
    revenue = kpi_services.kpi_create(objective=group_goal, name="Revenue", unit="USD")
    north_goal = strategy_services.objective_cascade(objective=group_goal, org_units=[org.north])[0]
    client.force_login(people.manager)

    response = client.post(
        reverse("editor:kpi_cascade", args=[org.acme.slug, revenue.pk]),
        {
            "org_units": [org.north.pk],
            "rollup_method": "average",
            f"objective_{org.north.pk}": north_goal.pk,
        },
    )

    assert response.status_code == 302
    revenue.refresh_from_db()
    assert revenue.rollup_method == "average"
    child = KPI.objects.get(rolls_up_to=revenue)
    assert (child.objective, child.unit) == (north_goal, "USD")


@pytest.fixture
def cascade(org, people, financial, group_goal):
    """Acme's goal ← North's ← North Sales'; South has a goal that supports nothing."""
    north = strategy_services.objective_create(
        scorecard=org.north.scorecard,
        perspective=financial,
        title="Grow north revenue",
        supports=[group_goal],
    )
    kpi_services.kpi_create(objective=north, name="North revenue", unit="USD")
    sales = strategy_services.objective_create(
        scorecard=org.north_sales.scorecard,
        perspective=financial,
        title="Sell more in the north",
        supports=[north],
    )
    stray = strategy_services.objective_create(
        scorecard=org.south.scorecard, perspective=financial, title="Run a side project"
    )
    return north, sales, stray


def sight_url(unit):
    return reverse("editor:line_of_sight", args=[unit.slug])


def test_it_shows_the_line_of_sight_down_the_cascade(client, org, people, cascade):
    client.force_login(people.executive)

    page = client.get(sight_url(org.acme)).content.decode()

    tree, unaligned = page.split('id="unaligned-heading"')
    positions = [
        tree.index(text)
        for text in (
            "Grow group revenue",
            "Grow north revenue",
            "North revenue",
            "Sell more in the north",
        )
    ]
    assert positions == sorted(positions)
    assert "Run a side project" not in tree
    assert "Run a side project" in unaligned


def test_it_refuses_the_line_of_sight_to_outsiders(client, org, people, cascade):
    client.force_login(people.outsider)

    assert client.get(sight_url(org.acme)).status_code == 403


def test_it_reads_the_line_of_sight_in_a_fixed_number_of_queries(
    client, org, people, financial, cascade, django_assert_max_num_queries
):
    client.force_login(people.executive)
    client.get(sight_url(org.acme))

    def count_queries():
        with django_assert_max_num_queries(14) as captured:
            client.get(sight_url(org.acme))
        return len(captured)

    small = count_queries()
    north_goal = cascade[0]
    for number in range(10):
        extra = strategy_services.objective_create(
            scorecard=org.north_sales.scorecard,
            perspective=financial,
            title=f"Grow line {number}",
            supports=[north_goal],
        )
        kpi_services.kpi_create(objective=extra, name=f"Line {number}", unit="USD")

    assert count_queries() == small
