"""Recomputing every grain (issue 15): a monthly actual recomputes its month, its quarter
and its year; a monthly roll-up is computed month by month and seen at the quarter and the
year like any KPI; the nightly full recompute then finds nothing to change.

Acme's monthly "Orders" sums North Sales' monthly "North orders" (both `sum` in time too).
Targets: North orders 40 in January and February; Orders 50 in January and February (its
own targets, as section 4 says). The owner enters North orders 30 (January), 45 (February).
Hand-worked:
- Orders, January: 30 against 50 (r = 45): red, (10/3)·(1 + (30 − 45)/5) → 0 (clamped);
  February: 45, at the red flag: 3.333333, amber (reaching the red flag is not crossing it).
- Orders, FY2026 Q1 (sum of the two months with both): a = 75, t = 100, r = 90:
  (10/3)·(1 + (75 − 90)/10) = (10/3)·(−0.5) → 0, red; 2 of 3 months.
- North orders, FY2026 Q1: a = 75, t = 80, r = 72: (10/3)·(1 + 3/8) = 4.583333 amber.
- The year FY2026 sees the same two months: 2 of 12 months, the same values.
"""

from decimal import Decimal

import pytest

from kpis import services as kpi_services
from kpis.models import KPI, ScoreSnapshot
from kpis.recompute import recompute_everything
from scorecard import services as core
from strategy import services as strategy_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_march(time_machine):
    time_machine.move_to("2026-03-16 12:00Z", tick=False)


@pytest.fixture
def orders(org, people, financial, django_capture_on_commit_callbacks):
    acme_objective = strategy_services.objective_create(
        scorecard=org.acme.scorecard, perspective=financial, title="Grow orders"
    )
    north_objective = strategy_services.objective_create(
        scorecard=org.north_sales.scorecard, perspective=financial, title="Grow north orders"
    )
    monthly_sum = {"frequency": "month", "time_aggregation": "sum"}
    parent = kpi_services.kpi_create(
        objective=acme_objective,
        name="Orders",
        unit="orders",
        source=KPI.Source.ROLLUP,
        rollup_method=KPI.RollupMethod.SUM,
        **monthly_sum,
    )
    child = kpi_services.kpi_create(
        objective=north_objective,
        name="North orders",
        unit="orders",
        owner=people.owner,
        rolls_up_to=parent,
        **monthly_sum,
    )
    with django_capture_on_commit_callbacks(execute=True):
        for key in ("2026-01", "2026-02"):
            month = core.period_for_key(key)
            kpi_services.target_set(kpi=child, period=month, value=Decimal("40"))
            kpi_services.target_set(kpi=parent, period=month, value=Decimal("50"))
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(
            kpi=child, period=core.period_for_key("2026-01"), value="30", comment="Slow."
        )
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(
            kpi=child, period=core.period_for_key("2026-02"), value="45", comment="Better."
        )
    return parent, child


def row(kpi, key):
    snapshot = ScoreSnapshot.objects.get(
        subject_type="kpi", subject_id=kpi.pk, period=core.period_for_key(key)
    )
    return (
        snapshot.value,
        snapshot.score,
        snapshot.status,
        snapshot.periods_reported,
        snapshot.periods_total,
    )


def test_a_monthly_rollup_is_seen_at_its_quarter_and_year(orders):
    parent, child = orders

    assert row(parent, "2026-01") == (Decimal("30"), Decimal("0"), "red", None, None)
    assert row(parent, "2026-02") == (Decimal("45"), Decimal("3.333333"), "amber", None, None)
    for key, total in (("FY2026-Q1", 3), ("FY2026", 12)):
        assert row(parent, key) == (Decimal("75"), Decimal("0"), "red", 2, total)
        assert row(child, key) == (Decimal("75"), Decimal("4.583333"), "amber", 2, total)


def test_the_nightly_recompute_finds_nothing_to_change_at_any_grain(orders):
    results = recompute_everything()

    assert [result.changed for result in results] == [0] * len(results)
    # January, February, FY2026 Q1 and FY2026: every grain was recomputed.
    assert len(results) == 4


@pytest.mark.parametrize(("key", "total"), [("FY2026", 12), ("FY2026-Q1", 3)])
def test_the_scores_api_answers_a_year_and_a_quarter_with_their_month_counts(
    orders, people, key, total
):
    from rest_framework.test import APIClient

    parent, child = orders
    api = APIClient()
    api.force_authenticate(people.manager)

    response = api.get("/api/scores/", {"period": key, "subject_type": "kpi"})

    assert response.status_code == 200, response.content
    rows = {row["subject_id"]: row for row in response.json()["results"]}
    assert {
        kpi_id: (row["value"], row["status"], row["periods_reported"], row["periods_total"])
        for kpi_id, row in rows.items()
    } == {
        parent.pk: ("75.000000", "red", 2, total),
        child.pk: ("75.000000", "amber", 2, total),
    }
    # A month is the KPIs' own frequency: no sub-period counts.
    month = api.get("/api/scores/", {"period": "2026-02", "subject_type": "kpi"}).json()
    assert {(row["periods_reported"], row["periods_total"]) for row in month["results"]} == {
        (None, None)
    }
