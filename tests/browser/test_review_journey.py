"""The demo manager runs the People department's quarterly review; the demo owner then finds
the action they were given and the notification about it."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

GAP_KPI = "Roles filled by internal promotion"


def test_the_manager_runs_a_review_and_the_owner_finds_the_action(demo, page, live_server, sign_in):
    sign_in("manager")
    page.goto(f"{live_server.url}/reviews/")
    page.get_by_role("link", name=re.compile("People")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quarterly review")

    # The agenda, read from the numbers: the red KPI nobody acts on yet is flagged.
    finding = page.locator("li.finding", has_text=GAP_KPI)
    expect(finding.locator(".gap")).to_have_text("no open action")

    # A comment saves itself while the meeting goes on.
    finding.get_by_label("Comment").fill("Two internal candidates turned the roles down.")
    expect(finding.locator(".autosave-status")).to_have_text("Saved.")

    finding.get_by_role("link", name="Create an action").click()
    expect(page.get_by_label("Title")).to_have_value(f"Recover {GAP_KPI}")
    page.get_by_label("Owner").select_option(label="Priya Shah")
    page.get_by_label("Due date").fill((dt.date.today() + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Create the action").click()

    finding = page.locator("li.finding", has_text=GAP_KPI)
    expect(finding.locator(".has-action")).to_have_text("has an open action")
    expect(finding.get_by_label("Comment")).to_have_value(
        "Two internal candidates turned the roles down."
    )

    page.get_by_role("button", name="Close the review").click()
    expect(page.locator("#review-status")).to_have_text("Closed")
    expect(page.get_by_role("heading", name=re.compile("The pack"))).to_be_visible()

    page.locator(".user-menu > summary").click()  # the user menu holds Sign out
    page.get_by_role("button", name="Sign out").click()
    sign_in("owner")
    expect(page.locator(".bell-count")).not_to_be_empty()
    page.locator("a.bell").click()
    notification = page.get_by_role("link", name=f"Action assigned to you: Recover {GAP_KPI}")
    expect(notification).to_be_visible()
    notification.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Recover {GAP_KPI}")
    expect(page.get_by_role("button", name="Save")).to_be_visible()

    page.goto(f"{live_server.url}/actions/?mine=on")
    expect(page.get_by_role("link", name=f"Recover {GAP_KPI}")).to_be_visible()

    # "My updates" lists the owner's open actions too.
    page.goto(f"{live_server.url}/my-updates/")
    expect(page.locator(".action-items")).to_contain_text(f"Recover {GAP_KPI}")
