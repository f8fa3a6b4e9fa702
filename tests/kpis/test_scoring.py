"""The scoring engine against DESIGN.md section 4: shared cases, properties, hand-worked sums."""

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis.scoring import (
    AMBER,
    DOWN,
    GREEN,
    NO_DATA,
    NO_TARGET,
    RED,
    RED_FLAG_EQUALS_TARGET,
    RED_FLAG_ON_GOOD_SIDE,
    TARGET_TOO_SMALL_FOR_DEFAULT_RED_FLAG,
    TOLERANCE_NOT_POSITIVE,
    UP,
    ZERO_TARGET_NEEDS_RED_FLAG,
    Aggregate,
    KpiResult,
    RollupResult,
    TargetError,
    aggregate_scores,
    default_red_flag,
    effective_red_flag,
    rollup_value,
    round6,
    score_kpi,
    status_from_score,
)

# The golden table of docs/scoring.md, kept in the repository (CI checks it against the
# specification's copy so the two never drift).
SCORING_CASES = Path(__file__).resolve().parents[1] / "data" / "scoring_cases.csv"
EXPECTED_ERRORS = {"", "invalid"}


def load_scoring_cases():
    # The cases are the specification's examples: a missing or empty file must fail the run,
    # never skip it, or the suite would pass without checking a single case.
    path = SCORING_CASES
    with path.open(newline="", encoding="utf-8") as csv_file:
        cases = list(csv.DictReader(csv_file))
    if not cases:
        raise ValueError(f"Scoring cases file {path} has no rows.")
    return cases


def optional_decimal(text):
    return Decimal(text) if text else None


def assert_six_places(value, expected_text):
    """Equal as numbers and written with exactly 6 decimal places, like the stored value."""
    if not expected_text:
        assert value is None
        return
    assert value == Decimal(expected_text)
    assert value.as_tuple().exponent == -6


CASES = load_scoring_cases()


@pytest.mark.parametrize("case", CASES, ids=[case["case"] for case in CASES])
def test_it_scores_every_shared_case(case):
    assert case["expected_error"] in EXPECTED_ERRORS, f"Unknown expected_error in {case}"
    arguments = {
        "actual": optional_decimal(case["actual"]),
        "target": optional_decimal(case["target"]),
        "red_flag": optional_decimal(case["red_flag"]),
        "direction": case["direction"],
        "tolerance_pct": Decimal(case["tolerance_pct"]),
    }

    if case["expected_error"] == "invalid":
        with pytest.raises(TargetError):
            score_kpi(**arguments)
        return

    result = score_kpi(**arguments)

    assert_six_places(result.red_flag, case["expected_red_flag"])
    assert_six_places(result.score, case["expected_score"])
    assert result.status == case["expected_status"]


# Properties. Values have 6 places like stored actuals and targets; the red flag is placed a
# positive gap on the bad side of the target, so every drawn KPI is valid.
six_place_values = st.decimals(
    min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=6
)
gaps = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("1000000"), places=6)
directions = st.sampled_from([UP, DOWN])
TOLERANCE = Decimal(10)


def red_flag_for(target, gap, direction):
    return target - gap if direction == UP else target + gap


def score(actual, target, red_flag, direction):
    return score_kpi(
        actual=actual,
        target=target,
        red_flag=red_flag,
        direction=direction,
        tolerance_pct=TOLERANCE,
    )


@given(actual=six_place_values, target=six_place_values, gap=gaps, direction=directions)
def test_it_always_scores_between_0_and_10(actual, target, gap, direction):
    result = score(actual, target, red_flag_for(target, gap, direction), direction)

    assert Decimal(0) <= result.score <= Decimal(10)


@given(
    actuals=st.lists(six_place_values, min_size=2, max_size=2),
    target=six_place_values,
    gap=gaps,
    direction=directions,
)
def test_it_never_lowers_the_score_for_a_better_actual(actuals, target, gap, direction):
    worse, better = sorted(actuals) if direction == UP else sorted(actuals, reverse=True)
    red_flag = red_flag_for(target, gap, direction)

    assert score(worse, target, red_flag, direction).score <= (
        score(better, target, red_flag, direction).score
    )


