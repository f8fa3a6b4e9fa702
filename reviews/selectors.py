"""Reads of reviews, initiatives, action items and notifications that pages and the API share."""

from datetime import date
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from kpis import selectors as kpi_selectors
from kpis.models import KPI
from reviews.models import (
    ActionItem,
    Finding,
    Initiative,
    Milestone,
    Notification,
    ProgressNote,
    Review,
)
from scorecard import fiscal
from scorecard.models import Membership, Period, Scorecard
from scorecard.rules import managed_q, visible_q
from scorecard.selectors import fiscal_start_month


def review_periods() -> tuple[Period, list[Period]]:
    """The quarters a review may be planned on, newest first, and the one to offer first.
    The period switcher's rule (`periods_for_switcher`): every quarter holding data, the
    quarter under way and the last ended one, which a review looks back at; no future
    quarter, which a review refuses. Three queries (the calendar twice, the quarters)."""
    today = timezone.localdate()
    last_ended = Period.stand_in(fiscal.quarter_of(today, fiscal_start_month()).previous())
    periods = kpi_selectors.periods_for_switcher(around=last_ended)
    stored = {period.start: period for period in periods}
    return stored.get(last_ended.start, last_ended), [p for p in periods if p.start <= today]


def visible_reviews(user: Any) -> QuerySet[Review]:
    return Review.objects.filter(visible_q(user, "scorecard__org_unit__path"))


def visible_findings(user: Any) -> QuerySet[Finding]:
    return Finding.objects.filter(visible_q(user, "review__scorecard__org_unit__path"))


def visible_initiatives(user: Any) -> QuerySet[Initiative]:
    return Initiative.objects.filter(visible_q(user, "scorecard__org_unit__path"))


def _action_items() -> QuerySet[ActionItem]:
    # Every list of action items shows its scorecard (and unit), its KPI or objective, and
    # its owner: one join each instead of a query per row.
    return ActionItem.objects.select_related(
        "scorecard__org_unit", "kpi", "objective", "owner", "initiative"
    )


def action_items_owned_by(user) -> QuerySet[ActionItem]:
    """The open and in-progress action items a person owns, soonest due first ("My
    updates" lists them)."""
    return (
        _action_items()
        .filter(owner=user, status__in=ActionItem.OPEN_STATUSES)
        .order_by("due_date", "id")
    )


def open_action_items_in(unit_paths_q: Q) -> QuerySet[ActionItem]:
    """Open and in-progress action items of the units a filter selects. The filter is on
    the unit's materialised path, written from the action item: e.g.
    `Q(scorecard__org_unit__path__startswith="0001")`, or
    `scorecard.rules.visible_q(user, "scorecard__org_unit__path")`. The overdue ones are
    `.filter(due_date__lt=today)`."""
    return (
        _action_items()
        .filter(unit_paths_q, status__in=ActionItem.OPEN_STATUSES)
        .order_by("due_date", "id")
    )


def action_items_visible_to(
    user,
    *,
    status: str = "",
    owner_id: int | None = None,
    unit_path: str = "",
    overdue_on: date | None = None,
) -> QuerySet[ActionItem]:
    """Action items in the subtrees a person may read, with the filters of the actions page."""
    items = _action_items().filter(visible_q(user, "scorecard__org_unit__path"))
    if status == "open":
        items = items.filter(status__in=ActionItem.OPEN_STATUSES)
    elif status:
        items = items.filter(status=status)
    if owner_id:
        items = items.filter(owner_id=owner_id)
    if unit_path:
        items = items.filter(scorecard__org_unit__path__startswith=unit_path)
    if overdue_on:
        items = items.filter(status__in=ActionItem.OPEN_STATUSES, due_date__lt=overdue_on)
    return items.order_by("due_date", "id")


def action_item_detail(pk: int) -> ActionItem:
    notes = Prefetch("notes", queryset=ProgressNote.objects.select_related("author"))
    return _action_items().select_related("finding").prefetch_related(notes).get(pk=pk)


def reviews_visible_to(user) -> QuerySet[Review]:
    return (
        visible_reviews(user)
        .select_related("scorecard__org_unit", "period", "facilitator")
        .order_by("-period__start", "scorecard__org_unit__path", "kind")
    )


def reviews_managed_by(user) -> QuerySet[Review]:
    return Review.objects.filter(managed_q(user, "scorecard__org_unit__path"))


def reviews_to_prepare(user) -> QuerySet[Review]:
    """The reviews not yet closed that the person prepares: those they facilitate and those
    of the units they manage, soonest first (the home page's "to do")."""
    return (
        Review.objects.filter(managed_q(user, "scorecard__org_unit__path") | Q(facilitator=user))
        .exclude(status=Review.Status.CLOSED)
        .select_related("scorecard__org_unit", "period")
        .order_by("period__start", "scorecard__org_unit__path", "kind")
    )


