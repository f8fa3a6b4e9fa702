"""`manage.py seed_demo`: the demo organization, Northwind Group (DESIGN.md section 9).

The build takes a few seconds, so it runs once for the module, inside a transaction that is
rolled back when the module ends; every test then runs in a savepoint of its own. The clock is
frozen for the whole module, so "the twelve quarters that ended before today" are always the
same ones.
"""

import datetime as dt
import itertools
import statistics
from collections import defaultdict
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q

from demo.build import DEMO_PASSWORD
from demo.loader import load_catalogue
from kpis import scoring
from kpis import services as kpi_services
from kpis.models import KPI, Actual, ScoreSnapshot, Target
from kpis.recompute import recompute_everything
from reviews import services as review_services
from reviews.models import ActionItem, Initiative, Review
from scorecard.models import Membership, OrgUnit, Period, Scorecard
from scorecard.rules import may
from scorecard.text import person_name
from strategy.models import CausalLink, Objective
from strategy.services import OWNER_CANNOT_SEE_UNIT

TODAY = dt.date(2026, 5, 14)  # FY2026 Q2 with the default January start
ENDED_QUARTERS = 12
# The verbs the demo's objective titles start with.
ACTION_VERBS = {
    "Accelerate", "Adopt", "Automate", "Build", "Close", "Complete", "Control", "Cut",
    "Deepen", "Delight", "Deliver", "Develop", "Earn", "Engage", "Fill", "Forecast", "Give",
    "Grow", "Hire", "Hold", "Improve", "Invest", "Invoice", "Keep", "Lower", "Maintain",
    "Manage", "Meet", "Modernise", "Move", "Multiskill", "Onboard", "Pay", "Pick", "Plan",
    "Protect", "Raise", "Reduce", "Resolve", "Retain", "Run", "Serve", "Sharpen", "Ship",
    "Shorten", "Speed", "Streamline", "Strengthen", "Train", "Turn", "Use", "Win",
}  # fmt: skip


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    with (
        time_machine.travel(dt.datetime(2026, 5, 14, 9, 30, tzinfo=dt.UTC), tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        output = StringIO()
        call_command("seed_demo", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db):
    return demo_output


def ended_periods() -> list[Period]:
    return list(Period.objects.filter(grain="quarter", end__lt=TODAY).order_by("start"))


def current_period() -> Period:
    return Period.objects.get(grain="quarter", start__lte=TODAY, end__gte=TODAY)


def actual_values() -> dict[int, list[float]]:
    """Each manual KPI's actuals over the ended quarters, oldest first."""
    order = {period.pk: index for index, period in enumerate(ended_periods())}
    values: dict[int, list[float]] = defaultdict(lambda: [0.0] * len(order))
    for kpi_id, period_id, value in Actual.objects.values_list("kpi_id", "period_id", "value"):
        if period_id in order:
            values[kpi_id][order[period_id]] = float(value)
    return values


def lead_correlations(leading: KPI, lagging: KPI, values) -> dict[int, float]:
    """Correlation of the lagging KPI's quarter-on-quarter changes with the leading KPI's
    changes `lag` quarters earlier, turned so that positive means "the leading KPI got better,
    so did the lagging one" whatever their directions."""
    sign = 1 if leading.direction == lagging.direction else -1
    cause = [b - a for a, b in itertools.pairwise(values[leading.pk])]
    effect = [b - a for a, b in itertools.pairwise(values[lagging.pk])]
    return {
        lag: sign * statistics.correlation(cause[: len(cause) - lag], effect[lag:])
        for lag in (0, 1, 2)
    }


def link_pairs(link: CausalLink):
    """(leading KPI of the source, lagging KPI of the target) pairs with entered actuals."""
    leading = [k for k in link.source.kpis.all() if k.indicator_type == "leading"]
    lagging = [k for k in link.target.kpis.all() if k.indicator_type == "lagging"]
    return [
        (cause, effect)
        for cause in leading
        for effect in lagging
        if cause.source == KPI.Source.MANUAL
        and effect.source == KPI.Source.MANUAL
        # Links are judged over quarters: the monthly and yearly KPIs have no quarter actuals.
        and cause.frequency == effect.frequency == KPI.Frequency.QUARTER
    ]


# Structure


@pytest.mark.django_db
def test_it_builds_an_enterprise_four_departments_and_four_teams(demo):
    kinds = dict(OrgUnit.objects.order_by().values_list("kind").annotate(n=Count("id")))
    assert kinds == {"enterprise": 1, "department": 4, "team": 4}
    assert Scorecard.objects.count() == 9
    teams = OrgUnit.objects.filter(kind="team")
    assert len({OrgUnit.objects.get_parent(team).pk for team in teams}) == 2
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.django_db
def test_it_gives_every_scorecard_15_to_20_kpis_across_all_four_perspectives(demo):
    for scorecard in Scorecard.objects.all():
        kpis = KPI.objects.filter(objective__scorecard=scorecard)
        assert 15 <= kpis.count() <= 20, scorecard
        orders = set(kpis.values_list("objective__perspective__order", flat=True))
        assert orders == {1, 2, 3, 4}, scorecard


@pytest.mark.django_db
def test_it_gives_every_objective_an_owner_an_action_verb_and_one_or_two_kpis(demo):
    for objective in Objective.objects.annotate(n=Count("kpis")):
        assert objective.n in (1, 2), objective
        assert objective.title.split()[0] in ACTION_VERBS, objective
        assert objective.owner is not None


@pytest.mark.django_db
def test_it_codes_every_objective_and_kpi_as_published_scorecards_do(demo):
    """F1, C2 for objectives (the perspective's letter and place), F1.1 for their KPIs; each
    code once per scorecard, and every unit reuses the scheme."""
    for scorecard in Scorecard.objects.all():
        objective_codes = list(scorecard.objectives.values_list("code", flat=True))
        kpi_codes = list(
            KPI.objects.filter(objective__scorecard=scorecard).values_list("code", flat=True)
        )
        assert all(objective_codes) and all(kpi_codes)
        assert len(set(objective_codes)) == len(objective_codes)
        assert len(set(kpi_codes)) == len(kpi_codes)
    revenue = KPI.objects.get(
        objective__scorecard__org_unit__slug="northwind-group", name="Revenue"
    )
    assert (revenue.objective.code, revenue.code) == ("F1", "F1.1")
    assert revenue.data_source == "ERP general ledger, monthly close (consolidated)"
    assert KPI.objects.filter(code="F1.1").count() == Scorecard.objects.count()
    assert KPI.objects.exclude(data_source="").count() >= 10
    nps = KPI.objects.get(
        objective__scorecard__org_unit__slug="northwind-group", name="Net Promoter Score"
    )
    assert nps.baseline == 31


@pytest.mark.django_db
def test_it_mixes_units_directions_indicator_types_and_owners(demo):
    kpis = KPI.objects.all()
    assert {"%", "USD", "days", "count", "score"} <= set(kpis.values_list("unit", flat=True))
    assert set(kpis.values_list("direction", flat=True)) == {"up", "down"}
    assert set(kpis.values_list("indicator_type", flat=True)) == {"leading", "lagging"}
    assert set(kpis.values_list("decimals", flat=True)) >= {0, 1, 2}
    assert kpis.values("owner").distinct().count() >= 8


@pytest.mark.django_db
def test_it_cascades_objectives_to_the_unit_above(demo):
    for kind in ("department", "team"):
        supporters = Objective.objects.filter(
            scorecard__org_unit__kind=kind, supports__isnull=False
        )
        assert supporters.exists(), kind
        for objective in supporters:
            own = objective.scorecard.org_unit
            for parent in objective.supports.all():
                assert parent.scorecard.org_unit == OrgUnit.objects.get_parent(own)


@pytest.mark.django_db
def test_it_draws_strategy_maps_upwards_on_every_scorecard(demo):
    for scorecard in Scorecard.objects.all():
        links = CausalLink.objects.filter(scorecard=scorecard).select_related(
            "source__perspective", "target__perspective"
        )
        assert links.count() >= 5, scorecard
        for link in links:
            assert link.source.perspective.order < link.target.perspective.order, link
            # Upward links cannot form a cycle; ask the model's own check too.
            assert link.loop_it_would_close() == []


# Roll-ups


@pytest.mark.django_db
def test_it_gives_rollups_children_of_the_same_unit_and_targets_but_no_actuals(demo):
    rollups = KPI.objects.filter(source=KPI.Source.ROLLUP)
    assert {"sum", "average", "weighted_average"} <= set(
        rollups.values_list("rollup_method", flat=True)
    )
    assert rollups.filter(objective__scorecard__org_unit__kind="enterprise").exists()
    assert rollups.filter(objective__scorecard__org_unit__kind="department").exists()
    for rollup in rollups:
        children = rollup.rollup_children.all()
        assert children, rollup
        assert {child.unit for child in children} == {rollup.unit}
        assert not rollup.actuals.exists()
        assert rollup.targets.count() == ENDED_QUARTERS + 1


@pytest.mark.django_db
def test_it_sums_the_childrens_targets_into_a_sum_rollups_target(demo):
    revenue = KPI.objects.get(name="Revenue", objective__scorecard__org_unit__kind="department")
    period = ended_periods()[-1]
    children = Target.objects.filter(kpi__rolls_up_to=revenue, period=period)
    total = sum(target.value for target in children)
    own = Target.objects.get(kpi=revenue, period=period).value
    assert abs(own - total) / total < 0.01


# Targets and actuals


@pytest.mark.django_db
def test_it_enters_twelve_ended_quarters_of_actuals_for_every_manual_kpi(demo):
    ended = ended_periods()
    assert len(ended) == ENDED_QUARTERS
    assert ended[-1].end < TODAY <= current_period().end
    manual = KPI.objects.filter(source=KPI.Source.MANUAL, frequency=KPI.Frequency.QUARTER)
    ended_only = ~Q(actuals__period=current_period())
    for kpi in manual.annotate(n=Count("actuals", filter=ended_only)):
        assert kpi.n == ENDED_QUARTERS, kpi


@pytest.mark.django_db
def test_it_gives_monthly_and_yearly_kpis_a_target_each_period_and_an_actual_each_ended_one(
    demo,
):
    # The stored quarters' 39 months (13 quarters) have targets; those ended by 15 May 2026
    # (the current quarter's April has ended) have actuals: 36 + 1. The yearly KPI: the
    # fiscal years FY2023 to FY2026 of the stored quarters, actuals for the three ended.
    monthly = KPI.objects.filter(frequency=KPI.Frequency.MONTH)
    assert sorted(monthly.values_list("time_aggregation", flat=True)) == [
        "average",
        "last",
        "sum",
    ]
    for kpi in monthly:
        assert kpi.targets.count() == 39, kpi
        assert set(kpi.targets.values_list("period__grain", flat=True)) == {"month"}
        assert kpi.actuals.count() == 37, kpi
        assert not kpi.actuals.filter(period__end__gte=TODAY).exists()
    yearly = KPI.objects.get(frequency=KPI.Frequency.YEAR)
    assert list(
        yearly.targets.values_list("period__fiscal_year", flat=True).order_by("period__start")
    ) == [2023, 2024, 2025, 2026]
    assert yearly.actuals.count() == 3


@pytest.mark.django_db
def test_it_sets_this_quarters_targets_but_leaves_about_half_the_actuals_to_owners(demo):
    manual = KPI.objects.filter(source=KPI.Source.MANUAL)
    current = current_period()
    quarterly = KPI.objects.filter(frequency=KPI.Frequency.QUARTER)
    assert Target.objects.filter(period=current).count() == quarterly.count()
    reported = Actual.objects.filter(period=current).count()
    assert 0.3 * manual.count() < reported < 0.7 * manual.count()


@pytest.mark.django_db
def test_it_mixes_green_amber_and_red_and_comments_every_red_actual(demo):
    targets = {(t.kpi_id, t.period_id): t for t in Target.objects.all()}
    statuses = defaultdict(int)
    commented = 0
    actuals = Actual.objects.select_related("kpi")
    for actual in actuals:
        target = targets[(actual.kpi_id, actual.period_id)]
        status = actual.kpi.score(actual.value, target).status
        statuses[status] += 1
        commented += bool(actual.comment)
        if status == scoring.RED:
            assert actual.comment, actual
    total = sum(statuses.values())
    assert statuses["green"] > statuses["amber"] > statuses["red"] > 0.05 * total
    assert commented > 0.6 * total


@pytest.mark.django_db
def test_it_enters_history_as_imported_by_the_kpi_owner(demo):
    actuals = Actual.objects.exclude(period=current_period())
    assert set(actuals.values_list("source", flat=True)) == {"import"}
    assert not actuals.exclude(entered_by=F("kpi__owner")).exists()


@pytest.mark.django_db
def test_it_has_a_link_the_data_supports_and_one_it_does_not(demo):
    values = actual_values()
    supported, unsupported = [], []
    for link in CausalLink.objects.select_related("source", "target"):
        pairs = link_pairs(link)
        if not pairs:
            continue
        correlations = [lead_correlations(cause, effect, values) for cause, effect in pairs]
        if any(max(found[1], found[2]) >= 0.5 for found in correlations):
            supported.append(link)
        if all(abs(value) < 0.3 for found in correlations for value in found.values()):
            unsupported.append(link)
    assert len(supported) >= 10
    assert {str(link) for link in unsupported} >= {
        "Develop critical skills → Accelerate product innovation",
        "Build a self-service knowledge base → Resolve issues at first contact",
    }


# People


@pytest.mark.django_db
def test_it_creates_the_persona_accounts_with_their_roles(demo):
    users = {user.username: user for user in get_user_model().objects.all()}
    assert users["admin"].is_superuser and users["admin"].is_staff
    enterprise = OrgUnit.objects.get(kind="enterprise")

    def roles(username):
        return set(Membership.objects.filter(user=users[username]).values_list("org_unit", "role"))

    assert (enterprise.pk, "manager") in roles("manager")
    assert roles("executive") == {(enterprise.pk, "viewer")}
    assert len({unit for unit, role in roles("owner") if role == "owner"}) >= 3
    assert all(user.check_password(DEMO_PASSWORD) for user in users.values())


@pytest.mark.django_db
def test_it_lets_owner_own_kpis_in_three_units_but_not_all_of_them(demo):
    owned = KPI.objects.filter(owner__username="owner")
    units = set(owned.values_list("objective__scorecard__org_unit", flat=True))
    assert len(units) >= 3
    assert owned.count() < KPI.objects.count() / 5


@pytest.mark.django_db
def test_it_only_lets_people_who_see_the_unit_own_its_kpis_and_objectives(demo):
    for kpi in KPI.objects.select_related("owner", "objective__scorecard__org_unit"):
        assert may(kpi.owner, "scorecard.view_orgunit", kpi.org_unit), kpi
        assert may(kpi.owner, "kpis.enter_actual", kpi) or kpi.is_rollup, kpi
    for objective in Objective.objects.select_related("owner", "scorecard__org_unit"):
        assert may(objective.owner, "scorecard.view_orgunit", objective.org_unit), objective


# Reviews, initiatives, actions


@pytest.mark.django_db
def test_it_holds_a_closed_and_an_open_review_of_the_enterprise(demo):
    ended = ended_periods()
    reviews = Review.objects.filter(scorecard__org_unit__kind="enterprise")
    closed = reviews.get(status=Review.Status.CLOSED)
    assert closed.period == ended[-2]
    assert closed.closed_at and closed.summary and closed.decisions
    # Closed through the service: the pack holds the quarter's snapshots, one per KPI of
    # the enterprise scorecard, and the quarter's actuals are locked.
    assert closed.pack["period"] == ended[-2].key
    pack_kpis = {
        row["subject_id"] for row in closed.pack["snapshots"] if row["subject_type"] == "kpi"
    }
    assert pack_kpis == set(
        KPI.objects.filter(objective__scorecard=closed.scorecard).values_list("pk", flat=True)
    )
    assert kpi_services.quarter_is_locked(scorecard=closed.scorecard, period=closed.period)
    opened = reviews.exclude(status=Review.Status.CLOSED).get()
    assert opened.period == ended[-1]
    assert opened.status in (Review.Status.COLLECTING, Review.Status.IN_REVIEW)
    assert opened.participants.filter(username="executive").exists()
    # Opened through the service: its agenda is written from the snapshots.
    assert opened.findings.filter(kind="performance_gap").exists()


@pytest.mark.django_db
def test_it_plans_initiatives_with_milestones_serving_their_objectives(demo):
    initiatives = Initiative.objects.all()
    assert 3 <= initiatives.count() <= 6
    assert initiatives.filter(scorecard__org_unit__kind="enterprise").count() >= 2
    for initiative in initiatives:
        assert initiative.milestones.exists(), initiative
        assert initiative.objectives.exists(), initiative
        assert all(o.scorecard_id == initiative.scorecard_id for o in initiative.objectives.all())
        done = initiative.milestones.exclude(done_at=None)
        assert all(m.done_at <= TODAY for m in done)


@pytest.mark.django_db
def test_it_plans_actions_on_red_kpis_some_open_some_done_some_overdue(demo):
    last = ended_periods()[-1]
    on_kpis = ActionItem.objects.exclude(kpi=None).select_related("kpi")
    for item in on_kpis:
        target = Target.objects.get(kpi=item.kpi, period=last)
        actual = Actual.objects.get(kpi=item.kpi, period=last)
        result = scoring.score_kpi(
            actual=actual.value,
            target=target.value,
            red_flag=target.red_flag,
            direction=item.kpi.direction,
            tolerance_pct=item.kpi.tolerance_pct,
        )
        assert result.status == scoring.RED, item
        assert item.owner == item.kpi.owner
    statuses = set(on_kpis.values_list("status", flat=True))
    assert {"open", "in_progress", "done"} <= statuses
    overdue = on_kpis.filter(status__in=ActionItem.OPEN_STATUSES, due_date__lt=TODAY)
    assert overdue.exists()
    assert on_kpis.filter(status="done").exclude(completed_at=None).exists()
    assert ActionItem.objects.exclude(initiative=None).exists()


# Running it again


@pytest.mark.django_db
def test_it_changes_nothing_when_run_again_and_prints_the_logins(demo):
    models = apps.get_models(include_auto_created=True)
    before = {model._meta.label: model._base_manager.count() for model in models}
    output = StringIO()
    call_command("seed_demo", stdout=output)
    after = {model._meta.label: model._base_manager.count() for model in models}
    assert after == before
    assert before["kpis.HistoricalActual"] > 0
    printed = output.getvalue()
    assert "already present" in printed
    assert DEMO_PASSWORD in printed
    for username in ("admin", "manager", "owner", "executive"):
        assert f"  {username} " in printed


@pytest.mark.django_db
def test_it_printed_the_logins_after_the_first_run(demo):
    assert "Built the demo organization" in demo
    assert DEMO_PASSWORD in demo
    assert "manager of Northwind Group" in demo


@pytest.mark.django_db
def test_it_refuses_to_build_next_to_another_organization(demo):
    OrgUnit.objects.filter(kind="enterprise").update(slug="acme", name="Acme")
    with pytest.raises(CommandError, match='already holds an organization \\("Acme"\\)'):
        call_command("seed_demo", stdout=StringIO())


# The review services the demo writes through


@pytest.mark.django_db
def test_it_refuses_an_action_owner_who_cannot_see_the_unit(demo):
    finance = Scorecard.objects.get(org_unit__slug="finance")
    marco = get_user_model().objects.get(username="marco")
    with pytest.raises(ValidationError) as refused:
        review_services.action_item_create(
            scorecard=finance, title="Chase overdue invoices", owner=marco, due_date=TODAY
        )
    assert refused.value.message_dict["owner"] == [
        OWNER_CANNOT_SEE_UNIT.format(user=person_name(marco), unit=finance.org_unit)
    ]


@pytest.mark.django_db
def test_it_refuses_an_initiative_serving_another_scorecards_objective(demo):
    finance = Scorecard.objects.get(org_unit__slug="finance")
    elsewhere = Objective.objects.filter(scorecard__org_unit__slug="sales").first()
    with pytest.raises(ValidationError) as refused:
        review_services.initiative_create(
            scorecard=finance, name="Shared services", objectives=[elsewhere]
        )
    assert refused.value.message_dict["objectives"] == [
        review_services.INITIATIVE_OBJECTIVE_ELSEWHERE.format(objective=elsewhere)
    ]


@pytest.mark.django_db
def test_it_refuses_an_annual_review_outside_the_fourth_quarter(demo):
    enterprise = Scorecard.objects.get(org_unit__kind="enterprise")
    period = current_period()
    with pytest.raises(ValidationError) as refused:
        review_services.review_create(scorecard=enterprise, period=period, kind=Review.Kind.ANNUAL)
    assert refused.value.message_dict["period"] == [
        review_services.ANNUAL_REVIEW_NOT_Q4.format(period=period.label)
    ]


# The catalog, without a database


def test_it_drives_lagging_kpis_only_along_the_causal_links_of_the_catalog():
    units = load_catalogue().units
    kpis = {
        spec.key: (goal.key, spec)
        for unit in units
        for goal in unit.objectives
        for spec in goal.kpis
    }
    links = {(link.source, link.target) for unit in units for link in unit.links}
    for goal_key, spec in kpis.values():
        plan = spec.series
        for other in filter(None, [plan and plan.driver, plan and plan.independent_of]):
            other_goal, other_spec = kpis[other]
            assert (other_goal, goal_key) in links, spec.key
            assert (other_spec.indicator, spec.indicator) == ("leading", "lagging"), spec.key


# The site's address it prints


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("port", "options", "url"),
    [
        (None, {}, "http://127.0.0.1:8000/"),
        ("9123", {}, "http://127.0.0.1:9123/"),
        ("9123", {"url": "https://demo.example/"}, "https://demo.example/"),
    ],
)
def test_it_prints_the_address_the_site_runs_at(demo, monkeypatch, port, options, url):
    if port is None:
        monkeypatch.delenv("PORT", raising=False)
    else:
        monkeypatch.setenv("PORT", port)
    output = StringIO()
    call_command("seed_demo", stdout=output, **options)
    assert f"Open {url} and sign in" in output.getvalue()


@pytest.mark.django_db
def test_it_refuses_a_port_that_is_not_one(demo, monkeypatch):
    monkeypatch.setenv("PORT", "abc")
    with pytest.raises(CommandError, match="PORT should be a port number"):
        call_command("seed_demo", stdout=StringIO())


@pytest.mark.django_db
def test_it_shows_a_calculated_kpi_computed_from_its_inputs(demo):
    # This module builds the demo inside a transaction that never commits, so the
    # recompute queued for its commit runs here.
    recompute_everything()
    ratio = KPI.objects.get(code="P3.2", objective__scorecard__org_unit__slug="sales")
    assert (ratio.source, ratio.formula) == (KPI.Source.FORMULA, "[F2.1] / [F1.1] * 100")
    opex = KPI.objects.get(code="F2.1", objective__scorecard__org_unit__slug="sales")
    revenue = KPI.objects.get(code="F1.1", objective__scorecard__org_unit__slug="sales")
    # The quarterly ratio at its own frequency; a year folds its quarters (section 4).
    rows = ScoreSnapshot.objects.filter(subject_type="kpi", period__grain=Period.Grain.QUARTER)
    value = {
        (row.subject_id, row.period_id): row.value
        for row in rows.filter(subject_id__in=[ratio.pk, opex.pk, revenue.pk])
    }
    computed = [
        (period_id, number)
        for (kpi_id, period_id), number in value.items()
        if kpi_id == ratio.pk and number is not None
    ]
    assert len(computed) >= 8
    for period_id, number in computed:
        expected = value[(opex.pk, period_id)] / value[(revenue.pk, period_id)] * 100
        assert number == scoring.round6(expected)
    assert ratio.targets.exists()
