"""The roll-up engine: every score of one period, from facts to snapshot values.

Pure Python, no Django: the loader (`kpis/recompute.py`) reads the facts from the database
and writes the results back. A recompute sees a *world* (the scorecards it recomputes) and,
for members that lie outside it, the values and scores already stored for them (`frozen`).
The full nightly recompute has a world of every scorecard and nothing frozen.

A period has a grain (month, quarter, year) and each KPI a frequency (DESIGN.md section 4,
"Frequencies and periods of every length"): a KPI is seen at its own frequency as it is, at
a longer period by folding its sub-periods (`SubPeriod`, read by the loader: entered actuals,
or the stored values of computed KPIs) by its time aggregation, and at a shorter period not
at all (no member, no snapshot).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from kpis import formulas, scoring

KPI = "kpi"
OBJECTIVE = "objective"
PERSPECTIVE = "perspective"
SCORECARD = "scorecard"


@dataclass(frozen=True)
class KpiFacts:
    id: int
    scorecard_id: int
    objective_id: int
    direction: str
    tolerance_pct: Decimal
    weight: Decimal
    is_rollup: bool
    rollup_method: str | None
    rolls_up_to_id: int | None
    archived_on: date | None = None
    # The stored policy of a roll-up (None: the default by method, see scoring).
    missing_children: str | None = None
    # A calculated KPI (source formula): its parsed formula (None: it does not parse), each
    # reference with the KPI id it names (None: unknown or ambiguous), the missing-input
    # policy, and the frequency and time aggregation (ytd() folds an input by the latter).
    is_formula: bool = False
    formula: formulas.Formula | None = None
    formula_inputs: tuple[tuple[formulas.Reference, int | None], ...] = ()
    missing_values: str = formulas.BLANK
    time_aggregation: str = scoring.AVERAGE
    frequency: str = scoring.QUARTER
    # Its values are computed (a roll-up, or a formula), not entered.
    is_computed: bool = False
    # What "on target" means (None: at_least or at_most, by the direction).
    target_type: str | None = None
    levels: tuple[str, ...] = ()

    @property
    def is_tracked(self) -> bool:
        return self.target_type == scoring.TRACK


@dataclass(frozen=True)
class SubPeriod:
    """One sub-period of a KPI seen at a longer period: its value (an actual, or a computed
    KPI's stored value) and its target (for a band, the low edge, with the high edge and its
    red flag), in the order of the calendar."""

    start: date
    value: Decimal | None
    target: Decimal | None
    red_flag: Decimal | None = None
    value_high: Decimal | None = None
    red_flag_high: Decimal | None = None


# Grains from finest to coarsest, and how many periods of a finer grain a coarser one holds.
GRAIN_RANK = {scoring.MONTH: 0, scoring.QUARTER: 1, scoring.YEAR: 2}
SUB_PERIODS = {
    (scoring.MONTH, scoring.QUARTER): 3,
    (scoring.MONTH, scoring.YEAR): 12,
    (scoring.QUARTER, scoring.YEAR): 4,
}


@dataclass(frozen=True)
class ObjectiveFacts:
    id: int
    scorecard_id: int
    perspective_id: int
    weight: Decimal
    archived_on: date | None = None


@dataclass(frozen=True)
class Outcome:
    """What a snapshot row holds."""

    value: Decimal | None
    score: Decimal | None
    status: str
    reported: int
    total: int
    # A KPI seen at a longer period than its frequency: the sub-periods that counted and all
    # of them ("2 of 3 months"); None at its own frequency and for aggregates.
    periods_reported: int | None = None
    periods_total: int | None = None


Key = tuple[int, str, int]  # (scorecard id, subject type, subject id)


@dataclass
class World:
    period_start: date
    scorecard_ids: set[int]
    perspective_ids: list[int]
    kpis: list[KpiFacts]
    objectives: list[ObjectiveFacts]
    # (supporter objective id, supported objective id), for supported objectives in the world.
    supports: list[tuple[int, int]]
    perspective_weights: dict[tuple[int, int], Decimal]
    targets: dict[int, tuple[Decimal, Decimal | None]]
    actuals: dict[int, Decimal]
    # A band's high edge and high red flag, by KPI (the other targets have none).
    target_highs: dict[int, tuple[Decimal | None, Decimal | None]] = field(default_factory=dict)
    # Members outside the world: roll-up children and supporting objectives of other units.
    outside_kpis: list[KpiFacts] = field(default_factory=list)
    outside_objectives: list[ObjectiveFacts] = field(default_factory=list)
    frozen_kpi_values: dict[int, Decimal | None] = field(default_factory=dict)
    frozen_objective_scores: dict[int, Decimal | None] = field(default_factory=dict)
    # KPIs with an actual or a target in this period or an earlier one, as the loader found
    # them (the engine also counts those in `targets` and `actuals`): what makes a roll-up
    # child count in the period.
    started: set[int] = field(default_factory=set)
    # What prev() and ytd() read from other periods, as the loader found it: an input's
    # value in the period before, and its values in the fiscal year's earlier periods.
    previous_values: dict[int, Decimal | None] = field(default_factory=dict)
    earlier_in_year: dict[int, list[Decimal]] = field(default_factory=dict)
    # Each input's time aggregation, for ytd().
    time_aggregations: dict[int, str] = field(default_factory=dict)
    # The period's grain, and for each KPI of a finer frequency its sub-periods in it.
    grain: str = scoring.QUARTER
    sub_periods: dict[int, list[SubPeriod]] = field(default_factory=dict)


def seen_at(frequency: str, grain: str) -> str:
    """How a KPI of `frequency` is seen in a period of `grain`: "own", "finer" (folded from
    its sub-periods) or "coarser" (not a member)."""
    if frequency == grain:
        return "own"
    return "finer" if GRAIN_RANK[frequency] < GRAIN_RANK[grain] else "coarser"


def fold(values: list[Decimal], how: str) -> Decimal | None:
    """Values of consecutive sub-periods, oldest first, by a KPI's time aggregation: rounded
    like a roll-up; one too large to store is no value, and no values are none."""
    if not values:
        return None
    if how == scoring.LAST:
        return scoring.round6(values[-1])
    result = scoring.rollup_value(
        how, [(value, Decimal(1)) for value in values], missing_children=scoring.IGNORE
    )
    return result.value


@dataclass(frozen=True)
class Folded:
    actual: Decimal | None
    target: Decimal | None
    red_flag: Decimal | None
    periods_reported: int
    # Whether any sub-period has a usable target (none with both: no_data, else no_target).
    has_target: bool
    # A band's high edge and high red flag, folded like the low ones (None for other types).
    value_high: Decimal | None = None
    red_flag_high: Decimal | None = None


def fold_sub_periods(kpi: KpiFacts, subs: list[SubPeriod]) -> Folded:
    """The KPI's actual, target and red flag for a longer period (section 4): over the
    sub-periods that have both an actual and a (usable) target, each folded by the time
    aggregation, the red flag from each sub-period's effective one. A band's high edge and
    high red flag are folded the same way, over the same sub-periods; a milestone, which has
    no red flag, folds none."""
    if kpi.is_tracked:
        return _fold_tracked(kpi, subs)
    counted: list[tuple[Decimal, Decimal, Decimal | None, Decimal | None, Decimal | None]] = []
    any_target = False
    target_type, direction = scoring.aligned(kpi.target_type or scoring.AT_LEAST, kpi.direction)
    for sub in sorted(subs, key=lambda s: s.start):
        if sub.target is None:
            continue
        spec = scoring.TargetSpec(
            target_type=target_type,
            value=sub.target,
            red_flag=sub.red_flag,
            value_high=sub.value_high,
            red_flag_high=sub.red_flag_high,
            direction=direction,
            tolerance_pct=kpi.tolerance_pct,
            levels=kpi.levels,
        )
        try:
            # The red flags the sub-period itself scores with (both edges for a band).
            red_flag, red_flag_high = (
                (None, None) if kpi.is_tracked else scoring.effective_red_flags(spec)
            )
        except scoring.TargetError:
            continue  # scores like a missing target, as at the sub-period itself
        any_target = True
        if sub.value is not None:
            counted.append((sub.value, sub.target, red_flag, sub.value_high, red_flag_high))
    if not counted:
        return Folded(None, None, None, 0, any_target)
    how = kpi.time_aggregation

    def folded(column: int) -> Decimal | None:
        values = [row[column] for row in counted]
        present = [value for value in values if value is not None]
        return fold(present, how) if len(present) == len(values) else None

    return Folded(
        actual=fold([c[0] for c in counted], how),
        target=fold([c[1] for c in counted], how),
        red_flag=folded(2),
        periods_reported=len(counted),
        has_target=True,
        value_high=folded(3),
        red_flag_high=folded(4),
    )


def _fold_tracked(kpi: KpiFacts, subs: list[SubPeriod]) -> Folded:
    """A tracked KPI is measured, never scored, and has no targets: every sub-period with
    an actual counts (the rule of "both" compares like with like for a score, which a
    tracked KPI never has; with it, a monthly tracked KPI would show no quarter or year at
    all). docs/decisions.md, issue 15."""
    present = [sub.value for sub in sorted(subs, key=lambda s: s.start) if sub.value is not None]
    return Folded(fold(present, kpi.time_aggregation), None, None, len(present), False)


def is_member(archived_on: date | None, period_start: date) -> bool:
    """An archived item stays a member of periods that started before it was archived."""
    return archived_on is None or archived_on >= period_start


class _Computation:
    def __init__(self, world: World) -> None:
        self.world = world
        start = world.period_start
        # A KPI of a coarser frequency than the period is no member of it (section 4).
        self.kpis = {
            k.id: k
            for k in world.kpis
            if is_member(k.archived_on, start) and _seen(k, world.grain) != "coarser"
        }
        self.objectives = {o.id: o for o in world.objectives if is_member(o.archived_on, start)}
        outside_kpis = {
            k.id: k
            for k in world.outside_kpis
            if is_member(k.archived_on, start) and _seen(k, world.grain) != "coarser"
        }
        outside_objectives = {
            o.id for o in world.outside_objectives if is_member(o.archived_on, start)
        }
        self.children: dict[int, list[KpiFacts]] = defaultdict(list)
        for kpi in [*self.kpis.values(), *outside_kpis.values()]:
            if kpi.rolls_up_to_id is not None:
                self.children[kpi.rolls_up_to_id].append(kpi)
        self.kpis_of: dict[int, list[KpiFacts]] = defaultdict(list)
        for kpi in self.kpis.values():
            self.kpis_of[kpi.objective_id].append(kpi)
        self.supporters: dict[int, list[int]] = defaultdict(list)
        for supporter_id, supported_id in world.supports:
            if supporter_id in self.objectives or supporter_id in outside_objectives:
                self.supporters[supported_id].append(supporter_id)
        self.values: dict[int, tuple[Decimal | None, int, int]] = {}
        self.kpi_outcomes: dict[int, Outcome] = {}
        self.objective_outcomes: dict[int, Outcome] = {}
        self.evaluations: dict[int, formulas.Evaluation] = {}
        self.folded: dict[int, Folded] = {}

    def _folded(self, kpi: KpiFacts) -> Folded | None:
        """The KPI's sub-periods folded, when it is seen at a longer period than its own."""
        if _seen(kpi, self.world.grain) != "finer":
            return None
        if kpi.id not in self.folded:
            self.folded[kpi.id] = fold_sub_periods(kpi, self.world.sub_periods.get(kpi.id, []))
        return self.folded[kpi.id]

    def kpi_value(self, kpi_id: int) -> Decimal | None:
        if kpi_id not in self.kpis:
            return self.world.frozen_kpi_values.get(kpi_id)
        return self._value_and_coverage(self.kpis[kpi_id])[0]

    def _value_and_coverage(self, kpi: KpiFacts) -> tuple[Decimal | None, int, int]:
        if kpi.id in self.values:
            return self.values[kpi.id]
        self.values[kpi.id] = (None, 0, 0)  # A guard: a cycle would read "no value".
        folded = self._folded(kpi)
        if folded is not None:
            # Computed (roll-ups too) sub-period by sub-period, then folded: section 4.
            self.values[kpi.id] = (folded.actual, int(folded.actual is not None), 1)
        elif kpi.is_rollup:
            members = [
                (self.kpi_value(child.id), child.weight)
                for child in self.children[kpi.id]
                if self._counts(child)
            ]
            result = scoring.rollup_value(
                kpi.rollup_method or scoring.SUM, members, missing_children=kpi.missing_children
            )
            self.values[kpi.id] = (result.value, result.reported, result.total)
        elif kpi.is_formula:
            value = self.formula_value(kpi).value
            self.values[kpi.id] = (value, int(value is not None), 1)
        else:
            actual = self.world.actuals.get(kpi.id)
            self.values[kpi.id] = (actual, int(actual is not None), 1)
        return self.values[kpi.id]

    def _counts(self, child: KpiFacts) -> bool:
        """A member child counts once it has any actual or target in the period or before,
        so a unit added later does not blank the roll-ups of the periods before it. A roll-up
        child has no actuals: it counts too once any of its own children does."""
        world = self.world
        if child.id in world.started or child.id in world.actuals or child.id in world.targets:
            return True
        if world.sub_periods.get(child.id):
            return True
        if child.id not in self.kpis:
            return world.frozen_kpi_values.get(child.id) is not None
        if child.is_formula:
            return self._value_and_coverage(child)[0] is not None
        return child.is_rollup and self._value_and_coverage(child)[2] > 0

    def formula_value(self, kpi: KpiFacts) -> formulas.Evaluation:
        """A calculated KPI's value in the period, from its inputs' values (DESIGN.md
        section 4); its inputs are computed first (a cycle, refused on save, reads none)."""
        evaluation = evaluate_formula(
            kpi,
            current=self.input_value,
            previous=self.world.previous_values.get,
            year_to_date=self.year_to_date,
        )
        self.evaluations[kpi.id] = evaluation
        return evaluation

    def input_value(self, kpi_id: int) -> Decimal | None:
        """An input KPI's value in the period. Where an input of a finer frequency is folded
        to the formula's period first (its sub-periods with a value, by its time
        aggregation), that folding goes here; today every period is a quarter."""
        return self.kpi_value(kpi_id)

    def year_to_date(self, kpi_id: int) -> Decimal | None:
        """The input's values over the fiscal year so far (this period included), combined
        by its time aggregation; the periods without a value are left out."""
        values = list(self.world.earlier_in_year.get(kpi_id, []))
        current = self.input_value(kpi_id)
        if current is not None:
            values.append(current)
        method = self.world.time_aggregations.get(kpi_id, scoring.AVERAGE)
        return fold(values, method)

    def kpi_outcome(self, kpi: KpiFacts) -> Outcome:
        # Asked twice of each KPI (its own snapshot and its objective's score): score once.
        if kpi.id in self.kpi_outcomes:
            return self.kpi_outcomes[kpi.id]
        value, reported, total = self._value_and_coverage(kpi)
        target = self.world.targets.get(kpi.id)
        folded = self._folded(kpi)
        periods: tuple[int | None, int | None] = (None, None)
        high, red_flag_high = self.world.target_highs.get(kpi.id, (None, None))
        if folded is not None:
            periods = (folded.periods_reported, SUB_PERIODS[(kpi.frequency, self.world.grain)])
            if folded.actual is not None and folded.target is not None:
                target = (folded.target, folded.red_flag)
                high, red_flag_high = folded.value_high, folded.red_flag_high
            elif not kpi.is_tracked:
                # No sub-period with both an actual and a target (section 4).
                status = scoring.NO_DATA if folded.has_target else scoring.NO_TARGET
                outcome = Outcome(None, None, status, reported, total, *periods)
                self.kpi_outcomes[kpi.id] = outcome
                return outcome
            else:
                high = red_flag_high = None
        target_type, direction = scoring.aligned(kpi.target_type or scoring.AT_LEAST, kpi.direction)
        spec = scoring.TargetSpec(
            target_type=target_type,
            value=target[0] if target else None,
            red_flag=target[1] if target else None,
            value_high=high if target else None,
            red_flag_high=red_flag_high if target else None,
            direction=direction,
            tolerance_pct=kpi.tolerance_pct,
            levels=kpi.levels,
        )
        try:
            result = scoring.score_against(value, spec)
        except scoring.TargetError:
            # A target made unusable by a later change (say, the direction flipped): it
            # scores like a missing target until someone sets a valid one.
            result = scoring.KpiResult(red_flag=None, score=None, status=scoring.NO_TARGET)
        except scoring.ActualError:
            # A value the type cannot score (a roll-up of levels, say): no data, no score.
            result = scoring.KpiResult(red_flag=None, score=None, status=scoring.NO_DATA)
        outcome = Outcome(value, result.score, result.status, reported, total, *periods)
        self.kpi_outcomes[kpi.id] = outcome
        return outcome

    def objective_score(self, objective_id: int) -> Decimal | None:
        if objective_id not in self.objectives:
            return self.world.frozen_objective_scores.get(objective_id)
        return self.objective_outcome(self.objectives[objective_id]).score

    def objective_outcome(self, objective: ObjectiveFacts) -> Outcome:
        if objective.id in self.objective_outcomes:
            return self.objective_outcomes[objective.id]
        self.objective_outcomes[objective.id] = Outcome(None, None, scoring.NO_DATA, 0, 0)
        # A tracked KPI is measured, never scored: no member of any aggregate.
        members = [
            (self.kpi_outcome(kpi).score, kpi.weight)
            for kpi in self.kpis_of[objective.id]
            if not kpi.is_tracked
        ] + [
            (self.objective_score(supporter), Decimal(1))
            for supporter in self.supporters[objective.id]
        ]
        outcome = _aggregate(members)
        self.objective_outcomes[objective.id] = outcome
        return outcome