@given(actual=six_place_values, target=six_place_values, gap=gaps)
def test_it_mirrors_up_and_down(actual, target, gap):
    red_flag = target - gap

    up = score(actual, target, red_flag, UP)
    down = score(-actual, -target, -red_flag, DOWN)

    assert down.score == up.score
    assert down.status == up.status
    assert down.red_flag == -up.red_flag


@given(
    actual=six_place_values,
    target=st.decimals(min_value=Decimal(1), max_value=Decimal(1000000), places=6),
    tolerance_pct=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2),
    negate=st.booleans(),
)
def test_it_mirrors_up_and_down_with_default_red_flags(actual, target, tolerance_pct, negate):
    target = -target if negate else target

    up = score_kpi(
        actual=actual, target=target, red_flag=None, direction=UP, tolerance_pct=tolerance_pct
    )
    down = score_kpi(
        actual=-actual, target=-target, red_flag=None, direction=DOWN, tolerance_pct=tolerance_pct
    )

    assert down.score == up.score
    assert down.status == up.status
    assert down.red_flag == -up.red_flag


@given(actual=six_place_values, target=six_place_values, gap=gaps, direction=directions)
def test_it_always_gives_six_decimal_places(actual, target, gap, direction):
    result = score(actual, target, red_flag_for(target, gap, direction), direction)

    assert result.score.as_tuple().exponent == -6
    assert result.red_flag.as_tuple().exponent == -6


@given(actual=six_place_values, target=six_place_values, gap=gaps, direction=directions)
def test_it_colours_a_kpi_by_its_target_and_red_flag(actual, target, gap, direction):
    red_flag = red_flag_for(target, gap, direction)
    result = score(actual, target, red_flag, direction)
    met = actual >= target if direction == UP else actual <= target
    crossed = actual < red_flag if direction == UP else actual > red_flag

    assert result.status == (GREEN if met else RED if crossed else AMBER)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1.2345665"), "1.234567"),
        (Decimal("1.2345664999"), "1.234566"),
        (Decimal("2.0000005"), "2.000001"),
        (Decimal("-2.0000005"), "-2.000001"),
        (Decimal("-2.0000004"), "-2.000000"),
        (Decimal("9.9999995"), "10.000000"),
        (Decimal("7"), "7.000000"),
        (Decimal("0"), "0.000000"),
        (Decimal("12345678901234567890123456789.5"), "12345678901234567890123456789.500000"),
    ],
)
def test_it_rounds_half_up_to_six_places(value, expected):
    assert str(round6(value)) == expected


# The engine's edges, worked by hand.


def test_it_puts_the_default_red_flag_below_the_target_when_higher_is_better():
    assert default_red_flag(target=Decimal(100), direction=UP, tolerance_pct=Decimal(10)) == (
        Decimal("90.000000")
    )


def test_it_puts_the_default_red_flag_above_the_target_when_lower_is_better():
    assert default_red_flag(target=Decimal(-40), direction=DOWN, tolerance_pct=Decimal(25)) == (
        Decimal("-30.000000")
    )


def test_it_rounds_the_default_red_flag_half_up():
    # 0.333333 - 10 % of it = 0.2999997, which rounds half-up to 0.300000.
    assert str(
        default_red_flag(target=Decimal("0.333333"), direction=UP, tolerance_pct=Decimal(10))
    ) == ("0.300000")


