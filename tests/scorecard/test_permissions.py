"""Who may do what: every permission of the policy (`scorecard.rules`), persona by persona.

Each permission is asked about one object of each unit of the conftest tree, through the
policy (`may`) and through the authentication backends (`user.has_perm`, the path templates
and DRF take), and the test compares the set of units where the answer was yes:

    Acme (enterprise)            executive: viewer · manager: manager · admin: superuser
    ├── North (division)         north_manager: manager
    │   └── North Sales (team)   owner: owner (owns the team's KPI and its action item)
    └── South (division)
        └── South Ops (team)     south_team_manager: manager
    outsider: signed in, no role · anonymous: not signed in · inactive_admin: deactivated
    superuser

A few personas are made on demand for the edges (see EXTRA_PERSONAS): another owner and a
viewer on North Sales, and a viewer of South.
"""

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from kpis import services as kpi_services
from kpis.models import KPI, Target
from reviews.models import ActionItem, Initiative, Review
from scorecard import services as core
from scorecard.models import Membership, OrgUnit, Perspective, Scorecard
from scorecard.rules import PERMISSIONS, forget_grants, managed_q, may, visible_q
from strategy import services as strategy_services
from strategy.models import CausalLink, Objective
from tests.conftest import as_stored, build_north_sales_kpi, build_org, build_people
from tests.factories import UserFactory

OWNER = Membership.Role.OWNER
VIEWER = Membership.Role.VIEWER

ENTER_ACTUAL = "kpis.enter_actual"
# Picking a data connection by name (issue 16): administrators and anyone who manages a unit,
# whichever unit is asked about.
PICK_CONNECTION = "connections.pick_connection"
UPDATE_ACTION_ITEM = "reviews.update_actionitem"
READ_PERMISSIONS = [
    "scorecard.view_orgunit",
    "scorecard.view_scorecard",
    "strategy.view_objective",
    "strategy.view_causallink",
    "kpis.view_kpi",
    "reviews.view_review",
    "reviews.view_actionitem",
]
# The organization's own lists and its people: administrators only, whatever the object.
ADMINISTRATOR_PERMISSIONS = [
    "scorecard.change_perspective",
    "scorecard.change_settings",
    "scorecard.add_person",
    # The settings pages (/settings/), all of them.
    "scorecard.administer",
    "connections.change_connection",
]
MANAGE_PERMISSIONS = [
    "scorecard.change_orgunit",
    "scorecard.add_child_orgunit",
    "scorecard.manage_memberships",
    "scorecard.change_scorecard",
    "strategy.change_objective",
    "strategy.change_causallink",
    "kpis.change_kpi",
    "kpis.change_target",
    "reviews.change_review",
    "reviews.change_initiative",
    "reviews.add_actionitem",
    "connections.change_import",
]

# The object of a unit that each permission is asked about (an attribute of UnitThings).
SUBJECT_OF = {
    "scorecard.view_orgunit": "org_unit",
    "scorecard.change_orgunit": "org_unit",
    "scorecard.add_child_orgunit": "org_unit",
    "scorecard.manage_memberships": "org_unit",
    "scorecard.view_scorecard": "scorecard",
    "scorecard.change_scorecard": "scorecard",
    "strategy.view_objective": "objective",
    "strategy.change_objective": "objective",
    "strategy.view_causallink": "link",
    "strategy.change_causallink": "link",
    "kpis.view_kpi": "kpi",
    "kpis.change_kpi": "kpi",
    "kpis.change_target": "target",
    ENTER_ACTUAL: "kpi",
    "reviews.view_review": "review",
    "reviews.change_review": "review",
    "reviews.change_initiative": "initiative",
    UPDATE_ACTION_ITEM: "action_item",
    "reviews.view_actionitem": "action_item",
    "reviews.add_actionitem": "scorecard",
    "connections.change_connection": "org_unit",
    "connections.change_import": "org_unit",
    PICK_CONNECTION: "org_unit",
    "scorecard.change_perspective": "org_unit",
    "scorecard.change_settings": "org_unit",
    "scorecard.add_person": "org_unit",
    "scorecard.administer": "org_unit",
}

EVERY_UNIT = frozenset({"Acme", "North", "North Sales", "South", "South Ops"})
NOWHERE: frozenset[str] = frozenset()

