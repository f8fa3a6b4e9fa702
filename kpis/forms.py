"""Forms of the KPI layer, and how a typed number becomes a Decimal.

People type numbers the way their spreadsheet shows them. We accept a decimal point, a
thousands comma before a decimal point (`1,234.5`), several thousands commas (`1,234,567`) and
a lone decimal comma whose digits after it cannot be a thousands group (`1234,5`, `0,25`).
`1,234` alone is refused: it is 1234 in one country and 1.234 in another.
"""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from kpis.models import VALUE_DIGITS, VALUE_PLACES

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
    """A finite Decimal that fits an actual's field, or a ValidationError saying why not."""
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
    whole_digits = VALUE_DIGITS - VALUE_PLACES
    if abs(number) >= Decimal(10) ** whole_digits:
        raise ValidationError(TOO_LARGE.format(digits=whole_digits))


class NumberField(forms.CharField):
    """A text box that reads numbers as `parse_number` does (no browser spinner, so a
    decimal comma can be typed and explained)."""

    def to_python(self, value: object) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        return parse_number(text)


class ActualForm(forms.Form):
    value = NumberField(required=True, error_messages={"required": VALUE_MISSING})
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # The version the person saw; 0 for "there was no actual yet".
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV or Excel file")


class ExportForm(forms.Form):
    FORMATS = (("csv", "CSV"), ("xlsx", "Excel (XLSX)"))

    first = forms.CharField(label="From quarter")
    last = forms.CharField(label="To quarter")
    format = forms.ChoiceField(choices=FORMATS, initial="csv")
