"""Targets: one KPI's target for a quarter, the editor's targets grid (every cell checked
before any is saved) and the roll-forward of a fiscal year's targets into the next.

Every path that writes a target goes through `target_set`, which also asks the owner for a
comment when the new target makes an earlier actual red (see kpis.red_comments)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from kpis import red_comments
from kpis.models import KPI, Target
from kpis.scheduling import recompute_on_commit
from kpis.selectors import counting_since, periods_its_data_reaches
from kpis.services.grains import check_period_fits_frequency
from kpis.services.numbers import as_decimal
from kpis.services.structure import unit_id_of
from scorecard import fiscal
from scorecard.models import OrganizationSettings, Period, Scorecard
from scorecard.services import period_for_quarter, period_open


@transaction.atomic
def target_set(*, kpi: KPI, period: Period, value, red_flag=None) -> Target:
    """Create or replace the KPI's target for the period (opened if only read so far)."""
    check_period_fits_frequency(kpi, period)
    period = period_open(period)
    counted_since = counting_since(kpi)
    target = Target.objects.select_for_update().filter(kpi=kpi, period=period).first()
    target = target or Target(kpi=kpi, period=period)
    target.value = as_decimal(value)
    target.red_flag = None if red_flag in (None, "") else as_decimal(red_flag, field="red_flag")
    target.full_clean()
    target.save()
    recompute_on_commit(
        unit_ids=[unit_id_of(kpi)],
        period_ids=periods_its_data_reaches(kpi=kpi, period=period, counted_since=counted_since),
    )
    # An actual entered before its target was never checked against it.
    red_comments.ask_after_commit(kpi=kpi, period=period)
    return target


@transaction.atomic
def target_clear(*, kpi: KPI, period: Period) -> None:
    """Remove the KPI's target for the period (an emptied cell of the targets grid)."""
    counted_since = counting_since(kpi)
    deleted, _ = Target.objects.filter(kpi=kpi, period=period).delete()
    if deleted:
        recompute_on_commit(
            unit_ids=[unit_id_of(kpi)],
            period_ids=periods_its_data_reaches(
                kpi=kpi, period=period, counted_since=counted_since
            ),
        )


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


# How many periods of each grain make a year: a roll-forward moves each target that far.
YEAR_AHEAD_STEPS = {
    fiscal.MONTH: fiscal.MONTHS_PER_YEAR,
    fiscal.QUARTER: fiscal.QUARTERS_PER_YEAR,
    fiscal.YEAR: 1,
}


@transaction.atomic
def targets_roll_forward(
    *, scorecard: Scorecard, fiscal_year: int, grow_pct: Decimal = Decimal("0")
) -> tuple[int, int]:
    """Copy every active KPI's targets of `fiscal_year` into the same periods (months,
    quarters, the year) of the next year, times (1 + grow_pct %), red flags scaled alike.
    Periods of the next year that already have a target keep it. Returns (created, kept)."""
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
        .order_by("kpi_id", "period__start", "period__grain")
    )
    created = kept = 0
    # Keyed by the source period's grain and start: a month moves to the same month of the
    # next year, a quarter to the same quarter, a year to the next year.
    next_periods: dict[tuple[str, date], Period] = {}
    for target in source:
        key = (target.period.grain, target.period.start)
        if key not in next_periods:
            following = target.period.as_fiscal(start_month)
            steps = YEAR_AHEAD_STEPS[following.grain]
            next_periods[key] = period_for_quarter(following.shifted(steps))
        period = next_periods[key]
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