# A role reaches down its unit's subtree, never up to the parent nor across to a sibling.
READS = {
    "admin": EVERY_UNIT,
    "manager": EVERY_UNIT,
    "north_manager": frozenset({"North", "North Sales"}),
    "owner": frozenset({"North Sales"}),
    "south_team_manager": frozenset({"South Ops"}),
    "executive": EVERY_UNIT,
    "outsider": NOWHERE,
    "anonymous": NOWHERE,
    "inactive_admin": NOWHERE,
}
# Only managers (and administrators) change things; the executive reads all and changes none.
MANAGES = {
    "admin": EVERY_UNIT,
    "manager": EVERY_UNIT,
    "north_manager": frozenset({"North", "North Sales"}),
    "owner": NOWHERE,
    "south_team_manager": frozenset({"South Ops"}),
    "executive": NOWHERE,
    "outsider": NOWHERE,
    "anonymous": NOWHERE,
    "inactive_admin": NOWHERE,
}
# The owner owns North Sales' KPI and action item, and nothing elsewhere.
ENTERS_ACTUALS = {**MANAGES, "owner": frozenset({"North Sales"})}
ADMINISTERS = {name: NOWHERE for name in MANAGES} | {"admin": EVERY_UNIT}
PICKS_CONNECTIONS = {name: EVERY_UNIT if units else NOWHERE for name, units in MANAGES.items()}
UPDATES_ACTION_ITEMS = {**MANAGES, "owner": frozenset({"North Sales"})}

# Personas beyond the conftest ones, made when a test asks for them: (role, unit attribute).
EXTRA_PERSONAS = {
    "another_owner": (OWNER, "north_sales"),
    "team_viewer": (VIEWER, "north_sales"),
    "south_viewer": (VIEWER, "south"),
}


@dataclass
class UnitThings:
    """One object of every kind the policy is asked about, all on one unit."""

    org_unit: OrgUnit
    scorecard: Scorecard
    objective: Objective
    link: CausalLink
    kpi: KPI
    target: Target
    review: Review
    initiative: Initiative
    action_item: ActionItem


@pytest.fixture
def persona(org, people):
    """The user called `name`: a conftest persona, an extra one, or the anonymous user."""

    def named(name: str):
        if name == "anonymous":
            return AnonymousUser()
        if name == "inactive_admin":
            return UserFactory(
                username="inactive_admin", is_superuser=True, is_staff=True, is_active=False
            )
        if name in EXTRA_PERSONAS:
            role, unit_attribute = EXTRA_PERSONAS[name]
            user = UserFactory(username=name)
            core.membership_grant(user=user, org_unit=getattr(org, unit_attribute), role=role)
            return user
        return getattr(people, name)

    return named


# The organization and its things are built once for the module; each test runs in a
# savepoint and starts from them as stored (tests/conftest.py: module_db, as_stored).
@pytest.fixture(scope="module")
def org(module_db):
    return build_org()


@pytest.fixture(scope="module")
def people(org):
    return build_people(org)


@pytest.fixture(scope="module")
def north_sales_kpi(org, people):
    return build_north_sales_kpi(org, people)


@pytest.fixture(autouse=True)
def as_built(db, org, people, built_things):
    as_stored(org, people, built_things)


@pytest.fixture
def things(built_things) -> dict[str, UnitThings]:
    return built_things


