"""The scoring engine: KPI scores, aggregated scores and roll-up values (DESIGN.md section 4).

Pure functions on Decimals, with no Django imports, so every rule of the specification can be
tested case by case without a database. Every number that leaves this module is rounded half-up
to 6 decimal places, because that is what gets stored and every later step works from the
stored value.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, getcontext, localcontext

GREEN = "green"
AMBER = "amber"
RED = "red"
NO_DATA = "no_data"
NO_TARGET = "no_target"
# A `track` KPI: measured, never scored (DESIGN.md section 4, "Target types").
TRACKED = "tracked"

UP = "up"
DOWN = "down"
DIRECTIONS = (UP, DOWN)

SUM = "sum"
AVERAGE = "average"
MIN = "min"
MAX = "max"
WEIGHTED_AVERAGE = "weighted_average"
LAST = "last"

# What "on target" means (DESIGN.md section 4, "Target types").
AT_LEAST = "at_least"
AT_MOST = "at_most"
MORE_THAN = "more_than"
LESS_THAN = "less_than"
BAND = "band"
MILESTONE = "milestone"
ORDINAL = "ordinal"
TRACK = "track"
TARGET_TYPES = (AT_LEAST, AT_MOST, MORE_THAN, LESS_THAN, BAND, MILESTONE, ORDINAL, TRACK)

# The grains of a period and the frequencies of a KPI (section 4, "Frequencies").
MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
GRAINS = (MONTH, QUARTER, YEAR)

# What a roll-up does with a child that counts but has no value (DESIGN.md section 4).
REQUIRE_ALL = "require_all"
IGNORE = "ignore"
ZERO = "zero"
MISSING_CHILDREN_POLICIES = (REQUIRE_ALL, IGNORE, ZERO)

MIN_SCORE = Decimal(0)
MAX_SCORE = Decimal(10)
GREEN_FROM = Decimal("6.666667")
RED_BELOW = Decimal("3.333333")
SIX_PLACES = Decimal("0.000001")

# Computed values (roll-ups) are stored as numeric(32, 6): wide enough for any aggregate of
# entered values within their bound; one that still does not fit is stored as no value.
COMPUTED_VALUE_DIGITS = 32
COMPUTED_VALUE_LIMIT = Decimal(10) ** (COMPUTED_VALUE_DIGITS - 6)

# Enough digits that the one division in a score or a mean is exact to far beyond the 6 places
# we keep, so rounding half-up afterwards sees the true value.
WORKING_PRECISION = 40

ZERO_TARGET_NEEDS_RED_FLAG = "Set a red flag for a zero target."
RED_FLAG_ON_GOOD_SIDE = (
    "Put the red flag on the bad side of the target: below it when higher is better, "
    "above it when lower is better."
)
RED_FLAG_EQUALS_TARGET = "The red flag must differ from the target."
TOLERANCE_NOT_POSITIVE = "The tolerance must be greater than 0 %."
TARGET_TOO_SMALL_FOR_DEFAULT_RED_FLAG = (
    "The target is too close to zero for a default red flag: set a red flag."
)

UNKNOWN_DIRECTION = 'Unknown direction "{direction}": use "up" or "down".'
UNKNOWN_MISSING_CHILDREN = (
    'Unknown policy for missing children "{policy}": use require_all, ignore or zero.'
)
UNKNOWN_ROLLUP_METHOD = (
    'Unknown roll-up method "{method}": use sum, average, min, max or weighted_average.'
)
NOT_A_NUMBER = "{name} must be a finite number, not {value!r}."
NEGATIVE_WEIGHT = "Weights cannot be negative, got {weight}."


# The target types' own refusals (section 4, "Target types").
BAND_NEEDS_HIGH_EDGE = "A band needs its high edge."
BAND_LOW_ABOVE_HIGH = "The band's low edge must not lie above its high edge."
ZERO_EDGE_NEEDS_RED_FLAG = "Set a red flag for a band edge at zero."
RED_FLAG_LOW_NOT_BELOW = "The low red flag must lie below the band's low edge."
RED_FLAG_HIGH_NOT_ABOVE = "The high red flag must lie above the band's high edge."
HIGH_EDGE_ONLY_FOR_BANDS = "Only a band target has a high edge and a high red flag."
MILESTONE_TARGET_NOT_ONE = "A milestone's target is 1 (due in this period)."
MILESTONE_NO_RED_FLAG = "A milestone has no red flag."
MILESTONE_ACTUAL_NOT_DONE_OR_NOT = "A milestone's actual is 1 (done) or 0 (not done)."
LEVELS_TOO_FEW = "An ordinal KPI needs at least two levels."
LEVEL_BLANK = "A level needs a name."
LEVELS_NOT_UNIQUE = "Each level may appear only once."
LEVEL_UNKNOWN = "Choose one of the levels: {levels}."
ORDINAL_TARGET_AT_WORST_LEVEL = (
    "A target at the worst level leaves no level below it for the red flag: choose a higher one."
)
ORDINAL_RED_FLAG_NOT_BELOW = "The red-flag level must lie below the target level."
UNKNOWN_TARGET_TYPE = "Unknown target type {target_type!r}."


class TargetError(ValueError):
    """A target whose red flag cannot be used to score."""


class ActualError(ValueError):
    """An actual the KPI's target type cannot score (a milestone's 2, a level not in the list)."""


@dataclass(frozen=True)
class KpiResult:
    red_flag: Decimal | None
    score: Decimal | None
    status: str
    # A band's high red flag (`red_flag` is then its low one).
    red_flag_high: Decimal | None = None


@dataclass(frozen=True)
class TargetSpec:
    """What "on target" means for one KPI in one period: its target type and the KPI's rules
    (direction, tolerance, levels), with the period's target (`value` None: no target).

    For a band `value`/`red_flag` are the low edge and its red flag and `value_high`/
    `red_flag_high` the high ones; for an ordinal KPI `value` and `red_flag` are level
    positions (0 = the worst of `levels`)."""

    target_type: str
    value: Decimal | None = None
    red_flag: Decimal | None = None
    value_high: Decimal | None = None
    red_flag_high: Decimal | None = None
    direction: str = UP
    tolerance_pct: Decimal = Decimal(10)
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Aggregate:
    score: Decimal | None
    status: str
    reported: int
    total: int


@dataclass(frozen=True)
class RollupResult:
    value: Decimal | None
    reported: int
    total: int
    # The combined value was too large to store, so the roll-up has no value.
    too_large: bool = False


def round6(value: Decimal) -> Decimal:
    """Round half-up to 6 decimal places, however large the value."""
    if value.adjusted() + 8 <= getcontext().prec:
        # The context holds the digits already: the same quantize without a context copy,
        # which was a good part of a full recompute's time.
        return value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)
    with localcontext() as context:
        # quantize fails when the result needs more digits than the context holds.
        context.prec = max(context.prec, value.adjusted() + 8)
        return value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def default_red_flag(*, target: Decimal, direction: str, tolerance_pct: Decimal) -> Decimal:
    """The red flag tolerance_pct % of the target's size on its bad side."""
    target = as_decimal(target, "target")
    tolerance_pct = as_decimal(tolerance_pct, "tolerance_pct")
    _check_direction(direction)
    if tolerance_pct <= 0:
        raise TargetError(TOLERANCE_NOT_POSITIVE)
    if target == 0:
        raise TargetError(ZERO_TARGET_NEEDS_RED_FLAG)
    with localcontext(prec=WORKING_PRECISION):
        margin = tolerance_pct / 100 * abs(target)
        red_flag = round6(target - margin if direction == UP else target + margin)
    # A target of a few millionths has a margin that rounds away; scoring would divide by zero.
    if red_flag == target:
        raise TargetError(TARGET_TOO_SMALL_FOR_DEFAULT_RED_FLAG)
    return red_flag


