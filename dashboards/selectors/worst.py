"""The worst KPIs of a subtree: the lowest scores of a quarter, with their changes."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from dashboards.selectors.quarters import period_before, period_year_before, score_change
from kpis.models import KPI, ScoreSnapshot
from scorecard.models import OrgUnit, Period

WORST_COUNT = 10


@dataclass
class WorstKpi:
    kpi: KPI
    snapshot: ScoreSnapshot
    qoq: Decimal | None = None
    yoy: Decimal | None = None


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
    quarter_before, year_before = period_before(period), period_year_before(period)
    earlier = {
        (row["subject_id"], (row["period__grain"], row["period__start"])): row["score"]
        for row in ScoreSnapshot.objects.filter(
            subject_type=ScoreSnapshot.SubjectType.KPI, subject_id__in=ids
        )
        .filter(
            Q(period__grain=quarter_before[0], period__start=quarter_before[1])
            | Q(period__grain=year_before[0], period__start=year_before[1])
        )
        .values("subject_id", "period__grain", "period__start", "score")
    }
    return [
        WorstKpi(
            kpis[row.subject_id],
            row,
            qoq=score_change(row.score, earlier.get((row.subject_id, quarter_before))),
            yoy=score_change(row.score, earlier.get((row.subject_id, year_before))),
        )
        for row in chosen
        if row.subject_id in kpis
    ]
