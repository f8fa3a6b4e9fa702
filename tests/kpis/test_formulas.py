"""The formula language of calculated KPIs (DESIGN.md section 4), by hand-worked values."""

from decimal import Decimal

import pytest

from kpis import formulas
from kpis.formulas import BLANK, CURRENT, PREV, YTD, ZERO, FormulaError, Reference, evaluate, parse

D = Decimal


def values(current=None, prev=None, ytd=None):
    """A lookup from {code: value} per way of reading; a code not given has no value."""
    tables = {CURRENT: current or {}, PREV: prev or {}, YTD: ytd or {}}

    def lookup(reference: Reference, how: str):
        key = f"{reference.unit}:{reference.code}" if reference.unit else reference.code
        return tables[how].get(key)

    return lookup


def value_of(text, missing_values=BLANK, **tables):
    return evaluate(parse(text), values(**tables), missing_values=missing_values)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", "7"),
        ("(1 + 2) * 3", "9"),
        ("10 - 4 - 3", "3"),
        ("2 − 5", "-3"),  # U+2212
        ("6 × 7", "42"),
        ("7 ÷ 2", "3.5"),
        ("-3 + +1", "-2"),
        ("-(2 + 3)", "-5"),
        (".5 + 1.", "1.5"),
        ("2 / 3", "0.666667"),  # 6 places, half-up
        ("1 / 8 / 1000", "0.000125"),
        ("1 / 16 / 100000", "0.000001"),  # 0.000000625 rounds half-up
    ],
)
def test_arithmetic(text, expected):
    assert value_of(text).value == D(expected)


def test_references_read_their_values():
    result = value_of("[1.1] / [1.2] * 100", current={"1.1": D("45"), "1.2": D("180")})
    assert result.value == D("25")
    assert result.inputs == [
        (CURRENT, Reference(None, "1.1"), D("45")),
        (CURRENT, Reference(None, "1.2"), D("180")),
    ]


def test_another_units_reference():
    result = value_of("[north:1.1] + [south:1.1]", current={"north:1.1": D(2), "south:1.1": D(3)})
    assert result.value == D(5)
    assert parse("[north:1.1] + [ 1.1 ]").references == [
        Reference("north", "1.1"),
        Reference(None, "1.1"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sum(1, 2, 3.5)", "6.5"),
        ("sum(4)", "4"),
        ("avg(1, 2, 4)", "2.333333"),
        ("avg(2, 3)", "2.5"),
        ("min(3, -1, 2)", "-1"),
        ("max(3, -1, 2)", "3"),
        ("abs(-2.5)", "2.5"),
        ("abs(2.5)", "2.5"),
        ("round(2.345, 2)", "2.35"),  # half-up, not banker's
        ("round(-2.345, 2)", "-2.35"),
        ("round(2.5, 0)", "3"),
        ("round(3.5, 0)", "4"),
        ("round(1.2344, 3)", "1.234"),
        ("if(1 < 2, 10, 20)", "10"),
        ("if(1 <= 1, 10, 20)", "10"),
        ("if(1 > 2, 10, 20)", "20"),
        ("if(2 >= 3, 10, 20)", "20"),
        ("if(2 == 2, 10, 20)", "10"),
        ("if(2 != 2, 10, 20)", "20"),
        ("if(1 < 2 and 2 < 1, 10, 20)", "20"),
        ("if(1 < 2 or 2 < 1, 10, 20)", "10"),
        ("if(not 1 < 2, 10, 20)", "20"),
        ("if(not (1 < 2 and 2 < 1), 10, 20)", "10"),
        ("SUM(1, 1)", "2"),
    ],
)
def test_functions(text, expected):
    assert value_of(text).value == D(expected)


def test_prev_and_ytd_read_other_periods():
    result = value_of(
        "[rev] - prev([rev]) + ytd([rev])",
        current={"rev": D(120)},
        prev={"rev": D(100)},
        ytd={"rev": D(400)},
    )
    assert result.value == D(420)
    assert [how for how, _, _ in result.inputs] == [CURRENT, PREV, YTD]


def test_a_missing_input_leaves_the_result_blank():
    result = value_of("[a] + [b]", current={"a": D(1)})
    assert result.value is None
    assert result.reason == "no value for [b]"


def test_a_missing_prev_says_so():
    result = value_of("[a] - prev([a])", current={"a": D(5)})
    assert result.value is None
    assert result.reason == "no value for prev([a])"


