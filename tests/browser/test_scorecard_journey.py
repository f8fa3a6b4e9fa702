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
