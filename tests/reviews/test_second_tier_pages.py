"""Issue 17, the second-tier pages: planning a review picks a quarter and a person from
selects, people read by their full names, dates as "1 Jul 2026", bad input is answered beside
its field, and notifications link inside the app."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils.html import escape

from reviews import services
from reviews.models import Notification, Review
from reviews.services.workflow import ANNUAL_REVIEW_NOT_Q4
from reviews.views.actions import ACTIONS_PER_PAGE
from strategy.services import OWNER_CANNOT_SEE_UNIT

pytestmark = pytest.mark.django_db

NOT_OFFERED = "Select a valid choice. {value} is not one of the available choices."
NOT_A_PERSON_OFFERED = "Select a valid choice. That choice is not one of the available choices."


@pytest.fixture
def named(people):
    """The personas with full names, as the demo's people have them."""
    for user, first, last in [
        (people.manager, "Helen", "Carter"),
        (people.north_manager, "Nora", "Lind"),
        (people.owner, "Priya", "Shah"),
        (people.south_team_manager, "Samuel", "Ode"),
    ]:
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    return people


def client_of(people, persona: str) -> Client:
    client = Client()
    client.force_login(getattr(people, persona))
    return client


def errors_beside(page: str, field_id: str) -> list[str]:
    """The error messages inside the field box (`.field`) that holds the input `field_id`."""
    for box in re.split(r'(?=<(?:div|fieldset) class="field)', page):
        if f'id="{field_id}"' in box:
            return re.findall(r'<p class="field-error" role="alert">(.*?)</p>', box)
    raise AssertionError(f"no field {field_id} on the page")


def plan(client: Client, **fields) -> tuple[int, str]:
    response = client.post("/reviews/plan/", fields)
    return response.status_code, response.content.decode()


# Planning a review --------------------------------------------------------------------------


def test_it_offers_the_started_quarters_with_the_last_ended_one_chosen(clock, red_kpi, named):
    page = client_of(named, "manager").get("/reviews/").content.decode()

    quarters = re.search(r'<select name="period"[^>]*>(.*?)</select>', page, re.S)
    assert quarters is not None
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', quarters[1])
    # Newest first: the quarter under way, then the last ended one (which holds the data).
    assert options == [
        ("FY2026-Q2", "", "FY2026 Q2"),
        ("FY2026-Q1", " selected", "FY2026 Q1"),
    ]
    assert "Like FY" not in page


def test_it_offers_the_facilitator_by_full_name_with_the_planner_chosen(clock, red_kpi, named):
    page = client_of(named, "manager").get("/reviews/").content.decode()

    people = re.search(r'<select name="facilitator"[^>]*>(.*?)</select>', page, re.S)
    assert people is not None
    assert f'<option value="{named.manager.pk}" selected>Helen Carter</option>' in people[1]
    assert f'<option value="{named.owner.pk}">Priya Shah</option>' in people[1]
    assert ">owner<" not in people[1]


@pytest.mark.parametrize("key", ["FY2026-Q9", "FY2026-Q3", "next quarter", "FY1850-Q1"])
def test_it_refuses_a_quarter_it_does_not_offer_beside_the_field(clock, red_kpi, org, named, key):
    status, page = plan(
        client_of(named, "manager"), unit=org.north_sales.pk, period=key, kind="quarterly"
    )

    assert status == 400
    assert errors_beside(page, "id_period") == [NOT_OFFERED.format(value=key)]
    assert not Review.objects.exists()


def test_it_says_beside_the_quarter_that_an_annual_review_needs_a_q4(clock, red_kpi, org, named):
    status, page = plan(
        client_of(named, "manager"), unit=org.north_sales.pk, period="FY2026-Q1", kind="annual"
    )

    assert status == 400
    message = escape(ANNUAL_REVIEW_NOT_Q4.format(period="FY2026 Q1"))
    assert errors_beside(page, "id_period") == [message]


def test_it_refuses_a_facilitator_who_cannot_read_the_scorecard_beside_the_field(
    clock, red_kpi, org, named
):
    # The manager may name Samuel (he manages South Ops), who has no role on North Sales.
    status, page = plan(
        client_of(named, "manager"),
        unit=org.north_sales.pk, period="FY2026-Q1", kind="quarterly",
        facilitator=named.south_team_manager.pk,
    )  # fmt: skip

    assert status == 400
    assert errors_beside(page, "id_facilitator") == [
        OWNER_CANNOT_SEE_UNIT.format(user="Samuel Ode", unit=org.north_sales)
    ]
    assert not Review.objects.exists()


def test_it_refuses_a_facilitator_the_planner_may_not_name(clock, red_kpi, org, named):
    # North's manager does not see the outsider, whose id is answered like an unknown one.
    status, page = plan(
        client_of(named, "north_manager"),
        unit=org.north_sales.pk, period="FY2026-Q1", kind="quarterly",
        facilitator=named.outsider.pk,
    )  # fmt: skip

    assert status == 400
    assert errors_beside(page, "id_facilitator") == [NOT_A_PERSON_OFFERED]


