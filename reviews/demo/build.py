"""Build the demo organization, Northwind Group, through the same services the pages use.

Everything is written in one transaction, and only into a database without the demo: when its
enterprise unit exists, nothing is written at all, so running the command again changes no row
(history tables included).
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from kpis import recompute, scoring
from kpis import services as kpi_services
from kpis.models import KPI, Actual
from reviews import services as review_services
from reviews.demo import catalog_plans as plans
from reviews.demo import series as demo_series
from reviews.demo.catalog import NORTHWIND, PEOPLE_OF_NORTHWIND, UNITS
from reviews.demo.specs import KpiSpec, MilestoneSpec, PersonSpec, UnitSpec
from reviews.models import Initiative, Review
from scorecard import fiscal
from scorecard import services as core
from scorecard.models import OrganizationSettings, OrgUnit, Period, Perspective
from strategy import services as strategy_services
from strategy.models import Objective

SEED = 2026
DEMO_PASSWORD = "sightline-demo"
OTHER_ORGANIZATION = (
    'The database already holds an organization ("{name}"); the demo organization is only '
    "built into a database without one."
)
# About half of this quarter's actuals are in, so owners have work to do.
SHARE_REPORTED_THIS_QUARTER = 0.5
# Owners comment on most actuals; a red one always carries a comment.
SHARE_COMMENTED = 0.75
REVIEW_MEETING_AFTER_QUARTER = timedelta(days=21)


class DemoConflict(Exception):
    """The database already holds an organization that is not the demo's."""


@dataclass
class DemoSummary:
    units: int = 0
    kpis: int = 0
    rollups: int = 0
    targets: int = 0
    actuals: int = 0
    statuses: Counter = field(default_factory=Counter)
    # Accounts that existed before the build and keep their own password.
    kept_accounts: list[str] = field(default_factory=list)


def demo_organization_exists() -> bool:
    return OrgUnit.objects.filter(slug=NORTHWIND.slug).exists()


def demo_organization_build(*, today: date | None = None) -> DemoSummary | None:
    """Build Northwind Group; None when it is already there (and then nothing is written)."""
    if demo_organization_exists():
        return None
    root = OrgUnit.objects.get_root_nodes().first()
    if root is not None:
        raise DemoConflict(OTHER_ORGANIZATION.format(name=root.name))
    with transaction.atomic():
        return _Builder(today or timezone.localdate()).build()