def effective_red_flag(
    *, target: Decimal, red_flag: Decimal | None, direction: str, tolerance_pct: Decimal
) -> Decimal:
    """The red flag to score with: the one set on the target, checked, or the default."""
    if red_flag is None:
        return default_red_flag(target=target, direction=direction, tolerance_pct=tolerance_pct)
    target = as_decimal(target, "target")
    _check_direction(direction)
    # Checked after rounding because the rounded red flag is the one stored and scored with.
    red_flag = round6(as_decimal(red_flag, "red_flag"))
    if red_flag == target:
        raise TargetError(RED_FLAG_EQUALS_TARGET)
    if not _is_worse(red_flag, target, direction):
        raise TargetError(RED_FLAG_ON_GOOD_SIDE)
    return red_flag


def score_kpi(
    *,
    actual: Decimal | None,
    target: Decimal | None,
    red_flag: Decimal | None,
    direction: str,
    tolerance_pct: Decimal,
) -> KpiResult:
    _check_direction(direction)
    # No target outranks no actual: without a target there is nothing to report against.
    if target is None:
        return KpiResult(red_flag=None, score=None, status=NO_TARGET)
    target = as_decimal(target, "target")
    red_flag = effective_red_flag(
        target=target, red_flag=red_flag, direction=direction, tolerance_pct=tolerance_pct
    )
    if actual is None:
        return KpiResult(red_flag=red_flag, score=None, status=NO_DATA)
    actual = as_decimal(actual, "actual")
    return KpiResult(
        red_flag=red_flag,
        score=_score(actual, target, red_flag),
        status=_status(actual, target, red_flag, direction),
    )


