"""Entering one KPI's actual for a quarter, with its rules: the quarter has started and is
not locked, nobody saved in the meantime, a red result carries a comment."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kpis import feeds, red_comments
from kpis.models import KPI, Actual, Target
from kpis.scheduling import recompute_on_commit
from kpis.selectors import counting_since, periods_its_data_reaches
from kpis.services.grains import check_period_fits_frequency
from kpis.services.locks import check_quarter_open
from kpis.services.numbers import kpi_value
from kpis.services.structure import unit_id_of
from scorecard.models import Period
from scorecard.services import period_open
from scorecard.text import measure_text

QUARTER_NOT_STARTED = "{period} has not started yet: actuals open on {start}."
RED_NEEDS_COMMENT = (
    "This result is past the red flag: add a comment that explains it and what is being done."
)
STALE_VERSION = (
    "Someone else saved this actual in the meantime (now {value}, version {version}); "
    "review their value before saving yours."
)


class StaleActual(Exception):
    """A write based on an outdated version of an actual."""

    def __init__(self, current: Actual, *, decimals: int = 1):
        self.current = current
        # The newer value as the pages show it: the KPI's decimals, thousands separators.
        value = measure_text(current.value, decimals)
        super().__init__(STALE_VERSION.format(value=value, version=current.version))


@transaction.atomic
def actual_enter(
    *,
    kpi: KPI,
    period: Period,
    value,
    comment: str = "",
    by=None,
    source: str = Actual.Source.FORM,
    based_on_version: int | None = None,
    today: date | None = None,
) -> Actual:
    """Create or update the KPI's actual for the period.

    `based_on_version` is the version the person saw; when someone saved since, the write is
    refused with StaleActual. Without it the write overwrites (the API's documented choice).
    """
    check_period_fits_frequency(kpi, period)
    number = kpi_value(kpi, value)
    today = today or timezone.localdate()
    if not period.has_started(today):
        raise ValidationError(
            {"period": QUARTER_NOT_STARTED.format(period=period.label, start=period.start)}
        )
    period = period_open(period)  # a quarter only read so far; a refusal rolls it back
    check_quarter_open(kpi, period)
    counted_since = counting_since(kpi)
    actual = Actual.objects.select_for_update().filter(kpi=kpi, period=period).first()
    if actual and based_on_version is not None and actual.version != based_on_version:
        raise StaleActual(actual, decimals=kpi.decimals)
    # A fed KPI's value comes from its import; its owner may still write the comment.
    feeds.check_not_fed(kpi, keeps_value=actual is not None and actual.value == number)
    if actual is None:
        actual = Actual(kpi=kpi, period=period, version=0)
    actual.value = number
    actual.comment = comment.strip()
    actual.entered_by = by
    actual.entered_at = timezone.now()
    actual.source = source
    actual.version += 1
    actual.full_clean()
    if feeds.writing_feed() is None:
        _check_red_has_comment(actual)
    actual.save()
    if feeds.writing_feed() is not None:
        # An import stores a red value without a comment like any other, and the owner is
        # asked for the comment after commit, as for a target that arrives late.
        red_comments.ask_after_commit(kpi=kpi, period=period)
    recompute_on_commit(
        unit_ids=[unit_id_of(kpi)],
        period_ids=periods_its_data_reaches(kpi=kpi, period=period, counted_since=counted_since),
    )
    return actual


def _check_red_has_comment(actual: Actual) -> None:
    if actual.comment:
        return  # The rule asks for nothing more; this spares reading the target.
    target = Target.objects.filter(kpi=actual.kpi, period=actual.period).first()
    if red_comments.red_without_comment(kpi=actual.kpi, actual=actual, target=target):
        raise ValidationError({"comment": RED_NEEDS_COMMENT})
