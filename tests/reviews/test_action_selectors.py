"""The action-item reads other pages use: "My updates" (issue 5) and the executive
dashboard (issue 8)."""

import datetime as dt

from django.db.models import Q

from reviews import selectors, services
from reviews.models import ActionItem


def make(org, people, unit, title, due, status="open", owner=None):
    return services.action_item_create(
        scorecard=getattr(org, unit).scorecard, title=title, owner=owner or people.owner,
        due_date=due, status=status, backdated=True,
    )  # fmt: skip


def test_it_lists_the_open_actions_a_person_owns_soonest_first(
    clock, org, people, django_assert_num_queries
):
    later = make(org, people, "north_sales", "Later", dt.date(2026, 7, 1))
    sooner = make(org, people, "north_sales", "Sooner", dt.date(2026, 5, 1), "in_progress")
    make(org, people, "north_sales", "Done", dt.date(2026, 4, 1), "done")
    make(org, people, "north", "Someone else's", dt.date(2026, 4, 1), owner=people.north_manager)

    # One query, the scorecard, unit, KPI and objective joined in.
    with django_assert_num_queries(1):
        rows = [(item, item.scorecard.org_unit.name, item.kpi) for item in
                selectors.action_items_owned_by(people.owner)]  # fmt: skip

    assert rows == [(sooner, "North Sales", None), (later, "North Sales", None)]


def test_it_lists_open_actions_of_a_subtree(clock, org, people):
    north = make(org, people, "north_sales", "North", dt.date(2026, 6, 1))
    make(org, people, "south_ops", "South", dt.date(2026, 6, 1), owner=people.south_team_manager)
    make(org, people, "north", "Cancelled", dt.date(2026, 6, 1), "cancelled", people.north_manager)

    items = selectors.open_action_items_in(Q(scorecard__org_unit__path__startswith=org.north.path))
    overdue = items.filter(due_date__lt=dt.date(2026, 6, 2))

    assert list(items) == [north]
    assert list(overdue) == [north]
    assert ActionItem.objects.count() == 3