def test_it_plans_the_review_with_the_quarter_and_facilitator_chosen(clock, red_kpi, org, named):
    response = client_of(named, "manager").post(
        "/reviews/plan/",
        {
            "unit": org.north_sales.pk, "period": "FY2026-Q1", "kind": "quarterly",
            "meeting_date": "2026-07-01", "facilitator": named.north_manager.pk,
        },
    )  # fmt: skip

    review = Review.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.pk}/"
    assert (review.period.key, review.facilitator, review.meeting_date) == (
        "FY2026-Q1",
        named.north_manager,
        dt.date(2026, 7, 1),
    )
    listed = client_of(named, "manager").get("/reviews/").content.decode()
    assert "<td>1 Jul 2026</td>" in listed
    assert "<td>Nora Lind</td>" in listed


# Actions: people by name, dates as people write them --------------------------------------


def test_it_refuses_an_action_owner_outside_the_unit_beside_the_field(clock, red_kpi, named):
    response = client_of(named, "north_manager").post(
        f"/actions/new/?kpi={red_kpi.pk}",
        {"title": "Win back", "owner": named.south_team_manager.pk, "due_date": "2026-07-01"},
    )

    assert response.status_code == 400
    assert errors_beside(response.content.decode(), "id_owner") == [NOT_A_PERSON_OFFERED]


def test_it_offers_action_owners_by_full_name_and_a_date_picker(clock, red_kpi, named):
    page = client_of(named, "north_manager").get(f"/actions/new/?kpi={red_kpi.pk}")

    html = page.content.decode()
    assert f'<option value="{named.owner.pk}" selected>Priya Shah</option>' in html
    assert re.search(r'<input type="date" name="due_date"[^>]*id="id_due_date"', html)


def test_it_shows_an_actions_due_date_and_owner_as_people_read_them(clock, red_kpi, org, named):
    item = services.action_item_create(
        scorecard=org.north_sales.scorecard, title="Call the lost account", owner=named.owner,
        due_date=dt.date(2026, 7, 1), kpi=red_kpi, created_by=named.north_manager,
    )  # fmt: skip
    client = client_of(named, "owner")

    detail = client.get(f"/actions/{item.pk}/").content.decode()
    listed = client.get("/actions/").content.decode()

    assert '<dd class="due-date">1 Jul 2026</dd>' in detail
    assert '<dd class="action-owner">Priya Shah</dd>' in detail
    assert 'value="2026-07-01"' in detail  # the date picker reads the ISO date
    assert '<td class="due-date">1 Jul 2026</td>' in listed
    assert "<td>Priya Shah</td>" in listed
    # The assignment's text names the giver and the day the same way.
    assert Notification.objects.get(recipient=named.owner, kind="action_assigned").body == (
        "Nora Lind gave you an action for Regional revenue on North Sales scorecard, due "
        "1 Jul 2026."
        f"\n\n/actions/{item.pk}/"
    )


# Notifications ------------------------------------------------------------------------------


def test_it_shows_the_links_of_a_notification_inside_the_app(red_kpi, people):
    page = client_of(people, "owner").get("/notifications/").content.decode()
    draft = Notification.objects.get(recipient=people.owner).url

    assert f'<a href="{draft}">{draft}</a>' in page
    assert "http://127.0.0.1:8000" not in page


def test_it_links_a_notification_written_with_the_site_address_and_leaves_other_paths(people):
    services.notify(
        recipient=people.owner,
        kind=Notification.Kind.IMPORT_FAILED,
        title="The import failed",
        body="See http://127.0.0.1:8000/reviews/. The file /etc/hosts <b>is</b> gone.",
    )

    page = client_of(people, "owner").get("/notifications/").content.decode()

    assert (
        '<p class="notification-body">See <a href="/reviews/">/reviews/</a>. The file '
        "/etc/hosts &lt;b&gt;is&lt;/b&gt; gone.</p>"
    ) in page


def test_it_disables_mark_all_as_read_when_nothing_is_unread(red_kpi, people):
    client = client_of(people, "owner")
    unread = client.get("/notifications/").content.decode()
    client.post("/notifications/read-all/")
    none_unread = client.get("/notifications/").content.decode()

    assert '<button type="submit" class="button" id="read-all">' in unread
    assert '<button type="submit" class="button" id="read-all" disabled' in none_unread
    assert 'class="button small">Mark as read' in unread
    assert "Mark as read" not in none_unread


def test_it_pages_through_the_action_items_keeping_the_filters(clock, org, named):
    for number in range(ACTIONS_PER_PAGE + 1):
        services.action_item_create(
            scorecard=org.north_sales.scorecard, title=f"Action {number:02d}", owner=named.owner,
            due_date=dt.date(2026, 7, 1) + dt.timedelta(days=number),
        )  # fmt: skip
    client = client_of(named, "owner")

    first = client.get("/actions/?mine=on&status=open").content.decode()
    second = client.get("/actions/?mine=on&status=open&page=2").content.decode()

    assert first.count('class="action-row') == ACTIONS_PER_PAGE
    assert 'href="?mine=on&amp;status=open&amp;page=2" rel="next"' in first
    assert second.count('class="action-row') == 1
    assert f"Action {ACTIONS_PER_PAGE:02d}" in second
    assert f"51–51 of {ACTIONS_PER_PAGE + 1} action items" in second
    # `?page=` alone keeps the default filter; a page that is not one opens a page anyway.
    assert client.get("/actions/?page=2").content.decode().count('class="action-row') == 1
    for page in ["0", "99", "x", "1e9"]:
        assert client.get(f"/actions/?page={page}").status_code == 200
