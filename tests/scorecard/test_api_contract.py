"""The API's contract: paths, fields, methods, authentication, pagination and the schema.

The contract is the issue's table; the paths and field names are promised to API clients, so
these tests compare sets exactly: a field or a method more is as much a break as one less.

    Acme (enterprise)            executive: viewer · manager: manager · admin: superuser
    ├── North (division)         north_manager: manager
    │   └── North Sales (team)   owner: owner (owns the team's KPI)
    └── South (division)
        └── South Ops (team)     south_team_manager: manager
    outsider: signed in, no role anywhere
"""

import json
import re
from dataclasses import dataclass

import pytest
import yaml
from django.contrib.auth import get_user_model
from drf_spectacular.drainage import get_override
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from scorecard.api_support import PeriodKeyField
from scorecard.fiscal import MONTH_PATTERN, PERIOD_PATTERN, YEAR_PATTERN
from scorecard.models import Membership
from scorecard.pagination import Pagination
from strategy import services as strategy_services
from strategy.models import Objective
from tests.factories import org_unit

CONTRACT_FIELDS = {
    "org-units": {"id", "name", "slug", "kind", "parent"},
    "memberships": {"id", "user", "org_unit", "role"},
    "perspectives": {"id", "name", "order", "color", "description", "archived"},
    "scorecards": {"id", "org_unit", "title"},
    "objectives": {
        "id", "scorecard", "perspective", "code", "title", "description", "owner", "weight",
        "supports",
    },
    "kpis": {
        "id", "objective", "name", "unit", "direction", "indicator_type", "owner", "weight",
        "tolerance_pct", "source", "rolls_up_to", "rollup_method", "missing_children",
        # Issue 15, measures as published.
        "code", "description", "data_source", "decimals", "baseline",
        "formula", "missing_values",
        "target_type", "levels", "frequency", "time_aggregation",
    },
    "links": {"id", "scorecard", "source", "target", "note"},
    "targets": {"id", "kpi", "period", "value", "value_high", "red_flag", "red_flag_high"},
    # What an administrator reads; others read people without "email".
    "users": {"id", "username", "name", "email"},
}  # fmt: skip
CONTRACT_ACTIONS = {
    "org-units": {"list", "create", "retrieve", "update"},
    "memberships": {"list", "create", "delete"},
    "perspectives": {"list", "create", "retrieve", "update"},
    "scorecards": {"list", "create", "retrieve", "update"},
    "objectives": {"list", "create", "retrieve", "update"},
    "kpis": {"list", "create", "retrieve", "update"},
    "links": {"list", "create", "delete"},
    "targets": {"list", "retrieve"},
    "users": {"list", "create", "retrieve"},
}
# Each action of the contract is these HTTP methods on the list or the detail path.
ACTION_METHODS = {
    "list": ("list", "get"),
    "create": ("list", "post"),
    "retrieve": ("detail", "get"),
    "update": ("detail", "put"),
    "partial_update": ("detail", "patch"),
    "delete": ("detail", "delete"),
}
CONTRACT_ENUMS = {
    ("memberships", "role"): {"manager", "owner", "viewer"},
    ("kpis", "direction"): {"up", "down"},
    ("kpis", "indicator_type"): {"leading", "lagging"},
    ("kpis", "source"): {"manual", "rollup", "formula"},
    ("kpis", "rollup_method"): {"sum", "average", "min", "max", "weighted_average", None},
    ("kpis", "missing_children"): {"require_all", "ignore", "zero", None},
    ("kpis", "missing_values"): {"blank", "zero"},
    ("kpis", "target_type"): {
        "at_least",
        "at_most",
        "more_than",
        "less_than",
        "band",
        "milestone",
        "ordinal",
        "track",
    },
}
ENDPOINTS = sorted(CONTRACT_FIELDS)
ME_FIELDS = {"id", "username"}
SETTINGS_FIELDS = {"fiscal_start_month", "reminder_lead_days", "grace_days", "red_needs_comment",
                   "red_drafts_action", "extra_action_verbs", "unit_kinds"}  # fmt: skip


