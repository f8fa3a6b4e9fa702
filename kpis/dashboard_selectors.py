"""Reads of the executive dashboard: a subtree's scores per unit and perspective, their
changes, the trend of the root, the worst KPIs and how fresh each unit's data is.

Everything here reads score snapshots (never recomputes a score) and runs a fixed number of
queries whatever the size of the subtree: each read fetches the whole subtree at once, and
the tree (expanded or not, filtered or not) is shaped in Python."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from kpis import scoring
from kpis.models import KPI, Actual, ScoreSnapshot, Target
from kpis.selectors import members_in_period
from scorecard.models import OrgUnit, Period

TREND_QUARTERS = 8
WORST_COUNT = 10


@dataclass
class Cell:
    """One score on the heatmap: a unit's perspective or its overall score."""

    score: Decimal | None
    status: str
    qoq: Decimal | None = None
    yoy: Decimal | None = None
    reported: int = 0
    total: int = 0


@dataclass
class Freshness:
    due: int = 0
    entered: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def share(self) -> int | None:
        """Whole per cent of the due actuals entered; none when nothing is due."""
        if not self.due:
            return None
        return int(Decimal(100 * self.entered / self.due).to_integral_value())


@dataclass
class UnitRow:
    unit: OrgUnit
    level: int
    has_children: bool
    overall: Cell
    cells: dict[int, Cell]
    freshness: Freshness
    # How the page shows the row (set by the view): the cells of the shown columns, whether
    # its children are shown, whether it matches the status filter, its toggle's query.
    columns: list = field(default_factory=list)
    is_open: bool = False
    matches: bool = True
    toggle_query: str = ""


@dataclass
class TrendPoint:
    period: Period
    score: Decimal | None
    status: str


@dataclass
class WorstKpi:
    kpi: KPI
    snapshot: ScoreSnapshot
    qoq: Decimal | None = None
    yoy: Decimal | None = None


NO_DATA = ScoreSnapshot.Status.NO_DATA.value


def _previous(period: Period, steps: int) -> tuple[int, int]:
    """(fiscal year, quarter) of the quarter `steps` before the period."""
    index = period.fiscal_year * 4 + period.quarter - 1 - steps
    return index // 4, index % 4 + 1


def _delta(now: Decimal | None, then: Decimal | None) -> Decimal | None:
    if now is None or then is None:
        return None
    return now - then


def _with_open_ancestors(units: list[OrgUnit], root: OrgUnit, open_slugs: set[str]) -> list:
    """The units of a tree whose every ancestor from the root down is open."""
    slug_of = {unit.path: unit.slug for unit in units}
    step = OrgUnit.steplen
    return [
        unit
        for unit in units
        if all(
            slug_of[unit.path[:end]] in open_slugs
            for end in range(len(root.path), len(unit.path), step)
        )
    ]


