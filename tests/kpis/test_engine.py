"""The roll-up engine against DESIGN.md section 4, rule by rule, with hand-worked numbers.

No database: every World is built by hand, and every expected number is worked out in the
comment next to it, never by calling the code under test.

Unless a test says otherwise a KPI has direction up, tolerance 10 % and a target of 100, so its
default red flag is r = 100 − 10 % · 100 = 90 and its score is

    s = (10/3) · (1 + (a − 90) / (100 − 90)) = (10/3) · (a − 80) / 10 = (a − 80) / 3

clamped to 0..10: a = 110 scores 10, a = 104 scores 8, a = 100 scores 6.666667 (20/3 rounded),
a = 92 scores 4, a = 90 scores 3.333333 (10/3 rounded), a ≤ 80 scores 0.
"""

from datetime import date
from decimal import Decimal

import pytest

from kpis.engine import (
    KPI,
    OBJECTIVE,
    PERSPECTIVE,
    SCORECARD,
    KpiFacts,
    ObjectiveFacts,
    Outcome,
    World,
    compute,
)
from kpis.scoring import AMBER, DOWN, GREEN, NO_DATA, NO_TARGET, RED, UP

# Perspective ids, in the seeded order (1 = bottom of the map).
LEARNING, PROCESS, CUSTOMER, FINANCIAL = 1, 2, 3, 4
PERSPECTIVES = [LEARNING, PROCESS, CUSTOMER, FINANCIAL]

Q1_START = date(2026, 1, 1)
Q2_START = date(2026, 4, 1)
Q3_START = date(2026, 7, 1)

HUNDRED = (Decimal("100"), None)  # target 100, default red flag 90
NOTHING = Outcome(None, None, NO_DATA, 0, 0)  # a perspective without objectives


def kpi(
    id,
    objective,
    scorecard=1,
    *,
    weight="1",
    direction=UP,
    tolerance="10",
    rollup=None,
    rolls_up_to=None,
    archived_on=None,
    missing_children=None,
):
    return KpiFacts(
        id=id,
        scorecard_id=scorecard,
        objective_id=objective,
        direction=direction,
        tolerance_pct=Decimal(tolerance),
        weight=Decimal(weight),
        is_rollup=rollup is not None,
        rollup_method=rollup,
        rolls_up_to_id=rolls_up_to,
        archived_on=archived_on,
        missing_children=missing_children,
    )


def objective(id, scorecard=1, perspective=FINANCIAL, *, weight="1", archived_on=None):
    return ObjectiveFacts(
        id=id,
        scorecard_id=scorecard,
        perspective_id=perspective,
        weight=Decimal(weight),
        archived_on=archived_on,
    )


def target(value, red_flag=None):
    return (Decimal(value), None if red_flag is None else Decimal(red_flag))


def world(
    *,
    kpis=(),
    objectives=(),
    scorecards=(1,),
    supports=(),
    perspective_weights=None,
    targets=None,
    actuals=None,
    period_start=Q1_START,
    **outside,
):
    return World(
        period_start=period_start,
        scorecard_ids=set(scorecards),
        perspective_ids=list(PERSPECTIVES),
        kpis=list(kpis),
        objectives=list(objectives),
        supports=list(supports),
        perspective_weights={
            key: Decimal(weight) for key, weight in (perspective_weights or {}).items()
        },
        targets=dict(targets or {}),
        actuals={kpi_id: Decimal(value) for kpi_id, value in (actuals or {}).items()},
        **outside,
    )


def kpi_key(kpi_id, scorecard=1):
    return (scorecard, KPI, kpi_id)


def objective_key(objective_id, scorecard=1):
    return (scorecard, OBJECTIVE, objective_id)


def perspective_key(perspective_id, scorecard=1):
    return (scorecard, PERSPECTIVE, perspective_id)


def scorecard_key(scorecard=1):
    return (scorecard, SCORECARD, scorecard)


def scored(score, status, reported, total):
    """An aggregate's outcome: aggregates carry no value."""
    return Outcome(None, Decimal(score) if score is not None else None, status, reported, total)


# KPI scores ------------------------------------------------------------------------------------


