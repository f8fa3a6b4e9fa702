"""What an edit of a KPI may not break, and which chains it recomputes.

- How a KPI is scored does not change while stored targets depend on it. Its direction says
  on which side of a target its red flag lies: flipped, explicit red flags would sit on the
  good side and every such quarter would score as having no target. (Targets without a red
  flag follow: their default red flag moves with the direction.) Its target type does not
  change while it has any actual or target (DESIGN.md section 4), except at_least/at_most
  and more_than/less_than following the direction, which the direction's rule governs. An
  ordinal KPI's levels may be renamed, but a level that holds data keeps its place.
- A roll-up KPI stays in a unit above the KPIs that roll up to it; KPI.clean checks each of
  them the other way round. The recompute after a child's actual walks up the tree from the
  child's unit, and finds the parent only there.
- A move recomputes the old and the new chains of the KPI and of every KPI that rolls up to
  it, in every period.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from kpis import scoring
from kpis.models import KPI, Actual, Target

DIRECTION_WITH_RED_FLAGS = (
    "{periods} {have} a red flag set {side} the target, which a KPI where {meaning} cannot "
    "score with. Clear those red flags in the targets grid first (the default red flag "
    "follows the direction), then change the direction."
)
ROLLUP_CHILDREN_LEFT_BEHIND = (
    "{names} {roll} up to this KPI and would no longer be in a unit below it: a roll-up KPI "
    "stays above the KPIs that roll up to it. Point them at another roll-up KPI first."
)
TARGET_TYPE_WITH_DATA = (
    "This KPI has actuals or targets, which were entered for another target type: its "
    "target type cannot change. Create a new KPI for the new kind of target."
)
FREQUENCY_WITH_DATA = (
    "This KPI has actuals or targets entered {frequency}: its frequency cannot change. "
    "Create a new KPI for the new frequency."
)
LEVEL_WITH_DATA_MOVED = (
    "{level} holds actuals or targets: it keeps its place in the list (rename it if you "
    "like, but do not remove or move it)."
)
NAMED_AT_MOST = 4
# Target types that differ only by the direction (the direction's rule covers them).
SAME_BUT_FOR_DIRECTION = [
    {scoring.AT_LEAST, scoring.AT_MOST},
    {scoring.MORE_THAN, scoring.LESS_THAN},
]


def check_scoring_unchanged(*, kpi: KPI, fields: dict[str, Any]) -> None:
    """Refuse, on its field, a change to how the KPI is scored that its stored data forbids.
    Compared with the stored row: a form may have changed the instance already."""
    stored = KPI.objects.filter(pk=kpi.pk).values(*SCORING_FIELDS).first()
    if stored is None:
        return
    for name, refusal in SCORING_FIELDS.items():
        if name in fields and fields[name] != stored[name]:
            message = refusal(kpi, stored[name], fields[name])
            if message:
                raise ValidationError({name: message})


def _direction_refusal(kpi: KPI, old: str, new: str) -> str:
    flagged = list(
        Target.objects.filter(kpi=kpi, red_flag__isnull=False)
        .select_related("period")
        .order_by("period__start")
    )
    if not flagged:
        return ""
    return DIRECTION_WITH_RED_FLAGS.format(
        periods=_listed([target.period.label for target in flagged]),
        have="has" if len(flagged) == 1 else "have",
        side="below" if old == KPI.Direction.UP else "above",
        meaning="lower is better" if new == KPI.Direction.DOWN else "higher is better",
    )


def _has_data(kpi: KPI) -> bool:
    return Target.objects.filter(kpi=kpi).exists() or Actual.objects.filter(kpi=kpi).exists()


def _target_type_refusal(kpi: KPI, old: str, new: str) -> str:
    if {old, new} in SAME_BUT_FOR_DIRECTION or not _has_data(kpi):
        return ""
    return TARGET_TYPE_WITH_DATA


def _frequency_refusal(kpi: KPI, old: str, new: str) -> str:
    if not _has_data(kpi):
        return ""
    return FREQUENCY_WITH_DATA.format(frequency=KPI.Frequency(old).label.lower())


def _levels_refusal(kpi: KPI, old: list | None, new: Any) -> str:
    """A level that holds data stays at its position; a new name there is a rename."""
    old = list(old or [])
    new = list(new) if isinstance(new, list | tuple) else []
    used = {
        int(value)
        for model, column in ((Actual, "value"), (Target, "value"), (Target, "red_flag"))
        for value in model.objects.filter(kpi=kpi, **{f"{column}__isnull": False})
        .values_list(column, flat=True)
        .distinct()
        if value == value.to_integral_value()
    }
    for position in sorted(used):
        if position >= len(old):
            continue
        name = old[position]
        moved = position >= len(new) or (name in new and new.index(name) != position)
        if moved:
            return LEVEL_WITH_DATA_MOVED.format(level=f"“{name}”")
    return ""


# The fields that say how a KPI is scored, each with what refuses its change (a message, or
# "" when the change is fine).
SCORING_FIELDS: dict[str, Callable[[KPI, Any, Any], str]] = {
    "direction": _direction_refusal,
    "target_type": _target_type_refusal,
    "levels": _levels_refusal,
    "frequency": _frequency_refusal,
}


def check_children_stay_below(*, kpi: KPI) -> None:
    """Refuse, on `objective`, a move that leaves KPIs rolling up to this one outside the
    subtree below its new unit."""
    if kpi.pk is None:
        return
    own_path = kpi.objective.scorecard.org_unit.path
    children = KPI.objects.filter(rolls_up_to_id=kpi.pk).select_related(
        "objective__scorecard__org_unit"
    )
    stranded = [
        child.name
        for child in children.order_by("name")
        if child.org_unit.path == own_path or not child.org_unit.path.startswith(own_path)
    ]
    if stranded:
        raise ValidationError(
            {
                "objective": ROLLUP_CHILDREN_LEFT_BEHIND.format(
                    names=_listed([f"“{name}”" for name in stranded]),
                    roll="rolls" if len(stranded) == 1 else "roll",
                )
            }
        )


def stored_unit_id(kpi: KPI) -> int | None:
    return (
        KPI.objects.filter(pk=kpi.pk)
        .values_list("objective__scorecard__org_unit_id", flat=True)
        .first()
    )


def units_holding(kpi: KPI) -> set[int]:
    """The units whose chains hold the KPI's stored numbers: its own, and those of the KPIs
    that roll up to it (their chains pass through every roll-up parent above them)."""
    children_units = KPI.objects.filter(rolls_up_to_id=kpi.pk).values_list(
        "objective__scorecard__org_unit_id", flat=True
    )
    return {unit for unit in [stored_unit_id(kpi), *children_units] if unit is not None}


def _listed(names: list[str]) -> str:
    shown = names[:NAMED_AT_MOST]
    if len(names) > NAMED_AT_MOST:
        return f"{', '.join(shown)} and {len(names) - NAMED_AT_MOST} more"
    if len(shown) == 1:
        return shown[0]
    return f"{', '.join(shown[:-1])} and {shown[-1]}"
