"""The trend of the dashboard's root: its scorecard's overall score over the last quarters."""

from dataclasses import dataclass
from decimal import Decimal

from kpis.models import ScoreSnapshot
from scorecard import fiscal
from scorecard import selectors as core_selectors
from scorecard.models import Period

TREND_QUARTERS = 8


@dataclass
class TrendPoint:
    period: Period
    score: Decimal | None
    status: str


def fiscal_start_month_of(period: Period) -> int:
    """The month the organization's fiscal year starts in, read off a quarter or a year
    itself (a quarter's start less its place in the year); a month does not tell which of
    three calendars it belongs to, so for a month it is read from the settings (one query)."""
    if period.grain == fiscal.YEAR:
        return period.start.month
    if period.grain == fiscal.QUARTER:
        months_into_year = (period.quarter or 1) - 1
        return fiscal.months_before(period.start, months_into_year * 3).month
    return core_selectors.fiscal_start_month()


def trend_periods(period: Period) -> list[Period]:
    """The period and the seven before it of the same grain, consecutive in the calendar
    and oldest first, as unsaved stand-ins (they carry the labels, keys and dates only)."""
    value = period.as_fiscal(fiscal_start_month_of(period))
    return [Period.stand_in(value.shifted(-steps)) for steps in range(TREND_QUARTERS - 1, -1, -1)]


def scorecard_trend(*, scorecard_id: int, period: Period) -> list[TrendPoint]:
    """The scorecard's overall score in the period and the seven consecutive periods before
    it of the same grain, oldest first: always eight points, one per period, a gap (score
    None, "no data") where the engine has no row, so that a chart's steps are periods of the
    calendar and not whatever periods happen to be stored. One query."""
    periods = trend_periods(period)
    rows = ScoreSnapshot.objects.filter(
        scorecard_id=scorecard_id,
        subject_type=ScoreSnapshot.SubjectType.SCORECARD,
        period__grain=period.grain,
        period__start__in=[each.start for each in periods],
    ).select_related("period")
    stored = {row.period.start: row for row in rows}
    points = []
    for each in periods:
        row = stored.get(each.start)
        if row is None:
            points.append(TrendPoint(each, None, ScoreSnapshot.Status.NO_DATA.value))
        else:
            points.append(TrendPoint(row.period, row.score, row.status))
    return points
