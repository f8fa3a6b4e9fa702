"""The selectors behind the main pages load every related row they promise up front: with
lazy loads made to raise (Django's FETCH_RAISE, see tests/lazy_loads.py), reading what the
page shows from their result touches the database no more. And the pages and list endpoints
themselves render the large team (30 of everything) without one lazy load.

Each selector's arguments are loaded inside the block as well, so a selector that reached
through them (`scorecard.org_unit`) would be caught too.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldFetchBlocked
from django.urls import reverse

from dashboards.selectors.heatmap import heatmap_rows
from dashboards.selectors.worst import worst_kpis
from kpis.models import KPI
from kpis.selectors import scorecard_sheet
from reviews import selectors as review_selectors
from reviews import services as review_services
from reviews.models import Finding
from scorecard import services as core
from scorecard.models import OrgUnit, Scorecard
from scorecard.rules import visible_q
from scorecard.selectors import org_units_visible_to
from tests.lazy_loads import lazy_loads_raise
from tests.repository.scaled_world import Q1, TODAY, Team, World


def fresh_user(team: Team):
    return get_user_model().objects.get(pk=team.manager.pk)


def fresh_scorecard(team: Team) -> Scorecard:
    return Scorecard.objects.get(pk=team.unit.scorecard.pk)


def test_it_makes_a_lazy_load_raise_inside_the_block_only(world: World, db):
    # Without this, a Django that stopped reading DEFAULT_FETCH_MODE would pass every test
    # below without checking anything.
    with lazy_loads_raise():
        kpi = KPI.objects.get(pk=world.small.kpis[0].pk)
        with pytest.raises(FieldFetchBlocked, match=re.escape("KPI.objective blocked")):
            kpi.objective  # noqa: B018
        objective = KPI.objects.select_related("objective").get(pk=kpi.pk).objective
        with pytest.raises(FieldFetchBlocked, match=re.escape("Objective.scorecard blocked")):
            objective.scorecard  # noqa: B018

    assert KPI.objects.get(pk=kpi.pk).objective.pk == objective.pk


@pytest.mark.parametrize("team_name", ["small", "large"])
def test_the_scorecard_sheet_loads_owners_targets_and_actuals(world: World, db, team_name):
    team: Team = getattr(world, team_name)
    shown = []
    with lazy_loads_raise():
        sheet = scorecard_sheet(scorecard=fresh_scorecard(team), period=core.period_for_key(Q1))
        for perspective_row in sheet.perspectives:
            assert perspective_row.perspective.name
            for objective_row in perspective_row.objectives:
                objective = objective_row.objective
                assert objective.owner.username
                for kpi_row in objective_row.kpis:
                    assert kpi_row.kpi.owner.username == objective.owner.username
                    assert kpi_row.kpi.objective is objective
                    assert kpi_row.target.kpi_id == kpi_row.kpi.pk
                    assert kpi_row.actual.entered_by.username == kpi_row.kpi.owner.username
                    shown.append((kpi_row.kpi.name, kpi_row.status))

    assert len(shown) == team.size
    assert {status for _, status in shown} == {"red"}


def test_the_heatmap_loads_each_units_scorecard(world: World, db):
    with lazy_loads_raise():
        root = OrgUnit.objects.get(pk=world.acme.pk)
        rows = heatmap_rows(root=root, period=core.period_for_key(Q1))
        scorecards = [row.unit.scorecard.title for row in rows]

    # Acme, the two teams and their 3 + 30 sub-teams.
    assert len(scorecards) == 1 + 2 + world.small.size + world.large.size


def test_the_worst_kpis_load_owner_objective_and_unit(world: World, db):
    with lazy_loads_raise():
        root = OrgUnit.objects.get(pk=world.acme.pk)
        worst = worst_kpis(root=root, period=core.period_for_key(Q1))
        shown = [
            (row.kpi.owner.username, row.kpi.objective.perspective.name,
             row.kpi.objective.scorecard.org_unit.name)
            for row in worst
        ]  # fmt: skip

    assert len(shown) == 10


@pytest.mark.parametrize("team_name", ["small", "large"])
def test_the_review_loads_its_findings_subjects_and_people(world: World, db, team_name):
    team: Team = getattr(world, team_name)
    # The agenda writes a link's finding only when twelve quarters of both ends' data
    # judge it; this one stands for it, so the link's two ends are read too.
    link = team.objectives[0].links_out.get()
    Finding.objects.create(review=team.review, kind=Finding.Kind.WEAK_LINK, link=link)
    subjects = []
    with lazy_loads_raise():
        review = review_selectors.review_detail(team.review.pk)
        assert review.scorecard.org_unit.name == team.unit.name
        assert (review.period.key, review.facilitator.username) == (Q1, team.manager.username)
        for finding in review.findings.all():
            if finding.kpi:
                subjects.append(("kpi", finding.kpi.owner.username))
            elif finding.objective:
                subjects.append(("objective", finding.objective.title))
            elif finding.link:
                subjects.append(("link", f"{finding.link.source} → {finding.link.target}"))
            elif finding.action_item:
                subjects.append(("action", finding.action_item.owner.username))
            assert finding.open_actions >= 0
        participants = [person.username for person in review.participants.all()]

    kinds = [kind for kind, _ in subjects]
    assert [kinds.count(kind) for kind in ("kpi", "objective", "link", "action")] == [
        team.size, 1, 1, team.size
    ]  # fmt: skip
    assert len(participants) == team.size + 1


@pytest.mark.parametrize("team_name", ["small", "large"])
def test_the_review_list_loads_scorecard_unit_period_and_facilitator(world: World, db, team_name):
    team: Team = getattr(world, team_name)
    with lazy_loads_raise():
        shown = [
            (review.scorecard.org_unit.name, review.period.key, review.facilitator)
            for review in review_selectors.reviews_visible_to(fresh_user(team))
        ]

    assert len(shown) == team.size + 1


@pytest.mark.parametrize("team_name", ["small", "large"])
def test_the_action_lists_load_scorecard_unit_subjects_and_owner(world: World, db, team_name):
    team: Team = getattr(world, team_name)
    with lazy_loads_raise():
        user = fresh_user(team)
        lists = [
            review_selectors.action_items_visible_to(user, status="open", overdue_on=TODAY.date()),
            review_selectors.open_action_items_in(visible_q(user, "scorecard__org_unit__path")),
        ]
        for items in lists:
            shown = [
                (item.scorecard.org_unit.name, item.kpi.name, item.objective, item.owner.username,
                 item.initiative.name)
                for item in items
            ]  # fmt: skip
            assert len(shown) == team.size


def test_an_action_item_loads_its_finding_and_its_notes_authors(world: World, db):
    team = world.small
    finding = team.review.findings.filter(kind=Finding.Kind.NOTE).first()
    item = review_services.action_item_create(
        scorecard=team.unit.scorecard, title="Follow the note up", owner=team.manager,
        due_date=TODAY.date(), finding=finding,
    )  # fmt: skip
    review_services.progress_note_add(item=item, author=team.manager, text="Called them.")
    with lazy_loads_raise():
        loaded = review_selectors.action_item_detail(item.pk)
        shown = (
            loaded.scorecard.org_unit.name,
            loaded.finding.comment,
            [(note.author.username, note.text) for note in loaded.notes.all()],
        )

    assert shown == (team.unit.name, finding.comment, [(team.manager.username, "Called them.")])


@pytest.mark.parametrize("team_name", ["small", "large"])
def test_the_initiatives_load_owners_objectives_and_milestones(world: World, db, team_name):
    team: Team = getattr(world, team_name)
    with lazy_loads_raise():
        scorecard = fresh_scorecard(team)
        shown = [
            (initiative.owner.username, [o.title for o in initiative.objectives.all()],
             [m.title for m in initiative.milestones.all()])
            for initiative in review_selectors.initiatives_of(scorecard)
        ]  # fmt: skip
        late = [
            milestone.initiative.name
            for milestone in review_selectors.late_milestones_of(scorecard, on=TODAY.date())
        ]

    assert len(shown) == len(late) == team.size


@pytest.mark.parametrize("team_name", ["small", "large"])
def test_the_visible_units_load_their_scorecards(world: World, db, team_name):
    team: Team = getattr(world, team_name)
    with lazy_loads_raise():
        titles = [unit.scorecard.title for unit in org_units_visible_to(fresh_user(team))]

    assert len(titles) == team.size + 1


def page_urls(team: Team) -> list[str]:
    slug = team.unit.slug
    return [
        reverse("scorecard:scorecard", args=[slug]) + f"?period={Q1}",
        reverse("kpis:editor", args=[slug]),
        reverse("kpis:targets", args=[slug]),
        reverse("kpis:kpi_detail", args=[slug, team.kpis[0].pk]),
        reverse("strategy:map", args=[slug]),
        reverse("dashboard:home") + f"?period={Q1}",
        reverse("reviews:review", args=[team.review.pk]),
        reverse("reviews:reviews"),
        reverse("reviews:actions"),
        reverse("reviews:initiatives", args=[slug]),
        reverse("reviews:notifications"),
        reverse("kpis:my_updates"),
    ]


API_LISTS = [
    "org-units", "memberships", "perspectives", "scorecards", "objectives", "kpis", "links",
    "scores", "reviews", "findings", "initiatives", "actions", "notifications",
    "actuals",
]  # fmt: skip


def test_the_pages_render_the_large_team_without_a_lazy_load(world: World, db, client):
    client.force_login(world.large.manager)
    answers = {}
    with lazy_loads_raise():
        for url in page_urls(world.large):
            answers[url] = client.get(url).status_code

    assert set(answers.values()) == {200}, answers


def test_the_list_endpoints_answer_the_large_team_without_a_lazy_load(world: World, db, client):
    client.force_login(world.large.manager)
    counts = {}
    with lazy_loads_raise():
        for endpoint in API_LISTS:
            period = f"&period={Q1}" if endpoint == "scores" else ""
            response = client.get(f"/api/{endpoint}/?page_size=1000{period}")
            assert response.status_code == 200, endpoint
            counts[endpoint] = response.json()["count"]

    assert all(counts.values()), counts
