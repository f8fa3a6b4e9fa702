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
- `weak`: anything else (shown as "not enough evidence yet").

Significance is a one-sided test of Pearson's r with Student's t over the effective number of
pairs. Two families of looks are corrected for, so that noise reads `supported` at most 5 % of
the time whatever the link's shape:
- the lags: the verdict keeps the better of two lags, so a pair's p-value is
  Bonferroni-adjusted for the lags that count (p × 2 when both count);
- the pairs: a link with several (leading, lagging) pairs would otherwise get as many chances,
  so `judge_link` adjusts the pairs' p-values by Holm's step-down method, once for the
  evidence that the cause helps and once for the evidence that it hurts. Holm holds whatever
  the dependence between the pairs (they share series), unlike pooled tests such as Fisher's.

A link reads `contradicted` when any of its pairs does, even if another pair supports it
(pairs that disagree do not bear the link out); otherwise `supported` when a pair does.
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
# Every verdict, best first.
VERDICT_RANK = (SUPPORTED, WEAK, CONTRADICTED, INSUFFICIENT_DATA)
# A link reads as the first of these that one of its pairs reads.
LINK_PRECEDENCE = (CONTRADICTED, SUPPORTED, WEAK, INSUFFICIENT_DATA)

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
    # The p-value of the decisive lag, adjusted for the lags that count and (Holm) for the
    # other pairs of the link: that the cause helps (supported, weak), or hurts (contradicted).
    adjusted_p: float | None


@dataclass(frozen=True)
class PairEvidence:
    """What one pair's lags 1 and 2 say, before it is judged with the other pairs of its link."""

    lags: tuple[LagResult, ...]
    # The lags that count: the Bonferroni factor over lags.
    looks: int
    # The judged lags with the highest and the lowest correlation; None when no lag that
    # counts has one (a series that does not move).
    best: LagResult | None
    worst: LagResult | None

    @classmethod
    def of(cls, lags: tuple[LagResult, ...]) -> "PairEvidence":
        judged = [result for result in lags if result.lag in JUDGED_LAGS and result.counts]
        scored = [result for result in judged if result.correlation is not None]
        if not scored:
            return cls(lags=lags, looks=len(judged), best=None, worst=None)
        return cls(
            lags=lags,
            looks=len(judged),
            best=max(scored, key=lambda result: (result.correlation, -result.lag)),
            worst=min(scored, key=lambda result: (result.correlation, result.lag)),
        )

    @property
    def p_helps(self) -> float | None:
        """The lag-adjusted p-value that the cause helps the effect (None: nothing tested)."""
        return None if self.best is None else self._adjusted(self.best, positive=True)

    @property
    def p_hurts(self) -> float | None:
        return None if self.worst is None else self._adjusted(self.worst, positive=False)

    def _adjusted(self, result: LagResult, *, positive: bool) -> float:
        r, p = result.correlation, result.p_value
        assert r is not None and p is not None
        # `p` is the tail on the side of r's sign; the other side is its complement.
        tail = p if (r >= 0) == positive else 1.0 - p
        return min(1.0, tail * self.looks)


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


def pair_evidence(
    *,
    source: Sequence[float | None],
    target: Sequence[float | None],
    source_direction: str,
    target_direction: str,
) -> PairEvidence:
    """Both series hold one value per quarter over the same quarters, oldest first (None for
    a quarter without a value)."""
    cause = _turned(changes(source), source_direction)
    effect = _turned(changes(target), target_direction)
    return PairEvidence.of(tuple(lag_result(cause, effect, lag) for lag in LAGS))


def assess_pair(
    *,
    source: Sequence[float | None],
    target: Sequence[float | None],
    source_direction: str,
    target_direction: str,
) -> PairResult:
    """One pair judged alone, as the only pair of its link."""
    evidence = pair_evidence(
        source=source,
        target=target,
        source_direction=source_direction,
        target_direction=target_direction,
    )
    [result] = judge_link([evidence])
    return result


def judge_link(pairs: Sequence[PairEvidence]) -> list[PairResult]:
    """Each pair's verdict, its p-values adjusted across the link's pairs (Holm)."""
    helps = holm([pair.p_helps for pair in pairs])
    hurts = holm([pair.p_hurts for pair in pairs])
    return [
        _pair_verdict(pair, p_helps, p_hurts)
        for pair, p_helps, p_hurts in zip(pairs, helps, hurts, strict=True)
    ]


def _pair_verdict(pair: PairEvidence, p_helps: float | None, p_hurts: float | None) -> PairResult:
    if not pair.looks:
        return PairResult(lags=pair.lags, verdict=INSUFFICIENT_DATA, decisive=None, adjusted_p=None)
    if pair.best is None or pair.worst is None or p_helps is None or p_hurts is None:
        return PairResult(lags=pair.lags, verdict=WEAK, decisive=None, adjusted_p=None)
    assert pair.best.correlation is not None and pair.worst.correlation is not None
    if pair.best.correlation >= STRONG and p_helps < ALPHA:
        return PairResult(lags=pair.lags, verdict=SUPPORTED, decisive=pair.best, adjusted_p=p_helps)
    if pair.worst.correlation <= -STRONG and p_hurts < ALPHA:
        return PairResult(
            lags=pair.lags, verdict=CONTRADICTED, decisive=pair.worst, adjusted_p=p_hurts
        )
    return PairResult(lags=pair.lags, verdict=WEAK, decisive=pair.best, adjusted_p=p_helps)


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values, in the order given: the k-th smallest of m is
    multiplied by m - k + 1, never below the one before it, never above 1. None (no test)
    is no part of the family and stays None."""
    tested = sorted((p, index) for index, p in enumerate(p_values) if p is not None)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, index) in enumerate(tested):
        running = max(running, min(1.0, p * (len(tested) - rank)))
        adjusted[index] = running
    return adjusted


def link_verdict(verdicts: Sequence[str]) -> str:
    """A link reads as its most telling pair (`LINK_PRECEDENCE`): any contradiction, else
    any support, else weak; a link without pairs has insufficient data."""
    if not verdicts:
        return INSUFFICIENT_DATA
    return min(verdicts, key=LINK_PRECEDENCE.index)


def _turned(values: list[float | None], direction: str) -> list[float | None]:
    if direction == DOWN:
        return [None if value is None else -value for value in values]
    return values
