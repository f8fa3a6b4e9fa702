"""Formatting for the actuals pages."""

from decimal import Decimal

from django import template

from kpis.updates import shown_value

register = template.Library()


@register.filter
def plain(value: Decimal | None) -> str:
    """A stored value as a person would type it: no trailing zeros, no exponent."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def shown(value: Decimal | None, kpi) -> str:
    """A KPI's value as its pages show it: an ordinal KPI's level name, a milestone's "done"
    or "not done", else the number with the KPI's decimals."""
    return shown_value(kpi, value)
