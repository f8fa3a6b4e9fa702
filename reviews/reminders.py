"""The daily reminder sweep: actuals due, escalations, overdue actions, review meetings.

Each reminder has a date and a window. A sweep sends every reminder whose window holds
today, so a missed day catches up, and never one whose step has passed (no "due soon" once
the quarter has ended, no "last day" once the escalation is due). Every reminder first takes
its row in the reminder log (unique on kind, person, subject, period, step); a row that was
there already means it went out before, which makes a second sweep, a retried task or two
sweeps at once send nothing twice.

Owners are reminded of each KPI at its own frequency: the sweep walks months, quarters and
years alike, and a period's reminders name only the KPIs reported at its grain (a monthly KPI
before its month closes, a yearly KPI before its year closes). For a period ending on E, with
lead days N and grace days G:
- `before_end`: owners of KPIs without an actual, from E − N to E − 1;
- `last_day`: the same owners, from E to E + G − 1;
- `escalation`: the unit's managers, listing who is missing, from E + G until the next
  quarter ends;
- overdue action items: their owner once per ISO week; the unit's managers once when the
  item is more than 30 days late;
- review meetings: facilitator and participants from 3 days before the meeting to its day.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse

from kpis import feeds
from kpis.models import KPI, Actual
from reviews.models import ActionItem, Notification, ReminderLog, Review
from reviews.services.notifications import notify
from scorecard import fiscal
from scorecard.models import Membership, OrganizationSettings, OrgUnit, Period
from scorecard.selectors import period_at
from scorecard.text import coded, day_text, person_name

logger = logging.getLogger(__name__)

MEETING_LEAD_DAYS = 3
MANAGER_AFTER_DAYS_LATE = 30

DUE_SOON_TITLE = "Actuals for {period} are due by {end}"
LAST_DAY_TITLE = "{period} has ended: enter your actuals"
ESCALATION_TITLE = "{unit}: actuals missing for {period}"
OVERDUE_TITLE = "Action overdue: {title}"
OVERDUE_MANAGER_TITLE = "Action more than {days} days late: {title}"
MEETING_TITLE = "Review meeting on {day}: {review}"


@dataclass
class SweepResult:
    # (kind, username, step) for every notification sent, in order.
    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, kind: str, user, step: str) -> None:
        self.sent.append((kind, user.username, step))


def _claim(*, kind: str, person, subject: str, period_key: str, step: str) -> bool:
    """Take the reminder's row in the log; False when it was taken before."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(
                kind=kind, person=person, subject=subject, period_key=period_key, step=step
            )
    except IntegrityError:
        return False
    return True


def managers_of(unit: OrgUnit) -> list:
    """The managers closest to a unit: those of the unit itself, else of the nearest unit
    above that has any (a role applies to the subtree, but the enterprise manager should
    not hear about every team that has one of its own)."""
    prefixes = [
        unit.path[:end] for end in range(OrgUnit.steplen, len(unit.path) + 1, OrgUnit.steplen)
    ]
    rows = (
        Membership.objects.filter(role=Membership.Role.MANAGER, org_unit__path__in=prefixes)
        .select_related("user", "org_unit")
        .order_by("-org_unit__depth", "user__username")
    )
    nearest: list = []
    depth = None
    for row in rows:
        if not row.user.is_active:
            continue
        if depth is not None and row.org_unit.depth != depth:
            break
        depth = row.org_unit.depth
        nearest.append(row.user)
    return nearest


def sweep(*, today: date) -> SweepResult:
    result = SweepResult()
    org = OrganizationSettings.load()
    for grain in fiscal.GRAINS:
        _sweep_grain(today=today, grain=grain, org=org, result=result)
    _overdue_actions(today=today, result=result)
    _meetings(today=today, result=result)
    logger.info("reminder sweep for %s sent %s notifications", today, len(result.sent))
    return result


def _sweep_grain(*, today: date, grain: str, org: OrganizationSettings, result: SweepResult):
    """The reminders of one grain's periods, for the KPIs reported at that frequency. The
    periods are read, not opened (a stand-in has no actuals, so every KPI of it is missing):
    a reminder writes only its log row and its notification."""
    current = fiscal.period_of(today, grain, org.fiscal_start_month)
    previous = current.previous()
    # The period still running: "due soon", or its last day.
    if today >= current.end - timedelta(days=org.reminder_lead_days):
        step = ReminderLog.Step.LAST_DAY if today == current.end else ReminderLog.Step.BEFORE_END
        _remind_owners(period_at(current), step=step, result=result)
    # The period that ended before: the last call during the grace days, then escalation.
    if today < previous.end + timedelta(days=org.grace_days):
        _remind_owners(period_at(previous), step=ReminderLog.Step.LAST_DAY, result=result)
    else:
        _escalate(period_at(previous), result=result)


def kpis_missing_actuals(period: Period):
    """Entered KPIs reported at the period's grain (a month's monthly KPIs) that are members
    of the period and have no actual in it, except those an import feeds (its owner hears
    when the import is late instead)."""
    entered = Actual.objects.filter(period_id=period.pk).values("kpi_id")
    return (
        feeds.without_fed(KPI.objects.members_of(period))
        .filter(source=KPI.Source.MANUAL, frequency=period.grain)
        .exclude(pk__in=entered)
        .select_related("owner", "objective__scorecard__org_unit")
        .order_by("objective__scorecard__org_unit__path", "name")
    )


