"""The ids of the data connections' forms and serializers (issue 16), tried as
test_foreign_ids tries every other: that module's survey finds them and requires them mapped
here; the cases run through its `try_case`.

The demo's one import belongs to Northwind Group, which Daniel (who manages Sales) may not
see; its connection is one every manager may pick by name (URL and secret stay with the
administrators), so a connection id is foreign only to a person who manages nothing, such as
Noah (who owns KPIs of Sales)."""

import json
from typing import Any

import pytest
from django.urls import reverse

from demo.data_connection import MAPPING, QUERY
from tests.scorecard.test_foreign_ids import (
    FOREIGN_PERSON,
    FOREIGN_UNIT,
    Case,
    World,
    api,
    person,
    post_page,
    try_case,
)


def import_fields(w: World, persona: str = "daniel", **overrides: Any) -> dict:
    return {
        "name": "Sales desk actuals", "connection": w.demo_connection.pk,
        "org_unit": w.sales.pk, "owner": person(persona).pk, "query": QUERY,
        "mapping": MAPPING, "schedule": "", "enabled": True,
    } | overrides  # fmt: skip


def import_form(w: World, **overrides: Any) -> dict:
    """As the import page posts it: the mapping as JSON text, `enabled` as a ticked box."""
    data = import_fields(w, **overrides)
    return data | {"mapping": json.dumps(data["mapping"]), "enabled": "on"}


IMPORT_NEW = lambda w: reverse("connections:import_new")  # noqa: E731
IMPORTS = lambda w: "/api/imports/"  # noqa: E731

C = "connections."
CASES: dict[str, Case] = {
    C + "forms.ImportForm.org_unit": Case(
        post_page(IMPORT_NEW, lambda w, pk: import_form(w, org_unit=pk)), FOREIGN_UNIT
    ),
    C + "forms.ImportForm.owner": Case(
        post_page(IMPORT_NEW, lambda w, pk: import_form(w, owner=pk)),
        FOREIGN_PERSON,
        note="issue 16: the service's refusal named the foreign person's unit as not theirs",
    ),
    C + "api.ImportSerializer.org_unit": Case(
        api("post", IMPORTS, lambda w, pk: import_fields(w, org_unit=pk)), FOREIGN_UNIT
    ),
    C + "api.ImportSerializer.owner": Case(
        api("post", IMPORTS, lambda w, pk: import_fields(w, owner=pk)),
        FOREIGN_PERSON,
        note="issue 16: the service's refusal named the foreign person's unit as not theirs",
    ),
    C + "api.ImportSerializer.connection": Case(
        api(
            "post",
            IMPORTS,
            lambda w, pk: import_fields(w, "noah", connection=pk),
            persona="noah",
        ),
        lambda w: w.demo_connection,
        persona="noah",
        note="as Noah, who manages no unit: every manager may pick every connection",
    ),
}

EXCEPTIONS: dict[str, str] = {
    C + "forms.ImportForm.connection": (
        "the import pages refuse (403) anyone who manages no unit before they read a form, "
        "and a manager may pick every connection (by name): no connection id is foreign to "
        "a person whose form is read"
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_foreign_id_is_answered_like_an_unknown_one(demo, name):
    try_case(name, CASES[name])
