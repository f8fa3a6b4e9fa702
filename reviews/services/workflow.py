"""A review's life: plan it, open it (its agenda), work through it, close it (its pack),
reopen it."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from kpis import recompute
from kpis import services as kpi_services
from kpis.models import KPI, LOCK_REASON_LENGTH, ScoreSnapshot
from reviews.models import Finding, Review
from scorecard import fiscal
from scorecard.models import OrgUnit, Period, Scorecard
from scorecard.selectors import fiscal_start_month, period_at
from scorecard.services import period_open
from scorecard.text import coded, day_text, person_name
from strategy.models import Objective
from strategy.services import check_owner_sees_unit

MEETING_FIELDS = frozenset({"meeting_date", "summary", "decisions", "participants"})
ANNUAL_REVIEW_NOT_Q4 = (
    "An annual review is held on the fiscal year's last quarter: choose a Q4, not {period}."
)
QUARTERLY_REVIEW_NOT_A_QUARTER = (
    "A quarterly review is held on a quarter: choose a quarter such as FY2026-Q3, not {period}."
)
REVIEW_OF_FUTURE_QUARTER = "{period} has not started yet: a review looks back at a quarter."
REVIEW_ALREADY_CLOSED = "This review is closed already."
REVIEW_NOT_CLOSED = "Only a closed review can be reopened."
REVIEW_CLOSED_READ_ONLY = "This review is closed: reopen it (with a reason) to change it."
REOPEN_NEEDS_REASON = "Say why the review is reopened: the reason is kept with the review."
CLOSE_WITH_ITS_BUTTON = "Close a review with its own button, which keeps its pack."


def check_review_not_future(*, period: Period) -> None:
    if period.start > timezone.localdate():
        raise ValidationError({"period": REVIEW_OF_FUTURE_QUARTER.format(period=period.label)})


def check_review_open(review: Review) -> None:
    """A closed review is read-only until it is reopened, findings included."""
    if review.status == Review.Status.CLOSED:
        raise ValidationError({"status": REVIEW_CLOSED_READ_ONLY})


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
    """Create a review, planned or already under way (the demo's). Never closed: closing is
    a step of its own (`review_close`), which keeps the pack and locks the quarter."""
    if status == Review.Status.CLOSED:
        raise ValidationError({"status": CLOSE_WITH_ITS_BUTTON})
    # An annual review is held on the year's Q4 (or named by the year itself); a quarterly
    # one on a quarter. A month holds no review.
    if kind == Review.Kind.ANNUAL and not (
        period.grain == Period.Grain.YEAR
        or (period.grain == Period.Grain.QUARTER and period.quarter == 4)
    ):
        raise ValidationError({"period": ANNUAL_REVIEW_NOT_Q4.format(period=period.label)})
    if kind != Review.Kind.ANNUAL and period.grain != Period.Grain.QUARTER:
        raise ValidationError(
            {"period": QUARTERLY_REVIEW_NOT_A_QUARTER.format(period=period.label)}
        )
    check_review_not_future(period=period)
    check_owner_sees_unit(owner=facilitator, unit=scorecard.org_unit, field="facilitator")
    period = period_open(period)  # a quarter only read so far is opened by its review
    review = Review(
        scorecard=scorecard,
        period=period,
        kind=kind,
        status=status,
        meeting_date=meeting_date,
        facilitator=facilitator,
        summary=summary.strip(),
        decisions=decisions.strip(),
    )
    review.full_clean()
    review.save()
    people = list(participants)
    if people:
        review.participants.set(people)
    return review


@transaction.atomic
def review_update(*, review: Review, **changes: Any) -> Review:
    """The fields the meeting fills in as it goes (the page saves them as you type):
    `meeting_date`, `summary`, `decisions`, `participants`. Only the fields given change, and
    a given empty value clears its field (a meeting date taken back, no participants). The
    status is not one of them: it moves through review_open, review_close, review_reopen."""
    unknown = set(changes) - MEETING_FIELDS
    if unknown:
        raise TypeError(f"review_update() got unexpected fields {sorted(unknown)}")
    check_review_open(review)
    if "meeting_date" in changes:
        review.meeting_date = changes["meeting_date"]
    for name in ("summary", "decisions"):
        if name in changes:
            setattr(review, name, (changes[name] or "").strip())
    review.full_clean()
    review.save()
    if "participants" in changes:
        people = list(changes["participants"] or [])
        for person in people:
            check_owner_sees_unit(owner=person, unit=review.org_unit, field="participants")
        review.participants.set(people)
    return review


@transaction.atomic
def review_open(*, review: Review, today: date | None = None) -> Review:
    """Start the meeting: the review goes "in review" and, the first time, its agenda is
    written as findings from the snapshots (see reviews.agenda)."""
    from reviews import agenda

    check_review_open(review)
    review.status = Review.Status.IN_REVIEW
    review.full_clean()
    review.save()
    if not review.findings.exclude(kind=Finding.Kind.NOTE).exists():
        agenda.write_findings(review=review, today=today or timezone.localdate())
    return review


def review_pack(*, scorecard: Scorecard, period: Period) -> dict:
    """The scorecard's snapshots of the quarter as plain data, with the names they had (a
    code before each, as the pages show them)."""
    kpis = {
        kpi.pk: (coded(kpi), kpi.decimals)
        for kpi in KPI.objects.filter(objective__scorecard=scorecard).only(
            "pk", "code", "name", "decimals"
        )
    }
    objectives = Objective.objects.filter(scorecard=scorecard).only("pk", "code", "title")
    names = {
        "kpi": {pk: name for pk, (name, _) in kpis.items()},
        "objective": {objective.pk: coded(objective) for objective in objectives},
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


def recompute_for_pack(*, scorecard: Scorecard, period: Period) -> None:
    """Bring the scorecard's snapshots of the period up to date now, whatever recompute is
    still queued: the chain of its unit and of every unit below it, where its roll-up
    children and supporting objectives live (an incremental recompute reads those from their
    stored snapshots, which a queued recompute may not have written yet)."""
    unit = scorecard.org_unit
    unit_ids = OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True)
    recompute.recompute_units(unit_ids=list(unit_ids), period_ids=[period.pk])


@transaction.atomic
def review_close(*, review: Review, by) -> Review:
    """Close the review: recompute the quarter, freeze its snapshots into the pack and make
    the scorecard's actuals of that quarter read-only."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status == Review.Status.CLOSED:
        raise ValidationError({"status": REVIEW_ALREADY_CLOSED})
    recompute_for_pack(scorecard=review.scorecard, period=review.period)
    review.pack = review_pack(scorecard=review.scorecard, period=review.period)
    review.status = Review.Status.CLOSED
    review.closed_at = timezone.now()
    review.full_clean()
    review.save()
    kpi_services.quarter_lock(
        scorecard=review.scorecard,
        period=period_open(locked_period(review)),
        by=by,
        reason=lock_reason(review),
    )
    return review


