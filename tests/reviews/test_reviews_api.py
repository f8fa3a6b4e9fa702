"""`/api/reviews/`, `/api/findings/`, `/api/initiatives/`, `/api/actions/`,
`/api/notifications/`: the same rules as the pages."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from reviews import services
from reviews.models import ActionItem, Notification, Review

EVERYONE = [
    "admin",
    "manager",
    "north_manager",
    "owner",
    "south_team_manager",
    "executive",
    "outsider",
]


def client_of(people, persona: str) -> APIClient:
    client = APIClient()
    client.force_login(getattr(people, persona))
    return client


@pytest.fixture
def review(red_kpi, org, people, q1):
    return services.review_create(scorecard=org.north_sales.scorecard, period=q1)


def test_it_lists_the_reviews_each_persona_may_see(review, people):
    seen = {
        persona: [
            row["id"] for row in client_of(people, persona).get("/api/reviews/").json()["results"]
        ]
        for persona in EVERYONE
    }

    assert seen == {
        "admin": [review.pk], "manager": [review.pk], "north_manager": [review.pk],
        "owner": [review.pk], "south_team_manager": [], "executive": [review.pk], "outsider": [],
    }  # fmt: skip


@pytest.mark.parametrize("persona", ["admin", "manager", "north_manager"])
def test_it_lets_a_manager_of_the_unit_close_a_review(review, people, persona):
    response = client_of(people, persona).post(f"/api/reviews/{review.pk}/close/")

    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert [
        row["status"]
        for row in response.json()["pack"]["snapshots"]
        if row["subject_type"] == "kpi"
    ] == ["red"]


@pytest.mark.parametrize("persona", ["owner", "executive"])
def test_it_refuses_to_close_for_others_and_changes_nothing(review, people, persona):
    response = client_of(people, persona).post(f"/api/reviews/{review.pk}/close/")

    assert response.status_code == 403
    assert Review.objects.get(pk=review.pk).status == Review.Status.PLANNED


@pytest.mark.parametrize("persona", ["south_team_manager", "outsider"])
def test_it_answers_not_found_to_those_who_cannot_see_the_review(review, people, persona):
    assert client_of(people, persona).post(f"/api/reviews/{review.pk}/close/").status_code == 404


def test_it_refuses_closing_twice_with_the_message(review, people):
    client = client_of(people, "manager")
    client.post(f"/api/reviews/{review.pk}/close/")

    response = client.post(f"/api/reviews/{review.pk}/close/")

    assert (response.status_code, response.json()) == (
        400,
        {"status": [services.REVIEW_ALREADY_CLOSED]},
    )


def test_it_refuses_reopening_without_a_reason(review, people):
    client = client_of(people, "manager")
    client.post(f"/api/reviews/{review.pk}/close/")

    response = client.post(f"/api/reviews/{review.pk}/reopen/", {"reason": ""}, format="json")

    assert (response.status_code, response.json()) == (
        400,
        {"reason": [services.REOPEN_NEEDS_REASON]},
    )
    assert Review.objects.get(pk=review.pk).status == Review.Status.CLOSED


def test_it_creates_a_review_and_refuses_a_second_one(red_kpi, org, people):
    client = client_of(people, "north_manager")
    body = {"scorecard": org.north_sales.scorecard.pk, "period": "FY2026-Q1"}

    first = client.post("/api/reviews/", body, format="json")
    second = client.post("/api/reviews/", body, format="json")

    assert first.status_code == 201
    created = Review.objects.get(pk=first.json()["id"])
    assert (created.scorecard, created.period.key, created.kind, created.status) == (
        org.north_sales.scorecard, "FY2026-Q1", "quarterly", "planned"
    )  # fmt: skip
    assert (first.json()["period"], first.json()["status"]) == ("FY2026-Q1", "planned")
    assert (second.status_code, second.json()) == (
        400, {"non_field_errors": ["This scorecard already has such a review for this quarter."]}
    )  # fmt: skip


def test_it_refuses_a_review_of_a_future_quarter(red_kpi, org, people):
    body = {"scorecard": org.north_sales.scorecard.pk, "period": "FY2026-Q4"}

    response = client_of(people, "manager").post("/api/reviews/", body, format="json")

    assert (response.status_code, response.json()) == (
        400, {"period": ["FY2026 Q4 has not started yet: a review looks back at a quarter."]}
    )  # fmt: skip
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("period", "error"),
    [
        ("FY2026-Q9", 'Unknown period "FY2026-Q9": use the form 2026-03, FY2026-Q3 or FY2026.'),
        (2026, "Write the period as text, like FY2026-Q3."),
    ],
)
def test_it_refuses_a_malformed_period_like_the_other_endpoints(
    red_kpi, org, people, period, error
):
    # The same period field as scores, targets and actuals: one flat list of messages.
    body = {"scorecard": org.north_sales.scorecard.pk, "period": period}

    response = client_of(people, "manager").post("/api/reviews/", body, format="json")

    assert (response.status_code, response.json()) == (400, {"period": [error]})
    assert not Review.objects.exists()


def test_it_opens_the_review_and_comments_on_a_finding(review, people):
    client = client_of(people, "north_manager")
    client.post(f"/api/reviews/{review.pk}/open/")
    finding = client.get(f"/api/findings/?review={review.pk}").json()["results"][0]

    response = client.patch(
        f"/api/findings/{finding['id']}/", {"comment": "Rival pricing."}, format="json"
    )

    assert response.status_code == 200
    assert (finding["kind"], response.json()["comment"]) == ("performance_gap", "Rival pricing.")


def test_it_refuses_an_owner_commenting_on_a_finding(review, people):
    services.review_open(review=review)
    finding = review.findings.get()

    response = client_of(people, "owner").patch(
        f"/api/findings/{finding.pk}/", {"comment": "x"}, format="json"
    )

    assert response.status_code == 403
    finding.refresh_from_db()
    assert finding.comment == ""


def test_it_creates_an_action_and_refuses_a_past_due_date(red_kpi, org, people):
    client = client_of(people, "north_manager")
    body = {
        "scorecard": org.north_sales.scorecard.pk, "title": "Win back the account",
        "owner": people.owner.pk, "kpi": red_kpi.pk, "due_date": "2026-06-30",
    }  # fmt: skip

    created = client.post("/api/actions/", body, format="json")
    late = client.post("/api/actions/", {**body, "due_date": "2026-05-01"}, format="json")

    assert created.status_code == 201
    item = ActionItem.objects.get(pk=created.json()["id"])
    assert (item.scorecard, item.title, item.owner, item.kpi, item.due_date, item.status) == (
        org.north_sales.scorecard, "Win back the account", people.owner, red_kpi,
        dt.date(2026, 6, 30), "open",
    )  # fmt: skip
    assert ActionItem.objects.filter(title="Win back the account").count() == 1
    assert (late.status_code, late.json()) == (
        400, {"due_date": ["The due date 1 May 2026 is in the past: choose today or a later day."]}
    )  # fmt: skip


def test_it_lets_the_owner_update_their_action_but_not_an_executive(red_kpi, people):
    draft = ActionItem.objects.get()

    refused = client_of(people, "executive").patch(
        f"/api/actions/{draft.pk}/", {"status": "done"}, format="json"
    )
    done = client_of(people, "owner").patch(
        f"/api/actions/{draft.pk}/", {"status": "in_progress"}, format="json"
    )

    assert refused.status_code == 403
    assert done.status_code == 200
    draft.refresh_from_db()
    assert (draft.status, draft.is_draft) == ("in_progress", False)


def test_it_refuses_the_owner_creating_actions(red_kpi, org, people):
    body = {
        "scorecard": org.north_sales.scorecard.pk, "title": "Something", "owner": people.owner.pk,
        "due_date": "2026-06-30",
    }  # fmt: skip

    response = client_of(people, "owner").post("/api/actions/", body, format="json")

    assert response.status_code == 403
    assert ActionItem.objects.count() == 1


def test_it_lists_only_the_callers_notifications(red_kpi, people):
    rows = client_of(people, "owner").get("/api/notifications/").json()["results"]

    assert [row["title"] for row in rows] == ["Regional revenue turned red in FY2026 Q1"]


def test_it_refuses_another_persons_notification_and_leaves_it_unread(red_kpi, people):
    theirs = Notification.objects.get(recipient=people.north_manager)
    client = client_of(people, "owner")

    read = client.post(f"/api/notifications/{theirs.pk}/read/")
    shown = client.get(f"/api/notifications/{theirs.pk}/")

    assert (read.status_code, read.json()) == (403, {"detail": services.NOTIFICATION_NOT_YOURS})
    assert shown.status_code == 403
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_marks_ones_own_notification_read(red_kpi, people):
    mine = Notification.objects.get(recipient=people.owner)

    response = client_of(people, "owner").post(f"/api/notifications/{mine.pk}/read/")

    assert response.status_code == 200
    assert response.json()["read_at"] is not None


def test_it_creates_an_initiative_with_milestones_for_a_manager_only(red_kpi, org, people):
    body = {
        "scorecard": org.north_sales.scorecard.pk, "name": "Key accounts", "owner": people.owner.pk,
        "objectives": [red_kpi.objective_id], "start_date": "2026-04-01", "end_date": "2026-12-31",
        "milestones": [{"title": "Hire a lead", "due_date": "2026-06-30"}],
    }  # fmt: skip

    refused = client_of(people, "owner").post("/api/initiatives/", body, format="json")
    created = client_of(people, "north_manager").post("/api/initiatives/", body, format="json")

    assert refused.status_code == 403
    assert created.status_code == 201
    assert [m["title"] for m in created.json()["milestones"]] == ["Hire a lead"]


@pytest.mark.parametrize("extra", [3, 30])
def test_it_lists_actions_with_as_many_queries_for_ten_times_the_rows(
    red_kpi, org, people, extra, django_assert_max_num_queries
):
    client = client_of(people, "manager")
    for number in range(extra):
        services.action_item_create(
            scorecard=org.north_sales.scorecard, title=f"Action {number}", owner=people.owner,
            due_date=dt.date(2026, 6, 30), kpi=red_kpi,
        )  # fmt: skip
    # Session, user, the user's memberships, the count, the page (with its joins).
    with django_assert_max_num_queries(5):
        assert len(client.get("/api/actions/?page_size=100").json()["results"]) == extra + 1


def test_a_patch_clears_the_meeting_date_and_keeps_what_it_does_not_name(review, people):
    services.review_update(review=review, meeting_date=dt.date(2026, 5, 20), summary="Kept.")

    response = client_of(people, "north_manager").patch(
        f"/api/reviews/{review.pk}/", {"meeting_date": None}, format="json"
    )

    assert response.status_code == 200, response.json()
    review.refresh_from_db()
    assert (review.meeting_date, review.summary) == (None, "Kept.")