def test_it_scores_each_kpi_from_its_actual_and_target():
    kpis = [kpi(k, 1) for k in (11, 12, 13, 14, 15, 16, 17, 18)]
    kpis.append(kpi(19, 1, direction=DOWN))
    outcomes = compute(
        world(
            kpis=kpis,
            objectives=[objective(1)],
            targets={k: HUNDRED for k in (11, 12, 13, 14, 15, 16, 19)},  # none for 17 and 18
            actuals={11: "104", 12: "92", 13: "90", 14: "75", 15: "120", 17: "104", 19: "95"},
        )
    )
    # (104 − 80)/3 = 8, at or above the target → green
    assert outcomes[kpi_key(11)] == Outcome(Decimal("104"), Decimal("8"), GREEN, 1, 1)
    # (92 − 80)/3 = 4, below the target but not below the red flag 90 → amber
    assert outcomes[kpi_key(12)] == Outcome(Decimal("92"), Decimal("4"), AMBER, 1, 1)
    # (90 − 80)/3 = 3.3333… → 3.333333; a = r is not past the red flag → amber
    assert outcomes[kpi_key(13)] == Outcome(Decimal("90"), Decimal("3.333333"), AMBER, 1, 1)
    # (75 − 80)/3 < 0 → clamped to 0; 75 < 90 → red
    assert outcomes[kpi_key(14)] == Outcome(Decimal("75"), Decimal("0"), RED, 1, 1)
    # (120 − 80)/3 = 13.33 → clamped to 10
    assert outcomes[kpi_key(15)] == Outcome(Decimal("120"), Decimal("10"), GREEN, 1, 1)
    # a target but no actual → no_data, no score, 0 of 1 reported
    assert outcomes[kpi_key(16)] == Outcome(None, None, NO_DATA, 0, 1)
    # an actual but no target → no_target; the value is still shown
    assert outcomes[kpi_key(17)] == Outcome(Decimal("104"), None, NO_TARGET, 1, 1)
    # neither → no_target outranks no_data
    assert outcomes[kpi_key(18)] == Outcome(None, None, NO_TARGET, 0, 1)
    # down: r = 100 + 10 = 110; (10/3)·(1 + (95 − 110)/(100 − 110)) = (10/3)·2.5 = 8.333333
    assert outcomes[kpi_key(19)] == Outcome(Decimal("95"), Decimal("8.333333"), GREEN, 1, 1)


@pytest.mark.parametrize(
    "bad_target",
    [
        pytest.param(target("100", "110"), id="red flag above the target of an up KPI"),
        pytest.param(target("100", "100"), id="red flag equal to the target"),
        pytest.param(target("0"), id="zero target without a red flag"),
        pytest.param(target("0.000001"), id="target too small for a default red flag"),
    ],
)
def test_it_scores_an_invalid_target_as_no_target(bad_target):
    outcomes = compute(
        world(
            kpis=[kpi(11, 1), kpi(12, 1), kpi(13, 1, direction=DOWN)],
            objectives=[objective(1)],
            # KPI 13 points down, so a red flag of 90 is on its good side: made invalid by a
            # direction flip after the target was set.
            targets={11: bad_target, 12: HUNDRED, 13: target("100", "90")},
            actuals={11: "104", 12: "92", 13: "95"},
        )
    )
    assert outcomes[kpi_key(11)] == Outcome(Decimal("104"), None, NO_TARGET, 1, 1)
    assert outcomes[kpi_key(13)] == Outcome(Decimal("95"), None, NO_TARGET, 1, 1)
    # Only KPI 12 scores: (92 − 80)/3 = 4 → objective 4 / 1 = 4 → amber, 1 of 3 reported.
    assert outcomes[objective_key(1)] == scored("4", AMBER, 1, 3)


# Objectives ------------------------------------------------------------------------------------


def test_it_scores_an_objective_as_the_mean_of_its_kpis_weighted_by_kpi_weight():
    outcomes = compute(
        world(
            kpis=[kpi(11, 1, weight="2"), kpi(12, 1, weight="1")],
            objectives=[objective(1, weight="7")],
            targets={11: HUNDRED, 12: HUNDRED},
            actuals={11: "104", 12: "92"},
        )
    )
    # KPI 11 scores 8, KPI 12 scores 4: (8×2 + 4×1) / 3 = 20/3 = 6.666667 → green
    assert outcomes[objective_key(1)] == scored("6.666667", GREEN, 2, 2)


def test_it_leaves_out_members_without_a_score_and_counts_them_in_coverage():
    outcomes = compute(
        world(
            kpis=[kpi(11, 1), kpi(12, 1, weight="5"), kpi(13, 1, weight="3")],
            objectives=[objective(1)],
            targets={11: HUNDRED, 12: HUNDRED, 13: HUNDRED},
            actuals={11: "104", 13: "92"},  # KPI 12 has no actual
        )
    )
    # (8×1 + 4×3) / (1 + 3) = 20/4 = 5 → amber, "2 of 3"; KPI 12's weight 5 takes no part
    assert outcomes[objective_key(1)] == scored("5", AMBER, 2, 3)


def test_it_gives_no_score_when_nothing_below_has_one():
    outcomes = compute(
        world(
            kpis=[kpi(11, 1), kpi(12, 1)],
            objectives=[objective(1), objective(2)],
            targets={11: HUNDRED},
        )
    )
    # KPI 11 no_data, KPI 12 no_target: 0 of 2 → no score, no_data
    assert outcomes[objective_key(1)] == scored(None, NO_DATA, 0, 2)
    # An objective without KPIs or supporters: 0 of 0
    assert outcomes[objective_key(2)] == scored(None, NO_DATA, 0, 0)


