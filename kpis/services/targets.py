"""Targets: one KPI's target for a quarter, the editor's targets grid (every cell checked
before any is saved) and the roll-forward of a fiscal year's targets into the next.

Every path that writes a target goes through `target_set`, which also asks the owner for a
comment when the new target makes an earlier actual red (see kpis.red_comments)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from kpis import red_comments, scoring
from kpis.models import KPI, Target
from kpis.scheduling import recompute_on_commit
from kpis.selectors import counting_since, periods_its_data_reaches
from kpis.services.grains import check_period_fits_frequency
from kpis.services.numbers import kpi_value, optional_kpi_value
from kpis.services.structure import unit_id_of
from scorecard import fiscal
from scorecard.models import OrganizationSettings, Period, Scorecard
from scorecard.services import period_for_quarter, period_open


@transaction.atomic
def target_set(
    *, kpi: KPI, period: Period, value, red_flag=None, value_high=None, red_flag_high=None
) -> Target:
    """Create or replace the KPI's target for the period (opened if only read so far).
    A band takes its high edge and high red flag too; an ordinal KPI level names."""
    check_period_fits_frequency(kpi, period)
    period = period_open(period)
    counted_since = counting_since(kpi)
    target = Target.objects.select_for_update().filter(kpi=kpi, period=period).first()
    target = target or Target(kpi=kpi, period=period)
    _fill(target, kpi, value, red_flag, value_high, red_flag_high)
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


def _fill(target: Target, kpi: KPI, value, red_flag, value_high, red_flag_high) -> None:
    target.value = kpi_value(kpi, value)
    target.red_flag = optional_kpi_value(kpi, red_flag, field="red_flag")
    target.value_high = optional_kpi_value(kpi, value_high, field="value_high")
    target.red_flag_high = optional_kpi_value(kpi, red_flag_high, field="red_flag_high")


class GridErrors(Exception):
    """Cells of a targets grid that were refused; nothing of the grid was saved."""

    def __init__(self, errors: dict[tuple[int, int], str]):
        self.errors = errors
        super().__init__(f"{len(errors)} cells refused")


@transaction.atomic
def targets_grid_save(*, cells: list[dict]) -> int:
    """Save a targets grid: each cell is {kpi, period, value, red_flag} (a band's also
    value_high and red_flag_high); an empty value
    clears the target. Every cell is checked first and all refusals are reported together
    (GridErrors, keyed by (kpi id, period id)); nothing is saved unless every cell is good.
    Returns how many cells were written."""
    errors: dict[tuple[int, int], str] = {}
    for cell in cells:
        if cell["value"] in (None, ""):
            continue
        try:
            probe = Target(kpi=cell["kpi"], period=cell["period"])
            _fill(
                probe,
                cell["kpi"],
                cell["value"],
                cell.get("red_flag"),
                cell.get("value_high"),
                cell.get("red_flag_high"),
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
            kpi=cell["kpi"],
            period=cell["period"],
            value=cell["value"],
            red_flag=cell.get("red_flag"),
            value_high=cell.get("value_high"),
            red_flag_high=cell.get("red_flag_high"),
        )
        written += 1
    return written


FIXED_TYPES = (scoring.ORDINAL, scoring.MILESTONE)


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
        # Levels and milestones are copied as they are: a position does not grow.
        grows = factor if target.kpi.target_type not in FIXED_TYPES else Decimal(1)
        target_set(
            kpi=target.kpi,
            period=period,
            value=_grown(target.value, grows),
            red_flag=_grown(target.red_flag, grows),
            value_high=_grown(target.value_high, grows),
            red_flag_high=_grown(target.red_flag_high, grows),
        )
        created += 1
    return created, kept
