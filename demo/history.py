"""Three years of the demo's targets and actuals, with the comments owners write, and the
roll-up KPIs' targets combined from their children's."""

import random
from decimal import Decimal

from demo import series as demo_series
from demo.specs import KpiSpec
from demo.state import SEED, DemoState
from kpis import formulas, scoring
from kpis import services as kpi_services
from kpis.models import Actual
from scorecard import fiscal
from scorecard import services as core

# About half of this quarter's actuals are in, so owners have work to do.
SHARE_REPORTED_THIS_QUARTER = 0.5
# Owners comment on most actuals; a red one always carries a comment.
SHARE_COMMENTED = 0.75


def enter_history(demo: DemoState) -> None:
    """Every entered KPI's target and actual for each stored quarter, in catalogue order (the
    build's random numbers are drawn in that order)."""
    demo.periods = [core.period_for_quarter(quarter) for quarter in demo.quarters]
    for spec in demo.specs.values():
        if spec.series is not None:
            _enter_kpi_history(demo, spec)
        elif spec.given is not None:
            _enter_given_history(demo, spec)
        elif spec.cadence is not None:
            _enter_cadence_history(demo, spec)


GIVEN_COMMENT = "As reported to the board this quarter."
CADENCE_COMMENT = {"month": "Month-end figure.", "year": "From the annual report."}


def cadence_periods(demo: DemoState, grain: str) -> list[fiscal.FiscalPeriod]:
    """The months (or fiscal years) of the stored quarters, oldest first."""
    if grain == fiscal.MONTH:
        return [month for quarter in demo.quarters for month in quarter.months()]
    years = {
        quarter.containing(fiscal.YEAR).key: quarter.containing(fiscal.YEAR)
        for quarter in demo.quarters
    }
    return sorted(years.values())


def _enter_cadence_history(demo: DemoState, spec: KpiSpec) -> None:
    """A monthly or yearly KPI: a target for every month (year) of the stored quarters, an
    actual for each one that has ended. Its numbers come from its own generator, seeded from
    its key: the shared draws of the quarterly KPIs stay as they were (docs/decisions.md)."""
    assert spec.cadence is not None
    cadence = spec.cadence
    rng = random.Random(f"{SEED}:{spec.key}:{spec.frequency}")
    kpi = demo.kpis[spec.key]
    owner = demo.people[spec.owner]
    step = Decimal(1).scaleb(-spec.decimals)
    for index, value in enumerate(cadence_periods(demo, spec.frequency)):
        plan = cadence.start + cadence.trend * index
        target = Decimal(str(plan * (1 + spec.sign * cadence.gap / 100))).quantize(step)
        period = core.period_open(value)
        kpi_services.target_set(kpi=kpi, period=period, value=target)
        demo.summary.targets += 1
        noise = rng.gauss(0, cadence.noise)
        if value.end >= demo.today:
            continue
        actual = Decimal(str(max(plan + noise, 0))).quantize(step)
        kpi_services.actual_enter(
            kpi=kpi,
            period=period,
            value=actual,
            comment=CADENCE_COMMENT[spec.frequency],
            by=owner,
            source=Actual.Source.IMPORT,
            today=demo.today,
        )
        demo.summary.actuals += 1


def _enter_given_history(demo: DemoState, spec: KpiSpec) -> None:
    """The catalogue's own targets and actuals (a band, a milestone, levels): targets up to the
    current quarter, actuals up to the last ended one. They draw no random numbers."""
    assert spec.given is not None
    kpi = demo.kpis[spec.key]
    given = spec.given
    first = demo_series.STORED - len(given.targets)
    for offset, target in enumerate(given.targets):
        if target is not None:
            high = given.targets_high[offset] if given.targets_high else None
            period = demo.periods[first + offset]
            kpi_services.target_set(kpi=kpi, period=period, value=target, value_high=high)
            demo.summary.targets += 1
    first = demo_series.ENDED - len(given.actuals)
    for offset, actual in enumerate(given.actuals):
        period = demo.periods[first + offset]
        if actual is not None:
            kpi_services.actual_enter(
                kpi=kpi,
                period=period,
                value=actual,
                comment=GIVEN_COMMENT,
                by=demo.people[spec.owner],
                source=Actual.Source.IMPORT,
                today=demo.today,
            )
            demo.summary.actuals += 1


