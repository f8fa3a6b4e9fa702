"""Browser journeys: real headless Chromium (Debian's) driven by Playwright against a live
server holding the demo organization."""

import io

import pytest
from django.core.management import call_command

from demo.build import DEMO_PASSWORD


@pytest.fixture
def demo(transactional_db):
    """The demo organization, scores computed (Celery runs eagerly in tests)."""
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def sign_in(page, live_server):
    def sign_in_as(username: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")

    return sign_in_as
