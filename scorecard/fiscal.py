"""The fiscal calendar: fiscal years, their quarters and months, and period labels.

A fiscal year is named by the calendar year in which it ends, so with a July start FY2027
runs from July 2026 to June 2027. Quarters Q1-Q4 count from the start month. A period has a
grain (DESIGN.md section 3): a calendar month (key "2026-03", label "Mar 2026"), a fiscal
quarter (key "FY2026-Q3", label "FY2026 Q3") or a fiscal year (key and label "FY2026").
`FiscalMonth`, `FiscalQuarter` and `FiscalYear` answer the same questions (key, label, start,
end, next/previous, sub-periods at a finer grain, the containing quarter and year);
`parse_any_period` reads any key.

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
MONTHS_PER_YEAR = 12

# The grains of a period, finest first (kpis.scoring's MONTH/QUARTER/YEAR are these strings).
MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
GRAINS = (MONTH, QUARTER, YEAR)
GRAIN_ORDER = {grain: rank for rank, grain in enumerate(GRAINS)}

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

ANY_PERIOD_MISSING = "Missing period: use the form 2026-03, FY2026-Q3 or FY2026."
ANY_PERIOD_UNKNOWN = 'Unknown period "{label}": use the form 2026-03, FY2026-Q3 or FY2026.'
GRAIN_UNKNOWN = 'Unknown grain "{grain}": use month, quarter or year.'
NOT_FINER = "A {grain} has no {finer} sub-periods: choose a finer grain than the period's own."

# re.ASCII keeps \d from matching other scripts' digits (full-width or Arabic-Indic ones),
# and fullmatch keeps "FY2026-Q3x" or a trailing newline from passing as a label.
PERIOD_PATTERN = re.compile(r"FY(?P<year>\d{4})[- ]Q(?P<quarter>[1-4])", re.IGNORECASE | re.ASCII)
MONTH_PATTERN = re.compile(r"(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])", re.ASCII)
YEAR_PATTERN = re.compile(r"FY(?P<year>\d{4})", re.IGNORECASE | re.ASCII)


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

    @property
    def grain(self) -> str:
        return QUARTER

    def months(self) -> list["FiscalMonth"]:
        return [month_of(self.start, self.start_month).shifted(n) for n in range(3)]

    def sub_periods(self, grain: str) -> list["FiscalPeriod"]:
        """The periods of `grain` (finer or the same) that make up this quarter, in order."""
        _check_grain(grain)
        if grain == QUARTER:
            return [self]
        if grain == MONTH:
            return list(self.months())
        raise ValueError(NOT_FINER.format(grain=QUARTER, finer=grain))

    def containing(self, grain: str) -> "FiscalPeriod":
        """The period of `grain` (the same or coarser) that holds this quarter."""
        _check_grain(grain)
        if grain == QUARTER:
            return self
        if grain == YEAR:
            return FiscalYear(self.fiscal_year, self.start_month)
        raise ValueError(NOT_FINER.format(grain=grain, finer=QUARTER))

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


@functools.total_ordering
@dataclass(frozen=True)
class FiscalMonth:
    """A calendar month (key "2026-03", label "Mar 2026") of the fiscal calendar that starts
    in `start_month`: it belongs to one fiscal quarter and one fiscal year."""

    year: int
    month: int
    start_month: int = 1

    def __post_init__(self) -> None:
        _check_start_month(self.start_month)
        if not 1 <= self.month <= MONTHS_PER_YEAR:
            raise PeriodLabelError(ANY_PERIOD_UNKNOWN.format(label=f"{self.year}-{self.month}"))
        _check_fiscal_year(self.fiscal_year)

    @property
    def grain(self) -> str:
        return MONTH

    @property
    def fiscal_year(self) -> int:
        ends_next_year = self.start_month != 1 and self.month >= self.start_month
        return self.year + 1 if ends_next_year else self.year

    @property
    def label(self) -> str:
        return month_label(self.year, self.month)

    @property
    def key(self) -> str:
        return month_key(self.year, self.month)

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> "FiscalMonth":
        return self.shifted(1)

    def previous(self) -> "FiscalMonth":
        return self.shifted(-1)

    def shifted(self, steps: int) -> "FiscalMonth":
        year, month = _add_months(self.year, self.month, steps)
        return FiscalMonth(year, month, self.start_month)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def sub_periods(self, grain: str) -> list["FiscalPeriod"]:
        _check_grain(grain)
        if grain == MONTH:
            return [self]
        raise ValueError(NOT_FINER.format(grain=MONTH, finer=grain))

    def containing(self, grain: str) -> "FiscalPeriod":
        """The period of `grain` (the same or coarser) that holds this month."""
        _check_grain(grain)
        if grain == MONTH:
            return self
        quarter = quarter_of(self.start, self.start_month)
        return quarter if grain == QUARTER else quarter.containing(YEAR)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, FiscalMonth):
            return NotImplemented
        _check_same_calendar(self, other)
        return self._index() < other._index()

    def _index(self) -> int:
        return self.year * MONTHS_PER_YEAR + self.month - 1


@functools.total_ordering
@dataclass(frozen=True)
class FiscalYear:
    """A fiscal year (key and label "FY2026"), named by the calendar year in which it ends."""

    fiscal_year: int
    start_month: int = 1

    def __post_init__(self) -> None:
        _check_start_month(self.start_month)
        _check_fiscal_year(self.fiscal_year)

    @property
    def grain(self) -> str:
        return YEAR

    @property
    def label(self) -> str:
        return year_key(self.fiscal_year)

    @property
    def key(self) -> str:
        return year_key(self.fiscal_year)

    @property
    def start(self) -> date:
        return self.quarters()[0].start

    @property
    def end(self) -> date:
        return self.quarters()[-1].end

    def next(self) -> "FiscalYear":
        return self.shifted(1)

    def previous(self) -> "FiscalYear":
        return self.shifted(-1)

    def shifted(self, steps: int) -> "FiscalYear":
        return FiscalYear(self.fiscal_year + steps, self.start_month)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def quarters(self) -> list[FiscalQuarter]:
        return [FiscalQuarter(self.fiscal_year, q, self.start_month) for q in (1, 2, 3, 4)]

    def months(self) -> list[FiscalMonth]:
        return [month for quarter in self.quarters() for month in quarter.months()]

    def sub_periods(self, grain: str) -> list["FiscalPeriod"]:
        """The periods of `grain` (finer or the same) that make up this year, in order."""
        _check_grain(grain)
        if grain == YEAR:
            return [self]
        if grain == QUARTER:
            return list(self.quarters())
        return list(self.months())

    def containing(self, grain: str) -> "FiscalPeriod":
        _check_grain(grain)
        if grain == YEAR:
            return self
        raise ValueError(NOT_FINER.format(grain=grain, finer=YEAR))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, FiscalYear):
            return NotImplemented
        _check_same_calendar(self, other)
        return self.fiscal_year < other.fiscal_year

    def _index(self) -> int:
        return self.fiscal_year


FiscalPeriod = FiscalMonth | FiscalQuarter | FiscalYear


def month_label(year: int, month: int) -> str:
    """A month's name on pages: "Mar 2026" (English abbreviations, whatever the locale)."""
    return f"{_MONTH_ABBREVIATIONS[month - 1]} {year}"


