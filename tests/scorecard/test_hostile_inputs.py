"""No input answers a 5xx, and no read writes (issue 14, "What to build" 5 and "Done when").

Every GET route of the URLconf (discovered from `get_resolver()`, so a new page or endpoint is
covered the day it is added; path parameters filled with real ids of the demo organization) is
asked, as the outsider (signed in, no role) and as the demo's owner, with every query parameter
that any page or endpoint reads set to each value of a hostile catalogue. Nothing may answer
5xx (nor raise), and no table may gain or lose a row: reads never create a period (issue 13),
and a refused write changes nothing.

The parameter names are those of the API schema, of every page's query form
(`scorecard.page_support.QueryForm`) and any `request.GET.get("name")` left in the sources.
"""

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from connections.models import Connection, Import, ImportRun
from kpis.models import KPI, ImportJob
from reviews.forms import ActionFilterForm
from reviews.models import ActionItem, Finding, Initiative, Milestone, Notification, Review
from scorecard.models import Membership, Perspective
from scorecard.page_support import QueryForm
from strategy.models import CausalLink
from tests.factories import UserFactory

PROJECT = Path(__file__).resolve().parents[2]
APPS = ["scorecard", "strategy", "kpis", "reviews", "dashboards", "demo"]
BUILT = dt.datetime(2026, 11, 16, 12, 0, tzinfo=dt.UTC)  # mid-Q4 of FY2026

HOSTILE = {
    "far future quarter": "FY9999-Q4",
    "far past quarter": "FY1900-Q1",
    "text": "abc",
    "NUL": "\x00",
    "NUL in a word": "FY2026\x00-Q1",
    "decimal": "1.5",
    "negative": "-1",
    "huge": str(2**70),
    "very long": "9" * 10_000,
    "unicode digits": "\uff11\uff12\uff13",
    "superscript digit": "\u00b2",
    "right-to-left override": "\u202e1-Q6202YF",
    "brackets": "[]",
    "repeated": ["1", "abc", "\x00"],
}

# Routes this module leaves to their owners' own tests, each for a reason.
SKIPPED = {
    # The admin answers only staff, who are neither persona here.
    "admin/",
}

# Which stored object fills a route's `pk`, by the route's name (API names end -detail etc.).
PK_OF = {
    "org-unit": lambda ids: ids["unit"].pk,
    "membership": lambda ids: Membership.objects.filter(org_unit=ids["unit"]).first().pk,
    "perspective": lambda ids: Perspective.objects.first().pk,
    "scorecard": lambda ids: ids["scorecard"].pk,
    "api-scorecard": lambda ids: ids["scorecard"].pk,
    "objective": lambda ids: ids["kpi"].objective_id,
    "kpi": lambda ids: ids["kpi"].pk,
    "link": lambda ids: ids["link"],
    "review": lambda ids: ids["review"],
    "finding": lambda ids: ids["finding"],
    "initiative": lambda ids: ids["initiative"],
    "milestone": lambda ids: ids["milestone"],
    "action": lambda ids: ids["action"],
    "notification": lambda ids: ids["notification"],
    "actual": lambda ids: ids["actual"],
    "target": lambda ids: ids["target"],
    "user": lambda ids: ids["kpi"].owner_id,
    # The settings pages' person (scorecard:person_roles).
    "person": lambda ids: ids["kpi"].owner_id,
    "connection": lambda ids: ids["connection"],
    "import": lambda ids: ids["import"],
}


def first_pk(queryset, default: int = 999_999) -> int:
    """An object's id, or an id nobody has (which must answer as any unknown one does)."""
    found = queryset.values_list("pk", flat=True).first()
    return default if found is None else found


def demo_ids(owner) -> dict:
    kpi = KPI.objects.filter(owner=owner).select_related("objective__scorecard__org_unit").first()
    scorecard = kpi.objective.scorecard
    return {
        "kpi": kpi,
        "scorecard": scorecard,
        "unit": scorecard.org_unit,
        "link": first_pk(CausalLink.objects.filter(scorecard=scorecard)),
        "review": first_pk(Review.objects.filter(scorecard=scorecard)),
        "finding": first_pk(Finding.objects.filter(review__scorecard=scorecard)),
        "initiative": first_pk(Initiative.objects.filter(scorecard=scorecard)),
        "milestone": first_pk(Milestone.objects.filter(initiative__scorecard=scorecard)),
        "action": first_pk(ActionItem.objects.filter(scorecard=scorecard)),
        "notification": first_pk(Notification.objects.filter(recipient=owner)),
        "actual": first_pk(kpi.actuals.all()),
        "target": first_pk(kpi.targets.all()),
        "job": first_pk(ImportJob.objects.all()),
        "connection": first_pk(Connection.objects.all()),
        "import": first_pk(Import.objects.all()),
        "run": first_pk(ImportRun.objects.all()),
    }