def locked_period(review: Review) -> Period:
    """The period a closed review makes read-only, stored or not: a quarterly review's
    quarter (which covers its months), an annual review's fiscal year (its quarters and
    months)."""
    if review.kind == Review.Kind.ANNUAL and review.period.grain != Period.Grain.YEAR:
        year = fiscal.FiscalYear(review.period.fiscal_year, fiscal_start_month())
        return period_at(year)
    return review.period


def lock_reason(review: Review) -> str:
    """ "<review> closed", its name shortened to fit the lock's reason (a scorecard's title
    alone may fill it)."""
    suffix = " closed"
    room = LOCK_REASON_LENGTH - len(suffix)
    return Truncator(str(review)).chars(room) + suffix


@transaction.atomic
def review_reopen(*, review: Review, by, reason: str) -> Review:
    """Reopen a closed review; the reason is kept (with who and when) and the quarter's
    actuals can be edited again. The pack stays until the review closes again."""
    if not reason.strip():
        raise ValidationError({"reason": REOPEN_NEEDS_REASON})
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != Review.Status.CLOSED:
        raise ValidationError({"status": REVIEW_NOT_CLOSED})
    stamp = f"{day_text(timezone.localdate())} {person_name(by)}: {reason.strip()}"
    review.reopen_reason = f"{review.reopen_reason}\n{stamp}".strip()
    review.status = Review.Status.IN_REVIEW
    review.closed_at = None
    review.full_clean()
    review.save()
    kpi_services.quarter_unlock(scorecard=review.scorecard, period=locked_period(review))
    return review