def heatmap_rows(
    *, root: OrgUnit, period: Period, open_slugs: set[str] | None = None
) -> list[UnitRow]:
    """The units of the root's subtree (tree order) with their overall and per-perspective
    scores for the period, the change against the quarter before (QoQ) and the same quarter
    a year before (YoY), and their data freshness. With `open_slugs`, only the units the
    tree shows (those whose ancestors are all open), so a first visit of a large subtree
    reads a few units' scores; without, every unit. Three queries either way: units,
    snapshots (three quarters), freshness."""
    every_unit = list(
        OrgUnit.objects.filter(path__startswith=root.path)
        .select_related("scorecard")
        .order_by("path")
    )
    units = every_unit if open_slugs is None else _with_open_ancestors(every_unit, root, open_slugs)
    unit_ids = [unit.pk for unit in units]
    quarter_before, year_before = _previous(period, 1), _previous(period, 4)
    # The three quarters in one read: the period's own rows and those of the two it is
    # compared with, told apart by the period's fiscal year and quarter.
    rows = (
        ScoreSnapshot.objects.filter(
            scorecard__org_unit_id__in=unit_ids,
            subject_type__in=[
                ScoreSnapshot.SubjectType.PERSPECTIVE,
                ScoreSnapshot.SubjectType.SCORECARD,
            ],
        )
        # A subquery on the few period rows rather than a join: the snapshot table is then
        # read through its (period, scorecard, ...) index, three periods only.
        .filter(
            period_id__in=Period.objects.filter(
                Q(pk=period.pk)
                | Q(fiscal_year=year_before[0], quarter=year_before[1])
                | Q(fiscal_year=quarter_before[0], quarter=quarter_before[1])
            ).values("pk")
        )
        .values(
            "scorecard_id",
            "subject_type",
            "subject_id",
            "period__fiscal_year",
            "period__quarter",
            "score",
            "status",
            "reported",
            "total",
        )
    )
    now_key = (period.fiscal_year, period.quarter)
    found: dict[tuple, Any] = {}
    for row in rows:
        key = (row["scorecard_id"], row["subject_type"], row["subject_id"])
        found[(*key, (row["period__fiscal_year"], row["period__quarter"]))] = row

    def cell(scorecard_id: int, subject_type: str, subject_id: int) -> Cell | None:
        key = (scorecard_id, subject_type, subject_id)
        current = found.get((*key, now_key))
        if current is None:
            return None
        before = found.get((*key, quarter_before))
        year_ago = found.get((*key, year_before))
        return Cell(
            score=current["score"],
            status=current["status"],
            qoq=_delta(current["score"], before["score"] if before else None),
            yoy=_delta(current["score"], year_ago["score"] if year_ago else None),
            reported=current["reported"],
            total=current["total"],
        )

    freshness = freshness_by_scorecard(unit_ids=unit_ids, period=period)
    perspective_ids = sorted(
        {key[2] for key in found if key[1] == ScoreSnapshot.SubjectType.PERSPECTIVE}
    )
    # A unit has children when the next unit of the whole tree (in path order) is below it.
    next_path = {
        unit.path: every_unit[index + 1].path if index + 1 < len(every_unit) else ""
        for index, unit in enumerate(every_unit)
    }
    result = []
    for unit in units:
        scorecard = getattr(unit, "scorecard", None)
        has_children = next_path[unit.path].startswith(unit.path)
        empty = Cell(score=None, status=NO_DATA)
        if scorecard is None:
            overall, cells, fresh = empty, {}, Freshness()
        else:
            overall = cell(scorecard.pk, "scorecard", scorecard.pk) or empty
            # The engine keeps a row for every perspective; one in which the scorecard has
            # no objective (no members) is no column of this unit.
            cells = {
                pid: found_cell
                for pid in perspective_ids
                if (found_cell := cell(scorecard.pk, "perspective", pid)) is not None
                and found_cell.total
            }
            fresh = freshness.get(scorecard.pk, Freshness())
        result.append(
            UnitRow(
                unit=unit,
                level=unit.depth - root.depth,
                has_children=has_children,
                overall=overall,
                cells=cells,
                freshness=fresh,
            )
        )
    return result


def _due_kpis(*, unit_ids: list[int], period: Period):
    # An actual is due for every entered (not roll-up) KPI that is a member of the period:
    # not archived before it started, nor under an objective archived before it started.
    return (
        KPI.objects.filter(
            source=KPI.Source.MANUAL,
            objective__scorecard__org_unit_id__in=unit_ids,
        )
        .filter(members_in_period(period))
        .exclude(objective__archived_at__date__lt=period.start)
        .annotate(
            has_actual=Exists(Actual.objects.filter(kpi=OuterRef("pk"), period=period)),
        )
    )


def freshness_by_scorecard(*, unit_ids: list[int], period: Period) -> dict[int, Freshness]:
    """Per scorecard of the units: how many actuals are due for the period, how many are
    entered, and who has not entered theirs. One query, grouped in the database by
    scorecard and owner (a few rows per unit); the sums per scorecard are made here."""
    counts = (
        _due_kpis(unit_ids=unit_ids, period=period)
        .values(
            "objective__scorecard_id",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
        )
        .annotate(due=Count("pk"), entered=Count("pk", filter=Q(has_actual=True)))
        .order_by("objective__scorecard_id", "owner__username")
    )
    result: dict[int, Freshness] = {}
    for row in counts:
        fresh = result.setdefault(row["objective__scorecard_id"], Freshness())
        fresh.due += row["due"]
        fresh.entered += row["entered"]
        if row["entered"] < row["due"]:
            name = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
            fresh.missing.append(name or row["owner__username"] or "no owner")
    return result


