"""Walking the top bar (issue 17): from home, every main page a persona may see is at most two
clicks away (a section in one, or the user menu and its link; a unit's scorecard, map and
initiatives, a KPI, a review and an action in two), and the bar offers nobody a link to a
page that would refuse them.

"Main pages" here are the sections and the first page inside each; a scorecard's editor, an
initiative's page and the settings' sub-pages are a step further, inside the page they belong
to (docs/decisions.md, issue 17)."""

import re

import pytest

from tests.browser.main_pages import NOT_MAIN, PERSONAS

pytestmark = [pytest.mark.browser]

# Who is offered what, by the demo's roles (demo/catalogue/organization.yaml).
SECTIONS = ["/", "/scorecards/", "/maps/", "/dashboard/", "/reviews/", "/actions/"]
SECTIONS += ["/initiatives/", "/notifications/"]
OFFERED_TO = {
    "/my-updates/": {"manager", "owner", "daniel"},  # they own KPIs or open actions
    "/imports/": {"admin", "manager", "daniel"},  # administrators and unit managers
    "/settings/": {"admin"},
}
USER_MENU = ["/notifications/email/", "/imports/", "/settings/"]
# The first page inside a section, found two clicks from home for every persona.
INSIDE = {
    "scorecard": r"^/units/[^/]+/$",
    "strategy map": r"^/units/[^/]+/map/$",
    "unit initiatives": r"^/units/[^/]+/initiatives/$",
    "KPI": r"^/units/[^/]+/kpis/\d+/$",
    "action": r"^/actions/\d+/$",
}
# Offered only where the demo holds one the persona may see (no review touches Sales yet).
INSIDE_WHERE_ANY = {"review": r"^/reviews/\d+/$"}

BAR_LINKS = """(selector) => Array.from(document.querySelectorAll(selector))
  .map((a) => new URL(a.href).pathname)"""
# The visible links of the page's main part: their place among `main a[href]`, their path.
VISIBLE_MAIN_LINKS = """() => Array.from(document.querySelectorAll("main a[href]"))
  .map((a, index) => [index, new URL(a.href).pathname, a.getClientRects().length > 0])
  .filter(([index, path, shown]) => shown)
  .map(([index, path]) => [index, path])"""


def path_of(page) -> str:
    return page.evaluate("location.pathname")


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_main_page_is_two_clicks_from_the_top_bar(demo, page, live_server, sign_in, persona):
    base = live_server.url
    sign_in(persona)
    page.goto(f"{base}/")
    bar = page.evaluate(BAR_LINKS, "header.topbar a[href]")
    wanted = SECTIONS + [path for path, who in OFFERED_TO.items() if persona in who]
    for path in set(OFFERED_TO) - set(wanted):
        assert path not in bar, f"{persona} is offered {path}"
    # Nothing in the bar refuses the persona who is offered it.
    for path in {path for path in bar if not NOT_MAIN.match(path)}:
        status = page.request.get(f"{base}{path}").status
        assert status == 200, f"{persona}: the top bar's {path} answers {status}"

    # One click: the sections, in the bar itself; two: the user menu, then its link.
    for path in [*wanted, "/notifications/email/"]:
        page.goto(f"{base}/")
        if path in USER_MENU:
            page.locator(".user-menu > summary").click()
            page.locator(f".user-menu-panel a[href='{path}']").click()
        else:
            page.locator(f"header.topbar a[href='{path}']").first.click()
        page.wait_for_url(f"{base}{path}")

    # Two clicks: a section, then the first link inside it to each kind of page.
    inside = dict(INSIDE)
    reached = {}
    for section in SECTIONS[1:]:
        page.goto(f"{base}/")
        page.locator(f"header.topbar a[href='{section}']").first.click()
        page.wait_for_url(f"{base}{section}")
        links = page.evaluate(VISIBLE_MAIN_LINKS)
        for name, pattern in {**inside, **INSIDE_WHERE_ANY}.items():
            link = next((link for link in links if re.match(pattern, link[1])), None)
            if name in reached or link is None:
                continue
            index, target = link
            page.locator("main a[href]").nth(index).click()
            page.wait_for_url(re.compile(rf"^{re.escape(base + target)}(\?.*)?$"))
            reached[name] = target
            page.go_back()
            page.wait_for_url(f"{base}{section}")
    assert set(inside) <= set(reached), f"{persona} cannot reach {set(inside) - set(reached)}"
    if persona != "daniel":
        assert "review" in reached, f"{persona} finds no review two clicks from home"
