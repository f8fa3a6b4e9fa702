"""Quarter locks: once a quarter's review is closed, the scorecard's actuals of that quarter
are read-only until a manager reopens the review."""

from django.core.exceptions import ValidationError
from django.db import transaction

from kpis.models import KPI, QuarterLock
from scorecard.models import Period, Scorecard

QUARTER_LOCKED = (
    "{period} of {scorecard} is closed: its review is over, so its actuals are read-only. "
    "A manager can reopen the review."
)


def check_quarter_open(kpi: KPI, period: Period) -> None:
    scorecard = kpi.objective.scorecard
    if QuarterLock.objects.filter(scorecard=scorecard, period=period).exists():
        raise ValidationError(
            {"period": QUARTER_LOCKED.format(period=period.label, scorecard=scorecard.title)}
        )


@transaction.atomic
def quarter_lock(*, scorecard: Scorecard, period: Period, by=None, reason: str = "") -> QuarterLock:
    """Make the scorecard's actuals of the quarter read-only (idempotent)."""
    lock, _ = QuarterLock.objects.get_or_create(
        scorecard=scorecard, period=period, defaults={"locked_by": by, "reason": reason}
    )
    return lock


def quarter_unlock(*, scorecard: Scorecard, period: Period) -> None:
    QuarterLock.objects.filter(scorecard=scorecard, period=period).delete()


def quarter_is_locked(*, scorecard: Scorecard, period: Period) -> bool:
    return QuarterLock.objects.filter(scorecard=scorecard, period=period).exists()
