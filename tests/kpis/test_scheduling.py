"""Recomputes are never lost, whatever path the write takes (issue 13, "What was seen" 1).

These tests run with real transactions (`transaction=True`), as production does: a service
called from a page or the API outside any atomic block must still leave every snapshot
fresh once the request is over, with no `recompute_scores` run by hand. "Fresh" means that a
full recompute afterwards changes nothing; the numbers beside it are worked out by hand.

The world, built through the services with the clock in mid-Q2 of FY2026 (15 May 2026), so
that Q3 (from 1 July) starts after anything archived in the test:

    North Sales scorecard (perspective weights 1)
      financial "Grow regional revenue"   Regional revenue  target 100 (red flag 90)  Q3 104
      customer  "Delight customers"       Net promoter      target 50, red flag 40    Q3 45

With target 100 and red flag 90 a score is (10/3)·(1 + (a − 90)/10): 104 → 8.
With target 50 and red flag 40: 45 → (10/3)·(1 + 5/10) = 5.
Q3 scorecard: (8 + 5)/2 = 6.5, amber (below 6.666667).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import KPI, ScoreSnapshot
from kpis.recompute import recompute_everything
from kpis.scoring import AMBER, GREEN
from scorecard import selectors
from scorecard import services as core
from scorecard.celery import app as celery_app
from scorecard.models import Period, Perspective
from strategy import services as strategy_services
from strategy.models import Objective

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)
LATER = date(2026, 12, 31)


@dataclass
class World:
    q3: Period
    revenue_objective: Objective
    customer_objective: Objective
    revenue: KPI
    promoter: KPI


@pytest.fixture
def world(org, people, time_machine) -> World:
    time_machine.move_to(NOW, tick=False)
    scorecard = org.north_sales.scorecard
    revenue_objective = strategy_services.objective_create(
        scorecard=scorecard, perspective=Perspective.objects.get(order=4), title="Grow revenue"
    )
    customer_objective = strategy_services.objective_create(
        scorecard=scorecard,
        perspective=Perspective.objects.get(order=3),
        title="Delight customers",
    )
    revenue = kpi_services.kpi_create(objective=revenue_objective, name="Regional revenue")
    promoter = kpi_services.kpi_create(objective=customer_objective, name="Net promoter")
    q3 = core.period_for_key("FY2026-Q3")
    kpi_services.target_set(kpi=revenue, period=q3, value=Decimal("100"))
    kpi_services.target_set(kpi=promoter, period=q3, value=Decimal("50"), red_flag="40")
    kpi_services.actual_enter(kpi=revenue, period=q3, value="104", today=LATER)
    kpi_services.actual_enter(kpi=promoter, period=q3, value="45", today=LATER)
    # Whatever the building left stale, the test starts from fresh snapshots.
    recompute_everything()
    world = World(q3, revenue_objective, customer_objective, revenue, promoter)
    assert scorecard_score(org, q3) == (Decimal("6.500000"), AMBER, 2, 2)
    return world


def scorecard_score(org, period):
    row = ScoreSnapshot.objects.get(
        period=period, subject_type="scorecard", subject_id=org.north_sales.scorecard.pk
    )
    return (row.score, row.status, row.reported, row.total)


def rows_a_full_recompute_changes() -> int:
    return sum(result.changed for result in recompute_everything())


def test_archiving_an_objective_in_the_editor_recomputes_at_once(world, org, people, client):
    client.force_login(people.manager)
    url = reverse(
        "editor:objective_archive",
        kwargs={"slug": org.north_sales.slug, "objective_id": world.customer_objective.pk},
    )
    assert client.post(url).status_code == 302  # back to the editor
    # Archived on 15 May, before Q3 starts: the customer objective is no member of Q3, and
    # neither is its perspective (no objective left in it). The scorecard is financial's 8.
    assert scorecard_score(org, world.q3) == (Decimal("8.000000"), GREEN, 1, 1)
    assert rows_a_full_recompute_changes() == 0


def test_archiving_a_kpi_in_the_editor_recomputes_at_once(world, org, people, client):
    client.force_login(people.manager)
    url = reverse(
        "editor:kpi_archive", kwargs={"slug": org.north_sales.slug, "kpi_id": world.promoter.pk}
    )
    assert client.post(url).status_code == 302  # back to the editor
    # The customer objective keeps its place but has no KPI in Q3: no score, so the
    # scorecard is financial's 8 alone, 1 of 2 perspectives reported.
    assert scorecard_score(org, world.q3) == (Decimal("8.000000"), GREEN, 1, 2)
    assert rows_a_full_recompute_changes() == 0


def test_changing_a_perspective_weight_outside_a_transaction_recomputes_at_once(world, org):
    # No API sets perspective weights: a script, the shell or the admin calls the service
    # itself, with no atomic block open.
    core.perspective_weight_set(
        scorecard=org.north_sales.scorecard,
        perspective=Perspective.objects.get(order=4),
        weight=Decimal("3"),
    )
    # (3 · 8 + 1 · 5) / 4 = 29/4 = 7.25, green.
    assert scorecard_score(org, world.q3) == (Decimal("7.250000"), GREEN, 2, 2)
    assert rows_a_full_recompute_changes() == 0


def test_reading_a_new_quarter_in_the_api_leaves_nothing_for_the_nightly_run(world, people):
    api = APIClient()
    api.force_authenticate(people.executive)
    response = api.get("/api/scores/", {"period": "FY2026-Q4"})
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert rows_a_full_recompute_changes() == 0


def test_opening_a_quarter_outside_a_transaction_gives_it_its_snapshots(world, org):
    q4 = core.period_open(selectors.period_lookup("FY2026-Q4"))
    # Targets are set for Q3 only: both KPIs read no_target in Q4, so every aggregate has
    # no score; the snapshots exist all the same, written at once.
    row = ScoreSnapshot.objects.get(period=q4, subject_type="kpi", subject_id=world.revenue.pk)
    assert (row.status, row.reported, row.total) == ("no_target", 0, 1)
    assert rows_a_full_recompute_changes() == 0


def test_the_daily_task_opens_the_running_quarter_with_its_snapshots(world, org):
    from scorecard.tasks import open_current_quarter

    assert not Period.objects.filter(fiscal_year=2026, quarter=2).exists()
    assert open_current_quarter.delay().get() == "FY2026-Q2"
    q2 = Period.objects.get(fiscal_year=2026, quarter=2)
    assert (q2.start, q2.end) == (date(2026, 4, 1), date(2026, 6, 30))
    assert ScoreSnapshot.objects.filter(period=q2, subject_type="kpi").count() == 2
    assert rows_a_full_recompute_changes() == 0
    # Run again the same day: the quarter is there, nothing is created twice.
    assert open_current_quarter.delay().get() == "FY2026-Q2"
    assert Period.objects.filter(fiscal_year=2026, quarter=2).count() == 1


def test_beat_opens_the_running_quarter_every_day():
    entry = celery_app.conf.beat_schedule["daily-open-current-quarter"]
    assert entry["task"] == "scorecard.tasks.open_current_quarter"
    assert entry["schedule"].hour == {0} and entry["schedule"].minute == {5}