@pytest.fixture(scope="module")
def built_things(org, people, north_sales_kpi) -> dict[str, UnitThings]:
    financial = Perspective.objects.get(order=4)
    customer = Perspective.objects.get(order=3)
    """UnitThings for each unit, by unit name. North Sales' KPI is `north_sales_kpi` and its
    action item belongs to the owner; elsewhere KPIs and action items have no owner."""

    def kpi_of(unit: OrgUnit) -> KPI:
        objective = strategy_services.objective_create(
            scorecard=unit.scorecard, perspective=financial, title=f"Grow {unit.name} revenue"
        )
        return kpi_services.kpi_create(objective=objective, name=f"{unit.name} revenue")

    def things_of(unit: OrgUnit, kpi: KPI, action_item_owner=None) -> UnitThings:
        period = core.period_for_key("FY2026-Q1")
        scorecard = unit.scorecard
        cause = strategy_services.objective_create(
            scorecard=scorecard, perspective=customer, title=f"Delight {unit.name} customers"
        )
        return UnitThings(
            org_unit=unit,
            scorecard=scorecard,
            objective=kpi.objective,
            link=strategy_services.link_create(
                scorecard=scorecard, source=cause, target=kpi.objective
            ),
            kpi=kpi,
            target=kpi_services.target_set(kpi=kpi, period=period, value="100"),
            review=Review.objects.create(scorecard=scorecard, period=period),
            initiative=Initiative.objects.create(scorecard=scorecard, name=f"{unit.name} push"),
            action_item=ActionItem.objects.create(
                scorecard=scorecard,
                title=f"Call back {unit.name} leads",
                owner=action_item_owner,
                due_date=date(2026, 3, 31),
            ),
        )

    by_name = {
        unit.name: things_of(unit, kpi_of(unit))
        for unit in (org.acme, org.north, org.south, org.south_ops)
    }
    by_name["North Sales"] = things_of(org.north_sales, north_sales_kpi, people.owner)
    return by_name


def units_allowed(user, permission: str, things: dict[str, UnitThings]) -> dict[str, set[str]]:
    """The names of the units whose object for `permission` the user may act on, asking the
    policy directly ("may") and through the authentication backends ("has_perm")."""
    subjects = {name: getattr(row, SUBJECT_OF[permission]) for name, row in things.items()}
    return {
        "may": {name for name, obj in subjects.items() if may(user, permission, obj)},
        "has_perm": {name for name, obj in subjects.items() if user.has_perm(permission, obj)},
    }


def both_ways(units: frozenset[str]) -> dict[str, set[str]]:
    return {"may": set(units), "has_perm": set(units)}


def test_it_has_a_persona_table_for_every_permission_of_the_policy():
    tabled = [
        *READ_PERMISSIONS,
        *MANAGE_PERMISSIONS,
        *ADMINISTRATOR_PERMISSIONS,
        ENTER_ACTUAL,
        UPDATE_ACTION_ITEM,
        PICK_CONNECTION,
    ]

    assert sorted(tabled) == sorted(PERMISSIONS)
    assert sorted(SUBJECT_OF) == sorted(PERMISSIONS)


@pytest.mark.parametrize("permission", READ_PERMISSIONS)
@pytest.mark.parametrize(("persona_name", "expected"), READS.items(), ids=list(READS))
def test_it_lets_each_persona_read_only_the_subtrees_of_its_roles(
    persona, things, permission, persona_name, expected
):
    user = persona(persona_name)

    assert units_allowed(user, permission, things) == both_ways(expected)


@pytest.mark.parametrize("permission", ADMINISTRATOR_PERMISSIONS)
@pytest.mark.parametrize(("persona_name", "expected"), ADMINISTERS.items(), ids=list(ADMINISTERS))
def test_it_lets_only_administrators_change_the_organization_s_lists_and_people(
    persona, things, permission, persona_name, expected
):
    user = persona(persona_name)

    assert units_allowed(user, permission, things) == both_ways(expected)


@pytest.mark.parametrize(
    ("persona_name", "expected"), PICKS_CONNECTIONS.items(), ids=list(PICKS_CONNECTIONS)
)
def test_it_lets_administrators_and_managers_pick_connections(
    persona, things, persona_name, expected
):
    user = persona(persona_name)

    assert units_allowed(user, PICK_CONNECTION, things) == both_ways(expected)


@pytest.mark.parametrize("permission", MANAGE_PERMISSIONS)
@pytest.mark.parametrize(("persona_name", "expected"), MANAGES.items(), ids=list(MANAGES))
def test_it_lets_each_persona_change_only_the_subtrees_it_manages(
    persona, things, permission, persona_name, expected
):
    user = persona(persona_name)

    assert units_allowed(user, permission, things) == both_ways(expected)


@pytest.mark.parametrize(
    ("persona_name", "expected"), ENTERS_ACTUALS.items(), ids=list(ENTERS_ACTUALS)
)
def test_it_lets_managers_above_and_the_kpi_owner_enter_actuals(
    persona, things, persona_name, expected
):
    user = persona(persona_name)

    assert units_allowed(user, ENTER_ACTUAL, things) == both_ways(expected)


