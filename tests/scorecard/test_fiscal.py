"""The fiscal calendar, checked against dates worked out by hand."""

import calendar
import itertools
from datetime import date, timedelta

import pytest

from scorecard.fiscal import (
    FiscalQuarter,
    PeriodLabelError,
    parse_period,
    quarter_of,
    quarters_between,
)

ONE_DAY = timedelta(days=1)
FULL_WIDTH_LABEL = "FY\uff12\uff10\uff12\uff16-Q3"

# FY2026 for every start month, worked out by hand: the year ends in calendar 2026, on the
# last day of the month before the start month.
FY2026_BOUNDS = {
    1: (date(2026, 1, 1), date(2026, 12, 31)),
    2: (date(2025, 2, 1), date(2026, 1, 31)),
    3: (date(2025, 3, 1), date(2026, 2, 28)),
    4: (date(2025, 4, 1), date(2026, 3, 31)),
    5: (date(2025, 5, 1), date(2026, 4, 30)),
    6: (date(2025, 6, 1), date(2026, 5, 31)),
    7: (date(2025, 7, 1), date(2026, 6, 30)),
    8: (date(2025, 8, 1), date(2026, 7, 31)),
    9: (date(2025, 9, 1), date(2026, 8, 31)),
    10: (date(2025, 10, 1), date(2026, 9, 30)),
    11: (date(2025, 11, 1), date(2026, 10, 31)),
    12: (date(2025, 12, 1), date(2026, 11, 30)),
}

START_MONTHS = sorted(FY2026_BOUNDS)


def fy2026_quarters(start_month):
    return [FiscalQuarter(2026, quarter, start_month) for quarter in (1, 2, 3, 4)]


@pytest.mark.parametrize("start_month", START_MONTHS)
def test_it_tiles_the_fiscal_year_with_four_quarters(start_month):
    first_day, last_day = FY2026_BOUNDS[start_month]
    quarters = fy2026_quarters(start_month)

    assert quarters[0].start == first_day
    assert quarters[-1].end == last_day
    for earlier, later in itertools.pairwise(quarters):
        assert earlier.end + ONE_DAY == later.start


@pytest.mark.parametrize("start_month", START_MONTHS)
def test_it_makes_each_quarter_three_whole_months(start_month):
    for quarter in fy2026_quarters(start_month):
        months_spanned = (quarter.end.year - quarter.start.year) * 12 + (
            quarter.end.month - quarter.start.month
        )
        assert quarter.start.day == 1
        assert quarter.end.day == calendar.monthrange(quarter.end.year, quarter.end.month)[1]
        assert months_spanned == 2


@pytest.mark.parametrize("start_month", START_MONTHS)
def test_it_finds_each_quarter_from_its_first_and_last_day(start_month):
    for quarter in fy2026_quarters(start_month):
        assert quarter_of(quarter.start, start_month) == quarter
        assert quarter_of(quarter.end, start_month) == quarter


@pytest.mark.parametrize("start_month", START_MONTHS)
def test_it_puts_the_days_around_the_year_end_in_different_fiscal_years(start_month):
    first_day, last_day = FY2026_BOUNDS[start_month]

    assert quarter_of(first_day - ONE_DAY, start_month) == FiscalQuarter(2025, 4, start_month)
    assert quarter_of(last_day + ONE_DAY, start_month) == FiscalQuarter(2027, 1, start_month)


