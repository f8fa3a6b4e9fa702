"""Target types against DESIGN.md section 4 ("Target types"): the golden table of the
specification, properties and hand-worked cases for each type."""

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis import scoring
from kpis.scoring import (
    AMBER,
    BAND,
    GREEN,
    MILESTONE,
    NO_DATA,
    NO_TARGET,
    ORDINAL,
    RED,
    TRACK,
    TRACKED,
    ActualError,
    TargetError,
    TargetSpec,
    score_against,
)

# The specification's table of target types, kept in the repository (CI checks it against
# the specification's copy, see tests/repository/test_golden_tables.py).
CASES_FILE = Path(__file__).resolve().parents[1] / "data" / "scoring_cases_targets.csv"
RATING = ("BBB", "A", "AA", "AAA")


def load_cases():
    # A missing or empty table must fail the run, never pass it without a case.
    with CASES_FILE.open(newline="", encoding="utf-8") as csv_file:
        cases = list(csv.DictReader(csv_file))
    if not cases:
        raise ValueError(f"Scoring cases file {CASES_FILE} has no rows.")
    return cases


CASES = load_cases()


def number_or_level(text, levels):
    """A cell of the table: blank, a level name (ordinal) or a number."""
    if not text:
        return None
    if levels:
        return Decimal(levels.index(text))
    return Decimal(text)


def spec_of(case):
    levels = tuple(case["levels"].split("|")) if case["levels"] else ()
    return levels, TargetSpec(
        target_type=case["target_type"],
        value=number_or_level(case["target"], levels),
        red_flag=number_or_level(case["red_flag"], levels),
        value_high=number_or_level(case["target_high"], ()),
        red_flag_high=number_or_level(case["red_flag_high"], ()),
        direction=case["direction"] or scoring.UP,
        tolerance_pct=Decimal(case["tolerance_pct"]),
        levels=levels,
    )


def shown_red_flags(result, levels):
    """The result's red flag as the table writes it: low|high for a band, a level name."""
    if result.red_flag_high is not None:
        return f"{result.red_flag}|{result.red_flag_high}"
    if levels and result.red_flag is not None:
        return scoring.level_name(levels, result.red_flag)
    return "" if result.red_flag is None else str(result.red_flag)


@pytest.mark.parametrize("case", CASES, ids=[case["case"] for case in CASES])
def test_it_scores_every_case_of_the_target_types_table(case):
    assert case["expected_error"] in {"", "invalid"}, f"Unknown expected_error in {case}"
    levels, spec = spec_of(case)
    actual = number_or_level(case["actual"], levels)

    if case["expected_error"] == "invalid":
        with pytest.raises((TargetError, ActualError)):
            score_against(actual, spec)
        return

    result = score_against(actual, spec)

    assert shown_red_flags(result, levels) == case["expected_red_flag"]
    if case["expected_score"]:
        assert result.score == Decimal(case["expected_score"])
        assert result.score.as_tuple().exponent == -6
    else:
        assert result.score is None
    assert result.status == case["expected_status"]


def test_the_table_covers_every_target_type():
    assert {case["target_type"] for case in CASES} == set(scoring.TARGET_TYPES) - {
        scoring.AT_LEAST,
        scoring.AT_MOST,
    }


# Hand-worked cases, one type at a time.


def test_more_than_scores_like_at_least_but_is_amber_at_the_target():
    spec = TargetSpec(scoring.MORE_THAN, value=Decimal(50), red_flag=Decimal(40))

    at = score_against(Decimal(50), spec)
    below = score_against(Decimal(45), spec)

    assert (at.score, at.status) == (Decimal("6.666667"), AMBER)
    # (10/3)(1 + 5/10) = 5
    assert (below.score, below.status) == (Decimal("5.000000"), AMBER)
    assert score_against(Decimal(39), spec).status == RED


def test_less_than_ignores_the_direction_it_is_given():
    spec = TargetSpec(scoring.LESS_THAN, value=Decimal(10), direction=scoring.UP)

    # Default red flag 11 (10 % above); a = 9: (10/3)(1 + (9 - 11)/(10 - 11)) = 10.
    result = score_against(Decimal(9), spec)

    assert (result.red_flag, result.score, result.status) == (
        Decimal("11.000000"),
        Decimal("10.000000"),
        GREEN,
    )


def test_a_band_scores_the_nearer_edge():
    spec = TargetSpec(
        BAND,
        value=Decimal(10),
        red_flag=Decimal(5),
        value_high=Decimal(20),
        red_flag_high=Decimal(30),
    )

    # a = 7: against the low edge (10/3)(1 + 2/5) = 4.666667; the high edge gives 10.
    assert score_against(Decimal(7), spec) == scoring.KpiResult(
        Decimal("5.000000"), Decimal("4.666667"), AMBER, Decimal("30.000000")
    )
    # a = 25: against the high edge (10/3)(1 + (25 - 30)/(20 - 30)) = 5.
    assert score_against(Decimal(25), spec).score == Decimal("5.000000")
    assert score_against(Decimal(31), spec).status == RED
    assert score_against(Decimal(15), spec).status == GREEN