def test_it_counts_supporting_objectives_of_other_scorecards_with_weight_one():
    outcomes = compute(
        world(
            scorecards=(1, 2, 3),
            kpis=[
                kpi(11, 1, scorecard=1, weight="3"),
                kpi(21, 2, scorecard=2),
                kpi(31, 3, scorecard=3),
                kpi(41, 4, scorecard=2),
            ],
            objectives=[
                objective(1, scorecard=1),
                objective(2, scorecard=2, weight="5"),
                objective(3, scorecard=3),
                objective(4, scorecard=2),
            ],
            # 3 supports 2, 2 supports 1, 4 supports 1
            supports=[(3, 2), (2, 1), (4, 1)],
            targets={11: HUNDRED, 21: HUNDRED, 31: HUNDRED, 41: HUNDRED},
            actuals={11: "104", 21: "92", 31: "110"},  # KPI 41 has no actual
        )
    )
    # Objective 3: its KPI 31 scores (110 − 80)/3 = 10
    assert outcomes[objective_key(3, scorecard=3)] == scored("10", GREEN, 1, 1)
    # Objective 2: KPI 21 scores 4, supporter 3 scores 10 with weight 1: (4 + 10)/2 = 7 → green
    assert outcomes[objective_key(2, scorecard=2)] == scored("7", GREEN, 2, 2)
    # Objective 4: no score (KPI 41 has no actual)
    assert outcomes[objective_key(4, scorecard=2)] == scored(None, NO_DATA, 0, 1)
    # Objective 1: KPI 11 scores 8 with weight 3; supporter 2 (7, already including 3) counts
    # with weight 1, not its objective weight 5; supporter 4 has no score and is left out:
    # (8×3 + 7×1) / (3 + 1) = 31/4 = 7.75 → green, 2 of 3
    assert outcomes[objective_key(1)] == scored("7.75", GREEN, 2, 3)
    # A supporter is a member of the supported objective, not of its perspective:
    # financial of scorecard 1 = objective 1 alone = 7.75
    assert outcomes[perspective_key(FINANCIAL)] == scored("7.75", GREEN, 1, 1)
    # ...and it still counts in its own scorecard: financial of 2 = (7×5 + none)/5 = 7, 1 of 2
    assert outcomes[perspective_key(FINANCIAL, scorecard=2)] == scored("7", GREEN, 1, 2)


# Perspectives and scorecards -------------------------------------------------------------------


def test_it_scores_perspectives_by_objective_weight_and_the_scorecard_by_perspective_weight():
    def one_scorecard(scorecard, base):
        return dict(
            kpis=[
                kpi(base + 1, base + 1, scorecard=scorecard),
                kpi(base + 2, base + 2, scorecard=scorecard),
                kpi(base + 3, base + 3, scorecard=scorecard),
            ],
            objectives=[
                objective(base + 1, scorecard, FINANCIAL, weight="3"),
                objective(base + 2, scorecard, FINANCIAL, weight="1"),
                objective(base + 3, scorecard, CUSTOMER, weight="4"),
            ],
            actuals={base + 1: "104", base + 2: "92", base + 3: "110"},
        )

    weighted, equal = one_scorecard(1, 10), one_scorecard(2, 20)
    outcomes = compute(
        world(
            scorecards=(1, 2),
            kpis=weighted["kpis"] + equal["kpis"],
            objectives=weighted["objectives"] + equal["objectives"],
            actuals={**weighted["actuals"], **equal["actuals"]},
            targets={k: HUNDRED for k in (11, 12, 13, 21, 22, 23)},
            # Learning & Growth gets a weight but has no objective: it is no member.
            perspective_weights={(1, FINANCIAL): "2", (1, CUSTOMER): "1", (1, LEARNING): "5"},
        )
    )
    for scorecard in (1, 2):
        # financial: objectives 8 (weight 3) and 4 (weight 1): (8×3 + 4×1)/4 = 28/4 = 7 → green
        assert outcomes[perspective_key(FINANCIAL, scorecard)] == scored("7", GREEN, 2, 2)
        # customer: one objective scoring (110 − 80)/3 = 10; its weight 4 cancels out
        assert outcomes[perspective_key(CUSTOMER, scorecard)] == scored("10", GREEN, 1, 1)
        # perspectives without objectives: no score, 0 of 0
        assert outcomes[perspective_key(LEARNING, scorecard)] == NOTHING
        assert outcomes[perspective_key(PROCESS, scorecard)] == NOTHING
    # Scorecard 1, weights financial 2, customer 1: (7×2 + 10×1)/3 = 24/3 = 8 → green, 2 of 2
    # (Learning & Growth's weight 5 would give (14 + 10)/8 = 3 if it counted).
    assert outcomes[scorecard_key(1)] == scored("8", GREEN, 2, 2)
    # Scorecard 2, default weights 1: (7 + 10)/2 = 8.5 → green, 2 of 2
    assert outcomes[scorecard_key(2)] == scored("8.5", GREEN, 2, 2)