@pytest.mark.parametrize(
    ("day", "start_month", "expected_label"),
    [
        (date(2026, 7, 1), 7, "FY2027 Q1"),
        (date(2026, 6, 30), 7, "FY2026 Q4"),
        (date(2026, 12, 31), 7, "FY2027 Q2"),
        (date(2027, 1, 1), 7, "FY2027 Q3"),
        (date(2026, 8, 15), 1, "FY2026 Q3"),
        (date(2026, 1, 1), 1, "FY2026 Q1"),
        (date(2026, 12, 31), 1, "FY2026 Q4"),
        (date(2026, 3, 31), 4, "FY2026 Q4"),
        (date(2026, 4, 1), 4, "FY2027 Q1"),
        (date(2026, 1, 31), 2, "FY2026 Q4"),
        (date(2026, 2, 1), 2, "FY2027 Q1"),
        (date(2025, 11, 30), 12, "FY2025 Q4"),
        (date(2025, 12, 1), 12, "FY2026 Q1"),
        (date(2026, 2, 28), 12, "FY2026 Q1"),
        (date(2026, 10, 15), 10, "FY2027 Q1"),
    ],
)
def test_it_names_the_fiscal_year_by_the_calendar_year_it_ends_in(day, start_month, expected_label):
    assert quarter_of(day, start_month).label == expected_label


def test_it_gives_a_july_year_its_hand_worked_quarters():
    quarters = fy2026_quarters(7)

    assert [(quarter.start, quarter.end) for quarter in quarters] == [
        (date(2025, 7, 1), date(2025, 9, 30)),
        (date(2025, 10, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
    ]


def test_it_gives_a_calendar_year_its_hand_worked_quarters():
    quarters = fy2026_quarters(1)

    assert [(quarter.start, quarter.end) for quarter in quarters] == [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 12, 31)),
    ]


@pytest.mark.parametrize(
    ("quarter", "expected_end"),
    [
        # A quarter ends in February when the start month is 3, 6, 9 or 12.
        (FiscalQuarter(2024, 4, start_month=3), date(2024, 2, 29)),
        (FiscalQuarter(2026, 4, start_month=3), date(2026, 2, 28)),
        (FiscalQuarter(2024, 1, start_month=12), date(2024, 2, 29)),
        (FiscalQuarter(2024, 3, start_month=6), date(2024, 2, 29)),
        (FiscalQuarter(2025, 2, start_month=9), date(2025, 2, 28)),
        (FiscalQuarter(2024, 2, start_month=9), date(2024, 2, 29)),
        # Century years are leap years only when divisible by 400.
        (FiscalQuarter(2000, 4, start_month=3), date(2000, 2, 29)),
        (FiscalQuarter(2100, 4, start_month=3), date(2100, 2, 28)),
    ],
)
def test_it_ends_february_quarters_on_the_right_day(quarter, expected_end):
    assert quarter.end == expected_end
    assert quarter_of(expected_end, quarter.start_month) == quarter


def test_it_places_a_leap_day_in_its_quarter():
    assert quarter_of(date(2024, 2, 29), 1) == FiscalQuarter(2024, 1, 1)
    assert quarter_of(date(2024, 2, 29), 3) == FiscalQuarter(2024, 4, 3)
    assert quarter_of(date(2024, 2, 29), 7) == FiscalQuarter(2024, 3, 7)


@pytest.mark.parametrize(
    ("quarter", "expected_next"),
    [
        (FiscalQuarter(2026, 1, 1), FiscalQuarter(2026, 2, 1)),
        (FiscalQuarter(2026, 4, 1), FiscalQuarter(2027, 1, 1)),
        (FiscalQuarter(2026, 4, 7), FiscalQuarter(2027, 1, 7)),
        (FiscalQuarter(2026, 3, 7), FiscalQuarter(2026, 4, 7)),
    ],
)
def test_it_steps_forward_and_back_across_fiscal_year_ends(quarter, expected_next):
    assert quarter.next() == expected_next
    assert expected_next.previous() == quarter


def test_it_steps_from_the_last_day_of_a_july_year_into_the_next():
    last_quarter = FiscalQuarter(2026, 4, 7)

    assert last_quarter.end == date(2026, 6, 30)
    assert last_quarter.next().start == date(2026, 7, 1)
    assert last_quarter.next().label == "FY2027 Q1"


@pytest.mark.parametrize("start_month", START_MONTHS)
def test_it_leaves_no_gap_between_consecutive_quarters_over_four_years(start_month):
    quarter = FiscalQuarter(2023, 1, start_month)
    for _ in range(16):
        following = quarter.next()
        assert quarter.end + ONE_DAY == following.start
        assert following.previous() == quarter
        quarter = following


