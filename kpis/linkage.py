"""Does the data support a causal link? Pure statistics, no Django.

For a pair (a leading KPI of the link's source objective, a lagging KPI of its target) we
correlate the source's quarter-on-quarter changes with the target's changes 0, 1 and 2
quarters later. Each series is first turned so that "up is good" (a `down` KPI's changes are
negated), so a positive correlation always means "when the cause improves, the effect
improves". A lag counts only with at least `MIN_PAIRS` overlapping pairs of changes.

Verdicts, from lags 1 and 2 only (lag 0 is shown, but a cause does not act in the same
quarter it is measured):
- `insufficient_data`: neither lag 1 nor lag 2 counts;
- `supported`: the best correlation is at least 0.5 and significant;
- `contradicted`: the worst correlation is at most -0.5 and significant;
- `weak`: anything else.

Significance is a one-sided test of Pearson's r with Student's t (n - 2 degrees of freedom).
Because the verdict looks at two lags and keeps the better one, the p-value it judges is
Bonferroni-adjusted for the lags that count (p × 2 when both count): without that, pure
noise would come out `supported` about twice as often as the 5 % the test promises.
"""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

UP = "up"
DOWN = "down"

SUPPORTED = "supported"
WEAK = "weak"
CONTRADICTED = "contradicted"
INSUFFICIENT_DATA = "insufficient_data"
# A link's verdict is its best pair's, best first.
VERDICT_RANK = (SUPPORTED, WEAK, CONTRADICTED, INSUFFICIENT_DATA)

LAGS = (0, 1, 2)
JUDGED_LAGS = (1, 2)
MIN_PAIRS = 6
STRONG = 0.5
ALPHA = 0.05


@dataclass(frozen=True)
class LagResult:
    lag: int
    n: int
    # None when the lag does not count (too few pairs) or a series does not move at all.
    correlation: float | None
    # One-sided, in the direction of the correlation; before any adjustment.
    p_value: float | None

    @property
    def counts(self) -> bool:
        return self.n >= MIN_PAIRS


@dataclass(frozen=True)
class PairResult:
    lags: tuple[LagResult, ...]
    verdict: str
    # The lag the verdict rests on (the best for supported/weak, the worst for contradicted).
    decisive: LagResult | None
    # The p-value of the decisive lag, adjusted for the number of lags the verdict looked at.
    adjusted_p: float | None


def changes(values: Sequence[float | None]) -> list[float | None]:
    """Quarter-on-quarter changes; a change is missing where either quarter is."""
    return [
        None if before is None or after is None else after - before
        for before, after in itertools.pairwise(values)
    ]


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r, or None when either series is constant."""
    n = len(xs)
    if n < 2:
        return None
    mean_x = math.fsum(xs) / n
    mean_y = math.fsum(ys) / n
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    if sxx <= 0 or syy <= 0:
        return None
    r = sxy / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), by the continued fraction of Numerical Recipes (modified Lentz)."""
    if a <= 0 or b <= 0:
        raise ValueError("a and b must be positive")
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    # The fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def student_t_upper_tail(t: float, df: float) -> float:
    """P(T ≥ t) for Student's t with `df` degrees of freedom."""
    tail = 0.5 * regularized_incomplete_beta(df / 2, 0.5, df / (df + t * t))
    return tail if t >= 0 else 1.0 - tail


def one_sided_p(r: float, n: float) -> float:
    """The one-sided p-value of r over n (effective) pairs, in the direction of its sign."""
    df = n - 2
    if abs(r) >= 1.0:
        return 0.0
    t = abs(r) * math.sqrt(df / (1.0 - r * r))
    return student_t_upper_tail(t, df)


def lag_result(
    cause: Sequence[float | None], effect: Sequence[float | None], lag: int
) -> LagResult:
    """Correlate cause changes at quarter i with effect changes at quarter i + lag."""
    pairs = [
        (x, y) for x, y in zip(cause, effect[lag:], strict=False) if x is not None and y is not None
    ]
    n = len(pairs)
    if n < MIN_PAIRS:
        return LagResult(lag=lag, n=n, correlation=None, p_value=None)
    xs = [x for x, _ in pairs]
    ys = [y for _, y in pairs]
    r = pearson(xs, ys)
    if r is None:
        return LagResult(lag=lag, n=n, correlation=None, p_value=None)
    return LagResult(lag=lag, n=n, correlation=r, p_value=one_sided_p(r, effective_n(xs, ys)))


def effective_n(xs: Sequence[float], ys: Sequence[float]) -> float:
    """The number of independent pairs the series are worth. Changes of a noisy level are
    autocorrelated (a high quarter is followed by a fall), and two autocorrelated series
    correlate by chance more often than Student's t assumes; Bretherton et al. (1999):
    n × (1 − ρx ρy) / (1 + ρx ρy) with the lag-1 autocorrelations ρ. Never more than n."""
    n = len(xs)
    rho = (_autocorrelation(xs) or 0.0) * (_autocorrelation(ys) or 0.0)
    if rho <= 0:
        return float(n)
    return max(3.0, n * (1 - rho) / (1 + rho))


def _autocorrelation(values: Sequence[float]) -> float | None:
    return pearson(values[:-1], values[1:])


def assess_pair(
    *,
    source: Sequence[float | None],
    target: Sequence[float | None],
    source_direction: str,
    target_direction: str,
) -> PairResult:
    """Both series hold one value per quarter over the same quarters, oldest first (None for
    a quarter without a value)."""
    cause = _turned(changes(source), source_direction)
    effect = _turned(changes(target), target_direction)
    lags = tuple(lag_result(cause, effect, lag) for lag in LAGS)
    judged = [result for result in lags if result.lag in JUDGED_LAGS and result.counts]
    if not judged:
        return PairResult(lags=lags, verdict=INSUFFICIENT_DATA, decisive=None, adjusted_p=None)
    scored = [result for result in judged if result.correlation is not None]
    if not scored:
        return PairResult(lags=lags, verdict=WEAK, decisive=None, adjusted_p=None)
    looks = len(judged)
    best = max(scored, key=lambda result: (result.correlation, -result.lag))
    worst = min(scored, key=lambda result: (result.correlation, result.lag))
    for decisive, verdict in ((best, SUPPORTED), (worst, CONTRADICTED)):
        r, p = decisive.correlation, decisive.p_value
        assert r is not None and p is not None
        adjusted = min(1.0, p * looks)
        strong = r >= STRONG if verdict == SUPPORTED else r <= -STRONG
        if strong and adjusted < ALPHA:
            return PairResult(lags=lags, verdict=verdict, decisive=decisive, adjusted_p=adjusted)
    assert best.p_value is not None
    return PairResult(
        lags=lags, verdict=WEAK, decisive=best, adjusted_p=min(1.0, best.p_value * looks)
    )


def link_verdict(verdicts: Sequence[str]) -> str:
    """A link's verdict is its best pair's; a link without pairs has insufficient data."""
    if not verdicts:
        return INSUFFICIENT_DATA
    return min(verdicts, key=VERDICT_RANK.index)


def _turned(values: list[float | None], direction: str) -> list[float | None]:
    if direction == DOWN:
        return [None if value is None else -value for value in values]
    return values