ONE_SIDED = {AT_LEAST: UP, MORE_THAN: UP, AT_MOST: DOWN, LESS_THAN: DOWN}
STRICT = (MORE_THAN, LESS_THAN)
# The types whose actuals, targets and red flags are numbers with a direction.
DIRECTED = tuple(ONE_SIDED)


def aligned(target_type: str, direction: str) -> tuple[str, str]:
    """The (target type, direction) a KPI keeps: `more_than`/`less_than` set the direction,
    and `at_least`/`at_most` follow it (a KPI given only a direction gets one of them).
    The other types keep the direction they were given: it is ignored when scoring."""
    if target_type in (AT_LEAST, AT_MOST):
        return (AT_LEAST if direction == UP else AT_MOST), direction
    if target_type in STRICT:
        return target_type, ONE_SIDED[target_type]
    return target_type, direction


def flipped(target_type: str, direction: str) -> str:
    """The one-sided target type that follows a new direction (others stay)."""
    if target_type in (AT_LEAST, AT_MOST):
        return AT_LEAST if direction == UP else AT_MOST
    if target_type in STRICT:
        return MORE_THAN if direction == UP else LESS_THAN
    return target_type


def check_levels(levels: Iterable[str]) -> tuple[str, ...]:
    """An ordinal KPI's levels, worst first: at least two, unique, none blank."""
    names = tuple(levels)
    if len(names) < 2:
        raise TargetError(LEVELS_TOO_FEW)
    if any(not isinstance(name, str) or not name.strip() for name in names):
        raise TargetError(LEVEL_BLANK)
    if len(set(names)) != len(names):
        raise TargetError(LEVELS_NOT_UNIQUE)
    return names


def level_position(levels: Iterable[str], name: str) -> Decimal:
    """The position of a level name (0 = worst); a name not in the list is refused."""
    names = list(levels)
    if name not in names:
        raise ActualError(LEVEL_UNKNOWN.format(levels=", ".join(names)))
    return Decimal(names.index(name))


def level_name(levels: Iterable[str], position: Decimal | None) -> str | None:
    """The level stored at a position (None when there is none or it lies outside the list)."""
    names = list(levels)
    if position is None or position != position.to_integral_value():
        return None
    index = int(position)
    return names[index] if 0 <= index < len(names) else None


