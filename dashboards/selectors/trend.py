"""The trend of the dashboard's root: its scorecard's overall score over the last quarters."""

from dataclasses import dataclass
from decimal import Decimal

from kpis.models import ScoreSnapshot
from scorecard.models import Period

TREND_QUARTERS = 8


@dataclass
class TrendPoint:
    period: Period
    score: Decimal | None
    status: str


def scorecard_trend(*, scorecard_id: int, period: Period) -> list[TrendPoint]:
    """The scorecard's overall score in the period and the seven before it of the same grain,
    oldest first. One query; periods the engine has no row for are left out."""
    rows = (
        ScoreSnapshot.objects.filter(
            scorecard_id=scorecard_id,
            subject_type=ScoreSnapshot.SubjectType.SCORECARD,
            period__grain=period.grain,
            period__start__lte=period.start,
        )
        .select_related("period")
        .order_by("-period__start")[:TREND_QUARTERS]
    )
    return [TrendPoint(row.period, row.score, row.status) for row in reversed(rows)]
