"""Browser journeys: real headless Chromium (Debian's) driven by Playwright against a live
server holding the demo organization.

The demo takes many seconds to build, so it is built once and kept as a copy of every table;
each journey starts from that copy (the `demo` fixture of tests/conftest.py), restored in
well under a second.
"""

import re

import pytest
from playwright.sync_api import expect

from demo.build import DEMO_PASSWORD
from kpis import recompute

# Tests run Celery eagerly, so a structural edit recomputes the enterprise inside its request:
# seconds on a two-core machine that runs another test worker beside it. Wait for what a page
# should show that long before calling it missing (Playwright's default is 5 s).
expect.set_options(timeout=20_000)


@pytest.fixture(autouse=True)
def numbers_stay_fresh(demo):
    """After each journey, whatever it wrote through the pages, the nightly recompute finds
    nothing to change: every write path left its scores up to date."""
    yield
    stale = sum(result.changed for result in recompute.recompute_everything())
    assert stale == 0, f"the journey left {stale} snapshots for the nightly run to fix"


@pytest.fixture
def sign_in(page, live_server):
    def sign_in_as(username: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        # Home, or My updates for an owner with entries due (issue 17).
        page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/(my-updates/)?$"))

    return sign_in_as
