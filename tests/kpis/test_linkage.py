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


def test_it_reads_a_link_by_its_most_telling_pair():
    # A significant contradiction outweighs everything: pairs that disagree do not support.
    assert linkage.link_verdict(["weak", "supported", "contradicted"]) == "contradicted"
    assert linkage.link_verdict(["contradicted", "weak"]) == "contradicted"
    assert linkage.link_verdict(["weak", "supported", "insufficient_data"]) == "supported"
    assert linkage.link_verdict(["insufficient_data", "weak"]) == "weak"
    assert linkage.link_verdict(["insufficient_data"]) == "insufficient_data"
    assert linkage.link_verdict([]) == "insufficient_data"


# Holm's step-down adjustment across the pairs of a link.


def test_it_adjusts_p_values_by_holms_step_down():
    # Sorted: 0.01 (× 3 = 0.03), 0.02 (× 2 = 0.04), 0.04 (× 1 = 0.04); original order back.
    assert linkage.holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    # 0.012 × 2 = 0.024, then 0.026 × 1 = 0.026.
    assert linkage.holm([0.026, 0.012]) == pytest.approx([0.026, 0.024])
    # 0.02 × 2 = 0.04, then 0.03 × 1 = 0.03 is raised to 0.04: never below an earlier one.
    assert linkage.holm([0.03, 0.02]) == pytest.approx([0.04, 0.04])
    # Never above 1.
    assert linkage.holm([0.6, 0.9]) == pytest.approx([1.0, 1.0])
    # A pair without a test is no part of the family.
    assert linkage.holm([None, 0.02, None]) == [None, pytest.approx(0.02), None]
    assert linkage.holm([]) == []


def evidence(*lags: tuple[int, int, float, float]) -> linkage.PairEvidence:
    """A pair's evidence from (lag, n, r, one-sided p in the direction of r) rows."""
    rows = tuple(linkage.LagResult(lag=lag, n=n, correlation=r, p_value=p) for lag, n, r, p in lags)
    return linkage.PairEvidence.of(rows)


def test_it_judges_the_pairs_of_a_link_together():
    # Lag-adjusted p (× 2 lags): 0.02 and 0.03. Alone, each pair is supported. Together,
    # Holm: 0.02 × 2 = 0.04 and max(0.04, 0.03 × 1) = 0.04, both below 0.05: both still
    # supported (Bonferroni would have made the second 0.06, weak).
    first = evidence((1, 10, 0.8, 0.01), (2, 9, 0.1, 0.4))
    second = evidence((1, 10, 0.2, 0.3), (2, 9, 0.7, 0.015))

    judged = linkage.judge_link([first, second])

    assert [pair.verdict for pair in judged] == ["supported", "supported"]
    assert [pair.adjusted_p for pair in judged] == pytest.approx([0.04, 0.04])
    assert [pair.decisive.lag for pair in judged] == [1, 2]


def test_it_needs_more_evidence_from_a_link_with_more_pairs():
    # 0.012 × 2 lags = 0.024, supported alone; among four pairs, 0.024 × 4 = 0.096: weak.
    telling = evidence((1, 10, 0.75, 0.012), (2, 9, 0.3, 0.2))
    silent = [evidence((1, 10, 0.1, 0.39), (2, 9, -0.1, 0.4)) for _ in range(3)]

    [alone] = linkage.judge_link([telling])
    together = linkage.judge_link([telling, *silent])

    assert alone.verdict == "supported"
    assert alone.adjusted_p == pytest.approx(0.024)
    assert together[0].verdict == "weak"
    assert together[0].adjusted_p == pytest.approx(0.096)
    assert linkage.link_verdict([pair.verdict for pair in together]) == "weak"


def test_it_calls_a_link_whose_pairs_disagree_contradicted():
    # One pair rises with the cause (lag 1, r 0.9, p 0.0002 × 2 lags × 2 pairs = 0.0008),
    # the other falls with it (lag 2, r -0.85, p 0.001 × 2 × 2 = 0.004): each is
    # significant in its own direction, so the link is not borne out.
    rising = evidence((1, 10, 0.9, 0.0002), (2, 9, 0.2, 0.3))
    falling = evidence((1, 10, 0.1, 0.4), (2, 9, -0.85, 0.001))

    judged = linkage.judge_link([rising, falling])

    assert [pair.verdict for pair in judged] == ["supported", "contradicted"]
    assert [pair.adjusted_p for pair in judged] == pytest.approx([0.0008, 0.004])
    assert linkage.link_verdict([pair.verdict for pair in judged]) == "contradicted"


