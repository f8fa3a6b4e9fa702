"""Reads of KPIs, targets, actuals and scores that pages and the API share."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from kpis import engine, scoring, updates
from kpis.models import KPI, Actual, ScoreSnapshot, Target
from scorecard import fiscal
from scorecard import selectors as core_selectors
from scorecard.models import OrganizationSettings, OrgUnit, Period, Perspective, Scorecard
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
    # A KPI of a finer frequency seen at a longer period: the sub-periods that counted and
    # all of them ("2 of 3 months"); None at its own frequency.
    periods_reported: int | None = None
    periods_total: int | None = None
    # A KPI of a coarser frequency (a yearly KPI seen in a quarter) is shown with its last
    # ended period, and is no member of the period's aggregates (section 4).
    shown_label: str = ""
    # The KPI in the period before (of the same grain; for a coarser KPI the one before
    # the period it shows), from the engine's snapshot: the "last quarter" column and the
    # trend arrow beside it. None: nothing stored for it.
    previous: ScoreSnapshot | None = None

    @property
    def previous_value(self) -> Decimal | None:
        return self.previous.value if self.previous else None

    @property
    def change(self) -> Decimal | None:
        """The change of score since the period before (the trend), None when either score
        is missing: a better result is always up, whatever the KPI's direction."""
        now = self.result.score if self.result else None
        then = self.previous.score if self.previous else None
        return now - then if now is not None and then is not None else None

    @property
    def status(self) -> str:
        return self.result.status if self.result else scoring.NO_TARGET

    @property
    def coverage(self) -> str:
        """ "2 of 3 months", for a KPI folded from its sub-periods."""
        if self.periods_total is None:
            return ""
        unit = GRAIN_PLURALS[self.kpi.frequency]
        return f"{self.periods_reported or 0} of {self.periods_total} {unit}"


GRAIN_PLURALS = {scoring.MONTH: "months", scoring.QUARTER: "quarters", scoring.YEAR: "years"}


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


PeriodKey = tuple[str, date]  # (grain, start): a period, stored or not


@dataclass(frozen=True)
class Shown:
    key: PeriodKey
    label: str


def scorecard_sheet(*, scorecard: Scorecard, period: Period) -> Sheet:
    """The scorecard as a page shows it: perspectives from the top of the map down, their
    objectives, and each KPI with its target, actual and status for the period.

    A KPI of the period's grain shows its stored target and actual, scored at once, so an
    owner's entry shows before the recompute; roll-up values, the values of a KPI of a finer
    frequency (its months folded into the quarter) and every aggregate score come from the
    snapshots the engine keeps. A KPI of a coarser frequency shows its last ended period.
    Each KPI also carries its snapshot in the period before (the one of the same grain that
    ends the day before it starts), read in the same query as the period's snapshots.
    Six queries whatever the size (one more for the calendar when a KPI is coarser):
    objectives (with owners), KPIs (with owners), targets, actuals (with who entered them),
    snapshots (with their periods), perspectives."""
    kpis_in_period = KPI.objects.members_of(period).select_related("owner").order_by("order", "id")
    objectives = (
        Objective.objects.filter(scorecard=scorecard)
        .members_of(period)
        .select_related("owner")
        .prefetch_related(Prefetch("kpis", queryset=kpis_in_period))
        .order_by("order", "id")
    )
    kpis = [kpi for objective in objectives for kpi in objective.kpis.all()]
    shown = _shown_periods(kpis, period)
    within = Q(period__start__gte=period.start, period__end__lte=period.end)
    own_grain = [kpi.pk for kpi in kpis if kpi.pk not in shown]
    rows_q = Q(kpi_id__in=own_grain) & within
    for (grain, start), ids in _by_period(shown).items():
        rows_q |= Q(kpi_id__in=ids, period__grain=grain, period__start=start)
    targets = _by_kpi_and_period(Target.objects.filter(rows_q).select_related("period"))
    actuals = _by_kpi_and_period(
        Actual.objects.filter(rows_q).select_related("period", "entered_by")
    )
    # The periods before: of the same grain, ending the day before (periods of one grain
    # follow each other without a gap), so no calendar is needed to name them.
    snapshots_q = Q(period=period) | _kpis_ending(own_grain, period.grain, period.start)
    for (grain, start), ids in _by_period(shown).items():
        snapshots_q |= Q(
            subject_type=ScoreSnapshot.SubjectType.KPI,
            subject_id__in=ids,
            period__grain=grain,
            period__start=start,
        ) | _kpis_ending(ids, grain, start)
    snapshots: dict[tuple[str, int], ScoreSnapshot] = {}
    before: dict[int, ScoreSnapshot] = {}
    found = ScoreSnapshot.objects.filter(snapshots_q, scorecard=scorecard).select_related("period")
    for row in found:
        is_kpi = row.subject_type == ScoreSnapshot.SubjectType.KPI
        # A KPI's row that ends before the period it is shown at is its period before.
        shown_from = shown[row.subject_id].key[1] if is_kpi and row.subject_id in shown else None
        if is_kpi and row.period.end < (shown_from or period.start):
            before[row.subject_id] = row
        else:
            snapshots[(row.subject_type, row.subject_id)] = row

    def snapshot(subject_type: str, subject_id: int) -> ScoreSnapshot | None:
        return snapshots.get((subject_type, subject_id))

    by_perspective: dict[int, list[ObjectiveRow]] = {}
    for objective in objectives:
        rows = [
            _row_at(kpi, period, shown.get(kpi.pk), targets, actuals, snapshot("kpi", kpi.pk))
            for kpi in objective.kpis.all()
        ]
        for kpi_row in rows:
            kpi_row.previous = before.get(kpi_row.kpi.pk)
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