@pytest.mark.parametrize(
    ("arguments", "expected_message"),
    [
        ({"target": Decimal(0), "tolerance_pct": Decimal(10)}, ZERO_TARGET_NEEDS_RED_FLAG),
        ({"target": Decimal(100), "tolerance_pct": Decimal(0)}, TOLERANCE_NOT_POSITIVE),
        ({"target": Decimal(100), "tolerance_pct": Decimal(-5)}, TOLERANCE_NOT_POSITIVE),
        (
            {"target": Decimal("0.000001"), "tolerance_pct": Decimal(10)},
            TARGET_TOO_SMALL_FOR_DEFAULT_RED_FLAG,
        ),
    ],
)
def test_it_refuses_a_default_red_flag_it_cannot_score_with(arguments, expected_message):
    with pytest.raises(TargetError) as raised:
        default_red_flag(direction=UP, **arguments)

    assert str(raised.value) == expected_message


@pytest.mark.parametrize(
    ("target", "red_flag", "direction", "expected_message"),
    [
        (Decimal(100), Decimal(110), UP, RED_FLAG_ON_GOOD_SIDE),
        (Decimal(100), Decimal(90), DOWN, RED_FLAG_ON_GOOD_SIDE),
        (Decimal(100), Decimal(100), UP, RED_FLAG_EQUALS_TARGET),
        (Decimal(10), Decimal(10), DOWN, RED_FLAG_EQUALS_TARGET),
        # The red flag is stored with 6 places, so one that rounds onto the target is one.
        (Decimal(100), Decimal("99.9999996"), UP, RED_FLAG_EQUALS_TARGET),
    ],
)
def test_it_refuses_a_red_flag_on_the_wrong_side(target, red_flag, direction, expected_message):
    with pytest.raises(TargetError) as raised:
        effective_red_flag(
            target=target, red_flag=red_flag, direction=direction, tolerance_pct=Decimal(10)
        )

    assert str(raised.value) == expected_message


def test_it_says_which_side_the_red_flag_belongs_on():
    assert "below" in RED_FLAG_ON_GOOD_SIDE
    assert "above" in RED_FLAG_ON_GOOD_SIDE


def test_it_accepts_a_zero_target_with_a_red_flag():
    assert effective_red_flag(
        target=Decimal(0), red_flag=Decimal(-2), direction=UP, tolerance_pct=Decimal(10)
    ) == Decimal("-2.000000")


def test_it_reports_no_target_before_checking_the_target():
    # A zero target with no red flag is invalid, but without a target nothing is checked.
    result = score_kpi(
        actual=None, target=None, red_flag=Decimal(5), direction=UP, tolerance_pct=Decimal(10)
    )

    assert result == KpiResult(red_flag=None, score=None, status=NO_TARGET)


def test_it_refuses_an_invalid_target_even_without_an_actual():
    with pytest.raises(TargetError, match=re.escape(ZERO_TARGET_NEEDS_RED_FLAG)):
        score_kpi(
            actual=None, target=Decimal(0), red_flag=None, direction=UP, tolerance_pct=Decimal(10)
        )


def test_it_accepts_ints_and_strings():
    result = score_kpi(actual=95, target="100", red_flag=None, direction=UP, tolerance_pct=10)

    assert result == KpiResult(red_flag=Decimal("90"), score=Decimal("5"), status=AMBER)


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity"), "-Infinity", "nan", "abc"])
def test_it_refuses_values_that_are_not_finite_numbers(bad):
    with pytest.raises(ValueError, match="must be a finite number"):
        score_kpi(actual=bad, target=Decimal(100), red_flag=None, direction=UP, tolerance_pct=10)


def test_it_refuses_floats_which_have_already_lost_digits():
    with pytest.raises(TypeError, match="must be a finite number"):
        score_kpi(actual=0.1, target=Decimal(100), red_flag=None, direction=UP, tolerance_pct=10)


def test_it_refuses_an_unknown_direction():
    with pytest.raises(ValueError, match='Unknown direction "sideways"'):
        score_kpi(
            actual=Decimal(1),
            target=Decimal(1),
            red_flag=None,
            direction="sideways",
            tolerance_pct=Decimal(10),
        )