@pytest.mark.parametrize(
    ("persona_name", "expected"), UPDATES_ACTION_ITEMS.items(), ids=list(UPDATES_ACTION_ITEMS)
)
def test_it_lets_managers_above_and_the_item_owner_update_action_items(
    persona, things, persona_name, expected
):
    user = persona(persona_name)

    assert units_allowed(user, UPDATE_ACTION_ITEM, things) == both_ways(expected)


def test_it_lets_an_owner_enter_actuals_for_their_kpi_but_not_for_a_teammates(
    persona, people, north_sales_kpi
):
    another_owner = persona("another_owner")
    teammates_kpi = kpi_services.kpi_create(
        objective=north_sales_kpi.objective, name="Pipeline value", owner=another_owner
    )

    assert may(people.owner, ENTER_ACTUAL, north_sales_kpi)
    assert not may(people.owner, ENTER_ACTUAL, teammates_kpi)
    assert may(another_owner, ENTER_ACTUAL, teammates_kpi)
    assert not may(another_owner, ENTER_ACTUAL, north_sales_kpi)


def test_it_does_not_let_an_owner_change_their_kpi_its_targets_or_its_objective(
    people, north_sales_kpi
):
    owner = people.owner
    target = north_sales_kpi.targets.get()

    assert not may(owner, "kpis.change_kpi", north_sales_kpi)
    assert not may(owner, "kpis.change_target", target)
    assert not may(owner, "kpis.change_target", north_sales_kpi)
    assert not may(owner, "strategy.change_objective", north_sales_kpi.objective)
    assert not owner.has_perm("kpis.change_kpi", north_sales_kpi)


# A KPI owned by nobody but given to North Sales as its owning team: being a member of the team
# (any role, on the team itself) is what counts; a role above it or beside it is not.
OWNING_TEAM_ENTERS_ACTUALS = {
    "team_viewer": True,
    "owner": True,
    "another_owner": True,
    "south_viewer": False,
    "executive": False,
    "outsider": False,
    "anonymous": False,
}


@pytest.mark.parametrize(
    ("persona_name", "expected"),
    OWNING_TEAM_ENTERS_ACTUALS.items(),
    ids=list(OWNING_TEAM_ENTERS_ACTUALS),
)
def test_it_lets_any_member_of_the_owning_team_enter_actuals(
    persona, org, north_sales_kpi, persona_name, expected
):
    teams_kpi = kpi_services.kpi_create(
        objective=north_sales_kpi.objective, name="Client visits", owning_team=org.north_sales
    )
    user = persona(persona_name)

    assert may(user, ENTER_ACTUAL, teams_kpi) is expected
    assert user.has_perm(ENTER_ACTUAL, teams_kpi) is expected
    assert not may(user, "kpis.change_kpi", teams_kpi)


def test_it_does_not_let_a_team_member_enter_actuals_for_a_kpi_the_team_does_not_own(
    persona, north_sales_kpi
):
    team_viewer = persona("team_viewer")

    assert north_sales_kpi.owning_team is None
    assert not may(team_viewer, ENTER_ACTUAL, north_sales_kpi)


# North Sales' action item belongs to the owner.
ACTION_ITEM_UPDATERS = {
    "owner": True,
    "another_owner": False,
    "team_viewer": False,
    "north_manager": True,
    "manager": True,
    "admin": True,
    "south_team_manager": False,
    "executive": False,
    "outsider": False,
}


@pytest.mark.parametrize(
    ("persona_name", "expected"), ACTION_ITEM_UPDATERS.items(), ids=list(ACTION_ITEM_UPDATERS)
)
def test_it_lets_the_action_item_owner_and_managers_above_update_it(
    persona, things, persona_name, expected
):
    action_item = things["North Sales"].action_item
    user = persona(persona_name)

    assert may(user, UPDATE_ACTION_ITEM, action_item) is expected
    assert user.has_perm(UPDATE_ACTION_ITEM, action_item) is expected


def test_it_does_not_let_an_owner_update_their_action_item_in_a_unit_they_have_no_role_on(
    org, people
):
    # Made through the model: the point is an owner without a role on the item's unit.
    action_item = ActionItem.objects.create(
        scorecard=org.south_ops.scorecard,
        title="Fix the loading dock",
        owner=people.owner,
        due_date=date(2026, 3, 31),
    )

    assert not may(people.owner, UPDATE_ACTION_ITEM, action_item)
    assert may(people.south_team_manager, UPDATE_ACTION_ITEM, action_item)


