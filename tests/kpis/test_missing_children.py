"""A roll-up KPI's `missing_children` policy and which children count in a period
(DESIGN.md section 4, "Provisional numbers and missing inputs"), by hand-worked numbers.

First the engine alone (no database), then the stored field through the recompute, the API
and the editor.

The engine cases use one parent, KPI 11 of scorecard 1, and its children 21, 31, 41 in
scorecards 2, 3, 4 (weight 1 each). Unless a case says otherwise children 21 and 31 report
10 and 20, and child 41 has a target in the period but no actual yet: it counts, and it is
missing.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.engine import KPI, KpiFacts, ObjectiveFacts, Outcome, World, compute
from kpis.models import KPI as KPIModel
from kpis.models import MISSING_CHILDREN_ONLY_FOR_ROLLUPS, ScoreSnapshot
from kpis.recompute import recompute_everything
from kpis.scoring import IGNORE, NO_TARGET, REQUIRE_ALL, UP, ZERO
from scorecard import services as core
from scorecard.models import Period
from strategy import services as strategy_services

Q1_START = date(2026, 1, 1)
PARENT = (1, KPI, 11)
CHILDREN = (21, 31, 41)


def facts(id, scorecard, *, rollup=None, rolls_up_to=None, policy=None, archived_on=None):
    return KpiFacts(
        id=id,
        scorecard_id=scorecard,
        objective_id=id,
        direction=UP,
        tolerance_pct=Decimal("10"),
        weight=Decimal("1"),
        is_rollup=rollup is not None,
        rollup_method=rollup,
        rolls_up_to_id=rolls_up_to,
        archived_on=archived_on,
        missing_children=policy,
    )


def objective(id, scorecard):
    return ObjectiveFacts(id=id, scorecard_id=scorecard, perspective_id=4, weight=Decimal(1))


def rollup_world(
    method="sum",
    policy=None,
    *,
    actuals=None,
    targets=None,
    started=(),
    children=CHILDREN,
    archived=None,
    extra=(),
):
    """The parent over `children`; `archived` maps a child to the day it was archived."""
    actuals = {21: "10", 31: "20"} if actuals is None else actuals
    targets = {41: "100"} if targets is None else targets
    archived = archived or {}
    kpis = [facts(11, 1, rollup=method, policy=policy)]
    kpis += [
        facts(child, child // 10, rolls_up_to=11, archived_on=archived.get(child))
        for child in children
    ]
    kpis += list(extra)
    return World(
        period_start=Q1_START,
        scorecard_ids={1, *(kpi.scorecard_id for kpi in kpis)},
        perspective_ids=[1, 2, 3, 4],
        kpis=kpis,
        objectives=[objective(kpi.objective_id, kpi.scorecard_id) for kpi in kpis],
        supports=[],
        perspective_weights={},
        targets={kpi_id: (Decimal(value), None) for kpi_id, value in targets.items()},
        actuals={kpi_id: Decimal(value) for kpi_id, value in actuals.items()},
        started=set(started),
    )


def parent(world: World) -> Outcome:
    return compute(world)[PARENT]


def value_and_coverage(outcome: Outcome) -> tuple[Decimal | None, int, int]:
    return outcome.value, outcome.reported, outcome.total


# The three policies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        # require_all: 41 has not reported, so the sum has no value yet; 2 of 3 reported
        pytest.param(REQUIRE_ALL, (None, 2, 3), id="require_all"),
        # ignore: 10 + 20 = 30 from the two that reported, 2 of 3
        pytest.param(IGNORE, (Decimal("30"), 2, 3), id="ignore"),
        # zero: 10 + 20 + 0 = 30; 41 counts as 0 in the value but not as reported: 2 of 3
        pytest.param(ZERO, (Decimal("30"), 2, 3), id="zero"),
    ],
)
def test_a_sum_of_10_20_and_a_missing_child_follows_its_policy(policy, expected):
    assert value_and_coverage(parent(rollup_world("sum", policy))) == expected


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        pytest.param(REQUIRE_ALL, (None, 2, 3), id="require_all"),
        # (10 + 20) / 2 = 15
        pytest.param(IGNORE, (Decimal("15"), 2, 3), id="ignore"),
        # (10 + 20 + 0) / 3 = 10
        pytest.param(ZERO, (Decimal("10"), 2, 3), id="zero"),
    ],
)
def test_an_average_with_a_missing_child_follows_its_policy(policy, expected):
    assert value_and_coverage(parent(rollup_world("average", policy))) == expected


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # No stored policy on a sum: require_all, so no value with 41 missing
        pytest.param("sum", (None, 2, 3), id="sum requires all"),
        # Any other method ignores the missing child: average (10 + 20)/2 = 15, min 10, max 20
        pytest.param("average", (Decimal("15"), 2, 3), id="average ignores"),
        pytest.param("min", (Decimal("10"), 2, 3), id="min ignores"),
        pytest.param("max", (Decimal("20"), 2, 3), id="max ignores"),
        # weighted (weights 1): (10 + 20)/2 = 15
        pytest.param("weighted_average", (Decimal("15"), 2, 3), id="weighted ignores"),
    ],
)
def test_without_a_stored_policy_the_default_follows_the_method(method, expected):
    assert value_and_coverage(parent(rollup_world(method, None))) == expected


def test_a_min_counting_missing_children_as_zero_is_zero():
    # min(10, 20, 0) = 0
    assert value_and_coverage(parent(rollup_world("min", ZERO))) == (Decimal("0"), 2, 3)


@pytest.mark.parametrize("policy", [REQUIRE_ALL, IGNORE, ZERO])
def test_no_child_with_a_value_gives_no_value_whatever_the_policy(policy):
    # All three have a target, none an actual: 0 of 3, no value (not 0 under `zero`)
    world = rollup_world("sum", policy, actuals={}, targets={21: "5", 31: "5", 41: "5"})
    assert value_and_coverage(parent(world)) == (None, 0, 3)


def test_every_child_in_gives_the_full_sum_under_require_all():
    # 10 + 20 + 5 = 35, 3 of 3
    world = rollup_world("sum", REQUIRE_ALL, actuals={21: "10", 31: "20", 41: "5"})
    assert value_and_coverage(parent(world)) == (Decimal("35"), 3, 3)


# Which children count --------------------------------------------------------------------------


def test_a_child_added_later_does_not_blank_the_earlier_sums():
    # Child 41 has no actual and no target in this period or any earlier one (its first
    # target lies in a later period): it does not count yet, so the sum is 10 + 20 = 30 with
    # 2 of 2, even under require_all.
    world = rollup_world("sum", REQUIRE_ALL, targets={})
    assert value_and_coverage(parent(world)) == (Decimal("30"), 2, 2)


def test_a_child_with_data_only_in_an_earlier_period_counts_and_is_missing():
    # 41 has nothing in this period but a target in an earlier one (the loader reports it as
    # started): it counts, so require_all has no value, 2 of 3.
    world = rollup_world("sum", REQUIRE_ALL, targets={}, started={41})
    assert value_and_coverage(parent(world)) == (None, 2, 3)


def test_a_child_archived_before_the_period_does_not_count():
    # 41 was archived on 31 Dec 2025, before Q1 2026 started: no member, so 10 + 20 = 30,
    # 2 of 2, although it has a target and had data before.
    world = rollup_world("sum", REQUIRE_ALL, started={41}, archived={41: date(2025, 12, 31)})
    assert value_and_coverage(parent(world)) == (Decimal("30"), 2, 2)


def test_a_child_archived_during_the_period_still_counts():
    # Archived on 15 Feb 2026, after Q1 started: still a member of Q1, and missing.
    world = rollup_world("sum", REQUIRE_ALL, archived={41: date(2026, 2, 15)})
    assert value_and_coverage(parent(world)) == (None, 2, 3)


def test_a_rollup_child_counts_once_one_of_its_own_children_does():
    # 41 is itself a sum roll-up with no target, over 51 (which reports 7): 41 = 7 and counts;
    # the parent: 10 + 20 + 7 = 37, 3 of 3.
    world = rollup_world(
        "sum",
        REQUIRE_ALL,
        targets={},
        children=(21, 31),
        actuals={21: "10", 31: "20", 51: "7"},
        extra=[facts(41, 4, rollup="sum", rolls_up_to=11), facts(51, 5, rolls_up_to=41)],
    )
    outcomes = compute(world)
    assert value_and_coverage(outcomes[(4, KPI, 41)]) == (Decimal("7"), 1, 1)
    assert value_and_coverage(outcomes[PARENT]) == (Decimal("37"), 3, 3)


def test_a_rollup_child_whose_children_have_not_started_does_not_count():
    # 41 (a roll-up, no target) over 51, which has no data at all: 41 counts no child, so it
    # does not count either: 10 + 20 = 30, 2 of 2.
    world = rollup_world(
        "sum",
        REQUIRE_ALL,
        targets={},
        children=(21, 31),
        extra=[facts(41, 4, rollup="sum", rolls_up_to=11), facts(51, 5, rolls_up_to=41)],
    )
    outcomes = compute(world)
    assert value_and_coverage(outcomes[(4, KPI, 41)]) == (None, 0, 0)
    assert value_and_coverage(outcomes[PARENT]) == (Decimal("30"), 2, 2)


def test_outside_children_count_by_their_stored_value_or_what_the_loader_found():
    # Parent alone in the world; outside: 21 stored 10, 31 stored 20, 41 stored without a
    # value but started (a target somewhere up to now), 51 stored nothing and never started.
    world = World(
        period_start=Q1_START,
        scorecard_ids={1},
        perspective_ids=[1, 2, 3, 4],
        kpis=[facts(11, 1, rollup="sum", policy=IGNORE)],
        objectives=[objective(11, 1)],
        supports=[],
        perspective_weights={},
        targets={},
        actuals={},
        outside_kpis=[facts(k, k // 10, rolls_up_to=11) for k in (21, 31, 41, 51)],
        frozen_kpi_values={21: Decimal("10"), 31: Decimal("20"), 41: None},
        started={41},
    )
    # 10 + 20 = 30: 41 counts and is missing, 51 does not count: 2 of 3; no target for 11
    assert compute(world)[PARENT] == Outcome(Decimal("30"), None, NO_TARGET, 2, 3)


def test_zero_counts_a_missing_weighted_child_with_its_weight():
    # weighted average with weights 1, 1, 2 and 41 (weight 2) missing, as 0:
    # (10·1 + 20·1 + 0·2) / 4 = 7.5
    world = rollup_world("weighted_average", ZERO)
    world.kpis = [
        kpi if kpi.id != 41 else KpiFacts(**{**kpi.__dict__, "weight": Decimal(2)})
        for kpi in world.kpis
    ]
    assert value_and_coverage(parent(world)) == (Decimal("7.5"), 2, 3)


# Stored on the KPI, through the recompute, the API and the editor ------------------------------
#
# Acme's "Revenue" (USD) is a sum roll-up of three children, in FY2026 (calendar quarters):
#
#     child            unit        Q1         Q2        Q3
#     North revenue    North       –          10        10
#     South revenue    South       –          20        20
#     Ops revenue      South Ops   –          –         target 100, no actual
#
# So in Q3 Ops counts (it has a target) and is missing; in Q2 it has no data up to then and
# does not count: a sum of 10 + 20 = 30, 2 of 2, whatever the policy.

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)  # mid-Q4: Q1–Q3 have ended


@dataclass
class Revenue:
    org: Any
    people: Any
    revenue: KPIModel
    north: KPIModel
    south: KPIModel
    ops: KPIModel
    q1: Period
    q2: Period
    q3: Period


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def world(org, people, financial, clock) -> Revenue:
    q1, q2, q3 = (core.period_for_key(f"FY2026-Q{n}") for n in (1, 2, 3))

    def objective(unit, title):
        return strategy_services.objective_create(
            scorecard=unit.scorecard, perspective=financial, title=title
        )

    revenue = kpi_services.kpi_create(
        objective=objective(org.acme, "Grow revenue"),
        name="Revenue",
        unit="USD",
        source=KPIModel.Source.ROLLUP,
        rollup_method=KPIModel.RollupMethod.SUM,
    )
    children = [
        kpi_services.kpi_create(
            objective=objective(unit, f"Grow {name.lower()}"),
            name=name,
            unit="USD",
            rolls_up_to=revenue,
        )
        for unit, name in (
            (org.north, "North revenue"),
            (org.south, "South revenue"),
            (org.south_ops, "Ops revenue"),
        )
    ]
    north, south, ops = children
    for kpi, amount in ((north, "10"), (south, "20")):
        for period in (q2, q3):
            kpi_services.actual_enter(kpi=kpi, period=period, value=Decimal(amount))
    kpi_services.target_set(kpi=ops, period=q3, value=Decimal("100"))
    # Scorecards the writes do not reach (North Sales) get their snapshots here.
    recompute_everything()
    return Revenue(org, people, revenue, north, south, ops, q1, q2, q3)


def stored(kpi, period):
    row = ScoreSnapshot.objects.get(period=period, subject_type="kpi", subject_id=kpi.pk)
    return row.value, row.reported, row.total


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_a_sum_waits_for_every_counting_child_by_default(world):
    # Q3: 10 and 20 in, Ops missing: no value, 2 of 3
    assert stored(world.revenue, world.q3) == (None, 2, 3)
    # Q2: Ops has no data up to Q2 and does not count: 10 + 20 = 30, 2 of 2
    assert stored(world.revenue, world.q2) == (Decimal("30"), 2, 2)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (ZERO, (Decimal("30"), 2, 3)),  # 10 + 20 + 0, Ops not reported
        (IGNORE, (Decimal("30"), 2, 3)),  # 10 + 20
        (REQUIRE_ALL, (None, 2, 3)),
    ],
)
def test_the_stored_policy_is_applied_on_save(world, policy, expected):
    kpi_services.kpi_update(kpi=world.revenue, missing_children=policy)

    assert stored(world.revenue, world.q3) == expected
    assert_full_recompute_changes_nothing()


@pytest.mark.django_db(transaction=True)
def test_the_default_follows_a_later_change_of_method(world):
    kpi_services.kpi_update(kpi=world.revenue, rollup_method=KPIModel.RollupMethod.AVERAGE)

    # No stored policy: an average ignores the missing child, (10 + 20)/2 = 15, 2 of 3
    world.revenue.refresh_from_db()
    assert world.revenue.missing_children is None
    assert world.revenue.effective_missing_children == IGNORE
    assert stored(world.revenue, world.q3) == (Decimal("15"), 2, 3)


@pytest.mark.django_db(transaction=True)
def test_a_childs_first_data_in_an_earlier_quarter_recomputes_the_later_ones(world):
    # Ops gets an actual in Q1: from then on it counts, so Q2 (where it has nothing) waits
    # for it: no value, 2 of 3. Q1 itself: Ops 5 alone, 1 of 1 (North and South start in Q2).
    kpi_services.actual_enter(kpi=world.ops, period=world.q1, value=Decimal("5"))

    assert stored(world.revenue, world.q1) == (Decimal("5"), 1, 1)
    assert stored(world.revenue, world.q2) == (None, 2, 3)
    assert_full_recompute_changes_nothing()


@pytest.mark.django_db(transaction=True)
def test_removing_a_childs_only_target_stops_it_counting(world):
    kpi_services.target_clear(kpi=world.ops, period=world.q3)

    # Ops has no data left at all: 10 + 20 = 30, 2 of 2
    assert stored(world.revenue, world.q3) == (Decimal("30"), 2, 2)
    assert_full_recompute_changes_nothing()


def assert_full_recompute_changes_nothing():
    assert [result.changed for result in recompute_everything()] == [0] * Period.objects.count()


# API -------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_api_shows_the_rule_a_rollup_applies_and_null_for_other_kpis(world):
    client = api(world.people.manager)

    assert client.get(f"/api/kpis/{world.revenue.pk}/").json()["missing_children"] == REQUIRE_ALL
    assert client.get(f"/api/kpis/{world.north.pk}/").json()["missing_children"] is None


@pytest.mark.django_db(transaction=True)
def test_the_api_sets_the_rule_and_null_brings_the_default_back(world):
    client = api(world.people.manager)
    url = f"/api/kpis/{world.revenue.pk}/"

    response = client.patch(url, {"missing_children": ZERO}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["missing_children"] == ZERO
    world.revenue.refresh_from_db()
    assert world.revenue.missing_children == ZERO
    assert stored(world.revenue, world.q3) == (Decimal("30"), 2, 3)

    response = client.patch(url, {"missing_children": None}, format="json")
    assert response.json()["missing_children"] == REQUIRE_ALL
    world.revenue.refresh_from_db()
    assert world.revenue.missing_children is None
    assert stored(world.revenue, world.q3) == (None, 2, 3)

    client.patch(url, {"rollup_method": "max"}, format="json")
    assert client.get(url).json()["missing_children"] == IGNORE


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("which", "payload", "message"),
    [
        ("north", {"missing_children": ZERO}, MISSING_CHILDREN_ONLY_FOR_ROLLUPS),
        ("revenue", {"missing_children": "sometimes"}, '"sometimes" is not a valid choice.'),
    ],
)
def test_the_api_refuses_a_bad_rule_with_a_field_error(world, which, payload, message):
    kpi = getattr(world, which)
    response = api(world.people.manager).patch(f"/api/kpis/{kpi.pk}/", payload, format="json")

    assert response.status_code == 400
    assert response.json() == {"missing_children": [message]}
    kpi.refresh_from_db()
    assert kpi.missing_children is None


@pytest.mark.django_db(transaction=True)
def test_the_explanation_names_the_missing_child_and_the_rule(world):
    response = api(world.people.manager).get(
        "/api/scores/explain/",
        {
            "period": "FY2026-Q3",
            "scorecard": world.org.acme.scorecard.pk,
            "subject_type": "kpi",
            "subject_id": world.revenue.pk,
        },
    )

    body = response.json()
    assert [(m["label"], m["missing"]) for m in body["members"]] == [
        ("North revenue (North)", False),
        ("South revenue (South)", False),
        ("Ops revenue (South Ops)", True),
    ]
    assert (
        "Missing children: it has no value until every child KPI has one (the default for "
        "this method). Missing: Ops revenue (South Ops)."
    ) in body["notes"]


# The editor ------------------------------------------------------------------------------------


def editor_form(kpi, **overrides):
    data = {
        "name": kpi.name,
        "unit": kpi.unit,
        "decimals": "1",
        "direction": "up",
        "indicator_type": "lagging",
        "owner": "",
        "owning_team": "",
        "weight": "1",
        "tolerance_pct": "10",
        "source": kpi.source,
        "rolls_up_to": kpi.rolls_up_to_id or "",
        "rollup_method": kpi.rollup_method or "",
        "missing_children": "",
    }
    return data | overrides


@pytest.mark.django_db(transaction=True)
def test_the_editor_offers_the_rule_for_rollup_kpis_only(world, client):
    client.force_login(world.people.manager)

    acme = client.get(reverse("editor:editor", args=[world.org.acme.slug])).content.decode()
    north = client.get(reverse("editor:editor", args=[world.org.north.slug])).content.decode()

    assert f'id="kpi-{world.revenue.pk}-missing-children"' in acme
    assert "missing-children" not in north


@pytest.mark.django_db(transaction=True)
def test_the_editor_saves_the_rule_and_recomputes(world, client):
    client.force_login(world.people.manager)
    url = reverse("editor:kpi_edit", args=[world.org.acme.slug, world.revenue.pk])

    response = client.post(url, editor_form(world.revenue, missing_children=ZERO))

    assert response.status_code == 302  # back to the editor
    world.revenue.refresh_from_db()
    assert world.revenue.missing_children == ZERO
    assert stored(world.revenue, world.q3) == (Decimal("30"), 2, 3)


@pytest.mark.django_db(transaction=True)
def test_the_editor_clears_the_rule_when_a_kpi_stops_being_a_rollup(world, client):
    kpi_services.kpi_update(kpi=world.revenue, missing_children=ZERO)
    for child in (world.north, world.south, world.ops):
        kpi_services.kpi_update(kpi=child, rolls_up_to=None)
    client.force_login(world.people.manager)
    url = reverse("editor:kpi_edit", args=[world.org.acme.slug, world.revenue.pk])

    client.post(
        url, editor_form(world.revenue, source="manual", rollup_method="", missing_children=ZERO)
    )

    world.revenue.refresh_from_db()
    assert (world.revenue.source, world.revenue.missing_children) == ("manual", None)
