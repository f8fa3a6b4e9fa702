"""The demo manager reads the running quarter: its numbers say "so far", in words and a
shape of their own, on the scorecard page, the dashboard and the quarterly pack; the last
ended quarter, where the pages open, says nothing of the kind."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MARK = "◔ so far"
# The dashboard's swap reads every unit of the demo; give it time on a busy machine.
SWAP = 15_000


def running_quarter(page, label: str) -> str:
    """Pick the quarter under way (the newest option) in the page's quarter switcher."""
    switcher = page.get_by_label(label, exact=True)
    options = switcher.locator("option").evaluate_all("nodes => nodes.map(n => n.value)")
    switcher.select_option(options[0])
    return options[0]


def test_the_running_quarter_reads_so_far_on_the_scorecard_the_dashboard_and_the_pack(
    demo, page, live_server, sign_in
):
    sign_in("manager")

    page.get_by_role("link", name="Northwind Group").click()
    body = page.locator("#scorecard-body")
    # The page opens on the last ended quarter: final numbers, no mark.
    expect(body.locator("[data-status]").first).to_be_visible()
    expect(body.locator("[data-provisional]")).to_have_count(0)

    running = running_quarter(page, "Quarter")
    expect(body).to_have_attribute("data-period", running, timeout=SWAP)
    expect(body.locator(".provisional-notice")).to_contain_text("provisional until then")
    overall = page.locator("#scorecard-score")
    expect(overall).to_contain_text(MARK)
    kpi_rows = body.locator("tr.kpi")
    expect(kpi_rows.first).to_contain_text(MARK)
    assert kpi_rows.count() == body.locator("tr.kpi [data-provisional]").count()

    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.wait_for_url("**/dashboard/**")
    dashboard = page.locator("#dashboard-body")
    expect(dashboard.locator("td.overall").first).to_be_visible(timeout=SWAP)
    expect(dashboard.locator("td.overall [data-provisional]")).to_have_count(0)

    running = running_quarter(page, "Quarter")
    expect(dashboard).to_have_attribute("data-period", running, timeout=SWAP)
    expect(dashboard.locator(".provisional-notice")).to_contain_text("so far")
    expect(dashboard.locator("td.overall").first).to_contain_text(MARK)

    # The quarterly pack of the running quarter says so too.
    page.get_by_role("link", name="Quarterly pack").click()
    page.wait_for_url(f"**/pack/?period={running}")
    expect(page.locator(".provisional-notice")).to_be_visible()
    expect(page.get_by_text(MARK).first).to_be_visible()
