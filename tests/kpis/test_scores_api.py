"""The scores API and the bulk writes of targets and actuals (DESIGN.md sections 4 and 5).

`GET /api/scores/?period=FY2026-Q3[&scorecard=<id>][&subject_type=...]` lists the stored
snapshots the caller may read; `POST /api/targets/bulk/` and `POST /api/actuals/bulk/` upsert
lists of `{kpi, period, value, ...}` rows all or nothing.

Score snapshots come from the services: writes run inside
`django_capture_on_commit_callbacks(execute=True)`, whose captured callbacks queue the
(eager, see tests/conftest.py) recompute. Every expected number is worked out by hand.

The scored world of FY2026 Q3 (all KPIs direction up unless said otherwise, tolerance 10 %):

    North Sales scorecard, perspective weights financial 3, customer 1 (others 1)
      financial "Win regional deals" (weight 1)
        Sales revenue   weight 1  target 100 (red flag 90)   actual 104
        Deals won       weight 3  target 10, red flag 9      actual 9.5
      financial "Cut selling costs" (weight 3)
        Cost of sales   down      target 20, red flag 25     actual 22
      customer "Delight customers" (weight 1)
        Net promoter    weight 1  target 50, red flag 40     actual 35 (with a comment)
        Repeat buyers   weight 1  target 30                  no actual
    South Ops scorecard
      internal "Speed up delivery"
        Delivery days   down      target 5 (red flag 5.5)    actual 5
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from rest_framework import serializers
from rest_framework.test import APIClient

from kpis import scheduling
from kpis import services as kpi_services
from kpis.models import ACTUAL_ON_ROLLUP, KPI, Actual, ScoreSnapshot, Target
from kpis.scoring import RED_FLAG_ON_GOOD_SIDE
from kpis.services import RED_NEEDS_COMMENT, STALE_VERSION, numbers
from scorecard import services as core
from scorecard.api_support import REFUSED
from scorecard.models import Perspective
from strategy import services as strategy_services

pytestmark = pytest.mark.django_db

# Mid-Q4 of FY2026: Q3 (July–September) has ended, so its actuals may be entered.
NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
UNKNOWN = 99_999_999
COMMENT = "Two lost accounts; the recovery plan is in the review pack."

REQUIRED = str(serializers.Field.default_error_messages["required"])
# The bulk rows read values with the one number parser (issue 14), as every path does.
NOT_A_NUMBER = numbers.NOT_A_NUMBER
NOT_A_CHOICE = str(serializers.ChoiceField.default_error_messages["invalid_choice"])
DOES_NOT_EXIST = str(serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"])
SEND_A_LIST = "Send a list of rows."


def unknown_period(label: str) -> str:
    return f'Unknown period "{label}": use the form 2026-03, FY2026-Q3 or FY2026.'


def does_not_exist(pk: int) -> str:
    return DOES_NOT_EXIST.format(pk_value=pk)


@pytest.fixture(autouse=True)
def nothing_left_pending():
    """Start and end each test with no recompute queued on the connection.

    A test's transaction is rolled back, never committed, so what it queued stays pending and
    would ride along with the next test's captured commit, naming periods (and units) that the
    rollback removed."""
    transaction.get_connection().__dict__.pop(scheduling._PENDING, None)
    yield
    transaction.get_connection().__dict__.pop(scheduling._PENDING, None)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (and the eager recompute they queue) at the block's end."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def client_for(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def perspective(order: int) -> Perspective:
    return Perspective.objects.get(order=order)


def make_kpi(objective, name: str, unit: str, **fields) -> KPI:
    return kpi_services.kpi_create(objective=objective, name=name, unit=unit, **fields)


def kpi_data_state() -> dict[str, list[dict]]:
    """Every target and actual, and their history: what a refused batch must leave alone."""
    return {
        "targets": list(Target.objects.order_by("pk").values()),
        "actuals": list(Actual.objects.order_by("pk").values()),
        "target_history": list(Target.history.order_by("history_id").values()),
        "actual_history": list(Actual.history.order_by("history_id").values()),
    }


# The scored world ------------------------------------------------------------------------------


@dataclass
class Scores:
    org: Any
    people: Any
    q2: Any
    q3: Any
    financial: Perspective
    customer: Perspective
    internal: Perspective
    deals_objective: Any
    costs_objective: Any
    customers_objective: Any
    delivery_objective: Any
    sales_revenue: KPI
    deals_won: KPI
    cost_of_sales: KPI
    net_promoter: KPI
    repeat_buyers: KPI
    delivery_days: KPI


def build_scores(org, people) -> Scores:
    q2, q3 = core.period_for_key("FY2026-Q2"), core.period_for_key("FY2026-Q3")
    financial, customer, internal = perspective(4), perspective(3), perspective(2)
    sales_card = org.north_sales.scorecard
    core.perspective_weight_set(scorecard=sales_card, perspective=financial, weight=Decimal(3))
    core.perspective_weight_set(scorecard=sales_card, perspective=customer, weight=Decimal(1))
    create_objective = strategy_services.objective_create
    deals_objective = create_objective(
        scorecard=sales_card, perspective=financial, title="Win regional deals"
    )
    costs_objective = create_objective(
        scorecard=sales_card, perspective=financial, title="Cut selling costs", weight=Decimal(3)
    )
    customers_objective = create_objective(
        scorecard=sales_card, perspective=customer, title="Delight customers"
    )
    delivery_objective = create_objective(
        scorecard=org.south_ops.scorecard, perspective=internal, title="Speed up delivery"
    )
    sales_revenue = make_kpi(deals_objective, "Sales revenue", "USD", owner=people.owner)
    deals_won = make_kpi(deals_objective, "Deals won", "deals", weight=Decimal(3))
    cost_of_sales = make_kpi(costs_objective, "Cost of sales", "%", direction=KPI.Direction.DOWN)
    net_promoter = make_kpi(customers_objective, "Net promoter score", "points")
    repeat_buyers = make_kpi(customers_objective, "Repeat buyers", "%")
    delivery_days = make_kpi(
        delivery_objective, "Delivery days", "days", direction=KPI.Direction.DOWN
    )
    for kpi, value, red_flag in (
        (sales_revenue, "100", None),
        (deals_won, "10", "9"),
        (cost_of_sales, "20", "25"),
        (net_promoter, "50", "40"),
        (repeat_buyers, "30", None),
        (delivery_days, "5", None),
    ):
        kpi_services.target_set(kpi=kpi, period=q3, value=Decimal(value), red_flag=red_flag)
    for kpi, value in (
        (sales_revenue, "104"),
        (deals_won, "9.5"),
        (cost_of_sales, "22"),
        (net_promoter, "35"),
        (delivery_days, "5"),
    ):
        kpi_services.actual_enter(kpi=kpi, period=q3, value=Decimal(value), comment=COMMENT)
    # Q2 has an actual but no target: only there to show the period filter at work.
    kpi_services.actual_enter(kpi=sales_revenue, period=q2, value=Decimal("97"))
    return Scores(
        org=org,
        people=people,
        q2=q2,
        q3=q3,
        financial=financial,
        customer=customer,
        internal=internal,
        deals_objective=deals_objective,
        costs_objective=costs_objective,
        customers_objective=customers_objective,
        delivery_objective=delivery_objective,
        sales_revenue=sales_revenue,
        deals_won=deals_won,
        cost_of_sales=cost_of_sales,
        net_promoter=net_promoter,
        repeat_buyers=repeat_buyers,
        delivery_days=delivery_days,
    )


@pytest.fixture
def scores(org, people, clock, capture) -> Scores:
    with capture():
        return build_scores(org, people)


def row(subject_type, subject_id, scorecard, value, score, status, reported, total) -> dict:
    return {
        "subject_type": subject_type,
        "subject_id": subject_id,
        "scorecard": scorecard,
        "value": value,
        "score": score,
        "status": status,
        "reported": reported,
        "total": total,
        "periods_reported": None,
        "periods_total": None,
        "provisional": False,  # FY2026 Q3 has ended by NOW
    }


def list_scores(client: APIClient, query: str) -> dict:
    response = client.get(f"/api/scores/?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def all_scores(client: APIClient, query: str) -> list[dict]:
    body = list_scores(client, f"{query}&page_size=1000")
    assert body["next"] is None
    assert body["count"] == len(body["results"])
    return body["results"]


def north_sales_q3(s: Scores) -> list[dict]:
    """Every Q3 snapshot of the North Sales scorecard, hand-worked, in the API's order
    (scorecard, subject type, subject id)."""
    card = s.org.north_sales.scorecard.pk
    k = s
    kpis = [
        # Sales revenue: (10/3)·(1 + (104 − 90)/(100 − 90)) = (10/3)·2.4 = 8, green
        row("kpi", k.sales_revenue.pk, card, "104.000000", "8.000000", "green", 1, 1),
        # Deals won: (10/3)·(1 + (9.5 − 9)/(10 − 9)) = (10/3)·1.5 = 5; 9 ≤ 9.5 < 10: amber
        row("kpi", k.deals_won.pk, card, "9.500000", "5.000000", "amber", 1, 1),
        # Cost of sales (down): (10/3)·(1 + (22 − 25)/(20 − 25)) = (10/3)·1.6 = 5.333333, amber
        row("kpi", k.cost_of_sales.pk, card, "22.000000", "5.333333", "amber", 1, 1),
        # Net promoter: (10/3)·(1 + (35 − 40)/(50 − 40)) = (10/3)·0.5 = 1.666667; 35 < 40: red
        row("kpi", k.net_promoter.pk, card, "35.000000", "1.666667", "red", 1, 1),
        # Repeat buyers: a target and no actual
        row("kpi", k.repeat_buyers.pk, card, None, None, "no_data", 0, 1),
    ]
    objectives = [
        # (8·1 + 5·3)/4 = 23/4 = 5.75, amber
        row("objective", k.deals_objective.pk, card, None, "5.750000", "amber", 2, 2),
        row("objective", k.costs_objective.pk, card, None, "5.333333", "amber", 1, 1),
        # Net promoter alone (repeat buyers has no score): 1.666667, red, 1 of 2
        row("objective", k.customers_objective.pk, card, None, "1.666667", "red", 1, 2),
    ]
    perspectives = {
        # financial: (5.75·1 + 5.333333·3)/4 = 21.749999/4 = 5.43749975 → 5.437500, amber
        k.financial.pk: row("perspective", k.financial.pk, card, None, "5.437500", "amber", 2, 2),
        k.customer.pk: row("perspective", k.customer.pk, card, None, "1.666667", "red", 1, 1),
    }
    for other in Perspective.objects.exclude(pk__in=perspectives):
        perspectives[other.pk] = row("perspective", other.pk, card, None, None, "no_data", 0, 0)
    # scorecard: (5.4375·3 + 1.666667·1)/4 = 17.979167/4 = 4.49479175 → 4.494792, amber;
    # the members are the two perspectives that hold objectives
    scorecard = row("scorecard", card, card, None, "4.494792", "amber", 2, 2)
    return [
        *sorted(kpis, key=lambda r: r["subject_id"]),
        *sorted(objectives, key=lambda r: r["subject_id"]),
        *(perspectives[pk] for pk in sorted(perspectives)),
        scorecard,
    ]


# Scores: the rows ------------------------------------------------------------------------------


def test_it_lists_the_hand_worked_scores_of_a_scorecard(scores):
    results = all_scores(
        client_for(scores.people.manager),
        f"period=FY2026-Q3&scorecard={scores.org.north_sales.scorecard.pk}",
    )
    assert results == north_sales_q3(scores)


def test_it_answers_a_kpi_row_exactly(scores):
    s = scores
    card = s.org.north_sales.scorecard.pk
    results = all_scores(
        client_for(s.people.manager), f"period=FY2026-Q3&scorecard={card}&subject_type=kpi"
    )
    sales = next(r for r in results if r["subject_id"] == s.sales_revenue.pk)
    assert sales == {
        "subject_type": "kpi",
        "subject_id": s.sales_revenue.pk,
        "scorecard": card,
        "value": "104.000000",
        "score": "8.000000",
        "status": "green",
        "reported": 1,
        "total": 1,
        "periods_reported": None,
        "periods_total": None,
        "provisional": False,
    }


def test_it_answers_an_objective_row_exactly(scores):
    s = scores
    card = s.org.north_sales.scorecard.pk
    results = all_scores(client_for(s.people.executive), "period=FY2026-Q3&subject_type=objective")
    deals = next(r for r in results if r["subject_id"] == s.deals_objective.pk)
    # (8·1 + 5·3)/(1 + 3) = 5.75: the KPI weights count, and an objective has no value
    assert deals == {
        "subject_type": "objective",
        "subject_id": s.deals_objective.pk,
        "scorecard": card,
        "value": None,
        "score": "5.750000",
        "status": "amber",
        "reported": 2,
        "total": 2,
        "periods_reported": None,
        "periods_total": None,
        "provisional": False,
    }


def test_it_answers_a_perspective_row_with_the_perspective_id_and_whose_scorecard(scores):
    s = scores
    results = all_scores(
        client_for(s.people.executive), "period=FY2026-Q3&subject_type=perspective"
    )
    financial_rows = {r["scorecard"]: r for r in results if r["subject_id"] == s.financial.pk}
    # Every recomputed scorecard has its own financial row; the id is the perspective's.
    assert set(financial_rows) == {
        s.org.acme.scorecard.pk,
        s.org.north.scorecard.pk,
        s.org.north_sales.scorecard.pk,
        s.org.south.scorecard.pk,
        s.org.south_ops.scorecard.pk,
    }
    # (5.75·1 + 5.333333·3)/(1 + 3) = 21.749999/4 = 5.43749975 → 5.437500 (half-up)
    assert financial_rows[s.org.north_sales.scorecard.pk] == {
        "subject_type": "perspective",
        "subject_id": s.financial.pk,
        "scorecard": s.org.north_sales.scorecard.pk,
        "value": None,
        "score": "5.437500",
        "status": "amber",
        "reported": 2,
        "total": 2,
        "periods_reported": None,
        "periods_total": None,
        "provisional": False,
    }
    # North has no objectives of its own (none supports anything here): no score.
    assert financial_rows[s.org.north.scorecard.pk] == row(
        "perspective", s.financial.pk, s.org.north.scorecard.pk, None, None, "no_data", 0, 0
    )
    # South Ops' only objective is internal process: delivery days 5 = target 5 → 6.666667
    internal_rows = {r["scorecard"]: r for r in results if r["subject_id"] == s.internal.pk}
    assert internal_rows[s.org.south_ops.scorecard.pk] == row(
        "perspective",
        s.internal.pk,
        s.org.south_ops.scorecard.pk,
        None,
        "6.666667",
        "green",
        1,
        1,
    )


def test_it_answers_a_scorecard_row_exactly(scores):
    s = scores
    card = s.org.north_sales.scorecard.pk
    results = all_scores(
        client_for(s.people.manager), f"period=FY2026-Q3&scorecard={card}&subject_type=scorecard"
    )
    # Perspective weights financial 3, customer 1:
    # (5.4375·3 + 1.666667·1)/4 = 17.979167/4 = 4.49479175 → 4.494792, amber (3.33 ≤ s < 6.67)
    assert results == [
        {
            "subject_type": "scorecard",
            "subject_id": card,
            "scorecard": card,
            "value": None,
            "score": "4.494792",
            "status": "amber",
            "reported": 2,
            "total": 2,
            "periods_reported": None,
            "periods_total": None,
            "provisional": False,
        }
    ]


def test_it_follows_a_new_actual_entered_through_the_service(scores, capture):
    s = scores
    with capture():
        # 110 → (10/3)·(1 + 20/10) = 10, green
        kpi_services.actual_enter(kpi=s.sales_revenue, period=s.q3, value=Decimal("110"))
    client = client_for(s.people.manager)
    card = s.org.north_sales.scorecard.pk
    results = all_scores(client, f"period=FY2026-Q3&scorecard={card}")
    by_key = {(r["subject_type"], r["subject_id"]): r for r in results}
    assert by_key["kpi", s.sales_revenue.pk] == row(
        "kpi", s.sales_revenue.pk, card, "110.000000", "10.000000", "green", 1, 1
    )
    # (10·1 + 5·3)/4 = 25/4 = 6.25, amber
    assert by_key["objective", s.deals_objective.pk]["score"] == "6.250000"
    # (6.25 + 5.333333·3)/4 = 22.249999/4 = 5.56249975 → 5.562500
    assert by_key["perspective", s.financial.pk]["score"] == "5.562500"
    # (5.5625·3 + 1.666667)/4 = 18.354167/4 = 4.58854175 → 4.588542
    assert by_key["scorecard", card]["score"] == "4.588542"


def test_it_lists_only_the_period_asked_for(scores):
    s = scores
    card = s.org.north_sales.scorecard.pk
    results = all_scores(
        client_for(s.people.manager), f"period=FY2026-Q2&scorecard={card}&subject_type=kpi"
    )
    # Q2: sales revenue has an actual (97) but no target; the other KPIs have neither.
    sales = next(r for r in results if r["subject_id"] == s.sales_revenue.pk)
    assert sales == row("kpi", s.sales_revenue.pk, card, "97.000000", None, "no_target", 1, 1)
    assert {r["status"] for r in results} == {"no_target"}


def test_it_lists_nothing_for_a_period_without_snapshots(scores):
    body = list_scores(client_for(scores.people.admin), "period=FY2025-Q1")
    assert body["count"] == 0
    assert body["results"] == []


# Scores: filters ------------------------------------------------------------------------------


def test_it_filters_by_scorecard(scores):
    s = scores
    client = client_for(s.people.executive)
    card = s.org.south_ops.scorecard.pk
    results = all_scores(client, f"period=FY2026-Q3&scorecard={card}")
    assert {r["scorecard"] for r in results} == {card}
    # 1 KPI, 1 objective, 4 perspectives, 1 scorecard
    assert len(results) == 1 + 1 + Perspective.objects.count() + 1
    assert [r for r in results if r["subject_type"] == "kpi"] == [
        # Delivery days (down) 5 = target 5: (10/3)·(1 + (5 − 5.5)/(5 − 5.5)) = 6.666667, green
        row("kpi", s.delivery_days.pk, card, "5.000000", "6.666667", "green", 1, 1)
    ]


def test_it_filters_by_subject_type(scores):
    s = scores
    results = all_scores(client_for(s.people.executive), "period=FY2026-Q3&subject_type=scorecard")
    cards = [
        s.org.acme.scorecard.pk,
        s.org.north.scorecard.pk,
        s.org.north_sales.scorecard.pk,
        s.org.south.scorecard.pk,
        s.org.south_ops.scorecard.pk,
    ]
    assert [r["subject_type"] for r in results] == ["scorecard"] * len(cards)
    assert [(r["subject_id"], r["scorecard"]) for r in results] == [(c, c) for c in sorted(cards)]
    kpi_rows = all_scores(client_for(s.people.executive), "period=FY2026-Q3&subject_type=kpi")
    assert {r["subject_id"] for r in kpi_rows} == {
        s.sales_revenue.pk,
        s.deals_won.pk,
        s.cost_of_sales.pk,
        s.net_promoter.pk,
        s.repeat_buyers.pk,
        s.delivery_days.pk,
    }


def test_it_combines_the_scorecard_and_subject_type_filters(scores):
    s = scores
    card = s.org.north_sales.scorecard.pk
    results = all_scores(
        client_for(s.people.manager), f"period=FY2026-Q3&scorecard={card}&subject_type=objective"
    )
    expected = [r for r in north_sales_q3(s) if r["subject_type"] == "objective"]
    assert results == expected


def test_it_refuses_an_unknown_subject_type(scores):
    response = client_for(scores.people.manager).get(
        "/api/scores/?period=FY2026-Q3&subject_type=team"
    )
    assert response.status_code == 400
    assert response.json() == {"subject_type": [NOT_A_CHOICE.format(input="team")]}


# Scores: the period --------------------------------------------------------------------------


def test_it_requires_a_period(scores):
    response = client_for(scores.people.manager).get("/api/scores/")
    assert response.status_code == 400
    assert response.json() == {"period": [REQUIRED]}


@pytest.mark.parametrize("label", ["FY2026-Q9", "2026"])
def test_it_refuses_a_malformed_period(scores, label):
    response = client_for(scores.people.manager).get(f"/api/scores/?period={label}")
    assert response.status_code == 400
    assert response.json() == {"period": [unknown_period(label)]}


# Scores: who sees what -----------------------------------------------------------------------


def test_it_shows_a_division_manager_only_their_subtree(scores):
    s = scores
    results = all_scores(client_for(s.people.north_manager), "period=FY2026-Q3")
    assert {r["scorecard"] for r in results} == {
        s.org.north.scorecard.pk,
        s.org.north_sales.scorecard.pk,
    }
    expected = ScoreSnapshot.objects.filter(
        period=s.q3, scorecard__in=[s.org.north.scorecard, s.org.north_sales.scorecard]
    ).count()
    assert len(results) == expected


def test_it_answers_a_hidden_scorecard_filter_with_nothing(scores):
    s = scores
    body = list_scores(
        client_for(s.people.north_manager),
        f"period=FY2026-Q3&scorecard={s.org.south_ops.scorecard.pk}",
    )
    assert body["count"] == 0
    assert body["results"] == []


def test_it_shows_an_outsider_no_scores(scores):
    body = list_scores(client_for(scores.people.outsider), "period=FY2026-Q3")
    assert body["count"] == 0
    assert body["results"] == []


@pytest.mark.parametrize("persona", ["executive", "manager", "admin"])
def test_it_shows_an_enterprise_reader_every_score(scores, persona):
    s = scores
    results = all_scores(client_for(getattr(s.people, persona)), "period=FY2026-Q3")
    assert {r["scorecard"] for r in results} == {
        s.org.acme.scorecard.pk,
        s.org.north.scorecard.pk,
        s.org.north_sales.scorecard.pk,
        s.org.south.scorecard.pk,
        s.org.south_ops.scorecard.pk,
    }
    assert len(results) == ScoreSnapshot.objects.filter(period=s.q3).count()


def test_it_refuses_scores_to_the_anonymous(scores):
    response = client_for().get("/api/scores/?period=FY2026-Q3")
    assert response.status_code == 401
    assert "results" not in response.json()


# The bulk world -------------------------------------------------------------------------------


@dataclass
class Bulk:
    org: Any
    people: Any
    q1: Any
    q2: Any
    q3: Any
    regional_revenue: KPI  # North Sales, owned by the owner; targets Q1 100, Q3 100
    deals_won: KPI  # North Sales, owned by the north manager; target Q3 10 (red flag 9)
    pipeline: KPI  # North Sales, a roll-up owned by the owner
    north_revenue: KPI  # North, a roll-up
    delivery_days: KPI  # South Ops: hidden from the owner and the north manager


@pytest.fixture
def bulk(org, people, financial, north_sales_kpi, clock) -> Bulk:
    q1, q2, q3 = (core.period_for_key(f"FY2026-Q{n}") for n in (1, 2, 3))
    objective = north_sales_kpi.objective
    rollup = {"source": KPI.Source.ROLLUP, "rollup_method": KPI.RollupMethod.SUM}
    deals_won = make_kpi(objective, "Deals won", "deals", owner=people.north_manager)
    pipeline = make_kpi(objective, "Pipeline", "USD", owner=people.owner, **rollup)
    north_objective = strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow north revenue"
    )
    north_revenue = make_kpi(north_objective, "North revenue", "USD", **rollup)
    south_objective = strategy_services.objective_create(
        scorecard=org.south_ops.scorecard, perspective=financial, title="Speed up delivery"
    )
    delivery_days = make_kpi(south_objective, "Delivery days", "days", direction=KPI.Direction.DOWN)
    kpi_services.target_set(kpi=north_sales_kpi, period=q3, value=Decimal("100"))
    kpi_services.target_set(kpi=deals_won, period=q3, value=Decimal("10"), red_flag=Decimal("9"))
    return Bulk(
        org=org,
        people=people,
        q1=q1,
        q2=q2,
        q3=q3,
        regional_revenue=north_sales_kpi,
        deals_won=deals_won,
        pipeline=pipeline,
        north_revenue=north_revenue,
        delivery_days=delivery_days,
    )


def post(client: APIClient, endpoint: str, body: Any):
    return client.post(f"/api/{endpoint}/bulk/", body, format="json")


def targets_of(kpi: KPI) -> dict[str, tuple[Decimal, Decimal | None]]:
    return {t.period.key: (t.value, t.red_flag) for t in kpi.targets.select_related("period")}


def actual_of(kpi: KPI, period) -> Actual | None:
    return Actual.objects.filter(kpi=kpi, period=period).first()


# Targets in bulk ------------------------------------------------------------------------------


def test_it_upserts_targets_in_bulk(bulk):
    b = bulk
    response = post(
        client_for(b.people.manager),
        "targets",
        [
            # an update: Q1 already has 100
            {
                "kpi": b.regional_revenue.pk,
                "period": "FY2026-Q1",
                "value": "120",
                "red_flag": "110",
            },
            # two new ones
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q2", "value": "130"},
            {"kpi": b.deals_won.pk, "period": "FY2026-Q4", "value": "12", "red_flag": "10.5"},
        ],
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"saved": 3}
    assert targets_of(b.regional_revenue) == {
        "FY2026-Q1": (Decimal("120"), Decimal("110")),
        "FY2026-Q2": (Decimal("130"), None),
        "FY2026-Q3": (Decimal("100"), None),
    }
    assert targets_of(b.deals_won) == {
        "FY2026-Q3": (Decimal("10"), Decimal("9")),
        "FY2026-Q4": (Decimal("12"), Decimal("10.5")),
    }
    # Upserted, not duplicated: one row per KPI and period.
    assert Target.objects.filter(kpi=b.regional_revenue, period=b.q1).count() == 1


GOOD_TARGET_ROW = {"period": "FY2026-Q2", "value": "130"}


@pytest.mark.parametrize(
    "bad_row, errors",
    [
        pytest.param(
            {"kpi": "deals_won", "period": "FY2026-Q2", "value": "10", "red_flag": "11"},
            {"red_flag": [RED_FLAG_ON_GOOD_SIDE]},
            id="red-flag-on-the-good-side",
        ),
        pytest.param(
            {"kpi": UNKNOWN, "period": "FY2026-Q2", "value": "10"},
            {"kpi": [does_not_exist(UNKNOWN)]},
            id="unknown-kpi",
        ),
        pytest.param(
            {"kpi": "deals_won", "period": "FY2026-Q2", "value": "NaN"},
            {"value": [NOT_A_NUMBER]},
            id="nan",
        ),
        pytest.param(
            {"kpi": "deals_won", "period": "FY2026-Q9", "value": "10"},
            {"period": [unknown_period("FY2026-Q9")]},
            id="quarter-9",
        ),
    ],
)
def test_it_refuses_a_target_batch_with_a_bad_row_and_saves_nothing(bulk, bad_row, errors):
    b = bulk
    if bad_row["kpi"] == "deals_won":
        bad_row = {**bad_row, "kpi": b.deals_won.pk}
    before = kpi_data_state()
    response = post(
        client_for(b.people.manager),
        "targets",
        [{"kpi": b.regional_revenue.pk, **GOOD_TARGET_ROW}, bad_row],
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"errors": [{"index": 1, "fields": errors}]}
    # Row 0 was good, yet nothing of the batch was kept.
    assert kpi_data_state() == before
    assert not Target.objects.filter(kpi=b.regional_revenue, period=b.q2).exists()


def test_it_refuses_a_lone_bad_target_row_with_its_index(bulk):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.manager),
        "targets",
        [{"kpi": UNKNOWN, "period": "FY2026-Q2", "value": "10"}],
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"index": 0, "fields": {"kpi": [does_not_exist(UNKNOWN)]}}]
    }
    assert kpi_data_state() == before


def test_it_refuses_targets_from_an_owner_and_saves_nothing(bulk):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.owner),
        "targets",
        [{"kpi": b.regional_revenue.pk, "period": "FY2026-Q1", "value": "150"}],
    )
    assert response.status_code == 403
    assert response.json() == {"detail": f"Row 0: {REFUSED}"}
    assert kpi_data_state() == before
    assert targets_of(b.regional_revenue)["FY2026-Q1"] == (Decimal("100"), None)


def test_it_refuses_a_target_batch_that_is_not_a_list(bulk):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.manager),
        "targets",
        {"kpi": b.regional_revenue.pk, "period": "FY2026-Q1", "value": "150"},
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [SEND_A_LIST]}
    assert kpi_data_state() == before


def test_it_refuses_targets_from_the_anonymous(bulk):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(),
        "targets",
        [{"kpi": b.regional_revenue.pk, "period": "FY2026-Q1", "value": "150"}],
    )
    assert response.status_code == 401
    assert kpi_data_state() == before


# Actuals in bulk ------------------------------------------------------------------------------


def test_it_lets_an_owner_enter_actuals_for_their_kpi(bulk):
    b = bulk
    response = post(
        client_for(b.people.owner),
        "actuals",
        [
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": "104", "comment": "Q"},
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q2", "value": "97.25"},
        ],
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"saved": 2}
    q3 = actual_of(b.regional_revenue, b.q3)
    q2 = actual_of(b.regional_revenue, b.q2)
    assert (q3.value, q3.comment, q3.source, q3.entered_by, q3.version) == (
        Decimal("104"),
        "Q",
        Actual.Source.API,
        b.people.owner,
        1,
    )
    assert q3.entered_at == NOW
    assert (q2.value, q2.comment, q2.source, q2.entered_by, q2.version) == (
        Decimal("97.25"),
        "",
        Actual.Source.API,
        b.people.owner,
        1,
    )


def test_it_recomputes_the_scores_after_a_bulk_entry(bulk, capture):
    b = bulk
    with capture():
        response = post(
            client_for(b.people.owner),
            "actuals",
            [{"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": "104"}],
        )
    assert response.status_code == 200, response.content
    card = b.org.north_sales.scorecard.pk
    results = all_scores(
        client_for(b.people.owner), f"period=FY2026-Q3&scorecard={card}&subject_type=kpi"
    )
    regional = next(r for r in results if r["subject_id"] == b.regional_revenue.pk)
    # (10/3)·(1 + (104 − 90)/(100 − 90)) = 8, green
    assert regional == row(
        "kpi", b.regional_revenue.pk, card, "104.000000", "8.000000", "green", 1, 1
    )


def test_it_refuses_an_actual_for_a_kpi_the_owner_sees_but_does_not_own(bulk):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.owner),
        "actuals",
        [
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": "104"},
            {"kpi": b.deals_won.pk, "period": "FY2026-Q3", "value": "10"},
        ],
    )
    assert response.status_code == 403
    assert response.json() == {"detail": f"Row 1: {REFUSED}"}
    assert kpi_data_state() == before


def test_it_answers_an_actual_for_a_hidden_kpi_like_an_unknown_one(bulk):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.owner),
        "actuals",
        [
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": "104"},
            {"kpi": b.delivery_days.pk, "period": "FY2026-Q3", "value": "4"},
        ],
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"index": 1, "fields": {"kpi": [does_not_exist(b.delivery_days.pk)]}}]
    }
    assert kpi_data_state() == before


def test_it_refuses_a_red_actual_without_a_comment(bulk):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.north_manager),
        "actuals",
        [
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": "104"},
            # deals won: target 10, red flag 9; 8 < 9 is red
            {"kpi": b.deals_won.pk, "period": "FY2026-Q3", "value": "8"},
        ],
    )
    assert response.status_code == 400
    assert response.json() == {"errors": [{"index": 1, "fields": {"comment": [RED_NEEDS_COMMENT]}}]}
    assert kpi_data_state() == before


def test_it_accepts_a_red_actual_with_a_comment(bulk):
    b = bulk
    response = post(
        client_for(b.people.north_manager),
        "actuals",
        [{"kpi": b.deals_won.pk, "period": "FY2026-Q3", "value": "8", "comment": COMMENT}],
    )
    assert response.status_code == 200, response.content
    assert actual_of(b.deals_won, b.q3).comment == COMMENT


@pytest.fixture
def entered_twice(bulk) -> Actual:
    """Regional revenue Q3 entered on a form by the north manager, then corrected: version 2."""
    for value in ("100", "101"):
        kpi_services.actual_enter(
            kpi=bulk.regional_revenue,
            period=bulk.q3,
            value=Decimal(value),
            by=bulk.people.north_manager,
        )
    actual = actual_of(bulk.regional_revenue, bulk.q3)
    assert (actual.value, actual.version) == (Decimal("101"), 2)
    return actual


def test_it_refuses_a_stale_version_with_409_and_saves_nothing(bulk, entered_twice):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.owner),
        "actuals",
        [
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q2", "value": "97"},
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": "105", "version": 1},
        ],
    )
    assert response.status_code == 409
    assert response.json() == {
        "row": 1,
        "errors": {"version": [STALE_VERSION.format(value="101.0", version=2)]},
        "current": {"value": "101.000000", "version": 2},
    }
    assert kpi_data_state() == before
    assert actual_of(b.regional_revenue, b.q2) is None
    current = actual_of(b.regional_revenue, b.q3)
    assert (current.value, current.version) == (Decimal("101"), 2)


def test_it_accepts_the_current_version(bulk, entered_twice):
    b = bulk
    response = post(
        client_for(b.people.owner),
        "actuals",
        [{"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": "105", "version": 2}],
    )
    assert response.status_code == 200, response.content
    current = actual_of(b.regional_revenue, b.q3)
    assert (current.value, current.version, current.entered_by) == (
        Decimal("105"),
        3,
        b.people.owner,
    )


def test_it_overwrites_without_a_version_and_keeps_the_history(bulk, entered_twice):
    b = bulk
    response = post(
        client_for(b.people.owner),
        "actuals",
        [{"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": "103"}],
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"saved": 1}
    current = actual_of(b.regional_revenue, b.q3)
    assert (current.value, current.version, current.source, current.entered_by) == (
        Decimal("103"),
        3,
        Actual.Source.API,
        b.people.owner,
    )
    history = list(Actual.history.filter(id=current.pk).order_by("history_id"))
    assert [(h.history_type, h.value, h.version, h.source, h.entered_by_id) for h in history] == [
        ("+", Decimal("100"), 1, Actual.Source.FORM, b.people.north_manager.pk),
        ("~", Decimal("101"), 2, Actual.Source.FORM, b.people.north_manager.pk),
        ("~", Decimal("103"), 3, Actual.Source.API, b.people.owner.pk),
    ]
    assert history[-1].source == "api"


def test_it_refuses_an_actual_for_a_rollup_kpi(bulk):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.manager),
        "actuals",
        [
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": "104"},
            {"kpi": b.north_revenue.pk, "period": "FY2026-Q3", "value": "250"},
        ],
    )
    assert response.status_code == 400
    assert response.json() == {"errors": [{"index": 1, "fields": {"kpi": [ACTUAL_ON_ROLLUP]}}]}
    assert kpi_data_state() == before


def test_it_refuses_an_owner_actual_for_their_own_rollup_kpi(bulk):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.owner),
        "actuals",
        [{"kpi": b.pipeline.pk, "period": "FY2026-Q3", "value": "250"}],
    )
    assert response.status_code == 400
    assert response.json() == {"errors": [{"index": 0, "fields": {"kpi": [ACTUAL_ON_ROLLUP]}}]}
    assert kpi_data_state() == before


def test_it_refuses_an_actual_batch_that_is_not_a_list(bulk):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.owner),
        "actuals",
        {"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": "104"},
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [SEND_A_LIST]}
    assert kpi_data_state() == before


def test_it_refuses_actuals_from_the_anonymous(bulk):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(),
        "actuals",
        [{"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": "104"}],
    )
    assert response.status_code == 401
    assert kpi_data_state() == before


# Every bad row at once ------------------------------------------------------------------------

NOT_A_DICT = str(serializers.Serializer.default_error_messages["invalid"]).format(datatype="str")


def test_it_names_every_bad_row_of_a_batch_at_once(bulk):
    # Rows 1 and 3 fail their fields, row 4 the service (red without a comment), row 2 is
    # not a row at all; rows 0 and 5 are good, yet nothing is saved.
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.north_manager),
        "actuals",
        [
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": "104"},
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q2", "value": "many"},
            "not a row",
            {"kpi": UNKNOWN, "period": "FY2026-Q3", "value": "5"},
            {"kpi": b.deals_won.pk, "period": "FY2026-Q3", "value": "8"},
            {"kpi": b.deals_won.pk, "period": "FY2026-Q2", "value": "11"},
        ],
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"index": 1, "fields": {"value": [NOT_A_NUMBER]}},
            {"index": 2, "fields": {"non_field_errors": [NOT_A_DICT]}},
            {"index": 3, "fields": {"kpi": [does_not_exist(UNKNOWN)]}},
            {"index": 4, "fields": {"comment": [RED_NEEDS_COMMENT]}},
        ]
    }
    assert kpi_data_state() == before


def test_it_names_every_bad_target_row_the_service_refuses(bulk):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.manager),
        "targets",
        [
            {
                "kpi": b.regional_revenue.pk,
                "period": "FY2026-Q2",
                "value": "100",
                "red_flag": "120",
            },
            {"kpi": b.deals_won.pk, "period": "FY2026-Q2", "value": "10"},
            {"kpi": b.deals_won.pk, "period": "FY2026-Q4", "value": "10", "red_flag": "11"},
        ],
    )
    assert response.status_code == 400
    indexes = [entry["index"] for entry in response.json()["errors"]]
    assert indexes == [0, 2]
    assert all(set(entry["fields"]) == {"red_flag"} for entry in response.json()["errors"])
    assert kpi_data_state() == before


def test_it_answers_400_not_409_when_a_stale_batch_also_has_a_bad_row(bulk, entered_twice):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.owner),
        "actuals",
        [
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": "105", "version": 1},
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q2", "value": "NaN"},
        ],
    )
    assert response.status_code == 400
    assert response.json() == {"errors": [{"index": 1, "fields": {"value": [NOT_A_NUMBER]}}]}
    assert kpi_data_state() == before


def test_it_answers_400_not_409_when_the_service_refuses_a_row_after_a_stale_one(
    bulk, entered_twice
):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.manager),
        "actuals",
        [
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": "105", "version": 1},
            {"kpi": b.north_revenue.pk, "period": "FY2026-Q3", "value": "250"},
        ],
    )
    assert response.status_code == 400
    assert response.json() == {"errors": [{"index": 1, "fields": {"kpi": [ACTUAL_ON_ROLLUP]}}]}
    assert kpi_data_state() == before


def test_it_refuses_a_row_the_caller_may_not_write_for_the_whole_valid_batch(bulk):
    # The owner may enter their own KPI's actuals, not the north manager's deals won.
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.owner),
        "actuals",
        [
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": "104"},
            {"kpi": b.deals_won.pk, "period": "FY2026-Q3", "value": "11"},
        ],
    )
    assert response.status_code == 403
    assert response.json() == {"detail": f"Row 1: {REFUSED}"}
    assert kpi_data_state() == before


def test_it_answers_the_bad_rows_first_when_a_row_may_not_be_written_either(bulk):
    b = bulk
    before = kpi_data_state()
    response = post(
        client_for(b.people.owner),
        "actuals",
        [
            {"kpi": b.deals_won.pk, "period": "FY2026-Q3", "value": "11"},
            {"kpi": b.regional_revenue.pk, "period": "FY2026-Q3", "value": ""},
        ],
    )
    assert response.status_code == 400
    assert [entry["index"] for entry in response.json()["errors"]] == [1]
    assert kpi_data_state() == before
