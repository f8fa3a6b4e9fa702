"""The engine at every grain (issue 15; DESIGN.md section 4, "Frequencies and periods of
every length"), with hand-worked numbers. No database: every World is built by hand.

A monthly KPI (direction up, tolerance 10 %) has, in FY2026 (fiscal years from January):
- January: actual 85, target 100 with its red flag set at 80;
- February: actual 120, target 110 (default red flag 110 − 11 = 99);
- March: a target of 100 and no actual (does not count: it lacks an actual);
- July: an actual of 50 and no target (does not count: it lacks a target; only in the year).

So the quarter (Q1) and the year both count January and February ("2 of 3 months",
"2 of 12 months"), and by time aggregation, with s = (10/3)·(1 + (a − r)/(t − r)):
- sum:     a = 205,   t = 210, r = 179:  s = (10/3)·(1 + 26/31)   = 570/93  = 6.129032 amber
- average: a = 102.5, t = 105, r = 89.5: s = (10/3)·(1 + 13/15.5) = 6.129032 amber
- last:    a = 120,   t = 110, r = 99:   s = (10/3)·(1 + 21/11)   = 320/33  = 9.696970 green
- min:     a = 85,    t = 100, r = 80:   s = (10/3)·(1 + 5/20)    = 25/6    = 4.166667 amber
- max:     a = 120,   t = 110, r = 99:   9.696970 green
"""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from kpis.engine import KPI, OBJECTIVE, KpiFacts, ObjectiveFacts, SubPeriod, World, compute
from kpis.scoring import AMBER, GREEN, MONTH, NO_DATA, NO_TARGET, QUARTER, TRACKED, UP, YEAR

JAN = SubPeriod(date(2026, 1, 1), Decimal("85"), Decimal("100"), Decimal("80"))
FEB = SubPeriod(date(2026, 2, 1), Decimal("120"), Decimal("110"))
MAR = SubPeriod(date(2026, 3, 1), None, Decimal("100"))
JUL = SubPeriod(date(2026, 7, 1), Decimal("50"), None)


def kpi(id, *, frequency=MONTH, how="average", objective=10, rollup=None, rolls_up_to=None):
    return KpiFacts(
        id=id,
        scorecard_id=1,
        objective_id=objective,
        direction=UP,
        tolerance_pct=Decimal("10"),
        weight=Decimal("1"),
        is_rollup=rollup is not None,
        rollup_method=rollup,
        rolls_up_to_id=rolls_up_to,
        frequency=frequency,
        time_aggregation=how,
        is_computed=rollup is not None,
    )


def world(grain, kpis, *, subs=None, targets=None, actuals=None, start=date(2026, 1, 1)):
    return World(
        period_start=start,
        scorecard_ids={1},
        perspective_ids=[4],
        kpis=kpis,
        objectives=[ObjectiveFacts(id=10, scorecard_id=1, perspective_id=4, weight=Decimal(1))],
        supports=[],
        perspective_weights={},
        targets=targets or {},
        actuals=actuals or {},
        grain=grain,
        sub_periods=subs or {},
    )


CASES = [
    ("sum", "205", "6.129032", AMBER),
    ("average", "102.5", "6.129032", AMBER),
    ("last", "120", "9.696970", GREEN),
    ("min", "85", "4.166667", AMBER),
    ("max", "120", "9.696970", GREEN),
]


@pytest.mark.parametrize(("how", "value", "score", "status"), CASES)
def test_a_monthly_kpi_seen_at_its_quarter_folds_the_months_with_both(how, value, score, status):
    outcome = compute(world(QUARTER, [kpi(1, how=how)], subs={1: [JAN, FEB, MAR]}))[(1, KPI, 1)]

    assert (outcome.value, outcome.score, outcome.status) == (
        Decimal(value),
        Decimal(score),
        status,
    )
    assert (outcome.periods_reported, outcome.periods_total) == (2, 3)


@pytest.mark.parametrize(("how", "value", "score", "status"), CASES)
def test_a_monthly_kpi_seen_at_its_year_folds_the_months_directly(how, value, score, status):
    outcome = compute(world(YEAR, [kpi(1, how=how)], subs={1: [JUL, MAR, FEB, JAN]}))[(1, KPI, 1)]

    # The months come in any order: "last" is February, the latest that counted.
    assert (outcome.value, outcome.score, outcome.status) == (
        Decimal(value),
        Decimal(score),
        status,
    )
    assert (outcome.periods_reported, outcome.periods_total) == (2, 12)


