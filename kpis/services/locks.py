"""Period locks: once a review is closed, the scorecard's actuals of its period are
read-only until a manager reopens the review. A lock is on a period of any grain and covers
every period inside it: a quarter's lock its months, a year's lock its quarters and months
(the model keeps its older name, `QuarterLock`; docs/decisions.md, issue 15)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from kpis.models import KPI, QuarterLock
from scorecard.models import Period, Scorecard

QUARTER_LOCKED = (
    "{period} of {scorecard} is closed: its review is over, so its actuals are read-only. "
    "A manager can reopen the review."
)


def check_quarter_open(kpi: KPI, period: Period) -> None:
    """Refuse a write into a period a lock covers (its own, its quarter's or its year's)."""
    scorecard = kpi.objective.scorecard
    lock = (
        QuarterLock.objects.covering(period)
        .filter(scorecard=scorecard)
        .select_related("period")
        .first()
    )
    if lock is not None:
        raise ValidationError(
            {"period": QUARTER_LOCKED.format(period=lock.period.label, scorecard=scorecard.title)}
        )


@transaction.atomic
def quarter_lock(*, scorecard: Scorecard, period: Period, by=None, reason: str = "") -> QuarterLock:
    """Make the scorecard's actuals of the period (and every period inside it) read-only
    (idempotent)."""
    lock, _ = QuarterLock.objects.get_or_create(
        scorecard=scorecard, period=period, defaults={"locked_by": by, "reason": reason}
    )
    return lock


def quarter_unlock(*, scorecard: Scorecard, period: Period) -> None:
    QuarterLock.objects.filter(scorecard=scorecard, period=period).delete()


def quarter_is_locked(*, scorecard: Scorecard, period: Period) -> bool:
    """Whether a lock covers the period (its own, or one of a longer period that holds it)."""
    return QuarterLock.objects.covering(period).filter(scorecard=scorecard).exists()