def test_it_refuses_to_step_outside_the_supported_years():
    with pytest.raises(ValueError):
        FiscalQuarter(9999, 4).next()
    with pytest.raises(ValueError):
        FiscalQuarter(1900, 1).previous()


def test_it_knows_which_days_it_contains():
    quarter = FiscalQuarter(2027, 1, 7)

    assert quarter.contains(date(2026, 7, 1))
    assert quarter.contains(date(2026, 8, 15))
    assert quarter.contains(date(2026, 9, 30))
    assert not quarter.contains(date(2026, 6, 30))
    assert not quarter.contains(date(2026, 10, 1))


def test_it_labels_periods_for_pages_and_urls():
    quarter = FiscalQuarter(2026, 3)

    assert quarter.label == "FY2026 Q3"
    assert quarter.key == "FY2026-Q3"


@pytest.mark.parametrize("start_month", START_MONTHS)
def test_it_round_trips_labels_and_keys_through_parse_period(start_month):
    for quarter in fy2026_quarters(start_month):
        assert parse_period(quarter.label, start_month) == quarter
        assert parse_period(quarter.key, start_month) == quarter


@pytest.mark.parametrize(
    "text",
    ["FY2026-Q3", "FY2026 Q3", "fy2026-q3", "Fy2026 q3", "  FY2026-Q3\n", "\tFY2026 Q3 "],
)
def test_it_parses_the_label_forms_people_write(text):
    assert parse_period(text) == FiscalQuarter(2026, 3, 1)


def test_it_parses_a_label_into_the_given_calendar():
    quarter = parse_period("FY2027-Q1", start_month=7)

    assert quarter.start == date(2026, 7, 1)
    assert quarter.end == date(2026, 9, 30)


@pytest.mark.parametrize(
    ("text", "expected_message"),
    [
        (None, "Missing period: use the form FY2026-Q3."),
        ("", "Missing period: use the form FY2026-Q3."),
        ("   ", "Missing period: use the form FY2026-Q3."),
        ("2026-Q3", 'Unknown period "2026-Q3": use the form FY2026-Q3.'),
        ("FY26-Q3", 'Unknown period "FY26-Q3": use the form FY2026-Q3.'),
        ("FY2026-Q0", 'Unknown period "FY2026-Q0": use the form FY2026-Q3.'),
        ("FY2026-Q5", 'Unknown period "FY2026-Q5": use the form FY2026-Q3.'),
        ("FY2026Q3x", 'Unknown period "FY2026Q3x": use the form FY2026-Q3.'),
        ("FY2026-Q3x", 'Unknown period "FY2026-Q3x": use the form FY2026-Q3.'),
        ("FY2026Q3", 'Unknown period "FY2026Q3": use the form FY2026-Q3.'),
        ("FY2026--Q3", 'Unknown period "FY2026--Q3": use the form FY2026-Q3.'),
        ("FY2026_Q3", 'Unknown period "FY2026_Q3": use the form FY2026-Q3.'),
        ("FY20261-Q3", 'Unknown period "FY20261-Q3": use the form FY2026-Q3.'),
        # Full-width digits, which a Unicode-aware \d would read as 2026.
        (FULL_WIDTH_LABEL, f'Unknown period "{FULL_WIDTH_LABEL}": use the form FY2026-Q3.'),
        (2026, 'Unknown period "2026": use the form FY2026-Q3.'),
        ("FY1899-Q4", 'Unknown period "FY1899-Q4": fiscal years run from FY1900 to FY9999.'),
        ("FY0000-Q1", 'Unknown period "FY0000-Q1": fiscal years run from FY1900 to FY9999.'),
    ],
)
def test_it_refuses_bad_labels_with_a_clear_message(text, expected_message):
    with pytest.raises(PeriodLabelError) as raised:
        parse_period(text)

    assert str(raised.value) == expected_message