def review_detail(pk: int) -> Review:
    findings = Prefetch(
        "findings",
        queryset=Finding.objects.select_related(
            "kpi__owner", "objective", "link__source", "link__target", "action_item__owner"
        ).annotate(
            open_actions=Count(
                "action_items", filter=Q(action_items__status__in=ActionItem.OPEN_STATUSES)
            )
        ),
    )
    return (
        Review.objects.select_related("scorecard__org_unit", "period", "facilitator")
        .prefetch_related(findings, "participants")
        .get(pk=pk)
    )


def initiatives_of(scorecard: Scorecard) -> QuerySet[Initiative]:
    """A scorecard's initiatives with their milestones and the objectives they serve."""
    return (
        Initiative.objects.filter(scorecard=scorecard)
        .select_related("owner")
        .prefetch_related("objectives", Prefetch("milestones", queryset=Milestone.objects.all()))
        .order_by("name")
    )


def late_milestones_of(scorecard: Scorecard, *, on: date) -> QuerySet[Milestone]:
    return Milestone.objects.filter(
        initiative__scorecard=scorecard, done_at__isnull=True, due_date__lt=on
    ).select_related("initiative")


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def kpi_ids_with_open_actions(scorecard: Scorecard) -> set[int]:
    """The scorecard's KPIs that have an open action: a red KPI outside this set is a gap."""
    return set(
        ActionItem.objects.filter(
            kpi__objective__scorecard=scorecard, status__in=ActionItem.OPEN_STATUSES
        ).values_list("kpi_id", flat=True)
    )


def pack_rows(review: Review) -> list[dict]:
    """The closed review's frozen KPI and objective numbers, as the pack keeps them."""
    rows = review.pack.get("snapshots", []) if review.pack else []
    order = {"scorecard": 0, "perspective": 1, "objective": 2, "kpi": 3}
    return sorted(
        (row for row in rows if row["subject_type"] in ("objective", "kpi")),
        key=lambda row: (order[row["subject_type"]], row["name"]),
    )


def initiatives_by_objective(scorecard: Scorecard) -> dict[int, list[Initiative]]:
    """The scorecard's initiatives keyed by each objective they serve, for pages that list
    them beside the objectives (the scorecard's fourth column). Two queries."""
    served: dict[int, list[Initiative]] = {}
    initiatives = Initiative.objects.filter(scorecard=scorecard).prefetch_related("objectives")
    for initiative in initiatives.order_by("name"):
        for objective in initiative.objectives.all():
            served.setdefault(objective.pk, []).append(initiative)
    return served


class TopBarFacts(NamedTuple):
    unread: int
    owns_something: bool
    # Manages some unit: with the administrators, those who keep imports (the rule
    # "connections.pick_connection"), so the user menu offers Imports to them only.
    manages_a_unit: bool = False


def top_bar_facts(user) -> TopBarFacts:
    """What the top bar shows of a person, in one query whatever they hold: the unread
    notifications (the bell) and whether they own something to update (a KPI they enter,
    alone or through its owning team, or an open action item), which is when "My updates"
    is in the bar. The KPI half is the owner half of `kpis.updates.kpis_entered_by`
    without its visibility filter: the link only says where to look, and the page itself
    lists what the person may enter."""
    if not user.is_authenticated:
        return TopBarFacts(unread=0, owns_something=False)
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(count=Count("pk"))
        .values("count")
    )
    # Two EXISTS rather than one over an OR across the join: each is then one index lookup
    # (the KPI's owner, the owning team's memberships), where the OR scanned every KPI of
    # the organization on every page (10 ms at 20,000 KPIs; issue 18).
    manual = KPI.objects.filter(source=KPI.Source.MANUAL)
    owned = manual.filter(owner=OuterRef("pk"))
    through_team = manual.filter(owning_team__memberships__user=OuterRef("pk"))
    acting = ActionItem.objects.filter(owner=OuterRef("pk"), status__in=ActionItem.OPEN_STATUSES)
    managing = Membership.objects.filter(user=OuterRef("pk"), role=Membership.Role.MANAGER)
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            unread=Coalesce(Subquery(unread), 0),
            owns_kpi=Exists(owned),
            owns_team_kpi=Exists(through_team),
            owns_action=Exists(acting),
            manages=Exists(managing),
        )
        .values_list("unread", "owns_kpi", "owns_team_kpi", "owns_action", "manages")
        .first()
    )
    if row is None:
        return TopBarFacts(unread=0, owns_something=False)
    unread_count, owns_kpi, owns_team_kpi, owns_action, manages = row
    return TopBarFacts(
        unread=unread_count,
        owns_something=owns_kpi or owns_team_kpi or owns_action,
        manages_a_unit=manages,
    )