def effective_red_flags(spec: TargetSpec) -> tuple[Decimal | None, Decimal | None]:
    """The red flags a target scores with, checked: (red flag, None) for one-sided and ordinal
    targets, (low, high) for a band, (None, None) for a milestone. The target must be set."""
    kind = spec.target_type
    if spec.value is None:
        raise TargetError("A target is needed to work out its red flag.")
    target = as_decimal(spec.value, "target")
    if kind in ONE_SIDED:
        _only_one_sided(spec)
        red_flag = effective_red_flag(
            target=target,
            red_flag=spec.red_flag,
            direction=ONE_SIDED[kind],
            tolerance_pct=spec.tolerance_pct,
        )
        return red_flag, None
    if kind == BAND:
        return _band_red_flags(spec, target)
    if kind == MILESTONE:
        _only_one_sided(spec)
        if target != 1:
            raise TargetError(MILESTONE_TARGET_NOT_ONE)
        if spec.red_flag is not None:
            raise TargetError(MILESTONE_NO_RED_FLAG)
        return None, None
    if kind == ORDINAL:
        _only_one_sided(spec)
        return _ordinal_red_flag(spec, target), None
    raise ValueError(UNKNOWN_TARGET_TYPE.format(target_type=kind))


def score_against(actual: Decimal | None, spec: TargetSpec) -> KpiResult:
    """Score an actual against a target of any type (DESIGN.md section 4, "Target types").

    Order of checks: `track` (status tracked, always); no target; an unusable target
    (TargetError); no actual; an actual the type cannot score (ActualError)."""
    kind = spec.target_type
    if kind == TRACK:
        return KpiResult(red_flag=None, score=None, status=TRACKED)
    if kind not in TARGET_TYPES:
        raise ValueError(UNKNOWN_TARGET_TYPE.format(target_type=kind))
    if spec.value is None:
        return KpiResult(red_flag=None, score=None, status=NO_TARGET)
    red_flag, red_flag_high = effective_red_flags(spec)
    if actual is None:
        return KpiResult(red_flag=red_flag, score=None, status=NO_DATA, red_flag_high=red_flag_high)
    actual = as_decimal(actual, "actual")
    target = as_decimal(spec.value, "target")
    if kind in ONE_SIDED:
        assert red_flag is not None
        direction = ONE_SIDED[kind]
        status = _status(actual, target, red_flag, direction)
        if kind in STRICT and actual == target:
            status = AMBER
        return KpiResult(red_flag, _score(actual, target, red_flag), status)
    if kind == BAND:
        return _band_result(actual, spec, target, red_flag, red_flag_high)
    if kind == MILESTONE:
        if actual not in (0, 1):
            raise ActualError(MILESTONE_ACTUAL_NOT_DONE_OR_NOT)
        if actual == 1:
            return KpiResult(None, round6(GREEN_FROM), GREEN)
        return KpiResult(None, round6(MIN_SCORE), RED)
    assert red_flag is not None
    _check_position(actual, spec.levels, ActualError)
    return KpiResult(
        red_flag, _score(actual, target, red_flag), _status(actual, target, red_flag, UP)
    )


def _only_one_sided(spec: TargetSpec) -> None:
    if spec.value_high is not None or spec.red_flag_high is not None:
        raise TargetError(HIGH_EDGE_ONLY_FOR_BANDS)


def _band_red_flags(spec: TargetSpec, low: Decimal) -> tuple[Decimal, Decimal]:
    if spec.value_high is None:
        raise TargetError(BAND_NEEDS_HIGH_EDGE)
    high = as_decimal(spec.value_high, "value_high")
    if low > high:
        raise TargetError(BAND_LOW_ABOVE_HIGH)
    return (
        _band_edge_red_flag(low, spec.red_flag, UP, spec.tolerance_pct, RED_FLAG_LOW_NOT_BELOW),
        _band_edge_red_flag(
            high, spec.red_flag_high, DOWN, spec.tolerance_pct, RED_FLAG_HIGH_NOT_ABOVE
        ),
    )


def _band_edge_red_flag(
    edge: Decimal, red_flag: Decimal | None, direction: str, tolerance_pct: Decimal, wrong: str
) -> Decimal:
    if red_flag is None and edge == 0:
        raise TargetError(ZERO_EDGE_NEEDS_RED_FLAG)
    try:
        return effective_red_flag(
            target=edge, red_flag=red_flag, direction=direction, tolerance_pct=tolerance_pct
        )
    except TargetError as error:
        if red_flag is not None:
            raise TargetError(wrong) from None
        raise error