def test_it_does_not_round_ten_thirds_before_dividing():
    # t=100, r=0, a=50.000015: 10·(100 + 50.000015)/(3·100) = 5.0000005 exactly, so half-up
    # gives 5.000001. Multiplying by 10/3 first, rounded to 28 digits, lands just below the
    # half (5.0000004999…) and would give 5.000000.
    result = score(Decimal("50.000015"), Decimal(100), Decimal(0), UP)

    assert str(result.score) == "5.000001"


# Aggregated scores: (score, weight) pairs worked by hand.


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (
            [(Decimal(8), Decimal(1)), (Decimal(4), Decimal(1)), (None, Decimal(1))],
            Aggregate(score=Decimal("6.000000"), status=AMBER, reported=2, total=3),
        ),
        (
            # (9·2 + 3·1) / 3 = 21 / 3 = 7
            [(Decimal(9), Decimal(2)), (Decimal(3), Decimal(1))],
            Aggregate(score=Decimal("7.000000"), status=GREEN, reported=2, total=2),
        ),
        (
            [(None, Decimal(1)), (None, Decimal(2))],
            Aggregate(score=None, status=NO_DATA, reported=0, total=2),
        ),
        (
            [],
            Aggregate(score=None, status=NO_DATA, reported=0, total=0),
        ),
        (
            # The weights of the members with a score sum to zero: no score, but they reported.
            [(Decimal(9), Decimal(0)), (Decimal(3), Decimal(0)), (None, Decimal(1))],
            Aggregate(score=None, status=NO_DATA, reported=2, total=3),
        ),
        (
            # A zero-weight member counts in coverage but not in the mean.
            [(Decimal(9), Decimal(0)), (Decimal(3), Decimal(1))],
            Aggregate(score=Decimal("3.000000"), status=RED, reported=2, total=2),
        ),
        (
            # (6.666667 + 6.666666) / 2 = 6.6666665, which rounds half-up to 6.666667.
            [(Decimal("6.666667"), Decimal(1)), (Decimal("6.666666"), Decimal(1))],
            Aggregate(score=Decimal("6.666667"), status=GREEN, reported=2, total=2),
        ),
        (
            # (1·1 + 2·2) / 3 = 5/3 = 1.6666666…, which rounds to 1.666667.
            [(Decimal(1), Decimal(1)), (Decimal(2), Decimal(2))],
            Aggregate(score=Decimal("1.666667"), status=RED, reported=2, total=2),
        ),
    ],
)
def test_it_aggregates_the_weighted_mean_of_the_scores_that_exist(members, expected):
    result = aggregate_scores(members)

    assert result == expected
    if result.score is not None:
        assert result.score.as_tuple().exponent == -6


def test_it_aggregates_from_a_generator():
    members = ((Decimal(score), Decimal(1)) for score in (2, 4, 6))

    assert aggregate_scores(members) == Aggregate(
        score=Decimal("4.000000"), status=AMBER, reported=3, total=3
    )


def test_it_refuses_negative_weights():
    with pytest.raises(ValueError, match="Weights cannot be negative"):
        aggregate_scores([(Decimal(5), Decimal(-1)), (Decimal(6), Decimal(2))])


@pytest.mark.parametrize(
    ("score", "expected_status"),
    [
        (None, NO_DATA),
        (Decimal("10.000000"), GREEN),
        (Decimal("6.666667"), GREEN),
        (Decimal("6.666666"), AMBER),
        (Decimal("3.333333"), AMBER),
        (Decimal("3.333332"), RED),
        (Decimal("0.000000"), RED),
    ],
)
def test_it_reads_an_aggregate_status_from_its_score(score, expected_status):
    assert status_from_score(score) == expected_status


# KPI roll-ups: (value, child KPI weight) pairs worked by hand.

CHILDREN = [
    (Decimal(10), Decimal(1)),
    (None, Decimal(5)),
    (Decimal(20), Decimal(3)),
    (Decimal(-4), Decimal(1)),
]


