"""Writes with rules for reviews, initiatives and action items, one module per idea:

- `workflow`: a review's life (plan, open with its agenda, work through, close with its
  pack, reopen);
- `findings`: the notes a meeting writes on its agenda;
- `initiatives`: initiatives and their milestones;
- `actions`: action items and their progress notes;
- `notifications`: in-app notifications, their e-mail and the e-mail choices.

Callers import the package (`from reviews import services; services.review_close(...)`);
the names below are its public surface.
"""

from reviews.services.actions import (
    ACTION_ASSIGNED_TITLE,
    ACTION_DUE_IN_PAST,
    ACTION_FINDING_ELSEWHERE,
    ACTION_NEEDS_OWNER,
    ACTION_SUBJECT_ELSEWHERE,
    NOTE_EMPTY,
    action_item_create,
    action_item_update,
    progress_note_add,
)
from reviews.services.findings import finding_add_note, finding_comment
from reviews.services.initiatives import (
    INITIATIVE_DATES_REVERSED,
    INITIATIVE_OBJECTIVE_ELSEWHERE,
    MILESTONE_ALREADY_DONE,
    MilestoneDraft,
    initiative_create,
    initiative_update,
    milestone_complete,
    milestone_create,
)
from reviews.services.notifications import (
    NOTIFICATION_NOT_YOURS,
    email_opt_outs_set,
    notification_mark_read,
    notifications_mark_all_read,
    notify,
)
from reviews.services.workflow import (
    ANNUAL_REVIEW_NOT_Q4,
    CLOSE_WITH_ITS_BUTTON,
    QUARTERLY_REVIEW_NOT_A_QUARTER,
    REOPEN_NEEDS_REASON,
    REVIEW_ALREADY_CLOSED,
    REVIEW_CLOSED_READ_ONLY,
    REVIEW_NOT_CLOSED,
    REVIEW_OF_FUTURE_QUARTER,
    check_review_not_future,
    check_review_open,
    review_close,
    review_create,
    review_open,
    review_pack,
    review_reopen,
    review_update,
)

__all__ = [
    "ACTION_ASSIGNED_TITLE",
    "ACTION_DUE_IN_PAST",
    "ACTION_FINDING_ELSEWHERE",
    "ACTION_NEEDS_OWNER",
    "ACTION_SUBJECT_ELSEWHERE",
    "ANNUAL_REVIEW_NOT_Q4",
    "CLOSE_WITH_ITS_BUTTON",
    "INITIATIVE_DATES_REVERSED",
    "INITIATIVE_OBJECTIVE_ELSEWHERE",
    "MILESTONE_ALREADY_DONE",
    "NOTE_EMPTY",
    "NOTIFICATION_NOT_YOURS",
    "QUARTERLY_REVIEW_NOT_A_QUARTER",
    "REOPEN_NEEDS_REASON",
    "REVIEW_ALREADY_CLOSED",
    "REVIEW_CLOSED_READ_ONLY",
    "REVIEW_NOT_CLOSED",
    "REVIEW_OF_FUTURE_QUARTER",
    "MilestoneDraft",
    "action_item_create",
    "action_item_update",
    "check_review_not_future",
    "check_review_open",
    "email_opt_outs_set",
    "finding_add_note",
    "finding_comment",
    "initiative_create",
    "initiative_update",
    "milestone_complete",
    "milestone_create",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify",
    "progress_note_add",
    "review_close",
    "review_create",
    "review_open",
    "review_pack",
    "review_reopen",
    "review_update",
]
