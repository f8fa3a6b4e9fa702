"""Issue 14, finding 14: a notification's title always fits its column, whatever the title of
what it is about, and its e-mail's subject is one line, whatever that title holds.

Run these on PostgreSQL too: SQLite does not enforce a column's length."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from kpis import recompute
from kpis import services as kpi_services
from kpis.models import KPI
from reviews import services
from reviews.models import ActionItem, Notification
from reviews.services import ACTION_ASSIGNED_TITLE
from scorecard.text import ELLIPSIS

DUE = dt.date(2099, 1, 31)
TITLE_LENGTH = Notification._meta.get_field("title").max_length


def assign(org, people, title: str) -> ActionItem:
    return services.action_item_create(
        scorecard=org.north_sales.scorecard,
        title=title,
        owner=people.owner,
        due_date=DUE,
        created_by=people.north_manager,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("length", [177, 190, 200])
def test_it_assigns_an_action_whose_title_fills_its_column(org, people, length):
    title = "é" * (length - 1) + "x"

    item = assign(org, people, title)

    notification = Notification.objects.get(recipient=people.owner)
    assert item.title == title
    assert len(notification.title) == TITLE_LENGTH
    assert notification.title.endswith(ELLIPSIS)
    assert notification.title.startswith(ACTION_ASSIGNED_TITLE.format(title="éé"))


@pytest.mark.django_db
def test_it_keeps_a_title_that_fits_as_it_is(org, people):
    assign(org, people, "Call the lost account")

    notification = Notification.objects.get(recipient=people.owner)
    assert notification.title == ACTION_ASSIGNED_TITLE.format(title="Call the lost account")


@pytest.mark.django_db
def test_every_kind_of_notification_fits(people):
    for kind in Notification.Kind.values:
        services.notify(recipient=people.owner, kind=kind, title="x" * 500)

    titles = Notification.objects.filter(recipient=people.owner).values_list("title", flat=True)
    assert {len(title) for title in titles} == {TITLE_LENGTH}


@pytest.mark.django_db(transaction=True)
def test_it_mails_an_action_whose_title_holds_a_line_break(org, people):
    item = assign(org, people, "Call the lost account\r\nBcc: everyone@example.com\nnow")

    assert item.pk
    [sent] = mail.outbox
    assert (
        sent.subject
        == "[Sightline] Action assigned to you: Call the lost account Bcc: everyone@example.com now"
    )
    assert sent.to == [people.owner.email]
    assert sent.bcc == []
    assert Notification.objects.get(recipient=people.owner).emailed_at is not None


@pytest.fixture
def long_named_red_kpi(clock, north_sales_kpi, people, q1, django_capture_on_commit_callbacks):
    """North Sales' KPI, its name filling its column, turned red in Q1 (no data → red)."""
    KPI.objects.filter(pk=north_sales_kpi.pk).update(name="Revenue " + "r" * 192)
    recompute.recompute_everything()
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(
            kpi=north_sales_kpi, period=q1, value=Decimal("80"), comment="Lost a key account.",
            by=people.north_manager,
        )  # fmt: skip
    return north_sales_kpi


def test_a_kpi_whose_name_fills_its_column_still_turns_red_aloud(long_named_red_kpi, people):
    draft = ActionItem.objects.get()
    assert len(draft.title) == ActionItem._meta.get_field("title").max_length
    assert draft.title.startswith("Recover Revenue rrr") and draft.title.endswith(ELLIPSIS)
    kinds = Notification.objects.filter(recipient=people.owner).values_list("kind", flat=True)
    assert list(kinds) == [Notification.Kind.KPI_RED]