def _band_result(
    actual: Decimal,
    spec: TargetSpec,
    low: Decimal,
    red_low: Decimal | None,
    red_high: Decimal | None,
) -> KpiResult:
    assert red_low is not None and red_high is not None and spec.value_high is not None
    high = as_decimal(spec.value_high, "value_high")
    score = min(_score(actual, low, red_low), _score(actual, high, red_high))
    if low <= actual <= high:
        status = GREEN
    elif actual < red_low or actual > red_high:
        status = RED
    else:
        status = AMBER
    return KpiResult(red_low, score, status, red_flag_high=red_high)


def _check_position(position: Decimal, levels: tuple[str, ...], error: type[ValueError]) -> int:
    if level_name(levels, position) is None:
        raise error(LEVEL_UNKNOWN.format(levels=", ".join(levels)))
    return int(position)


def _ordinal_red_flag(spec: TargetSpec, target: Decimal) -> Decimal:
    check_levels(spec.levels)
    position = _check_position(target, spec.levels, TargetError)
    if spec.red_flag is None:
        if position == 0:
            raise TargetError(ORDINAL_TARGET_AT_WORST_LEVEL)
        return round6(Decimal(position - 1))
    red_flag = as_decimal(spec.red_flag, "red_flag")
    _check_position(red_flag, spec.levels, TargetError)
    if red_flag >= target:
        raise TargetError(ORDINAL_RED_FLAG_NOT_BELOW)
    return round6(red_flag)


def status_from_score(score: Decimal | None) -> str:
    """The status of an aggregate, read from its stored, rounded score."""
    if score is None:
        return NO_DATA
    if score >= GREEN_FROM:
        return GREEN
    if score < RED_BELOW:
        return RED
    return AMBER


def aggregate_scores(members: Iterable[tuple[Decimal | None, Decimal]]) -> Aggregate:
    """The weighted mean of the members' (score, weight) that have a score, with coverage."""
    checked = [(_optional_decimal(score, "score"), _weight(weight)) for score, weight in members]
    scored = [(score, weight) for score, weight in checked if score is not None]
    score = _weighted_mean(scored)
    return Aggregate(
        score=score,
        status=status_from_score(score),
        reported=len(scored),
        total=len(checked),
    )


def missing_children_policy(method: str, stored: str | None) -> str:
    """The policy a roll-up applies: the stored one, else the default by its method (so the
    default follows a later change of method)."""
    if stored is None:
        return REQUIRE_ALL if method == SUM else IGNORE
    if stored not in MISSING_CHILDREN_POLICIES:
        raise ValueError(UNKNOWN_MISSING_CHILDREN.format(policy=stored))
    return stored


def rollup_value(
    method: str,
    values: Iterable[tuple[Decimal | None, Decimal]],
    *,
    missing_children: str | None = None,
) -> RollupResult:
    """Combine the counting children's (value, KPI weight) by the parent's roll-up method.

    A child without a value makes the result missing (`require_all`), is left out (`ignore`)
    or counts as 0 (`zero`); coverage counts only the children with a value. No child with a
    value: no value, whatever the policy."""
    combine = _combiner(method)
    policy = missing_children_policy(method, missing_children)
    children = [(_optional_decimal(value, "value"), _weight(weight)) for value, weight in values]
    reported = [(value, weight) for value, weight in children if value is not None]
    result = RollupResult(value=None, reported=len(reported), total=len(children))
    if not reported or (policy == REQUIRE_ALL and len(reported) < len(children)):
        return result
    if policy == ZERO:
        reported = [(Decimal(0) if value is None else value, weight) for value, weight in children]
    value = combine(reported)
    if value is not None and not fits_computed(value):
        return RollupResult(None, result.reported, result.total, too_large=True)
    return RollupResult(value, result.reported, result.total)


