"""The rule "a red actual needs a comment" does not depend on the order of entry (issue 13,
observation 6).

An actual entered before its quarter has a target cannot be red, so it is saved without a
comment. When a target (or a red flag) arrives later and makes it red, the owner is asked for
the comment: an in-app notification, a flag on the row of My updates, and the review agenda
lists it. The rule is one function, `kpis.red_comments.red_without_comment`.

The world: North Sales holds "Regional revenue" (USD, higher is better, tolerance 10 %), owned
by the owner persona; its FY2026 Q1 actual is 80, entered on 12 May 2026 with no comment and
no target. A target of 100 puts the default red flag at 100 − 10 % × 100 = 90: 80 is below it,
so red. A target of 85 puts it at 76.5: 80 is amber.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import KPI, Actual, Target
from kpis.red_comments import red_without_comment
from reviews import services as review_services
from reviews.models import Finding, Notification, ReminderLog
from scorecard import services as core
from strategy import services as strategy_services

pytestmark = pytest.mark.django_db(transaction=True)

Q1 = "FY2026-Q1"
ASK_TITLE = "Add a comment: Regional revenue is red in FY2026 Q1"
ROW_FLAG = "Needs a comment: the new target makes this red."


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 5, 12, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def kpi(clock, org, people, financial):
    objective = strategy_services.objective_create(
        scorecard=org.north_sales.scorecard, perspective=financial, title="Grow regional revenue"
    )
    kpi = kpi_services.kpi_create(
        objective=objective, name="Regional revenue", unit="USD", owner=people.owner
    )
    kpi_services.actual_enter(
        kpi=kpi, period=core.period_for_key(Q1), value=Decimal("80"), by=people.owner
    )
    return kpi


def asks_for_a_comment() -> list[tuple[str, str, str]]:
    return list(
        Notification.objects.filter(title__startswith="Add a comment").values_list(
            "recipient__username", "title", "url"
        )
    )


def my_updates_page(client, people) -> str:
    client.force_login(people.owner)
    return client.get(f"{reverse('kpis:my_updates')}?period={Q1}").content.decode()


# Each path that writes a target, driven as a person drives it.


def through_the_service(client, org, people, kpi, *, value="100", red_flag=None):
    kpi_services.target_set(kpi=kpi, period=core.period_for_key(Q1), value=value, red_flag=red_flag)


def through_the_bulk_api(client, org, people, kpi, *, value="100", red_flag=None):
    api = APIClient()
    api.force_authenticate(people.north_manager)
    row = {"kpi": kpi.pk, "period": Q1, "value": value, "red_flag": red_flag}
    response = api.post("/api/targets/bulk/", [row], format="json")
    assert response.status_code == 200, response.content


def through_the_targets_grid(client, org, people, kpi, *, value="100", red_flag=None):
    client.force_login(people.north_manager)
    url = f"{reverse('editor:targets', args=[org.north_sales.slug])}?year=2026"
    cells = {f"target-{kpi.pk}-2026-1": value, f"red-{kpi.pk}-2026-1": red_flag or ""}
    response = client.post(url, cells)
    assert response.status_code == 302


def through_the_roll_forward(client, org, people, kpi, *, value="100", red_flag=None):
    kpi_services.target_set(
        kpi=kpi, period=core.period_for_key("FY2025-Q1"), value=value, red_flag=red_flag
    )
    client.force_login(people.north_manager)
    response = client.post(
        reverse("editor:roll_forward", args=[org.north_sales.slug]), {"year": "2025"}
    )
    assert response.status_code == 302


PATHS = [
    through_the_service,
    through_the_bulk_api,
    through_the_targets_grid,
    through_the_roll_forward,
]


@pytest.mark.parametrize("write_target", PATHS, ids=lambda path: path.__name__)
def test_a_target_that_makes_the_actual_red_asks_the_owner_for_a_comment(
    client, org, people, kpi, write_target
):
    write_target(client, org, people, kpi)

    assert Target.objects.get(kpi=kpi, period=core.period_for_key(Q1)).value == Decimal("100")
    assert asks_for_a_comment() == [
        ("owner", ASK_TITLE, f"{reverse('kpis:my_updates')}?period={Q1}")
    ]
    assert ROW_FLAG in my_updates_page(client, people)


def test_a_red_flag_that_arrives_later_asks_too(client, org, people, kpi):
    # Red flag 70: 80 lies between it and the target of 100, amber. Then 85: 80 < 85, red.
    through_the_service(client, org, people, kpi, value="100", red_flag="70")
    assert asks_for_a_comment() == []

    through_the_service(client, org, people, kpi, value="100", red_flag="85")

    assert [title for _, title, _ in asks_for_a_comment()] == [ASK_TITLE]


def test_the_owner_is_asked_once_however_often_the_target_changes(client, org, people, kpi):
    through_the_service(client, org, people, kpi, value="100")
    through_the_service(client, org, people, kpi, value="101")

    assert len(asks_for_a_comment()) == 1
    assert ReminderLog.objects.filter(person=people.owner, step="ask_comment").count() == 1


def test_a_target_that_leaves_the_actual_amber_asks_nothing(client, org, people, kpi):
    through_the_service(client, org, people, kpi, value="85")

    assert asks_for_a_comment() == []
    assert ROW_FLAG not in my_updates_page(client, people)


def test_an_actual_that_has_a_comment_is_not_flagged(client, org, people, kpi):
    q1 = core.period_for_key(Q1)
    kpi_services.actual_enter(
        kpi=kpi, period=q1, value=Decimal("80"), comment="Two deals slipped.", by=people.owner
    )

    through_the_service(client, org, people, kpi, value="100")

    assert asks_for_a_comment() == []
    assert ROW_FLAG not in my_updates_page(client, people)


def test_nothing_is_asked_when_the_organization_wants_no_comments(client, org, people, kpi):
    core.organization_settings_update(red_needs_comment=False)

    through_the_service(client, org, people, kpi, value="100")

    assert asks_for_a_comment() == []
    assert ROW_FLAG not in my_updates_page(client, people)


def test_the_flag_goes_once_the_owner_comments(client, org, people, kpi):
    through_the_service(client, org, people, kpi, value="100")
    client.force_login(people.owner)

    client.post(
        f"{reverse('kpis:actual_save', args=[kpi.pk])}?period={Q1}",
        {"value": "80", "comment": "Two deals slipped to Q2.", "version": "1"},
    )

    assert Actual.objects.get(kpi=kpi).comment == "Two deals slipped to Q2."
    assert ROW_FLAG not in my_updates_page(client, people)


def test_the_review_agenda_lists_the_red_actual_without_a_comment(client, org, people, kpi):
    through_the_service(client, org, people, kpi, value="100")
    review = review_services.review_create(
        scorecard=org.north_sales.scorecard, period=core.period_for_key(Q1)
    )

    review_services.review_open(review=review)

    # 80 against 100, red flag 90: 10/3 × (1 + (80 − 90)/(100 − 90)) = 0.
    assert list(review.findings.filter(kpi=kpi).values_list("kind", "headline")) == [
        (
            Finding.Kind.PERFORMANCE_GAP,
            "Regional revenue: off target, score 0.0 — no comment from its owner yet",
        )
    ]


def test_entering_a_red_actual_still_needs_a_comment(client, org, people, kpi):
    q1 = core.period_for_key(Q1)
    through_the_service(client, org, people, kpi, value="100")

    with pytest.raises(ValidationError) as refused:
        kpi_services.actual_enter(kpi=kpi, period=q1, value=Decimal("70"), by=people.owner)

    assert refused.value.message_dict == {"comment": [kpi_services.RED_NEEDS_COMMENT]}
    assert Actual.objects.get(kpi=kpi).value == Decimal("80")


# The rule itself, on unsaved rows: target 100, tolerance 10 %.


def rule(*, direction="up", actual="80", comment="", target="100", red_flag=None):
    kpi = KPI(direction=direction, tolerance_pct=Decimal("10"))
    flag = None if red_flag is None else Decimal(red_flag)
    return red_without_comment(
        kpi=kpi,
        actual=Actual(value=Decimal(actual), comment=comment),
        target=Target(value=Decimal(target), red_flag=flag),
        required=True,
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # Up, red flag 90: only a result below 90 is red; 90 itself is amber.
        ({"actual": "89.99"}, True),
        ({"actual": "90"}, False),
        ({"actual": "80", "comment": "Lost a key account."}, False),
        # Down, red flag 100 + 10 % = 110: above 110 is red.
        ({"direction": "down", "actual": "110.01"}, True),
        ({"direction": "down", "actual": "110"}, False),
        # An explicit red flag of 70: 80 is amber.
        ({"actual": "80", "red_flag": "70"}, False),
        # A red flag on the good side (as after a direction flip): no status, so no rule,
        # and no error either.
        ({"actual": "80", "red_flag": "110"}, False),
    ],
)
def test_the_rule_is_red_and_no_comment(case, expected):
    assert rule(**case) is expected


def test_the_rule_needs_an_actual_and_a_target():
    kpi = KPI(direction="up", tolerance_pct=Decimal("10"))

    assert not red_without_comment(kpi=kpi, actual=None, target=Target(value=100), required=True)
    assert not red_without_comment(
        kpi=kpi, actual=Actual(value=Decimal(80), comment=""), target=None, required=True
    )


def test_the_rule_follows_the_organization_setting():
    kpi = KPI(direction="up", tolerance_pct=Decimal("10"))
    actual = Actual(value=Decimal(80), comment="")

    assert not red_without_comment(
        kpi=kpi, actual=actual, target=Target(value=Decimal(100)), required=False
    )