def walk(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        else:
            yield route, pattern


def get_routes() -> list[tuple[str, str]]:
    """(route, name) of every route, once each (the editor is mounted under two namespaces),
    without the `.json`-style format suffixes (the same views)."""
    seen: dict[str, str] = {}
    for route, pattern in walk(get_resolver().url_patterns):
        if "format" in route or any(route.startswith(skipped) for skipped in SKIPPED):
            continue
        seen.setdefault(route, pattern.name or "")
    return sorted(seen.items())


def fill(route: str, name: str, ids: dict) -> str:
    """The route with its parameters filled with demo ids; fails on a parameter it does not
    know, so that a new kind of route gets its ids here rather than going untried."""
    values = {
        "slug": ids["unit"].slug,
        "kpi_id": ids["kpi"].pk,
        "objective_id": ids["kpi"].objective_id,
        "subject_type": "kpi",
        "subject_id": ids["kpi"].pk,
        "kind": "kpi",
        "item_id": ids["kpi"].pk,
        "link_id": ids["link"],
        "job_id": ids["job"],
        "actual_id": ids["actual"],
        "run_id": ids["run"],
        # The mailed link to set a password: a token nobody was given.
        "uidb64": "MQ",
        "token": "set-password",
    }

    def value(match: re.Match) -> str:
        parameter = match.group("name")
        if parameter == "pk":
            resource = name.rsplit("-", 1)[0] if "-" in name else name.split("_", 1)[0]
            return str(PK_OF[resource](ids))
        assert parameter in values, f"{route}: no demo value for <{parameter}>; add one"
        return str(values[parameter])

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", value, route)
    path = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", value, path)
    return "/" + path.lstrip("^").rstrip("$")


def parameter_names() -> list[str]:
    names = set()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for operations in schema["paths"].values():
        for operation in operations.values():
            names |= {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    for form in all_subclasses(QueryForm):
        names |= set(form.base_fields)
    names |= set(ActionFilterForm.base_fields)
    for app in APPS:
        for source in (PROJECT / app).rglob("*.py"):
            names |= set(re.findall(r"GET\.get\(\s*\"(\w+)\"", source.read_text()))
    return sorted(names)


def all_subclasses(cls) -> set[type]:
    found = set(cls.__subclasses__())
    return found.union(*(all_subclasses(sub) for sub in found)) if found else found


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    with (
        time_machine.travel(BUILT, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO())
        UserFactory(username="outsider")
        yield
        transaction.set_rollback(True)


@pytest.fixture
def clock():
    with time_machine.travel(BUILT, tick=False):
        yield


def client_of(username: str) -> Client:
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


@contextmanager
def keys_read() -> Iterator[set[str]]:
    """The query parameters a request reads, whichever way (`get`, `[]`, `getlist`, `in`):
    the view's typed form, a filter set and a paginator all read through these."""
    read: set[str] = set()
    originals = {name: getattr(QueryDict, name) for name in RECORDED}

    def recording(name):
        def method(self, key, *args, **kwargs):
            read.add(key)
            return originals[name](self, key, *args, **kwargs)

        return method

    for name in RECORDED:
        setattr(QueryDict, name, recording(name))
    try:
        yield read
    finally:
        for name, original in originals.items():
            setattr(QueryDict, name, original)


RECORDED = ["get", "__getitem__", "getlist", "__contains__"]
ROUTES = get_routes()


HTMX = {"headers": {"HX-Request": "true"}}


def attempts(client: Client, url: str, names: list[str]) -> Iterator[tuple[str, dict, dict]]:
    """Each hostile value in every parameter at once (as a page and as its htmx fragment),
    then in each parameter the page reads on its own (at once, an early refusal of one would
    hide how the others are read)."""
    with keys_read() as read:
        page = client.get(url)
    # A fragment exists only for a page (not for a PDF, an SVG or the API).
    variants = [HTMX] if page["Content-Type"].startswith("text/html") else []
    for extra in variants:
        with keys_read() as keys:
            client.get(url, **extra)
        read |= keys
    for label, hostile in HOSTILE.items():
        everything = dict.fromkeys(names, hostile)
        yield f"every parameter {label}", everything, {}
        for extra in variants:
            yield f"every parameter {label}, htmx", everything, extra
        for key in sorted(read & set(names)):
            yield f"{key} {label}", {key: hostile}, {}


@pytest.mark.parametrize("persona", ["outsider", "owner"])
@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[route for route, _ in ROUTES])
def test_it_answers_every_hostile_query_without_5xx_or_a_new_row(
    demo_world, db, clock, persona, route, name
):
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.get(username="owner")
    url = fill(route, name, demo_ids(owner))
    client = client_of(persona)
    before = row_counts()
    failures = []
    for label, query, extra in attempts(client, url, parameter_names()):
        try:
            response = client.get(url, query, **extra)
        except Exception as error:  # every failure is listed below, not just the first
            failures.append(f"{label}: raised {error!r}"[:300])
            continue
        if response.status_code >= 500:
            failures.append(f"{label}: {response.status_code}")
    assert failures == [], url
    assert row_counts() == before, url


def test_it_tries_the_pages_and_endpoints_that_take_parameters():
    """The discovery finds what the issue's attacker tried (a guard against a silent skip)."""
    routes = {route for route, _ in ROUTES}
    for expected in ["units/<slug:slug>/", "dashboard/", "units/<slug:slug>/map/",
                     "units/<slug:slug>/kpis/<int:kpi_id>/", "api/^scores/$",
                     "units/<slug:slug>/edit/targets/", "api/dashboard/"]:  # fmt: skip
        assert expected in routes
    names = parameter_names()
    for expected in ["period", "root", "perspective", "status", "open", "year", "page"]:
        assert expected in names


# Refused writes (finding 2 of issue 14): a refused bulk row, import row or grid row creates
# no period, nor any other row. FY2015 Q2 is inside the data window but was never written
# into by the demo; FY2101 Q1 is outside the window.
UNOPENED = "FY2015-Q2"
OUTSIDE = "FY2101-Q1"


def refused_rows(owner) -> list[dict]:
    own = KPI.objects.filter(owner=owner, source="manual").first()
    foreign = KPI.objects.exclude(objective__scorecard__org_unit__memberships__user=owner).first()
    return [
        {"kpi": own.pk, "period": UNOPENED, "value": "lots"},
        {"kpi": own.pk, "period": OUTSIDE, "value": "1"},
        {"kpi": foreign.pk, "period": UNOPENED, "value": "1"},
        {"kpi": own.pk, "period": UNOPENED, "value": "1e999"},
    ]


@pytest.mark.parametrize("persona", ["outsider", "owner"])
@pytest.mark.parametrize("endpoint", ["/api/actuals/bulk/", "/api/targets/bulk/"])
def test_a_refused_bulk_row_creates_no_row(demo_world, db, clock, persona, endpoint):
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.get(username="owner")
    client = client_of(persona)
    before = row_counts()
    for row in refused_rows(owner):
        # Each refused row alone, then behind a row that would be kept.
        good = {"kpi": row["kpi"], "period": "FY2026-Q3", "value": "1"}
        for body in ([row], [good, row]):
            response = client.post(endpoint, body, content_type="application/json")
            assert response.status_code in (400, 403, 404), (body, response.content)
    assert row_counts() == before


@pytest.mark.parametrize("persona", ["outsider", "owner"])
def test_a_refused_import_row_creates_no_row(demo_world, db, clock, persona):
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    owner = get_user_model().objects.get(username="owner")
    lines = ["kpi,period,value,comment"]
    lines += [f"{row['kpi']},{row['period']},{row['value']}," for row in refused_rows(owner)]
    lines += [f"{refused_rows(owner)[0]['kpi']},FY9999-Q4,1,", "abc,\x00,1.5,"]
    client = client_of(persona)
    before = row_counts()

    upload = SimpleUploadedFile("a.csv", "\n".join(lines).encode(), content_type="text/csv")
    preview = client.post("/my-updates/import/", {"file": upload})
    confirm = client.post("/my-updates/import/confirm/")

    assert preview.status_code < 500
    assert confirm.status_code < 500
    assert row_counts() == before


def test_a_refused_grid_row_creates_no_row(demo_world, db, clock):
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.get(username="owner")
    own = KPI.objects.filter(owner=owner, source="manual").first()
    client = client_of("owner")
    before = row_counts()

    for value in ["lots", "\x00", str(2**70), "\uff11"]:
        response = client.post(f"/my-updates/grid/?period={UNOPENED}", {f"value-{own.pk}": value})
        assert response.status_code < 500
    response = client.post(f"/my-updates/grid/?period={OUTSIDE}", {f"value-{own.pk}": "1"})

    assert response.status_code == 400
    assert row_counts() == before
