"""Quarterly series for the demo organization: a planned trend, a persistent swing around it,
measurement noise, and leading indicators that move a quarter or two before the lagging ones
they drive.

Pure module: no Django imports. Index 0 of every stored series is the oldest of the twelve
ended quarters, index 11 the last ended one, index 12 the current quarter.
"""

import dataclasses
import itertools
import math
import random
import statistics
from dataclasses import dataclass
from decimal import Decimal

from demo.specs import KpiSpec, SeriesSpec

ENDED = 12
STORED = ENDED + 1
# Quarters generated before the first stored one, so that a driver two quarters back
# already has a past to lead from.
WARMUP = 2
# How much of last quarter's swing carries over: enough to look like business cycles,
# little enough that a series does not wander off its trend.
PERSISTENCE = 0.5
# The stored quarter from which a slipping KPI starts to drift away from its plan.
SLIP_FROM = 9
# Tolerances a manager would pick: round numbers of per cent.
NICE_TOLERANCES = (0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 12.5, 15, 20, 25, 30, 40, 50)
TARGET_SIGNIFICANT_DIGITS = 3
TOLERANCE_IN_SPREADS = 1.2
# Typical deviations a target sits beyond (positive) or short of (negative) the plan:
# a spread that gives a believable mix of green, amber and red.
STRETCH_RANGE = (-0.9, 0.4)


@dataclass(frozen=True)
class Series:
    plan: list[float]  # the trend line for the stored quarters
    values: list[float]  # the actuals for the stored quarters, rounded to the KPI's decimals
    deviation: list[float]  # value minus plan, warm-up quarters included
    sign: int  # +1 when higher is better, -1 when lower is better
    scale: float


@dataclass(frozen=True)
class KpiNumbers:
    series: Series
    targets: list[Decimal]
    tolerance_pct: float


def generate_catalog(kpis: list[KpiSpec], *, seed: int) -> dict[str, KpiNumbers]:
    """Actuals, targets and tolerances for every KPI with a series, drivers first."""
    specs = {spec.key: spec for spec in kpis}
    made: dict[str, KpiNumbers] = {}

    def numbers_of(key: str) -> KpiNumbers:
        if key not in made:
            spec = specs[key]
            plan = spec.series
            assert plan is not None, f"{key} is a roll-up: its values are computed."
            if plan.high is None and spec.unit == "%":
                plan = dataclasses.replace(plan, high=100.0)
            # One generator per KPI, seeded from its key: editing one KPI of the catalog
            # leaves every other KPI's numbers as they were.
            rng = random.Random(f"{seed}:{key}")
            series = generate(
                plan,
                sign=spec.sign,
                decimals=spec.decimals,
                rng=rng,
                driver=numbers_of(plan.driver).series if plan.driver else None,
                independent_of=(
                    numbers_of(plan.independent_of).series if plan.independent_of else None
                ),
            )
            stretch = rng.uniform(*STRETCH_RANGE)
            targets, tolerance = plan_targets(series, decimals=spec.decimals, stretch=stretch)
            made[key] = KpiNumbers(series, targets, tolerance)
        return made[key]

    for spec in kpis:
        if spec.series is not None:
            numbers_of(spec.key)
    return made


def generate(
    spec: SeriesSpec,
    *,
    sign: int,
    decimals: int,
    rng: random.Random,
    driver: Series | None = None,
    independent_of: Series | None = None,
) -> Series:
    total = WARMUP + STORED
    plan = [spec.start + spec.trend * (index - WARMUP) for index in range(total)]
    raw: list[float] = []
    swing = 0.0
    for index in range(total):
        quarter = index - WARMUP
        swing = PERSISTENCE * swing + rng.gauss(0, spec.swing)
        own = swing + rng.gauss(0, spec.noise)
        if quarter >= SLIP_FROM:
            own -= sign * spec.slip * spec.scale * (quarter - SLIP_FROM + 1)
        if driver is not None and index >= spec.lag:
            # The driver's move, measured in its own typical deviations and turned the right
            # way round, so that a better driver makes this KPI better.
            push = driver.sign * driver.deviation[index - spec.lag] / driver.scale
            own += sign * spec.gain * spec.scale * push
        raw.append(_clamp(plan[index] + own, spec.low, spec.high))
    stored = raw[WARMUP:]
    if independent_of is not None:
        stored = [
            _clamp(value, spec.low, spec.high)
            for value in decorrelate(stored, independent_of.values)
        ]
    values = [round(value, decimals) for value in stored]
    deviation = [
        value - planned for value, planned in zip(raw[:WARMUP] + values, plan, strict=True)
    ]
    return Series(
        plan=plan[WARMUP:], values=values, deviation=deviation, sign=sign, scale=spec.scale
    )


