"""Cascading an objective or a KPI to child units, through the API (the editor's forms call
the same services; see test_editor.py).

Acme's scorecard holds "Grow group revenue" (financial) measured by "Revenue" (USD).
North and South are Acme's child units; North Sales is a grandchild."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import KPI, ScoreSnapshot
from kpis.services import (
    CASCADE_KPI_ALREADY,
    CASCADE_KPI_HAS_ACTUALS,
    CASCADE_KPI_NOT_CHILD,
    CASCADE_KPI_OBJECTIVE_ELSEWHERE,
)
from scorecard import services as core
from strategy import services as strategy_services
from strategy.api import NOT_A_CHOSEN_UNIT, NOT_A_UNIT_ID, UNKNOWN_PERSON
from strategy.models import Objective
from strategy.services import CASCADE_ALREADY, CASCADE_NOT_CHILD, OWNER_CANNOT_SEE_UNIT

Q1 = "FY2026-Q1"


@pytest.fixture
def group_goal(org, people, financial):
    return strategy_services.objective_create(
        scorecard=org.acme.scorecard,
        perspective=financial,
        title="Grow group revenue",
        owner=people.manager,
    )


@pytest.fixture
def revenue(group_goal, people):
    return kpi_services.kpi_create(
        objective=group_goal, name="Revenue", unit="USD", decimals=0, owner=people.manager
    )


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def cascade_objective(user, objective, body):
    return client_for(user).post(f"/api/objectives/{objective.pk}/cascade/", body, format="json")


def cascade_kpi(user, kpi, body):
    return client_for(user).post(f"/api/kpis/{kpi.pk}/cascade/", body, format="json")


def test_it_cascades_an_objective_to_two_child_units_with_an_owner_each(org, people, group_goal):
    response = cascade_objective(
        people.manager,
        group_goal,
        {
            "org_units": [org.north.pk, org.south.pk],
            "owners": {str(org.north.pk): people.north_manager.pk},
        },
    )

    assert response.status_code == 201, response.json()
    created = Objective.objects.filter(supports=group_goal).order_by("scorecard__org_unit__path")
    assert [(o.scorecard.org_unit, o.title, o.owner) for o in created] == [
        (org.north, "Grow group revenue", people.north_manager),
        (org.south, "Grow group revenue", None),
    ]
    assert {row["id"] for row in response.json()} == {o.pk for o in created}
    assert all(o.perspective_id == group_goal.perspective_id for o in created)


@pytest.mark.parametrize("persona", ["north_manager", "owner", "outsider"])
def test_it_hides_the_objective_from_those_who_cannot_see_it(people, org, group_goal, persona):
    response = cascade_objective(
        getattr(people, persona), group_goal, {"org_units": [org.north.pk]}
    )

    assert response.status_code == 404
    assert not Objective.objects.filter(supports=group_goal).exists()


def test_it_refuses_a_cascade_by_a_viewer_and_changes_nothing(people, org, group_goal):
    response = cascade_objective(people.executive, group_goal, {"org_units": [org.north.pk]})

    assert response.status_code == 403
    assert not Objective.objects.filter(supports=group_goal).exists()


def test_it_asks_anonymous_callers_to_sign_in(org, group_goal):
    response = cascade_objective(None, group_goal, {"org_units": [org.north.pk]})

    assert response.status_code == 401
    assert not Objective.objects.filter(supports=group_goal).exists()


def test_it_lets_a_division_manager_cascade_their_own_objective(org, people, financial):
    goal = strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow north revenue"
    )

    response = cascade_objective(people.north_manager, goal, {"org_units": [org.north_sales.pk]})

    assert response.status_code == 201
    assert Objective.objects.get(supports=goal).scorecard == org.north_sales.scorecard


def test_it_refuses_a_unit_that_is_not_a_child_and_saves_nothing(org, people, group_goal):
    response = cascade_objective(
        people.manager, group_goal, {"org_units": [org.north.pk, org.north_sales.pk]}
    )

    assert response.status_code == 400
    assert response.json() == {
        "org_units": [CASCADE_NOT_CHILD.format(unit="North Sales", own="Acme")]
    }
    assert not Objective.objects.filter(supports=group_goal).exists()


def test_it_refuses_a_second_cascade_to_the_same_unit(org, people, group_goal):
    assert (
        cascade_objective(people.manager, group_goal, {"org_units": [org.north.pk]}).status_code
        == 201
    )

    again = cascade_objective(
        people.manager, group_goal, {"org_units": [org.south.pk, org.north.pk]}
    )

    assert again.status_code == 400
    assert again.json() == {
        "org_units": [CASCADE_ALREADY.format(unit="North", existing="Grow group revenue")]
    }
    # All or nothing: South got nothing either.
    assert list(
        Objective.objects.filter(supports=group_goal).values_list(
            "scorecard__org_unit__name", flat=True
        )
    ) == ["North"]


def test_it_refuses_an_owner_who_cannot_see_the_unit(org, people, group_goal):
    response = cascade_objective(
        people.manager,
        group_goal,
        {"org_units": [org.north.pk], "owners": {str(org.north.pk): people.south_team_manager.pk}},
    )

    assert response.status_code == 400
    assert response.json() == {
        "owner": [OWNER_CANNOT_SEE_UNIT.format(user="south_team_manager", unit="North")]
    }
    assert not Objective.objects.filter(supports=group_goal).exists()


def test_it_refuses_owners_for_units_not_chosen_and_unknown_people(org, people, group_goal):
    other_unit = cascade_objective(
        people.manager,
        group_goal,
        {"org_units": [org.north.pk], "owners": {str(org.south.pk): people.manager.pk}},
    )
    nobody = cascade_objective(
        people.manager,
        group_goal,
        {"org_units": [org.north.pk], "owners": {str(org.north.pk): 99_999_999}},
    )

    not_an_id = cascade_objective(
        people.manager,
        group_goal,
        {"org_units": [org.north.pk], "owners": {"²": people.manager.pk}},
    )

    assert other_unit.json() == {"owners": [NOT_A_CHOSEN_UNIT.format(id=org.south.pk)]}
    assert not_an_id.json() == {"owners": [NOT_A_UNIT_ID.format(key="²")]}
    assert nobody.json() == {"owners": [UNKNOWN_PERSON.format(id=99_999_999)]}
    assert not Objective.objects.filter(supports=group_goal).exists()


@pytest.fixture
def child_goals(org, group_goal):
    return {
        unit.pk: objective
        for unit, objective in zip(
            [org.north, org.south],
            strategy_services.objective_cascade(
                objective=group_goal, org_units=[org.north, org.south]
            ),
            strict=True,
        )
    }


def test_it_cascades_a_kpi_that_then_rolls_up_the_children(
    org, people, revenue, child_goals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = cascade_kpi(
            people.manager,
            revenue,
            {
                "org_units": [org.north.pk, org.south.pk],
                "rollup_method": "sum",
                "objectives": {str(unit_id): goal.pk for unit_id, goal in child_goals.items()},
                "owners": {str(org.north.pk): people.north_manager.pk},
            },
        )
    assert response.status_code == 201, response.json()
    revenue.refresh_from_db()
    assert (revenue.source, revenue.rollup_method) == ("rollup", "sum")
    children = KPI.objects.filter(rolls_up_to=revenue).order_by(
        "objective__scorecard__org_unit__path"
    )
    assert [(k.objective, k.name, k.unit, k.decimals, k.owner) for k in children] == [
        (child_goals[org.north.pk], "Revenue", "USD", 0, people.north_manager),
        (child_goals[org.south.pk], "Revenue", "USD", 0, None),
    ]

    q1 = core.period_for_key(Q1)
    north_kpi, south_kpi = children
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(kpi=north_kpi, period=q1, value=Decimal("40"), by=people.manager)
        kpi_services.actual_enter(kpi=south_kpi, period=q1, value=Decimal("60"), by=people.manager)

    # Sum of the children: 40 + 60.
    parent = ScoreSnapshot.objects.get(period=q1, subject_type="kpi", subject_id=revenue.pk)
    assert (parent.value, parent.reported, parent.total) == (Decimal("100"), 2, 2)


def test_it_refuses_to_turn_a_kpi_with_actuals_into_a_roll_up(org, people, revenue, child_goals):
    kpi_services.actual_enter(
        kpi=revenue, period=core.period_for_key(Q1), value=Decimal("5"), by=people.manager
    )

    response = cascade_kpi(
        people.manager,
        revenue,
        {
            "org_units": [org.north.pk],
            "rollup_method": "sum",
            "objectives": {str(org.north.pk): child_goals[org.north.pk].pk},
        },
    )

    assert response.status_code == 400
    assert response.json() == {"kpi": [CASCADE_KPI_HAS_ACTUALS]}
    revenue.refresh_from_db()
    assert revenue.source == "manual"
    assert not KPI.objects.filter(rolls_up_to=revenue).exists()


def test_it_refuses_an_objective_of_another_unit(org, people, revenue, child_goals):
    response = cascade_kpi(
        people.manager,
        revenue,
        {
            "org_units": [org.north.pk],
            "rollup_method": "sum",
            "objectives": {str(org.north.pk): child_goals[org.south.pk].pk},
        },
    )

    assert response.status_code == 400
    assert response.json() == {
        "objectives": [
            CASCADE_KPI_OBJECTIVE_ELSEWHERE.format(objective="Grow group revenue", unit="North")
        ]
    }
    assert KPI.objects.get(pk=revenue.pk).source == "manual"


def test_it_refuses_a_kpi_cascade_to_a_grandchild_and_twice_to_one_unit(
    org, people, revenue, child_goals, financial
):
    sales_goal = strategy_services.objective_create(
        scorecard=org.north_sales.scorecard, perspective=financial, title="Sell more"
    )
    grandchild = cascade_kpi(
        people.manager,
        revenue,
        {
            "org_units": [org.north_sales.pk],
            "rollup_method": "sum",
            "objectives": {str(org.north_sales.pk): sales_goal.pk},
        },
    )
    body = {
        "org_units": [org.north.pk],
        "rollup_method": "average",
        "objectives": {str(org.north.pk): child_goals[org.north.pk].pk},
    }
    first = cascade_kpi(people.manager, revenue, body)
    second = cascade_kpi(people.manager, revenue, body)

    assert grandchild.json() == {
        "org_units": [CASCADE_KPI_NOT_CHILD.format(unit="North Sales", own="Acme")]
    }
    assert first.status_code == 201
    assert second.json() == {
        "org_units": [CASCADE_KPI_ALREADY.format(unit="North", existing="Revenue")]
    }
    child = KPI.objects.get(rolls_up_to=revenue)
    assert (child.objective, child.name) == (child_goals[org.north.pk], "Revenue")
    revenue.refresh_from_db()
    assert (revenue.source, revenue.rollup_method) == ("rollup", "average")


def test_it_refuses_a_kpi_cascade_by_a_viewer(org, people, revenue, child_goals):
    response = cascade_kpi(
        people.executive,
        revenue,
        {
            "org_units": [org.north.pk],
            "rollup_method": "sum",
            "objectives": {str(org.north.pk): child_goals[org.north.pk].pk},
        },
    )

    assert response.status_code == 403
    assert KPI.objects.get(pk=revenue.pk).source == "manual"
    assert not KPI.objects.filter(rolls_up_to=revenue).exists()