@pytest.mark.parametrize(
    ("arguments", "expected_error", "expected_message"),
    [
        (
            (2026, 0, 1),
            PeriodLabelError,
            "Quarter 0 does not exist: use a quarter from 1 to 4.",
        ),
        (
            (2026, 5, 1),
            PeriodLabelError,
            "Quarter 5 does not exist: use a quarter from 1 to 4.",
        ),
        (
            (1899, 1, 1),
            PeriodLabelError,
            "Fiscal year 1899 is out of range: use a year from 1900 to 9999.",
        ),
        (
            (10000, 1, 1),
            PeriodLabelError,
            "Fiscal year 10000 is out of range: use a year from 1900 to 9999.",
        ),
        (
            (2026, 1, 0),
            ValueError,
            "Fiscal start month 0 does not exist: use a month from 1 to 12.",
        ),
        (
            (2026, 1, 13),
            ValueError,
            "Fiscal start month 13 does not exist: use a month from 1 to 12.",
        ),
    ],
)
def test_it_refuses_quarters_that_do_not_exist(arguments, expected_error, expected_message):
    with pytest.raises(expected_error) as raised:
        FiscalQuarter(*arguments)

    assert str(raised.value) == expected_message


def test_it_refuses_a_start_month_that_does_not_exist_when_finding_a_quarter():
    with pytest.raises(ValueError, match="Fiscal start month 13 does not exist"):
        quarter_of(date(2026, 1, 1), 13)


def test_it_orders_quarters_by_year_then_quarter():
    quarters = [
        FiscalQuarter(2027, 1, 7),
        FiscalQuarter(2026, 4, 7),
        FiscalQuarter(2026, 1, 7),
        FiscalQuarter(2026, 2, 7),
    ]

    assert [quarter.key for quarter in sorted(quarters)] == [
        "FY2026-Q1",
        "FY2026-Q2",
        "FY2026-Q4",
        "FY2027-Q1",
    ]
    assert FiscalQuarter(2026, 4) < FiscalQuarter(2027, 1)
    assert FiscalQuarter(2026, 4) <= FiscalQuarter(2026, 4)
    assert FiscalQuarter(2027, 1) > FiscalQuarter(2026, 4)
    assert FiscalQuarter(2027, 1) >= FiscalQuarter(2027, 1)
    assert max(quarters) == FiscalQuarter(2027, 1, 7)


def test_it_refuses_to_order_quarters_of_different_calendars():
    with pytest.raises(ValueError, match="different fiscal start months"):
        assert FiscalQuarter(2026, 1, 1) < FiscalQuarter(2026, 1, 7)


def test_it_never_treats_quarters_of_different_calendars_as_equal():
    assert FiscalQuarter(2026, 1, 1) != FiscalQuarter(2026, 1, 7)


def test_it_lists_the_quarters_between_two_inclusive():
    first = FiscalQuarter(2026, 3, 7)
    last = FiscalQuarter(2027, 2, 7)

    assert [quarter.key for quarter in quarters_between(first, last)] == [
        "FY2026-Q3",
        "FY2026-Q4",
        "FY2027-Q1",
        "FY2027-Q2",
    ]


def test_it_lists_a_single_quarter_between_a_quarter_and_itself():
    quarter = FiscalQuarter(2026, 3)

    assert quarters_between(quarter, quarter) == [quarter]


def test_it_lists_nothing_when_the_last_quarter_comes_first():
    assert quarters_between(FiscalQuarter(2027, 1), FiscalQuarter(2026, 4)) == []


def test_it_lists_up_to_the_last_supported_quarter():
    assert quarters_between(FiscalQuarter(9999, 3), FiscalQuarter(9999, 4)) == [
        FiscalQuarter(9999, 3),
        FiscalQuarter(9999, 4),
    ]


def test_it_refuses_to_list_quarters_of_different_calendars():
    with pytest.raises(ValueError, match="different fiscal start months"):
        quarters_between(FiscalQuarter(2026, 1, 1), FiscalQuarter(2026, 4, 7))
