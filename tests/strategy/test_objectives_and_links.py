"""Objectives, the cascade and causal links refuse bad input and save nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from scorecard.models import WEIGHT_NEGATIVE
from strategy import services
from strategy.models import (
    LINK_ACROSS_SCORECARDS,
    LINK_TO_ITSELF,
    CausalLink,
    Objective,
)


@pytest.fixture
def acme_map(org, people, financial, customer):
    """Three objectives on Acme's map: people → process → revenue."""
    scorecard = org.acme.scorecard
    learning, process = (
        services.objective_create(
            scorecard=scorecard, perspective=perspective, title=title, owner=people.manager
        )
        for perspective, title in [
            (customer, "Delight key accounts"),
            (customer, "Shorten delivery times"),
        ]
    )
    revenue = services.objective_create(
        scorecard=scorecard, perspective=financial, title="Grow revenue", owner=people.manager
    )
    services.link_create(scorecard=scorecard, source=learning, target=process)
    services.link_create(scorecard=scorecard, source=process, target=revenue)
    return learning, process, revenue


def test_it_refuses_a_link_that_closes_a_cycle_and_names_the_loop(org, acme_map):
    learning, _, revenue = acme_map

    with pytest.raises(ValidationError) as refused:
        services.link_create(scorecard=org.acme.scorecard, source=revenue, target=learning)

    message = refused.value.message_dict["target"][0]
    assert "would close a loop" in message
    assert "Grow revenue → Delight key accounts → Shorten delivery times → Grow revenue" in message
    assert CausalLink.objects.count() == 2


def test_it_refuses_a_link_to_itself(org, acme_map):
    learning, _, _ = acme_map

    with pytest.raises(ValidationError) as refused:
        services.link_create(scorecard=org.acme.scorecard, source=learning, target=learning)

    assert LINK_TO_ITSELF in refused.value.messages
    assert CausalLink.objects.count() == 2


def test_it_refuses_a_link_across_scorecards(org, people, financial, acme_map):
    learning, _, _ = acme_map
    north_objective = services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow north"
    )

    with pytest.raises(ValidationError) as refused:
        services.link_create(scorecard=org.acme.scorecard, source=learning, target=north_objective)

    assert refused.value.message_dict["target"] == [LINK_ACROSS_SCORECARDS]


def test_it_refuses_the_same_link_twice(org, acme_map):
    learning, process, _ = acme_map

    with pytest.raises(ValidationError, match="already linked"):
        services.link_create(scorecard=org.acme.scorecard, source=learning, target=process)


def test_it_refuses_a_negative_weight(org, financial):
    with pytest.raises(ValidationError) as refused:
        services.objective_create(
            scorecard=org.acme.scorecard,
            perspective=financial,
            title="Grow margin",
            weight=Decimal("-1"),
        )

    assert refused.value.message_dict["weight"] == [WEIGHT_NEGATIVE]
    assert not Objective.objects.exists()


def test_it_refuses_a_duplicate_title_in_one_perspective_whatever_the_case(org, financial):
    services.objective_create(scorecard=org.acme.scorecard, perspective=financial, title="Grow")

    with pytest.raises(ValidationError, match="already has an objective with this title"):
        services.objective_create(scorecard=org.acme.scorecard, perspective=financial, title="GROW")

    assert Objective.objects.count() == 1


def test_it_refuses_an_owner_without_a_role_on_the_unit(org, people, financial):
    with pytest.raises(ValidationError) as refused:
        services.objective_create(
            scorecard=org.north.scorecard,
            perspective=financial,
            title="Grow north",
            owner=people.south_team_manager,
        )

    assert "has no role on North" in refused.value.message_dict["owner"][0]
    assert not Objective.objects.exists()


def test_it_lets_an_objective_support_one_of_an_ancestor_unit(org, financial):
    enterprise = services.objective_create(
        scorecard=org.acme.scorecard, perspective=financial, title="Grow revenue"
    )

    team = services.objective_create(
        scorecard=org.north_sales.scorecard,
        perspective=financial,
        title="Grow north sales",
        supports=[enterprise],
    )

    assert list(enterprise.supporters.all()) == [team]


@pytest.mark.parametrize("other_unit", ["south_ops", "north_sales"])
def test_it_refuses_support_for_objectives_outside_the_units_above(org, financial, other_unit):
    other = services.objective_create(
        scorecard=getattr(org, other_unit).scorecard, perspective=financial, title="Grow there"
    )

    with pytest.raises(ValidationError) as refused:
        services.objective_create(
            scorecard=org.north.scorecard,
            perspective=financial,
            title="Grow north",
            supports=[other],
        )

    assert "is not above North" in refused.value.message_dict["supports"][0]
    assert not Objective.objects.filter(title="Grow north").exists()


def test_it_keeps_the_history_of_an_objective(org, financial, people):
    objective = services.objective_create(
        scorecard=org.acme.scorecard, perspective=financial, title="Grow revenue"
    )

    services.objective_update(objective=objective, title="Grow recurring revenue")

    titles = list(objective.history.order_by("history_date").values_list("title", flat=True))
    assert titles == ["Grow revenue", "Grow recurring revenue"]
