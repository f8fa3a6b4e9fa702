"""The demo executive reads the dashboard, switches quarter, expands a unit, downloads the
pack and drills down to a KPI and its chart."""

import re

import pytest
from playwright.sync_api import expect

from tests.pdf_text import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.pdf]


def test_the_executive_reads_the_dashboard_and_drills_down_to_a_kpi(
    demo, page, live_server, sign_in
):
    sign_in("executive")

    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Group")
    heatmap = page.locator("#heatmap")
    expect(heatmap.locator('tr[data-unit="northwind-group"]')).to_be_visible()
    expect(heatmap.locator('tr[data-unit="sales"]')).to_be_visible()
    # Every cell says its status in words, not by colour alone.
    expect(heatmap.locator("td.overall .heat-status").first).not_to_be_empty()
    # The trend chart is drawn by the static script from the page's JSON.
    expect(page.locator('[data-chart="trend-figure"] svg.main-svg').first).to_be_visible()

    # Switch quarter: the body is swapped in place and the URL follows.
    switcher = page.get_by_label("Quarter", exact=True)
    options = switcher.locator("option").evaluate_all("nodes => nodes.map(n => n.value)")
    before = page.locator("#dashboard-body").get_attribute("data-period")
    other = next(option for option in options[2:] if option != before)
    switcher.select_option(other)
    expect(page.locator("#dashboard-body")).to_have_attribute("data-period", other)
    expect(page).to_have_url(re.compile(rf"period={other}"))

    # Expand Sales: its teams appear below it.
    expect(heatmap.locator('tr[data-unit="field-sales"]')).to_have_count(0)
    page.get_by_role("link", name="Expand Sales").click()
    expect(page.locator('#heatmap tr[data-unit="field-sales"]')).to_be_visible()
    expect(page.get_by_role("link", name="Collapse Sales")).to_be_visible()

    # The quarterly pack as a PDF.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF").click()
    download = download_info.value
    pdf = download.path().read_bytes()
    assert "Northwind Group" in pdf_text(pdf)
    assert download.suggested_filename == f"sightline-northwind-group-{other}.pdf"

    # Drill down: unit → its scorecard → KPI detail.
    page.locator('#heatmap tr[data-unit="field-sales"] a.unit-link').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Field Sales")
    first_kpi = page.locator("#scorecard-body a.kpi-link").first
    name = first_kpi.inner_text()
    first_kpi.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator('[data-chart="kpi-figure"] svg.main-svg').first).to_be_visible()
    expect(page.get_by_role("heading", name="History of the actuals")).to_be_visible()
