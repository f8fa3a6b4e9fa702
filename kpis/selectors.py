"""Reads of KPIs, targets, actuals and scores that pages and the API share."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from kpis import scoring
from kpis.models import KPI, Actual, ScoreSnapshot, Target
from scorecard.models import Period, Perspective, Scorecard
from strategy.models import Objective


@dataclass
class KpiRow:
    kpi: KPI
    target: Target | None
    actual: Actual | None
    value: Decimal | None
    result: scoring.KpiResult | None
    problem: str = ""

    @property
    def status(self) -> str:
        return self.result.status if self.result else scoring.NO_TARGET


@dataclass
class ObjectiveRow:
    objective: Objective
    kpis: list[KpiRow] = field(default_factory=list)


@dataclass
class PerspectiveRow:
    perspective: Perspective
    objectives: list[ObjectiveRow] = field(default_factory=list)


def members_in_period(period: Period) -> Q:
    """Archived items stay members for periods that started before they were archived."""
    return Q(archived_at__isnull=True) | Q(archived_at__date__gte=period.start)


def scorecard_sheet(*, scorecard: Scorecard, period: Period) -> list[PerspectiveRow]:
    """The scorecard as a page shows it: perspectives from the top of the map down, their
    objectives, and each KPI with its target, actual and status for the period.

    Five queries whatever the size: perspectives, objectives (with owners), KPIs (with
    owners), the period's targets, actuals, and roll-up values from the snapshots."""
    kpis_in_period = (
        KPI.objects.filter(members_in_period(period))
        .select_related("owner")
        .order_by("order", "id")
    )
    objectives = (
        Objective.objects.filter(scorecard=scorecard)
        .filter(members_in_period(period))
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
    rollup_values = dict(
        ScoreSnapshot.objects.filter(
            period=period,
            scorecard=scorecard,
            subject_type=ScoreSnapshot.SubjectType.KPI,
            subject_id__in=kpi_ids,
        ).values_list("subject_id", "value")
    )
    by_perspective: dict[int, list[ObjectiveRow]] = {}
    for objective in objectives:
        rows = [
            _kpi_row(kpi, targets.get(kpi.pk), actuals.get(kpi.pk), rollup_values.get(kpi.pk))
            for kpi in objective.kpis.all()
        ]
        by_perspective.setdefault(objective.perspective_id, []).append(
            ObjectiveRow(objective=objective, kpis=rows)
        )
    return [
        PerspectiveRow(perspective=p, objectives=by_perspective.get(p.pk, []))
        for p in Perspective.objects.order_by("-order")
    ]


def _kpi_row(
    kpi: KPI, target: Target | None, actual: Actual | None, rollup_value: Decimal | None
) -> KpiRow:
    value = rollup_value if kpi.is_rollup else (actual.value if actual else None)
    try:
        result = scoring.score_kpi(
            actual=value,
            target=target.value if target else None,
            red_flag=target.red_flag if target else None,
            direction=kpi.direction,
            tolerance_pct=kpi.tolerance_pct,
        )
    except scoring.TargetError as error:
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