def test_it_counts_a_perspective_whose_objectives_have_no_score_in_the_scorecards_coverage():
    outcomes = compute(
        world(
            kpis=[kpi(11, 1), kpi(12, 2)],
            objectives=[objective(1, perspective=FINANCIAL), objective(2, perspective=CUSTOMER)],
            targets={11: HUNDRED, 12: HUNDRED},
            actuals={11: "104"},
        )
    )
    assert outcomes[perspective_key(CUSTOMER)] == scored(None, NO_DATA, 0, 1)
    # financial 8 alone: 8/1 = 8 → green, "1 of 2" perspectives reported
    assert outcomes[scorecard_key(1)] == scored("8", GREEN, 1, 2)


def test_it_gives_a_scorecard_without_objectives_no_score():
    outcomes = compute(world(scorecards=(1,)))
    assert outcomes == {
        perspective_key(LEARNING): NOTHING,
        perspective_key(PROCESS): NOTHING,
        perspective_key(CUSTOMER): NOTHING,
        perspective_key(FINANCIAL): NOTHING,
        scorecard_key(1): scored(None, NO_DATA, 0, 0),
    }


# Zero weights ----------------------------------------------------------------------------------


def test_it_gives_no_score_when_the_weights_of_the_scored_members_sum_to_zero():
    outcomes = compute(
        world(
            scorecards=(1, 2),
            kpis=[
                kpi(11, 1, weight="0"),
                kpi(12, 1, weight="0"),
                kpi(21, 2, weight="0"),
                kpi(22, 2, weight="1"),
                kpi(31, 3, weight="0"),
                kpi(32, 3, weight="1"),
                kpi(41, 4, scorecard=2),
                kpi(51, 5, scorecard=2),
            ],
            objectives=[
                objective(1, weight="0"),
                objective(2, weight="0"),
                objective(3, perspective=CUSTOMER, weight="0"),
                objective(4, scorecard=2, perspective=FINANCIAL),
                objective(5, scorecard=2, perspective=CUSTOMER),
            ],
            targets={k: HUNDRED for k in (11, 12, 21, 22, 31, 32, 41, 51)},
            actuals={11: "104", 12: "92", 21: "104", 31: "110", 32: "92", 41: "104", 51: "92"},
            perspective_weights={(2, FINANCIAL): "0", (2, CUSTOMER): "0"},
        )
    )
    # Both KPIs score (8 and 4) but weigh 0: sum of weights 0 → no score; both did report.
    assert outcomes[objective_key(1)] == scored(None, NO_DATA, 2, 2)
    # The only scored KPI weighs 0; the weight-1 KPI has no actual: no score, 1 of 2.
    assert outcomes[objective_key(2)] == scored(None, NO_DATA, 1, 2)
    # A zero weight alongside a positive one just drops out: (10×0 + 4×1)/1 = 4 → amber
    assert outcomes[objective_key(3)] == scored("4", AMBER, 2, 2)
    # Objectives weighing 0: financial of scorecard 1 holds objectives 1 and 2, neither scored
    # → 0 of 2; customer holds objective 3 (4) with weight 0 → no score, 1 of 1.
    assert outcomes[perspective_key(FINANCIAL)] == scored(None, NO_DATA, 0, 2)
    assert outcomes[perspective_key(CUSTOMER)] == scored(None, NO_DATA, 1, 1)
    assert outcomes[scorecard_key(1)] == scored(None, NO_DATA, 0, 2)
    # Scorecard 2: financial 8, customer 4, both perspective weights 0 → no score, 2 of 2.
    assert outcomes[perspective_key(FINANCIAL, 2)] == scored("8", GREEN, 1, 1)
    assert outcomes[perspective_key(CUSTOMER, 2)] == scored("4", AMBER, 1, 1)
    assert outcomes[scorecard_key(2)] == scored(None, NO_DATA, 2, 2)


# Statuses at the exact boundaries and rounding -------------------------------------------------


