"""Recomputing score snapshots: read the facts, run the engine, write what changed.

An incremental recompute takes the units where something changed and recomputes their
scorecards and those of every unit above them (roll-up parents and supported objectives can
only live there), reading members outside that chain from their stored snapshots. Its query
count depends on the depth of the tree, never on its breadth. The full recompute takes every
scorecard. Each holds a lock on every period row it recomputes, so two recomputes of one
period take turns and the later one reads what the earlier one wrote: the full recompute
one transaction per period, the incremental one a transaction over its periods, which
reads the chain's structure once for all of them.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kpis import engine, formulas, snapshot_writes
from kpis.formula_graph import Graph, formula_graph
from kpis.models import KPI, Actual, ScoreSnapshot, Target
from kpis.recompute_plan import Job, Stage, full_plan
from kpis.selectors import data_starts, started_in
from kpis.signals import kpi_status_changed
from scorecard.models import OrgUnit, Period, Perspective, PerspectiveWeight, Scorecard
from strategy.models import Objective

logger = logging.getLogger(__name__)

SNAPSHOT_FIELDS = [
    "value",
    "score",
    "status",
    "reported",
    "total",
    "periods_reported",
    "periods_total",
]
STATUS = SNAPSHOT_FIELDS.index("status")


@dataclass(frozen=True)
class RecomputeResult:
    period_id: int
    written: int
    deleted: int

    @property
    def changed(self) -> int:
        return self.written + self.deleted


def chain_scorecard_ids(unit_ids: Iterable[int]) -> set[int]:
    """The scorecards of the units and of every unit above them: two queries."""
    paths = OrgUnit.objects.filter(pk__in=list(unit_ids)).values_list("path", flat=True)
    step = OrgUnit.steplen
    prefixes = {path[:end] for path in paths for end in range(step, len(path) + 1, step)}
    return set(Scorecard.objects.filter(org_unit__path__in=prefixes).values_list("pk", flat=True))


def recompute_units(*, unit_ids: Iterable[int], period_ids: Iterable[int]) -> list[RecomputeResult]:
    """The chains above the units, and the calculated KPIs that read anything in them with
    the chains above those, in the periods, in the later ones that read them through prev()
    and ytd(), and in every stored longer period that holds one of them (a month's quarter
    and year, a quarter's year): finer grains first, then in time order, so a longer period
    folds what the shorter ones wrote and a later period reads what an earlier wrote."""
    graph = formula_graph()
    unit_ids, period_ids = set(unit_ids), set(period_ids)
    scorecard_ids = chain_scorecard_ids(unit_ids)
    if graph.formulas:
        scorecard_ids, period_ids = _with_formula_readers(graph, unit_ids, period_ids)
    return _recompute_chain(
        period_ids=with_longer_periods(period_ids), scorecard_ids=scorecard_ids, graph=graph
    )


@transaction.atomic
def _recompute_chain(
    *,
    period_ids: list[int],
    scorecard_ids: set[int] | None,
    graph: Graph,
    shared: bool = False,
) -> list[RecomputeResult]:
    """The periods in one transaction that locks them all first (in id order, the same for
    every recompute: one may wait for another, never in a circle) and then reads the
    structure of the scorecards (None: every one) once for all of them: a monthly write
    recomputes its month, quarter and year, and reading the same KPIs, objectives and outside
    members three times was most of its cost. A change of structure committed meanwhile
    queues its own recompute, which waits for these locks and then reads the new structure.
    `shared`: the other chunks of a full recompute hold the same periods at the same time
    (`kpis.recompute_plan`); a recompute of a chain still waits for them all."""
    locked = {period.pk: period for period in _lock_periods(period_ids, shared=shared)}
    structure = load_structure(scorecard_ids=scorecard_ids, graph=graph) if locked else None
    results = []
    for period_id in period_ids:
        period = locked.get(period_id)
        if period is None or structure is None:
            # Queued by a transaction that created the period and then rolled back.
            results.append(RecomputeResult(period_id=period_id, written=0, deleted=0))
            continue
        world = load_world(
            period=period, scorecard_ids=scorecard_ids, graph=graph, structure=structure
        )
        results.append(write_snapshots(period=period, world=world, outcomes=engine.compute(world)))
    return results


def _lock_periods(period_ids: list[int], *, shared: bool) -> list[Period]:
    if shared:
        return list(
            Period.objects.raw(
                f"SELECT * FROM {Period._meta.db_table} WHERE id = ANY(%s) ORDER BY id FOR SHARE",
                [list(period_ids)],
            )
        )
    return list(Period.objects.select_for_update().filter(pk__in=period_ids).order_by("pk"))


def run_job(job: Job, *, graph: Graph | None = None) -> list[RecomputeResult]:
    """One job of a full recompute's plan: its scorecards in its periods, in one transaction."""
    return _recompute_chain(
        period_ids=list(job.period_ids),
        scorecard_ids=None if job.scorecard_ids is None else set(job.scorecard_ids),
        graph=formula_graph() if graph is None else graph,
        shared=job.shared,
    )


def merged(results: Iterable[RecomputeResult]) -> list[RecomputeResult]:
    """Results of jobs (one per job and period) as one per period, in first-seen order."""
    totals: dict[int, list[int]] = {}
    for result in results:
        counts = totals.setdefault(result.period_id, [0, 0])
        counts[0] += result.written
        counts[1] += result.deleted
    return [
        RecomputeResult(period_id=pk, written=written, deleted=deleted)
        for pk, (written, deleted) in totals.items()
    ]


def recompute_everything(*, period_ids: Iterable[int] | None = None) -> list[RecomputeResult]:
    """Every scorecard in the periods (None: every stored period) and in the stored longer
    periods that hold them (a newly opened quarter changes its year), finer grains first and
    then from the oldest (so a longer period folds the shorter ones, and prev() and ytd()
    read the periods before as they are now); within a period the engine computes every
    input before the calculated KPIs that read it."""
    ordered = (
        finest_first(Period.objects.values_list("pk", flat=True))
        if period_ids is None
        else with_longer_periods(period_ids)
    )
    graph = formula_graph()
    return merged(
        result
        for stage in full_plan(ordered, graph=graph)
        for job in stage
        for result in run_job(job, graph=graph)
    )


def full_stages(*, period_ids: Iterable[int] | None = None) -> list[Stage]:
    """The stages of jobs of a full recompute of these periods (None: every stored one),
    for workers to share (`kpis.tasks.recompute_everything`)."""
    ordered = (
        finest_first(Period.objects.values_list("pk", flat=True))
        if period_ids is None
        else with_longer_periods(period_ids)
    )
    return full_plan(ordered, graph=formula_graph())


def _with_formula_readers(
    graph: Graph, unit_ids: set[int], period_ids: set[int]
) -> tuple[set[int], set[int]]:
    """Grow the chain by the units of the calculated KPIs that read a KPI in it (again and
    again: a reader may be read in turn), and the periods by those that read the changed
    periods through prev() (the next period) and ytd() (the rest of the fiscal year)."""
    units = set(unit_ids)
    readers: set[int] = set()
    while True:
        scorecard_ids = chain_scorecard_ids(units)
        found = {
            formula.id
            for formula in graph.formulas.values()
            if any(
                graph.inputs[input_id].scorecard_id in scorecard_ids
                for input_id in formula.input_ids()
            )
        }
        new_units = {graph.formulas[kpi_id].unit_id for kpi_id in found} - units
        readers |= found
        if not new_units:
            break
        units |= new_units
    over_prev = any(graph.formulas[kpi_id].read_over(formulas.PREV) for kpi_id in readers)
    over_year = any(graph.formulas[kpi_id].read_over(formulas.YTD) for kpi_id in readers)
    if not (over_prev or over_year):
        return scorecard_ids, period_ids
    periods = list(Period.objects.values("pk", "grain", "fiscal_year", "start", "end"))
    by_pk = {row["pk"]: row for row in periods}
    wanted = {pk for pk in period_ids if pk in by_pk}
    # A prev() of a calculated KPI that reads prev() moves on a period each time round.
    for _ in range(len(readers) if over_prev else 1):
        grown = set(wanted)
        for pk in wanted:
            changed = by_pk[pk]
            for row in periods:
                same_year_later = (
                    row["grain"] == changed["grain"]
                    and row["fiscal_year"] == changed["fiscal_year"]
                    and row["start"] > changed["start"]
                )
                if (over_year and same_year_later) or (
                    over_prev and row["pk"] == _next_period_pk(changed, periods)
                ):
                    grown.add(row["pk"])
        if grown == wanted:
            break
        wanted = grown
    return scorecard_ids, period_ids | wanted


def _next_period_pk(period: Any, periods: list[Any]) -> int | None:
    """The stored period right after this one, of the same grain."""
    following = period["end"] + timedelta(days=1)
    for row in periods:
        if row["grain"] == period["grain"] and row["start"] == following:
            return row["pk"]
    return None


def _grain_order(row: tuple[int, str, object]) -> tuple[int, object, int]:
    pk, grain, start = row
    return engine.GRAIN_RANK.get(grain, 1), start, pk


def finest_first(period_ids: Iterable[int]) -> list[int]:
    """The periods' ids, months before quarters before years (a longer period folds the
    values of the shorter ones recomputed before it), then by start. One query."""
    rows = Period.objects.filter(pk__in=list(period_ids)).values_list("pk", "grain", "start")
    return [row[0] for row in sorted(rows, key=_grain_order)]


def with_longer_periods(period_ids: Iterable[int]) -> list[int]:
    """The periods and every stored longer period that holds one of them, finest first: a
    change in a period changes the longer ones it folds into (section 4). One query, or
    two when one of the periods is shorter than a year."""
    rows = list(
        Period.objects.filter(pk__in=list(period_ids)).values_list("pk", "grain", "start", "end")
    )
    shorter = [row for row in rows if row[1] != Period.Grain.YEAR]
    found = {(pk, grain, start) for pk, grain, start, _ in rows}
    if shorter:
        holding = Q()
        for _, grain, start, end in shorter:
            holding |= Q(start__lte=start, end__gte=end) & ~Q(grain=grain)
        found |= set(Period.objects.filter(holding).values_list("pk", "grain", "start"))
    return [row[0] for row in sorted(found, key=_grain_order)]


def _archived_on(moment: datetime | None):
    return timezone.localdate(moment) if moment else None


def _kpi_facts(rows, graph: Graph | None = None) -> list[engine.KpiFacts]:
    return [
        engine.KpiFacts(
            id=row["id"],
            scorecard_id=row["objective__scorecard_id"],
            objective_id=row["objective_id"],
            direction=row["direction"],
            tolerance_pct=row["tolerance_pct"],
            weight=row["weight"],
            is_rollup=row["source"] == KPI.Source.ROLLUP,
            is_computed=row["source"] != KPI.Source.MANUAL,
            rollup_method=row["rollup_method"],
            rolls_up_to_id=row["rolls_up_to_id"],
            missing_children=row["missing_children"],
            frequency=row["frequency"],
            time_aggregation=row["time_aggregation"],
            target_type=row["target_type"],
            levels=tuple(row["levels"] or ()),
            # A KPI leaves with its objective: archiving an objective archives what it holds.
            archived_on=_archived_on(_earliest(row["archived_at"], row["objective__archived_at"])),
            **_formula_facts(row, graph),
        )
        for row in rows
    ]


def _formula_facts(row: dict, graph: Graph | None) -> dict:
    if row["source"] != KPI.Source.FORMULA:
        return {}
    found = graph.formulas.get(row["id"]) if graph is not None else None
    if found is None:
        # An archived calculated KPI is no member of the graph: it reads nothing.
        return {"is_formula": True, "missing_values": row["missing_values"]}
    return {
        "is_formula": True,
        "formula": found.formula,
        "formula_inputs": tuple(found.inputs.items()),
        "missing_values": found.missing_values,
    }


def _earliest(*moments: datetime | None) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None


KPI_COLUMNS = [
    "id",
    "objective__scorecard_id",
    "objective_id",
    "direction",
    "tolerance_pct",
    "weight",
    "source",
    "rollup_method",
    "rolls_up_to_id",
    "missing_children",
    "frequency",
    "time_aggregation",
    "target_type",
    "levels",
    "archived_at",
    "objective__archived_at",
    "missing_values",
]
OBJECTIVE_COLUMNS = ["id", "scorecard_id", "perspective_id", "weight", "archived_at"]


def _objective_facts(rows) -> list[engine.ObjectiveFacts]:
    return [
        engine.ObjectiveFacts(
            id=row["id"],
            scorecard_id=row["scorecard_id"],
            perspective_id=row["perspective_id"],
            weight=row["weight"],
            archived_on=_archived_on(row["archived_at"]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Structure:
    """What a world holds whatever the period: its KPIs, objectives and the links between
    them, the weights, and the members outside it (roll-up children and supporting
    objectives of units beyond it)."""

    scorecard_ids: set[int]
    kpis: list[engine.KpiFacts]
    objectives: list[engine.ObjectiveFacts]
    supports: list[tuple[int, int]]
    perspective_ids: list[int]
    perspective_weights: dict[tuple[int, int], Decimal]
    outside_kpis: list[engine.KpiFacts]
    outside_objectives: list[engine.ObjectiveFacts]
    # {KPI id: the start of its first period with an actual or a target}, of the world's
    # KPIs and the outside ones: a KPI counts in a period from there on (section 4). None
    # for the whole organization, which asks each period (`kpis.selectors.started_in`).
    data_starts: dict[int, date] | None

    def started_in(self, period: Period) -> set[int]:
        if self.data_starts is None:
            return started_in(period)
        return self._started_by_data_starts(period, self.data_starts)

    def _started_by_data_starts(self, period: Period, data_starts: dict[int, date]) -> set[int]:
        """The KPIs that count in the period: those with data in it or before. A KPI of a
        finer frequency (a monthly one in a quarter) counts from its first sub-period in the
        period on, so its start may lie anywhere up to the period's end."""
        finer = {
            kpi.id
            for kpi in [*self.kpis, *self.outside_kpis]
            if engine.seen_at(kpi.frequency, period.grain) == "finer"
        }
        return {
            pk
            for pk, start in data_starts.items()
            if start <= (period.end if pk in finer else period.start)
        }


def load_structure(*, scorecard_ids: set[int] | None, graph: Graph | None = None) -> Structure:
    """The structure of the scorecards (None: every scorecard). Eight queries at most."""
    everything = scorecard_ids is None
    in_world = Q() if everything else Q(objective__scorecard_id__any=scorecard_ids)
    kpis = _kpi_facts(KPI.objects.filter(in_world).values(*KPI_COLUMNS), graph)
    objectives = _objective_facts(
        Objective.objects.filter(Q() if everything else Q(scorecard_id__any=scorecard_ids)).values(
            *OBJECTIVE_COLUMNS
        )
    )
    if scorecard_ids is None:
        scorecard_ids = set(Scorecard.objects.values_list("pk", flat=True))
    objective_ids = [objective.id for objective in objectives]
    supports = list(
        Objective.supports.through.objects.filter(
            Q() if everything else Q(to_objective_id__any=objective_ids)
        ).values_list("from_objective_id", "to_objective_id")
    )
    outside_kpis: list[engine.KpiFacts] = []
    outside_objectives: list[engine.ObjectiveFacts] = []
    if not everything:
        outside_kpis = _kpi_facts(
            KPI.objects.filter(rolls_up_to_id__any=[kpi.id for kpi in kpis])
            .exclude(objective__scorecard_id__any=scorecard_ids)
            .values(*KPI_COLUMNS)
        )
        inside = set(objective_ids)
        outside_objectives = _objective_facts(
            Objective.objects.filter(
                pk__any={supporter for supporter, _ in supports if supporter not in inside}
            ).values(*OBJECTIVE_COLUMNS)
        )
    return Structure(
        scorecard_ids=scorecard_ids,
        kpis=kpis,
        objectives=objectives,
        supports=supports,
        perspective_ids=list(Perspective.objects.values_list("pk", flat=True)),
        perspective_weights={
            (row.scorecard_id, row.perspective_id): row.weight
            for row in PerspectiveWeight.objects.filter(scorecard_id__any=scorecard_ids)
        },
        outside_kpis=outside_kpis,
        outside_objectives=outside_objectives,
        data_starts=None if everything else data_starts([kpi.id for kpi in [*kpis, *outside_kpis]]),
    )


def load_world(
    *,
    period: Period,
    scorecard_ids: set[int] | None,
    graph: Graph | None = None,
    structure: Structure | None = None,
) -> engine.World:
    """The facts of the scorecards (None: every scorecard) in the period: the structure
    (read here unless given) and the period's numbers."""
    everything = scorecard_ids is None
    if structure is None:
        structure = load_structure(scorecard_ids=scorecard_ids, graph=graph)
    kpi_ids = [kpi.id for kpi in structure.kpis]
    world = engine.World(
        period_start=period.start,
        grain=period.grain,
        scorecard_ids=structure.scorecard_ids,
        perspective_ids=list(structure.perspective_ids),
        kpis=list(structure.kpis),
        objectives=list(structure.objectives),
        supports=list(structure.supports),
        perspective_weights=dict(structure.perspective_weights),
        targets={},
        actuals=dict(
            Actual.objects.filter(
                period=period, **({} if everything else {"kpi_id__any": kpi_ids})
            ).values_list("kpi_id", "value")
        ),
        outside_kpis=list(structure.outside_kpis),
        outside_objectives=list(structure.outside_objectives),
    )
    for kpi_id, value, red_flag, value_high, red_flag_high in Target.objects.filter(
        period=period, **({} if everything else {"kpi_id__any": kpi_ids})
    ).values_list("kpi_id", "value", "red_flag", "value_high", "red_flag_high"):
        world.targets[kpi_id] = (value, red_flag)
        if value_high is not None or red_flag_high is not None:
            world.target_highs[kpi_id] = (value_high, red_flag_high)
    if not everything:
        _add_outside_values(world, period=period)
    world.started |= structure.started_in(period)
    # Only the world's own KPIs fold sub-periods; an outside member's value is its stored
    # snapshot, and whether it counts is `started_in`'s to say.
    world.sub_periods = _sub_periods(period, world.kpis, every_kpi=everything)
    if graph is not None:
        _add_formula_inputs(world, period=period, graph=graph)
    return world


def _add_formula_inputs(world: engine.World, *, period: Period, graph: Graph) -> None:
    """What the world's calculated KPIs read beyond the world's facts of the period: the
    stored values of inputs outside the world, and every input's values in the period
    before (prev) and the fiscal year's earlier periods (ytd). No query without formulas."""
    readers = [kpi for kpi in world.kpis if kpi.is_formula and kpi.formula is not None]
    if not readers:
        return
    inside = {kpi.id for kpi in world.kpis}
    input_ids = {kpi_id for kpi in readers for _, kpi_id in kpi.formula_inputs if kpi_id}
    outside = input_ids - inside - set(world.frozen_kpi_values)
    if outside:
        world.frozen_kpi_values.update(
            ScoreSnapshot.objects.filter(
                period=period, subject_type=engine.KPI, subject_id__any=outside
            ).values_list("subject_id", "value")
        )
    world.time_aggregations = {
        kpi_id: graph.inputs[kpi_id].time_aggregation for kpi_id in input_ids
    }
    over = {
        how: {kpi_id for kpi in readers for kpi_id in _read_over(kpi, graph, how)}
        for how in (formulas.PREV, formulas.YTD)
    }
    if not (over[formulas.PREV] or over[formulas.YTD]):
        return
    previous = previous_period(period)
    earlier = earlier_in_year(period)
    periods = ([previous] if previous else []) + earlier
    values = stored_values(
        kpi_ids=over[formulas.PREV] | over[formulas.YTD], periods=periods, graph=graph
    )
    if previous is not None:
        world.previous_values = {
            kpi_id: values.get((kpi_id, previous.pk)) for kpi_id in over[formulas.PREV]
        }
    world.earlier_in_year = {
        kpi_id: _present([values.get((kpi_id, p.pk)) for p in earlier])
        for kpi_id in over[formulas.YTD]
    }


def _present(values: list[Decimal | None]) -> list[Decimal]:
    return [value for value in values if value is not None]


def _read_over(kpi: engine.KpiFacts, graph: Graph, how: str) -> set[int]:
    found = graph.formulas.get(kpi.id)
    return found.read_over(how) if found else set()


def previous_period(period: Period) -> Period | None:
    """The stored period right before this one, of the same grain."""
    return Period.objects.filter(grain=period.grain, end=period.start - timedelta(days=1)).first()


def earlier_in_year(period: Period) -> list[Period]:
    """The fiscal year's periods of the same grain before this one, oldest first."""
    return list(
        Period.objects.filter(
            grain=period.grain, fiscal_year=period.fiscal_year, start__lt=period.start
        ).order_by("start")
    )


def stored_values(
    *, kpi_ids: set[int], periods: list[Period], graph: Graph
) -> dict[tuple[int, int], Decimal | None]:
    """{(KPI id, period id): value} of other periods: an entered KPI's actual, a computed
    one's stored snapshot (the recompute goes through periods in time order, so those are
    up to date)."""
    if not kpi_ids or not periods:
        return {}
    period_ids = [p.pk for p in periods]
    entered = {k for k in kpi_ids if graph.inputs[k].source == KPI.Source.MANUAL}
    found: dict[tuple[int, int], Decimal | None] = {
        (kpi_id, period_id): value
        for kpi_id, period_id, value in Actual.objects.filter(
            kpi_id__any=entered, period_id__in=period_ids
        ).values_list("kpi_id", "period_id", "value")
    }
    computed = kpi_ids - entered
    if computed:
        found.update(
            {
                (kpi_id, period_id): value
                for kpi_id, period_id, value in ScoreSnapshot.objects.filter(
                    subject_type=engine.KPI, subject_id__any=computed, period_id__in=period_ids
                ).values_list("subject_id", "period_id", "value")
            }
        )
    return found


def _sub_periods(
    period: Period, kpis: list[engine.KpiFacts], *, every_kpi: bool = False
) -> dict[int, list[engine.SubPeriod]]:
    """For every KPI of a finer frequency than the period's grain, its stored sub-periods in
    the period: entered actuals (for computed KPIs, their stored snapshot values, computed
    sub-period by sub-period before) and targets. No query when there is no such KPI (every
    month, and quarters of quarterly scorecards); four at most. With `every_kpi` (`kpis`
    are all there are) the rows are read by period alone, not by a list of thousands of ids."""
    finer = [k for k in kpis if engine.seen_at(k.frequency, period.grain) == "finer"]
    if not finer:
        return {}
    grains = {k.frequency for k in finer}
    subs = {
        pk: (grain, start)
        for pk, grain, start in Period.objects.filter(
            grain__in=grains, start__gte=period.start, end__lte=period.end
        ).values_list("pk", "grain", "start")
    }
    if not subs:
        return {}
    entered = {k.id for k in finer if not k.is_computed}
    computed = {k.id for k in finer if k.is_computed}

    def of(ids: set[int], column: str) -> Q:
        return Q() if every_kpi else Q(**{f"{column}__any": ids})

    values: dict[tuple[int, int], Decimal | None] = {
        (kpi_id, period_id): value
        for kpi_id, period_id, value in Actual.objects.filter(
            of(entered, "kpi_id"), period_id__in=subs
        ).values_list("kpi_id", "period_id", "value")
        if kpi_id in entered
    }
    if computed:
        values.update(
            ((subject_id, period_id), value)
            for subject_id, period_id, value in ScoreSnapshot.objects.filter(
                of(computed, "subject_id"), subject_type=engine.KPI, period_id__in=subs
            ).values_list("subject_id", "period_id", "value")
            if subject_id in computed
        )
    targets = {
        (kpi_id, period_id): edges
        for kpi_id, period_id, *edges in Target.objects.filter(
            of(entered | computed, "kpi_id"), period_id__in=subs
        ).values_list("kpi_id", "period_id", "value", "red_flag", "value_high", "red_flag_high")
        if kpi_id in entered or kpi_id in computed
    }
    frequency_of = {kpi.id: kpi.frequency for kpi in finer}
    result: dict[int, list[engine.SubPeriod]] = {}
    # Only the stored rows, not every KPI times every sub-period: a year holds 16 of them.
    for kpi_id, period_id in sorted(values.keys() | targets.keys()):
        grain, start = subs[period_id]
        if grain != frequency_of[kpi_id]:
            continue
        value = values.get((kpi_id, period_id))
        target, red_flag, high, red_flag_high = targets.get(
            (kpi_id, period_id), (None, None, None, None)
        )
        if value is not None or target is not None:
            result.setdefault(kpi_id, []).append(
                engine.SubPeriod(start, value, target, red_flag, high, red_flag_high)
            )
    for rows in result.values():
        rows.sort(key=lambda row: row.start)
    return result


def _add_outside_values(world: engine.World, *, period: Period) -> None:
    """The values and scores already stored in the period for the members outside the
    world (roll-up children and supporting objectives from units beyond the chain)."""
    outside_objective_ids = [objective.id for objective in world.outside_objectives]
    stored = ScoreSnapshot.objects.filter(period=period).filter(
        Q(subject_type=engine.KPI, subject_id__any=[k.id for k in world.outside_kpis])
        | Q(subject_type=engine.OBJECTIVE, subject_id__any=outside_objective_ids)
    )
    outside_rollups = {k.id for k in world.outside_kpis if k.is_rollup}
    for subject_type, subject_id, value, score, total in stored.values_list(
        "subject_type", "subject_id", "value", "score", "total"
    ):
        if subject_type == engine.KPI:
            world.frozen_kpi_values[subject_id] = value
            if subject_id in outside_rollups and total:
                # A roll-up child has no actuals; it counts once its stored coverage did.
                world.started.add(subject_id)
        else:
            world.frozen_objective_scores[subject_id] = score


def write_snapshots(
    *, period: Period, world: engine.World, outcomes: dict[engine.Key, engine.Outcome]
) -> RecomputeResult:
    """Write only what differs from the stored snapshots, and drop the ones whose subject
    left the world, so a recompute that finds nothing new writes nothing."""
    rows = ScoreSnapshot.objects.filter(
        period=period, scorecard_id__any=world.scorecard_ids
    ).values_list("pk", "scorecard_id", "subject_type", "subject_id", *SNAPSHOT_FIELDS)
    stored = {
        (scorecard_id, subject_type, subject_id): (pk, outcome)
        for pk, scorecard_id, subject_type, subject_id, *outcome in rows
    }
    changed = [
        (key, outcome)
        for key, outcome in outcomes.items()
        if key not in stored or _differs(stored[key][1], outcome)
    ]
    if changed:
        snapshot_writes.upsert(period_id=period.pk, rows=changed, computed_at=timezone.now())
    gone = [pk for key, (pk, _) in stored.items() if key not in outcomes]
    if gone:
        ScoreSnapshot.objects.filter(pk__any=gone).delete()
    _announce_status_changes(period, stored, outcomes)
    logger.info(
        "recomputed %s: %s scorecards, %s snapshots written, %s removed",
        period.key,
        len(world.scorecard_ids),
        len(changed),
        len(gone),
    )
    return RecomputeResult(period_id=period.pk, written=len(changed), deleted=len(gone))


def _differs(stored: list[Any], outcome: engine.Outcome) -> bool:
    return any(
        before != getattr(outcome, name)
        for before, name in zip(stored, SNAPSHOT_FIELDS, strict=True)
    )


def _announce_status_changes(period, stored, outcomes) -> None:
    """Tell whoever listens (reviews, notifications) once the new statuses are committed."""
    for key, outcome in outcomes.items():
        # Only a KPI's own periods: a red month is announced once, not again as a red
        # quarter and a red year that fold it (docs/decisions.md, issue 15).
        if key[1] != engine.KPI or outcome.periods_total is not None:
            continue
        before = stored[key][1][STATUS] if key in stored else None
        if before != outcome.status:
            transaction.on_commit(_announcement(key[2], period.pk, before, outcome.status))


def _announcement(kpi_id: int, period_id: int, old: str | None, new: str):
    def announce() -> None:
        kpi_status_changed.send(
            sender=KPI, kpi_id=kpi_id, period_id=period_id, old_status=old, new_status=new
        )

    return announce
