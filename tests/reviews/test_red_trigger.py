"""A KPI that turns red in one of the latest quarters: its owner and the unit's managers hear
the same day, and a draft action waits for the owner."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from kpis import recompute
from kpis import services as kpi_services
from reviews.models import ActionItem, Notification, ReminderLog
from reviews.services import email_opt_outs_set
from scorecard import services as core
from scorecard.models import OrganizationSettings


def notifications():
    return list(
        Notification.objects.order_by("recipient__username").values_list(
            "recipient__username", "kind", "title"
        )
    )


def test_it_notifies_the_owner_and_the_nearest_managers(red_kpi):
    # North Sales has no manager of its own; North's manager is the nearest one above it.
    assert notifications() == [
        ("north_manager", "kpi_red", "Regional revenue turned red in FY2026 Q1"),
        ("owner", "kpi_red", "Regional revenue turned red in FY2026 Q1"),
    ]


def test_it_drafts_an_action_for_the_owner_due_in_two_weeks(red_kpi, people):
    draft = ActionItem.objects.get()

    assert (draft.title, draft.owner, draft.kpi, draft.is_draft, draft.due_date) == (
        "Recover Regional revenue",
        people.owner,
        red_kpi,
        True,
        dt.date(2026, 5, 26),
    )
    assert Notification.objects.get(recipient=people.owner).url == f"/actions/{draft.pk}/"


def test_it_mails_plain_text_and_html_with_a_link(red_kpi):
    owner_mail = next(message for message in mail.outbox if message.to == ["owner@example.com"])
    draft = ActionItem.objects.get()

    assert owner_mail.subject == "[Sightline] Regional revenue turned red in FY2026 Q1"
    assert f"http://127.0.0.1:8000/actions/{draft.pk}/" in owner_mail.body
    html, mime = owner_mail.alternatives[0]
    assert mime == "text/html"
    assert f'href="http://127.0.0.1:8000/actions/{draft.pk}/"' in html


def test_it_tells_each_person_once_per_quarter_when_a_kpi_turns_red_again(
    red_kpi, people, q1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(
            kpi=red_kpi, period=q1, value=Decimal("95"), by=people.owner, based_on_version=1
        )
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(
            kpi=red_kpi, period=q1, value=Decimal("70"), comment="Worse.", by=people.owner,
            based_on_version=2,
        )  # fmt: skip

    assert Notification.objects.count() == 2
    assert ActionItem.objects.count() == 1
    assert ReminderLog.objects.filter(step="turned_red").count() == 2


def test_it_drafts_no_action_when_the_organization_says_so(
    clock, north_sales_kpi, people, q1, django_capture_on_commit_callbacks
):
    core.organization_settings_update(red_drafts_action=False)
    recompute.recompute_everything()
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(
            kpi=north_sales_kpi, period=q1, value=Decimal("80"), comment="Lost."
        )

    assert not ActionItem.objects.exists()
    assert len(notifications()) == 2


def test_it_drafts_no_action_when_one_is_open(
    clock, org, north_sales_kpi, people, q1, django_capture_on_commit_callbacks
):
    from reviews.services import action_item_create

    action_item_create(
        scorecard=org.north_sales.scorecard, title="Win back the account", owner=people.owner,
        due_date=dt.date(2026, 6, 1), kpi=north_sales_kpi,
    )  # fmt: skip
    recompute.recompute_everything()
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(
            kpi=north_sales_kpi, period=q1, value=Decimal("80"), comment="Lost."
        )

    assert list(ActionItem.objects.values_list("title", flat=True)) == ["Win back the account"]
    assert "It has an open action." in Notification.objects.get(recipient=people.owner).body


def test_it_ignores_a_first_computation_and_old_quarters(
    north_sales_kpi, people, django_capture_on_commit_callbacks
):
    # First an entry before any snapshot exists, then a change once FY2026 Q1 is history.
    import time_machine

    q1 = core.period_for_key("FY2026-Q1")
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC), tick=False):
        kpi_services.actual_enter(
            kpi=north_sales_kpi, period=q1, value=Decimal("80"), comment="Lost."
        )
    with django_capture_on_commit_callbacks(execute=True):
        # No snapshot existed: the status goes from None to red, which is no turn.
        recompute.recompute_everything()
    assert not Notification.objects.exists()

    with time_machine.travel(dt.datetime(2027, 1, 10, 9, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            kpi_services.actual_enter(
                kpi=north_sales_kpi, period=q1, value=Decimal("99"), by=people.owner,
                based_on_version=1,
            )  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            kpi_services.actual_enter(
                kpi=north_sales_kpi, period=q1, value=Decimal("70"), comment="Restated.",
                by=people.owner, based_on_version=2,
            )  # fmt: skip
    assert not Notification.objects.exists()
    assert not ActionItem.objects.exists()


def test_it_sends_no_mail_for_a_kind_the_person_turned_off_but_keeps_the_notification(
    clock, north_sales_kpi, people, q1, django_capture_on_commit_callbacks
):
    email_opt_outs_set(user=people.owner, kinds=["kpi_red"])
    recompute.recompute_everything()
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(
            kpi=north_sales_kpi, period=q1, value=Decimal("80"), comment="Lost."
        )

    assert [message.to for message in mail.outbox] == [["north_manager@example.com"]]
    assert Notification.objects.filter(recipient=people.owner).count() == 1


@pytest.fixture(autouse=True)
def default_settings(db):
    OrganizationSettings.load()


def test_it_does_not_tell_the_owner_about_the_red_value_she_entered_herself(
    clock, north_sales_kpi, people, q1, django_capture_on_commit_callbacks
):
    recompute.recompute_everything()
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(
            kpi=north_sales_kpi, period=q1, value=Decimal("80"), comment="Lost.", by=people.owner
        )

    # Her manager hears; she does not, and her draft waits among her actions all the same.
    assert notifications() == [
        ("north_manager", "kpi_red", "Regional revenue turned red in FY2026 Q1"),
    ]
    assert ActionItem.objects.get().owner == people.owner
    assert [message.to for message in mail.outbox] == [["north_manager@example.com"]]


def test_it_does_not_tell_a_manager_about_the_red_value_he_entered_but_tells_the_owner(
    clock, north_sales_kpi, people, q1, django_capture_on_commit_callbacks
):
    recompute.recompute_everything()
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(
            kpi=north_sales_kpi, period=q1, value=Decimal("80"), comment="Lost.",
            by=people.north_manager,
        )  # fmt: skip

    assert notifications() == [("owner", "kpi_red", "Regional revenue turned red in FY2026 Q1")]


def test_it_tells_the_owner_when_a_later_target_turns_her_value_red(
    clock, north_sales_kpi, people, q1, django_capture_on_commit_callbacks
):
    # Her 95 is on target; the new target the manager sets afterwards makes it red.
    recompute.recompute_everything()
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(
            kpi=north_sales_kpi, period=q1, value=Decimal("95"), comment="Fine.", by=people.owner
        )
    clock.shift(dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.target_set(kpi=north_sales_kpi, period=q1, value=Decimal("200"))

    assert ("owner", "kpi_red", "Regional revenue turned red in FY2026 Q1") in notifications()
