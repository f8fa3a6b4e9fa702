"""Initiatives, the scorecard's fourth column, and their milestones."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reviews.models import Initiative, Milestone
from scorecard.models import Scorecard
from strategy.models import Objective
from strategy.services import check_owner_sees_unit

INITIATIVE_OBJECTIVE_ELSEWHERE = (
    '"{objective}" is on another scorecard: an initiative serves objectives of its own scorecard.'
)
INITIATIVE_DATES_REVERSED = "An initiative cannot end before it starts."
MILESTONE_ALREADY_DONE = "This milestone is done already."


class MilestoneDraft(NamedTuple):
    """A milestone to create with its initiative; `done_at` stays None until it is reached."""

    title: str
    due_date: date
    done_at: date | None = None


def _served_on_own_scorecard(objectives: Iterable[Objective], scorecard_id: int) -> list:
    """The objectives an initiative is to serve, all of its own scorecard."""
    served = list(objectives)
    for objective in served:
        if objective.scorecard_id != scorecard_id:
            raise ValidationError(
                {"objectives": INITIATIVE_OBJECTIVE_ELSEWHERE.format(objective=objective)}
            )
    return served


def _check_dates_in_order(start_date: date | None, end_date: date | None) -> None:
    # The check constraint says the same, but only as a database error after the write;
    # saying it here gives the form a message on the field.
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": INITIATIVE_DATES_REVERSED})


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
    served = _served_on_own_scorecard(objectives, scorecard.pk)
    check_owner_sees_unit(owner=owner, unit=scorecard.org_unit)
    _check_dates_in_order(start_date, end_date)
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


@transaction.atomic
def initiative_update(
    *, initiative: Initiative, objectives: Iterable[Objective] | None = None, **fields
) -> Initiative:
    """Change an initiative's fields (name, owner, budget, dates, status, % complete)."""
    if "owner" in fields:
        check_owner_sees_unit(owner=fields["owner"], unit=initiative.scorecard.org_unit)
    for name, value in fields.items():
        setattr(initiative, name, value.strip() if name == "name" else value)
    _check_dates_in_order(initiative.start_date, initiative.end_date)
    initiative.full_clean()
    initiative.save()
    if objectives is not None:
        initiative.objectives.set(_served_on_own_scorecard(objectives, initiative.scorecard_id))
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
def milestone_complete(*, milestone: Milestone, on: date | None = None) -> Milestone:
    if milestone.done_at is not None:
        raise ValidationError({"done_at": MILESTONE_ALREADY_DONE})
    milestone.done_at = on or timezone.localdate()
    milestone.full_clean()
    milestone.save(update_fields=["done_at"])
    return milestone