@pytest.mark.parametrize(
    ("actuals", "score", "status"),
    [
        # KPI scores 10 and 3.333333: (10 + 3.333333)/2 = 6.6666665 → half-up 6.666667 → green
        # (half-even would give 6.666666, amber)
        pytest.param(["110", "90"], "6.666667", GREEN, id="6.666667 is green"),
        # (100 − 80)/3 → 6.666667 and (99.999995 − 80)/3 = 6.666665:
        # (6.666667 + 6.666665)/2 = 6.666666 → amber
        pytest.param(["100", "99.999995"], "6.666666", AMBER, id="6.666666 is amber"),
        # 10, 0 and 0: 10/3 = 3.3333333… → 3.333333 → amber
        pytest.param(["110", "80", "80"], "3.333333", AMBER, id="3.333333 is amber"),
        # (89.999999 − 80)/3 = 3.333333 and (89.999993 − 80)/3 = 3.333331:
        # (3.333333 + 3.333331)/2 = 3.333332 → red
        pytest.param(["89.999999", "89.999993"], "3.333332", RED, id="3.333332 is red"),
        # 3.333333 and (89.999996 − 80)/3 = 3.333332: 6.666665/2 = 3.3333325 → half-up
        # 3.333333 → amber (half-even would give 3.333332, red)
        pytest.param(["89.999999", "89.999996"], "3.333333", AMBER, id="half-up to amber"),
    ],
)
def test_it_reads_an_aggregates_status_from_its_rounded_score(actuals, score, status):
    kpi_ids = [11 + index for index in range(len(actuals))]
    outcomes = compute(
        world(
            kpis=[kpi(kpi_id, 1) for kpi_id in kpi_ids],
            objectives=[objective(1)],
            targets={kpi_id: HUNDRED for kpi_id in kpi_ids},
            actuals=dict(zip(kpi_ids, actuals, strict=True)),
        )
    )
    assert outcomes[objective_key(1)] == scored(score, status, len(actuals), len(actuals))
    # The same rule one and two levels up: a lone member passes its score through.
    assert outcomes[perspective_key(FINANCIAL)] == scored(score, status, 1, 1)
    assert outcomes[scorecard_key(1)] == scored(score, status, 1, 1)


def test_it_aggregates_the_rounded_scores_of_members_and_rounds_half_up():
    outcomes = compute(
        world(
            kpis=[kpi(11, 1), kpi(12, 1), kpi(21, 2)],
            objectives=[objective(1), objective(2)],
            targets={11: HUNDRED, 12: HUNDRED, 21: HUNDRED},
            actuals={11: "100", 12: "80", 21: "90"},
        )
    )
    # KPI 11 at target: 20/3 = 6.6666666… stored as 6.666667
    assert outcomes[kpi_key(11)].score == Decimal("6.666667")
    # Objective 1 from the stored scores: (6.666667 + 0)/2 = 3.3333335 → half-up 3.333334
    # (from the unrounded 20/3 it would be 3.3333333… → 3.333333)
    assert outcomes[objective_key(1)] == scored("3.333334", AMBER, 2, 2)
    # Objective 2: KPI 21 at the red flag, 10/3 stored as 3.333333
    assert outcomes[objective_key(2)] == scored("3.333333", AMBER, 1, 1)
    # Financial from the stored objective scores: (3.333334 + 3.333333)/2 = 3.3333335
    # → half-up 3.333334 (from unrounded ones: (3.3333333… + 3.3333333…)/2 → 3.333333)
    assert outcomes[perspective_key(FINANCIAL)] == scored("3.333334", AMBER, 2, 2)


# Roll-up KPIs ----------------------------------------------------------------------------------

ROLLUP_CHILDREN = [
    # (child KPI id, scorecard, weight); KPI 51 never reports. Every child has had data in
    # an earlier period, so each one counts (see tests/kpis/test_missing_children.py).
    (21, 2, "1"),
    (31, 3, "2"),
    (41, 4, "3"),
    (51, 5, "4"),
]
ROLLUP_CHILD_ACTUALS = {21: "10", 31: "20", 41: "60"}