def test_it_leaves_pairs_without_a_test_out_of_the_count():
    # Too short a history (no lag counts) and a flat series (no correlation) test nothing:
    # the one real pair keeps its lag-adjusted p, 0.02.
    short = linkage.PairEvidence.of(())
    flat = evidence((1, 10, None, None), (2, 9, None, None))  # type: ignore[arg-type]
    real = evidence((1, 10, 0.8, 0.01), (2, 9, 0.1, 0.4))

    judged = linkage.judge_link([short, flat, real])

    assert [pair.verdict for pair in judged] == ["insufficient_data", "weak", "supported"]
    assert judged[2].adjusted_p == pytest.approx(0.02)


def test_it_judges_a_weak_pair_by_the_evidence_that_the_cause_helps():
    # The best lag is negative (r -0.3, p 0.2 that low): the p that the cause helps is the
    # other tail, 0.8, × 2 lags, capped at 1.
    [judged] = linkage.judge_link([evidence((1, 10, -0.3, 0.2), (2, 9, -0.4, 0.15))])

    assert judged.verdict == "weak"
    assert judged.decisive.lag == 1
    assert judged.adjusted_p == 1.0


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


# Links of two leading and two lagging KPIs (four pairs), twelve quarters, judged together.


def link_of(causes: list[list[float]], effects: list[list[float]]) -> str:
    pairs = [
        linkage.pair_evidence(
            source=cause, target=effect, source_direction="up", target_direction="up"
        )
        for cause in causes
        for effect in effects
    ]
    return linkage.link_verdict([pair.verdict for pair in linkage.judge_link(pairs)])


@pytest.mark.parametrize("noise", [noise_level, noise_walk])
def test_it_rarely_supports_a_link_of_four_pairs_of_independent_noise(noise):
    # Measured with this seed: 0.9 % (levels) and 2.0 % (random walks) `supported`; 0.8 %
    # and 3.1 % `contradicted`. When a link read as its best pair, judged alone, 5.2 % and
    # 13.0 % of these links read `supported`.
    rng = random.Random(20261201)
    verdicts = [link_of([noise(rng), noise(rng)], [noise(rng), noise(rng)]) for _ in range(1000)]

    assert verdicts.count(linkage.SUPPORTED) <= 50
    assert verdicts.count(linkage.CONTRADICTED) <= 50


def follower(cause: list[float], rng: random.Random) -> list[float]:
    """A lagging KPI whose change each quarter is the cause's change a quarter earlier plus
    noise of the same spread: signal / noise 1."""
    values = [100.0, 100.0 + rng.gauss(0, 5)]
    for change in linkage.changes(cause)[:-1]:
        assert change is not None
        values.append(values[-1] + change + rng.gauss(0, 5))
    return values


def test_it_finds_a_real_lag_one_effect_often_enough():
    # Each lagging KPI follows one of the two leading KPIs (random walks); the two cross
    # pairs carry no signal. Measured with this seed: 55.5 % of such links read `supported`
    # (83.6 % when a link read as its best pair, at 13 % false `supported`), and 59.2 % of
    # links of the one real pair alone. The floors are a little under, so that the test
    # fails if the power collapses. A null cross pair may contradict, as often as chance.
    rng = random.Random(20261202)
    four_pairs, one_pair = [], []
    for _ in range(1000):
        causes = [noise_walk(rng), noise_walk(rng)]
        effects = [follower(cause, rng) for cause in causes]
        four_pairs.append(link_of(causes, effects))
        one_pair.append(link_of(causes[:1], effects[:1]))

    assert four_pairs.count(linkage.SUPPORTED) >= 510
    assert one_pair.count(linkage.SUPPORTED) >= 550
    assert four_pairs.count(linkage.CONTRADICTED) <= 50
