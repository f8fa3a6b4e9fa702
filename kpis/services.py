"""Writes with rules for KPIs, targets and actuals."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kpis import scoring
from kpis.models import KPI, Actual, QuarterLock, Target
from kpis.scheduling import recompute_on_commit
from scorecard.models import OrganizationSettings, Period, Scorecard
from strategy.models import Objective
from strategy.services import check_owner_sees_unit

QUARTER_NOT_STARTED = "{period} has not started yet: actuals open on {start}."
RED_NEEDS_COMMENT = (
    "This result is past the red flag: add a comment that explains it and what is being done."
)
STALE_VERSION = (
    "Someone else saved this actual in the meantime (now {value}, version {version}); "
    "review their value before saving yours."
)
NOT_A_NUMBER = "Enter a number, like 1234.5."
QUARTER_LOCKED = (
    "{period} of {scorecard} is closed: its review is over, so its actuals are read-only. "
    "A manager can reopen the review."
)


class StaleActual(Exception):
    """A write based on an outdated version of an actual."""

    def __init__(self, current: Actual):
        self.current = current
        super().__init__(STALE_VERSION.format(value=current.value, version=current.version))


def as_decimal(value, *, field: str = "value") -> Decimal:
    """A finite Decimal, or a ValidationError on `field` with a message a person can act on."""
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValidationError({field: NOT_A_NUMBER}) from None
    if not number.is_finite():
        raise ValidationError({field: NOT_A_NUMBER})
    return number


@transaction.atomic
def kpi_create(*, objective: Objective, name: str, **fields) -> KPI:
    check_owner_sees_unit(owner=fields.get("owner"), unit=objective.scorecard.org_unit)
    kpi = KPI(objective=objective, name=name.strip(), **fields)
    if "order" not in fields:
        kpi.order = objective.kpis.count()
    kpi.full_clean()
    kpi.save()
    recompute_on_commit(unit_ids=[unit_id_of(kpi)])
    return kpi


def unit_id_of(kpi: KPI) -> int:
    return kpi.objective.scorecard.org_unit_id


@transaction.atomic
def kpi_update(*, kpi: KPI, **fields) -> KPI:
    if "owner" in fields:
        check_owner_sees_unit(owner=fields["owner"], unit=kpi.objective.scorecard.org_unit)
    unit_before = unit_id_of(kpi)
    for name, value in fields.items():
        setattr(kpi, name, value)
    kpi.full_clean()
    kpi.save()
    recompute_on_commit(unit_ids=[unit_before, unit_id_of(kpi)])
    return kpi


def kpi_archive(*, kpi: KPI) -> KPI:
    kpi.archived_at = timezone.now()
    kpi.save(update_fields=["archived_at"])
    recompute_on_commit(unit_ids=[unit_id_of(kpi)])
    return kpi


@transaction.atomic
def target_set(*, kpi: KPI, period: Period, value, red_flag=None) -> Target:
    """Create or replace the KPI's target for the period."""
    target = Target.objects.select_for_update().filter(kpi=kpi, period=period).first()
    target = target or Target(kpi=kpi, period=period)
    target.value = as_decimal(value)
    target.red_flag = None if red_flag in (None, "") else as_decimal(red_flag, field="red_flag")
    target.full_clean()
    target.save()
    recompute_on_commit(unit_ids=[unit_id_of(kpi)], period_ids=[period.pk])
    return target


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
    number = as_decimal(value)
    today = today or timezone.localdate()
    if not period.has_started(today):
        raise ValidationError(
            {"period": QUARTER_NOT_STARTED.format(period=period.label, start=period.start)}
        )
    _check_quarter_open(kpi, period)
    actual = Actual.objects.select_for_update().filter(kpi=kpi, period=period).first()
    if actual and based_on_version is not None and actual.version != based_on_version:
        raise StaleActual(actual)
    if actual is None:
        actual = Actual(kpi=kpi, period=period, version=0)
    actual.value = number
    actual.comment = comment.strip()
    actual.entered_by = by
    actual.entered_at = timezone.now()
    actual.source = source
    actual.version += 1
    actual.full_clean()
    _check_red_has_comment(actual)
    actual.save()
    recompute_on_commit(unit_ids=[unit_id_of(kpi)], period_ids=[period.pk])
    return actual


def _check_quarter_open(kpi: KPI, period: Period) -> None:
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


def _check_red_has_comment(actual: Actual) -> None:
    if actual.comment or not OrganizationSettings.load().red_needs_comment:
        return
    target = Target.objects.filter(kpi=actual.kpi, period=actual.period).first()
    if target is None:
        return
    result = scoring.score_kpi(
        actual=actual.value,
        target=target.value,
        red_flag=target.red_flag,
        direction=actual.kpi.direction,
        tolerance_pct=actual.kpi.tolerance_pct,
    )
    if result.status == scoring.RED:
        raise ValidationError({"comment": RED_NEEDS_COMMENT})


class BulkRowError(Exception):
    """A row of a bulk write was refused; nothing of the batch was saved."""

    def __init__(self, index: int, errors: Any, *, stale: Actual | None = None):
        self.index = index
        self.errors = errors
        self.stale = stale
        super().__init__(f"row {index}: {errors}")


@transaction.atomic
def targets_bulk_set(*, rows: list[dict]) -> list[Target]:
    """Upsert targets by KPI and period, all or nothing: the first bad row stops the batch."""
    saved = []
    for index, row in enumerate(rows):
        try:
            saved.append(
                target_set(
                    kpi=row["kpi"],
                    period=row["period"],
                    value=row["value"],
                    red_flag=row.get("red_flag"),
                )
            )
        except ValidationError as error:
            raise BulkRowError(index, error.message_dict) from None
    return saved


@transaction.atomic
def actuals_bulk_enter(*, rows: list[dict], by, source: str = Actual.Source.API) -> list[Actual]:
    """Upsert actuals by KPI and period, all or nothing. A row that carries the `version` it
    was based on is refused when someone saved since; a row without one overwrites."""
    saved = []
    for index, row in enumerate(rows):
        try:
            saved.append(
                actual_enter(
                    kpi=row["kpi"],
                    period=row["period"],
                    value=row["value"],
                    comment=row.get("comment", ""),
                    by=by,
                    source=source,
                    based_on_version=row.get("version"),
                )
            )
        except ValidationError as error:
            raise BulkRowError(index, error.message_dict) from None
        except StaleActual as stale:
            raise BulkRowError(index, {"version": [str(stale)]}, stale=stale.current) from None
    return saved