def rollup_world(
    method, parent_target, *, child_actuals=ROLLUP_CHILD_ACTUALS, children=None, policy=None
):
    children = ROLLUP_CHILDREN if children is None else children
    return world(
        scorecards=(1, 2, 3, 4, 5),
        kpis=[kpi(11, 1, rollup=method, missing_children=policy)]
        + [kpi(k, k // 10, scorecard=sc, weight=w, rolls_up_to=11) for k, sc, w in children],
        objectives=[objective(1)] + [objective(k // 10, scorecard=sc) for k, sc, _ in children],
        targets={} if parent_target is None else {11: parent_target},
        actuals=child_actuals,
        started={k for k, _, _ in children},
    )


@pytest.mark.parametrize(
    ("method", "value", "parent_target", "score", "status"),
    [
        # 10 + 20 + 60 = 90; target 100, r = 90: a = r → (10/3)·1 = 3.333333 → amber
        pytest.param("sum", "90", target("100"), "3.333333", AMBER, id="sum"),
        # (10 + 20 + 60)/3 = 30; target 30 (r = 27): at target → 6.666667 → green
        pytest.param("average", "30", target("30"), "6.666667", GREEN, id="average"),
        # min 10; target 20, r = 15: (10/3)·(1 + (10 − 15)/5) = 0; 10 < 15 → red
        pytest.param("min", "10", target("20", "15"), "0", RED, id="min"),
        # max 60; target 50, r = 40: (10/3)·(1 + 20/10) = 10 → green
        pytest.param("max", "60", target("50", "40"), "10", GREEN, id="max"),
        # by child weight, the silent child's weight 4 left out:
        # (10×1 + 20×2 + 60×3)/(1 + 2 + 3) = 230/6 = 38.3333… → 38.333333;
        # target 40, r = 35: (10/3)·(1 + 3.333333/5) = (10/3)·(8.333333/5) = 83.33333/15
        # = 5.5555553… → 5.555555 → amber
        pytest.param(
            "weighted_average", "38.333333", target("40", "35"), "5.555555", AMBER, id="weighted"
        ),
    ],
)
def test_it_rolls_up_the_children_that_have_a_value(method, value, parent_target, score, status):
    # Policy `ignore`: the silent child is left out (a sum requires all by default).
    outcomes = compute(rollup_world(method, parent_target, policy="ignore"))
    # 3 of the 4 children reported
    assert outcomes[kpi_key(11)] == Outcome(Decimal(value), Decimal(score), status, 3, 4)
    # The roll-up KPI scores its objective like any KPI
    assert outcomes[objective_key(1)] == scored(score, status, 1, 1)


@pytest.mark.parametrize("method", ["sum", "average", "min", "max", "weighted_average"])
@pytest.mark.parametrize(
    ("parent_target", "status"),
    [(target("100"), NO_DATA), (None, NO_TARGET)],
    ids=["with a target", "without a target"],
)
def test_it_gives_a_rollup_no_value_when_no_child_has_one(method, parent_target, status):
    outcomes = compute(rollup_world(method, parent_target, child_actuals={}))
    # no value, 0 of 4 children reported
    assert outcomes[kpi_key(11)] == Outcome(None, None, status, 0, 4)
    assert outcomes[objective_key(1)] == scored(None, NO_DATA, 0, 1)


def test_it_gives_a_rollup_without_children_no_value():
    outcomes = compute(rollup_world("sum", target("100"), children=[]))
    assert outcomes[kpi_key(11)] == Outcome(None, None, NO_DATA, 0, 0)


def test_it_gives_a_weighted_average_of_zero_weight_children_no_value():
    children = [(21, 2, "0"), (31, 3, "0")]
    outcomes = compute(rollup_world("weighted_average", target("100"), children=children))
    # both report (10 and 20) but weigh 0 in total: no value, no_data, 2 of 2
    assert outcomes[kpi_key(11)] == Outcome(None, None, NO_DATA, 2, 2)


def test_it_rounds_a_rollup_value_half_up_and_scores_the_rounded_value():
    children = [(21, 2, "1"), (31, 3, "1")]
    outcomes = compute(
        rollup_world(
            "average",
            target("0.000003", "0.000001"),
            children=children,
            child_actuals={21: "0.000002", 31: "0.000003"},
        )
    )
    # (0.000002 + 0.000003)/2 = 0.0000025 → half-up 0.000003 (half-even: 0.000002), which is
    # the target: (10/3)·(1 + 0.000002/0.000002) = 20/3 → 6.666667 → green
    # (scoring 0.0000025 instead would give (10/3)·1.75 = 5.833333, amber)
    assert outcomes[kpi_key(11)] == Outcome(Decimal("0.000003"), Decimal("6.666667"), GREEN, 2, 2)


# A three-level cascade -------------------------------------------------------------------------


def test_it_computes_a_three_level_cascade_at_every_level():
    # Enterprise (scorecard 1) ← department (2) ← teams T1 (3) and T2 (4).
    # KPIs: team revenue k31, k41 roll up (sum) to department k21, which rolls up (sum) to
    # enterprise k11. Objectives: o31 and o41 support o21, which supports o11.
    outcomes = compute(
        world(
            scorecards=(1, 2, 3, 4),
            kpis=[
                kpi(11, 11, scorecard=1, rollup="sum"),
                kpi(13, 12, scorecard=1),
                kpi(21, 21, scorecard=2, rollup="sum", rolls_up_to=11),
                kpi(31, 31, scorecard=3, rolls_up_to=21),
                kpi(41, 41, scorecard=4, rolls_up_to=21),
            ],
            objectives=[
                objective(11, 1, FINANCIAL),
                objective(12, 1, CUSTOMER),
                objective(21, 2, FINANCIAL),
                objective(31, 3, FINANCIAL),
                objective(41, 4, FINANCIAL),
            ],
            supports=[(31, 21), (41, 21), (21, 11)],
            targets={
                11: target("100", "70"),
                13: target("10"),
                21: target("100"),
                31: target("50"),
                41: target("40"),
            },
            actuals={13: "10", 31: "52", 41: "38"},
        )
    )
    expected = {
        # Team T1: k31 target 50, r = 45: (10/3)·(1 + (52 − 45)/5) = (10/3)·2.4 = 8 → green
        kpi_key(31, 3): Outcome(Decimal("52"), Decimal("8"), GREEN, 1, 1),
        objective_key(31, 3): scored("8", GREEN, 1, 1),
        perspective_key(FINANCIAL, 3): scored("8", GREEN, 1, 1),
        perspective_key(CUSTOMER, 3): NOTHING,
        perspective_key(PROCESS, 3): NOTHING,
        perspective_key(LEARNING, 3): NOTHING,
        scorecard_key(3): scored("8", GREEN, 1, 1),
        # Team T2: k41 target 40, r = 36: (10/3)·(1 + (38 − 36)/4) = (10/3)·1.5 = 5 → amber
        kpi_key(41, 4): Outcome(Decimal("38"), Decimal("5"), AMBER, 1, 1),
        objective_key(41, 4): scored("5", AMBER, 1, 1),
        perspective_key(FINANCIAL, 4): scored("5", AMBER, 1, 1),
        perspective_key(CUSTOMER, 4): NOTHING,
        perspective_key(PROCESS, 4): NOTHING,
        perspective_key(LEARNING, 4): NOTHING,
        scorecard_key(4): scored("5", AMBER, 1, 1),
        # Department: k21 = 52 + 38 = 90 (2 of 2); target 100, r = 90: a = r → 3.333333 amber
        kpi_key(21, 2): Outcome(Decimal("90"), Decimal("3.333333"), AMBER, 2, 2),
        # o21 = k21 3.333333 + supporters o31 8 and o41 5, weight 1 each:
        # (3.333333 + 8 + 5)/3 = 16.333333/3 = 5.4444443… → 5.444444 → amber, 3 of 3
        objective_key(21, 2): scored("5.444444", AMBER, 3, 3),
        perspective_key(FINANCIAL, 2): scored("5.444444", AMBER, 1, 1),
        perspective_key(CUSTOMER, 2): NOTHING,
        perspective_key(PROCESS, 2): NOTHING,
        perspective_key(LEARNING, 2): NOTHING,
        scorecard_key(2): scored("5.444444", AMBER, 1, 1),
        # Enterprise: k11 = sum of k21 = 90 (1 of 1); target 100, red flag 70:
        # (10/3)·(1 + (90 − 70)/30) = (10/3)·(5/3) = 50/9 = 5.5555… → 5.555556 → amber
        kpi_key(11, 1): Outcome(Decimal("90"), Decimal("5.555556"), AMBER, 1, 1),
        # k13 target 10, r = 9, actual 10: at target → 6.666667 → green
        kpi_key(13, 1): Outcome(Decimal("10"), Decimal("6.666667"), GREEN, 1, 1),
        # o11 = k11 5.555556 + supporter o21 5.444444: 11/2 = 5.5 → amber, 2 of 2
        objective_key(11, 1): scored("5.5", AMBER, 2, 2),
        objective_key(12, 1): scored("6.666667", GREEN, 1, 1),
        perspective_key(FINANCIAL, 1): scored("5.5", AMBER, 1, 1),
        perspective_key(CUSTOMER, 1): scored("6.666667", GREEN, 1, 1),
        perspective_key(PROCESS, 1): NOTHING,
        perspective_key(LEARNING, 1): NOTHING,
        # (5.5 + 6.666667)/2 = 12.166667/2 = 6.0833335 → half-up 6.083334 → amber, 2 of 2
        scorecard_key(1): scored("6.083334", AMBER, 2, 2),
    }
    assert outcomes == expected


# Archived items --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("archived_on", "period_start", "is_member"),
    [
        pytest.param(date(2026, 4, 1), Q1_START, True, id="period started before"),
        pytest.param(date(2026, 4, 1), Q2_START, True, id="period started on the day"),
        pytest.param(date(2026, 4, 1), Q3_START, False, id="period started after"),
        pytest.param(date(2026, 3, 31), Q2_START, False, id="archived the day before"),
    ],
)
def test_it_keeps_archived_items_as_members_of_periods_started_by_then(
    archived_on, period_start, is_member
):
    outcomes = compute(
        world(
            period_start=period_start,
            scorecards=(1, 2, 3),
            kpis=[
                kpi(11, 1),
                kpi(12, 1, archived_on=archived_on),  # archived KPI
                kpi(13, 1, rollup="sum"),
                kpi(21, 2, scorecard=2, rolls_up_to=13),
                kpi(22, 2, scorecard=2, rolls_up_to=13, archived_on=archived_on),
                kpi(31, 3, scorecard=3),
                kpi(41, 4),
            ],
            objectives=[
                objective(1, perspective=FINANCIAL),
                objective(2, scorecard=2),
                objective(3, scorecard=3, archived_on=archived_on),  # archived supporter
                objective(4, perspective=CUSTOMER, archived_on=archived_on),  # archived objective
            ],
            supports=[(3, 1)],
            targets={11: HUNDRED, 12: HUNDRED, 13: target("30"), 31: HUNDRED, 41: HUNDRED},
            actuals={11: "104", 12: "110", 21: "20", 22: "10", 31: "92", 41: "92"},
        )
    )
    if is_member:
        # k13 = 20 + 10 = 30 (2 of 2), target 30: 6.666667 → green
        assert outcomes[kpi_key(13)] == Outcome(Decimal("30"), Decimal("6.666667"), GREEN, 2, 2)
        # o1 = k11 8, k12 10, k13 6.666667, supporter o3 4:
        # (8 + 10 + 6.666667 + 4)/4 = 28.666667/4 = 7.16666675 → 7.166667 → green
        assert outcomes[objective_key(1)] == scored("7.166667", GREEN, 4, 4)
        assert outcomes[kpi_key(12)] == Outcome(Decimal("110"), Decimal("10"), GREEN, 1, 1)
        assert outcomes[objective_key(3, 3)] == scored("4", AMBER, 1, 1)
        # customer: o4 = k41 (92 − 80)/3 = 4
        assert outcomes[objective_key(4)] == scored("4", AMBER, 1, 1)
        assert outcomes[perspective_key(CUSTOMER)] == scored("4", AMBER, 1, 1)
        # scorecard: (7.166667 + 4)/2 = 5.5833335 → half-up 5.583334 → amber, 2 of 2
        assert outcomes[scorecard_key(1)] == scored("5.583334", AMBER, 2, 2)
    else:
        # k13 = 20 alone (1 of 1), target 30, r = 27: (10/3)·(1 + (20 − 27)/3) < 0 → 0, red
        assert outcomes[kpi_key(13)] == Outcome(Decimal("20"), Decimal("0"), RED, 1, 1)
        # o1 = k11 8, k13 0: (8 + 0)/2 = 4 → amber, 2 of 2
        assert outcomes[objective_key(1)] == scored("4", AMBER, 2, 2)
        # archived items get no snapshot at all in a later period
        assert kpi_key(12) not in outcomes
        assert kpi_key(22, 2) not in outcomes
        assert objective_key(3, 3) not in outcomes
        assert objective_key(4) not in outcomes
        # customer lost its only objective: no member of the scorecard any more
        assert outcomes[perspective_key(CUSTOMER)] == NOTHING
        # scorecard: financial 4 alone, 1 of 1
        assert outcomes[scorecard_key(1)] == scored("4", AMBER, 1, 1)


# Members outside the world ---------------------------------------------------------------------


def test_it_reads_members_outside_the_world_from_their_stored_values_and_scores():
    outcomes = compute(
        world(
            scorecards=(1,),
            kpis=[kpi(11, 1, rollup="sum", missing_children="ignore")],
            objectives=[objective(1)],
            targets={11: HUNDRED},
            started={51},  # k51 had data before, so it counts
            outside_kpis=[
                kpi(21, 2, scorecard=2, rolls_up_to=11),
                kpi(31, 3, scorecard=3, rolls_up_to=11),
                kpi(41, 4, scorecard=4, rolls_up_to=11, archived_on=date(2025, 12, 31)),
                kpi(51, 5, scorecard=5, rolls_up_to=11),  # nothing stored for it
            ],
            outside_objectives=[
                objective(2, scorecard=2),
                objective(3, scorecard=3),
                objective(4, scorecard=4, archived_on=date(2025, 12, 31)),
            ],
            supports=[(2, 1), (3, 1), (4, 1)],
            frozen_kpi_values={21: Decimal("30"), 31: Decimal("62"), 41: Decimal("1000")},
            frozen_objective_scores={2: Decimal("7"), 3: None, 4: Decimal("10")},
        )
    )
    # k11 = 30 + 62 = 92 (policy ignore): k41 archived before the period is no member, k51
    # has no value → 2 of 3; target 100: (92 − 80)/3 = 4 → amber
    assert outcomes[kpi_key(11)] == Outcome(Decimal("92"), Decimal("4"), AMBER, 2, 3)
    # o1 = k11 4 + o2 7 (stored) + o3 (stored without a score; left out), o4 archived:
    # (4 + 7)/2 = 5.5 → amber, 2 of 3
    assert outcomes[objective_key(1)] == scored("5.5", AMBER, 2, 3)
    # Nothing is computed for the scorecards outside the world.
    assert {key[0] for key in outcomes} == {1}