def evaluate_formula(
    kpi: KpiFacts,
    *,
    current: Callable[[int], Decimal | None],
    previous: Callable[[int], Decimal | None],
    year_to_date: Callable[[int], Decimal | None],
) -> formulas.Evaluation:
    """Evaluate a calculated KPI with readers of an input's value (by KPI id) in the period,
    the period before and the fiscal year to date. A formula that does not parse or names a
    KPI that is not there has no value (the save refuses both; a later change of codes can
    still break one), whatever the missing-input policy."""
    if kpi.formula is None:
        return formulas.Evaluation(None, formulas.NOT_PARSED)
    inputs = dict(kpi.formula_inputs)
    unknown = [reference for reference, kpi_id in kpi.formula_inputs if kpi_id is None]
    if unknown:
        return formulas.Evaluation(
            None, formulas.UNKNOWN_INPUT.format(reference=", ".join(map(str, unknown)))
        )
    readers = {formulas.CURRENT: current, formulas.PREV: previous, formulas.YTD: year_to_date}

    def lookup(reference: formulas.Reference, how: str) -> Decimal | None:
        kpi_id = inputs[reference]
        assert kpi_id is not None
        return readers[how](kpi_id)

    return formulas.evaluate(kpi.formula, lookup, missing_values=kpi.missing_values)


