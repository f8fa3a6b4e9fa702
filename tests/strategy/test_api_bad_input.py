"""Bad input to the API's writes: objectives and links, and the core's org units, memberships
and scorecards. Every case is answered 400 with the error under the field to fix (never a
500, never a 403 or 404 for a body that names an unknown id) and saves nothing.

The admin sends every request, so nothing here is about permissions: see
tests/scorecard/test_api_permissions.py for ids a caller may not see.

North Sales' scorecard holds "Grow regional revenue" (financial) and A, B, C (customer) with
the links A → B and B → C; North and South each hold one objective of their own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers
from rest_framework.test import APIClient

from scorecard import services as core
from scorecard.models import UNKNOWN_KIND, WEIGHT_NEGATIVE, OrgUnit
from scorecard.services import MOVE_INTO_OWN_SUBTREE
from strategy import services as strategy_services
from strategy.models import (
    LINK_ACROSS_SCORECARDS,
    LINK_CLOSES_CYCLE,
    LINK_EXISTS,
    LINK_ON_OTHER_SCORECARD,
    LINK_TO_ITSELF,
    TITLE_TAKEN,
    CausalLink,
    Objective,
)
from strategy.services import OWNER_CANNOT_SEE_UNIT, SUPPORTS_NOT_ANCESTOR
from tests.factories import UserFactory, org_unit

UNKNOWN = 99_999_999
# Larger than any 64-bit integer column: SQLite and PostgreSQL overflow differently.
HUGE = 2**70
MISSING = object()

REQUIRED = str(serializers.Field.default_error_messages["required"])
NULL = str(serializers.Field.default_error_messages["null"])
BLANK = str(serializers.CharField.default_error_messages["blank"])
NOT_A_STRING = str(serializers.CharField.default_error_messages["invalid"])
TOO_LONG = str(serializers.CharField.default_error_messages["max_length"])
NUL_CHARACTERS = str(ProhibitNullCharactersValidator.message)
NOT_A_NUMBER = str(serializers.DecimalField.default_error_messages["invalid"])
TOO_MANY_DIGITS = str(serializers.DecimalField.default_error_messages["max_digits"])
NOT_A_CHOICE = str(serializers.ChoiceField.default_error_messages["invalid_choice"])
NOT_A_LIST = str(serializers.ManyRelatedField.default_error_messages["not_a_list"])
DOES_NOT_EXIST = str(serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"])
INCORRECT_TYPE = str(serializers.PrimaryKeyRelatedField.default_error_messages["incorrect_type"])


@dataclass
class World:
    org: Any
    people: Any
    financial: Any
    customer: Any
    grow: Objective
    a: Objective
    b: Objective
    c: Objective
    north_goal: Objective
    south_goal: Objective
    desk: OrgUnit


@pytest.fixture
def world(org, people, financial, customer, north_sales_kpi) -> World:
    scorecard = org.north_sales.scorecard

    def objective(title: str, on=scorecard) -> Objective:
        return strategy_services.objective_create(scorecard=on, perspective=customer, title=title)

    a, b, c = objective("North Sales A"), objective("North Sales B"), objective("North Sales C")
    strategy_services.link_create(scorecard=scorecard, source=a, target=b)
    strategy_services.link_create(scorecard=scorecard, source=b, target=c)
    return World(
        org=org,
        people=people,
        financial=financial,
        customer=customer,
        grow=north_sales_kpi.objective,
        a=a,
        b=b,
        c=c,
        north_goal=objective("North goal", org.north.scorecard),
        south_goal=objective("South goal", org.south.scorecard),
        desk=org_unit("North Sales Desk", "team", org.north_sales, with_scorecard=False),
    )


@pytest.fixture
def admin(people) -> APIClient:
    client = APIClient()
    client.force_login(people.admin)
    return client


def database_state() -> dict[str, list[dict]]:
    """Every row of the domain's tables, history included: bad input must save none."""
    state = {}
    for label in ("scorecard", "strategy", "kpis", "reviews"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            state[model._meta.label] = list(model._default_manager.order_by("pk").values())
    return state


@dataclass(frozen=True)
class Case:
    name: str
    change: Callable[[World], dict]  # Keys to set on a valid payload; MISSING drops the key.
    field: str
    message: Callable[[World], str] | str | None  # None: the field's error, whatever it says.


def ids(cases: list[Case]) -> list[str]:
    return [case.name for case in cases]


def send_bad_input(send, world: World, base: dict, case: Case) -> None:
    """Send the valid payload changed by the case; expect 400 on the case's field and no row
    of any table changed."""
    payload = {
        key: value for key, value in {**base, **case.change(world)}.items() if value is not MISSING
    }
    before = database_state()

    response = send(payload)

    assert response.status_code == 400, (response.status_code, payload)
    errors = response.json()
    assert case.field in errors, errors
    if case.message is not None:
        message = case.message(world) if callable(case.message) else case.message
        assert errors[case.field] == [message]
    assert database_state() == before


# Objectives.


def new_objective(w: World) -> dict:
    return {
        "scorecard": w.org.north_sales.scorecard.pk,
        "perspective": w.customer.pk,
        "title": "Win new customers",
    }


OBJECTIVE_CREATE_CASES = [
    Case("weight abc", lambda w: {"weight": "abc"}, "weight", NOT_A_NUMBER),
    Case("weight NaN", lambda w: {"weight": "NaN"}, "weight", NOT_A_NUMBER),
    Case("weight Infinity", lambda w: {"weight": "Infinity"}, "weight", NOT_A_NUMBER),
    Case("weight negative", lambda w: {"weight": "-1"}, "weight", WEIGHT_NEGATIVE),
    Case("weight 1e30", lambda w: {"weight": "1e30"}, "weight",
         TOO_MANY_DIGITS.format(max_digits=9)),
    Case("weight 2**70", lambda w: {"weight": HUGE}, "weight",
         TOO_MANY_DIGITS.format(max_digits=9)),
    Case("title list", lambda w: {"title": ["Win"]}, "title", NOT_A_STRING),
    Case("title blank", lambda w: {"title": ""}, "title", BLANK),
    Case("title spaces", lambda w: {"title": "   "}, "title", BLANK),
    # PostgreSQL refuses NUL in text outright, so it must never reach the database.
    Case("title with NUL", lambda w: {"title": "Win\x00"}, "title", NUL_CHARACTERS),
    Case("title too long", lambda w: {"title": "x" * 256}, "title",
         TOO_LONG.format(max_length=255)),
    Case("title missing", lambda w: {"title": MISSING}, "title", REQUIRED),
    Case("scorecard missing", lambda w: {"scorecard": MISSING}, "scorecard", REQUIRED),
    Case("scorecard null", lambda w: {"scorecard": None}, "scorecard", NULL),
    Case("scorecard unknown", lambda w: {"scorecard": UNKNOWN}, "scorecard",
         DOES_NOT_EXIST.format(pk_value=UNKNOWN)),
    Case("scorecard 2**70", lambda w: {"scorecard": HUGE}, "scorecard",
         DOES_NOT_EXIST.format(pk_value=HUGE)),
    Case("scorecard abc", lambda w: {"scorecard": "abc"}, "scorecard",
         INCORRECT_TYPE.format(data_type="str")),
    Case("scorecard true", lambda w: {"scorecard": True}, "scorecard",
         INCORRECT_TYPE.format(data_type="bool")),
    Case("perspective missing", lambda w: {"perspective": MISSING}, "perspective", REQUIRED),
    Case("perspective unknown", lambda w: {"perspective": UNKNOWN}, "perspective",
         DOES_NOT_EXIST.format(pk_value=UNKNOWN)),
    Case("perspective 2**70", lambda w: {"perspective": HUGE}, "perspective",
         DOES_NOT_EXIST.format(pk_value=HUGE)),
    Case("owner unknown", lambda w: {"owner": UNKNOWN}, "owner",
         DOES_NOT_EXIST.format(pk_value=UNKNOWN)),
    Case("owner 2**70", lambda w: {"owner": HUGE}, "owner",
         DOES_NOT_EXIST.format(pk_value=HUGE)),
    Case("owner without a role", lambda w: {"owner": w.people.outsider.pk}, "owner",
         lambda w: OWNER_CANNOT_SEE_UNIT.format(user=w.people.outsider,
                                                unit=w.org.north_sales)),
    Case("owner in another branch", lambda w: {"owner": w.people.south_team_manager.pk},
         "owner", lambda w: OWNER_CANNOT_SEE_UNIT.format(user=w.people.south_team_manager,
                                                         unit=w.org.north_sales)),
    Case("supports not a list", lambda w: {"supports": "notalist"}, "supports",
         NOT_A_LIST.format(input_type="str")),
    # DRF iterates a dict's keys, so this is refused for the key "id", not as a non-list.
    Case("supports an object", lambda w: {"supports": {"id": w.north_goal.pk}}, "supports",
         None),
    Case("supports unknown", lambda w: {"supports": [UNKNOWN]}, "supports",
         DOES_NOT_EXIST.format(pk_value=UNKNOWN)),
    Case("supports 2**70", lambda w: {"supports": [HUGE]}, "supports",
         DOES_NOT_EXIST.format(pk_value=HUGE)),
    # Each id of a list is one query, so a list is capped at SIGHTLINE_BULK_MAX_ROWS (1000).
    Case("supports 1001 ids", lambda w: {"supports": [w.north_goal.pk] * 1001}, "supports",
         "At most 1000 ids in one request."),
    Case("supports own scorecard", lambda w: {"supports": [w.a.pk]}, "supports",
         lambda w: SUPPORTS_NOT_ANCESTOR.format(objective=w.a, unit=w.org.north_sales,
                                                own=w.org.north_sales)),
    Case("supports another branch", lambda w: {"supports": [w.south_goal.pk]}, "supports",
         lambda w: SUPPORTS_NOT_ANCESTOR.format(objective=w.south_goal, unit=w.org.south,
                                                own=w.org.north_sales)),
    Case("duplicate title", lambda w: {"perspective": w.financial.pk,
                                        "title": "Grow regional revenue"},
         "title", TITLE_TAKEN),
    Case("duplicate title other case", lambda w: {"title": "  north sales a "}, "title",
         TITLE_TAKEN),
]  # fmt: skip


@pytest.mark.parametrize("case", OBJECTIVE_CREATE_CASES, ids=ids(OBJECTIVE_CREATE_CASES))
def test_it_refuses_a_bad_new_objective(admin, world, case):
    send_bad_input(
        lambda payload: admin.post("/api/objectives/", payload, format="json"),
        world,
        new_objective(world),
        case,
    )


OBJECTIVE_UPDATE_CASES = [
    Case("weight negative", lambda w: {"weight": "-0.5"}, "weight", WEIGHT_NEGATIVE),
    Case("weight abc", lambda w: {"weight": "abc"}, "weight", NOT_A_NUMBER),
    Case("title blank", lambda w: {"title": ""}, "title", BLANK),
    Case("title of a sibling", lambda w: {"title": "North Sales B"}, "title", TITLE_TAKEN),
    Case("another scorecard", lambda w: {"scorecard": w.org.north.scorecard.pk},
         "scorecard", None),
    Case("perspective 2**70", lambda w: {"perspective": HUGE}, "perspective",
         DOES_NOT_EXIST.format(pk_value=HUGE)),
    Case("owner without a role", lambda w: {"owner": w.people.outsider.pk}, "owner",
         lambda w: OWNER_CANNOT_SEE_UNIT.format(user=w.people.outsider,
                                                unit=w.org.north_sales)),
    Case("supports itself", lambda w: {"supports": [w.a.pk]}, "supports",
         lambda w: SUPPORTS_NOT_ANCESTOR.format(objective=w.a, unit=w.org.north_sales,
                                                own=w.org.north_sales)),
    Case("supports not a list", lambda w: {"supports": "notalist"}, "supports",
         NOT_A_LIST.format(input_type="str")),
]  # fmt: skip


@pytest.mark.parametrize("case", OBJECTIVE_UPDATE_CASES, ids=ids(OBJECTIVE_UPDATE_CASES))
def test_it_refuses_a_bad_change_to_an_objective(admin, world, case):
    send_bad_input(
        lambda payload: admin.patch(f"/api/objectives/{world.a.pk}/", payload, format="json"),
        world,
        {},
        case,
    )


def test_it_refuses_a_whole_objective_without_its_required_fields(admin, world):
    before = database_state()

    response = admin.put(f"/api/objectives/{world.a.pk}/", {}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "scorecard": [REQUIRED],
        "perspective": [REQUIRED],
        "title": [REQUIRED],
    }
    assert database_state() == before


def test_it_accepts_a_number_as_a_title(admin, world):
    payload = {**new_objective(world), "title": 123}

    response = admin.post("/api/objectives/", payload, format="json")

    assert response.status_code == 201
    assert response.json()["title"] == "123"


# Links.


def new_link(w: World) -> dict:
    return {"scorecard": w.org.north_sales.scorecard.pk, "source": w.a.pk, "target": w.c.pk}


LINK_CASES = [
    Case("to itself", lambda w: {"target": w.a.pk}, "target", LINK_TO_ITSELF),
    Case("across scorecards", lambda w: {"target": w.north_goal.pk}, "target",
         LINK_ACROSS_SCORECARDS),
    Case("on another scorecard", lambda w: {"scorecard": w.org.north.scorecard.pk},
         "scorecard", LINK_ON_OTHER_SCORECARD),
    Case("closing a cycle", lambda w: {"source": w.c.pk, "target": w.a.pk}, "target",
         LINK_CLOSES_CYCLE.format(path="North Sales C → North Sales A → North Sales B → "
                                       "North Sales C")),
    Case("closing a two-step cycle", lambda w: {"source": w.b.pk, "target": w.a.pk}, "target",
         LINK_CLOSES_CYCLE.format(path="North Sales B → North Sales A → North Sales B")),
    Case("duplicate", lambda w: {"target": w.b.pk}, "target", LINK_EXISTS),
    Case("scorecard missing", lambda w: {"scorecard": MISSING}, "scorecard", REQUIRED),
    Case("source missing", lambda w: {"source": MISSING}, "source", REQUIRED),
    Case("target missing", lambda w: {"target": MISSING}, "target", REQUIRED),
    Case("source unknown", lambda w: {"source": UNKNOWN}, "source",
         DOES_NOT_EXIST.format(pk_value=UNKNOWN)),
    Case("source 2**70", lambda w: {"source": HUGE}, "source",
         DOES_NOT_EXIST.format(pk_value=HUGE)),
    Case("target abc", lambda w: {"target": "abc"}, "target",
         INCORRECT_TYPE.format(data_type="str")),
    Case("scorecard 2**70", lambda w: {"scorecard": HUGE}, "scorecard",
         DOES_NOT_EXIST.format(pk_value=HUGE)),
    Case("note a list", lambda w: {"note": ["why"]}, "note", NOT_A_STRING),
    Case("note with NUL", lambda w: {"note": "because\x00"}, "note", NUL_CHARACTERS),
]  # fmt: skip


@pytest.mark.parametrize("case", LINK_CASES, ids=ids(LINK_CASES))
def test_it_refuses_a_bad_link(admin, world, case):
    send_bad_input(
        lambda payload: admin.post("/api/links/", payload, format="json"),
        world,
        new_link(world),
        case,
    )


def test_it_accepts_the_link_the_bad_cases_start_from(admin, world):
    response = admin.post("/api/links/", new_link(world), format="json")

    assert response.status_code == 201
    link = CausalLink.objects.get(pk=response.json()["id"])
    assert (link.scorecard, link.source, link.target) == (
        world.org.north_sales.scorecard, world.a, world.c
    )  # fmt: skip
    assert response.json() == {**new_link(world), "id": link.pk, "note": ""}


# Org units.


def new_unit(w: World) -> dict:
    return {"name": "North Sales East", "kind": "team", "parent": w.org.north_sales.pk}


UNIT_CREATE_CASES = [
    Case("kind galaxy", lambda w: {"kind": "galaxy"}, "kind",
         UNKNOWN_KIND.format(kind="galaxy", kinds="enterprise, division, department, team")),
    Case("kind missing", lambda w: {"kind": MISSING}, "kind", REQUIRED),
    Case("name missing", lambda w: {"name": MISSING}, "name", REQUIRED),
    Case("name blank", lambda w: {"name": ""}, "name", BLANK),
    Case("name too long", lambda w: {"name": "x" * 201}, "name",
         TOO_LONG.format(max_length=200)),
    Case("parent unknown", lambda w: {"parent": UNKNOWN}, "parent",
         DOES_NOT_EXIST.format(pk_value=UNKNOWN)),
    Case("parent 2**70", lambda w: {"parent": HUGE}, "parent",
         DOES_NOT_EXIST.format(pk_value=HUGE)),
    Case("parent abc", lambda w: {"parent": "abc"}, "parent",
         INCORRECT_TYPE.format(data_type="str")),
    Case("a second root", lambda w: {"parent": None}, "parent", core.SECOND_ROOT),
    Case("a second root, parent left out", lambda w: {"parent": MISSING}, "parent",
         core.SECOND_ROOT),
]  # fmt: skip


@pytest.mark.parametrize("case", UNIT_CREATE_CASES, ids=ids(UNIT_CREATE_CASES))
def test_it_refuses_a_bad_new_org_unit(admin, world, case):
    send_bad_input(
        lambda payload: admin.post("/api/org-units/", payload, format="json"),
        world,
        new_unit(world),
        case,
    )


UNIT_UPDATE_CASES = [
    Case("under its own child", lambda w: {"parent": w.org.north_sales.pk}, "parent",
         MOVE_INTO_OWN_SUBTREE),
    Case("under itself", lambda w: {"parent": w.org.north.pk}, "parent",
         MOVE_INTO_OWN_SUBTREE),
    Case("to the top", lambda w: {"parent": None}, "parent", core.SECOND_ROOT),
    Case("kind galaxy", lambda w: {"kind": "galaxy"}, "kind",
         UNKNOWN_KIND.format(kind="galaxy", kinds="enterprise, division, department, team")),
    Case("parent 2**70", lambda w: {"parent": HUGE}, "parent",
         DOES_NOT_EXIST.format(pk_value=HUGE)),
    Case("name blank", lambda w: {"name": ""}, "name", BLANK),
]  # fmt: skip


@pytest.mark.parametrize("case", UNIT_UPDATE_CASES, ids=ids(UNIT_UPDATE_CASES))
def test_it_refuses_a_bad_change_to_an_org_unit(admin, world, case):
    send_bad_input(
        lambda payload: admin.patch(f"/api/org-units/{world.org.north.pk}/", payload,
                                    format="json"),
        world,
        {},
        case,
    )  # fmt: skip


# Memberships.


def new_membership(w: World) -> dict:
    return {"user": w.people.outsider.pk, "org_unit": w.org.north_sales.pk, "role": "viewer"}


def inactive_user(w: World) -> int:
    return UserFactory(username="gone", is_active=False).pk


MEMBERSHIP_CASES = [
    Case("role emperor", lambda w: {"role": "emperor"}, "role",
         NOT_A_CHOICE.format(input="emperor")),
    Case("role missing", lambda w: {"role": MISSING}, "role", REQUIRED),
    Case("user missing", lambda w: {"user": MISSING}, "user", REQUIRED),
    Case("org unit missing", lambda w: {"org_unit": MISSING}, "org_unit", REQUIRED),
    Case("user unknown", lambda w: {"user": UNKNOWN}, "user",
         DOES_NOT_EXIST.format(pk_value=UNKNOWN)),
    Case("user 2**70", lambda w: {"user": HUGE}, "user", DOES_NOT_EXIST.format(pk_value=HUGE)),
    Case("user abc", lambda w: {"user": "abc"}, "user", INCORRECT_TYPE.format(data_type="str")),
    Case("user deactivated", lambda w: {"user": inactive_user(w)}, "user", None),
    Case("org unit 2**70", lambda w: {"org_unit": HUGE}, "org_unit",
         DOES_NOT_EXIST.format(pk_value=HUGE)),
]  # fmt: skip


@pytest.mark.parametrize("case", MEMBERSHIP_CASES, ids=ids(MEMBERSHIP_CASES))
def test_it_refuses_a_bad_membership(admin, world, case):
    send_bad_input(
        lambda payload: admin.post("/api/memberships/", payload, format="json"),
        world,
        new_membership(world),
        case,
    )


# Scorecards.


def new_scorecard(w: World) -> dict:
    return {"org_unit": w.desk.pk, "title": "Desk scorecard"}


SCORECARD_CASES = [
    Case("a second scorecard", lambda w: {"org_unit": w.org.north.pk}, "org_unit",
         lambda w: core.SECOND_SCORECARD.format(unit=w.org.north)),
    Case("title missing", lambda w: {"title": MISSING}, "title", REQUIRED),
    Case("title blank", lambda w: {"title": ""}, "title", BLANK),
    Case("org unit missing", lambda w: {"org_unit": MISSING}, "org_unit", REQUIRED),
    Case("org unit unknown", lambda w: {"org_unit": UNKNOWN}, "org_unit",
         DOES_NOT_EXIST.format(pk_value=UNKNOWN)),
    Case("org unit 2**70", lambda w: {"org_unit": HUGE}, "org_unit",
         DOES_NOT_EXIST.format(pk_value=HUGE)),
]  # fmt: skip


@pytest.mark.parametrize("case", SCORECARD_CASES, ids=ids(SCORECARD_CASES))
def test_it_refuses_a_bad_scorecard(admin, world, case):
    send_bad_input(
        lambda payload: admin.post("/api/scorecards/", payload, format="json"),
        world,
        new_scorecard(world),
        case,
    )


def test_it_keeps_a_scorecard_with_its_unit(admin, world):
    scorecard = world.org.north_sales.scorecard
    before = database_state()

    response = admin.patch(
        f"/api/scorecards/{scorecard.pk}/", {"org_unit": world.desk.pk}, format="json"
    )

    assert response.status_code == 400
    assert "org_unit" in response.json()
    assert database_state() == before


# URLs naming rows that do not exist.


@pytest.mark.parametrize("pk", [UNKNOWN, HUGE])
@pytest.mark.parametrize(
    ("method", "endpoint"),
    [
        ("get", "org-units"),
        ("patch", "org-units"),
        ("delete", "memberships"),
        ("get", "perspectives"),
        ("get", "scorecards"),
        ("patch", "scorecards"),
        ("get", "objectives"),
        ("patch", "objectives"),
        ("delete", "links"),
    ],
)
def test_it_answers_404_for_a_url_naming_an_unknown_row(admin, world, method, endpoint, pk):
    before = database_state()

    response = getattr(admin, method)(f"/api/{endpoint}/{pk}/", {}, format="json")

    assert response.status_code == 404
    assert database_state() == before