def fits_computed(value: Decimal) -> bool:
    """Whether a computed value fits its column, numeric(32, 6)."""
    # copy_abs, unlike abs(), never rounds to the context's 28 digits.
    return value.copy_abs() < COMPUTED_VALUE_LIMIT


def as_decimal(value: Decimal | int | str, name: str) -> Decimal:
    """Accept a Decimal, an int or a numeric string; refuse floats, NaN and infinities.

    Floats are refused because they have already lost the digits the caller meant.
    """
    if type(value) is Decimal and value.is_finite():
        return value  # already what the rest would make of it (a recompute's hot path)
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise TypeError(NOT_A_NUMBER.format(name=name, value=value))
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(NOT_A_NUMBER.format(name=name, value=value)) from None
    if not number.is_finite():
        raise ValueError(NOT_A_NUMBER.format(name=name, value=value))
    return number


def _optional_decimal(value: Decimal | int | str | None, name: str) -> Decimal | None:
    return None if value is None else as_decimal(value, name)


def _weight(value: Decimal | int | str) -> Decimal:
    # A negative weight would let a mean leave the range of its members.
    weight = as_decimal(value, "weight")
    if weight < 0:
        raise ValueError(NEGATIVE_WEIGHT.format(weight=weight))
    return weight


def _check_direction(direction: str) -> None:
    if direction not in DIRECTIONS:
        raise ValueError(UNKNOWN_DIRECTION.format(direction=direction))


def _is_worse(value: Decimal, reference: Decimal, direction: str) -> bool:
    return value < reference if direction == UP else value > reference


def _status(actual: Decimal, target: Decimal, red_flag: Decimal, direction: str) -> str:
    if not _is_worse(actual, target, direction):
        return GREEN
    if _is_worse(actual, red_flag, direction):
        return RED
    return AMBER


def _score(actual: Decimal, target: Decimal, red_flag: Decimal) -> Decimal:
    """(10/3)·(1 + (a - r)/(t - r)), clamped to 0..10 and rounded.

    Written as one division so that 10/3 is never rounded on its own; the same expression
    serves both directions because t - r and a - r change sign together.
    """
    with localcontext(prec=WORKING_PRECISION):
        band = target - red_flag
        raw = 10 * (band + (actual - red_flag)) / (3 * band)
    return round6(min(max(raw, MIN_SCORE), MAX_SCORE))


def _weighted_mean(members: list[tuple[Decimal, Decimal]]) -> Decimal | None:
    with localcontext(prec=WORKING_PRECISION):
        total_weight = sum((weight for _, weight in members), Decimal(0))
        if total_weight == 0:
            return None
        weighted_sum = sum((value * weight for value, weight in members), Decimal(0))
        mean = weighted_sum / total_weight
    return round6(mean)


def _values(members: list[tuple[Decimal, Decimal]]) -> list[Decimal]:
    return [value for value, _ in members]


def _sum(members: list[tuple[Decimal, Decimal]]) -> Decimal:
    with localcontext(prec=WORKING_PRECISION):
        total = sum(_values(members), Decimal(0))
    return round6(total)


def _average(members: list[tuple[Decimal, Decimal]]) -> Decimal:
    with localcontext(prec=WORKING_PRECISION):
        mean = sum(_values(members), Decimal(0)) / len(members)
    return round6(mean)


def _min(members: list[tuple[Decimal, Decimal]]) -> Decimal:
    return round6(min(_values(members)))


def _max(members: list[tuple[Decimal, Decimal]]) -> Decimal:
    return round6(max(_values(members)))


ROLLUP_METHODS: dict[str, Callable[[list[tuple[Decimal, Decimal]]], Decimal | None]] = {
    SUM: _sum,
    AVERAGE: _average,
    MIN: _min,
    MAX: _max,
    WEIGHTED_AVERAGE: _weighted_mean,
}


def _combiner(method: str) -> Callable[[list[tuple[Decimal, Decimal]]], Decimal | None]:
    try:
        return ROLLUP_METHODS[method]
    except KeyError:
        raise ValueError(UNKNOWN_ROLLUP_METHOD.format(method=method)) from None