def test_a_quarterly_kpi_seen_at_its_year_counts_quarters():
    quarters = [
        SubPeriod(date(2026, 1, 1), Decimal("90"), Decimal("100")),  # r = 90
        SubPeriod(date(2026, 4, 1), Decimal("110"), Decimal("100")),  # r = 90
    ]
    outcome = compute(world(YEAR, [kpi(1, frequency=QUARTER, how="sum")], subs={1: quarters}))[
        (1, KPI, 1)
    ]
    # a = 200, t = 200, r = 180: at the target, 6.666667 green; 2 of 4 quarters.
    assert (outcome.value, outcome.score, outcome.status) == (
        Decimal("200"),
        Decimal("6.666667"),
        GREEN,
    )
    assert (outcome.periods_reported, outcome.periods_total) == (2, 4)


def test_no_month_with_both_reads_no_data_when_one_has_a_target_else_no_target():
    outcomes = compute(world(QUARTER, [kpi(1), kpi(2)], subs={1: [MAR], 2: [JUL]}))

    assert (outcomes[(1, KPI, 1)].status, outcomes[(1, KPI, 1)].score) == (NO_DATA, None)
    assert outcomes[(1, KPI, 2)].status == NO_TARGET
    assert (outcomes[(1, KPI, 1)].periods_reported, outcomes[(1, KPI, 1)].periods_total) == (
        0,
        3,
    )
    # A monthly KPI with no month stored at all: no target, 0 of 3.
    alone = compute(world(QUARTER, [kpi(3)]))[(1, KPI, 3)]
    assert (alone.status, alone.periods_reported, alone.periods_total) == (NO_TARGET, 0, 3)


def test_a_kpi_at_its_own_frequency_has_no_sub_period_counts():
    outcome = compute(
        world(
            MONTH,
            [kpi(1)],
            targets={1: (Decimal("100"), None)},
            actuals={1: Decimal("100")},
        )
    )[(1, KPI, 1)]

    assert (outcome.score, outcome.periods_reported, outcome.periods_total) == (
        Decimal("6.666667"),
        None,
        None,
    )


def test_a_yearly_kpi_seen_from_a_quarter_is_no_member_and_has_no_snapshot():
    quarterly = kpi(2, frequency=QUARTER)
    yearly = kpi(1, frequency=YEAR)
    outcomes = compute(
        world(
            QUARTER,
            [yearly, quarterly],
            targets={1: (Decimal("100"), None), 2: (Decimal("100"), None)},
            actuals={1: Decimal("50"), 2: Decimal("104")},
        )
    )

    assert (1, KPI, 1) not in outcomes
    # The objective is the quarterly KPI's alone: 1 of 1, (104 − 80)/3 = 8.
    objective = outcomes[(1, OBJECTIVE, 10)]
    assert (objective.score, objective.reported, objective.total) == (Decimal("8"), 1, 1)


def test_a_monthly_kpi_is_no_member_of_a_quarterly_kpis_month():
    outcomes = compute(world(MONTH, [kpi(1, frequency=QUARTER)]))

    assert (1, KPI, 1) not in outcomes
    assert outcomes[(1, OBJECTIVE, 10)].total == 0


def test_a_monthly_rollup_seen_at_a_quarter_folds_its_monthly_values():
    # The parent sums its children month by month (stored values 30 and 45, its own targets
    # 40 and 40); at the quarter, by its "sum" time aggregation: a = 75, t = 80, r = 72
    # (each month's default red flag 36): s = (10/3)·(1 + 3/8) = 4.583333 amber.
    parent = kpi(1, how="sum", rollup="sum")
    child = kpi(2, how="sum", rolls_up_to=1)
    subs = {
        1: [
            SubPeriod(date(2026, 1, 1), Decimal("30"), Decimal("40")),
            SubPeriod(date(2026, 2, 1), Decimal("45"), Decimal("40")),
        ],
        2: [SubPeriod(date(2026, 1, 1), Decimal("30"), Decimal("30"))],
    }
    outcome = compute(world(QUARTER, [parent, child], subs=subs))[(1, KPI, 1)]

    assert (outcome.value, outcome.score, outcome.status) == (
        Decimal("75"),
        Decimal("4.583333"),
        AMBER,
    )
    assert (outcome.periods_reported, outcome.periods_total) == (2, 3)


