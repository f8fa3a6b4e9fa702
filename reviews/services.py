"""Writes with rules for reviews, initiatives and action items."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kpis.models import KPI
from reviews.models import ActionItem, Initiative, Milestone, Review
from scorecard.models import Period, Scorecard
from strategy.models import Objective
from strategy.services import check_owner_sees_unit

ANNUAL_REVIEW_NOT_Q4 = (
    "An annual review is held on the fiscal year's last quarter: choose a Q4, not {period}."
)
INITIATIVE_OBJECTIVE_ELSEWHERE = (
    '"{objective}" is on another scorecard: an initiative serves objectives of its own scorecard.'
)
ACTION_SUBJECT_ELSEWHERE = (
    'The {kind} "{subject}" is on another scorecard: link action items to items of their own '
    "scorecard."
)
INITIATIVE_DATES_REVERSED = "An initiative cannot end before it starts."


class MilestoneDraft(NamedTuple):
    """A milestone to create with its initiative; `done_at` stays None until it is reached."""

    title: str
    due_date: date
    done_at: date | None = None


@transaction.atomic
def review_create(
    *,
    scorecard: Scorecard,
    period: Period,
    kind: str = Review.Kind.QUARTERLY,
    status: str = Review.Status.PLANNED,
    meeting_date: date | None = None,
    facilitator=None,
    participants: Iterable = (),
    summary: str = "",
    decisions: str = "",
) -> Review:
    """Create a review. A review created as closed gets `closed_at` now; its pack stays
    empty here, because filling it from the score snapshots is the job of closing a review."""
    if kind == Review.Kind.ANNUAL and period.quarter != 4:
        raise ValidationError({"period": ANNUAL_REVIEW_NOT_Q4.format(period=period.label)})
    check_owner_sees_unit(owner=facilitator, unit=scorecard.org_unit, field="facilitator")
    review = Review(
        scorecard=scorecard,
        period=period,
        kind=kind,
        status=status,
        meeting_date=meeting_date,
        facilitator=facilitator,
        summary=summary.strip(),
        decisions=decisions.strip(),
        closed_at=timezone.now() if status == Review.Status.CLOSED else None,
    )
    review.full_clean()
    review.save()
    people = list(participants)
    if people:
        review.participants.set(people)
    return review


@transaction.atomic
def initiative_create(
    *,
    scorecard: Scorecard,
    name: str,
    objectives: Iterable[Objective] = (),
    owner=None,
    description: str = "",
    budget: Decimal | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    status: str = Initiative.Status.PLANNED,
    percent_complete: int = 0,
    milestones: Iterable[MilestoneDraft] = (),
) -> Initiative:
    served = list(objectives)
    for objective in served:
        if objective.scorecard_id != scorecard.pk:
            raise ValidationError(
                {"objectives": INITIATIVE_OBJECTIVE_ELSEWHERE.format(objective=objective)}
            )
    check_owner_sees_unit(owner=owner, unit=scorecard.org_unit)
    # The check constraint says the same, but only as a database error after the insert;
    # saying it here gives the form a message on the field.
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": INITIATIVE_DATES_REVERSED})
    initiative = Initiative(
        scorecard=scorecard,
        name=name.strip(),
        description=description,
        owner=owner,
        budget=budget,
        start_date=start_date,
        end_date=end_date,
        status=status,
        percent_complete=percent_complete,
    )
    initiative.full_clean()
    initiative.save()
    if served:
        initiative.objectives.set(served)
    for draft in milestones:
        milestone_create(
            initiative=initiative,
            title=draft.title,
            due_date=draft.due_date,
            done_at=draft.done_at,
        )
    return initiative


def milestone_create(
    *, initiative: Initiative, title: str, due_date: date, done_at: date | None = None
) -> Milestone:
    milestone = Milestone(initiative=initiative, title=title.strip(), due_date=due_date)
    milestone.done_at = done_at
    milestone.full_clean()
    milestone.save()
    return milestone


@transaction.atomic
def action_item_create(
    *,
    scorecard: Scorecard,
    title: str,
    owner,
    due_date: date,
    kpi: KPI | None = None,
    objective: Objective | None = None,
    initiative: Initiative | None = None,
    description: str = "",
    status: str = ActionItem.Status.OPEN,
    created_by=None,
) -> ActionItem:
    """Create an action item on a scorecard. The owner must be able to see the scorecard's
    unit, since they are the one who updates the item."""
    subjects = [
        ("kpi", "KPI", kpi, kpi and kpi.objective.scorecard_id),
        ("objective", "objective", objective, objective and objective.scorecard_id),
        ("initiative", "initiative", initiative, initiative and initiative.scorecard_id),
    ]
    for field, kind, subject, its_scorecard_id in subjects:
        if subject is not None and its_scorecard_id != scorecard.pk:
            raise ValidationError(
                {field: ACTION_SUBJECT_ELSEWHERE.format(kind=kind, subject=subject)}
            )
    check_owner_sees_unit(owner=owner, unit=scorecard.org_unit)
    item = ActionItem(
        scorecard=scorecard,
        title=title.strip(),
        description=description,
        owner=owner,
        due_date=due_date,
        status=status,
        kpi=kpi,
        objective=objective,
        initiative=initiative,
        created_by=created_by,
        completed_at=timezone.now() if status == ActionItem.Status.DONE else None,
    )
    item.full_clean()
    item.save()
    return item
