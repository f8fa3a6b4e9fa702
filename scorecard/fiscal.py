"""The fiscal calendar: fiscal years, their quarters, and period labels.

A fiscal year is named by the calendar year in which it ends, so with a July start FY2027
runs from July 2026 to June 2027. Quarters Q1-Q4 count from the start month. A period is one
fiscal quarter, labelled "FY2026 Q3" on pages and "FY2026-Q3" in URLs and the API.

Pure module: no Django imports, so the rest of the domain and its tests can use it anywhere.
"""

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date

MIN_FISCAL_YEAR = 1900
MAX_FISCAL_YEAR = 9999
QUARTERS_PER_YEAR = 4
MONTHS_PER_QUARTER = 3

PERIOD_MISSING = "Missing period: use the form FY2026-Q3."
PERIOD_UNKNOWN = 'Unknown period "{label}": use the form FY2026-Q3.'
PERIOD_YEAR_OUT_OF_RANGE = 'Unknown period "{label}": fiscal years run from FY{first} to FY{last}.'
QUARTER_OUT_OF_RANGE = "Quarter {quarter} does not exist: use a quarter from 1 to 4."
FISCAL_YEAR_OUT_OF_RANGE = (
    "Fiscal year {fiscal_year} is out of range: use a year from {first} to {last}."
)
START_MONTH_OUT_OF_RANGE = (
    "Fiscal start month {start_month} does not exist: use a month from 1 to 12."
)
START_MONTHS_DIFFER = (
    "Cannot compare {first} and {second}: they use different fiscal start months "
    "({first_month} and {second_month})."
)

# re.ASCII keeps \d from matching other scripts' digits (full-width or Arabic-Indic ones),
# and fullmatch keeps "FY2026-Q3x" or a trailing newline from passing as a label.
PERIOD_PATTERN = re.compile(r"FY(?P<year>\d{4})[- ]Q(?P<quarter>[1-4])", re.IGNORECASE | re.ASCII)


class PeriodLabelError(ValueError):
    """A period label or quarter that names no fiscal quarter."""


@functools.total_ordering
@dataclass(frozen=True)
class FiscalQuarter:
    fiscal_year: int
    quarter: int
    start_month: int = 1

    def __post_init__(self) -> None:
        _check_start_month(self.start_month)
        _check_fiscal_year(self.fiscal_year)
        _check_quarter(self.quarter)

    @property
    def label(self) -> str:
        return quarter_label(self.fiscal_year, self.quarter)

    @property
    def key(self) -> str:
        return quarter_key(self.fiscal_year, self.quarter)

    @property
    def start(self) -> date:
        year, month = self._month_of_quarter(0)
        return date(year, month, 1)

    @property
    def end(self) -> date:
        """The last day of the quarter, inclusive."""
        year, month = self._month_of_quarter(MONTHS_PER_QUARTER - 1)
        return date(year, month, calendar.monthrange(year, month)[1])

    def next(self) -> "FiscalQuarter":
        return self.shifted(1)

    def previous(self) -> "FiscalQuarter":
        return self.shifted(-1)

    def shifted(self, steps: int) -> "FiscalQuarter":
        return FiscalQuarter(
            *shift_quarter(self.fiscal_year, self.quarter, steps), self.start_month
        )

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, FiscalQuarter):
            return NotImplemented
        _check_same_calendar(self, other)
        return self._index() < other._index()

    def _index(self) -> int:
        """Quarters counted from FY0 Q1: consecutive quarters differ by exactly one."""
        return self.fiscal_year * QUARTERS_PER_YEAR + self.quarter - 1

    def _month_of_quarter(self, offset: int) -> tuple[int, int]:
        """The (year, month) of the quarter's first month plus offset months."""
        months_into_year = (self.quarter - 1) * MONTHS_PER_QUARTER + offset
        return _add_months(_first_calendar_year(self), self.start_month, months_into_year)


def shift_quarter(fiscal_year: int, quarter: int, steps: int) -> tuple[int, int]:
    """The (fiscal year, quarter) `steps` quarters later (earlier when negative): the one
    piece of quarter arithmetic, crossing year ends either way. Pure: no calendar needed."""
    fiscal_year, quarter_offset = divmod(
        fiscal_year * QUARTERS_PER_YEAR + quarter - 1 + steps, QUARTERS_PER_YEAR
    )
    return fiscal_year, quarter_offset + 1


