"""The demo's personas and the main pages each of them may see (issue 17), found the way a
person finds them: the top bar's links, then the first unit, KPI, review, action and initiative
that the listings offer. The accessibility, phone-width and nav-walk journeys share them.

The personas are one of each kind of account the demo holds (demo/catalogue/organization.yaml):
the administrator, the enterprise's manager (also an owner of actions), its executive viewer,
an owner who only enters numbers, and a division's manager who sees only his part of the tree.
"""

import re

PERSONAS = ["admin", "manager", "executive", "owner", "daniel"]

# First links on a page whose path matches, read in the page.
FIRST_LINK = """(pattern) => {
  const wanted = new RegExp(pattern);
  const link = Array.from(document.querySelectorAll("main a[href]"))
    .find((a) => wanted.test(new URL(a.href).pathname));
  return link ? new URL(link.href).pathname : null;
}"""

# The links of the top bar and of its user menu, as paths.
TOP_BAR_LINKS = """() => Array.from(document.querySelectorAll("header.topbar a[href]"))
  .map((a) => new URL(a.href).pathname)"""

# Pages the top bar leads to that are not the product's own pages.
NOT_MAIN = re.compile(r"^/(admin|api)/")


def first_link(page, pattern: str) -> str | None:
    return page.evaluate(FIRST_LINK, pattern)


def top_bar_paths(page) -> list[str]:
    return list(dict.fromkeys(page.evaluate(TOP_BAR_LINKS)))


def main_pages(page, base: str) -> dict[str, str]:
    """The persona's main pages by name, as paths: every page of the top bar and its user
    menu (not the Django admin or the API docs), then one of each kind of page below them
    that the persona is offered. Starts wherever `page` is signed in."""
    page.goto(f"{base}/")
    pages = {path: path for path in top_bar_paths(page) if not NOT_MAIN.match(path)}
    found = {}
    page.goto(f"{base}/scorecards/")
    unit = first_link(page, r"^/units/[^/]+/$")
    assert unit, "the scorecards index offers no unit"
    found["map"] = f"{unit}map/"
    found["unit initiatives"] = f"{unit}initiatives/"
    page.goto(f"{base}{unit}")
    found["scorecard"] = unit
    found["KPI"] = first_link(page, r"^/units/[^/]+/kpis/\d+/$")
    found["editor"] = first_link(page, r"^/units/[^/]+/edit/$")
    page.goto(f"{base}/reviews/")
    found["review"] = first_link(page, r"^/reviews/\d+/$")
    page.goto(f"{base}/actions/")
    found["action"] = first_link(page, r"^/actions/\d+/$")
    page.goto(f"{base}{unit}initiatives/")
    found["initiative"] = first_link(page, r"^/initiatives/\d+/$")
    if "/settings/" in pages:
        page.goto(f"{base}/settings/")
        for name, pattern in [
            ("settings units", r"^/settings/units/$"),
            ("settings people", r"^/settings/people/$"),
            ("connections", r"^/settings/connections/$"),
        ]:
            found[name] = first_link(page, pattern)
    pages.update({name: path for name, path in found.items() if path})
    return pages
