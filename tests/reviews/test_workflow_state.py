"""A review's status moves only through its steps (issue 14, finding 8 and "What to build" 3):
`open/`, `close/` and `reopen/` in the API, the same buttons on the pages. A body that names a
status creates or changes nothing about it, so no review is closed without its pack and its
lock. And closing always stores its lock, however long the scorecard's title (a 200-character
title overflowed `QuarterLock.reason`)."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from kpis.models import QuarterLock
from reviews import services
from reviews.models import Review
from scorecard import services as core


def client_of(person) -> APIClient:
    client = APIClient()
    client.force_login(person)
    return client


@pytest.fixture
def review(red_kpi, org, q1):
    return services.review_create(scorecard=org.north_sales.scorecard, period=q1)


def test_it_creates_a_review_planned_whatever_status_the_body_names(red_kpi, org, people):
    body = {"scorecard": org.north_sales.scorecard.pk, "period": "FY2026-Q1", "status": "closed"}

    response = client_of(people.north_manager).post("/api/reviews/", body, format="json")

    assert response.status_code == 201
    created = Review.objects.get(pk=response.json()["id"])
    assert (created.status, created.closed_at, created.pack) == ("planned", None, {})
    assert not QuarterLock.objects.exists()


def test_it_keeps_the_status_a_patch_names(review, people):
    services.review_open(review=review)
    client = client_of(people.north_manager)

    response = client.patch(
        f"/api/reviews/{review.pk}/", {"status": "planned", "summary": "Met."}, format="json"
    )

    assert response.status_code == 200
    review.refresh_from_db()
    assert (review.status, review.summary) == ("in_review", "Met.")


def test_it_shows_status_as_read_only_in_the_schema(client, people):
    client.force_login(people.admin)

    schema = client.get("/api/schema/", {"format": "json"}).json()

    review = schema["components"]["schemas"]["Review"]["properties"]
    assert review["status"]["readOnly"] is True


def test_it_refuses_to_create_a_closed_review_in_the_service(red_kpi, org, q1):
    with pytest.raises(ValidationError) as refusal:
        services.review_create(scorecard=org.north_sales.scorecard, period=q1, status="closed")

    assert refusal.value.message_dict == {"status": [services.CLOSE_WITH_ITS_BUTTON]}
    assert not Review.objects.exists()


def test_it_locks_the_quarter_of_a_scorecard_with_a_title_of_200_characters(org, people, q1):
    scorecard = org.north_sales.scorecard
    core.scorecard_update(scorecard=scorecard, title="T" * 200, description="")
    review = services.review_create(scorecard=scorecard, period=q1)

    services.review_close(review=review, by=people.north_manager)

    lock = QuarterLock.objects.get(scorecard=scorecard, period=q1)
    assert len(lock.reason) <= QuarterLock._meta.get_field("reason").max_length
    assert lock.reason.endswith("closed")
    assert lock.reason.startswith("TTTT")
