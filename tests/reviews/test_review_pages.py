"""The review page, the action pages and the notifications: who may do what, and what they
see."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import Client

from reviews import services
from reviews.models import ActionItem, Finding, Notification, Review

READERS = ["admin", "manager", "north_manager", "owner", "executive"]
MANAGERS = ["admin", "manager", "north_manager"]
NON_MANAGERS = ["owner", "executive", "south_team_manager", "outsider"]


def client_of(people, persona: str) -> Client:
    client = Client()
    client.force_login(getattr(people, persona))
    return client


@pytest.fixture
def review(red_kpi, org, people, q1):
    review = services.review_create(
        scorecard=org.north_sales.scorecard, period=q1, facilitator=people.north_manager
    )
    return services.review_open(review=review)


@pytest.mark.parametrize("persona", READERS)
def test_it_shows_the_agenda_to_readers_of_the_unit(review, people, persona):
    response = client_of(people, persona).get(f"/reviews/{review.pk}/")

    assert response.status_code == 200
    assert "Regional revenue: off target, score 0.0" in response.content.decode()


@pytest.mark.parametrize("persona", ["south_team_manager", "outsider"])
def test_it_refuses_the_review_page_to_others(review, people, persona):
    assert client_of(people, persona).get(f"/reviews/{review.pk}/").status_code == 403


def test_it_sends_anonymous_visitors_to_sign_in(review):
    response = Client().get(f"/reviews/{review.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_flags_a_red_kpi_without_an_open_action(review, people):
    ActionItem.objects.update(status=ActionItem.Status.CANCELLED)

    page = client_of(people, "manager").get(f"/reviews/{review.pk}/").content.decode()

    assert 'class="gap"' in page and "no open action" in page


def test_it_autosaves_a_finding_comment_and_answers_htmx_with_the_status(review, people):
    finding = review.findings.get()

    response = client_of(people, "north_manager").post(
        f"/findings/{finding.pk}/", {"comment": "Rival pricing"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    assert "<html" not in response.content.decode()
    assert Finding.objects.get(pk=finding.pk).comment == "Rival pricing"


@pytest.mark.parametrize("persona", NON_MANAGERS)
def test_it_refuses_a_finding_comment_from_others_and_keeps_the_old_one(review, people, persona):
    finding = review.findings.get()

    response = client_of(people, persona).post(f"/findings/{finding.pk}/", {"comment": "x"})

    assert response.status_code == 403
    assert Finding.objects.get(pk=finding.pk).comment == ""


def test_it_autosaves_the_meeting_fields(review, people):
    response = client_of(people, "north_manager").post(
        f"/reviews/{review.pk}/",
        {"meeting_date": "2026-05-20", "summary": "Revenue is off.", "decisions": "",
         "participants": [people.owner.pk, people.north_manager.pk]},
        headers={"HX-Request": "true"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    review.refresh_from_db()
    assert (review.meeting_date, review.summary) == (dt.date(2026, 5, 20), "Revenue is off.")
    assert set(review.participants.all()) == {people.owner, people.north_manager}


def meet(review, people, **fields):
    services.review_update(
        review=review, meeting_date=dt.date(2026, 5, 20), summary="Revenue is off.",
        decisions="Call the key account.", participants=[people.owner],
    )  # fmt: skip
    return client_of(people, "north_manager").post(
        f"/reviews/{review.pk}/", fields, headers={"HX-Request": "true"}
    )


def test_an_autosave_of_one_field_leaves_the_others_as_they_were(review, people):
    response = meet(review, people, summary="Revenue is back.")

    assert response.status_code == 200
    review.refresh_from_db()
    assert (review.meeting_date, review.summary, review.decisions) == (
        dt.date(2026, 5, 20), "Revenue is back.", "Call the key account."
    )  # fmt: skip
    assert list(review.participants.all()) == [people.owner]


def test_the_page_clears_every_participant_and_the_meeting_date(review, people):
    # What the page posts when the date is emptied and every box unticked.
    response = meet(
        review, people, meeting_date="", summary="Revenue is off.", decisions="",
        participants_listed="True",
    )  # fmt: skip

    assert response.status_code == 200
    review.refresh_from_db()
    assert (review.meeting_date, review.decisions) == (None, "")
    assert not review.participants.exists()


def test_the_page_carries_the_participants_marker(review, people):
    page = client_of(people, "north_manager").get(f"/reviews/{review.pk}/").content.decode()

    assert 'name="participants_listed"' in page


def test_it_refuses_a_participant_who_cannot_see_the_unit(review, people):
    response = client_of(people, "north_manager").post(
        f"/reviews/{review.pk}/",
        {"summary": "x", "participants": [people.south_team_manager.pk]},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert not review.participants.exists()


@pytest.mark.parametrize("persona", MANAGERS)
def test_it_lets_managers_close_the_review(review, people, persona):
    response = client_of(people, persona).post(f"/reviews/{review.pk}/close/")

    assert response.status_code == 302
    assert Review.objects.get(pk=review.pk).status == Review.Status.CLOSED


@pytest.mark.parametrize("persona", NON_MANAGERS)
def test_it_refuses_closing_to_others_and_changes_nothing(review, people, persona):
    response = client_of(people, persona).post(f"/reviews/{review.pk}/close/")

    assert response.status_code == 403
    assert Review.objects.get(pk=review.pk).status == Review.Status.IN_REVIEW


def test_it_shows_the_pack_of_a_closed_review(review, people):
    services.review_close(review=review, by=people.manager)

    page = client_of(people, "executive").get(f"/reviews/{review.pk}/").content.decode()

    assert "The pack" in page
    assert "80.0" in page and "Off target" in page


def test_it_shows_the_reason_missing_when_reopening_without_one(review, people):
    services.review_close(review=review, by=people.manager)
    client = client_of(people, "manager")

    client.post(f"/reviews/{review.pk}/reopen/", {"reason": ""})
    page = client.get(f"/reviews/{review.pk}/").content.decode()

    assert services.REOPEN_NEEDS_REASON in page
    assert Review.objects.get(pk=review.pk).status == Review.Status.CLOSED


def test_it_creates_an_action_from_a_finding(review, people, red_kpi):
    ActionItem.objects.all().delete()
    finding = review.findings.get()

    response = client_of(people, "north_manager").post(
        f"/actions/new/?finding={finding.pk}&kpi={red_kpi.pk}",
        {"title": "Win back the account", "owner": people.owner.pk, "due_date": "2026-06-30"},
    )

    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.kpi, item.finding, item.owner, item.created_by) == (
        red_kpi,
        finding,
        people.owner,
        people.north_manager,
    )


def test_it_shows_the_past_due_date_message_on_the_form(review, people, red_kpi):
    response = client_of(people, "north_manager").post(
        f"/actions/new/?kpi={red_kpi.pk}",
        {"title": "Late", "owner": people.owner.pk, "due_date": "2026-05-01"},
    )

    # Beside the due date, the date as people write it.
    assert response.status_code == 400
    assert (
        '<p class="field-error" role="alert">The due date 1 May 2026 is in the past: choose '
        "today or a later day.</p>" in response.content.decode()
    )


@pytest.mark.parametrize("persona", ["owner", "executive"])
def test_it_refuses_the_new_action_page_to_non_managers(review, people, red_kpi, persona):
    response = client_of(people, persona).get(f"/actions/new/?kpi={red_kpi.pk}")

    assert response.status_code == 403


def test_it_lets_the_owner_complete_their_draft_and_note_progress(red_kpi, people):
    draft = ActionItem.objects.get()
    client = client_of(people, "owner")

    client.post(
        f"/actions/{draft.pk}/",
        {"title": "Win back the key account", "owner": people.owner.pk, "due_date": "2026-06-15",
         "status": "in_progress", "description": ""},
    )  # fmt: skip
    client.post(f"/actions/{draft.pk}/notes/", {"text": "Called the buyer."})

    draft.refresh_from_db()
    assert (draft.title, draft.status, draft.is_draft) == (
        "Win back the key account",
        "in_progress",
        False,
    )
    assert list(draft.notes.values_list("text", flat=True)) == ["Called the buyer."]


def test_it_refuses_an_executive_updating_an_action(red_kpi, people):
    draft = ActionItem.objects.get()

    response = client_of(people, "executive").post(
        f"/actions/{draft.pk}/", {"title": "x", "due_date": "2026-06-15", "status": "done"}
    )

    assert response.status_code == 403
    assert ActionItem.objects.get().status == "open"


def test_it_shows_the_bell_with_the_unread_count_and_marks_read(red_kpi, people):
    client = client_of(people, "owner")
    mine = Notification.objects.get(recipient=people.owner)

    assert 'class="bell-count" data-unread="1"' in client.get("/actions/").content.decode()
    response = client.post(f"/notifications/{mine.pk}/read/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    page = client.get("/notifications/").content.decode()
    assert 'class="bell-count"' not in page
    assert 'data-unread="0"' in page


def test_it_counts_unread_notifications_in_one_query(people, django_assert_num_queries):
    bell = Template("{% load reviews_bell %}{% notification_bell user %}")

    with django_assert_num_queries(1):
        html = bell.render(Context({"user": people.owner}))

    assert 'href="/notifications/"' in html


def test_it_refuses_marking_another_persons_notification(red_kpi, people):
    theirs = Notification.objects.get(recipient=people.north_manager)

    response = client_of(people, "owner").post(f"/notifications/{theirs.pk}/read/")

    assert response.status_code == 403
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_it_saves_email_choices(red_kpi, people):
    client = client_of(people, "owner")

    client.post("/notifications/email/", {"email_kinds": ["actual_due", "escalation"]})

    assert sorted(people.owner.email_opt_outs.values_list("kind", flat=True)) == [
        "action_assigned", "action_overdue", "import_failed", "import_late", "kpi_red",
        "review_meeting",
    ]  # fmt: skip


@pytest.mark.parametrize("extra", [3, 30])
def test_it_lists_actions_with_as_many_queries_for_ten_times_the_rows(
    red_kpi, org, people, extra, django_assert_max_num_queries
):
    for number in range(extra):
        services.action_item_create(
            scorecard=org.north_sales.scorecard, title=f"Action {number}", owner=people.owner,
            due_date=dt.date(2026, 6, 30), kpi=red_kpi,
        )  # fmt: skip
    client = client_of(people, "manager")
    # Session, user, memberships, the unit filter's choices, the items with their joins,
    # the bell's unread count.
    with django_assert_max_num_queries(7):
        page = client.get("/actions/").content.decode()
    assert page.count('class="action-row') == extra + 1


@pytest.mark.parametrize("extra", [3, 30])
def test_it_shows_the_review_with_as_many_queries_for_ten_times_the_findings(
    review, people, extra, django_assert_max_num_queries
):
    for number in range(extra):
        services.finding_add_note(review=review, comment=f"Note {number}")
    client = client_of(people, "manager")
    # Session, user, memberships, the review, its findings (with subjects and counts), its
    # participants, the KPIs with open actions, the bell.
    with django_assert_max_num_queries(10):
        page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert page.count('class="finding ') == extra + 1
