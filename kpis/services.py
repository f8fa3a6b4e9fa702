"""Writes with rules for KPIs, targets and actuals."""

from dataclasses import dataclass
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
from scorecard.services import period_for_quarter
from strategy.models import Objective
from strategy.services import check_owner_sees_unit, child_units_of, move_within

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


CASCADE_KPI_NOT_CHILD = (
    "{unit} is not a unit directly below {own}: cascade to its child units only."
)
CASCADE_KPI_NO_UNITS = "Choose at least one child unit."
CASCADE_KPI_NEEDS_OBJECTIVE = "Choose the objective of {unit} that the new KPI measures."
CASCADE_KPI_OBJECTIVE_ELSEWHERE = '"{objective}" is not on the scorecard of {unit}.'
CASCADE_KPI_HAS_ACTUALS = (
    "This KPI already has entered actuals, so it cannot become a roll-up of child KPIs: "
    "create a new roll-up KPI instead."
)
CASCADE_KPI_ALREADY = '{unit} already has "{existing}" rolling up to this KPI.'
KPI_HAS_DATA = "This KPI has targets, actuals or child KPIs: archive it instead of deleting it."
# The fields a cascaded KPI copies from its parent, so both speak the same measure.
CASCADED_FIELDS = (
    "description",
    "unit",
    "decimals",
    "direction",
    "indicator_type",
    "tolerance_pct",
)


@transaction.atomic
def kpi_cascade(
    *,
    kpi: KPI,
    org_units: list,
    rollup_method: str,
    objectives: dict[int, Objective],
    owners: dict[int, Any] | None = None,
) -> list[KPI]:
    """Create a KPI in each chosen child unit, under the chosen objective of that unit's
    scorecard, rolling up to `kpi`, which becomes a roll-up KPI with `rollup_method`.
    All or nothing. Refused while `kpi` has entered actuals (they would be orphaned), and
    for a unit that already has a KPI rolling up to it (see docs/decisions.md)."""
    owners = owners or {}
    if not org_units:
        raise ValidationError({"org_units": CASCADE_KPI_NO_UNITS})
    own_unit = kpi.objective.scorecard.org_unit
    children = {unit.pk for unit in child_units_of(own_unit)}
    existing = {
        child.objective.scorecard.org_unit_id: child
        for child in kpi.rollup_children.filter(archived_at__isnull=True).select_related(
            "objective__scorecard"
        )
    }
    for unit in org_units:
        if unit.pk not in children:
            raise ValidationError(
                {"org_units": CASCADE_KPI_NOT_CHILD.format(unit=unit, own=own_unit)}
            )
        if unit.pk in existing:
            raise ValidationError(
                {"org_units": CASCADE_KPI_ALREADY.format(unit=unit, existing=existing[unit.pk])}
            )
        objective = objectives.get(unit.pk)
        if objective is None:
            raise ValidationError({"objectives": CASCADE_KPI_NEEDS_OBJECTIVE.format(unit=unit)})
        if objective.scorecard.org_unit_id != unit.pk:
            raise ValidationError(
                {
                    "objectives": CASCADE_KPI_OBJECTIVE_ELSEWHERE.format(
                        objective=objective, unit=unit
                    )
                }
            )
    if not kpi.is_rollup and kpi.actuals.exists():
        raise ValidationError({"kpi": CASCADE_KPI_HAS_ACTUALS})
    kpi_update(kpi=kpi, source=KPI.Source.ROLLUP, rollup_method=rollup_method)
    copied = {name: getattr(kpi, name) for name in CASCADED_FIELDS}
    return [
        kpi_create(
            objective=objectives[unit.pk],
            name=kpi.name,
            owner=owners.get(unit.pk),
            rolls_up_to=kpi,
            **copied,
        )
        for unit in org_units
    ]


@transaction.atomic
def kpi_delete(*, kpi: KPI) -> None:
    """Delete a KPI that holds no data yet; one with data is archived instead."""
    if kpi.targets.exists() or kpi.actuals.exists() or kpi.rollup_children.exists():
        raise ValidationError(KPI_HAS_DATA)
    unit_id = unit_id_of(kpi)
    kpi.delete()
    recompute_on_commit(unit_ids=[unit_id])


@transaction.atomic
def target_clear(*, kpi: KPI, period: Period) -> None:
    """Remove the KPI's target for the period (an emptied cell of the targets grid)."""
    deleted, _ = Target.objects.filter(kpi=kpi, period=period).delete()
    if deleted:
        recompute_on_commit(unit_ids=[unit_id_of(kpi)], period_ids=[period.pk])


class GridErrors(Exception):
    """Cells of a targets grid that were refused; nothing of the grid was saved."""

    def __init__(self, errors: dict[tuple[int, int], str]):
        self.errors = errors
        super().__init__(f"{len(errors)} cells refused")


