"""Issue 13, observation 5: a roll-up KPI that moves keeps its numbers right.

A move (its objective changed to another unit's, or its `rolls_up_to` changed) recomputes
the old and the new chains of the KPI and of every KPI that rolls up to it, through the API,
the editor's services and the admin alike. A roll-up KPI stays above the KPIs that roll up to
it: the recompute after a child's actual walks up the tree from the child, so a parent moved
beside it (as to South) would never hear of that actual again. Such a move is refused.

All in USD, direction up, tolerance 10 %; a target of 100 scores (a − 80)/3:

    Acme         "Grow revenue"          group revenue   roll-up sum, target 100
                                         other group     roll-up sum, target 100
    └ North      "Grow north revenue"    regional        roll-up sum → group revenue, target 100
      └ N. Sales "Win regional deals"    sales           entered → regional, 104 of 100 → 8
    └ South      "Grow south revenue"    (no KPIs)
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import KPI, ScoreSnapshot
from kpis.recompute import recompute_everything
from kpis.services.changes import ROLLUP_CHILDREN_LEFT_BEHIND
from scorecard import services as core
from scorecard.models import Period, Perspective
from strategy import services as strategy_services
from strategy.models import Objective
from tests.admin_forms import post_change

COMMENT = "Explained in the quarterly review."
MID_MAY = date(2026, 5, 15)
ROLLUP = {"source": KPI.Source.ROLLUP, "rollup_method": KPI.RollupMethod.SUM, "unit": "USD"}


@dataclass
class Cascade:
    q1: Period
    acme_goal: Objective
    north_goal: Objective
    sales_goal: Objective
    south_goal: Objective
    group: KPI
    other_group: KPI
    regional: KPI
    sales: KPI


@pytest.fixture
def cascade(org, people) -> Cascade:
    # Built in one transaction, as one request would: its recompute runs once, at the commit.
    with transaction.atomic():
        return build_cascade(org)


def build_cascade(org) -> Cascade:
    q1 = core.period_for_key("FY2026-Q1")
    financial = Perspective.objects.get(order=4)

    def goal(unit, title):
        return strategy_services.objective_create(
            scorecard=unit.scorecard, perspective=financial, title=title
        )

    acme_goal, north_goal = goal(org.acme, "Grow revenue"), goal(org.north, "Grow north revenue")
    sales_goal, south_goal = goal(org.north_sales, "Win deals"), goal(org.south, "Grow south")
    group = kpi_services.kpi_create(objective=acme_goal, name="Group revenue", **ROLLUP)
    other_group = kpi_services.kpi_create(objective=acme_goal, name="Other group", **ROLLUP)
    regional = kpi_services.kpi_create(
        objective=north_goal, name="Regional revenue", rolls_up_to=group, **ROLLUP
    )
    sales = kpi_services.kpi_create(
        objective=sales_goal, name="Sales", unit="USD", rolls_up_to=regional
    )
    for kpi in (group, other_group, regional, sales):
        kpi_services.target_set(kpi=kpi, period=q1, value="100")
    kpi_services.actual_enter(kpi=sales, period=q1, value="104", today=MID_MAY)
    return Cascade(
        q1, acme_goal, north_goal, sales_goal, south_goal, group, other_group, regional, sales
    )


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def snapshot(subject_type: str, subject: KPI | Objective, period: Period) -> tuple | None:
    row = ScoreSnapshot.objects.filter(
        subject_type=subject_type, subject_id=subject.pk, period=period
    ).first()
    return None if row is None else (row.scorecard_id, row.value, row.score, row.status)


def kpi_row(kpi: KPI, period: Period) -> tuple | None:
    return snapshot("kpi", kpi, period)


def assert_full_recompute_changes_nothing() -> None:
    results = recompute_everything()  # FY2026 Q1 and FY2026, which holds it
    assert [result.changed for result in results] == [0, 0]


def fresh(kpi: KPI) -> KPI:
    return KPI.objects.get(pk=kpi.pk)


@pytest.mark.django_db(transaction=True)
def test_a_rollup_kpi_moved_up_a_unit_is_recomputed_in_both_chains(org, people, cascade):
    c = cascade
    acme, north = org.acme.scorecard.pk, org.north.scorecard.pk
    # 104 → (104 − 80)/3 = 8, on North's scorecard; its objective has only it.
    assert kpi_row(c.regional, c.q1) == (north, Decimal("104"), Decimal("8"), "green")
    kpi_services.kpi_update(kpi=fresh(c.regional), rolls_up_to=None)

    response = api_as(people.admin).patch(
        f"/api/kpis/{c.regional.pk}/", {"objective": c.acme_goal.pk}, format="json"
    )

    assert response.status_code == 200, response.json()
    # On Acme's scorecard now, still 104 from the sales below it.
    assert kpi_row(c.regional, c.q1) == (acme, Decimal("104"), Decimal("8"), "green")
    # North's objective has no KPI left: no score.
    assert snapshot("objective", c.north_goal, c.q1) == (north, None, None, "no_data")
    # Acme's: group and other group have no value (no child with one), regional 8.
    assert snapshot("objective", c.acme_goal, c.q1) == (acme, None, Decimal("8"), "green")
    assert_full_recompute_changes_nothing()

    kpi_services.actual_enter(kpi=c.sales, period=c.q1, value="110", today=MID_MAY)

    # The child's next actual reaches it: 110 → (110 − 80)/3 = 10.
    assert kpi_row(c.regional, c.q1) == (acme, Decimal("110"), Decimal("10"), "green")
    assert_full_recompute_changes_nothing()


def test_a_rollup_kpi_may_not_move_beside_the_kpis_that_roll_up_to_it(org, people, cascade):
    c = cascade

    response = api_as(people.admin).patch(
        f"/api/kpis/{c.regional.pk}/", {"objective": c.south_goal.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "objective": [ROLLUP_CHILDREN_LEFT_BEHIND.format(names="“Sales”", roll="rolls")]
    }
    assert fresh(c.regional).objective_id == c.north_goal.pk


def test_the_message_names_the_kpis_left_behind():
    assert ROLLUP_CHILDREN_LEFT_BEHIND.format(names="“Sales”", roll="rolls") == (
        "“Sales” rolls up to this KPI and would no longer be in a unit below it: a roll-up KPI "
        "stays above the KPIs that roll up to it. Point them at another roll-up KPI first."
    )


def test_a_move_recomputes_the_chains_of_the_kpi_and_of_every_kpi_rolling_up_to_it(org, cascade):
    c = cascade
    kpi_services.kpi_update(kpi=fresh(c.regional), rolls_up_to=None)

    with mock.patch("kpis.services.structure.recompute_on_commit") as recompute:
        kpi_services.kpi_update(kpi=fresh(c.regional), objective=c.acme_goal)

    # Its old unit and its new one, and the unit of the sales that roll up to it.
    recompute.assert_called_once_with(unit_ids={org.north.pk, org.acme.pk, org.north_sales.pk})


@pytest.mark.django_db(transaction=True)
def test_a_rollup_kpi_moved_in_the_admin_is_recomputed(client, org, people, cascade):
    c = cascade
    kpi_services.kpi_update(kpi=fresh(c.regional), rolls_up_to=None)
    client.force_login(people.admin)

    response = post_change(client, KPI, c.regional.pk, objective=str(c.acme_goal.pk))

    assert response.status_code == 302
    acme = org.acme.scorecard.pk
    assert kpi_row(c.regional, c.q1) == (acme, Decimal("104"), Decimal("8"), "green")
    assert_full_recompute_changes_nothing()


@pytest.mark.django_db(transaction=True)
def test_a_rollup_kpi_pointed_at_another_parent_in_the_admin_recomputes_both(
    client, org, people, cascade
):
    c = cascade
    acme = org.acme.scorecard.pk
    assert kpi_row(c.group, c.q1) == (acme, Decimal("104"), Decimal("8"), "green")
    assert kpi_row(c.other_group, c.q1) == (acme, None, None, "no_data")
    client.force_login(people.admin)

    response = post_change(client, KPI, c.regional.pk, rolls_up_to=str(c.other_group.pk))

    assert response.status_code == 302
    # The old parent has no child left, the new one has regional's 104.
    assert kpi_row(c.group, c.q1) == (acme, None, None, "no_data")
    assert kpi_row(c.other_group, c.q1) == (acme, Decimal("104"), Decimal("8"), "green")
    assert_full_recompute_changes_nothing()
