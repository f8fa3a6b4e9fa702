"""Formatting of the dashboard: changes of a score with an arrow, so the direction is never
told by colour alone."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def delta(value: Decimal | None) -> str:
    """A change of score to one decimal with an arrow: "↑ +0.4", "↓ −1.2", "→ 0.0" (arrows,
    never the status shapes ● ◆ ■ ○); an en dash when there is nothing to compare with."""
    if value is None:
        return "–"
    rounded = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if rounded > 0:
        return f"↑ +{rounded}"
    if rounded < 0:
        return f"↓ −{-rounded}"
    return "→ 0.0"


@register.filter
def delta_class(value: Decimal | None) -> str:
    if value is None:
        return "delta-none"
    rounded = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return "delta-up" if rounded > 0 else "delta-down" if rounded < 0 else "delta-flat"