def month_key(year: int, month: int) -> str:
    """A month's name in URLs and the API: "2026-03"."""
    return f"{year:04d}-{month:02d}"


def year_key(fiscal_year: int) -> str:
    """A fiscal year's name, on pages and in URLs alike: "FY2026"."""
    return f"FY{fiscal_year}"


_MONTH_ABBREVIATIONS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def month_of(day: date, start_month: int = 1) -> FiscalMonth:
    return FiscalMonth(day.year, day.month, start_month)


def year_of(day: date, start_month: int = 1) -> FiscalYear:
    return FiscalYear(quarter_of(day, start_month).fiscal_year, start_month)


def period_of(day: date, grain: str, start_month: int = 1) -> FiscalPeriod:
    """The period of `grain` that holds `day`."""
    _check_grain(grain)
    if grain == MONTH:
        return month_of(day, start_month)
    if grain == QUARTER:
        return quarter_of(day, start_month)
    return year_of(day, start_month)


MONTHS_IN = {MONTH: 1, QUARTER: MONTHS_PER_QUARTER, YEAR: MONTHS_PER_YEAR}


def months_before(day: date, count: int) -> date:
    """The first of the month `count` months before `day`'s month."""
    year, month = _add_months(day.year, day.month, -count)
    return date(year, month, 1)


def is_finer(grain: str, than: str) -> bool:
    """Whether `grain` is strictly finer than `than` (a month is finer than a quarter)."""
    _check_grain(grain)
    _check_grain(than)
    return GRAIN_ORDER[grain] < GRAIN_ORDER[than]


def parse_any_period(text: str, start_month: int = 1) -> FiscalPeriod:
    """Read a period of any grain: "2026-03", "FY2026-Q3" (or "FY2026 Q3") or "FY2026" (any
    case, surrounding whitespace allowed)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        raise PeriodLabelError(ANY_PERIOD_MISSING)
    if not isinstance(text, str):
        raise PeriodLabelError(ANY_PERIOD_UNKNOWN.format(label=text))
    label = text.strip()
    if PERIOD_PATTERN.fullmatch(label):
        return parse_period(label, start_month)
    if match := MONTH_PATTERN.fullmatch(label):
        try:
            return FiscalMonth(int(match["year"]), int(match["month"]), start_month)
        except PeriodLabelError:
            # The month's fiscal year lies outside the calendar's range.
            _check_label_year(label, MAX_FISCAL_YEAR + 1)
    if match := YEAR_PATTERN.fullmatch(label):
        year = int(match["year"])
        _check_label_year(label, year)
        return FiscalYear(year, start_month)
    raise PeriodLabelError(ANY_PERIOD_UNKNOWN.format(label=label))


def periods_between(first: FiscalPeriod, last: FiscalPeriod) -> list[FiscalPeriod]:
    """Every period from first to last (one grain), both included; empty when last comes
    before first."""
    if first.grain != last.grain:
        raise ValueError(GRAIN_UNKNOWN.format(grain=f"{first.grain}/{last.grain}"))
    _check_same_calendar(first, last)
    return [first.shifted(steps) for steps in range(last._index() - first._index() + 1)]


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


def _check_grain(grain: str) -> None:
    if grain not in GRAIN_ORDER:
        raise ValueError(GRAIN_UNKNOWN.format(grain=grain))


def _check_label_year(label: str, fiscal_year: int) -> None:
    if not MIN_FISCAL_YEAR <= fiscal_year <= MAX_FISCAL_YEAR:
        raise PeriodLabelError(
            PERIOD_YEAR_OUT_OF_RANGE.format(
                label=label, first=MIN_FISCAL_YEAR, last=MAX_FISCAL_YEAR
            )
        )


def _check_same_calendar(first: "FiscalPeriod", second: "FiscalPeriod") -> None:
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