def _kpis_ending(kpi_ids: list[int], grain: str, start: date) -> Q:
    """The KPIs' snapshots in the period of `grain` just before the one starting at `start`."""
    return Q(
        subject_type=ScoreSnapshot.SubjectType.KPI,
        subject_id__in=kpi_ids,
        period__grain=grain,
        period__end=start - timedelta(days=1),
    )


def _shown_periods(kpis: list[KPI], period: Period) -> dict[int, Shown]:
    """For each KPI of a coarser frequency than the period, its last ended period by the
    period's end: a yearly KPI in FY2026-Q2 shows FY2025, in FY2026-Q4 FY2026."""
    coarser = [kpi for kpi in kpis if fiscal.is_finer(period.grain, than=kpi.frequency)]
    if not coarser:
        return {}
    start_month = core_selectors.fiscal_start_month()
    shown: dict[int, Shown] = {}
    for kpi in coarser:
        holding = fiscal.period_of(period.end, kpi.frequency, start_month)
        last_ended = holding if holding.end == period.end else holding.previous()
        shown[kpi.pk] = Shown((kpi.frequency, last_ended.start), last_ended.label)
    return shown


def _by_period(shown: dict[int, Shown]) -> dict[PeriodKey, list[int]]:
    grouped: dict[PeriodKey, list[int]] = {}
    for kpi_id, at in shown.items():
        grouped.setdefault(at.key, []).append(kpi_id)
    return grouped


def _by_kpi_and_period(rows: Any) -> dict[int, dict[PeriodKey, Any]]:
    found: dict[int, dict[PeriodKey, Any]] = {}
    for row in rows:
        found.setdefault(row.kpi_id, {})[(row.period.grain, row.period.start)] = row
    return found


def _row_at(
    kpi: KPI,
    period: Period,
    shown: Shown | None,
    targets: dict[int, dict[PeriodKey, Target]],
    actuals: dict[int, dict[PeriodKey, Actual]],
    stored: ScoreSnapshot | None,
) -> KpiRow:
    own_targets, own_actuals = targets.get(kpi.pk, {}), actuals.get(kpi.pk, {})
    if shown is not None:
        row = _kpi_row(kpi, own_targets.get(shown.key), own_actuals.get(shown.key), stored)
        row.shown_label = shown.label
        return row
    if kpi.frequency == period.grain:
        key = (period.grain, period.start)
        return _kpi_row(kpi, own_targets.get(key), own_actuals.get(key), stored)
    return _folded_row(kpi, period, own_targets, own_actuals, stored)


def _folded_row(
    kpi: KPI,
    period: Period,
    targets: dict[PeriodKey, Target],
    actuals: dict[PeriodKey, Actual],
    stored: ScoreSnapshot | None,
) -> KpiRow:
    """A KPI of a finer frequency: the engine's value, score and status for the period, and
    its target folded from the sub-periods that counted (section 4), as the engine folds."""
    subs = [
        engine.SubPeriod(
            start=start,
            value=actual.value if (actual := actuals.get((grain, start))) else None,
            target=target.value,
            red_flag=target.red_flag,
            value_high=target.value_high,
            red_flag_high=target.red_flag_high,
        )
        for (grain, start), target in targets.items()
        if grain == kpi.frequency
    ]
    folded = engine.fold_sub_periods(kpi, subs)  # type: ignore[arg-type]
    target = (
        Target(
            kpi=kpi,
            period=period,
            value=folded.target,
            red_flag=folded.red_flag,
            value_high=folded.value_high,
            red_flag_high=folded.red_flag_high,
        )
        if folded.target is not None
        else None
    )
    result = (
        scoring.KpiResult(red_flag=folded.red_flag, score=stored.score, status=stored.status)
        if stored
        else None
    )
    return KpiRow(
        kpi,
        target,
        None,
        stored.value if stored else None,
        result,
        periods_reported=stored.periods_reported if stored else folded.periods_reported,
        periods_total=stored.periods_total if stored else None,
    )


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


