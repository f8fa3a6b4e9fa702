"""The linkage statistics: does a leading KPI move before the lagging KPI it should cause?
Pure functions, no database."""

import math
import random

import pytest

from kpis import linkage

# A cause series of 12 quarters with irregular moves (hand-picked, no pattern).
CAUSE = [10.0, 12.0, 11.0, 15.0, 14.0, 13.0, 17.0, 16.0, 19.0, 18.0, 22.0, 21.0]


def shifted(values: list[float], lag: int, *, factor: float = 1.0, start: float = 50.0):
    """A series whose change in quarter i + lag is `factor` × the cause's change in i."""
    out = [start] * (lag + 1)
    cause_changes = linkage.changes(values)
    for change in cause_changes[: len(values) - lag - 1]:
        assert change is not None
        out.append(out[-1] + factor * change)
    return out


# The incomplete beta function and Student's t, against values known in closed form or
# from printed tables.


@pytest.mark.parametrize(
    ("a", "b", "x", "expected"),
    [
        (1, 1, 0.3, 0.3),  # I_x(1, 1) = x
        (3, 1, 0.5, 0.125),  # I_x(a, 1) = x^a
        (1, 4, 0.2, 1 - 0.8**4),  # I_x(1, b) = 1 - (1 - x)^b
        # I_x(2, 3) = 6x²(1-x)² + 4x³(1-x) + x⁴ at x = 0.4: 0.3456 + 0.1536 + 0.0256
        (2, 3, 0.4, 0.5248),
        (0.5, 0.5, 0.5, 0.5),  # symmetric
        (5, 5, 0.0, 0.0),
        (5, 5, 1.0, 1.0),
    ],
)
def test_it_computes_the_regularized_incomplete_beta(a, b, x, expected):
    assert linkage.regularized_incomplete_beta(a, b, x) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("t", "df", "expected"),
    [
        (1.0, 1, 0.25),  # Cauchy: 1/2 - atan(1)/π
        (2.0, 2, 0.5 - 2 / (2 * math.sqrt(6))),  # df 2: 1/2 - t / (2 √(t² + 2))
        (0.0, 7, 0.5),
        (2.306, 8, 0.025),  # the t table: one-sided 2.5 % at 8 degrees of freedom
        (1.860, 8, 0.05),
        (1.812, 10, 0.05),
        (3.355, 8, 0.005),
        (-1.860, 8, 0.95),
    ],
)
def test_it_computes_the_upper_tail_of_student_t(t, df, expected):
    assert linkage.student_t_upper_tail(t, df) == pytest.approx(expected, abs=2e-4)


def test_it_refuses_a_beta_function_without_positive_parameters():
    with pytest.raises(ValueError, match="a and b must be positive"):
        linkage.regularized_incomplete_beta(0, 1, 0.5)


