"""The demo manager opens the enterprise strategy map, edits a link and switches quarter."""

import re

import pytest
from playwright.sync_api import expect

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
