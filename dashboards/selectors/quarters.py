"""What the dashboard reads share to compare a quarter with earlier ones."""

from decimal import Decimal

from kpis.models import ScoreSnapshot
from scorecard import fiscal
from scorecard.models import Period

NO_DATA = ScoreSnapshot.Status.NO_DATA.value


def quarters_back(period: Period, steps: int) -> tuple[int, int]:
    """(fiscal year, quarter) of the quarter `steps` before the period."""
    return fiscal.shift_quarter(period.fiscal_year, period.quarter, -steps)


def score_change(now: Decimal | None, then: Decimal | None) -> Decimal | None:
    """The change from `then` to `now`; none when either is missing."""
    if now is None or then is None:
        return None
    return now - then
