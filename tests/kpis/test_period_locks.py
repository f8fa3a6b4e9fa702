"""Locks on a period of any grain (issue 15): a quarter's lock covers its months, a year's
lock its quarters and months; a lock never covers a longer period nor a neighbour.

The clock stands on 16 November 2026 (fiscal years from January), so every period of
FY2026 up to November has started. North Sales' Regional revenue is quarterly; a monthly and
a yearly KPI of the same objective are added here.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kpis import services
from kpis.models import Actual
from scorecard import selectors
from scorecard import services as core

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mid_q4(time_machine):
    time_machine.move_to("2026-11-16 12:00Z", tick=False)


@pytest.fixture
def monthly_kpi(north_sales_kpi, people):
    return services.kpi_create(
        objective=north_sales_kpi.objective,
        name="Monthly orders",
        unit="orders",
        owner=people.owner,
        frequency="month",
    )


@pytest.fixture
def yearly_kpi(north_sales_kpi, people):
    return services.kpi_create(
        objective=north_sales_kpi.objective,
        name="Customer survey score",
        unit="points",
        owner=people.owner,
        frequency="year",
    )


def locked_message(label: str) -> list[str]:
    return [services.QUARTER_LOCKED.format(period=label, scorecard="North Sales scorecard")]


def test_a_quarters_lock_covers_its_months_and_no_other(monthly_kpi, people):
    scorecard = monthly_kpi.objective.scorecard
    services.quarter_lock(scorecard=scorecard, period=core.period_for_key("FY2026-Q1"))

    for key in ("2026-01", "2026-02", "2026-03"):
        with pytest.raises(ValidationError) as refused:
            services.actual_enter(
                kpi=monthly_kpi, period=selectors.period_lookup(key), value="5", by=people.owner
            )
        assert refused.value.message_dict["period"] == locked_message("FY2026 Q1")
    services.actual_enter(
        kpi=monthly_kpi, period=selectors.period_lookup("2026-04"), value="7", by=people.owner
    )
    assert [a.period.key for a in Actual.objects.select_related("period")] == ["2026-04"]
    # A refused write into a month opened nothing.
    assert not selectors.period_lookup("2026-02").is_stored


def test_a_years_lock_covers_its_quarters_and_months(north_sales_kpi, monthly_kpi, people):
    scorecard = north_sales_kpi.objective.scorecard
    services.quarter_lock(scorecard=scorecard, period=core.period_for_key("FY2026"))

    with pytest.raises(ValidationError) as refused:
        services.actual_enter(
            kpi=north_sales_kpi, period=core.period_for_key("FY2026-Q2"), value="99"
        )
    assert refused.value.message_dict["period"] == locked_message("FY2026")
    with pytest.raises(ValidationError):
        services.actual_enter(kpi=monthly_kpi, period=selectors.period_lookup("2026-11"), value="1")
    assert services.quarter_is_locked(
        scorecard=scorecard, period=selectors.period_lookup("2026-07")
    )
    # The year before is not covered.
    services.actual_enter(kpi=north_sales_kpi, period=core.period_for_key("FY2025-Q4"), value="98")
    assert Actual.objects.get().value == Decimal("98")


def test_a_shorter_lock_does_not_cover_the_longer_period(yearly_kpi, monthly_kpi):
    scorecard = yearly_kpi.objective.scorecard
    services.quarter_lock(scorecard=scorecard, period=core.period_for_key("FY2026-Q1"))
    services.quarter_lock(scorecard=scorecard, period=core.period_for_key("2026-05"))

    services.actual_enter(kpi=yearly_kpi, period=core.period_for_key("FY2026"), value="71")
    services.actual_enter(kpi=monthly_kpi, period=core.period_for_key("2026-06"), value="3")
    assert not services.quarter_is_locked(
        scorecard=scorecard, period=selectors.period_lookup("FY2026-Q2")
    )
    assert services.quarter_is_locked(
        scorecard=scorecard, period=selectors.period_lookup("2026-05")
    )
    assert Actual.objects.count() == 2


def test_a_lock_of_another_scorecard_covers_nothing_here(org, monthly_kpi):
    services.quarter_lock(scorecard=org.acme.scorecard, period=core.period_for_key("FY2026"))
    services.actual_enter(kpi=monthly_kpi, period=core.period_for_key("2026-03"), value="2")
    assert Actual.objects.count() == 1