def test_it_computes_pearson_by_hand():
    # Means 2.5; deviations ±1.5, ±0.5: Sxy = 2.25 - 0.25 - 0.25 + 2.25 = 4, Sxx = Syy = 5.
    assert linkage.pearson([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)
    assert linkage.pearson([1, 2, 3], [6, 4, 2]) == pytest.approx(-1.0)
    assert linkage.pearson([1, 1, 1], [1, 2, 3]) is None


def test_it_takes_changes_only_between_quarters_that_both_have_a_value():
    assert linkage.changes([1.0, 3.0, None, 4.0, 6.5]) == [2.0, None, None, 2.5]


# Verdicts on synthetic series with a known lag and sign.


@pytest.mark.parametrize("lag", [1, 2])
def test_it_supports_a_link_whose_effect_follows_the_cause_at_a_known_lag(lag):
    effect = shifted(CAUSE, lag)

    result = linkage.assess_pair(
        source=CAUSE, target=effect, source_direction="up", target_direction="up"
    )

    assert result.verdict == linkage.SUPPORTED
    assert result.decisive is not None
    assert result.decisive.lag == lag
    assert result.decisive.correlation == pytest.approx(1.0)
    # 11 changes; lag k pairs 11 - k of them.
    assert [lag_.n for lag_ in result.lags] == [11, 10, 9]


def test_it_contradicts_a_link_whose_effect_moves_against_the_cause():
    effect = shifted(CAUSE, 1, factor=-2.0)

    result = linkage.assess_pair(
        source=CAUSE, target=effect, source_direction="up", target_direction="up"
    )

    assert result.verdict == linkage.CONTRADICTED
    assert result.decisive.lag == 1
    assert result.decisive.correlation == pytest.approx(-1.0)


def test_it_turns_a_lower_is_better_kpi_so_that_up_means_good():
    # Defects fall when training rises: good news for a `down` KPI.
    defects = shifted(CAUSE, 1, factor=-2.0)

    result = linkage.assess_pair(
        source=CAUSE, target=defects, source_direction="up", target_direction="down"
    )

    assert result.verdict == linkage.SUPPORTED
    assert result.decisive.correlation == pytest.approx(1.0)


def test_it_turns_a_lower_is_better_cause_too():
    cycle_time = [-value for value in CAUSE]  # falls when the cause above rises
    effect = shifted(CAUSE, 2)

    result = linkage.assess_pair(
        source=cycle_time, target=effect, source_direction="down", target_direction="up"
    )

    assert result.verdict == linkage.SUPPORTED
    assert result.decisive.lag == 2


def test_it_ignores_lag_zero_for_the_verdict():
    # The effect moves in the same quarter as the cause, never later.
    same_quarter = [50.0 + 2 * value for value in CAUSE]

    result = linkage.assess_pair(
        source=CAUSE, target=same_quarter, source_direction="up", target_direction="up"
    )

    assert result.lags[0].correlation == pytest.approx(1.0)
    assert result.verdict != linkage.SUPPORTED


def test_it_needs_six_pairs_at_lag_one_or_two():
    # 7 quarters: 6 changes; lag 1 pairs 5 of them, lag 2 pairs 4: neither counts.
    seven = CAUSE[:7]
    result = linkage.assess_pair(
        source=seven, target=shifted(seven, 1), source_direction="up", target_direction="up"
    )
    assert result.verdict == linkage.INSUFFICIENT_DATA
    assert [(lag.n, lag.correlation is None) for lag in result.lags] == [
        (6, False),
        (5, True),
        (4, True),
    ]

    # 8 quarters: lag 1 has its 6 pairs.
    eight = CAUSE[:8]
    result = linkage.assess_pair(
        source=eight, target=shifted(eight, 1), source_direction="up", target_direction="up"
    )
    assert result.lags[1].n == 6
    assert result.verdict == linkage.SUPPORTED


def test_it_counts_only_quarters_where_both_changes_exist():
    effect = shifted(CAUSE, 1)
    # Missing effect values in two quarters remove the changes into and out of them.
    effect[4] = None
    effect[8] = None

    result = linkage.assess_pair(
        source=CAUSE, target=effect, source_direction="up", target_direction="up"
    )

    # Effect changes 1..11 lose 4, 5, 8 and 9: lag 1 pairs 10 - 4 = 6.
    assert result.lags[1].n == 6
    assert result.verdict == linkage.SUPPORTED


def test_it_calls_a_moderate_but_insignificant_correlation_weak():
    # r = 0.5 over 10 pairs: t = 0.5 √(8 / 0.75) = 1.633 < 1.860, p > 0.05 even before the
    # adjustment for two lags.
    assert linkage.one_sided_p(0.5, 10) > 0.05
    assert linkage.one_sided_p(0.5, 10) < 0.10
    rng = random.Random(11)
    noise = [rng.gauss(0, 1) for _ in range(12)]

    result = linkage.assess_pair(
        source=CAUSE, target=noise, source_direction="up", target_direction="up"
    )

    assert result.verdict == linkage.WEAK


def test_it_ranks_a_links_verdict_by_its_best_pair():
    assert linkage.link_verdict(["weak", "supported", "contradicted"]) == "supported"
    assert linkage.link_verdict(["contradicted", "weak"]) == "weak"
    assert linkage.link_verdict(["insufficient_data", "contradicted"]) == "contradicted"
    assert linkage.link_verdict([]) == "insufficient_data"


def noise_level(rng: random.Random) -> list[float]:
    return [rng.gauss(100, 5) for _ in range(12)]


def noise_walk(rng: random.Random) -> list[float]:
    values = [100.0]
    for _ in range(11):
        values.append(values[-1] + rng.gauss(0, 5))
    return values


@pytest.mark.parametrize("noise", [noise_level, noise_walk])
def test_it_rarely_supports_a_link_between_independent_noise(noise):
    rng = random.Random(20261127)
    verdicts = [
        linkage.assess_pair(
            source=noise(rng), target=noise(rng), source_direction="up", target_direction="up"
        ).verdict
        for _ in range(1000)
    ]

    assert verdicts.count(linkage.SUPPORTED) <= 50
    assert verdicts.count(linkage.CONTRADICTED) <= 50
