"""The daily reminder sweep, walked day by day through FY2026 Q2 (1 April – 30 June 2026)
and into Q3, with the default 7 lead days and 10 grace days.

- North Sales' KPI (owner: owner) has its Q1 actual and gets its Q2 actual on 2 July;
- South Ops' KPI (owner: south_team_manager, who manages South Ops) never gets one;
- an action of North Sales owned by owner is due 1 June and stays open;
- the Q1 review of North Sales meets on 20 April (facilitator north_manager, participant owner).
"""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from celery.exceptions import Retry
from django.core import mail
from django.core.management import CommandError, call_command

from kpis import services as kpi_services
from reviews import reminders, services
from reviews.models import Notification, ReminderLog
from scorecard import services as core
from strategy import services as strategy_services


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC), tick=False)


@pytest.fixture
def quarter(org, people, financial, north_sales_kpi):
    q1, q2 = core.period_for_key("FY2026-Q1"), core.period_for_key("FY2026-Q2")
    ops = strategy_services.objective_create(
        scorecard=org.south_ops.scorecard, perspective=financial, title="Cut handling cost",
        owner=people.south_team_manager,
    )  # fmt: skip
    kpi_services.kpi_create(
        objective=ops, name="Cost per order", unit="USD", direction="down",
        owner=people.south_team_manager,
    )  # fmt: skip
    with at(dt.date(2026, 4, 1)):
        kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value="101", by=people.owner)
        item = services.action_item_create(
            scorecard=org.north_sales.scorecard, title="Call the lost account",
            owner=people.owner, due_date=dt.date(2026, 6, 1),
        )  # fmt: skip
        services.review_create(
            scorecard=org.north_sales.scorecard, period=q1, meeting_date=dt.date(2026, 4, 20),
            facilitator=people.north_manager, participants=[people.owner],
        )  # fmt: skip
    return {"q2": q2, "item": item, "kpi": north_sales_kpi}


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Sweep on a day, running what waits for the commit (the e-mail) as the task would."""

    def run(day: dt.date) -> list[tuple[str, str, str]]:
        with at(day), django_capture_on_commit_callbacks(execute=True):
            return reminders.sweep(today=day).sent

    return run


def test_it_sends_exactly_the_reminders_due_on_each_day_of_the_quarter(quarter, people, sweep):
    expected = {
        # Q1's last call, caught up in the grace days.
        dt.date(2026, 4, 9): [("actual_due", "south_team_manager", "last_day")],
        # Q1's grace days are over: South Ops' manager hears who is missing.
        dt.date(2026, 4, 10): [("escalation", "south_team_manager", "escalation")],
        dt.date(2026, 4, 16): [],
        dt.date(2026, 4, 17): [
            ("review_meeting", "north_manager", "meeting"),
            ("review_meeting", "owner", "meeting"),
        ],
        dt.date(2026, 4, 21): [],
        # 21 days late, ISO week 26.
        dt.date(2026, 6, 22): [("action_overdue", "owner", "2026-W26")],
        # Seven days before the quarter ends.
        dt.date(2026, 6, 23): [
            ("actual_due", "owner", "before_end"),
            ("actual_due", "south_team_manager", "before_end"),
        ],
        dt.date(2026, 6, 24): [],
        dt.date(2026, 6, 30): [
            ("actual_due", "owner", "last_day"),
            ("actual_due", "south_team_manager", "last_day"),
            ("action_overdue", "owner", "2026-W27"),
        ],
        dt.date(2026, 7, 9): [
            ("action_overdue", "owner", "2026-W28"),
            # 38 days late: North's manager hears once.
            ("action_overdue", "north_manager", "escalation"),
        ],
        # North Sales reported on 2 July; only South Ops is escalated.
        dt.date(2026, 7, 10): [("escalation", "south_team_manager", "escalation")],
    }
    sent = {}
    for day in expected:
        if day == dt.date(2026, 7, 9):
            with at(dt.date(2026, 7, 2)):
                kpi_services.actual_enter(
                    kpi=quarter["kpi"], period=quarter["q2"], value="98", by=people.owner
                )
        sent[day] = sweep(day)
        assert sweep(day) == [], f"a second sweep on {day} sent again"
    assert sent == expected


def test_it_sends_no_due_soon_reminder_once_the_escalation_is_due(quarter, sweep):
    # The sweeps of June and early July never ran; the first one after is on 15 July.
    sent = sweep(dt.date(2026, 7, 15))

    assert ("actual_due", "owner", "before_end") not in sent
    assert ("actual_due", "owner", "last_day") not in sent
    assert ("escalation", "north_manager", "escalation") in sent


def test_it_lists_the_missing_kpis_and_links_to_my_updates(quarter, sweep):
    sweep(dt.date(2026, 6, 23))

    note = Notification.objects.get(recipient__username="owner", kind="actual_due")
    # The text names the place in the app; its e-mail writes it out with the site's address.
    assert note.title == "Actuals for FY2026 Q2 are due by 30 Jun 2026"
    assert note.url == "/my-updates/?period=FY2026-Q2"
    assert note.body == (
        "No actual has been entered yet for:\n- Regional revenue (North Sales)\n\n"
        "/my-updates/?period=FY2026-Q2"
    )
    owner_mail = next(message for message in mail.outbox if message.to == ["owner@example.com"])
    assert (
        "- Regional revenue (North Sales)\n\nhttp://127.0.0.1:8000/my-updates/?period=FY2026-Q2"
        in owner_mail.body
    )


def test_it_records_every_reminder_under_its_unique_key(quarter, sweep):
    sweep(dt.date(2026, 6, 23))

    keys = set(ReminderLog.objects.values_list("kind", "person__username", "period_key", "step"))
    assert ("actual_due", "owner", "FY2026-Q2", "before_end") in keys
    assert ("action_overdue", "owner", "", "2026-W26") in keys


def test_it_keeps_a_reminder_whose_mail_failed_and_retries_the_mail(quarter, monkeypatch, sweep):
    from reviews import mail as review_mail
    from reviews.tasks import email_notification

    def broken(notification):
        raise OSError("mail server down")

    monkeypatch.setattr(review_mail, "send_notification", broken)
    # The task asks Celery to try again later (with backoff) instead of giving up.
    with pytest.raises(Retry):
        sweep(dt.date(2026, 6, 23))
    monkeypatch.undo()

    note = Notification.objects.get(recipient__username="owner", kind="actual_due")
    assert note.emailed_at is None
    assert email_notification(note.pk) is True
    assert email_notification(note.pk) is False
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_it_runs_as_a_command_with_a_date(quarter):
    output = StringIO()

    call_command("send_reminders", "--today", "2026-06-23", stdout=output)

    # Both owners' "due soon", Q1's escalation for South Ops (never run before) and the
    # overdue action's weekly reminder.
    assert output.getvalue().splitlines()[-1] == "Sent 4 reminders for 2026-06-23."


def test_it_refuses_a_bad_date_on_the_command(quarter):
    with pytest.raises(CommandError) as refused:
        call_command("send_reminders", "--today", "23/06/2026")

    assert str(refused.value) == 'Unknown date "23/06/2026": use the form 2026-03-31.'
