"""Numbers as the services take them: what a person typed, or what an API or a file sent.

People type numbers the way their spreadsheet shows them. We accept a decimal point, a
thousands comma before a decimal point (`1,234.5`), several thousands commas (`1,234,567`) and
a lone decimal comma whose digits after it cannot be a thousands group (`1234,5`, `0,25`).
`1,234` alone is refused: it is 1234 in one country and 1.234 in another.
"""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError

from kpis import scoring
from kpis.models import KPI, VALUE_DIGITS, VALUE_PLACES, validate_within_bound

VALUE_MISSING = "Enter a value."
NOT_A_NUMBER = "Enter a number, like 1234.5."
AMBIGUOUS_COMMA = (
    '"{text}" is ambiguous: write 1234 or 1.234 (a point for decimals, no thousands comma).'
)
MIXED_SEPARATORS = '"{text}" mixes separators: write it like 1234.5 or 1,234.5.'
TOO_MANY_PLACES = "Use at most {places} decimal places."
TOO_LARGE = "This number is too large: at most {digits} digits before the decimal point."

PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)
THOUSANDS_WITH_POINT = re.compile(r"[+-]?\d{1,3}(,\d{3})+\.\d+", re.ASCII)
THOUSANDS_ONLY = re.compile(r"[+-]?\d{1,3}(,\d{3}){2,}", re.ASCII)
ONE_THOUSANDS_GROUP = re.compile(r"[+-]?\d{1,3},\d{3}", re.ASCII)
DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+", re.ASCII)


def parse_number(text: object) -> Decimal:
    """A finite Decimal within the bound that fits an actual's field, or a ValidationError
    saying why not."""
    if isinstance(text, Decimal | int) and not isinstance(text, bool):
        number = Decimal(text)
    elif isinstance(text, float):
        number = Decimal(str(text))
    else:
        number = Decimal(_normalised(str(text if text is not None else "")))
    if not number.is_finite():
        raise ValidationError(NOT_A_NUMBER)
    _check_fits(number)
    return number


def _normalised(raw: str) -> str:
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        raise ValidationError(VALUE_MISSING)
    if PLAIN.fullmatch(text):
        return text
    if THOUSANDS_WITH_POINT.fullmatch(text) or THOUSANDS_ONLY.fullmatch(text):
        return text.replace(",", "")
    if ONE_THOUSANDS_GROUP.fullmatch(text):
        raise ValidationError(AMBIGUOUS_COMMA.format(text=raw.strip()))
    if DECIMAL_COMMA.fullmatch(text):
        return text.replace(",", ".")
    if "," in text and "." in text:
        raise ValidationError(MIXED_SEPARATORS.format(text=raw.strip()))
    raise ValidationError(NOT_A_NUMBER)


def _check_fits(number: Decimal) -> None:
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > VALUE_PLACES and number != number.quantize(Decimal(1).scaleb(-VALUE_PLACES)):
        raise ValidationError(TOO_MANY_PLACES.format(places=VALUE_PLACES))
    validate_within_bound(number)
    whole_digits = VALUE_DIGITS - VALUE_PLACES
    if abs(number) >= Decimal(10) ** whole_digits:
        raise ValidationError(TOO_LARGE.format(digits=whole_digits))


def as_decimal(value, *, field: str = "value") -> Decimal:
    """`parse_number` for the services: its refusal is a ValidationError on `field`. Python's
    Decimal would also take "１２３", "٣" and "1_000"; every path refuses them alike here."""
    try:
        return parse_number(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def kpi_value(kpi: KPI, value, *, field: str = "value") -> Decimal:
    """A value of this KPI as stored: for an ordinal KPI a level name becomes its position
    (0 = worst; a number is taken as a position, checked by the model), else `as_decimal`."""
    if kpi.is_ordinal and isinstance(value, str):
        try:
            return scoring.level_position(kpi.levels or (), value.strip())
        except scoring.ActualError as error:
            raise ValidationError({field: [str(error)]}) from None
    return as_decimal(value, field=field)


def optional_kpi_value(kpi: KPI, value, *, field: str) -> Decimal | None:
    """`kpi_value` for a value that may be left out (a red flag, a band's high edge)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return kpi_value(kpi, value, field=field)
