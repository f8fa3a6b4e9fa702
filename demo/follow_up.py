"""What the demo company does about its numbers: initiatives with milestones, action items
(recovery plans for red KPIs among them) and the quarterly reviews."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from demo import series as demo_series
from demo.specs import KpiSpec, MilestoneSpec, UnitSpec
from demo.state import DemoState
from kpis import recompute, scoring
from reviews import services as review_services
from reviews.models import Initiative, Review

REVIEW_MEETING_AFTER_QUARTER = timedelta(days=21)


def _due(demo: DemoState, quarter_index: int) -> date:
    """The last day of the stored quarter at the index, or of one still to come."""
    quarter = demo.quarters[min(quarter_index, demo_series.ENDED)]
    for _ in range(quarter_index - demo_series.ENDED):
        quarter = quarter.next()
    return quarter.end


# Initiatives.


def create_initiatives(demo: DemoState) -> dict[str, Initiative]:
    initiatives = {}
    for plan in demo.catalogue.plans.initiatives:
        initiatives[plan.key] = review_services.initiative_create(
            scorecard=demo.units[plan.unit].scorecard,
            name=plan.name,
            description=plan.description,
            objectives=[demo.objectives[key] for key in plan.objectives],
            owner=demo.people[plan.owner],
            budget=Decimal(plan.budget),
            start_date=_due(demo, plan.start_quarter - 1) + timedelta(days=1),
            end_date=_due(demo, plan.end_quarter),
            status=plan.status,
            percent_complete=plan.percent_complete,
            milestones=[_milestone(demo, milestone) for milestone in plan.milestones],
        )
    return initiatives


def _milestone(demo: DemoState, milestone: MilestoneSpec) -> review_services.MilestoneDraft:
    due = _due(demo, milestone.quarter)
    done = None
    if milestone.done_days_late is not None:
        reached = due + timedelta(days=milestone.done_days_late)
        # Reached "late" in a quarter that has only just begun would be in the future.
        done = reached if reached <= demo.today else None
    return review_services.MilestoneDraft(milestone.title, due, done)


# Action items.


def create_action_items(demo: DemoState, initiatives: dict[str, Initiative]) -> None:
    _create_recovery_actions(demo)
    plans = demo.catalogue.plans
    for action in plans.enterprise_actions:
        review_services.action_item_create(
            scorecard=demo.units[demo.catalogue.enterprise.key].scorecard,
            title=action.title,
            owner=demo.people[action.owner],
            due_date=demo.today + timedelta(days=action.due_in_days),
            initiative=initiatives[action.initiative] if action.initiative else None,
            objective=demo.objectives[action.objective] if action.objective else None,
            status=action.status,
            created_by=demo.people[plans.review.facilitator],
            backdated=True,
            notify_owner=False,
        )


def _create_recovery_actions(demo: DemoState) -> None:
    plans = demo.catalogue.plans
    last = demo_series.ENDED - 1
    red = [key for key, statuses in demo.statuses.items() if statuses[last] == scoring.RED]
    # The last red KPI is left without an action: the gap a review should catch.
    for number, key in enumerate(red[:-1]):
        kpi, spec = demo.kpis[key], demo.specs[key]
        recovery = plans.recovery_actions[number % len(plans.recovery_actions)]
        review_services.action_item_create(
            scorecard=kpi.objective.scorecard,
            title=plans.recovery_title.format(kpi=spec.name),
            description=plans.recovery_description.format(
                kpi=spec.name,
                period=demo.periods[last].label,
                value=_amount(demo.numbers[key].series.values[last], spec),
                target=_amount(demo.targets[key][last], spec),
            ),
            owner=demo.people[spec.owner],
            due_date=demo.today + timedelta(days=recovery.due_in_days),
            kpi=kpi,
            status=recovery.status,
            created_by=kpi.objective.owner,
            backdated=True,
            notify_owner=False,
        )


def _amount(number, spec: KpiSpec) -> str:
    """A value as people write it: thousands separated, the KPI's decimals, its unit."""
    text = f"{Decimal(str(number)):,.{spec.decimals}f}"
    if spec.unit == "count":
        return text
    if spec.unit == "x":
        return f"{text}x"
    return f"{text} {spec.unit}"


# Reviews.


def create_reviews(demo: DemoState) -> None:
    plans = demo.catalogue.plans
    enterprise = demo.catalogue.enterprise
    before_last, last = demo_series.ENDED - 2, demo_series.ENDED - 1
    common = dict(
        scorecard=demo.units[enterprise.key].scorecard,
        kind=Review.Kind.QUARTERLY,
        facilitator=demo.people[plans.review.facilitator],
        participants=[demo.people[name] for name in plans.review.participants],
    )
    # Closing a review copies the period's score snapshots into its pack, and opening one
    # reads its agenda from them: the engine computes them here, inside the build's
    # transaction, rather than in the task that runs after the commit (which then finds
    # nothing to change).
    # The quarter before the closed review's too: the agenda compares with it.
    recompute.recompute_everything(
        period_ids=[period.pk for period in demo.periods[before_last - 1 : last + 1]]
    )
    closed = review_services.review_create(
        period=demo.periods[before_last],
        status=Review.Status.IN_REVIEW,
        meeting_date=demo.quarters[before_last].end + REVIEW_MEETING_AFTER_QUARTER,
        summary=_review_summary(demo, enterprise, before_last),
        decisions="\n".join(plans.review.decisions),
        **common,
    )
    review_services.review_open(review=closed, today=demo.today)
    review_services.review_close(review=closed, by=demo.people[plans.review.facilitator])
    current = review_services.review_create(
        period=demo.periods[last],
        status=Review.Status.IN_REVIEW,
        meeting_date=demo.quarters[last].end + REVIEW_MEETING_AFTER_QUARTER,
        **common,
    )
    review_services.review_open(review=current, today=demo.today)
    _create_team_review(demo, last)


def _create_team_review(demo: DemoState, last: int) -> None:
    """A team's review under way too, where the demo owner holds a role: its agenda shows
    the red KPI that nobody has acted on yet."""
    team = demo.catalogue.plans.team_review
    review = review_services.review_create(
        scorecard=demo.units[team.unit].scorecard,
        kind=Review.Kind.QUARTERLY,
        period=demo.periods[last],
        status=Review.Status.IN_REVIEW,
        meeting_date=demo.quarters[last].end + REVIEW_MEETING_AFTER_QUARTER,
        facilitator=demo.people[team.facilitator],
        participants=[demo.people[name] for name in team.participants],
    )
    review_services.review_open(review=review, today=demo.today)


def _review_summary(demo: DemoState, unit: UnitSpec, index: int) -> str:
    """The closed review's summary: the unit's results that quarter, its reds, the context."""
    texts = demo.catalogue.plans.review
    keys = [spec.key for goal in unit.objectives for spec in goal.kpis if spec.series]
    statuses = Counter(demo.statuses[key][index] for key in keys)
    red = [demo.specs[key].name for key in keys if demo.statuses[key][index] == scoring.RED]
    results = texts.results.format(
        period=demo.periods[index].label,
        green=statuses[scoring.GREEN],
        amber=statuses[scoring.AMBER],
        total=len(keys),
    )
    reds = texts.reds.format(names=", ".join(red)) if red else texts.no_reds
    return " ".join((results, reds, texts.context))