def _seen(kpi: KpiFacts, grain: str) -> str:
    return seen_at(kpi.frequency, grain)


def _aggregate(members: list[tuple[Decimal | None, Decimal]]) -> Outcome:
    result = scoring.aggregate_scores(members)
    return Outcome(None, result.score, result.status, result.reported, result.total)


def compute(world: World) -> dict[Key, Outcome]:
    """Every snapshot of the world's scorecards for the period."""
    run = _Computation(world)
    outcomes: dict[Key, Outcome] = {}
    for kpi in run.kpis.values():
        if kpi.scorecard_id in world.scorecard_ids:
            outcomes[(kpi.scorecard_id, KPI, kpi.id)] = run.kpi_outcome(kpi)
    by_perspective: dict[tuple[int, int], list[ObjectiveFacts]] = defaultdict(list)
    for objective in run.objectives.values():
        if objective.scorecard_id in world.scorecard_ids:
            outcomes[(objective.scorecard_id, OBJECTIVE, objective.id)] = run.objective_outcome(
                objective
            )
            by_perspective[(objective.scorecard_id, objective.perspective_id)].append(objective)
    for scorecard_id in world.scorecard_ids:
        perspective_members = []
        for perspective_id in world.perspective_ids:
            objectives = by_perspective.get((scorecard_id, perspective_id), [])
            outcome = _aggregate(
                [(run.objective_outcomes[o.id].score, o.weight) for o in objectives]
            )
            outcomes[(scorecard_id, PERSPECTIVE, perspective_id)] = outcome
            if objectives:
                weight = world.perspective_weights.get((scorecard_id, perspective_id), Decimal(1))
                perspective_members.append((outcome.score, weight))
        outcomes[(scorecard_id, SCORECARD, scorecard_id)] = _aggregate(perspective_members)
    return outcomes
