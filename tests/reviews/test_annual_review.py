"""The annual review's recalibration checklist."""

from decimal import Decimal

import pytest
from django.test import Client

from kpis import recompute
from kpis import services as kpi_services
from reviews import annual, services
from scorecard import services as core
from strategy import services as strategy_services


@pytest.fixture
def year_review(
    clock, org, people, financial, customer, north_sales_kpi, django_capture_on_commit_callbacks
):
    """North Sales' annual review of FY2025 (so on FY2025 Q4). Regional revenue is red in
    all four quarters; a customer objective has no KPI; only Regional revenue has targets for
    FY2026 Q2–Q4 besides the fixture's Q1 one."""
    quarters = [core.period_for_key(f"FY2025-Q{number}") for number in (1, 2, 3, 4)]
    strategy_services.objective_create(
        scorecard=org.north_sales.scorecard, perspective=customer, title="Delight new buyers"
    )
    other = kpi_services.kpi_create(
        objective=north_sales_kpi.objective, name="New logos", unit="count", owner=people.owner
    )
    for period in quarters:
        kpi_services.target_set(kpi=north_sales_kpi, period=period, value=Decimal("100"))
        kpi_services.target_set(kpi=other, period=period, value=Decimal("10"))
        kpi_services.actual_enter(
            kpi=north_sales_kpi, period=period, value=Decimal("50"), comment="Weak.",
            by=people.owner,
        )  # fmt: skip
        kpi_services.actual_enter(
            kpi=other, period=period, value=Decimal("1"), comment="Few.", by=people.owner
        )
    for key in ("FY2026-Q2", "FY2026-Q3", "FY2026-Q4"):
        kpi_services.target_set(
            kpi=north_sales_kpi, period=core.period_for_key(key), value=Decimal("100")
        )
    recompute.recompute_everything()
    return services.review_create(
        scorecard=org.north_sales.scorecard, period=quarters[3], kind="annual"
    )


def test_it_lists_what_to_retire_and_which_targets_are_missing(year_review, north_sales_kpi):
    checklist = annual.recalibration(year_review)

    assert checklist.fiscal_year == 2026
    # Both KPIs far below their red flags all year: the objective is red in every quarter.
    assert [(o.title, reason) for o, reason in checklist.objectives_to_retire] == [
        ("Delight new buyers", "no KPI measures it"),
        ("Grow regional revenue", "red in every quarter of FY2025"),
    ]
    assert [kpi.name for kpi in checklist.kpis_without_targets] == ["New logos"]
    assert checklist.links == []


def test_it_shows_the_checklist_and_health_check_on_the_annual_review(year_review, people):
    client = Client()
    client.force_login(people.executive)

    page = client.get(f"/reviews/{year_review.pk}/").content.decode()

    assert "Recalibration for FY2026" in page
    assert "Delight new buyers: no KPI measures it" in page
    assert "Health check" in page


def test_it_shows_no_checklist_on_a_quarterly_review(clock, org, people, north_sales_kpi):
    review = services.review_create(
        scorecard=org.north_sales.scorecard, period=core.period_for_key("FY2026-Q1")
    )
    client = Client()
    client.force_login(people.executive)

    assert "Recalibration" not in client.get(f"/reviews/{review.pk}/").content.decode()


def test_it_keeps_annual_reviews_on_the_last_quarter(clock, org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.review_create(
            scorecard=org.north_sales.scorecard, period=core.period_for_key("FY2025-Q3"),
            kind="annual",
        )  # fmt: skip

    assert refused.value.message_dict == {
        "period": [services.ANNUAL_REVIEW_NOT_Q4.format(period="FY2025 Q3")]
    }


def test_closing_the_annual_review_locks_the_year_until_it_is_reopened(
    year_review, north_sales_kpi, people
):
    from django.core.exceptions import ValidationError

    services.review_close(review=year_review, by=people.manager)

    # FY2025 is locked, not just its Q4: every quarter of the year is read-only.
    with pytest.raises(ValidationError) as refused:
        kpi_services.actual_enter(
            kpi=north_sales_kpi, period=core.period_for_key("FY2025-Q2"), value="60"
        )
    assert refused.value.message_dict["period"] == [
        kpi_services.QUARTER_LOCKED.format(period="FY2025", scorecard="North Sales scorecard")
    ]
    services.review_reopen(review=year_review, by=people.manager, reason="Late audit")
    kpi_services.actual_enter(
        kpi=north_sales_kpi, period=core.period_for_key("FY2025-Q2"), value="60", comment="Ok."
    )


def test_a_quarterly_review_needs_a_quarter_and_an_annual_one_may_name_the_year(clock, org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.review_create(
            scorecard=org.north_sales.scorecard, period=core.period_for_key("2026-02")
        )
    assert refused.value.message_dict == {
        "period": [services.QUARTERLY_REVIEW_NOT_A_QUARTER.format(period="Feb 2026")]
    }
    review = services.review_create(
        scorecard=org.north_sales.scorecard, period=core.period_for_key("FY2025"), kind="annual"
    )
    assert review.period.key == "FY2025"
