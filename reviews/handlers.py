"""The reviews layer's answers to signals from the layers below."""

import logging
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kpis import scoring
from kpis.models import KPI, Actual, Target
from reviews import reminders, services
from reviews.models import ActionItem, Notification, ReminderLog
from scorecard.models import OrganizationSettings, Period
from scorecard.services import last_ended_period
from scorecard.text import fitted

logger = logging.getLogger(__name__)

DRAFT_DUE_IN_DAYS = 14
RED_TITLE = "{kpi} turned red in {period}"
RED_BODY = "{kpi} ({unit}) is off target in {period}. {action}\n\nThe numbers: {link}"
ASK_COMMENT_TITLE = "Add a comment: {kpi} is red in {period}"
ASK_COMMENT_BODY = (
    "The new target of {kpi} ({unit}) for {period} makes its actual red, and the actual has no "
    "comment. Say why, and what is being done: {link}"
)
DRAFT_TITLE = "Recover {kpi}"
DRAFT_DESCRIPTION = (
    "Drafted when {kpi} turned red in {period}. Describe what you will do, set the due date "
    "and save to make it your action."
)


def kpi_turned_red(sender, *, kpi_id, period_id, old_status, new_status, **kwargs) -> None:
    """A KPI whose snapshot turned red in one of the latest quarters: tell its owner and the
    unit's managers the same day and, when the organization wants it, draft an action for the
    owner. A first computation (old status None, as when history is seeded or imported) is
    no turn; neither is a change in an old quarter."""
    if new_status != scoring.RED or old_status in (None, scoring.RED):
        return
    period = Period.objects.get(pk=period_id)
    if period.end < last_ended_period().start:
        return
    kpi = KPI.objects.select_related("owner", "objective__scorecard__org_unit").get(pk=kpi_id)
    try:
        with transaction.atomic():
            _react(kpi, period)
    except Exception:
        # The signal is sent from the recompute's commit: a failure here must not fail the
        # recompute, whose snapshots are already stored. It is logged for the operators.
        logger.exception("could not react to KPI %s turning red in %s", kpi_id, period.key)


def _react(kpi: KPI, period: Period) -> None:
    scorecard = kpi.objective.scorecard
    unit = scorecard.org_unit
    draft = None
    has_open = ActionItem.objects.filter(kpi=kpi, status__in=ActionItem.OPEN_STATUSES).exists()
    if kpi.owner and not has_open and OrganizationSettings.load().red_drafts_action:
        draft = services.action_item_create(
            scorecard=scorecard,
            # A KPI's name may fill its column, which is as wide as the action's title.
            title=fitted(DRAFT_TITLE.format(kpi=kpi.name), ActionItem, "title"),
            description=DRAFT_DESCRIPTION.format(kpi=kpi.name, period=period.label),
            owner=kpi.owner,
            due_date=timezone.localdate() + timedelta(days=DRAFT_DUE_IN_DAYS),
            kpi=kpi,
            is_draft=True,
        )
    link = reverse("scorecard:scorecard", args=[unit.slug]) + f"?period={period.key}"
    people = {kpi.owner.pk: kpi.owner} if kpi.owner else {}
    people.update({manager.pk: manager for manager in reminders.managers_of(unit)})
    # Whoever entered the red value knows it already (issue 17): the owner who just saved it
    # on My updates hears nothing; her draft waits among her actions all the same.
    actor = _who_turned_it_red(kpi, period)
    if actor is not None:
        people.pop(actor, None)
    for person in people.values():
        if draft is not None and person.pk == kpi.owner_id:
            action = "A draft action waits for you to complete it."
            url = reverse("reviews:action", args=[draft.pk])
        else:
            action = "It has an open action." if has_open else "It has no open action yet."
            url = link
        reminders.send_once(
            person=person,
            kind=Notification.Kind.KPI_RED,
            subject=f"kpi:{kpi.pk}",
            period_key=period.key,
            step=ReminderLog.Step.TURNED_RED,
            result=reminders.SweepResult(),
            title=RED_TITLE.format(kpi=kpi.name, period=period.label),
            body=RED_BODY.format(
                kpi=kpi.name,
                unit=unit.name,
                period=period.label,
                action=action,
                link=url,
            ),
            url=url,
        )
    logger.info("KPI %s turned red in %s; draft action %s", kpi.pk, period.key, draft and draft.pk)


def _who_turned_it_red(kpi: KPI, period: Period) -> int | None:
    """The person whose entry of the period's actual was the last change to the KPI's numbers
    there, so the one who turned it red; None when the actual came in without a person (an
    import, a seed) or its target changed since (then the target turned it, and the one who
    entered the actual learns it from us)."""
    actual = (
        Actual.objects.filter(kpi=kpi, period=period).values("entered_by_id", "entered_at").first()
    )
    if actual is None or actual["entered_by_id"] is None:
        return None
    # A target's history keeps when it was set: one set after the entry is the cause.
    target_since = Target.history.filter(  # type: ignore[attr-defined]
        kpi_id=kpi.pk, period_id=period.pk, history_date__gt=actual["entered_at"]
    )
    return None if target_since.exists() else actual["entered_by_id"]


def ask_owner_for_comment(sender, *, kpi_id, period_id, **kwargs) -> None:
    """A target that arrived after the actual made it red without a comment: ask the KPI's
    owner for one, once per KPI and quarter (the reminder log), with a link to My updates.
    A KPI without an owner is left to My updates and the review agenda, which flag it too."""
    kpi = KPI.objects.select_related("owner", "objective__scorecard__org_unit").get(pk=kpi_id)
    if kpi.owner is None:
        return
    period = Period.objects.get(pk=period_id)
    url = reverse("kpis:my_updates") + f"?period={period.key}"
    try:
        reminders.send_once(
            person=kpi.owner,
            kind=Notification.Kind.KPI_RED,
            subject=f"kpi:{kpi.pk}",
            period_key=period.key,
            step=ReminderLog.Step.ASK_COMMENT,
            result=reminders.SweepResult(),
            title=ASK_COMMENT_TITLE.format(kpi=kpi.name, period=period.label),
            body=ASK_COMMENT_BODY.format(
                kpi=kpi.name,
                unit=kpi.objective.scorecard.org_unit.name,
                period=period.label,
                link=url,
            ),
            url=url,
        )
    except Exception:
        # Sent after the target's commit: the target is stored, and a failure to notify must
        # not turn its save into an error. It is logged for the operators.
        logger.exception("could not ask for a comment on KPI %s in %s", kpi_id, period.key)