def changes(values: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(values)]


def decorrelate(
    values: list[float], other: list[float], lags: tuple[int, ...] = (0, 1, 2)
) -> list[float]:
    """`values` with the quarter-on-quarter changes of its ended quarters made uncorrelated
    with those of `other` at each lag, trend kept.

    Pearson correlation is zero exactly when the changes are orthogonal to the other series'
    centred changes over the lag's window, so this removes the projection onto those few
    vectors (Gram-Schmidt) and rebuilds the levels from the first quarter.
    """
    ours = changes(values[:ENDED])
    theirs = changes(other[:ENDED])
    count = len(ours)
    basis: list[list[float]] = []
    for lag in lags:
        window = theirs[: count - lag]
        mean = statistics.fmean(window)
        vector = [0.0] * lag + [change - mean for change in window]
        for unit in basis:
            vector = _minus(vector, unit, _dot(vector, unit))
        length = math.sqrt(_dot(vector, vector))
        if length > 1e-12:
            basis.append([component / length for component in vector])
    for unit in basis:
        ours = _minus(ours, unit, _dot(ours, unit))
    rebuilt = [values[0]]
    for change in ours:
        rebuilt.append(rebuilt[-1] + change)
    # The quarters after the ended ones keep their own step from the last ended quarter.
    rebuilt += [rebuilt[-1] + later - values[ENDED - 1] for later in values[ENDED:]]
    return rebuilt


def plan_targets(series: Series, *, decimals: int, stretch: float) -> tuple[list[Decimal], float]:
    """Targets along the plan, `stretch` typical deviations to the good side (negative:
    easier), and the round tolerance that makes about one typical deviation amber."""
    misses = [value - planned for value, planned in zip(series.values, series.plan, strict=True)]
    spread = statistics.pstdev(misses[:ENDED]) or series.scale
    tolerance = tolerance_pct(spread, statistics.fmean(series.plan))
    step = Decimal(1).scaleb(-decimals)
    targets = []
    for planned in series.plan:
        target = target_value(planned + series.sign * stretch * spread, decimals)
        # A zero target has no default red flag; nobody plans for exactly nothing anyway.
        targets.append(target or step)
    return targets, tolerance


def tolerance_pct(spread: float, level: float) -> float:
    """The round tolerance closest to a little more than one typical deviation, as a per
    cent of the level: misses beyond it (red) then happen about one quarter in ten."""
    wanted = 100 * TOLERANCE_IN_SPREADS * spread / abs(level) if level else NICE_TOLERANCES[-1]
    return min(NICE_TOLERANCES, key=lambda nice: abs(nice - wanted))


def target_value(planned: float, decimals: int) -> Decimal:
    """A planned number as people write targets: three significant digits at most, and no
    more decimals than the KPI shows."""
    if planned == 0:
        return Decimal(0)
    magnitude = math.floor(math.log10(abs(planned)))
    places = min(decimals, TARGET_SIGNIFICANT_DIGITS - 1 - magnitude)
    rounded = round(planned, places)
    return Decimal(int(rounded)) if places <= 0 else Decimal(str(rounded))


def _clamp(value: float, low: float | None, high: float | None) -> float:
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    return value


def _dot(first: list[float], second: list[float]) -> float:
    return sum(a * b for a, b in zip(first, second, strict=True))


def _minus(vector: list[float], unit: list[float], amount: float) -> list[float]:
    return [a - amount * b for a, b in zip(vector, unit, strict=True)]
