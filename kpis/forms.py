"""Forms of the KPI layer. Typed numbers are read by `kpis.services.numbers.parse_number`,
the one parser of the services, so a form, a file and the API agree on what a number is."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from kpis.services.numbers import VALUE_MISSING, parse_number


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


def version_posted(text: str) -> int | None:
    """The actual's version a form carries (`version-12`, `overwrite`), or None for one that
    is not a whole number: the write then checks no version, as a form without one."""
    try:
        return forms.IntegerField(min_value=0).clean(text)
    except ValidationError:
        return None


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV or Excel file")


class ExportForm(forms.Form):
    FORMATS = (("csv", "CSV"), ("xlsx", "Excel (XLSX)"))

    first = forms.CharField(label="From period")
    last = forms.CharField(label="To period")
    format = forms.ChoiceField(choices=FORMATS, initial="csv")