def scorecard_trend(*, scorecard_id: int, period: Period) -> list[TrendPoint]:
    """The scorecard's overall score in the period and the seven before it, oldest first.
    One query; quarters the engine has no row for are left out."""
    rows = (
        ScoreSnapshot.objects.filter(
            scorecard_id=scorecard_id,
            subject_type=ScoreSnapshot.SubjectType.SCORECARD,
            period__start__lte=period.start,
        )
        .select_related("period")
        .order_by("-period__start")[:TREND_QUARTERS]
    )
    return [TrendPoint(row.period, row.score, row.status) for row in reversed(rows)]


def worst_kpis(
    *, root: OrgUnit, period: Period, perspective_id: int | None = None, status: str = ""
) -> list[WorstKpi]:
    """The KPIs of the subtree with the lowest scores in the period (ties by id), with
    their owner, objective and unit, and their change against the quarter before and the
    same quarter a year before. Three queries: the snapshots, their KPIs, their earlier
    scores."""
    snapshots = ScoreSnapshot.objects.filter(
        period=period,
        subject_type=ScoreSnapshot.SubjectType.KPI,
        scorecard__org_unit__path__startswith=root.path,
        score__isnull=False,
    )
    if perspective_id:
        kpi_ids = KPI.objects.filter(objective__perspective_id=perspective_id).values("pk")
        snapshots = snapshots.filter(subject_id__in=kpi_ids)
    if status:
        snapshots = snapshots.filter(status=status)
    chosen = list(snapshots.order_by("score", "subject_id")[:WORST_COUNT])
    ids = [row.subject_id for row in chosen]
    kpis = KPI.objects.select_related(
        "owner", "objective__perspective", "objective__scorecard__org_unit"
    ).in_bulk(ids)
    quarter_before, year_before = _previous(period, 1), _previous(period, 4)
    earlier = {
        (row["subject_id"], (row["period__fiscal_year"], row["period__quarter"])): row["score"]
        for row in ScoreSnapshot.objects.filter(
            subject_type=ScoreSnapshot.SubjectType.KPI, subject_id__in=ids
        )
        .filter(
            Q(period__fiscal_year=quarter_before[0], period__quarter=quarter_before[1])
            | Q(period__fiscal_year=year_before[0], period__quarter=year_before[1])
        )
        .values("subject_id", "period__fiscal_year", "period__quarter", "score")
    }
    return [
        WorstKpi(
            kpis[row.subject_id],
            row,
            qoq=_delta(row.score, earlier.get((row.subject_id, quarter_before))),
            yoy=_delta(row.score, earlier.get((row.subject_id, year_before))),
        )
        for row in chosen
        if row.subject_id in kpis
    ]


# The KPI detail page.


@dataclass
class KpiQuarter:
    period: Period
    target: Decimal | None
    red_flag: Decimal | None
    value: Decimal | None
    score: Decimal | None
    status: str
    actual: Actual | None


@dataclass
class HistoryLine:
    period: Period
    when: object
    who: str
    change: str
    old: Decimal | None
    new: Decimal | None
    comment: str
    source: str


@dataclass
class RollupChild:
    kpi: KPI
    value: Decimal | None
    status: str


def kpi_for_detail(*, kpi_id: int, scorecard_id: int) -> KPI | None:
    return (
        KPI.objects.filter(pk=kpi_id, objective__scorecard_id=scorecard_id)
        .select_related(
            "owner",
            "owning_team",
            "objective__owner",
            "objective__perspective",
            "objective__scorecard__org_unit",
            "rolls_up_to__objective__scorecard__org_unit",
        )
        .first()
    )


