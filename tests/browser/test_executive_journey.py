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

    # Expand all: every branch opens, one request per branch (the unit's children alone),
    # and a team of another department, a grandchild of the group, shows its row.
    expect(heatmap.locator('tr[data-unit="logistics"]')).to_have_count(0)
    branch_requests = []
    page.on(
        "request",
        lambda request: "/dashboard/branch/" in request.url and branch_requests.append(request.url),
    )
    page.get_by_role("button", name="Expand all").click()
    expect(page.locator("[data-tree-progress]")).to_have_text("Every unit is open.")
    expect(page.locator('#heatmap tr[data-unit="logistics"]')).to_be_visible()
    expect(
        page.locator('#heatmap tr[data-unit="logistics"] td.overall .heat-status')
    ).not_to_be_empty()
    expect(page.get_by_role("link", name="Collapse Operations")).to_be_visible()
    assert branch_requests and all("/dashboard/branch/" in url for url in branch_requests)
    assert not any("/dashboard/branch/sales/" in url for url in branch_requests)  # loaded already
    # The address keeps the tree, so a reload opens it as it was.
    expect(page).to_have_url(re.compile(r"open=[^&]*operations"))
    # Collapsing hides the branch without asking the server; expanding shows it again.
    page.get_by_role("link", name="Collapse Operations").click()
    expect(page.locator('#heatmap tr[data-unit="logistics"]')).to_be_hidden()
    asked = len(branch_requests)
    page.get_by_role("link", name="Expand Operations").click()
    expect(page.locator('#heatmap tr[data-unit="logistics"]')).to_be_visible()
    assert len(branch_requests) == asked

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


def test_the_executive_reads_the_dashboard_on_a_phone(demo, page, live_server, sign_in):
    sign_in("executive")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("button", name="Expand all").click()
    expect(page.locator("[data-tree-progress]")).to_have_text("Every unit is open.")

    # Each unit is a stack of labelled tiles: no page scrolls sideways.
    row = page.locator('#heatmap tr[data-unit="logistics"]')
    expect(row).to_be_visible()
    expect(row.locator("td.overall")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    label = row.locator("td.overall").evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Overall"'
    for card in page.locator(".dashboard-grid > .card").all():
        box = card.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
