"""Reminders follow each KPI's frequency, and the bulk API keeps taking a period of any grain
and refusing one that is not the KPI's (issue 15, item 2).

North Sales holds three KPIs of the owner's: "Orders shipped" (monthly), "Regional revenue"
(quarterly) and "Staff survey score" (yearly). The fiscal year is the calendar year, with
the default 7 lead days and 10 grace days: a period ending on E is "due soon" from E − 7."""

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import Actual
from reviews import reminders
from reviews.models import Notification, ReminderLog
from scorecard import services as core
from strategy import services as strategy_services


@pytest.fixture
def measures(org, people, financial):
    objective = strategy_services.objective_create(
        scorecard=org.north_sales.scorecard, perspective=financial, title="Serve customers"
    )

    def make(name, frequency):
        return kpi_services.kpi_create(
            objective=objective, name=name, owner=people.owner, frequency=frequency
        )

    return {
        "month": make("Orders shipped", "month"),
        "quarter": make("Regional revenue", "quarter"),
        "year": make("Staff survey score", "year"),
    }


def sweep(day: dt.date):
    with time_machine.travel(dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC), tick=False):
        reminders.sweep(today=day)


def due_soon(person) -> list[tuple[str, str]]:
    """(period key, subject) of each "due soon" reminder the person was sent."""
    return sorted(
        (log.period_key, log.subject)
        for log in ReminderLog.objects.filter(person=person, step=ReminderLog.Step.BEFORE_END)
    )


def test_it_reminds_a_monthly_kpi_before_its_month_closes(people, measures):
    # 24 February: 28 February is 4 days away (within 7); Q1 ends 31 March, 35 days away.
    sweep(dt.date(2026, 2, 24))

    assert due_soon(people.owner) == [("2026-02", f"kpi:{measures['month'].pk}")]
    notice = Notification.objects.get(recipient=people.owner)
    assert notice.title == "Actuals for Feb 2026 are due by 28 Feb 2026"
    assert notice.url == "/my-updates/?period=2026-02"
    assert "Orders shipped" in notice.body
    assert "Regional revenue" not in notice.body


def test_it_reminds_a_quarterly_kpi_before_its_quarter_and_the_monthly_one_for_its_month(
    people, measures
):
    # 25 March: the end of March and of Q1 are both 6 days away; FY2026 is far off.
    sweep(dt.date(2026, 3, 25))

    assert due_soon(people.owner) == [
        ("2026-03", f"kpi:{measures['month'].pk}"),
        ("FY2026-Q1", f"kpi:{measures['quarter'].pk}"),
    ]


def test_it_reminds_a_yearly_kpi_only_before_its_year_closes(people, measures):
    sweep(dt.date(2026, 9, 24))  # Q3 ends in 6 days: no year yet
    assert ("FY2026", f"kpi:{measures['year'].pk}") not in due_soon(people.owner)

    sweep(dt.date(2026, 12, 26))  # 31 December is 5 days away

    assert ("FY2026", f"kpi:{measures['year'].pk}") in due_soon(people.owner)


def test_it_does_not_remind_a_monthly_kpi_whose_month_is_entered(people, measures):
    with time_machine.travel(dt.datetime(2026, 2, 20, 9, tzinfo=dt.UTC), tick=False):
        kpi_services.actual_enter(
            kpi=measures["month"], period=core.period_for_key("2026-02"), value="40"
        )

    sweep(dt.date(2026, 2, 24))

    assert due_soon(people.owner) == []


def test_the_escalation_names_a_monthly_kpi_after_its_months_grace_days(people, measures):
    # January ended on the 31st; its 10 grace days run to 10 February.
    sweep(dt.date(2026, 2, 11))

    escalations = ReminderLog.objects.filter(step=ReminderLog.Step.ESCALATION)
    assert {log.period_key for log in escalations} >= {"2026-01"}
    assert Notification.objects.filter(
        kind=Notification.Kind.ESCALATION, title="North Sales: actuals missing for Jan 2026"
    ).exists()


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people.owner)
    return client


def test_the_bulk_api_takes_a_month_for_a_monthly_kpi(api, measures):
    with time_machine.travel(dt.datetime(2026, 5, 15, 9, tzinfo=dt.UTC), tick=False):
        response = api.post(
            "/api/actuals/bulk/",
            [{"kpi": measures["month"].pk, "period": "2026-03", "value": "42"}],
            format="json",
        )

    assert response.status_code == 200
    assert response.json() == {"saved": 1}
    assert Actual.objects.get(kpi=measures["month"]).period.key == "2026-03"


def test_the_bulk_api_refuses_a_quarter_for_a_monthly_kpi_with_a_field_error(api, measures):
    with time_machine.travel(dt.datetime(2026, 5, 15, 9, tzinfo=dt.UTC), tick=False):
        response = api.post(
            "/api/actuals/bulk/",
            [
                {"kpi": measures["quarter"].pk, "period": "FY2026-Q1", "value": "7"},
                {"kpi": measures["month"].pk, "period": "FY2026-Q1", "value": "42"},
            ],
            format="json",
        )

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "index": 1,
                "fields": {
                    "period": [
                        "Orders shipped is reported monthly: enter it for a month such as "
                        "2026-03, not FY2026 Q1."
                    ]
                },
            }
        ]
    }
    assert not Actual.objects.exists()