def _remind_owners(period: Period, *, step: str, result: SweepResult) -> None:
    by_owner: dict[int, list[KPI]] = defaultdict(list)
    owners = {}
    for kpi in kpis_missing_actuals(period).filter(owner__isnull=False, owner__is_active=True):
        by_owner[kpi.owner_id].append(kpi)
        owners[kpi.owner_id] = kpi.owner
    for owner_id, kpis in by_owner.items():
        with transaction.atomic():
            _remind_owner(owners[owner_id], kpis, period=period, step=step, result=result)


def _remind_owner(
    owner, kpis: list[KPI], *, period: Period, step: str, result: SweepResult
) -> None:
    # The log rows and the notification commit together: a crash between them loses neither.
    kind = Notification.Kind.ACTUAL_DUE
    fresh = [
        kpi
        for kpi in kpis
        if _claim(
            kind=kind, person=owner, subject=f"kpi:{kpi.pk}", period_key=period.key, step=step
        )
    ]
    if not fresh:
        return
    title = (DUE_SOON_TITLE if step == ReminderLog.Step.BEFORE_END else LAST_DAY_TITLE).format(
        period=period.label, end=day_text(period.end)
    )
    # "My updates" is where an owner enters the quarter's actuals.
    url = reverse("kpis:my_updates") + f"?period={period.key}"
    lines = [f"- {coded(kpi)} ({kpi.objective.scorecard.org_unit.name})" for kpi in fresh]
    body = "No actual has been entered yet for:\n" + "\n".join(lines) + f"\n\n{url}"
    notify(recipient=owner, kind=kind, title=title, body=body, url=url)
    result.add(kind, owner, step)


def send_once(
    *, person, kind: str, subject: str, period_key: str, step: str, result: SweepResult, **message
) -> None:
    """Claim the reminder and send it, together: a crash between them loses neither."""
    if not person.is_active:
        return
    with transaction.atomic():
        if _claim(kind=kind, person=person, subject=subject, period_key=period_key, step=step):
            notify(recipient=person, kind=kind, **message)
            result.add(kind, person, step)


def _escalate(period: Period, *, result: SweepResult) -> None:
    by_unit: dict[int, list[KPI]] = defaultdict(list)
    units = {}
    for kpi in kpis_missing_actuals(period):
        unit = kpi.objective.scorecard.org_unit
        by_unit[unit.pk].append(kpi)
        units[unit.pk] = unit
    for unit_id, kpis in by_unit.items():
        unit = units[unit_id]
        url = reverse("scorecard:scorecard", args=[unit.slug]) + f"?period={period.key}"
        lines = [
            f"- {coded(kpi)}: {person_name(kpi.owner) if kpi.owner else 'no owner'}" for kpi in kpis
        ]
        body = (
            f"The grace period for {period.label} is over and these KPIs of {unit.name} have "
            "no actual:\n" + "\n".join(lines) + f"\n\n{url}"
        )
        for manager in managers_of(unit):
            send_once(
                person=manager,
                kind=Notification.Kind.ESCALATION,
                subject=f"unit:{unit.pk}",
                period_key=period.key,
                step=ReminderLog.Step.ESCALATION,
                result=result,
                title=ESCALATION_TITLE.format(unit=unit.name, period=period.label),
                body=body,
                url=url,
            )


def _overdue_actions(*, today: date, result: SweepResult) -> None:
    year, week, _ = today.isocalendar()
    week_step = f"{year}-W{week:02d}"
    items = ActionItem.objects.filter(
        status__in=ActionItem.OPEN_STATUSES, due_date__lt=today, owner__isnull=False
    ).select_related("owner", "scorecard__org_unit")
    for item in items:
        url = reverse("reviews:action", args=[item.pk])
        days = (today - item.due_date).days
        body = f"“{item.title}” was due {day_text(item.due_date)} ({days} days ago).\n\n{url}"
        common = dict(
            kind=Notification.Kind.ACTION_OVERDUE,
            subject=f"action:{item.pk}",
            period_key="",
            url=url,
        )
        send_once(
            person=item.owner,
            step=week_step,
            result=result,
            title=OVERDUE_TITLE.format(title=item.title),
            body=body,
            **common,
        )
        if days <= MANAGER_AFTER_DAYS_LATE:
            continue
        for manager in managers_of(item.scorecard.org_unit):
            if manager.pk != item.owner_id:
                send_once(
                    person=manager,
                    step=ReminderLog.Step.ESCALATION,
                    result=result,
                    title=OVERDUE_MANAGER_TITLE.format(
                        days=MANAGER_AFTER_DAYS_LATE, title=item.title
                    ),
                    body=f"Owner: {person_name(item.owner)}. " + body,
                    **common,
                )


def _meetings(*, today: date, result: SweepResult) -> None:
    reviews = (
        Review.objects.exclude(status=Review.Status.CLOSED)
        .filter(
            meeting_date__gte=today, meeting_date__lte=today + timedelta(days=MEETING_LEAD_DAYS)
        )
        .select_related("scorecard__org_unit", "period", "facilitator")
        .prefetch_related("participants")
    )
    for review in reviews:
        people = {person.pk: person for person in review.participants.all()}
        if review.facilitator:
            people[review.facilitator.pk] = review.facilitator
        url = reverse("reviews:review", args=[review.pk])
        for person in sorted(people.values(), key=lambda p: p.username):
            send_once(
                person=person,
                kind=Notification.Kind.REVIEW_MEETING,
                subject=f"review:{review.pk}",
                period_key=review.period.key,
                step=ReminderLog.Step.MEETING,
                result=result,
                title=MEETING_TITLE.format(day=day_text(review.meeting_date), review=review),
                body=f"The agenda and the numbers: {url}",
                url=url,
            )
