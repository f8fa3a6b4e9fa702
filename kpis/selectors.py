"""Reads of KPIs, targets, actuals and scores that pages and the API share."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from kpis import scoring
from kpis.models import KPI, Actual, ScoreSnapshot, Target
from scorecard import fiscal
from scorecard import selectors as core_selectors
from scorecard.models import OrgUnit, Period, Perspective, Scorecard
from scorecard.rules import visible_q
from strategy.models import Objective


def visible_kpis(user: Any) -> QuerySet[KPI]:
    return KPI.objects.filter(visible_q(user, "objective__scorecard__org_unit__path"))


def visible_actuals(user: Any) -> QuerySet[Actual]:
    return Actual.objects.filter(visible_q(user, "kpi__objective__scorecard__org_unit__path"))


def visible_targets(user: Any) -> QuerySet[Target]:
    return Target.objects.filter(visible_q(user, "kpi__objective__scorecard__org_unit__path"))


@dataclass
class KpiRow:
    kpi: KPI
    target: Target | None
    actual: Actual | None
    value: Decimal | None
    result: scoring.KpiResult | None
    problem: str = ""
    # Set by pages that know about action items (the reviews layer): red and nobody acting.
    needs_action: bool = False

    @property
    def status(self) -> str:
        return self.result.status if self.result else scoring.NO_TARGET


@dataclass
class ObjectiveRow:
    objective: Objective
    kpis: list[KpiRow] = field(default_factory=list)
    snapshot: ScoreSnapshot | None = None
    # Set by pages that list initiatives (the reviews layer) beside their objectives.
    initiatives: list = field(default_factory=list)


@dataclass
class PerspectiveRow:
    perspective: Perspective
    objectives: list[ObjectiveRow] = field(default_factory=list)
    snapshot: ScoreSnapshot | None = None


@dataclass
class Sheet:
    perspectives: list[PerspectiveRow]
    snapshot: ScoreSnapshot | None


def scorecard_sheet(*, scorecard: Scorecard, period: Period) -> Sheet:
    """The scorecard as a page shows it: perspectives from the top of the map down, their
    objectives, and each KPI with its target, actual and status for the period.

    KPI statuses come straight from the scoring function on the stored target and actual,
    so an owner's entry shows at once; roll-up values and every aggregate score come from
    the snapshots the engine keeps. Six queries whatever the size: objectives (with owners),
    KPIs (with owners), targets, actuals (with who entered them), snapshots, perspectives."""
    kpis_in_period = KPI.objects.members_of(period).select_related("owner").order_by("order", "id")
    objectives = (
        Objective.objects.filter(scorecard=scorecard)
        .members_of(period)
        .select_related("owner")
        .prefetch_related(Prefetch("kpis", queryset=kpis_in_period))
        .order_by("order", "id")
    )
    kpi_ids = [kpi.pk for objective in objectives for kpi in objective.kpis.all()]
    targets = {t.kpi_id: t for t in Target.objects.filter(kpi_id__in=kpi_ids, period=period)}
    actuals = {
        a.kpi_id: a
        for a in Actual.objects.filter(kpi_id__in=kpi_ids, period=period).select_related(
            "entered_by"
        )
    }
    snapshots = {
        (row.subject_type, row.subject_id): row
        for row in ScoreSnapshot.objects.filter(period=period, scorecard=scorecard)
    }

    def snapshot(subject_type: str, subject_id: int) -> ScoreSnapshot | None:
        return snapshots.get((subject_type, subject_id))

    by_perspective: dict[int, list[ObjectiveRow]] = {}
    for objective in objectives:
        rows = [
            _kpi_row(kpi, targets.get(kpi.pk), actuals.get(kpi.pk), snapshot("kpi", kpi.pk))
            for kpi in objective.kpis.all()
        ]
        by_perspective.setdefault(objective.perspective_id, []).append(
            ObjectiveRow(
                objective=objective, kpis=rows, snapshot=snapshot("objective", objective.pk)
            )
        )
    perspectives = [
        PerspectiveRow(
            perspective=p,
            objectives=by_perspective.get(p.pk, []),
            snapshot=snapshot("perspective", p.pk),
        )
        for p in Perspective.objects.order_by("-order")
    ]
    return Sheet(perspectives=perspectives, snapshot=snapshot("scorecard", scorecard.pk))


def _kpi_row(
    kpi: KPI, target: Target | None, actual: Actual | None, stored: ScoreSnapshot | None
) -> KpiRow:
    # A roll-up's or a calculated KPI's value is the engine's, in its snapshot.
    computed_value = stored.value if stored else None
    value = computed_value if kpi.is_computed else (actual.value if actual else None)
    try:
        result = kpi.score(value, target)
    except (scoring.TargetError, scoring.ActualError) as error:
        return KpiRow(kpi, target, actual, value, None, problem=str(error))
    return KpiRow(kpi, target, actual, value, result)


def snapshots_for(
    *,
    period: Period,
    scorecard_ids_q: Q,
    scorecard_id: int | None = None,
    subject_type: str | None = None,
) -> QuerySet[ScoreSnapshot]:
    """Score snapshots of a period in the scorecards the filter admits, in a stable order."""
    rows = ScoreSnapshot.objects.filter(period=period).filter(scorecard_ids_q)
    if scorecard_id is not None:
        rows = rows.filter(scorecard_id=scorecard_id)
    if subject_type:
        rows = rows.filter(subject_type=subject_type)
    return rows.order_by("scorecard_id", "subject_type", "subject_id")


def started_kpi_ids(period: Period, kpi_ids: list[int] | None) -> set[int]:
    """The KPIs (of `kpi_ids`, None: all) with an actual or a target in the period or an
    earlier one: the roll-up children that count in it. Two queries."""
    started: set[int] = set()
    for model in (Actual, Target):
        rows = model.objects.filter(period__start__lte=period.start)
        if kpi_ids is not None:
            rows = rows.filter(kpi_id__in=kpi_ids)
        started.update(rows.values_list("kpi_id", flat=True).distinct())
    return started


def counting_since(kpi: KPI) -> date | None:
    """Since when the KPI counts in its roll-up parent: the start of its first period with
    an actual or a target (None: not yet, or it rolls up to nothing). One query."""
    if kpi.rolls_up_to_id is None:
        return None
    first = {
        name: Subquery(
            model.objects.filter(kpi=OuterRef("pk"))
            .order_by("period__start")
            .values("period__start")[:1]
        )
        for name, model in (("actual", Actual), ("target", Target))
    }
    row = KPI.objects.filter(pk=kpi.pk).annotate(**first).values(*first).first() or {}
    return min((row[name] for name in first if row.get(name)), default=None)


def periods_its_data_reaches(*, kpi: KPI, period: Period, counted_since: date | None) -> list[int]:
    """The periods whose scores a write (or removal) of the KPI's actual or target in
    `period` can change: `period` itself and, for a KPI that rolls up, every period in which
    the write made it start or stop counting in its parent (between `counted_since`, taken
    before the write, and now: DESIGN.md section 4)."""
    now = counting_since(kpi)
    if now == counted_since:
        return [period.pk]
    bounds = sorted(start for start in (now, counted_since) if start is not None)
    between = Period.objects.filter(start__gte=bounds[0])
    if len(bounds) == 2:
        between = between.filter(start__lt=bounds[1])
    return sorted({period.pk, *between.values_list("pk", flat=True)})


def actuals_of_subject(
    *, scorecard: Scorecard | None = None, root: OrgUnit | None = None, kpi: KPI | None = None
) -> QuerySet[Actual]:
    """The actuals a page's subject holds: a scorecard's, those of every scorecard under
    `root`, or one KPI's (a roll-up or calculated KPI, which has no entered actuals: its
    scorecard's). Nothing named: every actual. What "holds data" means for the default
    period and the period switcher."""
    actuals = Actual.objects.all()
    if kpi is not None and not kpi.is_computed:
        return actuals.filter(kpi=kpi)
    if kpi is not None:
        return actuals.filter(kpi__objective__scorecard_id=kpi.objective.scorecard_id)
    if scorecard is not None:
        return actuals.filter(kpi__objective__scorecard=scorecard)
    if root is not None:
        return actuals.filter(kpi__objective__scorecard__org_unit__path__startswith=root.path)
    return actuals


def default_period(
    *, scorecard: Scorecard | None = None, root: OrgUnit | None = None, kpi: KPI | None = None
) -> Period:
    """The period a page opens on without one asked for (DESIGN.md section 4): the last
    ended quarter when its subject holds data in it (an actual in it or in one of its
    months), else the latest period in which the subject holds an actual, else the last
    ended quarter. The subject is a scorecard (its page, map, pack, export and health
    check), a unit's subtree (the dashboard) or one KPI (its detail page): see
    `actuals_of_subject`. The one function every page and the API call for their default.
    One query (with the calendar's settings), two when the last ended quarter holds none."""
    last = core_selectors.last_ended_period()
    actuals = actuals_of_subject(scorecard=scorecard, root=root, kpi=kpi)
    if actuals.filter(period__start__gte=last.start, period__end__lte=last.end).exists():
        return last
    latest = actuals.select_related("period").order_by("-period__end", "period__grain").first()
    return latest.period if latest is not None else last


def periods_for_switcher(
    *,
    around: Period,
    scorecard: Scorecard | None = None,
    root: OrgUnit | None = None,
    kpi: KPI | None = None,
) -> list[Period]:
    """The periods of `around`'s grain a period switcher offers, newest first: every one in
    the data window that holds data of the page's subject (an actual in it or in a shorter
    period inside it, see `actuals_of_subject`), however far back, so five years of history
    are two clicks away (Year, then the year); with the period shown and today's period of
    that grain (the one under way, before anyone reported in it), stored or not. One query
    (and the calendar's settings), whatever the history's length."""
    start_month = core_selectors.fiscal_start_month()
    first_year, last_year = core_selectors.data_window(start_month=start_month)
    today = Period.stand_in(fiscal.period_of(timezone.localdate(), around.grain, start_month))
    held = actuals_of_subject(scorecard=scorecard, root=root, kpi=kpi).filter(
        period__start__gte=OuterRef("start"), period__end__lte=OuterRef("end")
    )
    stored = Period.objects.filter(
        grain=around.grain, fiscal_year__gte=first_year, fiscal_year__lte=last_year
    ).filter(Exists(held) | Q(start__in=[around.start, today.start]))
    by_start = {period.start: period for period in stored}
    for wanted in (around, today):
        by_start.setdefault(wanted.start, wanted)
    return sorted(by_start.values(), key=lambda period: period.start, reverse=True)
