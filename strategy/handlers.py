"""The strategy layer's answers to signals from the layer below."""

from django.core.exceptions import ValidationError

from strategy.selectors import subtree_has_objectives

MOVE_WITH_OBJECTIVES = (
    "This unit or a unit below it already has objectives, whose cascade and roll-ups follow "
    "the tree: move units before building their scorecards."
)


def refuse_moving_units_with_objectives(sender, *, unit, **kwargs) -> None:
    """A unit whose subtree has objectives stays where it is: their `supports` and their KPIs'
    roll-ups point at the units above, which a move would change under them."""
    if subtree_has_objectives(unit):
        raise ValidationError({"parent": MOVE_WITH_OBJECTIVES})