# A band's high edges fold like its low ones (issue 15). A monthly band KPI, tolerance 10 %:
# - January: actual 100, band 90–110 with red flags set at 80 and 120;
# - February: actual 118, band 94–106 with the default red flags 94 − 9.4 = 84.6 and
#   106 + 10.6 = 116.6 (red in February itself: 118 > 116.6);
# - March: no actual.
# The quarter by average: a = 109, low 92 (red 82.3), high 108 (red 118.3): above the high
# edge, short of its red flag, so amber, scored on the high edge:
# s = (10/3)·(1 + (109 − 118.3)/(108 − 118.3)) = 10·19.6/30.9 = 6.343042 (the low edge's
# score, 10, is the larger). By last: February alone, 118 > 116.6: red,
# s = (10/3)·(1 + (118 − 116.6)/(106 − 116.6)) = 10·9.2/31.8 = 2.893082.
BAND_JAN = SubPeriod(
    date(2026, 1, 1), Decimal("100"), Decimal("90"), Decimal("80"), Decimal("110"), Decimal("120")
)
BAND_FEB = SubPeriod(date(2026, 2, 1), Decimal("118"), Decimal("94"), None, Decimal("106"))
BAND_MAR = SubPeriod(date(2026, 3, 1), None, Decimal("90"), None, Decimal("110"))


def band_kpi(how: str) -> KpiFacts:
    return dataclasses.replace(kpi(1, how=how), target_type="band")


@pytest.mark.parametrize(
    ("how", "value", "score", "status"),
    [("average", "109", "6.343042", AMBER), ("last", "118", "2.893082", "red")],
)
def test_a_band_folds_its_high_edge_and_high_red_flag_like_its_low_ones(how, value, score, status):
    subs = {1: [BAND_JAN, BAND_FEB, BAND_MAR]}
    outcome = compute(world(QUARTER, [band_kpi(how)], subs=subs))[(1, KPI, 1)]

    assert (outcome.value, outcome.score, outcome.status) == (
        Decimal(value),
        Decimal(score),
        status,
    )
    assert (outcome.periods_reported, outcome.periods_total) == (2, 3)


def test_a_band_inside_its_folded_edges_is_green():
    # January 100 and February 104 (inside 94–106): a = 102 inside 92–108, green; scores
    # (10/3)·(1 + 19.7/9.7) = 197/19.4 → clamped 10 and (10/3)·(1 + 16.3/10.3) → 10·26.6/30.9
    # = 8.608414: the smaller, 8.608414.
    feb = dataclasses.replace(BAND_FEB, value=Decimal("104"))
    outcome = compute(world(QUARTER, [band_kpi("average")], subs={1: [BAND_JAN, feb]}))[(1, KPI, 1)]

    assert (outcome.score, outcome.status) == (Decimal("8.608414"), GREEN)


# A tracked KPI (measured, never scored, no targets) seen at a longer period: every month
# with an actual counts (docs/decisions.md, issue 15). January 85 and February 120 in the
# quarter (March has no actual); the year adds July's 50.
TRACKED_CASES = [
    # how, quarter value, year value
    ("sum", "205", "255"),  # 85 + 120; 85 + 120 + 50
    ("average", "102.5", "85"),  # 205 / 2; 255 / 3
    ("last", "120", "50"),
    ("min", "85", "50"),
    ("max", "120", "120"),
]


@pytest.mark.parametrize(("how", "quarter", "year"), TRACKED_CASES)
def test_a_monthly_tracked_kpi_folds_every_month_with_an_actual(how, quarter, year):
    tracked = dataclasses.replace(kpi(1, how=how), target_type="track")
    months = [
        dataclasses.replace(JAN, target=None, red_flag=None),
        dataclasses.replace(FEB, target=None),
        dataclasses.replace(MAR, target=None),
    ]

    in_quarter = compute(world(QUARTER, [tracked], subs={1: months}))[(1, KPI, 1)]
    in_year = compute(world(YEAR, [tracked], subs={1: [*months, JUL]}))[(1, KPI, 1)]

    assert (in_quarter.value, in_quarter.score, in_quarter.status) == (
        Decimal(quarter),
        None,
        TRACKED,
    )
    assert (in_quarter.periods_reported, in_quarter.periods_total) == (2, 3)
    assert (in_year.value, in_year.status) == (Decimal(year), TRACKED)
    assert (in_year.periods_reported, in_year.periods_total) == (3, 12)
    # Measured, never scored: no member of its objective.
    assert compute(world(QUARTER, [tracked], subs={1: months}))[(1, OBJECTIVE, 10)].total == 0