def _enter_kpi_history(demo: DemoState, spec: KpiSpec) -> None:
    kpi = demo.kpis[spec.key]
    owner = demo.people[spec.owner]
    values = demo.numbers[spec.key].series.values
    statuses: list[str | None] = []
    for index, (period, target) in enumerate(
        zip(demo.periods, demo.targets[spec.key], strict=True)
    ):
        kpi_services.target_set(kpi=kpi, period=period, value=target)
        demo.summary.targets += 1
        is_current = index == demo_series.ENDED
        if is_current and demo.rng.random() >= SHARE_REPORTED_THIS_QUARTER:
            statuses.append(None)
            continue
        value = Decimal(str(values[index]))
        status = scoring.score_kpi(
            actual=value,
            target=target,
            red_flag=None,
            direction=spec.direction,
            tolerance_pct=kpi.tolerance_pct,
        ).status
        previous = values[index - 1] if index else None
        kpi_services.actual_enter(
            kpi=kpi,
            period=period,
            value=value,
            comment=_comment(demo, spec, status, values[index], previous),
            by=owner,
            source=Actual.Source.FORM if is_current else Actual.Source.IMPORT,
            today=demo.today,
        )
        statuses.append(status)
        demo.summary.actuals += 1
        demo.summary.statuses[status] += 1
    demo.statuses[spec.key] = statuses


def _comment(
    demo: DemoState, spec: KpiSpec, status: str, value: float, previous: float | None
) -> str:
    if status != scoring.RED and demo.rng.random() >= SHARE_COMMENTED:
        return ""
    comments = demo.catalogue.plans.comments
    pool = {scoring.GREEN: comments.green, scoring.AMBER: comments.amber}.get(status, comments.red)
    comment = demo.rng.choice(pool)
    if previous:
        # A rate moves by points; "churn up 31 %" would read as a crisis.
        if spec.unit == "%":
            change, measure = value - previous, "points"
        else:
            change, measure = 100 * (value - previous) / abs(previous), "%"
        if abs(change) >= 0.05:
            word = "Up" if change > 0 else "Down"
            comment += f" {word} {abs(change):.1f} {measure} on last quarter."
    return comment


def set_rollup_targets(demo: DemoState) -> None:
    """Roll-up KPIs get targets from their children's by their own method, deepest first
    so a parent finds its children's targets ready. They get no actuals: the engine
    computes their values."""
    rollups = [spec for spec in demo.specs.values() if spec.rollup]
    rollups.sort(key=lambda spec: -demo.kpis[spec.key].objective.scorecard.org_unit.depth)
    for spec in rollups:
        method = spec.rollup or ""
        children = [child for child in demo.specs.values() if child.up_to == spec.key]
        per_period = zip(*(demo.targets[child.key] for child in children), strict=True)
        weights = [Decimal(child.weight) for child in children]
        rounded = []
        for targets in per_period:
            combined = scoring.rollup_value(method, zip(targets, weights, strict=True))
            assert combined.value is not None, f"{spec.key} has no children"
            rounded.append(demo_series.target_value(float(combined.value), spec.decimals))
        demo.targets[spec.key] = rounded
        for period, target in zip(demo.periods, rounded, strict=True):
            kpi_services.target_set(kpi=demo.kpis[spec.key], period=period, value=target)
            demo.summary.targets += 1


def set_formula_targets(demo: DemoState) -> None:
    """Calculated KPIs get, as targets, their formula over their inputs' targets (their
    values the engine computes from the inputs' actuals)."""
    by_code = {
        (kpi.objective.scorecard_id, kpi.code): key for key, kpi in demo.kpis.items() if kpi.code
    }
    by_slug = {
        (kpi.objective.scorecard.org_unit.slug, kpi.code): key
        for key, kpi in demo.kpis.items()
        if kpi.code
    }
    for spec in demo.specs.values():
        if not spec.formula:
            continue
        kpi = demo.kpis[spec.key]
        formula = formulas.parse(spec.formula)
        inputs = {
            reference: (
                by_slug[(reference.unit, reference.code)]
                if reference.unit
                else by_code[(kpi.objective.scorecard_id, reference.code)]
            )
            for reference in formula.references
        }
        targets = []
        for index, period in enumerate(demo.periods):

            def lookup(
                reference: formulas.Reference, how: str, index: int = index, inputs=inputs
            ) -> Decimal | None:
                if how != formulas.CURRENT:
                    return None
                return demo.targets[inputs[reference]][index]

            value = formulas.evaluate(formula, lookup).value
            assert value is not None, f"{spec.key}: its inputs' targets give no value"
            target = demo_series.target_value(float(value), spec.decimals)
            targets.append(target)
            kpi_services.target_set(kpi=kpi, period=period, value=target)
            demo.summary.targets += 1
        demo.targets[spec.key] = targets
