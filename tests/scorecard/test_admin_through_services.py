"""Issue 13, observation 3: the services are the only write path, the Django admin included.

The admin persona (a superuser) drives the admin's change pages with the test client. What
support staff change there (KPIs, targets, objectives, links, perspective weights, units,
scorecards, organization settings) goes through the services: the same rules, with their
messages beside the fields, and the same recompute. What is derived or audited (actuals,
snapshots, quarters, quarter locks, reviews) is shown, not written, with the reason.

Each rule that lived only in the API is now the service's or the model's, and is tested here
through each path that can break it: the fiscal start month (admin; no page or API edits it),
moving a unit (API, admin form, admin drag and drop), moving an objective to another
scorecard and changing a scorecard's unit (API, admin; the editor has no such field).

North Sales (all values hand-worked; target 100 scores (a − 80)/3 with its default red flag
90, target 10 with red flag 9 scores (10/3)·(1 + (a − 9)/1)):

    "Win regional deals" (financial)   sales 104 of 100 → 8;  deals 10 of 10 → 6.666667
                                       objective (8 + 6.666667)/2 = 7.3333335 → 7.333334
    "Serve customers well" (customer)  satisfaction 92 of 100 → 4
    scorecard (7.333334 + 4)/2 = 5.666667
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.admin import ACTUALS_SHOWN_ONLY
from kpis.models import KPI, Actual, QuarterLock, ScoreSnapshot, Target
from kpis.services import KPI_HAS_DATA
from reviews.models import ActionItem, Initiative, Review
from scorecard import services as core
from scorecard.admin import PERIODS_SHOWN_ONLY
from scorecard.models import (
    FISCAL_START_LOCKED,
    SCORECARD_STAYS,
    OrganizationSettings,
    OrgUnit,
    Period,
    Perspective,
    Scorecard,
)
from scorecard.services import MOVE_INTO_OWN_SUBTREE, SECOND_ROOT
from strategy import services as strategy_services
from strategy.handlers import MOVE_WITH_OBJECTIVES
from strategy.models import OBJECTIVE_STAYS, Objective
from strategy.services import OWNER_CANNOT_SEE_UNIT, SUPPORTS_NOT_ANCESTOR
from tests.admin_forms import change_url, form_errors, post_change
from tests.factories import org_unit

COMMENT = "Explained in the quarterly review."
MID_MAY = date(2026, 5, 15)


@dataclass
class World:
    q1: Period
    q2: Period
    financial: Perspective
    customer: Perspective
    win: Objective
    serve: Objective
    sales: KPI
    deals: KPI
    satisfaction: KPI


@pytest.fixture
def world(org, people) -> World:
    q1, q2 = core.period_for_key("FY2026-Q1"), core.period_for_key("FY2026-Q2")
    financial, customer = Perspective.objects.get(order=4), Perspective.objects.get(order=3)
    scorecard = org.north_sales.scorecard
    win = strategy_services.objective_create(
        scorecard=scorecard, perspective=financial, title="Win regional deals"
    )
    serve = strategy_services.objective_create(
        scorecard=scorecard, perspective=customer, title="Serve customers well"
    )
    sales = kpi_services.kpi_create(objective=win, name="Sales", unit="USD")
    deals = kpi_services.kpi_create(objective=win, name="Deals won", unit="deals")
    satisfaction = kpi_services.kpi_create(objective=serve, name="Satisfaction", unit="%")
    kpi_services.target_set(kpi=sales, period=q1, value="100")
    kpi_services.target_set(kpi=deals, period=q1, value="10", red_flag="9")
    kpi_services.target_set(kpi=satisfaction, period=q1, value="100")
    for kpi, value in ((sales, "104"), (deals, "10"), (satisfaction, "92")):
        kpi_services.actual_enter(kpi=kpi, period=q1, value=value, today=MID_MAY)
    kpi_services.actual_enter(kpi=sales, period=q2, value="92", comment=COMMENT, today=MID_MAY)
    return World(q1, q2, financial, customer, win, serve, sales, deals, satisfaction)


@pytest.fixture
def admin_client(client, people):
    client.force_login(people.admin)
    return client


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_login(user)
    return api


def score(subject_type: str, subject_id: int, period: Period) -> tuple | None:
    row = ScoreSnapshot.objects.filter(
        subject_type=subject_type, subject_id=subject_id, period=period
    ).first()
    return None if row is None else (row.score, row.status)


# KPIs, targets, objectives, perspective weights: saved by the services, recomputed. ------------


@pytest.mark.django_db(transaction=True)
def test_a_kpi_weight_changed_in_the_admin_recomputes_its_objective(admin_client, world):
    assert score("objective", world.win.pk, world.q1) == (Decimal("7.333334"), "green")

    response = post_change(admin_client, KPI, world.deals.pk, weight="3")

    assert response.status_code == 302
    # (8 + 3 × 6.666667)/4 = 28.000001/4 = 7.00000025 → 7.000000
    assert score("objective", world.win.pk, world.q1) == (Decimal("7"), "green")


@pytest.mark.django_db(transaction=True)
def test_a_target_added_in_the_admin_recomputes_its_kpi(admin_client, world):
    assert score("kpi", world.sales.pk, world.q2) == (None, "no_target")

    response = post_change(
        admin_client, Target, kpi=world.sales.pk, period=world.q2.pk, value="100"
    )

    assert response.status_code == 302
    # (92 − 80)/3 = 4: above the red flag 90, below the target: amber
    assert score("kpi", world.sales.pk, world.q2) == (Decimal("4"), "amber")


def test_the_admin_saves_a_band_target_with_its_high_edge(admin_client, world):
    band = kpi_services.kpi_create(
        objective=world.sales.objective, name="Budget", target_type="band"
    )

    saved = post_change(
        admin_client, Target, kpi=band.pk, period=world.q2.pk, value="98", value_high="100"
    )
    refused = post_change(
        admin_client, Target, kpi=band.pk, period=world.q1.pk, value="98", value_high="90"
    )

    assert saved.status_code == 302
    assert Target.objects.get(kpi=band, period=world.q2).value_high == 100
    assert refused.status_code == 200
    assert not Target.objects.filter(kpi=band, period=world.q1).exists()


@pytest.mark.django_db(transaction=True)
def test_an_objective_weight_changed_in_the_admin_recomputes_the_scorecard(
    admin_client, org, world
):
    scorecard = org.north_sales.scorecard.pk
    assert score("scorecard", scorecard, world.q1) == (Decimal("5.666667"), "amber")

    response = post_change(admin_client, Objective, world.serve.pk, weight="0")

    assert response.status_code == 302
    # The customer perspective's only objective weighs 0: the perspective has no score, and
    # the scorecard is the financial one alone, 7.333334.
    assert score("scorecard", scorecard, world.q1) == (Decimal("7.333334"), "green")


@pytest.mark.django_db(transaction=True)
def test_perspective_weights_set_and_removed_in_the_admin_recompute_the_scorecard(
    admin_client, org, world
):
    scorecard = org.north_sales.scorecard

    added = post_change(
        admin_client, Scorecard, scorecard.pk,
        **{"perspective_weights-TOTAL_FORMS": "1",
           "perspective_weights-0-perspective": str(world.financial.pk),
           "perspective_weights-0-weight": "3"},
    )  # fmt: skip

    assert added.status_code == 302
    # (3 × 7.333334 + 4)/4 = 26.000002/4 = 6.5000005 → 6.500001
    assert score("scorecard", scorecard.pk, world.q1) == (Decimal("6.500001"), "amber")

    removed = post_change(admin_client, Scorecard, scorecard.pk, **{
        "perspective_weights-0-DELETE": "on"})  # fmt: skip

    assert removed.status_code == 302
    assert not scorecard.perspective_weights.exists()
    assert score("scorecard", scorecard.pk, world.q1) == (Decimal("5.666667"), "amber")


def test_the_admin_refuses_an_objective_owner_who_cannot_see_the_unit(
    admin_client, org, people, world
):
    response = post_change(admin_client, Objective, world.win.pk, owner=people.outsider.pk)

    assert form_errors(response) == {
        "owner": [OWNER_CANNOT_SEE_UNIT.format(user=people.outsider, unit=org.north_sales)]
    }
    assert Objective.objects.get(pk=world.win.pk).owner is None


def test_the_admin_refuses_supporting_an_objective_of_a_unit_not_above(admin_client, org, world):
    south_goal = strategy_services.objective_create(
        scorecard=org.south.scorecard, perspective=world.financial, title="Grow south"
    )

    response = post_change(admin_client, Objective, world.win.pk, supports=[south_goal.pk])

    message = SUPPORTS_NOT_ANCESTOR.format(
        objective=south_goal, unit=org.south, own=org.north_sales
    )
    assert form_errors(response) == {"supports": [message]}
    assert not world.win.supports.exists()


def test_the_admin_refuses_deleting_a_kpi_that_has_a_target(admin_client, world):
    planned = kpi_services.kpi_create(objective=world.win, name="Pipeline", unit="USD")
    kpi_services.target_set(kpi=planned, period=world.q2, value="50")
    url = reverse("admin:kpis_kpi_delete", args=[planned.pk])

    response = admin_client.post(url, {"post": "yes"}, follow=True)

    assert KPI.objects.filter(pk=planned.pk).exists()
    assert KPI_HAS_DATA in [str(message) for message in response.context["messages"]]


def test_the_admin_deletes_nothing_that_would_take_actuals_with_it(admin_client, world):
    url = reverse("admin:kpis_kpi_delete", args=[world.sales.pk])

    confirmation = admin_client.get(url)
    refused = admin_client.post(url, {"post": "yes"})

    # The confirmation page names what may not be deleted here.
    assert confirmation.context["perms_lacking"] == {"actual"}
    assert refused.status_code == 403
    assert Actual.objects.filter(kpi=world.sales).count() == 2


def test_the_admin_deletes_a_kpi_without_data_through_the_service(admin_client, world):
    empty = kpi_services.kpi_create(objective=world.win, name="Pipeline", unit="USD")
    url = reverse("admin:kpis_kpi_delete", args=[empty.pk])

    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not KPI.objects.filter(pk=empty.pk).exists()


# Derived and audited data: shown, with the reason, never written. ------------------------------


def test_the_admin_shows_actuals_with_the_reason_and_writes_none(admin_client, world):
    actual = Actual.objects.get(kpi=world.sales, period=world.q1)

    listing = admin_client.get(reverse("admin:kpis_actual_changelist"))
    refused_add = admin_client.get(change_url(Actual))
    refused_change = admin_client.post(change_url(Actual, actual.pk), {"value": "1"})

    assert ACTUALS_SHOWN_ONLY in [str(message) for message in listing.context["messages"]]
    assert (refused_add.status_code, refused_change.status_code) == (403, 403)
    actual.refresh_from_db()
    assert (actual.value, actual.version) == (Decimal("104"), 1)


@pytest.mark.parametrize(
    "model", [Actual, ScoreSnapshot, Period, QuarterLock, Review, Initiative, ActionItem]
)
def test_the_admin_adds_changes_and_deletes_none_of_the_derived_rows(admin_client, world, model):
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    assert changelist.status_code == 200
    assert len(list(changelist.context["messages"])) == 1
    assert admin_client.get(change_url(model)).status_code == 403
    row = model.objects.first()
    if row is not None:
        delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[row.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        assert model.objects.filter(pk=row.pk).exists()


def test_the_admin_says_why_quarters_are_not_edited_there(admin_client, world):
    listing = admin_client.get(reverse("admin:scorecard_period_changelist"))

    assert PERIODS_SHOWN_ONLY in [str(message) for message in listing.context["messages"]]


# The fiscal start month: fixed once quarters exist. ---------------------------------------------


def test_the_admin_keeps_the_fiscal_start_month_once_quarters_exist(admin_client, world):
    settings = OrganizationSettings.load()

    response = post_change(admin_client, OrganizationSettings, settings.pk, fiscal_start_month="7")

    assert form_errors(response) == {"fiscal_start_month": [FISCAL_START_LOCKED]}
    assert OrganizationSettings.load().fiscal_start_month == 1


def test_the_admin_changes_the_fiscal_start_month_before_any_quarter(admin_client, org):
    assert not Period.objects.exists()
    settings = OrganizationSettings.load()

    response = post_change(admin_client, OrganizationSettings, settings.pk, fiscal_start_month="7")

    assert response.status_code == 302
    assert OrganizationSettings.load().fiscal_start_month == 7


def test_the_admin_changes_other_settings_once_quarters_exist(admin_client, world):
    settings = OrganizationSettings.load()

    response = post_change(admin_client, OrganizationSettings, settings.pk, grace_days="14")

    assert response.status_code == 302
    assert OrganizationSettings.load().grace_days == 14


# Moving a unit: the service's rules, through the API, the admin form and its drag and drop. ----


def parent_path(unit: OrgUnit) -> str:
    return OrgUnit.objects.get(pk=unit.pk).path[: -OrgUnit.steplen]


@pytest.mark.parametrize(
    ("unit", "parent", "message"),
    [
        ("north", "north_sales", MOVE_INTO_OWN_SUBTREE),
        ("north_sales", "south", MOVE_WITH_OBJECTIVES),
        ("south", None, SECOND_ROOT),
    ],
)
def test_the_admin_form_refuses_a_unit_move_the_service_refuses(
    admin_client, org, world, unit, parent, message
):
    moved = getattr(org, unit)
    before = parent_path(moved)
    new_parent = "" if parent is None else str(getattr(org, parent).pk)

    response = post_change(admin_client, OrgUnit, moved.pk, parent=new_parent)

    assert form_errors(response) == {"parent": [message]}
    assert parent_path(moved) == before


def test_the_admin_form_moves_a_unit_without_objectives(admin_client, org, world):
    desk = org_unit("North Desk", "team", org.north)

    response = post_change(admin_client, OrgUnit, desk.pk, parent=str(org.south.pk))

    assert response.status_code == 302
    assert parent_path(desk) == OrgUnit.objects.get(pk=org.south.pk).path


def test_the_admin_refuses_a_second_top_unit(admin_client, org):
    response = post_change(
        admin_client, OrgUnit, name="Rival", slug="rival", kind="enterprise", parent=""
    )

    assert form_errors(response) == {"parent": [SECOND_ROOT]}
    assert not OrgUnit.objects.filter(slug="rival").exists()


def test_the_admin_adds_a_unit_under_its_parent(admin_client, org):
    response = post_change(
        admin_client, OrgUnit, name="North Desk", slug="north-desk", kind="team",
        parent=str(org.north.pk),
    )  # fmt: skip

    assert response.status_code == 302
    assert parent_path(OrgUnit.objects.get(slug="north-desk")) == org.north.path


def drop(client, unit: OrgUnit, on: OrgUnit, relation: str = "child"):
    return client.post(
        "/admin/scorecard/orgunit/move/", {"node": unit.pk, "target": on.pk, "relation": relation}
    )


def test_the_admin_drag_and_drop_refuses_moving_a_unit_with_objectives(admin_client, org, world):
    before = parent_path(org.north_sales)

    response = drop(admin_client, org.north_sales, org.south)

    assert response.status_code == 400
    assert parent_path(org.north_sales) == before
    page = admin_client.get(reverse("admin:scorecard_orgunit_changelist"))
    assert MOVE_WITH_OBJECTIVES in [str(message) for message in page.context["messages"]]


def test_the_admin_drag_and_drop_moves_through_the_service(admin_client, org, world):
    desk = org_unit("North Desk", "team", org.north)

    beside_south_ops = drop(admin_client, desk, org.south_ops, relation="sibling")

    assert beside_south_ops.status_code == 200
    assert parent_path(desk) == OrgUnit.objects.get(pk=org.south.pk).path
    under_north_sales = drop(admin_client, desk, org.north_sales)
    assert under_north_sales.status_code == 200
    assert parent_path(desk) == OrgUnit.objects.get(pk=org.north_sales.pk).path


def test_the_api_refuses_a_unit_move_into_its_own_subtree(people, org):
    response = api_as(people.admin).patch(
        f"/api/org-units/{org.north.pk}/", {"parent": org.north_sales.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"parent": [MOVE_INTO_OWN_SUBTREE]}


# An objective stays on its scorecard, a scorecard with its unit. --------------------------------


def test_the_api_refuses_moving_an_objective_to_another_scorecard(people, org, world):
    response = api_as(people.admin).patch(
        f"/api/objectives/{world.win.pk}/", {"scorecard": org.north.scorecard.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"scorecard": [OBJECTIVE_STAYS]}
    assert Objective.objects.get(pk=world.win.pk).scorecard_id == org.north_sales.scorecard.pk


def test_the_admin_refuses_moving_an_objective_to_another_scorecard(admin_client, org, world):
    response = post_change(
        admin_client, Objective, world.win.pk, scorecard=str(org.north.scorecard.pk)
    )

    assert form_errors(response) == {"scorecard": [OBJECTIVE_STAYS]}
    assert Objective.objects.get(pk=world.win.pk).scorecard_id == org.north_sales.scorecard.pk


@pytest.fixture
def desk(org):
    return org_unit("North Sales Desk", "team", org.north_sales, with_scorecard=False)


def test_the_api_refuses_giving_a_scorecard_another_unit(people, org, desk):
    scorecard = org.north_sales.scorecard

    response = api_as(people.admin).patch(
        f"/api/scorecards/{scorecard.pk}/", {"org_unit": desk.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"org_unit": [SCORECARD_STAYS]}
    assert Scorecard.objects.get(pk=scorecard.pk).org_unit_id == org.north_sales.pk


def test_the_admin_refuses_giving_a_scorecard_another_unit(admin_client, org, desk):
    scorecard = org.north_sales.scorecard

    response = post_change(admin_client, Scorecard, scorecard.pk, org_unit=str(desk.pk))

    assert form_errors(response) == {"org_unit": [SCORECARD_STAYS]}
    assert Scorecard.objects.get(pk=scorecard.pk).org_unit_id == org.north_sales.pk


def test_the_admin_creates_a_scorecard_through_the_service(admin_client, desk):
    response = post_change(admin_client, Scorecard, org_unit=str(desk.pk), title="Desk")

    assert response.status_code == 302
    assert Scorecard.objects.get(org_unit=desk).title == "Desk"
