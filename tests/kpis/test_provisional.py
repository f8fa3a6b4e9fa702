"""Provisional numbers (DESIGN.md section 4): a number is provisional while its period has
not ended, by the fiscal calendar and today's date. It is computed when read, never stored,
and every page, PDF, export and the API say so: "so far", in words and with a shape of its
own (◔), not by colour alone.

The ground: North Sales' "Regional revenue" (target 100 in FY2026 Q1, January–March 2026)
has an actual of 95 in Q1. Read on 15 February 2026 Q1 is running: every number of Q1 is
provisional. Read on 15 May 2026 Q1 has ended: the same stored numbers are final.
"""

import csv
import datetime as dt
import io
from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import ScoreSnapshot
from kpis.recompute import recompute_everything
from reviews import services as review_services
from scorecard import services as core
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)

Q1 = "FY2026-Q1"
RUNNING = dt.datetime(2026, 2, 15, 9, 0, tzinfo=dt.UTC)  # Q1 under way
ENDED = dt.datetime(2026, 5, 15, 9, 0, tzinfo=dt.UTC)  # Q1 over, Q2 under way
MARK = "◔ so far"


def after_the_quarter(clock, client, user) -> None:
    """Three months on; the session has expired by then, so sign in again."""
    clock.move_to(ENDED, tick=False)
    client.force_login(user)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(RUNNING, tick=False)
    return time_machine


@pytest.fixture
def quarter(clock, org, people, north_sales_kpi):
    q1 = core.period_for_key(Q1)
    kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value="95", by=people.owner)
    # Scorecards the write does not reach get their (empty) snapshots too.
    recompute_everything()
    return q1


def with_period(url: str) -> str:
    return f"{url}?period={Q1}"


def page_urls(org, kpi) -> dict[str, str]:
    slug = org.north_sales.slug
    return {
        "scorecard": with_period(reverse("scorecard:scorecard", args=[slug])),
        "dashboard": reverse("dashboard:home") + f"?root={slug}&period={Q1}",
        "kpi detail": with_period(reverse("kpis:kpi_detail", args=[slug, kpi.pk])),
        "map": with_period(reverse("strategy:map", args=[slug])),
        "quarterly pack": with_period(reverse("dashboard:pack", args=[slug])),
        "explanation": with_period(reverse("kpis:explanation", args=[slug, "kpi", kpi.pk])),
        "line of sight": with_period(reverse("editor:line_of_sight", args=[slug])),
    }


PAGES = [
    "scorecard",
    "dashboard",
    "kpi detail",
    "map",
    "quarterly pack",
    "explanation",
    "line of sight",
]


# The rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "provisional"),
    [
        pytest.param(date(2025, 12, 31), True, id="before it starts"),
        pytest.param(date(2026, 1, 1), True, id="its first day"),
        pytest.param(date(2026, 3, 31), True, id="its last day"),
        pytest.param(date(2026, 4, 1), False, id="the day after it ends"),
    ],
)
def test_a_quarter_is_provisional_until_it_has_ended(today, provisional):
    assert core.period_for_key(Q1).is_provisional(today) is provisional


def test_provisional_is_read_from_today_not_stored(quarter, clock):
    assert quarter.provisional is True
    clock.move_to(ENDED, tick=False)
    assert quarter.provisional is False
    assert "provisional" not in {field.name for field in ScoreSnapshot._meta.get_fields()}


# The API -----------------------------------------------------------------------------------


def scores(user) -> list[dict]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/scores/", {"period": Q1, "page_size": 500})
    assert response.status_code == 200
    return response.json()["results"]


def test_the_scores_api_marks_every_row_of_the_running_quarter_provisional(quarter, people, clock):
    running = scores(people.manager)
    assert running and {row["provisional"] for row in running} == {True}

    clock.move_to(ENDED, tick=False)
    ended = scores(people.manager)
    assert {row["provisional"] for row in ended} == {False}
    # The same stored numbers, only read on another day.
    strip = [{k: v for k, v in row.items() if k != "provisional"} for row in running]
    assert strip == [{k: v for k, v in row.items() if k != "provisional"} for row in ended]


# Pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_each_page_marks_the_running_quarter_so_far(
    quarter, client, org, people, north_sales_kpi, page
):
    client.force_login(people.manager)

    response = client.get(page_urls(org, north_sales_kpi)[page])

    assert response.status_code == 200
    html = response.content.decode()
    assert MARK in html and "data-provisional" in html


@pytest.mark.parametrize("page", PAGES)
def test_no_page_marks_an_ended_quarter(quarter, client, org, people, north_sales_kpi, page, clock):
    after_the_quarter(clock, client, people.manager)

    response = client.get(page_urls(org, north_sales_kpi)[page])

    assert response.status_code == 200
    assert "data-provisional" not in response.content.decode()


def test_the_scorecard_page_says_so_far_next_to_every_status(
    quarter, client, org, people, north_sales_kpi
):
    client.force_login(people.manager)

    html = client.get(page_urls(org, north_sales_kpi)["scorecard"]).content.decode()

    # Overall, the financial perspective, the objective and the KPI: four statuses, four marks,
    # and the note over the sheet says why.
    assert html.count('class="so-far" data-provisional') == 4
    assert "FY2026 Q1 runs until 31 Mar 2026: its numbers are provisional until then." in html


def test_the_map_file_marks_its_boxes_so_far(quarter, client, org, people, clock):
    client.force_login(people.manager)
    url = with_period(reverse("strategy:map_export", args=[org.north_sales.slug]))

    svg = client.get(url).content.decode()
    assert MARK in svg and 'class="map-box-so-far"' in svg
    after_the_quarter(clock, client, people.manager)
    svg = client.get(url).content.decode()
    assert MARK not in svg and 'class="map-box-so-far"' not in svg


def test_my_updates_mark_the_running_quarter_so_far(quarter, client, people, clock):
    client.force_login(people.owner)

    for name in ("kpis:my_updates", "kpis:grid"):
        html = client.get(with_period(reverse(name))).content.decode()
        assert MARK in html, name
    after_the_quarter(clock, client, people.owner)
    for name in ("kpis:my_updates", "kpis:grid"):
        assert "data-provisional" not in client.get(with_period(reverse(name))).content.decode()


def test_the_export_has_a_provisional_column(quarter, client, org, people, clock):
    client.force_login(people.manager)
    url = reverse("kpis:export", args=[org.north_sales.slug])

    def provisional_column() -> set[str]:
        response = client.get(url, {"first": Q1, "last": Q1, "format": "csv"})
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows
        return {row["provisional"] for row in rows}

    assert provisional_column() == {"yes"}
    after_the_quarter(clock, client, people.manager)
    assert provisional_column() == {"no"}


def test_a_review_closed_while_its_quarter_runs_shows_its_pack_as_so_far(
    quarter, client, org, people, clock
):
    review = review_services.review_create(scorecard=org.north_sales.scorecard, period=quarter)
    review_services.review_close(review=review, by=people.manager)
    client.force_login(people.manager)
    urls = [
        reverse("reviews:review", args=[review.pk]),
        reverse("reviews:review_pack", args=[review.pk]),
    ]

    for url in urls:
        assert MARK in client.get(url).content.decode(), url
    after_the_quarter(clock, client, people.manager)
    for url in urls:
        assert "data-provisional" not in client.get(url).content.decode(), url


@pytest.mark.pdf
@pytest.mark.parametrize("which", ["quarterly", "review"])
def test_the_pdf_packs_say_so_far(quarter, client, org, people, which):
    if which == "review":
        review = review_services.review_create(scorecard=org.north_sales.scorecard, period=quarter)
        review_services.review_close(review=review, by=people.manager)
        url = reverse("reviews:review_pack_pdf", args=[review.pk])
    else:
        url = with_period(reverse("dashboard:pack_pdf", args=[org.north_sales.slug]))
    client.force_login(people.manager)

    text = pdf_text(client.get(url).content)

    assert "so far" in text
    assert "FY2026 Q1 runs until 31 Mar 2026" in text
