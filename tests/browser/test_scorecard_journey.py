"""The demo manager reads a scorecard and switches quarter."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def statuses(page) -> list[str]:
    return page.locator("#scorecard-body tr.kpi [data-status]").evaluate_all(
        "nodes => nodes.map(node => node.dataset.status)"
    )


def test_the_manager_opens_the_enterprise_scorecard_and_switches_quarter(
    demo, page, live_server, sign_in
):
    sign_in("manager")

    page.get_by_role("link", name="Northwind Group").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Northwind Group")
    before_period = page.locator("#scorecard-body").get_attribute("data-period")
    before = statuses(page)
    assert len(before) >= 15
    assert {"green", "amber", "red"} <= set(before)
    # Every status is said in words too, not by colour alone.
    expect(page.locator("#scorecard-body tr.kpi .status").first).not_to_be_empty()

    switcher = page.get_by_label("Quarter")
    options = switcher.locator("option").evaluate_all("nodes => nodes.map(n => n.value)")
    # Newest first: the quarter under way, in which only some owners have reported yet.
    next_quarter = options[0]
    switcher.select_option(next_quarter)

    expect(page.locator("#scorecard-body")).to_have_attribute("data-period", next_quarter)
    assert next_quarter != before_period
    after = statuses(page)
    assert after != before
    assert "no_data" in after
    expect(page).to_have_url(re.compile(rf"period={next_quarter}"))

    # The htmx swap replaced only the fragment: the page around it stayed.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Northwind Group")


def test_the_manager_opens_the_health_summary_and_an_explanation_on_demand(
    demo, page, live_server, sign_in
):
    sign_in("manager")
    page.goto(f"{live_server.url}/units/northwind-group/")

    # The health check is one line; its findings open on a click.
    summary = page.locator("#health-slot details.health-details > summary")
    expect(summary).to_contain_text(
        re.compile(r"(\d+ things? to fix|Nothing to fix) in this scorecard")
    )
    panel = page.locator("#health-slot #health-panel")
    expect(panel).to_be_hidden()
    summary.click()
    expect(panel).to_be_visible()

    # One grid per perspective, with the last quarter's value and the trend in every row.
    first_row = page.locator("#scorecard-body tr.kpi").first
    expect(first_row.locator("td[data-previous]")).to_have_count(1)
    expect(first_row.locator("td[data-trend]")).to_have_count(1)
    assert (
        page.locator("#scorecard-body table.kpis").count()
        == page.locator("#scorecard-body section.perspective:has(table.kpis)").count()
    )

    # "why?" opens a sentence first; the arithmetic waits behind its toggle.
    expect(page.locator("#explain-panel")).to_be_hidden()
    first_row.get_by_role("link", name="why?").click()
    headline = page.locator("#explain-panel [data-headline]")
    expect(headline).to_have_text(
        re.compile(r"^(On target|At risk|Off target|No data|No target|Tracked)")
    )
    workings = page.locator("#explain-panel details.explanation-workings")
    expect(workings.locator(".explanation-summary")).to_be_hidden()
    workings.locator("summary").click()
    expect(workings.locator(".explanation-summary")).to_be_visible()


def test_the_executive_reads_the_scorecard_without_the_health_check(
    demo, page, live_server, sign_in
):
    sign_in("executive")
    page.goto(f"{live_server.url}/units/northwind-group/")

    expect(page.locator("#scorecard-body tr.kpi").first).to_be_visible()
    expect(page.locator("#health-slot")).to_have_count(0)
    expect(page.get_by_text("to fix in this scorecard")).to_have_count(0)
