"""Actuals and targets are entered at the KPI's own frequency only (DESIGN.md section 4,
"Frequencies and periods of every length"). One rule, used by every path that writes them:
`actual_enter` and `target_set`, so the API, My updates, the grids, imports and bulk
requests all answer the same message."""

from django.core.exceptions import ValidationError

from kpis.models import KPI
from scorecard.models import Period

PERIOD_NOT_AT_FREQUENCY = (
    "{kpi} is reported {frequency}: enter it for a {grain} such as {example}, not {period}."
)
EXAMPLES = {
    Period.Grain.MONTH: "2026-03",
    Period.Grain.QUARTER: "FY2026-Q3",
    Period.Grain.YEAR: "FY2026",
}


def check_period_fits_frequency(kpi: KPI, period: Period) -> None:
    """Refuse a period of another grain than the KPI's frequency (on `period`)."""
    if period.grain == kpi.frequency:
        return
    raise ValidationError(
        {
            "period": PERIOD_NOT_AT_FREQUENCY.format(
                kpi=kpi.name,
                frequency=kpi.get_frequency_display().lower(),
                grain=Period.Grain(kpi.frequency).label.lower(),
                example=EXAMPLES[Period.Grain(kpi.frequency)],
                period=period.label,
            )
        }
    )