def test_it_refuses_a_deactivated_manager_everything(people, things):
    # Django documents that `has_perm` is always False for an inactive user, and the policy
    # already refuses an inactive superuser; a deactivated manager keeps no rights either.
    north_manager = people.north_manager
    north_manager.is_active = False
    north_manager.save(update_fields=["is_active"])

    allowed = {
        permission: units_allowed(north_manager, permission, things) for permission in PERMISSIONS
    }

    assert allowed == {permission: both_ways(NOWHERE) for permission in PERMISSIONS}


def test_it_shows_a_deactivated_manager_no_units(org, people):
    north_manager = people.north_manager
    north_manager.is_active = False
    north_manager.save(update_fields=["is_active"])

    visible = OrgUnit.objects.filter(visible_q(north_manager, "path"))
    managed = OrgUnit.objects.filter(managed_q(north_manager, "path"))

    assert list(visible.values_list("name", flat=True)) == []
    assert list(managed.values_list("name", flat=True)) == []


@pytest.mark.parametrize(("persona_name", "expected"), READS.items(), ids=list(READS))
def test_it_filters_units_to_the_subtrees_the_persona_may_read(
    persona, org, persona_name, expected
):
    user = persona(persona_name)

    names = OrgUnit.objects.filter(visible_q(user, "path")).values_list("name", flat=True)

    assert sorted(names) == sorted(expected)


@pytest.mark.parametrize(("persona_name", "expected"), MANAGES.items(), ids=list(MANAGES))
def test_it_filters_units_to_the_subtrees_the_persona_manages(persona, org, persona_name, expected):
    user = persona(persona_name)

    names = OrgUnit.objects.filter(managed_q(user, "path")).values_list("name", flat=True)

    assert sorted(names) == sorted(expected)


@pytest.mark.parametrize(("persona_name", "expected"), READS.items(), ids=list(READS))
def test_it_filters_kpis_to_the_subtrees_the_persona_may_read(
    persona, things, persona_name, expected
):
    user = persona(persona_name)

    kpis = KPI.objects.filter(visible_q(user, "objective__scorecard__org_unit__path"))

    # One KPI per unit, so the list of units also shows that no KPI comes twice.
    units = kpis.values_list("objective__scorecard__org_unit__name", flat=True)
    assert sorted(units) == sorted(expected)


@pytest.mark.parametrize(("persona_name", "expected"), MANAGES.items(), ids=list(MANAGES))
def test_it_filters_kpis_to_the_subtrees_the_persona_manages(
    persona, things, persona_name, expected
):
    user = persona(persona_name)

    kpis = KPI.objects.filter(managed_q(user, "objective__scorecard__org_unit__path"))

    units = kpis.values_list("objective__scorecard__org_unit__name", flat=True)
    assert sorted(units) == sorted(expected)


def test_it_reads_memberships_in_one_query_per_user_object(
    django_assert_num_queries, people, things
):
    # Load every object's unit first, so that the queries counted below are the policy's.
    subjects = [
        (permission, getattr(row, SUBJECT_OF[permission]))
        for permission in PERMISSIONS
        for row in things.values()
    ]
    for _, subject in subjects:
        assert subject.org_unit.path
    north_manager = get_user_model().objects.get(pk=people.north_manager.pk)

    # 1. The user's memberships with their units' paths (scorecard.rules.grants_of).
    with django_assert_num_queries(1):
        for permission, subject in subjects:
            may(north_manager, permission, subject)
            north_manager.has_perm(permission, subject)


def test_it_sees_a_new_grant_only_after_forget_grants(org, people):
    outsider = people.outsider
    assert not may(outsider, "scorecard.view_orgunit", org.south)

    core.membership_grant(user=outsider, org_unit=org.south, role=VIEWER)

    # The memberships read before the grant are still cached on this user object.
    assert not may(outsider, "scorecard.view_orgunit", org.south)
    forget_grants(outsider)
    assert may(outsider, "scorecard.view_orgunit", org.south)
    assert outsider.has_perm("scorecard.view_scorecard", org.south_ops.scorecard)
    assert not may(outsider, "scorecard.view_orgunit", org.north)
