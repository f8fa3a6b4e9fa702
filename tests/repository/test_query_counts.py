"""Every page that lists things, and every list endpoint of the API, runs as many queries for
the large team (30 of everything) as for the small one (3): no query per row.

Each budget is the count today, with what each query is for; a page that needs one more
query must say why here. Requests are signed in with a session, so every count starts with
the session and the user; "memberships" is the person's roles (what they may see), "bell"
the unread notifications counted in the top bar.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from scorecard.models import Perspective
from tests.repository.scaled_world import Q1, Team, World, numbered


@dataclass(frozen=True)
class Page:
    url: Callable[[Team], str]
    # Texts the page must show, so the large team's page is shown with its 30 rows.
    shows: Callable[[Team], list[str]]
    queries: int


def oldest_quarter(team: Team) -> list[str]:
    # The KPI detail's history of the team's first KPI goes back `size` quarters from Q1.
    year, quarter = 2026, 1
    for _ in range(team.size):
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return [f"FY{year}-Q{quarter}"]


PAGES = {
    # 1 session, 2 user, 3 the scorecard with its unit, 4 memberships; the health check:
    # 5 settings, 6 the current period, 7 settings, 8 the last ended period, 9 settings,
    # 10 perspectives, 11 objectives with their supports counted, 12 KPIs, 13 targets,
    # 14 actuals, 15 snapshots, 16 links, 17 open action items on the KPIs; the sheet:
    # 18 objectives (owner, owning team, whether links use them), 19 KPIs (owner, whether
    # data exists), 20 the objectives they support, 21 perspectives; the forms' choices:
    # 22 people, 23 teams, 24 roll-up parents, 25 child units, 26 the KPIs a formula may
    # name by code; 27 bell.
    "editor": Page(
        url=lambda team: reverse("kpis:editor", args=[team.unit.slug]),
        shows=lambda team: numbered(team, "goal") + numbered(team, "measure"),
        queries=27,
    ),
    # 1 session, 2 user, 3 the scorecard with its unit, 4 memberships, 5 and 6 settings
    # (the fiscal year shown, its quarters), 7 KPIs with objective and perspective, 8 the
    # year's targets with their periods, 9 bell.
    "targets": Page(
        url=lambda team: reverse("kpis:targets", args=[team.unit.slug]),
        shows=lambda team: numbered(team, "measure"),
        queries=9,
    ),
    # 1 session, 2 user, 3 the scorecard with its unit, 4 memberships, 5 the KPI with its
    # objective, scorecard, unit, perspective and owner; the default period (no period in
    # the URL): 6 settings, 7 the last ended period, 8 whether the KPI has an actual in it;
    # 9 targets, 10 actuals (with who entered them), 11 snapshots, each with its period;
    # 12 the history of the actuals; the explanation: 13 snapshot, 14 KPI, 15 target; the
    # switcher: 16 settings, 17 the periods with the KPI's data; 18 bell.
    "kpi_detail": Page(
        url=lambda team: reverse("kpis:kpi_detail", args=[team.unit.slug, team.kpis[0].pk]),
        shows=oldest_quarter,
        queries=18,
    ),
    # 1 session, 2 user, 3 the review with scorecard, unit and period (the permission
    # check), 4 memberships, 5 the review with its facilitator, 6 findings with their
    # subjects and open actions counted, 7 participants, 8 the KPIs with an open action,
    # 9 bell, 10 the meeting form's people.
    "review": Page(
        url=lambda team: reverse("reviews:review", args=[team.review.pk]),
        shows=lambda team: numbered(team, "note") + numbered(team, "measure"),
        queries=10,
    ),
    # 1 session, 2 user, 3 memberships; the plan form (issue 17: selects, not a text box):
    # 4 the people to choose the facilitator from, 5 settings, 6 settings, 7 the quarters
    # holding data (the period switcher's rule); 8 bell; the plan form's units: 9 whether
    # there is one; 10 reviews with scorecard, unit, period and facilitator; 11 the units.
    "review_list": Page(
        url=lambda team: reverse("reviews:reviews"),
        shows=lambda team: numbered(team, "sub-team"),
        queries=11,
    ),
    # 1 session, 2 user, 3 memberships, 4 the items counted (issue 17: the list is paged),
    # 5 bell, 6 the filter's units, 7 the page's items with scorecard, unit, owner, KPI,
    # objective and initiative.
    "actions": Page(
        url=lambda team: reverse("reviews:actions"),
        shows=lambda team: numbered(team, "action"),
        queries=7,
    ),
    # 1 session, 2 user, 3 the scorecard with its unit, 4 memberships, 5 bell,
    # 6 initiatives with owners, 7 the objectives they serve, 8 their milestones; the new
    # initiative's form: 9 objectives, 10 owners.
    "initiatives": Page(
        url=lambda team: reverse("reviews:initiatives", args=[team.unit.slug]),
        shows=lambda team: numbered(team, "initiative"),
        queries=10,
    ),
    # Home (issue 17): 1 session, 2 user; what to enter (counted as "My updates" counts
    # it): 3 settings, 4 the due quarter, 5 settings, 6 memberships, 7 the KPIs entered
    # (none for a manager: an owner's are pinned in tests/scorecard/test_home.py); the
    # tiles: 8 settings, 9 the last ended quarter, 10 settings, 11 the quarter before,
    # 12 the units with their scorecards, 13 their overall snapshots in both quarters;
    # 14 overdue action items, 15 reviews to prepare, 16 the top bar.
    "home": Page(
        url=lambda team: reverse("scorecard:home"),
        shows=lambda team: numbered(team, "sub-team"),
        queries=16,
    ),
    # The dashboard's branch (issues 17, 18): the rows of one unit's children, as "expand"
    # and "Expand all" load them. 1 session, 2 user, 3 the root named, 4 memberships, 5 the
    # branch's unit, 6 settings, 7 the period, 8 perspectives, 9 the children with their
    # scorecards, 10 their snapshots, 11 their freshness. No top bar: rows only.
    "dashboard_branch": Page(
        url=lambda team: (
            reverse("dashboard:branch", args=[team.unit.slug])
            + f"?root={team.unit.slug}&period={Q1}"
        ),
        shows=lambda team: numbered(team, "sub-team"),
        queries=11,
    ),
    # 1 session, 2 user, 3 bell, 4 the page's own unread count, 5 the notifications.
    "notifications": Page(
        url=lambda team: reverse("reviews:notifications"),
        shows=lambda team: [f"{name} turned red" for name in numbered(team, "measure")],
        queries=5,
    ),
}


@dataclass(frozen=True)
class Endpoint:
    path: str
    rows: Callable[[Team], int]
    queries: int


# Most lists: 1 session, 2 user, 3 memberships, 4 the count, 5 the page with its joins;
# the extra queries are named beside each.
ENDPOINTS = {
    # 6 the parents' ids, from the page's paths.
    "org-units": Endpoint("/api/org-units/", lambda team: team.size + 1, 6),
    "memberships": Endpoint("/api/memberships/", lambda team: team.size + 1, 5),
    "scorecards": Endpoint("/api/scorecards/", lambda team: team.size + 1, 5),
    # 6 the objectives each supports.
    "objectives": Endpoint("/api/objectives/", lambda team: team.size, 6),
    "kpis": Endpoint("/api/kpis/", lambda team: team.size, 5),
    "links": Endpoint("/api/links/", lambda team: team.size - 1, 5),
    # Before the memberships: settings and the period asked for (the period is checked
    # first); then the count, the page and the levels of its ordinal KPIs (level names).
    "scores": Endpoint(
        f"/api/scores/?period={Q1}",
        # The team's and its sub-teams' scorecard and perspective rows, each KPI and objective.
        lambda team: (team.size + 1) * (1 + Perspective.objects.count()) + 2 * team.size,
        8,
    ),
    # 6 participants.
    "reviews": Endpoint("/api/reviews/", lambda team: team.size + 1, 6),
    # The agenda's gap on each red KPI, overdue action and late milestone, the score that
    # fell (the first KPI's objective), and the notes.
    "findings": Endpoint("/api/findings/", lambda team: 4 * team.size + 1, 5),
    # 6 the objectives served, 7 milestones.
    "initiatives": Endpoint("/api/initiatives/", lambda team: team.size, 7),
    "actions": Endpoint("/api/actions/", lambda team: team.size, 5),
    # A person's own notifications: no memberships needed.
    "notifications": Endpoint("/api/notifications/", lambda team: team.size, 4),
    # Q1's actuals and the first KPI's history.
    "actuals": Endpoint("/api/actuals/", lambda team: 2 * team.size, 5),
}


def measure(client, assert_max_queries, team: Team, url: str, budget: int):
    client.force_login(team.manager)
    client.get(url)  # Warm-up: the session row and any period rows exist from here on.
    with assert_max_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(captured)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_page_runs_the_same_queries_for_ten_times_the_rows(
    world: World, db, client, django_assert_max_num_queries, name
):
    page = PAGES[name]
    counts = []
    for team in world.teams():
        response, count = measure(
            client, django_assert_max_num_queries, team, page.url(team), page.queries
        )
        html = response.content.decode()
        assert [text for text in page.shows(team) if text not in html] == [], team.name
        counts.append(count)

    small, large = counts
    assert small == large, "a query per row"


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_a_list_endpoint_runs_the_same_queries_for_ten_times_the_rows(
    world: World, db, client, django_assert_max_num_queries, name
):
    endpoint = ENDPOINTS[name]
    separator = "&" if "?" in endpoint.path else "?"
    counts = []
    for team in world.teams():
        url = f"{endpoint.path}{separator}page_size=1000"
        response, count = measure(
            client, django_assert_max_num_queries, team, url, endpoint.queries
        )
        body = response.json()
        assert (body["count"], len(body["results"])) == (endpoint.rows(team),) * 2, team.name
        counts.append(count)

    small, large = counts
    assert small == large, "a query per row"


def test_the_perspectives_run_the_same_queries_for_ten_times_as_many(
    world: World, db, client, django_assert_max_num_queries
):
    # Perspectives are the organisation's, not a team's: the four classic ones, then 40.
    # 1 session, 2 user, 3 the count, 4 the page (every signed-in person may read them).
    team = world.small
    small, small_count = measure(
        client, django_assert_max_num_queries, team, "/api/perspectives/?page_size=1000", 4
    )
    for number in range(36):
        Perspective.objects.create(order=10 + number, name=f"Extra {number}", color="#123456")
    large, large_count = measure(
        client, django_assert_max_num_queries, team, "/api/perspectives/?page_size=1000", 4
    )

    assert (small.json()["count"], large.json()["count"]) == (4, 40)
    assert small_count == large_count
