"""A quarter of reminders on the demo organization: built on 14 May 2026 (FY2026 Q2, in
which only some owners have reported yet), then swept day by day to the escalation on
10 July. Each day is swept twice; the second sweep must send nothing.

What each day should send is read from the demo's data by plain queries here, independent
of the sweep's own code, and a few facts are pinned by hand."""

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from kpis.models import KPI, Actual
from reviews import reminders
from reviews.models import ActionItem, Notification
from scorecard.models import Membership, OrgUnit
from scorecard.selectors import period_lookup

BUILT = dt.datetime(2026, 5, 14, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def demo_built(django_db_setup, django_db_blocker):
    with (
        time_machine.travel(BUILT, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_built, db):
    Notification.objects.all().delete()  # the red-KPI notices of the build are not reminders


def sweep(day: dt.date) -> list[tuple[str, str, str]]:
    with time_machine.travel(dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC), tick=False):
        return reminders.sweep(today=day).sent


def missing(key: str):
    """The entered KPIs reported at the grain of period `key` with no actual in it: a
    period's sweep reminds and escalates the KPIs of its own grain only."""
    period = period_lookup(key)
    reported = Actual.objects.filter(period_id=period.pk).values("kpi_id")
    return KPI.objects.filter(source="manual", archived_at=None, frequency=period.grain).exclude(
        pk__in=reported
    )


def owners_missing(key: str) -> set[str]:
    return set(missing(key).values_list("owner__username", flat=True))


def reminded(*keys: str) -> Counter:
    """Each owner once per period of `keys` (periods of different grains that end on the
    same day remind separately) in which they miss an actual."""
    return Counter(name for key in keys for name in owners_missing(key))


def units_missing(*keys: str) -> set[OrgUnit]:
    return {
        unit
        for key in keys
        for unit in OrgUnit.objects.filter(scorecard__objectives__kpis__in=missing(key))
    }


def nearest_managers(unit: OrgUnit) -> set[str]:
    for ancestor in [unit, *reversed(unit.get_ancestors())]:
        names = set(
            Membership.objects.filter(org_unit=ancestor, role="manager").values_list(
                "user__username", flat=True
            )
        )
        if names:
            return names
    return set()


def newly_thirty_days_late(day: dt.date, before: dt.date | None) -> Counter:
    """The managers who hear about actions that passed 30 days late since the last sweep."""
    names: Counter = Counter()
    items = ActionItem.objects.filter(status__in=("open", "in_progress")).select_related(
        "scorecard__org_unit", "owner"
    )
    for item in items:
        late_now = (day - item.due_date).days > 30
        late_before = before is not None and (before - item.due_date).days > 30
        if late_now and not late_before:
            names.update(nearest_managers(item.scorecard.org_unit) - {item.owner.username})
    return names


def sent_as(sent, kind: str, step: str | None = None) -> Counter:
    return Counter(name for k, name, s in sent if k == kind and (step is None or s == step))


def test_it_reminds_and_escalates_exactly_once_through_the_quarter(demo):
    overdue = ActionItem.objects.filter(
        status__in=("open", "in_progress"), due_date__lt="2026-06-22"
    )
    overdue_owners = Counter(overdue.values_list("owner__username", flat=True))
    assert sum(overdue_owners.values()) >= 2  # the demo's late recovery actions
    missing_q2 = owners_missing("FY2026-Q2")
    assert "owner" in missing_q2  # Priya has KPIs of FY2026 Q2 still to enter

    walk = {}
    days = [
        dt.date(2026, 6, 22), dt.date(2026, 6, 23), dt.date(2026, 6, 24),
        dt.date(2026, 6, 30), dt.date(2026, 7, 9), dt.date(2026, 7, 10),
    ]  # fmt: skip
    for day in days:
        walk[day] = sweep(day)
        assert sweep(day) == [], f"the second sweep of {day} sent again"

    # Every day, the managers of actions that have just passed 30 days late hear once.
    for before, day in zip([None, *days], days, strict=False):
        assert sent_as(walk[day], "action_overdue", "escalation") == newly_thirty_days_late(
            day, before
        ), day

    # 22 June, the first sweep: the escalations of the periods whose grace has ended, one of
    # each grain (FY2026 Q1's on 10 April, May's on 10 June, FY2025's in January), the
    # overdue actions' weekly reminders and, for those more than 30 days late, their
    # managers; nothing about Q2 yet (its "due soon" starts on 23 June).
    first = walk[dt.date(2026, 6, 22)]
    expected_escalated = set().union(
        *(nearest_managers(u) for u in units_missing("FY2026-Q1", "2026-05", "FY2025"))
    )
    assert set(sent_as(first, "escalation")) == expected_escalated
    assert sent_as(first, "action_overdue", "2026-W26") == overdue_owners
    assert sent_as(first, "actual_due") == Counter()

    # 23 June: seven days before Q2 and June end, every owner still missing an actual of
    # either, once for each.
    assert sent_as(walk[dt.date(2026, 6, 23)], "actual_due", "before_end") == reminded(
        "FY2026-Q2", "2026-06"
    )
    assert {kind for kind, _, _ in walk[dt.date(2026, 6, 23)]} <= {"actual_due", "action_overdue"}
    # 24 June: nothing but an action that has just passed 30 days late.
    assert {step for _, _, step in walk[dt.date(2026, 6, 24)]} <= {"escalation"}
    assert sent_as(walk[dt.date(2026, 6, 24)], "actual_due") == Counter()

    # 30 June, the last day: the same owners again, and the actions' next week.
    assert sent_as(walk[dt.date(2026, 6, 30)], "actual_due", "last_day") == reminded(
        "FY2026-Q2", "2026-06"
    )
    assert sent_as(walk[dt.date(2026, 6, 30)], "action_overdue", "2026-W27") == overdue_owners

    # 9 July, still in the grace days: only the actions' week 28.
    assert {step for _, _, step in walk[dt.date(2026, 7, 9)]} <= {"2026-W28", "escalation"}
    assert sent_as(walk[dt.date(2026, 7, 9)], "action_overdue", "2026-W28") == overdue_owners

    # 10 July, the grace is over: each unit's nearest managers hear who is missing, once.
    expected = set().union(*(nearest_managers(u) for u in units_missing("FY2026-Q2", "2026-06")))
    escalated = sent_as(walk[dt.date(2026, 7, 10)], "escalation", "escalation")
    assert set(escalated) == expected
    assert "manager" in escalated  # Helen manages the enterprise, which has missing KPIs
    assert sent_as(walk[dt.date(2026, 7, 10)], "actual_due") == Counter()