def kpi_quarters(*, kpi: KPI) -> list[KpiQuarter]:
    """Every quarter the KPI has a target, an actual or a stored score in, oldest first.
    Three queries: targets, actuals (with who entered them), the KPI's snapshots. The red
    flag is the effective one (the default from the tolerance when none is set)."""
    targets = {t.period_id: t for t in Target.objects.filter(kpi=kpi).select_related("period")}
    actuals = {
        a.period_id: a
        for a in Actual.objects.filter(kpi=kpi).select_related("period", "entered_by")
    }
    snapshots = {
        s.period_id: s
        for s in ScoreSnapshot.objects.filter(
            subject_type=ScoreSnapshot.SubjectType.KPI,
            subject_id=kpi.pk,
            scorecard_id=kpi.objective.scorecard_id,
        ).select_related("period")
    }
    periods = {
        row.period_id: row.period
        for source in (targets, actuals, snapshots)
        for row in source.values()
    }
    quarters = []
    for period_id, period in sorted(periods.items(), key=lambda item: item[1].start):
        target, actual, snapshot = (
            targets.get(period_id),
            actuals.get(period_id),
            snapshots.get(period_id),
        )
        if snapshot is None and target is None and actual is None:
            continue
        value = snapshot.value if snapshot else (actual.value if actual else None)
        quarters.append(
            KpiQuarter(
                period=period,
                target=target.value if target else None,
                red_flag=_red_flag(kpi, target),
                value=value,
                score=snapshot.score if snapshot else None,
                status=snapshot.status if snapshot else NO_DATA,
                actual=actual,
            )
        )
    return quarters


def _red_flag(kpi: KPI, target: Target | None) -> Decimal | None:
    if target is None:
        return None
    try:
        return scoring.effective_red_flag(
            target=target.value,
            red_flag=target.red_flag,
            direction=kpi.direction,
            tolerance_pct=kpi.tolerance_pct,
        )
    except scoring.TargetError:
        return None


def actual_history(*, kpi: KPI) -> list[HistoryLine]:
    """Every change to the KPI's actuals, newest first: who, when, old → new. One query;
    the old value is the previous record of the same actual."""
    records = (
        Actual.history.filter(kpi_id=kpi.pk)
        .select_related("entered_by", "history_user", "period")
        .order_by("history_date", "history_id")
    )
    lines: list[HistoryLine] = []
    previous: dict[int, Decimal | None] = {}
    for record in records:
        old = previous.get(record.id)
        new = None if record.history_type == "-" else record.value
        # Who entered this version (the actual's own field); the user of the request that
        # saved it when that is not set (a deletion, say).
        user = record.entered_by or record.history_user
        who = (user.get_full_name() or user.username) if user else "the system"
        lines.append(
            HistoryLine(
                period=record.period,
                when=record.history_date,
                who=who,
                change={"+": "entered", "~": "changed", "-": "deleted"}[record.history_type],
                old=old,
                new=new,
                comment=record.comment,
                source=record.get_source_display(),
            )
        )
        previous[record.id] = new
    lines.reverse()
    return lines


def rollup_children(*, kpi: KPI, period: Period) -> list[RollupChild]:
    """The KPIs that roll up to this one in the period, with their stored values. Two
    queries: the children (with their units), their snapshots."""
    children = list(
        KPI.objects.filter(rolls_up_to=kpi)
        .filter(members_in_period(period))
        .exclude(objective__archived_at__date__lt=period.start)
        .select_related("owner", "objective__scorecard__org_unit")
        .order_by("objective__scorecard__org_unit__path", "order", "id")
    )
    stored = {
        row.subject_id: row
        for row in ScoreSnapshot.objects.filter(
            period=period,
            subject_type=ScoreSnapshot.SubjectType.KPI,
            subject_id__in=[child.pk for child in children],
        )
    }
    return [
        RollupChild(
            kpi=child,
            value=stored[child.pk].value if child.pk in stored else None,
            status=stored[child.pk].status if child.pk in stored else NO_DATA,
        )
        for child in children
    ]