def contract_methods(endpoint: str) -> dict[str, set[str]]:
    """The HTTP methods the contract promises on the endpoint's list and detail paths."""
    actions = set(CONTRACT_ACTIONS[endpoint])
    if "update" in actions:
        actions.add("partial_update")
    methods: dict[str, set[str]] = {"list": set(), "detail": set()}
    for action in actions:
        path_kind, method = ACTION_METHODS[action]
        methods[path_kind].add(method)
    return methods


@dataclass
class Data:
    """One row of every kind, so every list has something to show."""

    ids: dict[str, int]
    unit_without_scorecard: object


@pytest.fixture
def data(org, people, financial, customer, north_sales_kpi) -> Data:
    scorecard = org.north_sales.scorecard
    grow = north_sales_kpi.objective
    win = strategy_services.objective_create(
        scorecard=scorecard, perspective=customer, title="Win new customers"
    )
    link = strategy_services.link_create(scorecard=scorecard, source=win, target=grow)
    membership = Membership.objects.get(user=people.owner, org_unit=org.north_sales)
    return Data(
        ids={
            "org-units": org.north_sales.pk,
            "memberships": membership.pk,
            "perspectives": financial.pk,
            "scorecards": scorecard.pk,
            "objectives": grow.pk,
            "kpis": north_sales_kpi.pk,
            "links": link.pk,
            "targets": north_sales_kpi.targets.get().pk,
            "users": people.owner.pk,
        },
        unit_without_scorecard=org_unit("North Sales East", "team", org.north_sales,
                                        with_scorecard=False),
    )  # fmt: skip


@pytest.fixture
def admin_client(people) -> APIClient:
    client = APIClient()
    client.force_login(people.admin)
    return client


def list_url(endpoint: str) -> str:
    return f"/api/{endpoint}/"


def detail_url(endpoint: str, pk: int) -> str:
    return f"/api/{endpoint}/{pk}/"


# Fields: every representation carries exactly the contract's names.


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_lists_exactly_the_contract_fields(admin_client, data, endpoint):
    response = admin_client.get(list_url(endpoint))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows
    for row in rows:
        assert set(row) == CONTRACT_FIELDS[endpoint]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_lists_with_the_pagination_envelope(admin_client, data, endpoint):
    response = admin_client.get(list_url(endpoint))

    assert set(response.json()) == {"count", "next", "previous", "results"}


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if "retrieve" in CONTRACT_ACTIONS[e]])
def test_it_retrieves_exactly_the_contract_fields(admin_client, data, endpoint):
    response = admin_client.get(detail_url(endpoint, data.ids[endpoint]))

    assert response.status_code == 200
    assert set(response.json()) == CONTRACT_FIELDS[endpoint]
    assert response.json()["id"] == data.ids[endpoint]


def creation_payload(endpoint: str, org, people, data: Data, customer) -> dict:
    north_sales = org.north_sales
    objective_id = data.ids["objectives"]
    return {
        "org-units": {"name": "North Sales West", "kind": "team", "parent": north_sales.pk},
        "perspectives": {"name": "Community", "color": "#0f766e"},
        "users": {"name": "Ada Lovelace", "email": "ada@city.example"},
        "memberships": {"user": people.outsider.pk, "org_unit": north_sales.pk, "role": "viewer"},
        "scorecards": {"org_unit": data.unit_without_scorecard.pk, "title": "East scorecard"},
        "objectives": {
            "scorecard": north_sales.scorecard.pk,
            "perspective": customer.pk,
            "title": "Keep customers longer",
        },
        "kpis": {"objective": objective_id, "name": "Deals won", "unit": "count"},
        "links": {
            "scorecard": north_sales.scorecard.pk,
            "source": objective_id,
            "target": strategy_services.objective_create(
                scorecard=north_sales.scorecard, perspective=customer, title="Delight buyers"
            ).pk,
        },
    }[endpoint]


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if "create" in CONTRACT_ACTIONS[e]])
def test_it_creates_and_answers_exactly_the_contract_fields(
    admin_client, org, people, data, customer, endpoint
):
    payload = creation_payload(endpoint, org, people, data, customer)

    response = admin_client.post(list_url(endpoint), payload, format="json")

    assert response.status_code == 201, response.json()
    assert set(response.json()) == CONTRACT_FIELDS[endpoint]
    for name, value in payload.items():
        assert response.json()[name] == value


