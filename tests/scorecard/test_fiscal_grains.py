"""Periods of every grain (issue 15): months, quarters and fiscal years of the calendar,
checked against dates worked out by hand for every fiscal start month."""

import itertools
from datetime import date

import pytest

from scorecard.fiscal import (
    MONTH,
    QUARTER,
    YEAR,
    FiscalMonth,
    FiscalQuarter,
    FiscalYear,
    PeriodLabelError,
    is_finer,
    parse_any_period,
    period_of,
    periods_between,
)

START_MONTHS = range(1, 13)
FULL_WIDTH_MONTH = "\uff12\uff10\uff12\uff16-03"
USE_THE_FORM = "use the form 2026-03, FY2026-Q3 or FY2026."


def test_a_month_has_its_key_label_and_days():
    march = FiscalMonth(2026, 3)

    assert (march.key, march.label) == ("2026-03", "Mar 2026")
    assert (march.start, march.end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert FiscalMonth(2024, 2).end == date(2024, 2, 29)
    assert march.grain == MONTH


def test_a_year_has_its_key_label_and_days():
    year = FiscalYear(2027, start_month=7)

    assert (year.key, year.label, year.grain) == ("FY2027", "FY2027", YEAR)
    assert (year.start, year.end) == (date(2026, 7, 1), date(2027, 6, 30))


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("2026-03", FiscalMonth(2026, 3)),
        (" 2026-12\n", FiscalMonth(2026, 12)),
        ("FY2026-Q3", FiscalQuarter(2026, 3)),
        ("fy2026 q3", FiscalQuarter(2026, 3)),
        ("FY2026", FiscalYear(2026)),
        ("fy2026", FiscalYear(2026)),
    ],
)
def test_it_parses_a_key_of_any_grain(key, expected):
    assert parse_any_period(key) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "Missing period: use the form 2026-03, FY2026-Q3 or FY2026."),
        ("  ", "Missing period: use the form 2026-03, FY2026-Q3 or FY2026."),
        ("2026-13", 'Unknown period "2026-13": use the form 2026-03, FY2026-Q3 or FY2026.'),
        ("2026-00", 'Unknown period "2026-00": use the form 2026-03, FY2026-Q3 or FY2026.'),
        ("2026-3", 'Unknown period "2026-3": use the form 2026-03, FY2026-Q3 or FY2026.'),
        ("FY2026-Q9", 'Unknown period "FY2026-Q9": use the form 2026-03, FY2026-Q3 or FY2026.'),
        ("FY26", 'Unknown period "FY26": use the form 2026-03, FY2026-Q3 or FY2026.'),
        (FULL_WIDTH_MONTH, f'Unknown period "{FULL_WIDTH_MONTH}": {USE_THE_FORM}'),
        ("FY1899", 'Unknown period "FY1899": fiscal years run from FY1900 to FY9999.'),
        ("1899-12", 'Unknown period "1899-12": fiscal years run from FY1900 to FY9999.'),
        (2026, 'Unknown period "2026": use the form 2026-03, FY2026-Q3 or FY2026.'),
    ],
)
def test_it_refuses_a_bad_key_of_any_grain_with_a_clear_message(text, message):
    with pytest.raises(PeriodLabelError) as raised:
        parse_any_period(text)

    assert str(raised.value) == message


def test_a_december_of_the_last_year_is_refused_when_it_opens_a_later_fiscal_year():
    # With a July start, December 9999 belongs to FY10000, past the calendar's range.
    with pytest.raises(PeriodLabelError):
        parse_any_period("9999-12", start_month=7)
    assert parse_any_period("9999-06", start_month=7).fiscal_year == 9999


@pytest.mark.parametrize("start_month", START_MONTHS)
def test_every_key_round_trips_for_every_start_month(start_month):
    year = FiscalYear(2026, start_month)
    for period in [year, *year.quarters(), *year.months()]:
        assert parse_any_period(period.key, start_month) == period
    # A quarter's and a year's labels read back too ("FY2026 Q3", "FY2026"); a month's
    # label ("Mar 2026") is for pages only.
    for period in [year, *year.quarters()]:
        assert parse_any_period(period.label, start_month) == period


@pytest.mark.parametrize("start_month", START_MONTHS)
def test_a_year_is_made_of_its_quarters_and_its_months_for_every_start_month(start_month):
    year = FiscalYear(2026, start_month)
    months = year.sub_periods(MONTH)
    quarters = year.sub_periods(QUARTER)

    assert len(months) == 12 and len(quarters) == 4
    # Twelve consecutive months from the start month of the calendar year before (or the
    # same one, with a January start), the last one ending the year.
    first_year = 2026 if start_month == 1 else 2025
    assert months[0] == FiscalMonth(first_year, start_month, start_month)
    assert months[-1].end == year.end == quarters[-1].end
    assert months[0].start == year.start == quarters[0].start
    assert all(later == earlier.next() for earlier, later in itertools.pairwise(months))
    for number, quarter in enumerate(quarters):
        assert quarter.sub_periods(MONTH) == months[3 * number : 3 * number + 3]
        for month in quarter.sub_periods(MONTH):
            assert month.containing(QUARTER) == quarter
            assert month.containing(YEAR) == year
            assert month.fiscal_year == 2026
        assert quarter.containing(YEAR) == year


def test_a_month_with_a_july_start_belongs_to_the_year_that_ends_next_june():
    july = FiscalMonth(2026, 7, start_month=7)
    june = FiscalMonth(2026, 6, start_month=7)

    assert july.containing(QUARTER) == FiscalQuarter(2027, 1, 7)
    assert july.containing(YEAR) == FiscalYear(2027, 7)
    assert june.containing(QUARTER) == FiscalQuarter(2026, 4, 7)


def test_next_and_previous_cross_year_ends_at_every_grain():
    assert FiscalMonth(2026, 12).next() == FiscalMonth(2027, 1)
    assert FiscalMonth(2026, 1).previous() == FiscalMonth(2025, 12)
    assert FiscalYear(2026).next() == FiscalYear(2027)
    assert FiscalYear(2026).previous() == FiscalYear(2025)
    assert FiscalQuarter(2026, 4).next() == FiscalQuarter(2027, 1)


def test_a_coarser_grain_has_no_finer_sub_periods_and_a_finer_one_contains_nothing():
    with pytest.raises(ValueError, match="no year sub-periods"):
        FiscalQuarter(2026, 1).sub_periods(YEAR)
    with pytest.raises(ValueError):
        FiscalYear(2026).containing(MONTH)
    with pytest.raises(ValueError, match="Unknown grain"):
        FiscalYear(2026).sub_periods("week")


@pytest.mark.parametrize("start_month", START_MONTHS)
def test_the_period_of_a_day_holds_it_at_every_grain(start_month):
    day = date(2026, 2, 14)
    for grain in (MONTH, QUARTER, YEAR):
        period = period_of(day, grain, start_month)
        assert period.grain == grain
        assert period.start <= day <= period.end


def test_grains_are_ordered_finest_first():
    assert is_finer(MONTH, QUARTER) and is_finer(QUARTER, YEAR) and is_finer(MONTH, YEAR)
    assert not is_finer(QUARTER, QUARTER) and not is_finer(YEAR, MONTH)


def test_periods_between_lists_consecutive_periods_of_one_grain():
    months = periods_between(FiscalMonth(2025, 11), FiscalMonth(2026, 2))

    assert [m.key for m in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert periods_between(FiscalYear(2026), FiscalYear(2024)) == []
    with pytest.raises(ValueError):
        periods_between(FiscalMonth(2026, 1), FiscalYear(2026))