def test_a_missing_input_counts_as_zero_under_zero():
    assert value_of("[a] + [b] * 2", ZERO, current={"a": D(1)}).value == D(1)
    assert value_of("avg([a], [b])", ZERO, current={"a": D(3)}).value == D("1.5")
    assert value_of("avg([a], [b])", BLANK, current={"a": D(3)}).value is None


def test_the_untaken_branch_of_if_is_not_read():
    result = value_of("if([a] > 0, [a], [missing] / 0)", current={"a": D(4)})
    assert result.value == D(4)
    assert [reference.code for _, reference, _ in result.inputs] == ["a"]
    other = value_of("if([a] > 0, [missing], 7)", current={"a": D(-1)})
    assert other.value == D(7)


def test_a_missing_condition_leaves_the_result_blank():
    assert value_of("if([a] > 0, 1, 2)").value is None


def test_and_stops_at_the_first_false():
    assert value_of("if(1 > 2 and [missing] > 0, 1, 2)").value == D(2)


def test_division_by_zero_has_no_value_and_a_reason():
    result = value_of("[a] / [b]", current={"a": D(1), "b": D(0)})
    assert result.value is None
    assert result.reason == "division by zero at column 5"
    assert value_of("1 ÷ (2 - 2)").reason == "division by zero at column 3"


def test_division_by_zero_under_zero_policy():
    # A missing divisor counts as 0 under "zero": still a division by zero.
    result = value_of("[a] / [b]", ZERO, current={"a": D(1)})
    assert result.value is None
    assert result.reason.startswith("division by zero")


def test_a_result_too_large_to_store_has_no_value():
    big = D(10) ** 12
    result = value_of("[a] * [a] * [a]", current={"a": big})
    assert result.value is None
    assert result.reason == formulas.TOO_LARGE


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("1 +", "The formula ends too early at column 4.", 4),
        ("([1.1] + 2", "The formula ends too early at column 11.", 11),
        ("[1.1] + * 2", 'Unexpected "*" at column 9.', 9),
        ("[1.1] $ 2", 'Unexpected character "$" at column 7.', 7),
        ("1)", 'Unexpected ")" at column 2.', 2),
        ("foo(1)", 'Unknown function "foo" at column 1.', 1),
        ("2 * bar(1)", 'Unknown function "bar" at column 5.', 5),
        ("[a] > 1", "A comparison or and/or/not can only be the condition of if() at column 5.", 5),
        ("1 + ([a] > 1)", "A comparison or and/or/not can only be the condition of if()", 10),
        ("if([a], 1, 2)", "The first argument of if() must be a comparison", 4),
        ("if(1 < 2, 1)", "if() takes three arguments (condition, then, else) at column 1.", 1),
        ("abs(1, 2)", "abs() takes one number at column 1.", 1),
        ("round(1.5)", "round() takes two arguments (x, n) at column 1.", 1),
        ("round(1.5, 0.5)", "round(x, n) needs n as a whole number from 0 to 6", 12),
        ("round(1.5, 7)", "round(x, n) needs n as a whole number from 0 to 6", 12),
        ("max()", "max() takes at least one argument at column 1.", 1),
        ("1 + prev(2)", "prev() takes one KPI reference like [1.2] at column 5.", 5),
        ("ytd([a] + 1)", "ytd() takes one KPI reference like [1.2] at column 1.", 1),
        ("[] + 1", "A reference needs a KPI code, like [1.2], at column 1.", 1),
        ("1 + [north:]", "A reference needs a KPI code, like [1.2], at column 5.", 5),
        ("   ", "Enter a formula.", 1),
    ],
)
def test_errors_name_their_column(text, message, column):
    with pytest.raises(FormulaError) as caught:
        parse(text)
    assert str(caught.value).startswith(message)
    assert caught.value.column == column


def test_a_name_that_starts_like_a_keyword_is_a_name():
    with pytest.raises(FormulaError, match='Unknown function "android"'):
        parse("android(1)")
    with pytest.raises(FormulaError, match='Unknown function "orbit"'):
        parse("1 + orbit(1)")


def test_formulas_are_never_python():
    for text in ("__import__('os')", "[a].__class__", "1 if 1 else 2", "lambda: 1", "1 ** 2"):
        with pytest.raises(FormulaError):
            parse(text)


def test_reads_over_lists_prev_and_ytd_references():
    formula = parse("[a] + prev([b]) + ytd([c]) + prev([b])")
    assert formula.reads_over(PREV) == [Reference(None, "b")]
    assert formula.reads_over(YTD) == [Reference(None, "c")]
    assert formula.references == [Reference(None, "a"), Reference(None, "b"), Reference(None, "c")]
