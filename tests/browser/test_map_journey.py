"""The demo manager opens the enterprise strategy map, edits a link and switches quarter."""

import re

import pytest
from playwright.sync_api import expect

from scorecard.text import coded
from strategy.models import CausalLink, Objective

pytestmark = pytest.mark.browser

ENTERPRISE = "northwind-group"


def test_the_manager_reads_edits_and_recolours_the_enterprise_map(demo, page, live_server, sign_in):
    objectives = Objective.objects.filter(
        scorecard__org_unit__slug=ENTERPRISE, archived_at__isnull=True
    ).count()
    links = CausalLink.objects.filter(scorecard__org_unit__slug=ENTERPRISE).count()
    sign_in("manager")

    page.get_by_role("link", name="Northwind Group").click()
    page.get_by_role("link", name="Strategy map", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strategy map")

    # Every objective has a box and every link an arrow (the legend's samples aside).
    boxes = page.locator("#map-body .map-box")
    arrows = page.locator("#map-body .map-arrow[data-link]")
    expect(boxes).to_have_count(objectives)
    expect(arrows).to_have_count(links)
    assert objectives >= 10 and links >= 10

    # A box opens its objective: its KPIs and how its score was made.
    boxes.filter(has_text="Grow revenue profitably").first.click()
    expect(page.locator("#explain-panel")).to_contain_text("Grow revenue profitably")
    expect(page.locator("#explain-panel")).to_contain_text("Gross margin")

    # A new link, chosen by clicking its two boxes on the map.
    page.get_by_label("Pick on the map").check()
    boxes.filter(has_text="Build an engaged workforce").click()
    boxes.filter(has_text="Delight our customers").click()
    expect(page.get_by_label("From (cause)")).to_have_value(
        str(Objective.objects.get(title="Build an engaged workforce").pk)
    )
    page.get_by_role("button", name="Add link").click()
    expect(page.locator("#map-body .messages")).to_contain_text(
        "Linked “Build an engaged workforce” → “Delight our customers”."
    )
    expect(arrows).to_have_count(links + 1)

    # A link back from the result to its cause would close a loop: refused, nothing drawn.
    page.get_by_label("From (cause)").select_option(label="Grow revenue profitably")
    page.get_by_label("To (effect)").select_option(label="Accelerate product innovation")
    page.get_by_role("button", name="Add link").click()
    expect(page.locator("#map-link-form [role=alert]")).to_contain_text("would close a loop")
    expect(arrows).to_have_count(links + 1)
    assert CausalLink.objects.filter(scorecard__org_unit__slug=ENTERPRISE).count() == links + 1

    # The quarter switch recolours the map in place.
    before = page.locator("#map-body").get_attribute("data-period")
    switcher = page.get_by_label("Quarter")
    options = switcher.locator("option").evaluate_all("nodes => nodes.map(n => n.value)")
    # Newest first: the quarter under way, in which only some owners have reported yet.
    switcher.select_option(options[0])
    expect(page.locator("#map-body")).to_have_attribute("data-period", options[0])
    assert options[0] != before
    expect(page).to_have_url(re.compile(rf"period={options[0]}"))
    expect(boxes).to_have_count(objectives)
    expect(page.get_by_role("heading", level=1)).to_have_text("Strategy map")


def test_the_executive_reads_the_map_as_a_list_and_zooms_it(demo, page, live_server, sign_in):
    sign_in("executive")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/units/{ENTERPRISE}/map/")

    # On a phone the map keeps readable text (12 px titles at least) and scrolls in its box.
    drawing = page.locator("#map-body svg.strategy-map")
    scale = "svg => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width"
    assert drawing.evaluate(scale) * 12 >= 12
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Zoom in, out and back.
    before = drawing.evaluate(scale)
    page.get_by_role("button", name="Zoom in").click()
    assert drawing.evaluate(scale) > before
    expect(page.locator("[data-zoom-level]")).to_have_text(re.compile(r"^\d+ %$"))
    page.get_by_role("button", name="Zoom out").click()
    page.get_by_role("button", name="Zoom out").click()
    assert drawing.evaluate(scale) < before
    page.get_by_role("button", name="Reset zoom").click()
    assert abs(drawing.evaluate(scale) - before) < 0.01
    expect(page.locator("[data-zoom-level]")).to_have_text("Fit")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The list view: objectives by perspective, status in words, "X drives Y".
    page.get_by_role("button", name="List").click()
    expect(page.get_by_role("button", name="List")).to_have_attribute("aria-pressed", "true")
    expect(drawing).to_be_hidden()
    listing = page.locator("#map-view-list")
    expect(listing.get_by_role("heading", name="Financial")).to_be_visible()
    link = (
        CausalLink.objects.filter(scorecard__org_unit__slug=ENTERPRISE)
        .select_related("source", "target")
        .first()
    )
    assert link is not None
    cause = listing.locator(f'li[data-objective="{link.source_id}"]')
    expect(cause).to_contain_text(re.compile(r"On target|At risk|Off target|No data"))
    expect(cause).to_contain_text(f"{coded(link.source)} drives {coded(link.target)}")
    expect(page).to_have_url(re.compile(r"#map-list$"))

    # Back to the map, which the quarter switch keeps as chosen.
    page.get_by_role("button", name="Map", exact=True).click()
    expect(drawing).to_be_visible()
    expect(listing).to_be_hidden()
