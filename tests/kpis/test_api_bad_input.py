"""Bad input to the API's KPI writes. Every case is answered 400 with the error under the
field to fix (never a 500) and saves nothing.

The admin sends every request, so nothing here is about permissions. The KPIs at hand:

    North       "North revenue" (roll-up, sum, USD) · "North headcount" (entered, count)
    North Sales "Regional revenue" (entered, USD), under "Grow regional revenue"
    South       "South revenue" (roll-up, sum, USD)
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import (
    KPI,
    ROLLUP_METHOD_ONLY_FOR_ROLLUPS,
    ROLLUP_NEEDS_METHOD,
    ROLLUP_PARENT_NOT_ANCESTOR,
    ROLLUP_PARENT_NOT_ROLLUP,
    ROLLUP_UNIT_MISMATCH,
    TOLERANCE_NOT_POSITIVE,
)
from scorecard.models import WEIGHT_NEGATIVE
from strategy import services as strategy_services
from strategy.services import OWNER_CANNOT_SEE_UNIT

UNKNOWN = 99_999_999
# Larger than any 64-bit integer column: SQLite and PostgreSQL overflow differently.
HUGE = 2**70
MISSING = object()

REQUIRED = str(serializers.Field.default_error_messages["required"])
NULL = str(serializers.Field.default_error_messages["null"])
BLANK = str(serializers.CharField.default_error_messages["blank"])
NOT_A_NUMBER = str(serializers.DecimalField.default_error_messages["invalid"])
TOO_MANY_DIGITS = str(serializers.DecimalField.default_error_messages["max_digits"])
TOO_MANY_WHOLE_DIGITS = str(serializers.DecimalField.default_error_messages["max_whole_digits"])
TOO_MANY_PLACES = str(serializers.DecimalField.default_error_messages["max_decimal_places"])
TOO_LONG = str(serializers.CharField.default_error_messages["max_length"])
NUL_CHARACTERS = str(ProhibitNullCharactersValidator.message)
NOT_A_CHOICE = str(serializers.ChoiceField.default_error_messages["invalid_choice"])
DOES_NOT_EXIST = str(serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"])
INCORRECT_TYPE = str(serializers.PrimaryKeyRelatedField.default_error_messages["incorrect_type"])


@dataclass
class World:
    org: Any
    people: Any
    regional_revenue: KPI
    north_revenue: KPI
    north_headcount: KPI
    south_revenue: KPI


@pytest.fixture
def world(org, people, financial, north_sales_kpi) -> World:
    def kpi(unit, name: str, measure: str, **fields) -> KPI:
        objective = strategy_services.objective_create(
            scorecard=unit.scorecard, perspective=financial, title=f"{name} goal"
        )
        return kpi_services.kpi_create(objective=objective, name=name, unit=measure, **fields)

    rollup = {"source": KPI.Source.ROLLUP, "rollup_method": KPI.RollupMethod.SUM}
    return World(
        org=org,
        people=people,
        regional_revenue=north_sales_kpi,
        north_revenue=kpi(org.north, "North revenue", "USD", **rollup),
        north_headcount=kpi(org.north, "North headcount", "count"),
        south_revenue=kpi(org.south, "South revenue", "USD", **rollup),
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


def new_kpi(w: World) -> dict:
    return {"objective": w.regional_revenue.objective_id, "name": "Deals won", "unit": "USD"}


CREATE_CASES = [
    Case("weight abc", lambda w: {"weight": "abc"}, "weight", NOT_A_NUMBER),
    Case("weight NaN", lambda w: {"weight": "NaN"}, "weight", NOT_A_NUMBER),
    Case("weight negative", lambda w: {"weight": "-1"}, "weight", WEIGHT_NEGATIVE),
    Case("weight 2**70", lambda w: {"weight": HUGE}, "weight",
         TOO_MANY_DIGITS.format(max_digits=9)),
    Case("weight 0.00001", lambda w: {"weight": "0.00001"}, "weight",
         TOO_MANY_PLACES.format(max_decimal_places=4)),
    Case("tolerance x", lambda w: {"tolerance_pct": "x"}, "tolerance_pct", NOT_A_NUMBER),
    Case("tolerance Infinity", lambda w: {"tolerance_pct": "Infinity"}, "tolerance_pct",
         NOT_A_NUMBER),
    Case("tolerance 0", lambda w: {"tolerance_pct": "0"}, "tolerance_pct",
         TOLERANCE_NOT_POSITIVE),
    Case("tolerance negative", lambda w: {"tolerance_pct": "-5"}, "tolerance_pct",
         TOLERANCE_NOT_POSITIVE),
    Case("tolerance 12345", lambda w: {"tolerance_pct": "12345"}, "tolerance_pct",
         TOO_MANY_WHOLE_DIGITS.format(max_whole_digits=4)),
    Case("direction sideways", lambda w: {"direction": "sideways"}, "direction",
         NOT_A_CHOICE.format(input="sideways")),
    Case("direction blank", lambda w: {"direction": ""}, "direction",
         NOT_A_CHOICE.format(input="")),
    Case("direction null", lambda w: {"direction": None}, "direction", NULL),
    Case("indicator type lukewarm", lambda w: {"indicator_type": "lukewarm"},
         "indicator_type", NOT_A_CHOICE.format(input="lukewarm")),
    Case("source magic", lambda w: {"source": "magic"}, "source",
         NOT_A_CHOICE.format(input="magic")),
    Case("rollup method median", lambda w: {"source": "rollup", "rollup_method": "median"},
         "rollup_method", NOT_A_CHOICE.format(input="median")),
    # The contract's roll-up methods are the five names or null; "" is none of them.
    Case("rollup method blank", lambda w: {"rollup_method": ""}, "rollup_method", None),
    Case("rollup method blank on a roll-up", lambda w: {"source": "rollup",
                                                       "rollup_method": ""},
         "rollup_method", None),
    Case("roll-up without a method", lambda w: {"source": "rollup"}, "rollup_method",
         ROLLUP_NEEDS_METHOD),
    Case("entered with a method", lambda w: {"source": "manual", "rollup_method": "sum"},
         "rollup_method", ROLLUP_METHOD_ONLY_FOR_ROLLUPS),
    Case("objective missing", lambda w: {"objective": MISSING}, "objective", REQUIRED),
    Case("objective unknown", lambda w: {"objective": UNKNOWN}, "objective",
         DOES_NOT_EXIST.format(pk_value=UNKNOWN)),
    Case("objective 2**70", lambda w: {"objective": HUGE}, "objective",
         DOES_NOT_EXIST.format(pk_value=HUGE)),
    Case("objective abc", lambda w: {"objective": "abc"}, "objective",
         INCORRECT_TYPE.format(data_type="str")),
    Case("name missing", lambda w: {"name": MISSING}, "name", REQUIRED),
    Case("name blank", lambda w: {"name": ""}, "name", BLANK),
    # PostgreSQL refuses NUL in text outright, so it must never reach the database.
    Case("name with NUL", lambda w: {"name": "Deals\x00won"}, "name", NUL_CHARACTERS),
    Case("unit too long", lambda w: {"unit": "x" * 41}, "unit",
         TOO_LONG.format(max_length=40)),
    Case("owner unknown", lambda w: {"owner": UNKNOWN}, "owner",
         DOES_NOT_EXIST.format(pk_value=UNKNOWN)),
    Case("owner 2**70", lambda w: {"owner": HUGE}, "owner",
         DOES_NOT_EXIST.format(pk_value=HUGE)),
    Case("owner without a role", lambda w: {"owner": w.people.outsider.pk}, "owner",
         lambda w: OWNER_CANNOT_SEE_UNIT.format(user=w.people.outsider,
                                                unit=w.org.north_sales)),
    Case("rolls up to unknown", lambda w: {"rolls_up_to": UNKNOWN}, "rolls_up_to",
         DOES_NOT_EXIST.format(pk_value=UNKNOWN)),
    Case("rolls up to 2**70", lambda w: {"rolls_up_to": HUGE}, "rolls_up_to",
         DOES_NOT_EXIST.format(pk_value=HUGE)),
    Case("rolls up to another branch", lambda w: {"rolls_up_to": w.south_revenue.pk},
         "rolls_up_to", lambda w: ROLLUP_PARENT_NOT_ANCESTOR.format(unit=w.org.south,
                                                                    own=w.org.north_sales)),
    Case("rolls up within its unit", lambda w: {"rolls_up_to": w.regional_revenue.pk},
         "rolls_up_to", lambda w: ROLLUP_PARENT_NOT_ANCESTOR.format(unit=w.org.north_sales,
                                                                    own=w.org.north_sales)),
    Case("rolls up to an entered KPI", lambda w: {"rolls_up_to": w.north_headcount.pk,
                                                  "unit": "count"},
         "rolls_up_to", ROLLUP_PARENT_NOT_ROLLUP),
    Case("rolls up in another unit of measure", lambda w: {"rolls_up_to": w.north_revenue.pk,
                                                           "unit": "EUR"},
         "rolls_up_to", ROLLUP_UNIT_MISMATCH.format(own="EUR", parent="USD")),
]  # fmt: skip


@pytest.mark.parametrize("case", CREATE_CASES, ids=ids(CREATE_CASES))
def test_it_refuses_a_bad_new_kpi(admin, world, case):
    send_bad_input(
        lambda payload: admin.post("/api/kpis/", payload, format="json"),
        world,
        new_kpi(world),
        case,
    )


def test_it_creates_the_kpi_the_bad_cases_start_from(admin, world):
    payload = {**new_kpi(world), "rolls_up_to": world.north_revenue.pk}

    response = admin.post("/api/kpis/", payload, format="json")

    assert response.status_code == 201, response.json()
    assert KPI.objects.get(pk=response.json()["id"]).rolls_up_to == world.north_revenue


UPDATE_CASES = [
    Case("direction sideways", lambda w: {"direction": "sideways"}, "direction",
         NOT_A_CHOICE.format(input="sideways")),
    Case("tolerance 0", lambda w: {"tolerance_pct": 0}, "tolerance_pct",
         TOLERANCE_NOT_POSITIVE),
    Case("tolerance x", lambda w: {"tolerance_pct": "x"}, "tolerance_pct", NOT_A_NUMBER),
    Case("weight negative", lambda w: {"weight": -2}, "weight", WEIGHT_NEGATIVE),
    Case("roll-up without a method", lambda w: {"source": "rollup"}, "rollup_method",
         ROLLUP_NEEDS_METHOD),
    Case("method on an entered KPI", lambda w: {"rollup_method": "max"}, "rollup_method",
         ROLLUP_METHOD_ONLY_FOR_ROLLUPS),
    Case("rollup method median", lambda w: {"rollup_method": "median"}, "rollup_method",
         NOT_A_CHOICE.format(input="median")),
    Case("rolls up to itself", lambda w: {"rolls_up_to": w.regional_revenue.pk},
         "rolls_up_to", lambda w: ROLLUP_PARENT_NOT_ANCESTOR.format(unit=w.org.north_sales,
                                                                    own=w.org.north_sales)),
    Case("unit no longer matches its roll-up", lambda w: {"unit": "EUR",
                                                          "rolls_up_to": w.north_revenue.pk},
         "rolls_up_to", ROLLUP_UNIT_MISMATCH.format(own="EUR", parent="USD")),
    Case("objective 2**70", lambda w: {"objective": HUGE}, "objective",
         DOES_NOT_EXIST.format(pk_value=HUGE)),
    Case("name blank", lambda w: {"name": ""}, "name", BLANK),
    Case("owner without a role", lambda w: {"owner": w.people.outsider.pk}, "owner",
         lambda w: OWNER_CANNOT_SEE_UNIT.format(user=w.people.outsider,
                                                unit=w.org.north_sales)),
]  # fmt: skip


@pytest.mark.parametrize("case", UPDATE_CASES, ids=ids(UPDATE_CASES))
def test_it_refuses_a_bad_change_to_a_kpi(admin, world, case):
    send_bad_input(
        lambda payload: admin.patch(
            f"/api/kpis/{world.regional_revenue.pk}/", payload, format="json"
        ),
        world,
        {},
        case,
    )


def test_it_refuses_a_whole_kpi_without_its_required_fields(admin, world):
    before = database_state()

    response = admin.put(f"/api/kpis/{world.regional_revenue.pk}/", {}, format="json")

    assert response.status_code == 400
    assert response.json() == {"objective": [REQUIRED], "name": [REQUIRED]}
    assert database_state() == before


@pytest.mark.parametrize("pk", [UNKNOWN, HUGE])
@pytest.mark.parametrize("method", ["get", "patch", "put"])
def test_it_answers_404_for_a_kpi_url_naming_an_unknown_row(admin, world, method, pk):
    before = database_state()

    response = getattr(admin, method)(f"/api/kpis/{pk}/", {}, format="json")

    assert response.status_code == 404
    assert database_state() == before