@pytest.mark.parametrize(
    ("method", "expected_value"),
    [
        ("sum", "26.000000"),  # 10 + 20 - 4
        ("average", "8.666667"),  # 26 / 3 = 8.6666666…
        ("min", "-4.000000"),
        ("max", "20.000000"),
        ("weighted_average", "13.200000"),  # (10·1 + 20·3 - 4·1) / 5 = 66 / 5
    ],
)
def test_it_rolls_up_the_children_that_have_a_value(method, expected_value):
    # `ignore` leaves the missing child out (tests/kpis/test_missing_children.py has the rest).
    result = rollup_value(method, CHILDREN, missing_children="ignore")

    assert result == RollupResult(value=Decimal(expected_value), reported=3, total=4)
    assert str(result.value) == expected_value


def test_it_weights_a_rolled_up_average_by_child_kpi_weight():
    # (10·1 + 20·3) / 4 = 70 / 4 = 17.5
    result = rollup_value("weighted_average", [(Decimal(10), Decimal(1)), (Decimal(20), 3)])

    assert result == RollupResult(value=Decimal("17.500000"), reported=2, total=2)


def test_it_leaves_out_a_missing_child_from_the_weighted_average():
    # The missing child's weight of 5 must not dilute the mean: (10·1 + 20·3) / 4 = 17.5.
    result = rollup_value(
        "weighted_average",
        [(Decimal(10), Decimal(1)), (None, Decimal(5)), (Decimal(20), Decimal(3))],
    )

    assert result == RollupResult(value=Decimal("17.500000"), reported=2, total=3)


def test_it_has_no_weighted_average_when_the_weights_sum_to_zero():
    result = rollup_value("weighted_average", [(Decimal(10), Decimal(0)), (None, Decimal(2))])

    assert result == RollupResult(value=None, reported=1, total=2)


@pytest.mark.parametrize("method", ["sum", "average", "min", "max", "weighted_average"])
def test_it_has_no_rolled_up_value_when_no_child_has_one(method):
    result = rollup_value(method, [(None, Decimal(1)), (None, Decimal(1))])

    assert result == RollupResult(value=None, reported=0, total=2)


@pytest.mark.parametrize("method", ["sum", "average", "min", "max", "weighted_average"])
def test_it_has_no_rolled_up_value_without_children(method):
    assert rollup_value(method, []) == RollupResult(value=None, reported=0, total=0)


@pytest.mark.parametrize(
    ("method", "values", "expected_value"),
    [
        # 0.1234564 · 2 = 0.2469128 → 0.246913
        ("sum", ["0.1234564", "0.1234564"], "0.246913"),
        # 0.1234564 · 3 = 0.3703692 → 0.370369
        ("sum", ["0.1234564", "0.1234564", "0.1234564"], "0.370369"),
        # (0.000001 + 0.000002) / 2 = 0.0000015 → 0.000002 (half-up)
        ("average", ["0.000001", "0.000002"], "0.000002"),
        # (1 + 1 + 2) / 3 = 1.3333333… → 1.333333
        ("average", ["1", "1", "2"], "1.333333"),
        ("min", ["0.1234565", "0.9"], "0.123457"),
        ("max", ["0.1", "-0.0000005"], "0.100000"),
        ("max", ["-0.0000005", "-0.0000015"], "-0.000001"),
    ],
)
def test_it_rounds_rolled_up_values_half_up_to_six_places(method, values, expected_value):
    result = rollup_value(method, [(Decimal(value), Decimal(1)) for value in values])

    assert str(result.value) == expected_value


def test_it_refuses_an_unknown_rollup_method():
    with pytest.raises(ValueError, match='Unknown roll-up method "median"'):
        rollup_value("median", [(Decimal(1), Decimal(1))])


def test_it_refuses_an_unknown_rollup_method_even_without_children():
    with pytest.raises(ValueError, match='Unknown roll-up method "median"'):
        rollup_value("median", [])
