"""Closing a review recomputes its scorecard's quarter before it takes the pack (issue 13,
observation 7): a recompute that is still queued when the review closes cannot leave stale
numbers frozen in the pack of a locked quarter.

The world, in FY2026 Q1 (every KPI higher is better, tolerance 10 %, USD):

    North             "Grow north revenue"  North revenue: roll-up (sum), target 100
    └── North Sales   "Grow regional revenue"  Regional revenue: target 100, actual 95

With the default red flag at 100 − 10 % × 100 = 90, an actual of 95 scores
10/3 × (1 + (95 − 90)/(100 − 90)) = 5.0 (amber), and the roll-up, the sum of its one child, is
95 as well. The actual then becomes 80 while its recompute has not run yet: 80 scores
10/3 × (1 + (80 − 90)/10) = 0 (red), for the KPI, its objective, perspective and scorecard, and
for North's roll-up (80 against 100) alike.

These tests run in real transactions, so `on_commit` runs as in production; Celery is eager.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from kpis import scheduling
from kpis import services as kpi_services
from kpis.models import KPI, Actual, ScoreSnapshot
from reviews import services
from reviews.models import Review
from scorecard import services as core
from strategy import services as strategy_services

pytestmark = pytest.mark.django_db(transaction=True)

Q1 = "FY2026-Q1"


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 5, 12, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def world(clock, org, people, financial):
    north_objective = strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow north revenue"
    )
    north_revenue = kpi_services.kpi_create(
        objective=north_objective,
        name="North revenue",
        unit="USD",
        source=KPI.Source.ROLLUP,
        rollup_method=KPI.RollupMethod.SUM,
    )
    objective = strategy_services.objective_create(
        scorecard=org.north_sales.scorecard, perspective=financial, title="Grow regional revenue"
    )
    regional = kpi_services.kpi_create(
        objective=objective,
        name="Regional revenue",
        unit="USD",
        owner=people.owner,
        rolls_up_to=north_revenue,
    )
    q1 = core.period_for_key(Q1)
    for kpi in (north_revenue, regional):
        kpi_services.target_set(kpi=kpi, period=q1, value="100")
    kpi_services.actual_enter(kpi=regional, period=q1, value="95", by=people.owner)
    return regional, north_revenue


def snapshot(kpi) -> tuple[str, str]:
    row = ScoreSnapshot.objects.get(
        period__fiscal_year=2026,
        period__quarter=1,
        subject_type=ScoreSnapshot.SubjectType.KPI,
        subject_id=kpi.pk,
    )
    return str(row.value), str(row.score)


def pack_rows(review: Review) -> list[tuple[str, str, str | None, str | None, str]]:
    """The pack's rows that have numbers (the perspectives without objectives have none)."""
    review.refresh_from_db()
    return [
        (row["subject_type"], row["name"], row["value"], row["score"], row["status"])
        for row in review.pack["snapshots"]
        if row["status"] != "no_data"
    ]


def close_through_the_page(client, people, review: Review) -> None:
    client.force_login(people.north_manager)
    response = client.post(reverse("reviews:review_close", args=[review.pk]))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.CLOSED


def make_the_actual_stale(kpi, value: str) -> None:
    """Change the actual as a write whose recompute is still queued would: `update()` skips
    the service, so no recompute is scheduled."""
    Actual.objects.filter(kpi=kpi).update(value=Decimal(value))


def test_the_pack_holds_the_fresh_numbers_of_its_own_scorecard(client, org, people, world):
    regional, _ = world
    assert snapshot(regional) == ("95.000000", "5.000000")
    make_the_actual_stale(regional, "80")
    review = services.review_create(
        scorecard=org.north_sales.scorecard, period=core.period_for_key(Q1)
    )

    close_through_the_page(client, people, review)

    # The four levels of North Sales: 80 against 100, red flag 90, scores 0.
    assert pack_rows(review) == [
        ("kpi", "Regional revenue", "80.000000", "0.000000", "red"),
        ("objective", "Grow regional revenue", None, "0.000000", "red"),
        ("perspective", "", None, "0.000000", "red"),
        ("scorecard", "", None, "0.000000", "red"),
    ]


def test_the_pack_holds_the_fresh_values_of_roll_up_children_in_units_below(
    client, org, people, world
):
    regional, north_revenue = world
    assert snapshot(north_revenue) == ("95.000000", "5.000000")
    make_the_actual_stale(regional, "80")
    review = services.review_create(scorecard=org.north.scorecard, period=core.period_for_key(Q1))

    close_through_the_page(client, people, review)

    # North revenue = the sum of its one child, 80: score 0, red.
    assert pack_rows(review)[0] == ("kpi", "North revenue", "80.000000", "0.000000", "red")


def test_a_recompute_still_queued_when_the_review_closes_is_not_missed(
    client, org, people, world, monkeypatch, request
):
    regional, _ = world
    # The owner's correction commits through the service, but its recompute waits in the
    # queue (a busy worker): the batch is sent nowhere.
    monkeypatch.setattr(scheduling, "_send_pending", lambda: None)
    request.addfinalizer(lambda: connection.__dict__.pop(scheduling._PENDING, None))
    kpi_services.actual_enter(
        kpi=regional, period=core.period_for_key(Q1), value="80", comment="Lost a key account.",
        by=people.owner, based_on_version=1,
    )  # fmt: skip
    assert snapshot(regional) == ("95.000000", "5.000000")
    review = services.review_create(
        scorecard=org.north_sales.scorecard, period=core.period_for_key(Q1)
    )

    services.review_close(review=review, by=people.north_manager)

    assert pack_rows(review)[0] == ("kpi", "Regional revenue", "80.000000", "0.000000", "red")
    assert snapshot(regional) == ("80.000000", "0.000000")
