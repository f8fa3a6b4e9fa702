"""One look on every screen (issue 17): every main page of every persona fits a 390 px phone
(no page scrolls sideways; wide tables scroll inside their box) and logs no console error
(the CSP refusing Plotly's <style> included), and the top bar folds behind "Menu"."""

import pytest
from playwright.sync_api import expect

from tests.browser.main_pages import PERSONAS, main_pages

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


WIDE_ELEMENTS = """(limit) => Array.from(document.querySelectorAll("main *"))
  .filter((element) => element.getBoundingClientRect().right > limit)
  .filter((element) => !element.closest(".table-scroll, table, svg, .js-plotly-plot"))
  .filter((element) => !Array.from(element.children).some(
    (child) => child.getBoundingClientRect().right > limit))
  .slice(0, 5)
  .map((element) => element.tagName + "." + element.className + " " +
    Math.round(element.getBoundingClientRect().right))"""


def watch_console(page) -> list[str]:
    """Console errors and uncaught exceptions, each with the page it happened on."""
    errors: list[str] = []
    page.on(
        "console",
        lambda message: message.type == "error" and errors.append(f"{page.url}: {message.text}"),
    )
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return errors


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_main_page_fits_a_phone_and_logs_no_console_error(
    demo, page, live_server, sign_in, persona
):
    """Every main page of the persona (tests/browser/main_pages.py) at 390 x 844: no page
    scrolls sideways, and the browser logs no error on any of them (a refused script or
    style under the Content-Security-Policy is one; so is a 403 or 404 of anything)."""
    page.set_viewport_size(PHONE)
    errors = watch_console(page)
    sign_in(persona)
    too_wide = {}
    for path in main_pages(page, live_server.url).values():
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("load")
        width = page_width(page)
        if width > PHONE["width"]:
            # Say which elements stick out, so a failure names what to fix.
            culprits = page.evaluate(WIDE_ELEMENTS, PHONE["width"])
            too_wide[path] = (width, culprits)
    assert too_wide == {}
    assert errors == []


def test_the_top_bar_folds_behind_a_menu_on_a_phone(demo, page, live_server, sign_in):
    page.set_viewport_size(PHONE)
    sign_in("manager")
    reviews = page.get_by_role("link", name="Reviews", exact=True)
    expect(reviews).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")
    reviews.click()
    page.wait_for_url("**/reviews/")
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("link", name="Reviews", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    page.locator(".user-menu > summary").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page_width(page) <= PHONE["width"]


def test_the_plotly_pages_log_no_console_error(demo, page, live_server, sign_in):
    errors = watch_console(page)
    sign_in("executive")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator(".js-plotly-plot").first).to_be_attached()
    kpi = page.locator("a[href*='/kpis/']").first.get_attribute("href")
    page.goto(f"{live_server.url}{kpi}")
    expect(page.locator(".js-plotly-plot").first).to_be_attached()
    assert page.locator("style[id^='plotly.js-style']").count() == 0
    assert errors == []
