"""Who sees and changes what through the API, persona by persona.

Every unit's scorecard holds three objectives (A, B, C), a KPI under each and one link A → B;
North Sales also has a unit without a scorecard, "North Sales Desk", to give a scorecard to.

    Acme (enterprise)            executive: viewer · manager: manager · admin: superuser
    ├── North (division)         north_manager: manager
    │   └── North Sales (team)   owner: owner
    │       └── North Sales Desk (team, no scorecard)
    └── South (division)
        └── South Ops (team)     south_team_manager: manager
    outsider: signed in, no role anywhere

Writes on North Sales: the admin, the manager and north_manager may make them; the owner and
the executive see North Sales but are refused (403, nothing changed); south_team_manager and
the outsider cannot see it, so an id of it in a request body is answered like an unknown id
(400 on that field) and its URL like an unknown URL (404), again with nothing changed.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from rest_framework import serializers
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import KPI
from scorecard import services as core
from scorecard.api_support import REFUSED
from scorecard.models import Membership, OrgUnit, Perspective
from strategy import services as strategy_services
from strategy.handlers import MOVE_WITH_OBJECTIVES
from strategy.models import CausalLink, Objective
from tests.conftest import as_stored, build_org, build_people
from tests.factories import org_unit

PERSONAS = [
    "admin",
    "manager",
    "north_manager",
    "owner",
    "south_team_manager",
    "executive",
    "outsider",
]
EVERY_UNIT = {"Acme", "North", "North Sales", "North Sales Desk", "South", "South Ops"}
UNITS_SEEN = {
    "admin": EVERY_UNIT,
    "manager": EVERY_UNIT,
    "north_manager": {"North", "North Sales", "North Sales Desk"},
    "owner": {"North Sales", "North Sales Desk"},
    "south_team_manager": {"South Ops"},
    "executive": EVERY_UNIT,
    "outsider": set(),
}
SCORECARD_UNITS = EVERY_UNIT - {"North Sales Desk"}
MEMBERSHIPS = {
    ("manager", "Acme"),
    ("executive", "Acme"),
    ("north_manager", "North"),
    ("owner", "North Sales"),
    ("south_team_manager", "South Ops"),
}
DOES_NOT_EXIST = str(serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"])

MAY_WRITE_ON_NORTH_SALES = ["admin", "manager", "north_manager"]
REFUSED_ON_NORTH_SALES = ["owner", "executive"]
BLIND_TO_NORTH_SALES = ["south_team_manager", "outsider"]


@dataclass
class World:
    org: object
    people: object
    objectives: dict[tuple[str, str], Objective]  # (unit name, "A"|"B"|"C") → objective
    kpis: dict[tuple[str, str], KPI]
    links: dict[str, CausalLink]  # unit name → its link A → B
    desk: OrgUnit
    customer: Perspective


# The world is built once for the module (it takes a second); each test runs in a savepoint
# and starts from the world as stored (tests/conftest.py: module_db, as_stored).
@pytest.fixture(scope="module")
def org(module_db):
    return build_org()


@pytest.fixture(scope="module")
def people(org):
    return build_people(org)


@pytest.fixture
def world(built_world, db) -> World:
    as_stored(built_world)
    return built_world


@pytest.fixture(scope="module")
def built_world(org, people) -> World:
    customer = Perspective.objects.get(order=3)
    objectives, kpis, links = {}, {}, {}
    for unit in (org.acme, org.north, org.north_sales, org.south, org.south_ops):
        for letter in "ABC":
            objective = strategy_services.objective_create(
                scorecard=unit.scorecard, perspective=customer, title=f"{unit.name} {letter}"
            )
            objectives[unit.name, letter] = objective
            kpis[unit.name, letter] = kpi_services.kpi_create(
                objective=objective, name=f"{unit.name} KPI {letter}", unit="count"
            )
        links[unit.name] = strategy_services.link_create(
            scorecard=unit.scorecard,
            source=objectives[unit.name, "A"],
            target=objectives[unit.name, "B"],
        )
    desk = org_unit("North Sales Desk", "team", org.north_sales, with_scorecard=False)
    return World(org, people, objectives, kpis, links, desk, customer)


def client_of(world: World, persona: str) -> APIClient:
    client = APIClient()
    client.force_login(getattr(world.people, persona))
    return client


def database_state() -> dict[str, list[dict]]:
    """Every row of the domain's tables, the simple_history tables included (they live in the
    same apps): a refused write must leave every one of them as it was."""
    state = {}
    for label in ("scorecard", "strategy", "kpis", "reviews"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            rows = model._default_manager.order_by("pk").values()
            state[model._meta.label] = list(rows)
    return state


def history_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model.__name__.startswith("Historical")
    }


def list_all(client: APIClient, endpoint: str) -> list[dict]:
    response = client.get(f"/api/{endpoint}/?page_size=1000")
    assert response.status_code == 200
    assert response.json()["next"] is None
    return response.json()["results"]


# What each list shows.


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_the_org_units_each_persona_may_see(world, persona):
    rows = list_all(client_of(world, persona), "org-units")

    assert {row["name"] for row in rows} == UNITS_SEEN[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_the_scorecards_each_persona_may_see(world, persona):
    rows = list_all(client_of(world, persona), "scorecards")

    units = {OrgUnit.objects.get(pk=row["org_unit"]).name for row in rows}
    assert units == UNITS_SEEN[persona] & SCORECARD_UNITS


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_the_objectives_each_persona_may_see(world, persona):
    rows = list_all(client_of(world, persona), "objectives")

    expected = {
        objective.pk
        for (unit, _), objective in world.objectives.items()
        if unit in UNITS_SEEN[persona]
    }
    assert {row["id"] for row in rows} == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_the_kpis_each_persona_may_see(world, persona):
    rows = list_all(client_of(world, persona), "kpis")

    expected = {kpi.pk for (unit, _), kpi in world.kpis.items() if unit in UNITS_SEEN[persona]}
    assert {row["id"] for row in rows} == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_the_links_each_persona_may_see(world, persona):
    rows = list_all(client_of(world, persona), "links")

    expected = {link.pk for unit, link in world.links.items() if unit in UNITS_SEEN[persona]}
    assert {row["id"] for row in rows} == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_the_memberships_each_persona_may_see(world, persona):
    rows = list_all(client_of(world, persona), "memberships")

    seen = {
        (Membership.objects.get(pk=row["id"]).user.username,
         OrgUnit.objects.get(pk=row["org_unit"]).name)
        for row in rows
    }  # fmt: skip
    assert seen == {(user, unit) for user, unit in MEMBERSHIPS if unit in UNITS_SEEN[persona]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_every_perspective_to_everyone_signed_in(world, persona):
    rows = list_all(client_of(world, persona), "perspectives")

    assert [row["name"] for row in rows] == list(
        Perspective.objects.order_by("order").values_list("name", flat=True)
    )


@pytest.mark.parametrize(
    "endpoint", ["org-units", "scorecards", "objectives", "kpis", "links", "memberships"]
)
def test_it_shows_an_outsider_nothing(world, endpoint):
    client = client_of(world, "outsider")

    assert list_all(client, endpoint) == []


HIDDEN_ROWS = [
    ("get", "org-units", lambda w: w.org.south.pk),
    ("get", "scorecards", lambda w: w.org.south.scorecard.pk),
    ("get", "objectives", lambda w: w.objectives["South", "A"].pk),
    ("get", "kpis", lambda w: w.kpis["South", "A"].pk),
    # Links and memberships have no single-row read in the contract, only a delete.
    ("delete", "links", lambda w: w.links["South"].pk),
    ("delete", "memberships", lambda w: Membership.objects.get(org_unit=w.org.south_ops).pk),
]


@pytest.mark.parametrize(
    ("method", "endpoint", "row"),
    HIDDEN_ROWS,
    ids=[f"{method.upper()} {endpoint}" for method, endpoint, _ in HIDDEN_ROWS],
)
def test_it_answers_404_for_a_row_north_manager_may_not_see(world, method, endpoint, row):
    before = database_state()

    response = getattr(client_of(world, "north_manager"), method)(f"/api/{endpoint}/{row(world)}/")

    assert response.status_code == 404
    assert database_state() == before


HIDDEN_FILTERS = [
    ("kpis", "objective", lambda w: w.objectives["South", "A"].pk),
    ("objectives", "scorecard", lambda w: w.org.south.scorecard.pk),
    ("links", "source", lambda w: w.objectives["South", "A"].pk),
    ("scorecards", "org_unit", lambda w: w.org.south.pk),
    ("memberships", "org_unit", lambda w: w.org.south_ops.pk),
]


@pytest.mark.parametrize(
    ("endpoint", "filter_name", "hidden"),
    HIDDEN_FILTERS,
    ids=[f"{e}?{f}" for e, f, _ in HIDDEN_FILTERS],
)
def test_it_answers_a_filter_on_a_hidden_id_like_one_on_an_unknown_id(
    world, endpoint, filter_name, hidden
):
    # Otherwise a list filter tells anyone signed in which ids exist outside their units.
    client = client_of(world, "north_manager")

    on_hidden = client.get(f"/api/{endpoint}/?{filter_name}={hidden(world)}")
    on_unknown = client.get(f"/api/{endpoint}/?{filter_name}=99999999")

    assert (on_hidden.status_code, on_hidden.json()) == (
        on_unknown.status_code, on_unknown.json(),
    )  # fmt: skip


# Writes on North Sales, one table for every persona.


@dataclass(frozen=True)
class Write:
    name: str
    send: Callable[[APIClient, World], object]
    success: int
    # How a caller who cannot see North Sales is answered: 400 on `field` when the id is in
    # the body, 404 when it is in the URL.
    blind_field: str | None


def north_sales(w: World, letter: str = "A") -> Objective:
    return w.objectives["North Sales", letter]


WRITES = [
    Write(
        "create objective",
        lambda c, w: c.post(
            "/api/objectives/",
            {"scorecard": w.org.north_sales.scorecard.pk, "perspective": w.customer.pk,
             "title": "Win back lost customers"},
            format="json",
        ),
        201,
        "scorecard",
    ),
    Write(
        "update objective",
        lambda c, w: c.patch(
            f"/api/objectives/{north_sales(w).pk}/", {"title": "Renamed", "weight": "3"},
            format="json",
        ),
        200,
        None,
    ),
    Write(
        "create kpi",
        lambda c, w: c.post(
            "/api/kpis/",
            {"objective": north_sales(w).pk, "name": "Deals won", "unit": "count"},
            format="json",
        ),
        201,
        "objective",
    ),
    Write(
        "update kpi",
        lambda c, w: c.patch(
            f"/api/kpis/{w.kpis['North Sales', 'A'].pk}/",
            {"direction": "down", "tolerance_pct": "5"},
            format="json",
        ),
        200,
        None,
    ),
    Write(
        "create link",
        lambda c, w: c.post(
            "/api/links/",
            {"scorecard": w.org.north_sales.scorecard.pk, "source": north_sales(w, "B").pk,
             "target": north_sales(w, "C").pk},
            format="json",
        ),
        201,
        "scorecard",
    ),
    Write(
        "delete link",
        lambda c, w: c.delete(f"/api/links/{w.links['North Sales'].pk}/"),
        204,
        None,
    ),
    Write(
        "create child unit",
        lambda c, w: c.post(
            "/api/org-units/",
            {"name": "North Sales East", "kind": "team", "parent": w.org.north_sales.pk},
            format="json",
        ),
        201,
        "parent",
    ),
    Write(
        "update unit",
        lambda c, w: c.patch(
            f"/api/org-units/{w.org.north_sales.pk}/", {"name": "North Sales & Service"},
            format="json",
        ),
        200,
        None,
    ),
    Write(
        "create scorecard",
        lambda c, w: c.post(
            "/api/scorecards/", {"org_unit": w.desk.pk, "title": "Desk scorecard"},
            format="json",
        ),
        201,
        "org_unit",
    ),
    Write(
        "update scorecard",
        lambda c, w: c.patch(
            f"/api/scorecards/{w.org.north_sales.scorecard.pk}/", {"title": "Renamed"},
            format="json",
        ),
        200,
        None,
    ),
    Write(
        "grant membership",
        lambda c, w: c.post(
            "/api/memberships/",
            # North's manager, whom the readers of North Sales may see (issue 14: a person
            # one may not see is answered like an unknown id, a 400 on `user`).
            {"user": w.people.north_manager.pk, "org_unit": w.org.north_sales.pk,
             "role": "viewer"},
            format="json",
        ),
        201,
        "org_unit",
    ),
    Write(
        "revoke membership",
        lambda c, w: c.delete(
            f"/api/memberships/"
            f"{Membership.objects.get(user=w.people.owner, org_unit=w.org.north_sales).pk}/"
        ),
        204,
        None,
    ),
]  # fmt: skip
WRITE_IDS = [write.name for write in WRITES]


@pytest.mark.parametrize("persona", MAY_WRITE_ON_NORTH_SALES)
@pytest.mark.parametrize("write", WRITES, ids=WRITE_IDS)
def test_it_lets_managers_of_north_sales_write(world, persona, write):
    before = database_state()

    response = write.send(client_of(world, persona), world)

    assert response.status_code == write.success, getattr(response, "data", None)
    assert database_state() != before


@pytest.mark.parametrize("persona", REFUSED_ON_NORTH_SALES)
@pytest.mark.parametrize("write", WRITES, ids=WRITE_IDS)
def test_it_refuses_readers_of_north_sales_and_changes_nothing(world, persona, write):
    before, history_before = database_state(), history_counts()

    response = write.send(client_of(world, persona), world)

    assert response.status_code == 403
    assert response.json() == {"detail": REFUSED}
    assert history_counts() == history_before
    assert database_state() == before


@pytest.mark.parametrize("persona", BLIND_TO_NORTH_SALES)
@pytest.mark.parametrize("write", WRITES, ids=WRITE_IDS)
def test_it_treats_north_sales_as_unknown_to_those_who_cannot_see_it(world, persona, write):
    before, history_before = database_state(), history_counts()

    response = write.send(client_of(world, persona), world)

    if write.blind_field is None:
        assert response.status_code == 404
    else:
        assert response.status_code == 400
        assert write.blind_field in response.json()
    assert history_counts() == history_before
    assert database_state() == before


# The same writes, read as sentences.


def test_it_lets_north_manager_build_north_sales_strategy(world):
    client = client_of(world, "north_manager")
    scorecard = world.org.north_sales.scorecard

    objective = client.post(
        "/api/objectives/",
        {"scorecard": scorecard.pk, "perspective": world.customer.pk,
         "title": "Win back lost customers", "supports": [world.objectives["North", "A"].pk]},
        format="json",
    )  # fmt: skip
    kpi = client.post(
        "/api/kpis/",
        {"objective": objective.json()["id"], "name": "Customers won back", "unit": "count",
         "direction": "up", "indicator_type": "leading"},
        format="json",
    )  # fmt: skip
    link = client.post(
        "/api/links/",
        {"scorecard": scorecard.pk, "source": objective.json()["id"],
         "target": north_sales(world).pk, "note": "Returning customers buy more."},
        format="json",
    )  # fmt: skip

    assert (objective.status_code, kpi.status_code, link.status_code) == (201, 201, 201)
    created = Objective.objects.get(pk=objective.json()["id"])
    assert created.scorecard == scorecard
    assert list(created.supports.all()) == [world.objectives["North", "A"]]
    assert KPI.objects.get(pk=kpi.json()["id"]).objective == created
    assert CausalLink.objects.get(pk=link.json()["id"]).source == created


def test_it_lets_south_team_manager_write_only_on_south_ops(world):
    client = client_of(world, "south_team_manager")

    mine = client.post(
        "/api/objectives/",
        {"scorecard": world.org.south_ops.scorecard.pk, "perspective": world.customer.pk,
         "title": "Ship on time"},
        format="json",
    )  # fmt: skip
    parents = client.post(
        "/api/objectives/",
        {"scorecard": world.org.south.scorecard.pk, "perspective": world.customer.pk,
         "title": "Ship on time"},
        format="json",
    )  # fmt: skip

    assert mine.status_code == 201
    stored = Objective.objects.get(pk=mine.json()["id"])
    assert (stored.scorecard, stored.perspective, stored.title) == (
        world.org.south_ops.scorecard, world.customer, "Ship on time"
    )  # fmt: skip
    assert parents.status_code == 400
    assert parents.json()["scorecard"] == [
        DOES_NOT_EXIST.format(pk_value=world.org.south.scorecard.pk)
    ]


def test_it_answers_400_when_north_manager_names_south_scorecard(world):
    south = world.org.south.scorecard
    before = database_state()

    response = client_of(world, "north_manager").post(
        "/api/objectives/",
        {"scorecard": south.pk, "perspective": world.customer.pk, "title": "Take over South"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"scorecard": [DOES_NOT_EXIST.format(pk_value=south.pk)]}
    assert database_state() == before


# (case, url, the field naming a row north_manager may not see, that row's id, the payload)
HIDDEN_REFERENCES = [
    ("kpi under a south objective", "/api/kpis/", "objective",
     lambda w: w.objectives["South", "A"].pk,
     lambda w: {"objective": w.objectives["South", "A"].pk, "name": "Spy"}),
    ("objective supporting a south objective", "/api/objectives/", "supports",
     lambda w: w.objectives["South", "A"].pk,
     lambda w: {"scorecard": w.org.north_sales.scorecard.pk, "perspective": w.customer.pk,
                "title": "Support South", "supports": [w.objectives["South", "A"].pk]}),
    ("kpi rolling up to an acme KPI", "/api/kpis/", "rolls_up_to",
     lambda w: w.kpis["Acme", "A"].pk,
     lambda w: {"objective": north_sales(w).pk, "name": "Roll",
                "rolls_up_to": w.kpis["Acme", "A"].pk}),
    ("link from a south objective", "/api/links/", "source",
     lambda w: w.objectives["South", "A"].pk,
     lambda w: {"scorecard": w.org.north_sales.scorecard.pk,
                "source": w.objectives["South", "A"].pk, "target": north_sales(w).pk}),
    ("child of south", "/api/org-units/", "parent",
     lambda w: w.org.south.pk,
     lambda w: {"name": "North in South", "kind": "team", "parent": w.org.south.pk}),
    ("membership on acme", "/api/memberships/", "org_unit",
     lambda w: w.org.acme.pk,
     lambda w: {"user": w.people.north_manager.pk, "org_unit": w.org.acme.pk,
                "role": "manager"}),
    ("scorecard for south", "/api/scorecards/", "org_unit",
     lambda w: w.org.south.pk,
     lambda w: {"org_unit": w.org.south.pk, "title": "Second South"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("url", "field", "hidden", "payload"),
    [case[1:] for case in HIDDEN_REFERENCES],
    ids=[case[0] for case in HIDDEN_REFERENCES],
)
def test_it_answers_400_for_ids_north_manager_may_not_see(world, url, field, hidden, payload):
    before = database_state()

    response = client_of(world, "north_manager").post(url, payload(world), format="json")

    assert response.status_code == 400
    assert response.json() == {field: [DOES_NOT_EXIST.format(pk_value=hidden(world))]}
    assert database_state() == before


def test_it_refuses_north_manager_moving_north_sales_under_south(world):
    before = database_state()

    response = client_of(world, "north_manager").patch(
        f"/api/org-units/{world.org.north_sales.pk}/",
        {"parent": world.org.south.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"parent": [DOES_NOT_EXIST.format(pk_value=world.org.south.pk)]}
    assert database_state() == before


def test_it_lets_the_manager_move_a_unit_without_objectives_under_south(world):
    newcomer = org_unit("North Support", "team", world.org.north)

    response = client_of(world, "manager").patch(
        f"/api/org-units/{newcomer.pk}/", {"parent": world.org.south.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["parent"] == world.org.south.pk
    moved = OrgUnit.objects.get(pk=newcomer.pk)
    assert moved.path[: -OrgUnit.steplen] == world.org.south.path


def test_it_refuses_to_move_a_unit_whose_scorecard_has_objectives(world):
    before = database_state()

    response = client_of(world, "manager").patch(
        f"/api/org-units/{world.org.north_sales.pk}/",
        {"parent": world.org.south.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"parent": [MOVE_WITH_OBJECTIVES]}
    assert database_state() == before


def test_it_refuses_the_owner_moving_a_kpi_to_another_objective(world):
    kpi = world.kpis["North Sales", "A"]
    before = database_state()

    response = client_of(world, "owner").patch(
        f"/api/kpis/{kpi.pk}/", {"objective": north_sales(world, "B").pk}, format="json"
    )

    assert response.status_code == 403
    assert database_state() == before


def test_it_refuses_north_manager_moving_a_kpi_to_an_acme_objective(world):
    kpi = world.kpis["North Sales", "A"]
    before = database_state()

    response = client_of(world, "north_manager").patch(
        f"/api/kpis/{kpi.pk}/", {"objective": world.objectives["Acme", "A"].pk}, format="json"
    )

    assert response.status_code == 400
    assert "objective" in response.json()
    assert database_state() == before


def test_it_refuses_the_owner_making_themselves_owner_of_their_kpi_objective(world):
    objective = north_sales(world)
    before = database_state()

    response = client_of(world, "owner").put(
        f"/api/objectives/{objective.pk}/",
        {"scorecard": objective.scorecard_id, "perspective": objective.perspective_id,
         "title": objective.title, "owner": world.people.owner.pk},
        format="json",
    )  # fmt: skip

    assert response.status_code == 403
    assert database_state() == before


# The root of the tree, and memberships.


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager", 403),
        ("north_manager", 403),
        ("executive", 403),
        ("owner", 403),
        ("south_team_manager", 403),
        ("outsider", 403),
        ("admin", 400),
    ],
)
def test_it_refuses_a_second_root_unit(world, persona, status):
    before = database_state()

    response = client_of(world, persona).post(
        "/api/org-units/", {"name": "Rival", "kind": "enterprise"}, format="json"
    )

    assert response.status_code == status
    if status == 400:
        assert response.json() == {"parent": [core.SECOND_ROOT]}
    assert database_state() == before


def test_it_lets_north_manager_grant_and_revoke_a_role_on_north_sales(world):
    client = client_of(world, "north_manager")

    granted = client.post(
        "/api/memberships/",
        {"user": world.people.outsider.pk, "org_unit": world.org.north_sales.pk,
         "role": "owner"},
        format="json",
    )  # fmt: skip
    assert granted.status_code == 201
    membership = Membership.objects.get(pk=granted.json()["id"])
    assert (membership.user, membership.org_unit, membership.role) == (
        world.people.outsider, world.org.north_sales, "owner",
    )  # fmt: skip

    revoked = client.delete(f"/api/memberships/{membership.pk}/")

    assert revoked.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_it_refuses_a_viewer_deleting_a_membership(world):
    membership = Membership.objects.get(user=world.people.north_manager)
    before = database_state()

    response = client_of(world, "executive").delete(f"/api/memberships/{membership.pk}/")

    assert response.status_code == 403
    assert response.json() == {"detail": REFUSED}
    assert database_state() == before


def test_it_refuses_an_owner_granting_themselves_manager(world):
    before = database_state()

    response = client_of(world, "owner").post(
        "/api/memberships/",
        {"user": world.people.owner.pk, "org_unit": world.org.north_sales.pk,
         "role": "manager"},
        format="json",
    )  # fmt: skip

    assert response.status_code == 403
    assert database_state() == before


def test_it_refuses_south_team_manager_revoking_north_manager(world):
    membership = Membership.objects.get(user=world.people.north_manager)
    before = database_state()

    response = client_of(world, "south_team_manager").delete(f"/api/memberships/{membership.pk}/")

    assert response.status_code == 404
    assert database_state() == before


def test_it_shows_the_outsider_a_unit_once_granted_a_role(world):
    granted = client_of(world, "manager").post(
        "/api/memberships/",
        {"user": world.people.outsider.pk, "org_unit": world.org.south_ops.pk,
         "role": "viewer"},
        format="json",
    )  # fmt: skip

    rows = list_all(client_of(world, "outsider"), "org-units")

    assert granted.status_code == 201
    assert granted.json() == {
        "id": granted.json()["id"], "user": world.people.outsider.pk,
        "org_unit": world.org.south_ops.pk, "role": "viewer",
    }  # fmt: skip
    assert [row["name"] for row in rows] == ["South Ops"]
