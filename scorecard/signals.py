"""What the lower layers tell the layers above them, which they never import."""

from django.dispatch import Signal

# Sent by services when something that scores depend on changed shape (weights, membership
# of objectives or KPIs, the cascade), in every period. Argument: unit_ids, the units whose
# scorecards changed; the scores of everything above them may change too.
structure_changed = Signal()

# Sent when a quarter's row is first created; every scorecard then needs its snapshots for it.
# Argument: period_id.
period_opened = Signal()

# Sent by the service before a unit moves under another parent, while the move can still be
# refused: a layer whose data follows the tree raises ValidationError (on "parent") to refuse
# it. Argument: unit, the unit about to move with its subtree.
unit_moving = Signal()