class _Builder:
    def __init__(self, today: date):
        self.today = today
        self.rng = random.Random(SEED)
        self.summary = DemoSummary()
        self.people: dict[str, object] = {}
        self.units: dict[str, OrgUnit] = {}
        self.objectives: dict[str, Objective] = {}
        self.kpis: dict[str, KPI] = {}
        self.specs: dict[str, KpiSpec] = {
            spec.key: spec for unit in UNITS for goal in unit.objectives for spec in goal.kpis
        }
        # Every number is made before anything is written.
        self.numbers = demo_series.generate_catalog(list(self.specs.values()), seed=SEED)
        self.targets = {key: numbers.targets for key, numbers in self.numbers.items()}
        # KPI key -> status per stored quarter (None where no actual was entered).
        self.statuses: dict[str, list[str | None]] = {}
        start_month = OrganizationSettings.load().fiscal_start_month
        current = fiscal.quarter_of(today, start_month)
        quarters = [current]
        for _ in range(demo_series.ENDED):
            quarters.insert(0, quarters[0].previous())
        self.quarters = quarters
        self.periods: list[Period] = []

    def build(self) -> DemoSummary:
        self._create_people()
        self._create_units()
        self._grant_roles()
        self.perspectives = {p.order: p for p in Perspective.objects.all()}
        for unit in UNITS:
            self._create_strategy(unit)
        self.periods = [core.period_for_quarter(quarter) for quarter in self.quarters]
        for spec in self.specs.values():
            if spec.series is not None:
                self._enter_history(spec)
        self._set_rollup_targets()
        initiatives = self._create_initiatives()
        self._create_action_items(initiatives)
        self._create_reviews()
        return self.summary

    # People, units and roles.

    def _create_people(self) -> None:
        user_model = get_user_model()
        # One slow hash for every account: they all share the documented demo password.
        password = make_password(DEMO_PASSWORD)
        for person in PEOPLE_OF_NORTHWIND:
            user = user_model.objects.filter(username=person.username).first()
            if user is None:
                user = self._create_user(person, password)
            else:
                self.summary.kept_accounts.append(person.username)
            self.people[person.username] = user

    def _create_user(self, person: PersonSpec, password: str):
        user = get_user_model()(
            username=person.username,
            first_name=person.first_name,
            last_name=person.last_name,
            email=f"{person.username}@northwind.example",
            is_superuser=person.is_superuser,
            is_staff=person.is_superuser,
            password=password,
        )
        user.full_clean()
        user.save()
        return user

    def _create_units(self) -> None:
        for spec in UNITS:
            parent = self.units[spec.parent] if spec.parent else None
            unit = core.org_unit_create(
                name=spec.name, kind=spec.kind, parent=parent, slug=spec.slug
            )
            core.scorecard_create(
                org_unit=unit, title=f"{spec.name} scorecard", description=spec.description
            )
            self.units[spec.key] = unit
        # The tree keeps siblings sorted by name, so adding "Finance" after "Operations"
        # rewrites the paths of siblings already in the database; the instances held here
        # would carry stale paths into every permission check. Read them back once.
        fresh = OrgUnit.objects.select_related("scorecard").in_bulk(
            [unit.pk for unit in self.units.values()]
        )
        self.units = {key: fresh[unit.pk] for key, unit in self.units.items()}
        self.summary.units = len(self.units)

    def _grant_roles(self) -> None:
        # Before anything gets an owner: the services refuse owners without a role, and the
        # policy caches a person's roles on first use.
        for person in PEOPLE_OF_NORTHWIND:
            for unit_key, role in person.roles:
                core.membership_grant(
                    user=self.people[person.username], org_unit=self.units[unit_key], role=role
                )

    # Objectives, KPIs and the strategy map.

    def _create_strategy(self, unit: UnitSpec) -> None:
        scorecard = self.units[unit.key].scorecard
        for goal in unit.objectives:
            objective = strategy_services.objective_create(
                scorecard=scorecard,
                perspective=self.perspectives[goal.perspective],
                title=goal.title,
                owner=self.people[goal.owner],
                supports=[self.objectives[key] for key in goal.supports],
            )
            self.objectives[goal.key] = objective
            for spec in goal.kpis:
                self.kpis[spec.key] = self._create_kpi(objective, spec)
        for arrow in unit.links:
            strategy_services.link_create(
                scorecard=scorecard,
                source=self.objectives[arrow.source],
                target=self.objectives[arrow.target],
                note=arrow.note,
            )

    def _create_kpi(self, objective: Objective, spec: KpiSpec) -> KPI:
        tolerance = spec.tolerance or f"{self.numbers[spec.key].tolerance_pct:g}"
        kpi = kpi_services.kpi_create(
            objective=objective,
            name=spec.name,
            description=spec.description,
            unit=spec.unit,
            decimals=spec.decimals,
            direction=spec.direction,
            indicator_type=spec.indicator,
            owner=self.people[spec.owner],
            weight=Decimal(spec.weight),
            tolerance_pct=Decimal(tolerance),
            source=KPI.Source.ROLLUP if spec.rollup else KPI.Source.MANUAL,
            rollup_method=spec.rollup,
            rolls_up_to=self.kpis[spec.up_to] if spec.up_to else None,
        )
        self.summary.kpis += 1
        self.summary.rollups += bool(spec.rollup)
        return kpi

    # Targets and actuals.

    def _enter_history(self, spec: KpiSpec) -> None:
        kpi = self.kpis[spec.key]
        owner = self.people[spec.owner]
        values = self.numbers[spec.key].series.values
        statuses: list[str | None] = []
        for index, (period, target) in enumerate(
            zip(self.periods, self.targets[spec.key], strict=True)
        ):
            kpi_services.target_set(kpi=kpi, period=period, value=target)
            self.summary.targets += 1
            is_current = index == demo_series.ENDED
            if is_current and self.rng.random() >= SHARE_REPORTED_THIS_QUARTER:
                statuses.append(None)
                continue
            value = Decimal(str(values[index]))
            status = scoring.score_kpi(
                actual=value,
                target=target,
                red_flag=None,
                direction=spec.direction,
                tolerance_pct=kpi.tolerance_pct,
            ).status
            previous = values[index - 1] if index else None
            kpi_services.actual_enter(
                kpi=kpi,
                period=period,
                value=value,
                comment=self._comment(spec, status, values[index], previous),
                by=owner,
                source=Actual.Source.FORM if is_current else Actual.Source.IMPORT,
                today=self.today,
            )
            statuses.append(status)
            self.summary.actuals += 1
            self.summary.statuses[status] += 1
        self.statuses[spec.key] = statuses

    def _comment(self, spec: KpiSpec, status: str, value: float, previous: float | None) -> str:
        if status != scoring.RED and self.rng.random() >= SHARE_COMMENTED:
            return ""
        pool = {scoring.GREEN: plans.GREEN_COMMENTS, scoring.AMBER: plans.AMBER_COMMENTS}.get(
            status, plans.RED_COMMENTS
        )
        comment = self.rng.choice(pool)
        if previous:
            # A rate moves by points; "churn up 31 %" would read as a crisis.
            if spec.unit == "%":
                change, measure = value - previous, "points"
            else:
                change, measure = 100 * (value - previous) / abs(previous), "%"
            if abs(change) >= 0.05:
                word = "Up" if change > 0 else "Down"
                comment += f" {word} {abs(change):.1f} {measure} on last quarter."
        return comment

    def _set_rollup_targets(self) -> None:
        """Roll-up KPIs get targets from their children's by their own method, deepest first
        so a parent finds its children's targets ready. They get no actuals: the engine
        computes their values."""
        rollups = [spec for spec in self.specs.values() if spec.rollup]
        rollups.sort(key=lambda spec: -self.kpis[spec.key].objective.scorecard.org_unit.depth)
        for spec in rollups:
            method = spec.rollup or ""
            children = [child for child in self.specs.values() if child.up_to == spec.key]
            per_period = zip(*(self.targets[child.key] for child in children), strict=True)
            weights = [Decimal(child.weight) for child in children]
            rounded = []
            for targets in per_period:
                combined = scoring.rollup_value(method, zip(targets, weights, strict=True))
                assert combined.value is not None, f"{spec.key} has no children"
                rounded.append(demo_series.target_value(float(combined.value), spec.decimals))
            self.targets[spec.key] = rounded
            for period, target in zip(self.periods, rounded, strict=True):
                kpi_services.target_set(kpi=self.kpis[spec.key], period=period, value=target)
                self.summary.targets += 1

    # Initiatives, action items, reviews.

    def _due(self, quarter_index: int) -> date:
        """The last day of the stored quarter at the index, or of one still to come."""
        quarter = self.quarters[min(quarter_index, demo_series.ENDED)]
        for _ in range(quarter_index - demo_series.ENDED):
            quarter = quarter.next()
        return quarter.end

    def _create_initiatives(self) -> dict[str, Initiative]:
        initiatives = {}
        for plan in plans.INITIATIVES:
            initiatives[plan.key] = review_services.initiative_create(
                scorecard=self.units[plan.unit].scorecard,
                name=plan.name,
                description=plan.description,
                objectives=[self.objectives[key] for key in plan.objectives],
                owner=self.people[plan.owner],
                budget=Decimal(plan.budget),
                start_date=self._due(plan.start_quarter - 1) + timedelta(days=1),
                end_date=self._due(plan.end_quarter),
                status=plan.status,
                percent_complete=plan.percent_complete,
                milestones=[self._milestone(milestone) for milestone in plan.milestones],
            )
        return initiatives

    def _milestone(self, milestone: MilestoneSpec) -> review_services.MilestoneDraft:
        due = self._due(milestone.quarter)
        done = None
        if milestone.done_days_late is not None:
            reached = due + timedelta(days=milestone.done_days_late)
            # Reached "late" in a quarter that has only just begun would be in the future.
            done = reached if reached <= self.today else None
        return review_services.MilestoneDraft(milestone.title, due, done)

    def _create_action_items(self, initiatives: dict[str, Initiative]) -> None:
        last = demo_series.ENDED - 1
        red = [key for key, statuses in self.statuses.items() if statuses[last] == scoring.RED]
        # The last red KPI is left without an action: the gap a review should catch.
        for number, key in enumerate(red[:-1]):
            kpi, spec = self.kpis[key], self.specs[key]
            status, due_in = plans.RECOVERY_ACTIONS[number % len(plans.RECOVERY_ACTIONS)]
            review_services.action_item_create(
                scorecard=kpi.objective.scorecard,
                title=plans.RECOVERY_TITLE.format(kpi=spec.name),
                description=plans.RECOVERY_DESCRIPTION.format(
                    kpi=spec.name,
                    period=self.periods[last].label,
                    value=_amount(self.numbers[key].series.values[last], spec),
                    target=_amount(self.targets[key][last], spec),
                ),
                owner=self.people[spec.owner],
                due_date=self.today + timedelta(days=due_in),
                kpi=kpi,
                status=status,
                created_by=kpi.objective.owner,
                backdated=True,
                notify_owner=False,
            )
        for action in plans.ENTERPRISE_ACTIONS:
            review_services.action_item_create(
                scorecard=self.units[NORTHWIND.key].scorecard,
                title=action.title,
                owner=self.people[action.owner],
                due_date=self.today + timedelta(days=action.due_in_days),
                initiative=initiatives[action.initiative] if action.initiative else None,
                objective=self.objectives[action.objective] if action.objective else None,
                status=action.status,
                created_by=self.people[plans.REVIEW_FACILITATOR],
                backdated=True,
                notify_owner=False,
            )

    def _create_reviews(self) -> None:
        before_last, last = demo_series.ENDED - 2, demo_series.ENDED - 1
        common = dict(
            scorecard=self.units[NORTHWIND.key].scorecard,
            kind=Review.Kind.QUARTERLY,
            facilitator=self.people[plans.REVIEW_FACILITATOR],
            participants=[self.people[name] for name in plans.REVIEW_PARTICIPANTS],
        )
        # Closing a review copies the period's score snapshots into its pack, and opening one
        # reads its agenda from them: the engine computes them here, inside the build's
        # transaction, rather than in the task that runs after the commit (which then finds
        # nothing to change).
        # The quarter before the closed review's too: the agenda compares with it.
        recompute.recompute_everything(
            period_ids=[period.pk for period in self.periods[before_last - 1 : last + 1]]
        )
        closed = review_services.review_create(
            period=self.periods[before_last],
            status=Review.Status.IN_REVIEW,
            meeting_date=self.quarters[before_last].end + REVIEW_MEETING_AFTER_QUARTER,
            summary=self._review_summary(NORTHWIND, before_last),
            decisions="\n".join(plans.REVIEW_DECISIONS),
            **common,
        )
        review_services.review_open(review=closed, today=self.today)
        review_services.review_close(review=closed, by=self.people[plans.REVIEW_FACILITATOR])
        current = review_services.review_create(
            period=self.periods[last],
            status=Review.Status.IN_REVIEW,
            meeting_date=self.quarters[last].end + REVIEW_MEETING_AFTER_QUARTER,
            **common,
        )
        review_services.review_open(review=current, today=self.today)
        # A team's review under way too, where the demo owner holds a role: its agenda shows
        # the red KPI that nobody has acted on yet.
        team = review_services.review_create(
            scorecard=self.units[plans.TEAM_REVIEW_UNIT].scorecard,
            kind=Review.Kind.QUARTERLY,
            period=self.periods[last],
            status=Review.Status.IN_REVIEW,
            meeting_date=self.quarters[last].end + REVIEW_MEETING_AFTER_QUARTER,
            facilitator=self.people[plans.TEAM_REVIEW_FACILITATOR],
            participants=[self.people[name] for name in plans.TEAM_REVIEW_PARTICIPANTS],
        )
        review_services.review_open(review=team, today=self.today)

    def _review_summary(self, unit: UnitSpec, index: int) -> str:
        keys = [spec.key for goal in unit.objectives for spec in goal.kpis if spec.series]
        statuses = Counter(self.statuses[key][index] for key in keys)
        red = [self.specs[key].name for key in keys if self.statuses[key][index] == scoring.RED]
        text = plans.REVIEW_RESULTS.format(
            period=self.periods[index].label,
            green=statuses[scoring.GREEN],
            amber=statuses[scoring.AMBER],
            total=len(keys),
        )
        text += plans.REVIEW_REDS.format(names=", ".join(red)) if red else plans.REVIEW_NO_REDS
        return text + plans.REVIEW_CONTEXT


def _amount(number, spec: KpiSpec) -> str:
    """A value as people write it: thousands separated, the KPI's decimals, its unit."""
    text = f"{Decimal(str(number)):,.{spec.decimals}f}"
    if spec.unit == "count":
        return text
    if spec.unit == "x":
        return f"{text}x"
    return f"{text} {spec.unit}"