def data_starts(kpi_ids: list[int] | None) -> dict[int, date]:
    """{KPI id: the start of its first period with an actual or a target}, for the KPIs
    (of `kpi_ids`, None: all) that have one. One query, whatever the number of periods."""
    kpis = KPI.objects.all() if kpi_ids is None else KPI.objects.filter(pk__any=kpi_ids)
    first = {
        name: Subquery(
            model.objects.filter(kpi=OuterRef("pk"))
            .order_by("period__start")
            .values("period__start")[:1]
        )
        for name, model in (("actual", Actual), ("target", Target))
    }
    rows = kpis.order_by().annotate(**first).values_list("pk", *first)
    return {
        pk: min(start for start in starts if start is not None)
        for pk, *starts in rows
        if any(start is not None for start in starts)
    }


def started_in(period: Period) -> set[int]:
    """Every KPI that counts in the period (section 4): with an actual or a target in the
    period or an earlier one, and a KPI of a finer frequency (a monthly one in a quarter) in
    any of its sub-periods too. One query of EXISTS per KPI, each stopping at its first row:
    for the whole organization, far cheaper than every KPI's first period."""
    finer = [
        grain for grain, rank in engine.GRAIN_RANK.items() if rank < engine.GRAIN_RANK[period.grain]
    ]

    def has_data(until: date) -> Q:
        return Q(Exists(Actual.objects.filter(kpi=OuterRef("pk"), period__start__lte=until))) | Q(
            Exists(Target.objects.filter(kpi=OuterRef("pk"), period__start__lte=until))
        )

    counts = (Q(frequency__in=finer) & has_data(period.end)) | (
        ~Q(frequency__in=finer) & has_data(period.start)
    )
    return set(KPI.objects.filter(counts).values_list("pk", flat=True))


def started_kpi_ids(period: Period, kpi_ids: list[int] | None) -> set[int]:
    """The KPIs (of `kpi_ids`, None: all) with an actual or a target in the period or an
    earlier one: the roll-up children that count in it. One query."""
    return {pk for pk, start in data_starts(kpi_ids).items() if start <= period.start}


def counting_since(kpi: KPI) -> date | None:
    """Since when the KPI counts in its roll-up parent: the start of its first period with
    an actual or a target (None: not yet, or it rolls up to nothing). One query."""
    if kpi.rolls_up_to_id is None:
        return None
    return data_starts([kpi.pk]).get(kpi.pk)


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


def kpis_by_id(ids: list[int]) -> dict[int, KPI]:
    """KPIs by id, with what an import needs to place their rows (frequency, scorecard)."""
    found = KPI.objects.filter(pk__in=ids).select_related("objective__scorecard__org_unit")
    return {kpi.pk: kpi for kpi in found}


def kpis_by_code_in_units(*, unit_ids: list[int], codes: set[str]) -> dict:
    """The KPIs of these units' scorecards with these codes, by (unit id, code folded):
    a list, as two scorecards of one unit may share a code."""
    folded = {code.casefold() for code in codes}
    found: dict[tuple[int, str], list[KPI]] = {}
    candidates = KPI.objects.filter(
        objective__scorecard__org_unit_id__in=unit_ids, archived_at__isnull=True
    ).exclude(code="")
    for kpi in candidates.select_related("objective__scorecard__org_unit"):
        key = (kpi.objective.scorecard.org_unit_id, kpi.code.casefold())
        if key[1] in folded:
            found.setdefault(key, []).append(kpi)
    return found


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


@dataclass
class UnitTile:
    """A unit on the home page: its overall score and status in the period shown, and the
    change against the period before (None when either is missing)."""

    unit: OrgUnit
    snapshot: ScoreSnapshot | None
    change: Decimal | None


def unit_tiles(*, units: list[OrgUnit], period: Period, before: Period) -> list[UnitTile]:
    """The home page's tiles: each unit with a scorecard, with its overall score in `period`
    and the change since `before`. One query for the snapshots of both periods, whatever
    the number of units (stand-in periods, never stored, hold none)."""
    scorecard_ids = [unit.scorecard.pk for unit in units]
    stored = [p.pk for p in (period, before) if p.pk]
    rows = ScoreSnapshot.objects.filter(
        subject_type=ScoreSnapshot.SubjectType.SCORECARD,
        scorecard_id__in=scorecard_ids,
        period_id__in=stored,
    ).only("scorecard_id", "period_id", "score", "status")
    by_key = {(row.scorecard_id, row.period_id): row for row in rows} if stored else {}
    tiles = []
    for unit in units:
        now = by_key.get((unit.scorecard.pk, period.pk))
        then = by_key.get((unit.scorecard.pk, before.pk))
        change = None
        if now and then and now.score is not None and then.score is not None:
            change = now.score - then.score
        tiles.append(UnitTile(unit=unit, snapshot=now, change=change))
    return tiles


def actuals_to_enter(*, user) -> tuple[Period, int]:
    """The period owners are asked about now and how many of the person's entries in it are
    still to do (every frequency, as "My updates" counts them): a fixed number of queries."""
    settings = OrganizationSettings.load()
    period = core_selectors.period_at(updates.due_period_quarter(timezone.localdate(), settings))
    sheet = updates.updates_sheet(user=user, period=period)
    return period, sheet.total - sheet.entered
