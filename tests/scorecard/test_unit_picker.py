"""The unit picker (issue 18): a few units at a time, named like the text typed, only those
the person may see, each linking to its page with the period kept; bad input is refused
with a reason, never a server error; one query for the units whatever the tree's size."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scorecard.models import OrgUnit
from scorecard.views import PICKER_BAD_TEXT, PICKER_TOO_LONG, PICKER_UNKNOWN_PAGE
from tests.factories import org_unit

pytestmark = pytest.mark.django_db

PICKER = reverse("scorecard:unit_picker")


def picked(response) -> list[str]:
    return [choice.unit.slug for choice in response.context["choices"]]


def ask(client, user, **params):
    client.force_login(user)
    return client.get(PICKER, params, headers={"HX-Request": "true"})


def test_it_offers_the_units_named_like_the_text_that_the_person_may_see(client, org, people):
    # The North manager sees North and North Sales, not South nor the enterprise above.
    response = ask(client, people.north_manager, q="nor")

    assert response.status_code == 200
    assert picked(response) == ["north", "north-sales"]
    assert "South" not in response.content.decode()


def test_it_offers_the_whole_tree_to_a_manager_of_the_top(client, org, people):
    response = ask(client, people.manager, q="o")

    assert set(picked(response)) == {"north", "north-sales", "south", "south-ops"}


def test_it_puts_names_that_start_with_the_text_first(client, org, people):
    response = ask(client, people.manager, q="s")

    assert picked(response)[:2] == ["south", "south-ops"]  # then North Sales


def test_it_offers_an_outsider_nothing(client, org, people):
    response = ask(client, people.outsider, q="north")

    assert response.status_code == 200
    assert picked(response) == []
    assert "No unit you may see is named like “north”." in response.content.decode()


def test_it_offers_nothing_to_an_outsider_who_types_nothing(client, org, people):
    assert picked(ask(client, people.outsider, q="")) == []


def test_without_text_it_offers_the_top_of_what_one_may_see_in_tree_order(client, org, people):
    assert picked(ask(client, people.north_manager, q="")) == ["north", "north-sales"]


def test_it_links_to_the_unit_s_scorecard_with_the_period_kept(client, org, people):
    response = ask(client, people.owner, q="sales", period="FY2026-Q1")

    page = response.content.decode()
    address = reverse("scorecard:scorecard", args=["north-sales"]) + "?period=FY2026-Q1"
    assert f'href="{address}"' in page


def test_it_links_to_the_unit_s_dashboard_when_asked_from_the_dashboard(client, org, people):
    response = ask(client, people.owner, q="sales", to="dashboard", period="2026-03")

    address = reverse("dashboard:home") + "?root=north-sales&amp;period=2026-03"
    assert f'href="{address}"' in response.content.decode()


@pytest.mark.parametrize("period", ["FY2026-Q9", "x" * 100_000, "2026-13"])
def test_it_drops_a_period_that_does_not_parse(client, org, people, period):
    response = ask(client, people.owner, q="sales", period=period)

    assert response.status_code == 200
    address = reverse("scorecard:scorecard", args=["north-sales"])
    assert f'href="{address}"' in response.content.decode()


def test_it_offers_only_units_with_a_scorecard_for_the_scorecard_page(client, org, people):
    org_unit("North Lab", "team", org.north, with_scorecard=False)

    assert picked(ask(client, people.north_manager, q="lab")) == []
    assert picked(ask(client, people.north_manager, q="lab", to="dashboard")) == ["north-lab"]


def test_it_honours_the_limit_and_says_there_are_more(client, org, people, settings):
    settings.SIGHTLINE_UNIT_PICKER_RESULTS = 3
    for number in range(5):
        org_unit(f"North Team {number}", "team", org.north)

    response = ask(client, people.north_manager, q="north team")

    assert picked(response) == [f"north-team-{number}" for number in range(3)]
    assert "type more of the name" in response.content.decode()


def test_it_treats_wildcards_and_odd_characters_as_plain_text(client, org, people):
    for text in ["%", "_", "\\", "'; drop table", "Nörth ☃", "<script>", "\u0001"]:
        response = ask(client, people.manager, q=text)
        assert response.status_code == 200, text
        assert picked(response) == [], text
    assert "&lt;script&gt;" in ask(client, people.manager, q="<script>").content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "n" * 201}, PICKER_TOO_LONG.format(limit=200)),
        ({"q": "north\x00"}, PICKER_BAD_TEXT),
        ({"q": "north", "to": "admin"}, PICKER_UNKNOWN_PAGE),
    ],
)
def test_it_refuses_bad_input_with_a_reason(client, org, people, params, message):
    for htmx in (True, False):
        client.force_login(people.manager)
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(PICKER, params, headers=headers)
        assert response.status_code == 400
        assert message in html.unescape(response.content.decode())


def test_it_refuses_a_megabyte_of_text_with_a_reason_not_a_server_error(client, org, people):
    client.force_login(people.manager)

    response = client.get(PICKER, {"q": "n" * 1_000_000})

    assert response.status_code == 400
    assert PICKER_TOO_LONG.format(limit=200) in html.unescape(response.content.decode())


def test_it_asks_to_sign_in_first(client, org):
    response = client.get(PICKER, {"q": "north"})

    assert response.status_code == 302


def test_without_script_it_is_a_page_with_the_form_and_the_list(client, org, people):
    client.force_login(people.north_manager)

    response = client.get(PICKER, {"q": "north", "to": "scorecard", "period": "FY2026-Q1"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Find a unit</h1>" in page
    assert 'value="north"' in page  # the text typed stays in the box
    assert 'name="period" value="FY2026-Q1"' in page
    assert picked(response) == ["north", "north-sales"]


def add_units(parent: OrgUnit, count: int, prefix: str) -> None:
    for number in range(count):
        org_unit(f"{prefix} {number}", "team", parent)


@pytest.mark.parametrize("size", [3, 30])
def test_it_holds_a_fixed_number_of_queries_whatever_the_size(
    client, org, people, size, django_assert_max_num_queries
):
    add_units(org.north, size, "Desk")
    client.force_login(people.north_manager)
    client.get(PICKER, {"q": "desk"})

    # 1 session, 2 user, 3 memberships (the visibility rule), 4 the units matching (those
    # with a scorecard, one more than shown), 5 the top bar's bell and links.
    with django_assert_max_num_queries(5):
        response = client.get(PICKER, {"q": "desk"})

    assert len(picked(response)) == min(size, 10)


def test_it_runs_the_same_queries_for_ten_times_the_units(client, org, people):
    def queries_for(parent, count, prefix):
        add_units(parent, count, prefix)
        client.get(PICKER, {"q": prefix})  # warm-up: the session exists from here on
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PICKER, {"q": prefix}, headers={"HX-Request": "true"})
        assert len(picked(response)) == min(count, 10)
        return len(captured)

    client.force_login(people.manager)

    assert queries_for(org.south, 3, "Desk") == queries_for(org.north, 30, "Bench")


# The same search in the REST API: /api/org-units/?search= -----------------------------------


def api_search(client, user, text: str):
    client.force_login(user)
    return client.get("/api/org-units/", {"search": text, "page_size": 100})


def test_the_api_finds_units_by_name_under_the_same_rule(client, org, people):
    response = api_search(client, people.north_manager, "nor")

    assert response.status_code == 200
    assert [row["slug"] for row in response.json()["results"]] == ["north", "north-sales"]


def test_the_api_orders_names_that_start_with_the_text_first(client, org, people):
    response = api_search(client, people.manager, "s")

    assert [row["slug"] for row in response.json()["results"]][:2] == ["south", "south-ops"]


def test_the_api_finds_nothing_for_an_outsider(client, org, people):
    response = api_search(client, people.outsider, "north")

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_api_search_composes_with_the_kind_filter(client, org, people):
    client.force_login(people.manager)

    response = client.get("/api/org-units/", {"search": "north", "kind": "team"})

    assert [row["slug"] for row in response.json()["results"]] == ["north-sales"]


@pytest.mark.parametrize("text", ["n" * 201, "n" * 1_000_000, "north\x00"])
def test_the_api_refuses_bad_search_text_with_a_reason(client, org, people, text):
    response = api_search(client, people.manager, text)

    assert response.status_code == 400
    assert "search" in response.json()


def test_the_api_treats_wildcards_as_plain_text(client, org, people):
    for text in ["%", "_", "\\", "'; drop table"]:
        response = api_search(client, people.manager, text)
        assert response.status_code == 200, text
        assert response.json()["results"] == [], text


def test_the_api_search_runs_the_same_queries_for_ten_times_the_units(client, org, people):
    def queries_for(parent, count, prefix):
        add_units(parent, count, prefix)
        client.get("/api/org-units/", {"search": prefix})
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/org-units/", {"search": prefix, "page_size": 100})
        assert len(response.json()["results"]) == count
        return len(captured)

    client.force_login(people.manager)

    assert queries_for(org.south, 3, "Desk") == queries_for(org.north, 30, "Bench")
