"""Initiatives, the scorecard's fourth column: read by everyone who sees the unit, edited by
its managers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from reviews import services
from reviews.models import Initiative, Milestone


def client_of(people, persona: str) -> Client:
    client = Client()
    client.force_login(getattr(people, persona))
    return client


@pytest.fixture
def programme(clock, org, people, north_sales_kpi):
    return services.initiative_create(
        scorecard=org.north_sales.scorecard, name="Key account programme", owner=people.owner,
        objectives=[north_sales_kpi.objective], budget=Decimal("250000"),
        milestones=[services.MilestoneDraft("Hire an account lead", dt.date(2026, 4, 30))],
    )  # fmt: skip


@pytest.mark.parametrize("persona", ["admin", "manager", "north_manager", "owner", "executive"])
def test_it_lists_the_initiatives_with_late_milestones_to_readers(programme, people, persona):
    page = client_of(people, persona).get("/units/north-sales/initiatives/").content.decode()

    assert "Key account programme" in page
    assert "Grow regional revenue" in page
    assert 'overdue-tag">late' in page


@pytest.mark.parametrize("persona", ["south_team_manager", "outsider"])
def test_it_refuses_the_initiatives_to_others(programme, people, persona):
    assert client_of(people, persona).get("/units/north-sales/initiatives/").status_code == 403


def test_it_lets_a_manager_create_an_initiative(clock, org, people, north_sales_kpi):
    response = client_of(people, "north_manager").post(
        "/units/north-sales/initiatives/",
        {"name": "Partner channel", "objectives": [north_sales_kpi.objective_id],
         "status": "on_track", "percent_complete": "10", "start_date": "2026-04-01",
         "end_date": "2026-12-31"},
    )  # fmt: skip

    assert response.status_code == 302
    created = Initiative.objects.get()
    assert (created.name, created.percent_complete, list(created.objectives.all())) == (
        "Partner channel", 10, [north_sales_kpi.objective]
    )  # fmt: skip


def test_it_shows_the_reversed_dates_message(clock, org, people):
    response = client_of(people, "north_manager").post(
        "/units/north-sales/initiatives/",
        {"name": "Backwards", "status": "planned", "percent_complete": "0",
         "start_date": "2026-12-31", "end_date": "2026-04-01"},
    )  # fmt: skip

    assert response.status_code == 400
    assert services.INITIATIVE_DATES_REVERSED in response.content.decode()
    assert not Initiative.objects.exists()


@pytest.mark.parametrize("persona", ["owner", "executive"])
def test_it_refuses_initiative_writes_to_non_managers(programme, people, persona):
    client = client_of(people, persona)
    milestone = programme.milestones.get()

    new = {"name": "x", "status": "planned", "percent_complete": "0"}
    edit = {"name": "x", "status": "done", "percent_complete": "100"}
    responses = [
        client.post("/units/north-sales/initiatives/", new),
        client.get(f"/initiatives/{programme.pk}/"),
        client.post(f"/initiatives/{programme.pk}/", edit),
        client.post(
            f"/initiatives/{programme.pk}/milestones/", {"title": "x", "due_date": "2026-09-01"}
        ),
        client.post(f"/milestones/{milestone.pk}/done/"),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403, 403, 403]
    programme.refresh_from_db()
    assert (Initiative.objects.count(), programme.status, Milestone.objects.count()) == (
        1,
        "planned",
        1,
    )
    assert Milestone.objects.get().done_at is None


def test_it_lets_a_manager_update_progress_and_close_a_milestone(programme, people):
    client = client_of(people, "north_manager")
    milestone = programme.milestones.get()

    client.post(
        f"/initiatives/{programme.pk}/",
        {"name": "Key account programme", "status": "at_risk", "percent_complete": "40",
         "owner": people.owner.pk},
    )  # fmt: skip
    client.post(f"/milestones/{milestone.pk}/done/")

    programme.refresh_from_db()
    assert (programme.status, programme.percent_complete) == ("at_risk", 40)
    assert Milestone.objects.get().done_at == dt.date(2026, 5, 12)


def test_it_refuses_to_complete_a_milestone_twice(programme):
    milestone = programme.milestones.get()
    services.milestone_complete(milestone=milestone, on=dt.date(2026, 5, 1))

    with pytest.raises(Exception) as refused:
        services.milestone_complete(milestone=milestone)

    assert refused.value.message_dict == {"done_at": [services.MILESTONE_ALREADY_DONE]}  # type: ignore[attr-defined]
    assert Milestone.objects.get().done_at == dt.date(2026, 5, 1)


@pytest.mark.parametrize("extra", [2, 20])
def test_it_lists_initiatives_with_as_many_queries_for_ten_times_as_many(
    clock, org, people, north_sales_kpi, extra, django_assert_max_num_queries
):
    for number in range(extra):
        services.initiative_create(
            scorecard=org.north_sales.scorecard, name=f"Initiative {number}",
            objectives=[north_sales_kpi.objective],
            milestones=[services.MilestoneDraft("Start", dt.date(2026, 6, 1))],
        )  # fmt: skip
    client = client_of(people, "manager")
    # Session, user, memberships, the scorecard, the initiatives with owners, their
    # objectives, their milestones, the new-initiative form's objective and owner choices,
    # the bell.
    with django_assert_max_num_queries(11):
        page = client.get("/units/north-sales/initiatives/").content.decode()
    assert page.count('class="card initiative"') == extra


def test_it_groups_initiatives_by_the_objectives_they_serve(
    programme, org, north_sales_kpi, django_assert_num_queries
):
    from reviews.selectors import initiatives_by_objective

    # The initiatives, then the objectives they serve.
    with django_assert_num_queries(2):
        served = initiatives_by_objective(org.north_sales.scorecard)

    assert served == {north_sales_kpi.objective_id: [programme]}
