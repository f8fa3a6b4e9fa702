"""The demo manager builds an objective with a KPI and its targets in the editor, watches
the health panel follow, cascades the objective to two departments and finds it in the
line-of-sight view."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TITLE = "Win back lapsed customers"
KPI_NAME = "Customers won back"


def finding(page, code: str, text: str):
    return page.locator(f'#health-panel li[data-code="{code}"]', has_text=text)


def test_the_manager_builds_and_cascades_an_objective(demo, page, live_server, sign_in):
    sign_in("manager")
    page.goto(f"{live_server.url}/units/northwind-group/")
    page.get_by_role("link", name="Edit scorecard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit")

    add = page.locator("#add-objective")
    add.get_by_label("Perspective").select_option(label="Customer")
    add.get_by_label("Title").fill(TITLE)
    add.get_by_role("button", name="Add objective").click()

    objective = page.locator("article.editor-objective", has_text=TITLE)
    expect(objective).to_be_visible()
    expect(finding(page, "objective_without_kpi", TITLE)).to_be_visible()
    expect(page.get_by_role("button", name=f"Undo added “{TITLE}”")).to_be_visible()

    objective.get_by_text("Add a KPI to").click()
    objective.get_by_label("KPI name").fill(KPI_NAME)
    objective.get_by_label("Unit").fill("count")
    objective.get_by_label("Indicator").select_option("leading")
    objective.get_by_role("button", name="Add KPI").click()

    expect(finding(page, "objective_without_kpi", TITLE)).to_have_count(0)
    # No target in any period yet: it can never score (issue 15's health check).
    expect(finding(page, "never_scores", KPI_NAME)).to_be_visible()

    page.get_by_role("link", name="Targets").click()
    row = page.locator("tr.grid-row", has_text=KPI_NAME)
    row.locator("input[data-kind=target]").first.fill("40")
    expect(row.locator("[data-preview]").first).to_have_text("red below 36")
    row.get_by_role("button", name="Copy to next quarters").click()
    expect(row.locator("input[data-kind=target]").last).to_have_value("40")
    page.get_by_role("button", name="Save targets").click()
    expect(page.locator(".message")).to_contain_text("Saved the targets")

    page.goto(f"{live_server.url}/units/northwind-group/edit/")
    expect(finding(page, "no_target", KPI_NAME)).to_have_count(0)
    expect(finding(page, "never_scores", KPI_NAME)).to_have_count(0)

    objective = page.locator("article.editor-objective", has_text=TITLE)
    objective.get_by_role("link", name="Cascade").first.click()
    page.get_by_role("checkbox", name="Finance").check()
    page.get_by_label("Owner in Finance").select_option(index=1)
    page.get_by_role("checkbox", name="People").check()
    page.get_by_role("button", name="Cascade").click()
    expect(page.locator(".message")).to_contain_text("Cascaded to Finance, People")

    page.get_by_role("link", name="Line of sight").click()
    node = page.locator("ul.sight-root > li.sight-node", has_text=TITLE)
    expect(node.locator("li.sight-node .sight-unit")).to_have_text(["Finance", "People"])
