"""A closed review's pack, as a print page and a PDF, keeps the numbers of the day it closed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kpis import services as kpi_services
from reviews import services
from tests.pdf_text import pdf_text


@pytest.fixture
def closed_review(red_kpi, org, people, q1):
    review = services.review_create(
        scorecard=org.north_sales.scorecard, period=q1, facilitator=people.north_manager
    )
    services.review_open(review=review)
    services.finding_comment(finding=review.findings.get(), comment="Price war in the north.")
    return services.review_close(review=review, by=people.north_manager)


def test_it_prints_the_frozen_numbers_even_after_the_live_ones_moved(
    client, closed_review, red_kpi, people, q1, django_capture_on_commit_callbacks
):
    # A lower target after closing: live, 80 against 80 would score 6.7 and turn green.
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.target_set(kpi=red_kpi, period=q1, value=Decimal("80"), red_flag="70")
    client.force_login(people.executive)

    html = client.get(reverse("reviews:review_pack", args=[closed_review.pk])).content.decode()

    # Frozen: 80 against 100 with the red flag at 90 scored 10/3 × (1 + (80 − 90)/10) = 0.
    assert '<th scope="row">Regional revenue</th>' in html
    assert '<td class="num" data-score>0.0</td>' in html
    assert "6.7" not in html
    assert "Price war in the north." in html


@pytest.mark.pdf
def test_it_downloads_the_pack_as_a_pdf(client, closed_review, people):
    client.force_login(people.owner)

    response = client.get(reverse("reviews:review_pack_pdf", args=[closed_review.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    # The frozen numbers of the print page: 80 against 100, red flag 90, scored 0.0.
    assert "Regional revenue" in text
    assert "Price war in the north." in text
    assert "0.0" in text


def test_it_has_no_pack_before_the_review_closes(client, red_kpi, org, people, q1):
    review = services.review_create(scorecard=org.north_sales.scorecard, period=q1)
    client.force_login(people.manager)

    assert client.get(reverse("reviews:review_pack", args=[review.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["outsider", "south_team_manager"])
def test_it_refuses_the_pack_to_people_without_a_role_on_the_unit(
    client, closed_review, people, persona
):
    client.force_login(getattr(people, persona))

    for name in ("reviews:review_pack", "reviews:review_pack_pdf"):
        assert client.get(reverse(name, args=[closed_review.pk])).status_code == 403
