"""A KPI's values and targets in words for pages: a level's name for an ordinal KPI, "Done"
for a milestone, "98.0–100.0" for a band, and otherwise the number at the KPI's decimals
(`scorecard.text.measure_text`)."""

from decimal import Decimal
from typing import Any

from kpis import scoring
from kpis.models import KPI
from scorecard.text import NO_NUMBER, measure_text

MILESTONE_WORDS = {0: "not done", 1: "done"}


def value_text(kpi: KPI, value: Decimal | None) -> str:
    if value is None:
        return NO_NUMBER
    if kpi.is_ordinal:
        return scoring.level_name(kpi.levels or (), value) or measure_text(value, kpi.decimals)
    if kpi.target_type == scoring.MILESTONE and value in (0, 1):
        return MILESTONE_WORDS[int(value)]
    return measure_text(value, kpi.decimals)


def target_text(kpi: KPI, target: Any) -> str:
    """A target row (or anything with `value` and `value_high`), a band as its two edges."""
    if target is None or target.value is None:
        return NO_NUMBER
    high = getattr(target, "value_high", None)
    if kpi.target_type == scoring.BAND and high is not None:
        return f"{measure_text(target.value, kpi.decimals)}–{measure_text(high, kpi.decimals)}"
    return value_text(kpi, target.value)
