"""The demo manager finds a unit with the unit picker (issue 18): types part of its name,
picks it with the keyboard and lands on its scorecard in the same period; does the same
from the dashboard; and without the live list, "Find" opens the same search as a page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import load_axe, serious_violations

pytestmark = pytest.mark.browser


def another_quarter(page) -> str:
    """A quarter other than the one the page opened on, from the page's quarter switcher."""
    switcher = page.get_by_label("Quarter", exact=True)
    options = switcher.locator("option").evaluate_all("nodes => nodes.map(n => n.value)")
    shown = switcher.input_value()
    return next(option for option in options[1:] if option != shown)


def test_a_manager_types_part_of_a_unit_s_name_and_lands_on_its_scorecard(
    demo, context, page, live_server, sign_in
):
    load_axe(context)
    sign_in("manager")
    page.goto(f"{live_server.url}/units/northwind-group/")
    quarter = another_quarter(page)
    page.goto(f"{live_server.url}/units/northwind-group/?period={quarter}")
    expect(page.locator("#unit-picker-current")).to_have_text("Showing Northwind Group")

    box = page.get_by_label("Unit", exact=True)
    box.fill("logis")
    choice = page.locator("#unit-picker-results").get_by_role("link", name="Logistics")
    expect(choice).to_be_visible()
    # The list open on the page still meets axe-core's serious and critical rules.
    assert serious_violations(page) == []

    # Keyboard only: down from the box to the first unit, Enter opens it.
    box.press("ArrowDown")
    expect(choice).to_be_focused()
    choice.press("Enter")

    expect(page).to_have_url(re.compile(rf"/units/logistics/\?period={quarter}$"))
    expect(page.locator("#scorecard-body")).to_have_attribute("data-period", quarter)
    expect(page.locator("#unit-picker-current")).to_have_text("Showing Logistics")


def test_a_manager_switches_the_dashboard_to_another_unit_keeping_the_period(
    demo, page, live_server, sign_in
):
    sign_in("manager")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Group")
    period = page.locator("#dashboard-body").get_attribute("data-period")
    # A click waits for the new page to commit, not for htmx to set the picker up: typed
    # before that (seen under CI's load), the search is never sent.
    page.wait_for_load_state("load")

    page.get_by_label("Unit", exact=True).fill("field")
    page.locator("#unit-picker-results").get_by_role("link", name="Field Sales").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Field Sales")
    expect(page).to_have_url(re.compile(rf"root=field-sales&period={period}$"))
    # The filters keep the unit chosen: switching the status keeps Field Sales as the root.
    page.get_by_label("Status").select_option("red")
    expect(page).to_have_url(re.compile(r"root=field-sales"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Field Sales")


def test_find_opens_the_search_as_a_page_and_escape_closes_the_list(
    demo, context, page, live_server, sign_in
):
    load_axe(context)
    sign_in("manager")
    page.goto(f"{live_server.url}/units/northwind-group/?period=FY2026-Q1")

    box = page.get_by_label("Unit", exact=True)
    box.fill("sales")
    results = page.locator("#unit-picker-results")
    expect(results.get_by_role("link", name="Sales", exact=True)).to_be_visible()
    box.press("Escape")
    expect(results.get_by_role("link")).to_have_count(0)

    # The picker is a plain GET form: "Find" opens the search page, which works without script.
    box.fill("sales")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a unit")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Field Sales").click()
    expect(page).to_have_url(re.compile(r"/units/field-sales/\?period=FY2026-Q1$"))
