"""Writes with rules for reviews, initiatives and action items."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kpis import services as kpi_services
from kpis.models import KPI, ScoreSnapshot
from reviews.models import (
    ActionItem,
    Finding,
    Initiative,
    Milestone,
    Notification,
    ProgressNote,
    Review,
)
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
REVIEW_OF_FUTURE_QUARTER = "{period} has not started yet: a review looks back at a quarter."
REVIEW_ALREADY_CLOSED = "This review is closed already."
REVIEW_NOT_CLOSED = "Only a closed review can be reopened."
REVIEW_CLOSED_READ_ONLY = "This review is closed: reopen it (with a reason) to change it."
REOPEN_NEEDS_REASON = "Say why the review is reopened: the reason is kept with the review."
ACTION_DUE_IN_PAST = "The due date {due} is in the past: choose today or a later day."
ACTION_NEEDS_OWNER = "Give the action an owner: someone has to do it."
ACTION_FINDING_ELSEWHERE = "That finding belongs to another scorecard's review."
NOTE_EMPTY = "Write the progress note first."
NOTIFICATION_NOT_YOURS = "This notification is someone else's."


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
    check_review_not_future(period=period)
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
    if not backdated and due_date < timezone.localdate():
        raise ValidationError({"due_date": ACTION_DUE_IN_PAST.format(due=due_date.isoformat())})
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
        completed_at=timezone.now() if status == ActionItem.Status.DONE else None,
    )
    item.full_clean()
    item.save()
    if notify_owner and created_by is not None and created_by.pk != owner.pk:
        _tell_new_owner(item, by=created_by)
    return item


ACTION_ASSIGNED_TITLE = "Action assigned to you: {title}"


def _tell_new_owner(item: ActionItem, *, by) -> None:
    from django.urls import reverse

    from reviews.mail import site_url

    url = reverse("reviews:action", args=[item.pk])
    subject = f" for {item.kpi.name}" if item.kpi else ""
    notify(
        recipient=item.owner,
        kind=Notification.Kind.ACTION_ASSIGNED,
        title=ACTION_ASSIGNED_TITLE.format(title=item.title),
        body=(
            f"{by.get_full_name() or by} gave you an action{subject} on "
            f"{item.scorecard.title}, due {item.due_date.isoformat()}.\n\n{site_url(url)}"
        ),
        url=url,
    )


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
    if due_date is not None and due_date != item.due_date and due_date < timezone.localdate():
        raise ValidationError({"due_date": ACTION_DUE_IN_PAST.format(due=due_date.isoformat())})
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
        item.completed_at = timezone.now() if status == ActionItem.Status.DONE else None
    item.is_draft = False
    item.full_clean()
    item.save()
    if new_owner and by is not None and by.pk != item.owner_id:
        _tell_new_owner(item, by=by)
    return item


@transaction.atomic
def progress_note_add(*, item: ActionItem, author, text: str) -> ProgressNote:
    if not text.strip():
        raise ValidationError({"text": NOTE_EMPTY})
    note = ProgressNote(action_item=item, author=author, text=text.strip())
    note.full_clean()
    note.save()
    return note


# Reviews: plan, open (the agenda), work through, close (the pack), reopen.


def check_review_not_future(*, period: Period) -> None:
    if period.start > timezone.localdate():
        raise ValidationError({"period": REVIEW_OF_FUTURE_QUARTER.format(period=period.label)})


def _check_open(review: Review) -> None:
    if review.status == Review.Status.CLOSED:
        raise ValidationError({"status": REVIEW_CLOSED_READ_ONLY})


@transaction.atomic
def review_update(
    *,
    review: Review,
    meeting_date: date | None = None,
    summary: str | None = None,
    decisions: str | None = None,
    participants: Iterable | None = None,
    status: str | None = None,
) -> Review:
    """The fields the meeting fills in as it goes (the page saves them as you type)."""
    _check_open(review)
    if status == Review.Status.CLOSED:
        raise ValidationError(
            {"status": "Close a review with its own button, which keeps its pack."}
        )
    if meeting_date is not None:
        review.meeting_date = meeting_date
    if summary is not None:
        review.summary = summary.strip()
    if decisions is not None:
        review.decisions = decisions.strip()
    if status is not None:
        review.status = status
    review.full_clean()
    review.save()
    if participants is not None:
        people = list(participants)
        for person in people:
            check_owner_sees_unit(owner=person, unit=review.org_unit, field="participants")
        review.participants.set(people)
    return review


@transaction.atomic
def review_open(*, review: Review, today: date | None = None) -> Review:
    """Start the meeting: the review goes "in review" and, the first time, its agenda is
    written as findings from the snapshots (see reviews.agenda)."""
    from reviews import agenda

    _check_open(review)
    review.status = Review.Status.IN_REVIEW
    review.full_clean()
    review.save()
    if not review.findings.exclude(kind=Finding.Kind.NOTE).exists():
        agenda.write_findings(review=review, today=today or timezone.localdate())
    return review


@transaction.atomic
def finding_comment(*, finding: Finding, comment: str) -> Finding:
    _check_open(finding.review)
    finding.comment = comment.strip()
    finding.full_clean()
    finding.save(update_fields=["comment"])
    return finding


@transaction.atomic
def finding_add_note(*, review: Review, comment: str) -> Finding:
    _check_open(review)
    finding = Finding(review=review, kind=Finding.Kind.NOTE, comment=comment.strip())
    finding.full_clean()
    finding.save()
    return finding


def review_pack(*, scorecard: Scorecard, period: Period) -> dict:
    """The scorecard's snapshots of the quarter as plain data, with the names they had."""
    kpis = {
        pk: (name, decimals)
        for pk, name, decimals in KPI.objects.filter(objective__scorecard=scorecard).values_list(
            "pk", "name", "decimals"
        )
    }
    names = {
        "kpi": {pk: name for pk, (name, _) in kpis.items()},
        "objective": dict(Objective.objects.filter(scorecard=scorecard).values_list("pk", "title")),
    }
    snapshots = ScoreSnapshot.objects.filter(scorecard=scorecard, period=period).order_by(
        "subject_type", "subject_id"
    )
    return {
        "period": period.key,
        "taken_at": timezone.now().isoformat(),
        "snapshots": [
            {
                "subject_type": row.subject_type,
                "subject_id": row.subject_id,
                "name": names.get(row.subject_type, {}).get(row.subject_id, ""),
                "decimals": kpis.get(row.subject_id, ("", 1))[1]
                if row.subject_type == "kpi"
                else 1,
                "value": None if row.value is None else str(row.value),
                "score": None if row.score is None else str(row.score),
                "status": row.status,
                "reported": row.reported,
                "total": row.total,
            }
            for row in snapshots
        ],
    }


