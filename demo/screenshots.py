"""Pictures of the product (`make screenshots`, issue 17): each demo persona signed in on a
running site, its home, a scorecard, a strategy map, the dashboard, a review, the action
items and My updates, at a desktop and a phone width, as PNG files.

Drives Chromium through Playwright's sync API, as the browser tests do (Playwright comes with
the development requirements; Debian's Chromium at /usr/bin/chromium or SIGHTLINE_CHROMIUM).
The pages to show are found as a person finds them: the top bar's links, then the first unit
and review the listings offer; a persona who is not offered a page gets no picture of it.
"""

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from demo.organization import DEMO_PASSWORD

CHROMIUM = os.environ.get("SIGHTLINE_CHROMIUM", "/usr/bin/chromium")
WIDTHS = (1400, 390)
HEIGHT = 900
# One of each kind of account the demo holds: the administrator, the enterprise's manager,
# its executive viewer, an owner who enters numbers, and a division's manager.
PERSONAS = ("admin", "manager", "executive", "owner", "daniel")

FIRST_LINK = """(pattern) => {
  const wanted = new RegExp(pattern);
  const link = Array.from(document.querySelectorAll("main a[href]"))
    .find((a) => wanted.test(new URL(a.href).pathname));
  return link ? new URL(link.href).pathname : null;
}"""
NAV_LINK = """(pattern) => {
  const wanted = new RegExp(pattern);
  const link = Array.from(document.querySelectorAll("header a[href]"))
    .find((a) => wanted.test(new URL(a.href).pathname));
  return link ? new URL(link.href).pathname : null;
}"""


@dataclass(frozen=True)
class Shot:
    persona: str
    page: str
    width: int
    path: Path


class ScreenshotError(Exception):
    """The site did not let a persona in, or answered a page with an error."""


def take_screenshots(base_url: str, folder: Path, personas: Iterable[str] = PERSONAS) -> list[Shot]:
    """Sign in at `base_url` as each persona and write `<persona>-<page>-<width>.png`
    into `folder`, with a Chromium of its own; returns what was written."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            return photograph(browser, base_url, folder, personas)
        finally:
            browser.close()


def photograph(browser, base_url: str, folder: Path, personas: Iterable[str]) -> list[Shot]:
    """The pictures, taken with a running Playwright browser."""
    base = base_url.rstrip("/")
    folder.mkdir(parents=True, exist_ok=True)
    shots: list[Shot] = []
    for persona in personas:
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT})
        try:
            page = context.new_page()
            _sign_in(page, base, persona)
            pages = _pages_of(page, base)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": HEIGHT})
                for name, path in pages.items():
                    response = page.goto(f"{base}{path}")
                    if response is None or response.status >= 400:
                        status = response.status if response else "no answer"
                        raise ScreenshotError(f"{persona}: {path} answered {status}")
                    page.wait_for_load_state("networkidle")
                    target = folder / f"{persona}-{name}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    shots.append(Shot(persona, name, width, target))
        finally:
            context.close()
    return shots


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    if "/accounts/login/" in page.url:
        raise ScreenshotError(f"{username} could not sign in with the demo password")


def _pages_of(page, base: str) -> dict[str, str]:
    """The pages to show, by name, as the persona is offered them."""
    page.goto(f"{base}/")
    pages = {"home": "/"}
    page.goto(f"{base}/scorecards/")
    unit = page.evaluate(FIRST_LINK, r"^/units/[^/]+/$")
    if unit:
        pages["scorecard"] = unit
        pages["map"] = f"{unit}map/"
    pages["dashboard"] = "/dashboard/"
    page.goto(f"{base}/reviews/")
    review = page.evaluate(FIRST_LINK, r"^/reviews/\d+/$")
    if review:
        pages["review"] = review
    pages["actions"] = "/actions/"
    if page.evaluate(NAV_LINK, re.escape("/my-updates/") + "$"):
        pages["my-updates"] = "/my-updates/"
    return pages
