"""Two teams built alike through the services, one ten times the other, for the tests that pin
what a page or an endpoint costs in queries (and that it reads no row lazily).

    Acme (enterprise)
    ├── Small team     small_manager: manager ·  3 of everything
    │   └── 3 sub-teams (each with a scorecard and a planned review)
    └── Large team     large_manager: manager · 30 of everything
        └── 30 sub-teams

"Everything" is: viewers of the team, objectives (each with an owner and one KPI with an
owner, a Q1 target and a red Q1 actual entered by its owner), causal links in a chain,
initiatives serving an objective with a late milestone each, overdue action items on the
KPIs, notes in the team's Q1 review (besides the agenda it writes from all that: a gap per
KPI, an overdue action, a late milestone), notifications for the manager, and quarters of
history of the team's first KPI. Each manager sees only their own team, so
every list they read is the small or the large one.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from kpis import recompute
from kpis import services as kpi_services
from kpis.models import KPI
from reviews import services as review_services
from reviews.models import Review
from scorecard import services as core
from scorecard.models import Membership, OrgUnit, Perspective
from strategy import services as strategy_services
from strategy.models import Objective
from tests.factories import UserFactory, org_unit

SMALL = 3
LARGE = 10 * SMALL
# FY2026 Q2 runs 1 April – 30 June 2026: Q1 has ended, and its review may be held.
TODAY = dt.datetime(2026, 5, 12, 9, 0, tzinfo=dt.UTC)
Q1 = "FY2026-Q1"


@dataclass
class Team:
    name: str
    size: int
    unit: OrgUnit
    manager: object
    viewers: list = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)
    kpis: list[KPI] = field(default_factory=list)
    review: Review | None = None


@dataclass
class World:
    acme: OrgUnit
    small: Team
    large: Team

    def teams(self) -> list[Team]:
        return [self.small, self.large]


def numbered(team: Team, thing: str) -> list[str]:
    """The names the team's things of a kind were given: "Large goal 07", ..."""
    return [f"{team.name} {thing} {number:02d}" for number in range(team.size)]


def build_world() -> World:
    acme = org_unit("Acme", "enterprise")
    world = World(
        acme=acme, small=build_team(acme, "Small", SMALL), large=build_team(acme, "Large", LARGE)
    )
    # Scores come from the engine's snapshots; on_commit never runs inside the test's
    # transaction, so the recompute the writes asked for is run here.
    recompute.recompute_everything()
    for team in world.teams():
        team.review = open_review_of(team)
    return world


def build_team(parent: OrgUnit, name: str, size: int) -> Team:
    unit = org_unit(f"{name} team", "division", parent)
    manager = UserFactory(username=f"{name.lower()}_manager")
    core.membership_grant(user=manager, org_unit=unit, role=Membership.Role.MANAGER)
    team = Team(name=name, size=size, unit=unit, manager=manager)
    q1 = core.period_for_key(Q1)
    financial = Perspective.objects.get(order=4)
    for number in range(size):
        sub_team = org_unit(f"{name} sub-team {number:02d}", "team", unit)
        review_services.review_create(scorecard=sub_team.scorecard, period=q1)
        viewer = UserFactory(username=f"{name.lower()}_viewer_{number}")
        core.membership_grant(user=viewer, org_unit=unit, role=Membership.Role.VIEWER)
        objective = strategy_services.objective_create(
            scorecard=unit.scorecard, perspective=financial, title=f"{name} goal {number:02d}",
            owner=viewer,
        )  # fmt: skip
        kpi = kpi_services.kpi_create(
            objective=objective, name=f"{name} measure {number:02d}", unit="USD", owner=viewer
        )
        kpi_services.target_set(kpi=kpi, period=q1, value=Decimal("100"))
        # Below the red flag (90 by default), so the agenda finds gaps and the KPI needs action.
        kpi_services.actual_enter(
            kpi=kpi, period=q1, value=Decimal("80"), comment="Lost an account.", by=viewer
        )
        if team.objectives:
            strategy_services.link_create(
                scorecard=unit.scorecard, source=team.objectives[-1], target=objective
            )
        initiative = review_services.initiative_create(
            scorecard=unit.scorecard, name=f"{name} initiative {number:02d}", owner=viewer,
            objectives=[objective],
            milestones=[review_services.MilestoneDraft("Start", dt.date(2026, 5, 1))],
        )  # fmt: skip
        review_services.action_item_create(
            scorecard=unit.scorecard, title=f"{name} action {number:02d}", owner=viewer,
            due_date=dt.date(2026, 4, 30), kpi=kpi, initiative=initiative, created_by=manager,
            backdated=True,
        )  # fmt: skip
        review_services.notify(
            recipient=manager, kind="kpi_red", title=f"{name} measure {number:02d} turned red"
        )
        team.viewers.append(viewer)
        team.objectives.append(objective)
        team.kpis.append(kpi)
    add_history(team.kpis[0], quarters=size, by=manager)
    return team


def add_history(kpi: KPI, *, quarters: int, by) -> None:
    """Targets and actuals for the quarters before Q1 (the KPI detail page's history)."""
    period = core.period_for_key(Q1)
    for _ in range(quarters):
        period = core.period_for_quarter(period.as_fiscal_quarter(1).previous())
        kpi_services.target_set(kpi=kpi, period=period, value=Decimal("100"))
        kpi_services.actual_enter(kpi=kpi, period=period, value=Decimal("99"), by=by)


def open_review_of(team: Team) -> Review:
    """The team's Q1 review in the meeting: its agenda (from the snapshots) and notes."""
    review = review_services.review_create(
        scorecard=team.unit.scorecard, period=core.period_for_key(Q1),
        facilitator=team.manager, participants=[team.manager, *team.viewers],
    )  # fmt: skip
    review_services.review_open(review=review)
    for number in range(team.size):
        review_services.finding_add_note(review=review, comment=f"{team.name} note {number:02d}")
    return review