UPDATES = {
    "org-units": {"name": "North Sales & Service"},
    "perspectives": {"name": "Money", "color": "#1d4ed8"},
    "scorecards": {"title": "North Sales 2026"},
    "objectives": {"title": "Grow regional revenue faster", "weight": "2.0000"},
    # at_least follows the direction to at_most (DESIGN.md section 4, "Target types").
    "kpis": {"direction": "down", "target_type": "at_most", "tolerance_pct": "5.000"},
}


@pytest.mark.parametrize("endpoint", sorted(UPDATES))
def test_it_updates_partially_and_answers_exactly_the_contract_fields(admin_client, data, endpoint):
    response = admin_client.patch(
        detail_url(endpoint, data.ids[endpoint]), UPDATES[endpoint], format="json"
    )

    assert response.status_code == 200, response.json()
    assert set(response.json()) == CONTRACT_FIELDS[endpoint]
    for name, value in UPDATES[endpoint].items():
        assert response.json()[name] == value


@pytest.mark.parametrize("endpoint", sorted(UPDATES))
def test_it_updates_wholly_with_put(admin_client, data, endpoint):
    url = detail_url(endpoint, data.ids[endpoint])
    current = admin_client.get(url).json()
    del current["id"]

    response = admin_client.put(url, {**current, **UPDATES[endpoint]}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json() == {"id": data.ids[endpoint], **current, **UPDATES[endpoint]}


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if "delete" in CONTRACT_ACTIONS[e]])
def test_it_deletes_where_the_contract_allows(admin_client, data, endpoint):
    url = detail_url(endpoint, data.ids[endpoint])

    response = admin_client.delete(url)

    assert response.status_code == 204
    ids = [row["id"] for row in admin_client.get(list_url(endpoint)).json()["results"]]
    assert data.ids[endpoint] not in ids


# Methods: what the contract does not list is answered 405.

METHODS_OUTSIDE_THE_CONTRACT = [
    (endpoint, path_kind, method)
    for endpoint in ENDPOINTS
    for path_kind in ("list", "detail")
    for method in ("get", "post", "put", "patch", "delete")
    if method not in contract_methods(endpoint)[path_kind]
]


@pytest.mark.parametrize(
    ("endpoint", "path_kind", "method"),
    METHODS_OUTSIDE_THE_CONTRACT,
    ids=[f"{m.upper()} {e} {k}" for e, k, m in METHODS_OUTSIDE_THE_CONTRACT],
)
def test_it_answers_405_to_methods_outside_the_contract(
    admin_client, data, endpoint, path_kind, method
):
    url = list_url(endpoint) if path_kind == "list" else detail_url(endpoint, data.ids[endpoint])

    response = getattr(admin_client, method)(url, {}, format="json")

    assert response.status_code == 405


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_answers_405_to_writes_on_me(admin_client, method):
    response = getattr(admin_client, method)("/api/me/", {}, format="json")

    assert response.status_code == 405


# The signed-in person.


def test_it_tells_who_is_signed_in(people):
    client = APIClient()
    client.force_login(people.north_manager)

    response = client.get("/api/me/")

    assert response.status_code == 200
    assert response.json() == {"id": people.north_manager.pk, "username": "north_manager"}


# The organization's settings: one object, no list.


def test_it_reads_and_changes_exactly_the_contract_settings(admin_client):
    read = admin_client.get("/api/settings/")
    changed = admin_client.put("/api/settings/", {**read.json(), "grace_days": 3}, format="json")

    assert set(read.json()) == SETTINGS_FIELDS
    assert changed.status_code == 200, changed.json()
    assert changed.json() == {**read.json(), "grace_days": 3}


@pytest.mark.parametrize("method", ["post", "delete"])
def test_it_answers_405_to_other_methods_on_settings(admin_client, method):
    response = getattr(admin_client, method)("/api/settings/", {}, format="json")

    assert response.status_code == 405


