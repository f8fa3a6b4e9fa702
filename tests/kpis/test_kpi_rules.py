"""KPIs, targets and actuals refuse bad input with a clear message and save nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kpis import scoring, services
from kpis.models import (
    ACTUAL_ON_ROLLUP,
    KPI,
    ROLLUP_PARENT_NOT_ANCESTOR,
    ROLLUP_UNIT_MISMATCH,
    TOLERANCE_NOT_POSITIVE,
    Actual,
    Target,
)
from kpis.services.numbers import AMBIGUOUS_COMMA, VALUE_MISSING
from scorecard import services as core
from strategy import services as strategy_services

Q1 = "FY2026-Q1"


@pytest.fixture
def q1(db):
    return core.period_for_key(Q1)


@pytest.fixture
def enterprise_revenue(org, financial):
    objective = strategy_services.objective_create(
        scorecard=org.acme.scorecard, perspective=financial, title="Grow revenue"
    )
    return services.kpi_create(
        objective=objective, name="Group revenue", unit="USD", source="rollup", rollup_method="sum"
    )


def objective_of(unit, perspective, title="Grow sales"):
    return strategy_services.objective_create(
        scorecard=unit.scorecard, perspective=perspective, title=title
    )


def test_it_refuses_a_tolerance_of_zero(org, financial):
    with pytest.raises(ValidationError) as refused:
        services.kpi_create(
            objective=objective_of(org.acme, financial), name="Revenue", tolerance_pct=Decimal("0")
        )

    assert refused.value.message_dict["tolerance_pct"] == [TOLERANCE_NOT_POSITIVE]
    assert not KPI.objects.exists()


def test_it_rolls_a_team_kpi_up_to_an_ancestor_with_the_same_unit(
    org, financial, enterprise_revenue
):
    kpi = services.kpi_create(
        objective=objective_of(org.north_sales, financial),
        name="Team revenue",
        unit="USD",
        rolls_up_to=enterprise_revenue,
    )

    assert list(enterprise_revenue.rollup_children.all()) == [kpi]


def test_it_refuses_a_roll_up_to_a_unit_that_is_not_an_ancestor(org, financial):
    south_total = services.kpi_create(
        objective=objective_of(org.south, financial),
        name="South revenue",
        unit="USD",
        source="rollup",
        rollup_method="sum",
    )

    with pytest.raises(ValidationError) as refused:
        services.kpi_create(
            objective=objective_of(org.north_sales, financial),
            name="Team revenue",
            unit="USD",
            rolls_up_to=south_total,
        )

    assert refused.value.message_dict["rolls_up_to"] == [
        ROLLUP_PARENT_NOT_ANCESTOR.format(unit="South", own="North Sales")
    ]
    assert KPI.objects.count() == 1


def test_it_refuses_a_roll_up_between_different_units(org, financial, enterprise_revenue):
    with pytest.raises(ValidationError) as refused:
        services.kpi_create(
            objective=objective_of(org.north, financial),
            name="Revenue in EUR",
            unit="EUR",
            rolls_up_to=enterprise_revenue,
        )

    assert refused.value.message_dict["rolls_up_to"] == [
        ROLLUP_UNIT_MISMATCH.format(own="EUR", parent="USD")
    ]


def test_it_refuses_a_red_flag_on_the_good_side(north_sales_kpi, q1):
    with pytest.raises(ValidationError) as refused:
        services.target_set(kpi=north_sales_kpi, period=q1, value="100", red_flag="110")

    assert refused.value.message_dict["red_flag"] == [scoring.RED_FLAG_ON_GOOD_SIDE]
    assert Target.objects.get(kpi=north_sales_kpi, period=q1).red_flag is None


def test_it_refuses_a_zero_target_without_a_red_flag(north_sales_kpi, q1):
    with pytest.raises(ValidationError) as refused:
        services.target_set(kpi=north_sales_kpi, period=q1, value="0")

    assert refused.value.message_dict["red_flag"] == [scoring.ZERO_TARGET_NEEDS_RED_FLAG]
    assert Target.objects.get(kpi=north_sales_kpi, period=q1).value == Decimal("100")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", services.NOT_A_NUMBER),
        ("inf", services.NOT_A_NUMBER),
        ("-Infinity", services.NOT_A_NUMBER),
        ("ten", services.NOT_A_NUMBER),
        ("", VALUE_MISSING),
        # The services read numbers as every form does (issue 14: one number parser).
        ("1,234", AMBIGUOUS_COMMA.format(text="1,234")),
    ],
)
def test_it_refuses_values_that_are_not_finite_numbers(north_sales_kpi, q1, people, value, message):
    with pytest.raises(ValidationError) as refused:
        services.actual_enter(kpi=north_sales_kpi, period=q1, value=value, by=people.owner)

    assert refused.value.message_dict["value"] == [message]
    assert not Actual.objects.exists()


def test_it_refuses_a_value_beyond_the_fields_precision(north_sales_kpi, q1, people):
    with pytest.raises(ValidationError) as refused:
        services.actual_enter(
            kpi=north_sales_kpi, period=q1, value="1e30", comment="huge", by=people.owner
        )

    assert "value" in refused.value.message_dict
    assert not Actual.objects.exists()


def test_it_refuses_actuals_for_a_quarter_that_has_not_started(north_sales_kpi, people):
    next_year = core.period_for_key("FY2027-Q1")

    with pytest.raises(ValidationError) as refused:
        services.actual_enter(
            kpi=north_sales_kpi,
            period=next_year,
            value="100",
            by=people.owner,
            today=date(2026, 11, 27),
        )

    assert refused.value.message_dict["period"] == [
        "FY2027 Q1 has not started yet: actuals open on 2027-01-01."
    ]


def test_it_refuses_an_entered_value_for_a_roll_up_kpi(enterprise_revenue, q1, people):
    with pytest.raises(ValidationError) as refused:
        services.actual_enter(kpi=enterprise_revenue, period=q1, value="5", by=people.manager)

    assert refused.value.message_dict["kpi"] == [ACTUAL_ON_ROLLUP]
    assert not Actual.objects.exists()


def test_it_asks_for_a_comment_on_a_red_result(north_sales_kpi, q1, people):
    with pytest.raises(ValidationError) as refused:
        services.actual_enter(kpi=north_sales_kpi, period=q1, value="80", by=people.owner)

    assert refused.value.message_dict["comment"] == [services.RED_NEEDS_COMMENT]
    assert not Actual.objects.exists()


def test_it_refuses_a_write_based_on_a_stale_version(north_sales_kpi, q1, people):
    first = services.actual_enter(kpi=north_sales_kpi, period=q1, value="95", by=people.owner)
    services.actual_enter(
        kpi=north_sales_kpi,
        period=q1,
        value="97",
        by=people.north_manager,
        based_on_version=first.version,
    )

    with pytest.raises(services.StaleActual) as refused:
        services.actual_enter(
            kpi=north_sales_kpi,
            period=q1,
            value="99",
            by=people.owner,
            based_on_version=first.version,
        )

    assert refused.value.current.value == Decimal("97")
    actual = Actual.objects.get()
    assert (actual.value, actual.version) == (Decimal("97"), 2)
    assert list(actual.history.order_by("history_date").values_list("value", flat=True)) == [
        Decimal("95"),
        Decimal("97"),
    ]


def test_it_refuses_a_second_target_row_for_the_same_quarter(north_sales_kpi, q1):
    with pytest.raises(ValidationError, match="already has a target for this quarter"):
        Target(kpi=north_sales_kpi, period=q1, value=Decimal("5")).full_clean()


def test_it_keeps_a_closed_quarter_read_only_until_it_is_reopened(north_sales_kpi, q1, people):
    scorecard = north_sales_kpi.objective.scorecard
    services.actual_enter(kpi=north_sales_kpi, period=q1, value="95", by=people.owner)
    services.quarter_lock(scorecard=scorecard, period=q1, by=people.manager)

    with pytest.raises(ValidationError) as refused:
        services.actual_enter(kpi=north_sales_kpi, period=q1, value="99", by=people.manager)

    assert refused.value.message_dict["period"] == [
        services.QUARTER_LOCKED.format(period="FY2026 Q1", scorecard="North Sales scorecard")
    ]
    assert Actual.objects.get().value == Decimal("95")
    services.quarter_unlock(scorecard=scorecard, period=q1)
    services.actual_enter(kpi=north_sales_kpi, period=q1, value="99", by=people.owner)
    assert Actual.objects.get().value == Decimal("99")
