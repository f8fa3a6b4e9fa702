"""Recomputing score snapshots in the database (DESIGN.md section 4, "When it runs").

Writes go through the services; their on-commit callbacks run with pytest-django's
`django_capture_on_commit_callbacks(execute=True)`, and Celery runs eagerly (tests/conftest.py),
so a captured callback recomputes right there. Every expected number is worked out by hand in
the comment beside it.

The cascade used by most tests (all KPIs in USD, direction up, tolerance 10 %, all objectives in
the financial perspective):

    Acme         "Grow revenue"          acme revenue   roll-up sum,  target 200 (red flag 180)
    └ North      "Grow north revenue"    north revenue  roll-up sum → acme revenue, target 100
      └ N. Sales "Win regional deals"    sales revenue  entered → north revenue, target 100
                                         deals won      entered, target 10 (red flag 9)
    └ South Ops  "Grow south revenue"    south revenue  entered → acme revenue, target 100
    (objectives: N. Sales supports North, North supports Acme, South Ops supports Acme)

With target 100 and red flag 90 a score is (10/3)·(1 + (a − 90)/10) = (a − 80)/3; with target
200 and red flag 180 it is (10/3)·(1 + (a − 180)/20); with target 10 and red flag 9 it is
(10/3)·(1 + (a − 9)/1).

Actuals:         Q1 (FY2026, Jan–Mar)       Q2 (Apr–Jun)          Q3 (Jul–Sep)
  sales revenue  104 → 8 (where entered)    92 → 4                110 → 10
  deals won      10 → 6.666667              9.6 → 16/3 = 5.333333 10 → 6.666667
  south revenue  110 → 10                   92 → 4                104 → 8
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kpis import recompute
from kpis import services as kpi_services
from kpis.models import KPI, ScoreSnapshot
from kpis.recompute import recompute_everything, recompute_units
from kpis.scoring import AMBER, GREEN, NO_DATA, RED
from kpis.signals import kpi_status_changed
from scorecard import services as core
from scorecard.models import OrgUnit, Perspective
from strategy import services as strategy_services
from strategy.models import Objective
from tests.factories import org_unit

pytestmark = pytest.mark.django_db

# Mid-Q2: Q1 and Q2 have started, Q3 and Q4 start after it.
NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)
# Actuals of quarters that start after NOW are entered "as of" this day.
LATER = date(2026, 12, 31)
COMMENT = "Explained in the quarterly review."


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (and the eager recompute they queue) at the block's end."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def enter(kpi, period, value):
    return kpi_services.actual_enter(
        kpi=kpi, period=period, value=Decimal(value), comment=COMMENT, today=LATER
    )


def set_target(kpi, period, value, red_flag=None):
    return kpi_services.target_set(kpi=kpi, period=period, value=Decimal(value), red_flag=red_flag)


# Reading snapshots ------------------------------------------------------------------------------


def _row(period, subject_type, subject_id, scorecard=None):
    rows = ScoreSnapshot.objects.filter(
        period=period, subject_type=subject_type, subject_id=subject_id
    )
    if scorecard is not None:
        rows = rows.filter(scorecard=scorecard)
    row = rows.first()
    if row is None:
        return None
    return (row.value, row.score, row.status, row.reported, row.total)


def kpi_row(kpi, period):
    return _row(period, "kpi", kpi.pk)


def objective_row(objective, period):
    return _row(period, "objective", objective.pk)


def perspective_row(unit, perspective, period):
    return _row(period, "perspective", perspective.pk, scorecard=unit.scorecard)


def scorecard_row(unit, period):
    return _row(period, "scorecard", unit.scorecard.pk)


def value(number, score, status, reported, total):
    return (
        None if number is None else Decimal(number),
        None if score is None else Decimal(score),
        status,
        reported,
        total,
    )


def aggregate(score, status, reported, total):
    return value(None, score, status, reported, total)


def all_snapshots():
    return {
        (row.period_id, row.scorecard_id, row.subject_type, row.subject_id): (
            row.value,
            row.score,
            row.status,
            row.reported,
            row.total,
        )
        for row in ScoreSnapshot.objects.all()
    }


def assert_full_recompute_changes_nothing():
    results = recompute_everything()
    assert results, "no periods were recomputed"
    assert [result.changed for result in results] == [0] * len(results)


# The cascade -----------------------------------------------------------------------------------


@dataclass
class Cascade:
    org: object
    financial: Perspective
    q1: object
    q2: object
    q3: object
    acme_objective: Objective
    north_objective: Objective
    sales_objective: Objective
    south_objective: Objective
    acme_revenue: KPI
    north_revenue: KPI
    sales_revenue: KPI
    deals: KPI
    south_revenue: KPI


def build_cascade(org, financial) -> Cascade:
    q1, q2, q3 = (core.period_for_key(f"FY2026-Q{n}") for n in (1, 2, 3))
    create_objective = strategy_services.objective_create
    acme_objective = create_objective(
        scorecard=org.acme.scorecard, perspective=financial, title="Grow revenue"
    )
    north_objective = create_objective(
        scorecard=org.north.scorecard,
        perspective=financial,
        title="Grow north revenue",
        supports=[acme_objective],
    )
    sales_objective = create_objective(
        scorecard=org.north_sales.scorecard,
        perspective=financial,
        title="Win regional deals",
        supports=[north_objective],
    )
    south_objective = create_objective(
        scorecard=org.south_ops.scorecard,
        perspective=financial,
        title="Grow south revenue",
        supports=[acme_objective],
    )
    create_kpi = kpi_services.kpi_create
    # These sums leave a missing child out, as every roll-up did before the missing-children
    # rule (a sum's default is now require_all: tests/kpis/test_missing_children.py).
    rollup = {
        "source": KPI.Source.ROLLUP,
        "rollup_method": KPI.RollupMethod.SUM,
        "missing_children": KPI.MissingChildren.IGNORE,
    }
    acme_revenue = create_kpi(objective=acme_objective, name="Revenue", unit="USD", **rollup)
    north_revenue = create_kpi(
        objective=north_objective,
        name="North revenue",
        unit="USD",
        rolls_up_to=acme_revenue,
        **rollup,
    )
    sales_revenue = create_kpi(
        objective=sales_objective, name="Sales revenue", unit="USD", rolls_up_to=north_revenue
    )
    deals = create_kpi(objective=sales_objective, name="Deals won", unit="deals")
    south_revenue = create_kpi(
        objective=south_objective, name="South revenue", unit="USD", rolls_up_to=acme_revenue
    )
    for period in (q1, q2, q3):
        set_target(acme_revenue, period, "200")
        for kpi in (north_revenue, sales_revenue, south_revenue):
            set_target(kpi, period, "100")
        set_target(deals, period, "10")
    for period, south, deals_won in ((q1, "110", "10"), (q2, "92", "9.6"), (q3, "104", "10")):
        enter(south_revenue, period, south)
        enter(deals, period, deals_won)
    enter(sales_revenue, q2, "92")
    enter(sales_revenue, q3, "110")
    return Cascade(
        org=org,
        financial=financial,
        q1=q1,
        q2=q2,
        q3=q3,
        acme_objective=acme_objective,
        north_objective=north_objective,
        sales_objective=sales_objective,
        south_objective=south_objective,
        acme_revenue=acme_revenue,
        north_revenue=north_revenue,
        sales_revenue=sales_revenue,
        deals=deals,
        south_revenue=south_revenue,
    )


@pytest.fixture
def cascade(org, financial, clock, capture) -> Cascade:
    """The cascade with every actual but Q1's sales revenue, recomputed through the services.

    Building it inside a capture block also sends whatever an earlier test left pending on
    the connection, so each test starts with nothing queued."""
    with capture():
        return build_cascade(org, financial)


@pytest.fixture
def full_cascade(cascade, capture) -> Cascade:
    with capture():
        enter(cascade.sales_revenue, cascade.q1, "104")
    return cascade


# Baseline of the full cascade, hand-worked:
#   Q1: sales 8, deals 6.666667 → sales objective (8 + 6.666667)/2 = 7.3333335 → 7.333334;
#       north revenue 104 → 8; north objective (8 + 7.333334)/2 = 7.666667;
#       acme revenue 104 + 110 = 214 → (10/3)·(1 + 34/20) = 9; south objective 10;
#       acme objective (9 + 7.666667 + 10)/3 = 26.666667/3 = 8.888889
#   Q2: sales 4, deals 5.333333 → sales objective 9.333333/2 = 4.6666665 → 4.666667;
#       north revenue 92 → 4; north objective (4 + 4.666667)/2 = 4.3333335 → 4.333334;
#       acme revenue 92 + 92 = 184 → (10/3)·(1 + 4/20) = 4; south objective 4;
#       acme objective (4 + 4.333334 + 4)/3 = 12.333334/3 = 4.1111113 → 4.111111
#   Q3: sales 10, deals 6.666667 → sales objective 16.666667/2 = 8.3333335 → 8.333334;
#       north revenue 110 → 10; north objective (10 + 8.333334)/2 = 9.166667;
#       acme revenue 110 + 104 = 214 → 9; south objective 8;
#       acme objective (9 + 9.166667 + 8)/3 = 26.166667/3 = 8.7222223 → 8.722222


def test_it_has_the_hand_worked_baseline(full_cascade):
    c = full_cascade
    assert objective_row(c.sales_objective, c.q1) == aggregate("7.333334", GREEN, 2, 2)
    assert objective_row(c.north_objective, c.q1) == aggregate("7.666667", GREEN, 2, 2)
    assert objective_row(c.acme_objective, c.q1) == aggregate("8.888889", GREEN, 3, 3)
    assert objective_row(c.sales_objective, c.q2) == aggregate("4.666667", AMBER, 2, 2)
    assert objective_row(c.north_objective, c.q2) == aggregate("4.333334", AMBER, 2, 2)
    assert objective_row(c.acme_objective, c.q2) == aggregate("4.111111", AMBER, 3, 3)
    assert objective_row(c.sales_objective, c.q3) == aggregate("8.333334", GREEN, 2, 2)
    assert objective_row(c.north_objective, c.q3) == aggregate("9.166667", GREEN, 2, 2)
    assert objective_row(c.acme_objective, c.q3) == aggregate("8.722222", GREEN, 3, 3)
    assert_full_recompute_changes_nothing()


# Entering an actual ----------------------------------------------------------------------------


def test_it_recomputes_the_chain_above_an_entered_actual(cascade, capture):
    c, org, q1 = cascade, cascade.org, cascade.q1
    # Before: sales revenue has no actual, so north revenue has no value; acme revenue is
    # south's 110 alone (1 of 2): (10/3)·(1 + (110 − 180)/20) < 0 → 0, red; the sales
    # objective is deals alone, 6.666667 (1 of 2), and so is the north objective (its KPI has
    # no score); acme objective (0 + 6.666667 + 10)/3 = 16.666667/3 = 5.5555557 → 5.555556
    assert kpi_row(c.sales_revenue, q1) == value(None, None, NO_DATA, 0, 1)
    assert kpi_row(c.north_revenue, q1) == value(None, None, NO_DATA, 0, 1)
    assert kpi_row(c.acme_revenue, q1) == value("110", "0", RED, 1, 2)
    assert objective_row(c.north_objective, q1) == aggregate("6.666667", GREEN, 1, 2)
    assert objective_row(c.acme_objective, q1) == aggregate("5.555556", AMBER, 3, 3)

    with capture():
        enter(c.sales_revenue, q1, "104")

    # The KPI: (104 − 80)/3 = 8 → green
    assert kpi_row(c.sales_revenue, q1) == value("104", "8", GREEN, 1, 1)
    # Its objective, perspective and scorecard: (8 + 6.666667)/2 = 7.3333335 → 7.333334
    assert objective_row(c.sales_objective, q1) == aggregate("7.333334", GREEN, 2, 2)
    sales_financial = perspective_row(org.north_sales, c.financial, q1)
    assert sales_financial == aggregate("7.333334", GREEN, 1, 1)
    assert scorecard_row(org.north_sales, q1) == aggregate("7.333334", GREEN, 1, 1)
    # The roll-up KPI above: 104 (1 of 1) → 8; the supported objective:
    # (8 + 7.333334)/2 = 7.666667 → green, and North's perspective and scorecard with it
    assert kpi_row(c.north_revenue, q1) == value("104", "8", GREEN, 1, 1)
    assert objective_row(c.north_objective, q1) == aggregate("7.666667", GREEN, 2, 2)
    assert perspective_row(org.north, c.financial, q1) == aggregate("7.666667", GREEN, 1, 1)
    assert scorecard_row(org.north, q1) == aggregate("7.666667", GREEN, 1, 1)
    # The top: 104 + 110 (South's stored value) = 214 → (10/3)·(1 + 34/20) = 9, 2 of 2;
    # (9 + 7.666667 + 10)/3 = 26.666667/3 = 8.8888890 → 8.888889
    assert kpi_row(c.acme_revenue, q1) == value("214", "9", GREEN, 2, 2)
    assert objective_row(c.acme_objective, q1) == aggregate("8.888889", GREEN, 3, 3)
    assert perspective_row(org.acme, c.financial, q1) == aggregate("8.888889", GREEN, 1, 1)
    assert scorecard_row(org.acme, q1) == aggregate("8.888889", GREEN, 1, 1)
    # Off the chain, nothing moved: south objective (110 − 80)/3 = 30/3 = 10
    assert objective_row(c.south_objective, q1) == aggregate("10", GREEN, 1, 1)
    assert_full_recompute_changes_nothing()


def test_it_queues_one_task_for_all_the_writes_of_a_transaction(cascade, capture):
    c = cascade
    with mock.patch("kpis.tasks.recompute_units.delay") as delay:
        with capture() as callbacks:
            with transaction.atomic():
                enter(c.sales_revenue, c.q1, "104")
                set_target(c.north_revenue, c.q1, "120")
                set_target(c.south_revenue, c.q2, "90")
                enter(c.south_revenue, c.q2, "95")
            assert delay.call_count == 0  # nothing before the commit
        assert len(callbacks) >= 4  # one registered per write…
    # …and one task with the union of the units and periods
    units = sorted([c.org.north_sales.pk, c.org.north.pk, c.org.south_ops.pk])
    delay.assert_called_once_with(units, sorted([c.q1.pk, c.q2.pk]))


# Structural changes ----------------------------------------------------------------------------


def test_it_recomputes_every_period_after_a_kpi_weight_change(full_cascade, capture):
    c = full_cascade
    with capture():
        kpi_services.kpi_update(kpi=c.deals, weight=Decimal("3"))
    # Q1: sales objective (8 + 6.666667×3)/4 = 28.000001/4 = 7.00000025 → 7.000000;
    #     north (8 + 7)/2 = 7.5; acme (9 + 7.5 + 10)/3 = 26.5/3 = 8.8333333 → 8.833333
    assert objective_row(c.sales_objective, c.q1) == aggregate("7", GREEN, 2, 2)
    assert scorecard_row(c.org.north_sales, c.q1) == aggregate("7", GREEN, 1, 1)
    assert objective_row(c.north_objective, c.q1) == aggregate("7.5", GREEN, 2, 2)
    assert objective_row(c.acme_objective, c.q1) == aggregate("8.833333", GREEN, 3, 3)
    assert scorecard_row(c.org.acme, c.q1) == aggregate("8.833333", GREEN, 1, 1)
    # Q2: (4 + 5.333333×3)/4 = 19.999999/4 = 4.99999975 → 5.000000; north (4 + 5)/2 = 4.5;
    #     acme (4 + 4.5 + 4)/3 = 12.5/3 = 4.1666667 → 4.166667
    assert objective_row(c.sales_objective, c.q2) == aggregate("5", AMBER, 2, 2)
    assert objective_row(c.north_objective, c.q2) == aggregate("4.5", AMBER, 2, 2)
    assert objective_row(c.acme_objective, c.q2) == aggregate("4.166667", AMBER, 3, 3)
    # Q3: (10 + 6.666667×3)/4 = 30.000001/4 = 7.50000025 → 7.500000; north (10 + 7.5)/2
    #     = 8.75; acme (9 + 8.75 + 8)/3 = 25.75/3 = 8.5833333 → 8.583333
    assert objective_row(c.sales_objective, c.q3) == aggregate("7.5", GREEN, 2, 2)
    assert objective_row(c.north_objective, c.q3) == aggregate("8.75", GREEN, 2, 2)
    assert objective_row(c.acme_objective, c.q3) == aggregate("8.583333", GREEN, 3, 3)
    assert_full_recompute_changes_nothing()


def test_it_recomputes_the_old_and_new_parent_when_a_kpi_rolls_up_elsewhere(full_cascade, capture):
    c = full_cascade
    with capture():
        kpi_services.kpi_update(kpi=c.sales_revenue, rolls_up_to=c.acme_revenue)
    # Old parent: north revenue has no child left → no value, no_data (it has a target), 0 of 0;
    # the north objective keeps the sales objective alone.
    # New parent: acme revenue = north (none), sales, south → 2 of 3.
    # Q1: acme revenue 104 + 110 = 214 → 9; acme objective (9 + 7.333334 + 10)/3
    #     = 26.333334/3 = 8.7777780 → 8.777778
    assert kpi_row(c.north_revenue, c.q1) == value(None, None, NO_DATA, 0, 0)
    assert objective_row(c.north_objective, c.q1) == aggregate("7.333334", GREEN, 1, 2)
    assert kpi_row(c.acme_revenue, c.q1) == value("214", "9", GREEN, 2, 3)
    assert objective_row(c.acme_objective, c.q1) == aggregate("8.777778", GREEN, 3, 3)
    # Q2: acme revenue 92 + 92 = 184 → 4; (4 + 4.666667 + 4)/3 = 12.666667/3 = 4.2222223
    #     → 4.222222
    assert kpi_row(c.north_revenue, c.q2) == value(None, None, NO_DATA, 0, 0)
    assert objective_row(c.north_objective, c.q2) == aggregate("4.666667", AMBER, 1, 2)
    assert kpi_row(c.acme_revenue, c.q2) == value("184", "4", AMBER, 2, 3)
    assert objective_row(c.acme_objective, c.q2) == aggregate("4.222222", AMBER, 3, 3)
    # Q3: acme revenue 110 + 104 = 214 → 9; (9 + 8.333334 + 8)/3 = 25.333334/3 = 8.4444447
    #     → 8.444445
    assert objective_row(c.north_objective, c.q3) == aggregate("8.333334", GREEN, 1, 2)
    assert kpi_row(c.acme_revenue, c.q3) == value("214", "9", GREEN, 2, 3)
    assert objective_row(c.acme_objective, c.q3) == aggregate("8.444445", GREEN, 3, 3)
    assert scorecard_row(c.org.acme, c.q3) == aggregate("8.444445", GREEN, 1, 1)
    assert_full_recompute_changes_nothing()


def test_it_drops_an_archived_objective_from_later_periods_only(full_cascade, capture):
    c, org = full_cascade, full_cascade.org
    learning = Perspective.objects.get(order=1)
    with capture():
        training = strategy_services.objective_create(
            scorecard=org.north_sales.scorecard,
            perspective=learning,
            title="Train the sales team",
            supports=[c.north_objective],
        )
        hours = kpi_services.kpi_create(objective=training, name="Training hours", unit="h")
        for period, hours_done in ((c.q1, "10.4"), (c.q2, "9.6"), (c.q3, "11")):
            set_target(hours, period, "10")
            enter(hours, period, hours_done)
    # Training hours, target 10, red flag 9: Q2 9.6 → 16/3 = 5.333333; Q3 11 → 10.
    # Q3 before archiving: North Sales (8.333334 + 10)/2 = 9.166667; north objective
    # (10 + 8.333334 + 10)/3 = 28.333334/3 = 9.4444447 → 9.444445; acme objective
    # (9 + 9.444445 + 8)/3 = 26.444445/3 = 8.8148150 → 8.814815
    assert scorecard_row(org.north_sales, c.q3) == aggregate("9.166667", GREEN, 2, 2)
    assert objective_row(c.north_objective, c.q3) == aggregate("9.444445", GREEN, 3, 3)
    assert objective_row(c.acme_objective, c.q3) == aggregate("8.814815", GREEN, 3, 3)

    with capture():
        strategy_services.objective_archive(objective=training)  # on NOW, 15 May 2026

    # Q2 started (1 April) before the archive: the objective is still a member.
    # North Sales (4.666667 + 5.333333)/2 = 5; north (4 + 4.666667 + 5.333333)/3 = 14/3
    # = 4.6666667 → 4.666667; acme (4 + 4.666667 + 4)/3 = 12.666667/3 → 4.222222
    assert objective_row(training, c.q2) == aggregate("5.333333", AMBER, 1, 1)
    assert scorecard_row(org.north_sales, c.q2) == aggregate("5", AMBER, 2, 2)
    assert objective_row(c.north_objective, c.q2) == aggregate("4.666667", AMBER, 3, 3)
    assert objective_row(c.acme_objective, c.q2) == aggregate("4.222222", AMBER, 3, 3)
    # Q3 starts (1 July) after it: no member. Its snapshot goes, learning has no objective
    # (not a member of the scorecard); North Sales = financial 8.333334 alone;
    # north (10 + 8.333334)/2 = 9.166667; acme (9 + 9.166667 + 8)/3 = 8.7222223 → 8.722222
    assert objective_row(training, c.q3) is None
    assert perspective_row(org.north_sales, learning, c.q3) == aggregate(None, NO_DATA, 0, 0)
    assert scorecard_row(org.north_sales, c.q3) == aggregate("8.333334", GREEN, 1, 1)
    assert objective_row(c.north_objective, c.q3) == aggregate("9.166667", GREEN, 2, 2)
    assert objective_row(c.acme_objective, c.q3) == aggregate("8.722222", GREEN, 3, 3)
    assert_full_recompute_changes_nothing()


def test_it_recomputes_the_old_and_new_supported_objective(full_cascade, capture):
    c = full_cascade
    with capture():
        strategy_services.objective_update(objective=c.sales_objective, supports=[c.acme_objective])
    # Old: the north objective keeps its KPI alone. New: acme has four members.
    # Q1: north 8; acme (9 + 8 + 10 + 7.333334)/4 = 34.333334/4 = 8.5833335 → 8.583334
    assert objective_row(c.north_objective, c.q1) == aggregate("8", GREEN, 1, 1)
    assert objective_row(c.acme_objective, c.q1) == aggregate("8.583334", GREEN, 4, 4)
    # Q2: north 4; acme (4 + 4 + 4 + 4.666667)/4 = 16.666667/4 = 4.16666675 → 4.166667
    assert objective_row(c.north_objective, c.q2) == aggregate("4", AMBER, 1, 1)
    assert objective_row(c.acme_objective, c.q2) == aggregate("4.166667", AMBER, 4, 4)
    # Q3: north 10; acme (9 + 10 + 8 + 8.333334)/4 = 35.333334/4 = 8.8333335 → 8.833334
    assert objective_row(c.north_objective, c.q3) == aggregate("10", GREEN, 1, 1)
    assert objective_row(c.acme_objective, c.q3) == aggregate("8.833334", GREEN, 4, 4)
    assert scorecard_row(c.org.acme, c.q3) == aggregate("8.833334", GREEN, 1, 1)
    assert_full_recompute_changes_nothing()


# Incremental equals full -----------------------------------------------------------------------


class Edits:
    """Random edits of the cascade (grown a little), each through a service."""

    def __init__(self, cascade: Cascade, rng: random.Random, clock) -> None:
        self.c = cascade
        self.rng = rng
        self.clock = clock
        org = cascade.org
        self.periods = [cascade.q1, cascade.q2, cascade.q3, core.period_for_key("FY2026-Q4")]
        customer = Perspective.objects.get(order=3)
        learning = Perspective.objects.get(order=1)
        create_objective = strategy_services.objective_create
        self.south_objective = create_objective(
            scorecard=org.south.scorecard,
            perspective=cascade.financial,
            title="Grow the south",
            supports=[cascade.acme_objective],
        )
        self.customer_objective = create_objective(
            scorecard=org.acme.scorecard, perspective=customer, title="Delight customers"
        )
        self.training = create_objective(
            scorecard=org.north_sales.scorecard,
            perspective=learning,
            title="Train the sales team",
            supports=[cascade.north_objective],
        )
        self.south_division_revenue = kpi_services.kpi_create(
            objective=self.south_objective,
            name="South division revenue",
            unit="USD",
            source=KPI.Source.ROLLUP,
            rollup_method=KPI.RollupMethod.AVERAGE,
            rolls_up_to=cascade.acme_revenue,
        )
        self.satisfaction = kpi_services.kpi_create(
            objective=self.customer_objective, name="Satisfaction", unit="%"
        )
        self.hours = kpi_services.kpi_create(objective=self.training, name="Hours", unit="h")

    # What each random step may touch.
    def manual_kpis(self):
        c = self.c
        return [c.sales_revenue, c.deals, c.south_revenue, self.satisfaction, self.hours]

    def all_kpis(self):
        c = self.c
        return [
            *self.manual_kpis(),
            c.acme_revenue,
            c.north_revenue,
            self.south_division_revenue,
        ]

    def objectives(self):
        c = self.c
        return [
            c.acme_objective,
            c.north_objective,
            c.sales_objective,
            c.south_objective,
            self.south_objective,
            self.customer_objective,
            self.training,
        ]

    def pick(self, items):
        return self.rng.choice(items)

    def fresh(self, item):
        item.refresh_from_db()
        return item

    def number(self, low, high):
        # Six decimal places, like a stored actual.
        return Decimal(self.rng.randrange(low * 10**6, high * 10**6)) / 10**6

    def step(self) -> str:
        operations = [
            self.enter_actual,
            self.enter_actual,
            self.enter_actual,
            self.set_target,
            self.set_target,
            self.change_kpi_weight,
            self.change_objective_weight,
            self.change_perspective_weight,
            self.move_rollup,
            self.change_rollup_method,
            self.change_supports,
            self.flip_direction,
            self.archive,
        ]
        return self.pick(operations)()

    def enter_actual(self):
        kpi, period = self.fresh(self.pick(self.manual_kpis())), self.pick(self.periods)
        amount = self.number(0, 150)
        enter(kpi, period, amount)
        return f"actual {kpi} {period} = {amount}"

    def set_target(self):
        kpi, period = self.fresh(self.pick(self.all_kpis())), self.pick(self.periods)
        amount = self.number(1, 150)
        red_flag = None
        if self.rng.random() < 0.4:
            margin = self.number(1, 20)
            red_flag = amount - margin if kpi.direction == KPI.Direction.UP else amount + margin
        set_target(kpi, period, amount, red_flag)
        return f"target {kpi} {period} = {amount} (red flag {red_flag})"

    def change_kpi_weight(self):
        kpi = self.fresh(self.pick(self.all_kpis()))
        weight = self.pick([Decimal("0"), Decimal("1"), Decimal("2"), Decimal("3.5")])
        kpi_services.kpi_update(kpi=kpi, weight=weight)
        return f"weight of {kpi} = {weight}"

    def change_objective_weight(self):
        objective = self.fresh(self.pick(self.objectives()))
        weight = self.pick([Decimal("0"), Decimal("1"), Decimal("2"), Decimal("4")])
        strategy_services.objective_update(objective=objective, weight=weight)
        return f"weight of {objective} = {weight}"

    def change_perspective_weight(self):
        unit = self.pick([self.c.org.acme, self.c.org.north_sales])
        perspective = self.pick(list(Perspective.objects.all()))
        weight = self.pick([Decimal("0"), Decimal("1"), Decimal("3")])
        core.perspective_weight_set(
            scorecard=unit.scorecard, perspective=perspective, weight=weight
        )
        return f"perspective weight {unit} {perspective} = {weight}"

    def move_rollup(self):
        c = self.c
        kpi, parents = self.pick(
            [
                (c.sales_revenue, [c.north_revenue, c.acme_revenue, None]),
                (c.south_revenue, [self.south_division_revenue, c.acme_revenue, None]),
                (c.north_revenue, [c.acme_revenue, None]),
            ]
        )
        parent = self.pick(parents)
        kpi_services.kpi_update(kpi=self.fresh(kpi), rolls_up_to=parent)
        return f"{kpi} rolls up to {parent}"

    def change_rollup_method(self):
        c = self.c
        kpi = self.fresh(self.pick([c.acme_revenue, c.north_revenue, self.south_division_revenue]))
        method = self.pick(list(KPI.RollupMethod.values))
        kpi_services.kpi_update(kpi=kpi, rollup_method=method)
        return f"{kpi} rolls up by {method}"

    def change_supports(self):
        c = self.c
        objective, candidates = self.pick(
            [
                (c.sales_objective, [c.north_objective, c.acme_objective]),
                (self.training, [c.north_objective, c.acme_objective]),
                (c.south_objective, [self.south_objective, c.acme_objective]),
                (c.north_objective, [c.acme_objective]),
            ]
        )
        supports = [o for o in candidates if self.rng.random() < 0.5]
        strategy_services.objective_update(objective=self.fresh(objective), supports=supports)
        return f"{objective} supports {[str(o) for o in supports]}"

    def flip_direction(self):
        # A flip is refused while explicit red flags are stored (they would land on the good
        # side): as its message says, they are cleared first, to the default red flag.
        kpi = self.fresh(self.pick(self.manual_kpis()))
        for target in kpi.targets.filter(red_flag__isnull=False).select_related("period"):
            set_target(kpi, target.period, target.value)
        direction = KPI.Direction.DOWN if kpi.direction == KPI.Direction.UP else KPI.Direction.UP
        kpi_services.kpi_update(kpi=self.fresh(kpi), direction=direction)
        return f"{kpi} direction {direction}"

    def archive(self):
        # Archive on a random day, so that it falls before, on or after period starts.
        day = self.pick([date(2026, 2, 10), date(2026, 4, 1), date(2026, 5, 15), date(2026, 8, 3)])
        self.clock.move_to(datetime.combine(day, datetime.min.time(), tzinfo=UTC), tick=False)
        c = self.c
        if self.rng.random() < 0.5:
            candidates = [c.deals, self.hours, self.satisfaction, c.south_revenue]
            kpi = self.fresh(self.pick(candidates))
            if kpi.archived_at:
                return f"{kpi} already archived"
            kpi_services.kpi_archive(kpi=kpi)
            return f"archive {kpi} on {day}"
        objective = self.fresh(
            self.pick([self.training, self.customer_objective, self.south_objective])
        )
        if objective.archived_at:
            return f"{objective} already archived"
        strategy_services.objective_archive(objective=objective)
        return f"archive {objective} on {day}"


@pytest.mark.slow
def test_it_finds_nothing_to_change_in_a_full_recompute_after_random_edits(
    full_cascade, capture, clock
):
    rng = random.Random(7)
    with capture():
        edits = Edits(full_cascade, rng, clock)
    history = []
    for number in range(60):
        with capture():
            try:
                history.append(f"{number}: {edits.step()}")
            except ValidationError as error:
                history.append(f"{number}: refused {error.messages}")
        changed = [(result.period_id, result.changed) for result in recompute_everything()]
        assert all(count == 0 for _, count in changed), (
            "the full recompute changed snapshots the incremental one left behind "
            f"{changed} after:\n" + "\n".join(history)
        )
    assert sum("refused" in line for line in history) < 10, "\n".join(history)


def test_it_changes_nothing_when_run_twice(full_cascade):
    ScoreSnapshot.objects.all().delete()
    first = recompute_everything()
    assert all(result.written > 0 for result in first)
    assert [result.changed for result in recompute_everything()] == [0] * len(first)
    again = recompute_units(
        unit_ids=[full_cascade.org.north_sales.pk, full_cascade.org.south_ops.pk],
        period_ids=[full_cascade.q1.pk, full_cascade.q2.pk, full_cascade.q3.pk],
    )
    # The three quarters and FY2026, which holds them (issue 15: longer periods follow).
    assert [result.changed for result in again] == [0, 0, 0, 0]


# Query count does not grow with breadth --------------------------------------------------------


def test_it_recomputes_a_team_with_as_many_queries_in_a_ten_times_broader_org(
    org, financial, capture, clock
):
    period = core.period_for_key("FY2026-Q1")
    # These sums leave a missing child out, as every roll-up did before the missing-children
    # rule (a sum's default is now require_all: tests/kpis/test_missing_children.py).
    rollup = {
        "source": KPI.Source.ROLLUP,
        "rollup_method": KPI.RollupMethod.SUM,
        "missing_children": KPI.MissingChildren.IGNORE,
    }

    def add_team(number, division_objective, division_revenue):
        team = org_unit(f"Team {number}", "team", division)
        objective = strategy_services.objective_create(
            scorecard=team.scorecard,
            perspective=financial,
            title=f"Grow team {number}",
            supports=[division_objective],
        )
        kpi = kpi_services.kpi_create(
            objective=objective, name="Revenue", unit="USD", rolls_up_to=division_revenue
        )
        set_target(kpi, period, "100")
        enter(kpi, period, "104")
        return team, kpi

    with capture():
        acme_objective = strategy_services.objective_create(
            scorecard=org.acme.scorecard, perspective=financial, title="Grow revenue"
        )
        acme_revenue = kpi_services.kpi_create(
            objective=acme_objective, name="Revenue", unit="USD", **rollup
        )
        division = org_unit("Field", "division", org.acme)
        division_objective = strategy_services.objective_create(
            scorecard=division.scorecard,
            perspective=financial,
            title="Grow the field",
            supports=[acme_objective],
        )
        division_revenue = kpi_services.kpi_create(
            objective=division_objective,
            name="Field revenue",
            unit="USD",
            rolls_up_to=acme_revenue,
            **rollup,
        )
        first_team, first_kpi = add_team(1, division_objective, division_revenue)
        add_team(2, division_objective, division_revenue)

    def count_queries(new_value):
        # Change the team's actual without running its recompute, then recompute it.
        with mock.patch("kpis.tasks.recompute_units.delay"), capture():
            enter(first_kpi, period, new_value)
        with CaptureQueriesContext(connection) as queries:
            results = recompute_units(unit_ids=[first_team.pk], period_ids=[period.pk])
        assert results[0].written > 0
        return queries

    small = count_queries("106")
    with capture():
        for number in range(3, 21):
            add_team(number, division_objective, division_revenue)
    assert OrgUnit.objects.filter(path__startswith=division.path, depth=3).count() == 20
    broad = count_queries("108")
    listing = "\n".join(
        [f"{len(small)} small / {len(broad)} broad", *(q["sql"] for q in broad.captured_queries)]
    )
    assert len(broad) == len(small), listing
    # 1 the calculated KPIs' graph (none here), 2 the units' paths, 3 the chain's scorecards,
    # 4 the periods and 5 the stored longer ones that hold them (FY2026 holds the quarter),
    # 6 SAVEPOINT, 7 both periods (locked), and the chain's structure once for both: 8 KPIs,
    # 9 objectives, 10 supports, 11 roll-up children outside the chain, 12 supporters
    # outside the chain, 13 perspectives, 14 perspective weights, 15 where each KPI's data
    # starts (the roll-up children that count). Then each period's numbers: targets,
    # actuals, the outside members' stored snapshots, the chain's stored snapshots, the
    # upsert (16-20 for the quarter; 21-25 for the year, and 26-29 its quarters for its
    # quarterly KPIs: their periods, actuals, roll-ups' stored values, targets);
    # 30 RELEASE SAVEPOINT.
    assert len(broad) == 30, listing


# Subjects that appear without a write -----------------------------------------------------------


def test_it_gives_a_new_scorecard_its_snapshots_without_waiting_for_the_nightly_run(
    full_cascade, capture
):
    with capture():
        support = org_unit("North Support", "team", full_cascade.org.north)
    # Its four perspectives and the scorecard itself, no_data and 0 of 0, in Q1–Q3: 15 rows
    # that only the nightly full recompute would write.
    assert_full_recompute_changes_nothing()
    assert scorecard_row(support, full_cascade.q1) == aggregate(None, NO_DATA, 0, 0)


def test_it_leaves_the_nightly_run_nothing_to_do_after_a_new_quarter_is_opened(
    full_cascade, capture
):
    with capture():
        q4 = core.period_for_key("FY2026-Q4")  # as a page or the API does for a new quarter
    assert_full_recompute_changes_nothing()
    assert kpi_row(full_cascade.sales_revenue, q4) == value(None, None, "no_target", 0, 1)


# A recompute that fails ------------------------------------------------------------------------


def test_it_leaves_the_snapshots_untouched_when_a_recompute_fails_and_repairs_them_next_time(
    full_cascade, capture, monkeypatch
):
    c = full_cascade
    before = all_snapshots()
    with mock.patch("kpis.tasks.recompute_units.delay"), capture():
        enter(c.sales_revenue, c.q1, "110")
    assert all_snapshots() == before

    real_write = recompute.write_snapshots

    def write_then_fail(**kwargs):
        real_write(**kwargs)
        raise RuntimeError("worker lost half-way")

    monkeypatch.setattr(recompute, "write_snapshots", write_then_fail)
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs["kpi_id"])

    kpi_status_changed.connect(receiver, weak=False)
    try:
        with capture(), pytest.raises(RuntimeError, match="half-way"):
            recompute_units(unit_ids=[c.org.north_sales.pk], period_ids=[c.q1.pk])
    finally:
        kpi_status_changed.disconnect(receiver)
    assert all_snapshots() == before
    assert received == []

    monkeypatch.setattr(recompute, "write_snapshots", real_write)
    recompute_units(unit_ids=[c.org.north_sales.pk], period_ids=[c.q1.pk])
    # sales 110 → 10; sales objective (10 + 6.666667)/2 = 8.3333335 → 8.333334;
    # north revenue 110 → 10; north objective (10 + 8.333334)/2 = 9.166667;
    # acme revenue 110 + 110 = 220 → (10/3)·(1 + 40/20) = 10;
    # acme objective (10 + 9.166667 + 10)/3 = 29.166667/3 = 9.7222223 → 9.722222
    assert kpi_row(c.sales_revenue, c.q1) == value("110", "10", GREEN, 1, 1)
    assert objective_row(c.sales_objective, c.q1) == aggregate("8.333334", GREEN, 2, 2)
    assert objective_row(c.north_objective, c.q1) == aggregate("9.166667", GREEN, 2, 2)
    assert kpi_row(c.acme_revenue, c.q1) == value("220", "10", GREEN, 2, 2)
    assert objective_row(c.acme_objective, c.q1) == aggregate("9.722222", GREEN, 3, 3)
    assert_full_recompute_changes_nothing()


# The status-changed signal ---------------------------------------------------------------------


@pytest.fixture
def status_changes():
    received = []

    def receiver(sender, *, kpi_id, period_id, old_status, new_status, **kwargs):
        received.append((kpi_id, period_id, old_status, new_status))

    kpi_status_changed.connect(receiver, weak=False)
    yield received
    kpi_status_changed.disconnect(receiver)


def test_it_announces_kpi_status_changes_after_commit(cascade, capture, status_changes):
    c, q1 = cascade, cascade.q1
    with capture():
        enter(c.sales_revenue, q1, "104")
        assert status_changes == []  # not before the commit
    # sales 104 → 8 green (was no_data); north revenue 104 → green (was no_data);
    # acme revenue 110 → 214: red → green. Deals and south revenue did not change.
    assert sorted(status_changes) == sorted(
        [
            (c.sales_revenue.pk, q1.pk, NO_DATA, GREEN),
            (c.north_revenue.pk, q1.pk, NO_DATA, GREEN),
            (c.acme_revenue.pk, q1.pk, RED, GREEN),
        ]
    )

    status_changes.clear()
    with capture():
        enter(c.sales_revenue, q1, "105")
    # 105 → 8.333333, still green; north green; acme 215 → still green: the scores moved, the
    # statuses did not, so nothing is announced.
    assert kpi_row(c.sales_revenue, q1) == value("105", "8.333333", GREEN, 1, 1)
    assert status_changes == []

    with mock.patch("kpis.tasks.recompute_units.delay"), capture():
        enter(c.sales_revenue, q1, "95")
    with capture():
        recompute_units(unit_ids=[c.org.north_sales.pk], period_ids=[q1.pk])
        assert status_changes == []  # recomputed, but its transaction has not committed yet
    # 95 → (95 − 80)/3 = 5 amber; north revenue 95 → amber; acme 95 + 110 = 205 ≥ 200 → green
    assert sorted(status_changes) == sorted(
        [
            (c.sales_revenue.pk, q1.pk, GREEN, AMBER),
            (c.north_revenue.pk, q1.pk, GREEN, AMBER),
        ]
    )