@transaction.atomic
def targets_grid_save(*, cells: list[dict]) -> int:
    """Save a targets grid: each cell is {kpi, period, value, red_flag}; an empty value
    clears the target. Every cell is checked first and all refusals are reported together
    (GridErrors, keyed by (kpi id, period id)); nothing is saved unless every cell is good.
    Returns how many cells were written."""
    errors: dict[tuple[int, int], str] = {}
    for cell in cells:
        if cell["value"] in (None, ""):
            continue
        try:
            probe = Target(
                kpi=cell["kpi"],
                period=cell["period"],
                value=as_decimal(cell["value"]),
                red_flag=None
                if cell.get("red_flag") in (None, "")
                else as_decimal(cell["red_flag"], field="red_flag"),
            )
            probe.clean_fields(exclude=["kpi", "period"])
            probe.clean()
        except ValidationError as error:
            errors[(cell["kpi"].pk, cell["period"].pk)] = " ".join(error.messages)
    if errors:
        raise GridErrors(errors)
    written = 0
    for cell in cells:
        if cell["value"] in (None, ""):
            target_clear(kpi=cell["kpi"], period=cell["period"])
            continue
        target_set(
            kpi=cell["kpi"], period=cell["period"], value=cell["value"], red_flag=cell["red_flag"]
        )
        written += 1
    return written


def _grown(value: Decimal | None, factor: Decimal) -> Decimal | None:
    if value is None:
        return None
    return (value * factor).quantize(Decimal("0.000001"))


@transaction.atomic
def targets_roll_forward(
    *, scorecard: Scorecard, fiscal_year: int, grow_pct: Decimal = Decimal("0")
) -> tuple[int, int]:
    """Copy every active KPI's targets of `fiscal_year` into the same quarters of the next
    year, times (1 + grow_pct %), red flags scaled alike. Quarters of the next year that
    already have a target keep it. Returns (created, kept)."""
    factor = 1 + grow_pct / 100
    start_month = OrganizationSettings.load().fiscal_start_month
    source = (
        Target.objects.filter(
            kpi__objective__scorecard=scorecard,
            kpi__archived_at__isnull=True,
            kpi__objective__archived_at__isnull=True,
            period__fiscal_year=fiscal_year,
        )
        .select_related("kpi__objective__scorecard", "period")
        .order_by("kpi_id", "period__quarter")
    )
    created = kept = 0
    next_periods: dict[int, Period] = {}
    for target in source:
        quarter = target.period.quarter
        if quarter not in next_periods:
            following = target.period.as_fiscal_quarter(start_month)
            for _ in range(4):
                following = following.next()
            next_periods[quarter] = period_for_quarter(following)
        period = next_periods[quarter]
        if Target.objects.filter(kpi=target.kpi, period=period).exists():
            kept += 1
            continue
        target_set(
            kpi=target.kpi,
            period=period,
            value=_grown(target.value, factor),
            red_flag=_grown(target.red_flag, factor),
        )
        created += 1
    return created, kept


@dataclass
class RowsOutcome:
    """What a grid or an import did: the actuals saved and, by row index, why others were
    refused. With `all_or_nothing`, one refused row means nothing was saved."""

    saved: list[Actual]
    errors: dict[int, dict[str, list[str]]]
    all_or_nothing: bool

    @property
    def rolled_back(self) -> bool:
        return self.all_or_nothing and bool(self.errors)


@transaction.atomic
def actuals_enter_rows(
    *,
    rows: list[dict],
    by,
    source: str,
    all_or_nothing: bool = True,
    check_only: bool = False,
    today: date | None = None,
) -> RowsOutcome:
    """Enter many actuals, checking every row (not stopping at the first bad one).

    Each row is `actual_enter`'s keywords (kpi, period, value, comment, based_on_version).
    Every row runs in its own savepoint, so a refused row leaves nothing behind; with
    `all_or_nothing` any refused row rolls the whole batch back, otherwise the valid rows
    stay saved. `check_only` tries every row and always rolls back: a preview."""
    saved: list[Actual] = []
    errors: dict[int, dict[str, list[str]]] = {}
    for index, row in enumerate(rows):
        try:
            with transaction.atomic():
                saved.append(actual_enter(by=by, source=source, today=today, **row))
        except ValidationError as error:
            errors[index] = error.message_dict
        except StaleActual as stale:
            errors[index] = {"version": [str(stale)]}
    if check_only or (errors and all_or_nothing):
        transaction.set_rollback(True)
        saved = []
    return RowsOutcome(saved=saved, errors=errors, all_or_nothing=all_or_nothing)


@transaction.atomic
def kpi_move(*, kpi: KPI, step: int) -> None:
    """Move a KPI one place up (step -1) or down (+1) within its objective, renumbering the
    objective's KPIs 0, 1, 2… so the order stays dense."""
    siblings = list(
        KPI.objects.filter(objective_id=kpi.objective_id, archived_at__isnull=True).order_by(
            "order", "id"
        )
    )
    move_within(siblings, moved_pk=kpi.pk, step=step)