def test_it_describes_the_settings_and_the_reorder(schema):
    settings_path = schema["paths"]["/api/settings/"]
    body = settings_path["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    assert set(settings_path) == {"get", "put", "patch"}
    assert set(resolve(schema, body)["properties"]) == SETTINGS_FIELDS
    assert set(schema["paths"]["/api/perspectives/reorder/"]) == {"post"}


@pytest.mark.parametrize("endpoint", ["actuals", "targets"])
def test_it_describes_the_bulk_refusal_with_every_bad_row(schema, endpoint):
    responses = schema["paths"][f"/api/{endpoint}/bulk/"]["post"]["responses"]
    refusal = resolve(schema, responses["400"]["content"]["application/json"]["schema"])
    entry = resolve(schema, refusal["properties"]["errors"]["items"])

    assert set(refusal["properties"]) == {"errors"}
    assert set(entry["properties"]) == {"index", "fields"}
    assert ("409" in responses) == (endpoint == "actuals")


# Authentication: token and session, and nothing for anonymous callers.


def test_it_authenticates_with_a_token(data, people):
    token = Token.objects.create(user=people.north_manager)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    me = client.get("/api/me/")
    units = client.get("/api/org-units/")

    assert me.json() == {"id": people.north_manager.pk, "username": "north_manager"}
    assert {row["name"] for row in units.json()["results"]} == {"North", "North Sales",
                                                              "North Sales East"}  # fmt: skip


def test_it_writes_with_a_token_without_a_csrf_token(org, people, customer):
    token = Token.objects.create(user=people.north_manager)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.post(
        "/api/objectives/",
        {"scorecard": org.north_sales.scorecard.pk, "perspective": customer.pk,
         "title": "Win new customers"},
        format="json",
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    stored = Objective.objects.get(pk=response.json()["id"])
    assert (stored.scorecard, stored.perspective, stored.title) == (
        org.north_sales.scorecard, customer, "Win new customers"
    )  # fmt: skip


def test_it_refuses_an_unknown_token(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    assert client.get("/api/me/").status_code == 401


def test_it_authenticates_with_a_session(people):
    client = APIClient()
    client.force_login(people.owner)

    response = client.get("/api/org-units/")

    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["North Sales"]


ANONYMOUS_REQUESTS = [("get", "/api/me/")] + [
    (method, list_url(endpoint)) for endpoint in ENDPOINTS for method in ("get", "post")
]


# Token authentication comes first in DEFAULT_AUTHENTICATION_CLASSES, so DRF answers an
# anonymous caller 401 with a `WWW-Authenticate: Token` challenge (a 403 would mean the first
# class had no challenge to send, as with session authentication alone).
@pytest.mark.parametrize(("method", "url"), ANONYMOUS_REQUESTS)
def test_it_refuses_anonymous_callers(data, method, url):
    response = getattr(APIClient(), method)(url, {}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_refuses_anonymous_callers_one_row(data, endpoint):
    response = APIClient().get(detail_url(endpoint, data.ids[endpoint]))

    assert response.status_code == 401


# Pagination: page_size up to 1000.


def test_it_pages_with_a_page_size_of_up_to_1000():
    assert Pagination.page_size_query_param == "page_size"
    assert Pagination.max_page_size == 1000


@pytest.fixture
def many_memberships(org, people):
    """1,001 more memberships than the personas', written in bulk: memberships are the cheapest
    rows to make in quantity (no tree, no services needed to keep them consistent)."""
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"viewer{n:04}") for n in range(1001)
    )
    Membership.objects.bulk_create(
        Membership(user=user, org_unit=org.south_ops, role=Membership.Role.VIEWER) for user in users
    )
    return Membership.objects.count()


def test_it_returns_every_row_when_the_page_size_exceeds_the_count(admin_client, data):
    response = admin_client.get("/api/memberships/?page_size=1000")

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == Membership.objects.count()
    assert len(body["results"]) == body["count"]
    assert body["next"] is None
    assert body["previous"] is None


def test_it_accepts_a_page_size_of_1000(admin_client, many_memberships):
    response = admin_client.get("/api/memberships/?page_size=1000")

    body = response.json()
    assert body["count"] == many_memberships
    assert len(body["results"]) == 1000
    assert body["next"] is not None


def test_it_caps_the_page_size_at_1000(admin_client, many_memberships):
    response = admin_client.get("/api/memberships/?page_size=5000")

    body = response.json()
    assert body["count"] == many_memberships
    assert len(body["results"]) == 1000
    second = admin_client.get(body["next"]).json()
    assert len(second["results"]) == many_memberships - 1000
    assert second["previous"] is not None


def test_it_pages_50_rows_by_default(admin_client, many_memberships):
    response = admin_client.get("/api/memberships/")

    assert len(response.json()["results"]) == 50


# The OpenAPI schema and its docs.


@pytest.fixture
def schema(admin_client) -> dict:
    response = admin_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def component_of_list(schema: dict, endpoint: str) -> dict:
    response = schema["paths"][list_url(endpoint)]["get"]["responses"]["200"]
    page = resolve(schema, response["content"]["application/json"]["schema"])
    return resolve(schema, page["properties"]["results"]["items"])


def test_it_serves_the_schema_as_yaml_by_default(admin_client, schema):
    response = admin_client.get("/api/schema/")

    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    assert document["paths"].keys() == schema["paths"].keys()


def test_it_describes_every_contract_path(schema):
    # Other issues add endpoints of their own (scores, bulk targets...), so this contract's
    # paths are a part of the schema, not all of it.
    expected = {"/api/me/"}
    for endpoint in ENDPOINTS:
        expected.add(list_url(endpoint))
        if contract_methods(endpoint)["detail"]:
            expected.add(f"/api/{endpoint}/{{id}}/")

    assert expected <= set(schema["paths"])


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_describes_exactly_the_contract_methods(schema, endpoint):
    methods = contract_methods(endpoint)

    assert set(schema["paths"][list_url(endpoint)]) == methods["list"]
    detail = schema["paths"].get(f"/api/{endpoint}/{{id}}/", {})
    assert set(detail) == methods["detail"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_describes_the_contract_fields_in_each_component(schema, endpoint):
    component = component_of_list(schema, endpoint)

    assert set(component["properties"]) == CONTRACT_FIELDS[endpoint]


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if "create" in CONTRACT_ACTIONS[e]])
def test_it_describes_the_contract_fields_in_each_request_body(schema, endpoint):
    body = schema["paths"][list_url(endpoint)]["post"]["requestBody"]["content"]
    component = resolve(schema, body["application/json"]["schema"])

    assert set(component["properties"]) == CONTRACT_FIELDS[endpoint]


def enum_values(schema: dict, node: dict) -> set:
    node = resolve(schema, node)
    values = set(node.get("enum", []))
    for option in node.get("oneOf", []) + node.get("allOf", []):
        values |= enum_values(schema, option)
    if node.get("nullable"):
        values.add(None)
    return values


@pytest.mark.parametrize(("endpoint", "field"), sorted(CONTRACT_ENUMS))
def test_it_describes_exactly_the_contract_choices(schema, endpoint, field):
    component = component_of_list(schema, endpoint)

    assert enum_values(schema, component["properties"][field]) == CONTRACT_ENUMS[endpoint, field]


def test_it_describes_supports_as_a_list_of_objective_ids(schema):
    supports = component_of_list(schema, "objectives")["properties"]["supports"]

    assert supports["type"] == "array"
    assert supports["items"]["type"] == "integer"


def test_it_describes_me(schema):
    response = schema["paths"]["/api/me/"]["get"]["responses"]["200"]
    component = resolve(schema, response["content"]["application/json"]["schema"])

    assert set(component["properties"]) == ME_FIELDS


def test_it_serves_the_api_docs_as_html(admin_client):
    response = admin_client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    # Swagger UI comes from our static files, and its start-up script from this same URL (the
    # CSP allows no inline script); that script points it at the schema.
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in response.content
    script = admin_client.get("/api/docs/?script=")
    assert b"/api/schema/" in script.content


def test_the_api_docs_have_a_way_back_to_the_app(admin_client):
    page = admin_client.get("/api/docs/").content.decode()

    assert '<a href="/">← Back to Sightline</a>' in page
    assert page.index("Back to Sightline") < page.index('id="swagger-ui"')


@pytest.mark.parametrize(
    ("key", "accepted"),
    [("2026-03", True), ("FY2026-Q3", True), ("fy2026 q3", True), ("FY2026", True),
     ("2026-13", False), ("FY2026-Q5", False), ("2026", False)],
)  # fmt: skip
def test_the_schema_describes_period_keys_of_every_grain(key, accepted):
    """The schema's pattern for a period says what the API reads (scorecard/fiscal.py)."""
    pattern = get_override(PeriodKeyField, "field")["pattern"]
    reads = any(p.fullmatch(key) for p in (MONTH_PATTERN, PERIOD_PATTERN, YEAR_PATTERN))
    assert bool(re.fullmatch(pattern, key)) is reads is accepted
