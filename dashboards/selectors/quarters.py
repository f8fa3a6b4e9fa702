"""What the dashboard reads share to compare a period with earlier ones."""

from datetime import date
from decimal import Decimal

from kpis.models import ScoreSnapshot
from scorecard import fiscal
from scorecard.models import Period

NO_DATA = ScoreSnapshot.Status.NO_DATA.value


PeriodKey = tuple[str, date]


def period_before(period: Period) -> PeriodKey:
    """(grain, start) of the period of the same grain just before this one: the previous
    month, quarter or year. Date arithmetic only: every period starts on a first of a month,
    so no calendar (and no query for it) is needed."""
    return period.grain, fiscal.months_before(period.start, fiscal.MONTHS_IN[period.grain])


def period_year_before(period: Period) -> PeriodKey:
    """(grain, start) of the same month, quarter or year one year earlier."""
    return period.grain, fiscal.months_before(period.start, fiscal.MONTHS_PER_YEAR)


def key_of(period: Period) -> PeriodKey:
    return period.grain, period.start


def score_change(now: Decimal | None, then: Decimal | None) -> Decimal | None:
    """The change from `then` to `now`; none when either is missing."""
    if now is None or then is None:
        return None
    return now - then
