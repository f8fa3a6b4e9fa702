"""Action items: who does what by when, on which KPI, objective, initiative or finding, and
the progress notes written on them."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kpis.models import KPI
from reviews.models import ActionItem, Finding, Initiative, Notification, ProgressNote
from reviews.services.notifications import notify
from scorecard.models import Scorecard
from scorecard.text import day_text, person_name
from strategy.models import Objective
from strategy.services import check_owner_sees_unit

ACTION_SUBJECT_ELSEWHERE = (
    'The {kind} "{subject}" is on another scorecard: link action items to items of their own '
    "scorecard."
)
ACTION_DUE_IN_PAST = "The due date {due} is in the past: choose today or a later day."
ACTION_NEEDS_OWNER = "Give the action an owner: someone has to do it."
ACTION_FINDING_ELSEWHERE = "That finding belongs to another scorecard's review."
ACTION_ASSIGNED_TITLE = "Action assigned to you: {title}"
NOTE_EMPTY = "Write the progress note first."


def _check_due_not_past(due_date: date) -> None:
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": ACTION_DUE_IN_PAST.format(due=day_text(due_date))})


def _completed_at(status: str) -> datetime | None:
    """An item is stamped when it is done; any other status clears the stamp."""
    return timezone.now() if status == ActionItem.Status.DONE else None


def _check_subjects_on_scorecard(
    scorecard: Scorecard,
    *,
    kpi: KPI | None,
    objective: Objective | None,
    initiative: Initiative | None,
    finding: Finding | None,
) -> None:
    if finding is not None and finding.review.scorecard_id != scorecard.pk:
        raise ValidationError({"finding": ACTION_FINDING_ELSEWHERE})
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
    finding: Finding | None = None,
    description: str = "",
    status: str = ActionItem.Status.OPEN,
    is_draft: bool = False,
    created_by=None,
    backdated: bool = False,
    notify_owner: bool = True,
) -> ActionItem:
    """Create an action item on a scorecard. The owner must be able to see the scorecard's
    unit, since they are the one who updates the item. A due date in the past is refused,
    except for `backdated` history (the demo seed writes actions that are overdue today)."""
    if owner is None:
        raise ValidationError({"owner": ACTION_NEEDS_OWNER})
    if not backdated:
        _check_due_not_past(due_date)
    _check_subjects_on_scorecard(
        scorecard, kpi=kpi, objective=objective, initiative=initiative, finding=finding
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
        finding=finding,
        is_draft=is_draft,
        created_by=created_by,
        completed_at=_completed_at(status),
    )
    item.full_clean()
    item.save()
    if notify_owner:
        _tell_owner_given_by_another(item, by=created_by)
    return item


@transaction.atomic
def action_item_update(
    *,
    item: ActionItem,
    by,
    title: str | None = None,
    description: str | None = None,
    owner=None,
    due_date: date | None = None,
    status: str | None = None,
) -> ActionItem:
    """Change an action item. Whoever edits a draft makes it a real action; a due date may
    stay where it was even when that is past, but a new one must not be."""
    if due_date is not None and due_date != item.due_date:
        _check_due_not_past(due_date)
    new_owner = owner is not None and owner.pk != item.owner_id
    if new_owner:
        check_owner_sees_unit(owner=owner, unit=item.scorecard.org_unit)
        item.owner = owner
    if title is not None:
        item.title = title.strip()
    if description is not None:
        item.description = description
    if due_date is not None:
        item.due_date = due_date
    if status is not None and status != item.status:
        item.status = status
        item.completed_at = _completed_at(status)
    item.is_draft = False
    item.full_clean()
    item.save()
    if new_owner:
        _tell_owner_given_by_another(item, by=by)
    return item


def _tell_owner_given_by_another(item: ActionItem, *, by) -> None:
    """The owner hears of an action someone else gave them, not of one they took on."""
    if by is None or by.pk == item.owner_id:
        return
    url = reverse("reviews:action", args=[item.pk])
    subject = f" for {item.kpi.name}" if item.kpi else ""
    notify(
        recipient=item.owner,
        kind=Notification.Kind.ACTION_ASSIGNED,
        title=ACTION_ASSIGNED_TITLE.format(title=item.title),
        body=(
            f"{person_name(by)} gave you an action{subject} on "
            f"{item.scorecard.title}, due {day_text(item.due_date)}.\n\n{url}"
        ),
        url=url,
    )


@transaction.atomic
def progress_note_add(*, item: ActionItem, author, text: str) -> ProgressNote:
    if not text.strip():
        raise ValidationError({"text": NOTE_EMPTY})
    note = ProgressNote(action_item=item, author=author, text=text.strip())
    note.full_clean()
    note.save()
    return note