@transaction.atomic
def review_close(*, review: Review, by) -> Review:
    """Close the review: freeze the quarter's snapshots into its pack and make the
    scorecard's actuals of that quarter read-only."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status == Review.Status.CLOSED:
        raise ValidationError({"status": REVIEW_ALREADY_CLOSED})
    review.pack = review_pack(scorecard=review.scorecard, period=review.period)
    review.status = Review.Status.CLOSED
    review.closed_at = timezone.now()
    review.full_clean()
    review.save()
    kpi_services.quarter_lock(
        scorecard=review.scorecard, period=review.period, by=by, reason=f"{review} closed"
    )
    return review


@transaction.atomic
def review_reopen(*, review: Review, by, reason: str) -> Review:
    """Reopen a closed review; the reason is kept (with who and when) and the quarter's
    actuals can be edited again. The pack stays until the review closes again."""
    if not reason.strip():
        raise ValidationError({"reason": REOPEN_NEEDS_REASON})
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != Review.Status.CLOSED:
        raise ValidationError({"status": REVIEW_NOT_CLOSED})
    stamp = f"{timezone.localdate().isoformat()} {by}: {reason.strip()}"
    review.reopen_reason = f"{review.reopen_reason}\n{stamp}".strip()
    review.status = Review.Status.IN_REVIEW
    review.closed_at = None
    review.full_clean()
    review.save()
    kpi_services.quarter_unlock(scorecard=review.scorecard, period=review.period)
    return review


# Notifications.


def notify(*, recipient, kind: str, title: str, body: str = "", url: str = "") -> Notification:
    """An in-app notification, and its e-mail after commit unless the person opted out of
    that kind. The mail task retries a failing mail server."""
    from reviews import tasks

    notification = Notification(recipient=recipient, kind=kind, title=title, body=body, url=url)
    notification.full_clean()
    notification.save()
    if recipient.email and not recipient.email_opt_outs.filter(kind=kind).exists():
        transaction.on_commit(lambda: tasks.email_notification.delay(notification.pk))
    return notification


@transaction.atomic
def notification_mark_read(*, notification: Notification, user) -> Notification:
    if notification.recipient_id != user.pk:
        raise ValidationError({"notification": NOTIFICATION_NOT_YOURS})
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def email_opt_outs_set(*, user, kinds: Iterable[str]) -> None:
    """The kinds of notification the person wants no e-mail for (in-app stays)."""
    from reviews.models import EmailOptOut

    wanted = set(kinds)
    valid = set(Notification.Kind.values)
    unknown = wanted - valid
    if unknown:
        raise ValidationError({"kinds": f"Unknown kind: {', '.join(sorted(unknown))}."})
    EmailOptOut.objects.filter(user=user).exclude(kind__in=wanted).delete()
    for kind in wanted:
        EmailOptOut.objects.get_or_create(user=user, kind=kind)


@transaction.atomic
def initiative_update(
    *, initiative: Initiative, objectives: Iterable[Objective] | None = None, **fields
) -> Initiative:
    """Change an initiative's fields (name, owner, budget, dates, status, % complete)."""
    if "owner" in fields:
        check_owner_sees_unit(owner=fields["owner"], unit=initiative.scorecard.org_unit)
    for name, value in fields.items():
        setattr(initiative, name, value.strip() if name == "name" else value)
    if (
        initiative.start_date
        and initiative.end_date
        and initiative.end_date < initiative.start_date
    ):
        raise ValidationError({"end_date": INITIATIVE_DATES_REVERSED})
    initiative.full_clean()
    initiative.save()
    if objectives is not None:
        served = list(objectives)
        for objective in served:
            if objective.scorecard_id != initiative.scorecard_id:
                raise ValidationError(
                    {"objectives": INITIATIVE_OBJECTIVE_ELSEWHERE.format(objective=objective)}
                )
        initiative.objectives.set(served)
    return initiative


MILESTONE_ALREADY_DONE = "This milestone is done already."


@transaction.atomic
def milestone_complete(*, milestone: Milestone, on: date | None = None) -> Milestone:
    if milestone.done_at is not None:
        raise ValidationError({"done_at": MILESTONE_ALREADY_DONE})
    milestone.done_at = on or timezone.localdate()
    milestone.full_clean()
    milestone.save(update_fields=["done_at"])
    return milestone
