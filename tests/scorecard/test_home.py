"""The home page (issue 17): each persona's units as tiles with their overall score, status
and change, what they must do now, and an owner with entries due landing on My updates."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from kpis import recompute
from kpis import services as kpi_services
from reviews.services import action_item_create, review_create
from scorecard import services as core

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    # FY2026 Q2 is under way; Q1 is the last ended quarter, Q4 of FY2025 the one before.
    with time_machine.travel(dt.datetime(2026, 5, 12, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def home(client, user):
    client.force_login(user)
    client.get(reverse("scorecard:home"))  # An owner's first visit lands on My updates.
    response = client.get(reverse("scorecard:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_each_unit_one_may_see_as_a_tile(client, org, people, north_sales_kpi):
    recompute.recompute_everything()
    kpi_services.actual_enter(
        kpi=north_sales_kpi, period=core.period_for_key("FY2026-Q1"), value=Decimal("100"),
        comment="", by=people.owner,
    )  # fmt: skip
    html = home(client, people.executive)
    assert html.count('class="card unit-tile"') == 5  # Acme, North, South and both teams
    shown, before = core.period_for_key("FY2026-Q1"), core.period_for_key("FY2025-Q4")
    assert f"{shown.label}, against {before.label}" in html
    assert 'data-status="' in html
    assert f'href="{reverse("scorecard:scorecard", args=[org.north_sales.slug])}"' in html
    html = home(client, people.owner)
    assert html.count('class="card unit-tile"') == 1


def test_it_tells_an_owner_what_to_enter(client, people, north_sales_kpi):
    html = home(client, people.owner)
    assert "Enter 1 actual for" in html
    assert f'href="{reverse("kpis:my_updates")}"' in html
    assert "Enter " not in home(client, people.executive)


def test_it_lists_overdue_actions_and_reviews_to_prepare(client, org, people, north_sales_kpi):
    item = action_item_create(
        scorecard=org.north_sales.scorecard, title="Call the lost accounts", owner=people.owner,
        due_date=dt.date(2026, 5, 1), kpi=north_sales_kpi, created_by=people.north_manager,
        backdated=True,
    )  # fmt: skip
    review_create(scorecard=org.north.scorecard, period=core.period_for_key("FY2026-Q1"))
    html = home(client, people.owner)
    assert "Call the lost accounts" in html and "overdue since 1 May 2026" in html
    assert f'href="{reverse("reviews:action", args=[item.pk])}"' in html
    assert "Prepare the" not in html
    html = home(client, people.north_manager)
    label = core.period_for_key("FY2026-Q1").label
    assert f'Prepare the {label} quarterly review</a> <span class="muted">of North</span>' in html
    assert "Call the lost accounts" not in html


def test_it_says_when_nothing_is_waiting(client, people):
    assert "Nothing is waiting for you" in home(client, people.executive)
    assert "You have no role on any unit yet." in home(client, people.outsider)


def test_an_owner_with_entries_due_lands_on_my_updates(client, people, north_sales_kpi):
    client.force_login(people.owner)
    response = client.get(reverse("scorecard:home"))
    assert response.status_code == 302
    assert response.url == reverse("kpis:my_updates")
    # Only once after signing in: home stays reachable.
    assert client.get(reverse("scorecard:home")).status_code == 200
    client.force_login(people.executive)
    assert client.get(reverse("scorecard:home")).status_code == 200


def test_the_owners_home_runs_the_same_queries_for_more_kpis(
    client, org, people, north_sales_kpi, django_assert_max_num_queries
):
    def count() -> int:
        client.force_login(people.owner)
        client.get(reverse("scorecard:home"))  # the landing redirect, and warm-up
        with django_assert_max_num_queries(40) as captured:
            assert client.get(reverse("scorecard:home")).status_code == 200
        return len(captured)

    few = count()
    for number in range(9):
        kpi_services.kpi_create(
            objective=north_sales_kpi.objective, name=f"Measure {number}", unit="USD",
            owner=people.owner,
        )  # fmt: skip
    assert count() == few


def test_it_shows_the_top_of_a_large_tree_and_says_there_is_more(client, org, people, settings):
    settings.SIGHTLINE_HOME_TILES = 3

    html = home(client, people.executive)

    # By depth, then in tree order: Acme, then North and South; the teams are left out.
    assert html.count('class="card unit-tile"') == 3
    names = [org.acme.name, org.north.name, org.south.name]
    assert all(f">{name}</a></h3>" in html for name in names)
    assert f">{org.north_sales.name}</a></h3>" not in html
    assert "These are the 3 units at the top of what you may see." in html
    assert f'href="{reverse("dashboard:home")}"' in html
    settings.SIGHTLINE_HOME_TILES = 5
    assert "at the top of what you may see" not in home(client, people.executive)