def quarter_label(fiscal_year: int, quarter: int) -> str:
    """A quarter's name on pages: "FY2026 Q3"."""
    return f"FY{fiscal_year} Q{quarter}"


def quarter_key(fiscal_year: int, quarter: int) -> str:
    """A quarter's name in URLs and the API: "FY2026-Q3" (`parse_period` reads it back)."""
    return f"FY{fiscal_year}-Q{quarter}"


def quarter_of(day: date, start_month: int = 1) -> FiscalQuarter:
    _check_start_month(start_month)
    months_into_year = (day.month - start_month) % 12
    # A fiscal year that starts in January ends in the same calendar year; any other start
    # month means the months from the start month onwards belong to the year ending next year.
    ends_next_year = start_month != 1 and day.month >= start_month
    return FiscalQuarter(
        fiscal_year=day.year + 1 if ends_next_year else day.year,
        quarter=months_into_year // MONTHS_PER_QUARTER + 1,
        start_month=start_month,
    )


def parse_period(text: str, start_month: int = 1) -> FiscalQuarter:
    """Read "FY2026-Q3" or "FY2026 Q3" (any case, surrounding whitespace allowed)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        raise PeriodLabelError(PERIOD_MISSING)
    if not isinstance(text, str):
        raise PeriodLabelError(PERIOD_UNKNOWN.format(label=text))
    label = text.strip()
    match = PERIOD_PATTERN.fullmatch(label)
    if match is None:
        raise PeriodLabelError(PERIOD_UNKNOWN.format(label=label))
    fiscal_year = int(match["year"])
    if not MIN_FISCAL_YEAR <= fiscal_year <= MAX_FISCAL_YEAR:
        raise PeriodLabelError(
            PERIOD_YEAR_OUT_OF_RANGE.format(
                label=label, first=MIN_FISCAL_YEAR, last=MAX_FISCAL_YEAR
            )
        )
    return FiscalQuarter(fiscal_year, int(match["quarter"]), start_month)


def quarters_between(first: FiscalQuarter, last: FiscalQuarter) -> list[FiscalQuarter]:
    """Every quarter from first to last, both included; empty when last comes before first."""
    _check_same_calendar(first, last)
    return [first.shifted(steps) for steps in range(last._index() - first._index() + 1)]


def _first_calendar_year(quarter: FiscalQuarter) -> int:
    """The calendar year in which the quarter's fiscal year begins."""
    return quarter.fiscal_year if quarter.start_month == 1 else quarter.fiscal_year - 1


def _add_months(year: int, month: int, count: int) -> tuple[int, int]:
    years_ahead, month_offset = divmod(month - 1 + count, 12)
    return year + years_ahead, month_offset + 1


def _check_start_month(start_month: int) -> None:
    if not 1 <= start_month <= 12:
        raise ValueError(START_MONTH_OUT_OF_RANGE.format(start_month=start_month))


def _check_fiscal_year(fiscal_year: int) -> None:
    if not MIN_FISCAL_YEAR <= fiscal_year <= MAX_FISCAL_YEAR:
        raise PeriodLabelError(
            FISCAL_YEAR_OUT_OF_RANGE.format(
                fiscal_year=fiscal_year, first=MIN_FISCAL_YEAR, last=MAX_FISCAL_YEAR
            )
        )


def _check_quarter(quarter: int) -> None:
    if not 1 <= quarter <= QUARTERS_PER_YEAR:
        raise PeriodLabelError(QUARTER_OUT_OF_RANGE.format(quarter=quarter))


def _check_same_calendar(first: FiscalQuarter, second: FiscalQuarter) -> None:
    # The same label means different months under different start months, so ordering
    # them would silently mix calendars.
    if first.start_month != second.start_month:
        raise ValueError(
            START_MONTHS_DIFFER.format(
                first=first.label,
                second=second.label,
                first_month=first.start_month,
                second_month=second.start_month,
            )
        )
