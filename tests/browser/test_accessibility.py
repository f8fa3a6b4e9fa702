"""Accessibility (issue 17): axe-core finds no violation of impact "serious" or "critical" on
any main page of any demo persona (tests/browser/main_pages.py says which pages those are)."""

import json

import pytest

from tests.browser.accessibility import load_axe, serious_violations
from tests.browser.main_pages import PERSONAS, main_pages

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_serious_accessibility_violation_on_any_main_page(
    demo, context, page, live_server, sign_in, persona
):
    load_axe(context)
    sign_in(persona)
    pages = main_pages(page, live_server.url)
    found = {}
    for name, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, (name, path)
        page.wait_for_load_state("load")
        violations = serious_violations(page)
        if violations:
            found[path] = violations
    assert not found, "axe found serious or critical violations:\n" + json.dumps(found, indent=1)


def test_the_check_sees_a_serious_violation(demo, context, page, live_server, sign_in):
    """The check is not blind: an image without a name and a field without a label on a
    real page are reported."""
    load_axe(context)
    sign_in("manager")
    page.goto(f"{live_server.url}/scorecards/")
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
          '<img src="/static/favicon.svg"><input type="text">')"""
    )
    rules = {violation["rule"] for violation in serious_violations(page)}
    assert {"image-alt", "label"} <= rules
