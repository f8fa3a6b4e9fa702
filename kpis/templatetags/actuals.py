"""Formatting for the actuals pages."""

from decimal import Decimal
from typing import Any

from django import template

from kpis.models import KPI
from kpis.value_text import target_text, value_text

register = template.Library()


@register.filter
def plain(value: Decimal | None) -> str:
    """A stored value as a person would type it: no trailing zeros, no exponent."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def kpi_value(value: Decimal | None, kpi: KPI) -> str:
    """`{{ row.value|kpi_value:row.kpi }}`: see kpis.value_text."""
    return value_text(kpi, value)


@register.filter
def kpi_target(target: Any, kpi: KPI) -> str:
    """`{{ row.target|kpi_target:row.kpi }}`: a band shows both edges."""
    return target_text(kpi, target)


@register.filter
def shown(value: Decimal | None, kpi: KPI) -> str:
    """`{{ value|shown:kpi }}`, as kpi_value (My updates passes "" for a missing target)."""
    return value_text(kpi, value if value != "" else None)
