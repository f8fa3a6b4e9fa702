"""Browser journeys: real headless Chromium (Debian's) driven by Playwright against a live
server holding the demo organization.

The demo takes many seconds to build, so each xdist worker builds it once and keeps a copy of
every table; each journey starts from that copy, restored in well under a second.
"""

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connection

from demo.build import DEMO_PASSWORD
from tests.database_copy import DatabaseCopy


@pytest.fixture(scope="session")
def demo_copy(django_db_setup, django_db_blocker) -> Iterator[DatabaseCopy]:
    """The demo organization, scores computed (Celery runs eagerly in tests), copied once."""
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())
        copy = DatabaseCopy.take(connection)
        # The tests after this one in the same worker expect an empty database, as built.
        call_command("flush", interactive=False, verbosity=0)
        yield copy
        copy.release()


@pytest.fixture
def demo(demo_copy, transactional_db) -> None:
    """The demo as it was built, whatever the journeys before this one changed."""
    demo_copy.restore(connection)


@pytest.fixture
def sign_in(page, live_server):
    def sign_in_as(username: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")

    return sign_in_as