def test_a_band_of_one_point_is_green_only_there():
    spec = TargetSpec(
        BAND,
        value=Decimal(0),
        red_flag=Decimal(-1),
        value_high=Decimal(0),
        red_flag_high=Decimal(1),
    )

    assert score_against(Decimal(0), spec).status == GREEN
    assert score_against(Decimal("0.5"), spec).status == AMBER
    assert score_against(Decimal(2), spec).status == RED


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value_high": None}, scoring.BAND_NEEDS_HIGH_EDGE),
        ({"value": Decimal(30)}, scoring.BAND_LOW_ABOVE_HIGH),
        ({"red_flag": Decimal(12)}, scoring.RED_FLAG_LOW_NOT_BELOW),
        ({"red_flag_high": Decimal(20)}, scoring.RED_FLAG_HIGH_NOT_ABOVE),
        ({"value_high": Decimal(0), "value": Decimal(-5)}, scoring.ZERO_EDGE_NEEDS_RED_FLAG),
    ],
)
def test_a_band_that_does_not_fit_is_refused(fields, message):
    spec = TargetSpec(BAND, **{"value": Decimal(10), "value_high": Decimal(20), **fields})

    with pytest.raises(TargetError, match=re.escape(message)):
        score_against(Decimal(15), spec)


def test_a_milestone_is_done_or_not():
    spec = TargetSpec(MILESTONE, value=Decimal(1))

    assert score_against(Decimal(1), spec) == scoring.KpiResult(None, Decimal("6.666667"), GREEN)
    assert score_against(Decimal(0), spec) == scoring.KpiResult(None, Decimal("0.000000"), RED)
    assert score_against(None, spec).status == NO_DATA
    with pytest.raises(ActualError):
        score_against(Decimal("0.5"), spec)
    with pytest.raises(TargetError, match=re.escape(scoring.MILESTONE_TARGET_NOT_ONE)):
        score_against(Decimal(1), TargetSpec(MILESTONE, value=Decimal(0)))


def test_an_ordinal_kpi_scores_positions_with_the_at_least_formula():
    # Target AA (2), red flag BBB (0); actual A (1): (10/3)(1 + 1/2) = 5.
    spec = TargetSpec(ORDINAL, value=Decimal(2), red_flag=Decimal(0), levels=RATING)

    result = score_against(Decimal(1), spec)

    assert (result.score, result.status) == (Decimal("5.000000"), AMBER)


def test_an_ordinal_actual_outside_the_levels_is_refused():
    spec = TargetSpec(ORDINAL, value=Decimal(2), levels=RATING)

    with pytest.raises(ActualError):
        score_against(Decimal(4), spec)
    with pytest.raises(ActualError):
        score_against(Decimal("1.5"), spec)


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        (("Only",), scoring.LEVELS_TOO_FEW),
        (("Weak", " ", "Strong"), scoring.LEVEL_BLANK),
        (("Weak", "Weak"), scoring.LEVELS_NOT_UNIQUE),
    ],
)
def test_levels_are_at_least_two_unique_names(levels, message):
    with pytest.raises(TargetError, match=re.escape(message)):
        scoring.check_levels(levels)


def test_level_names_and_positions():
    assert scoring.level_position(RATING, "AA") == 2
    assert scoring.level_name(RATING, Decimal("3.000000")) == "AAA"
    assert scoring.level_name(RATING, Decimal(7)) is None
    with pytest.raises(ActualError):
        scoring.level_position(RATING, "B")


def test_track_is_tracked_before_anything_else():
    assert score_against(None, TargetSpec(TRACK)).status == TRACKED
    assert score_against(Decimal(3), TargetSpec(TRACK, value=Decimal(1))).status == TRACKED
    assert score_against(Decimal(3), TargetSpec(BAND)).status == NO_TARGET


def test_a_high_edge_belongs_to_a_band_only():
    spec = TargetSpec(scoring.AT_LEAST, value=Decimal(5), value_high=Decimal(9))

    with pytest.raises(TargetError, match=re.escape(scoring.HIGH_EDGE_ONLY_FOR_BANDS)):
        score_against(Decimal(5), spec)


@pytest.mark.parametrize(
    ("target_type", "direction", "kept"),
    [
        (scoring.AT_LEAST, scoring.DOWN, (scoring.AT_MOST, scoring.DOWN)),
        (scoring.AT_MOST, scoring.UP, (scoring.AT_LEAST, scoring.UP)),
        (scoring.MORE_THAN, scoring.DOWN, (scoring.MORE_THAN, scoring.UP)),
        (scoring.LESS_THAN, scoring.UP, (scoring.LESS_THAN, scoring.DOWN)),
        (BAND, scoring.DOWN, (BAND, scoring.DOWN)),
    ],
)
def test_one_sided_types_and_the_direction_stay_aligned(target_type, direction, kept):
    assert scoring.aligned(target_type, direction) == kept


# Properties.

edges = st.decimals(min_value=Decimal("-100000"), max_value=Decimal("100000"), places=6)
gaps = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=6)


@given(low=edges, width=gaps, below=gaps, above=gaps, actual=edges)
def test_a_band_is_green_exactly_inside_and_its_score_stays_in_range(
    low, width, below, above, actual
):
    high = low + width
    spec = TargetSpec(
        BAND, value=low, red_flag=low - below, value_high=high, red_flag_high=high + above
    )

    result = score_against(actual, spec)

    assert result.score is not None and 0 <= result.score <= 10
    assert (result.status == GREEN) == (low <= actual <= high)
    assert (result.status == RED) == (actual < low - below or actual > high + above)


@given(
    target=st.integers(min_value=1, max_value=3),
    actual=st.integers(min_value=0, max_value=3),
)
def test_an_ordinal_status_follows_the_positions(target, actual):
    result = score_against(
        Decimal(actual), TargetSpec(ORDINAL, value=Decimal(target), levels=RATING)
    )

    expected = GREEN if actual >= target else (AMBER if actual == target - 1 else RED)
    assert result.status == expected
