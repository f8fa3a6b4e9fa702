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
    due = dt.date.today() + dt.timedelta(days=30)
    page.get_by_label("Due date").fill(due.isoformat())  # a date picker: its value is ISO
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
    # People by name, dates as people write them ("1 Jul 2026"), not ISO.
    expect(page.locator("dd.due-date")).to_have_text(f"{due.day} {due:%b %Y}")
    expect(page.locator("dd.action-owner")).to_have_text("Priya Shah")

    page.goto(f"{live_server.url}/actions/?mine=on")
    expect(page.get_by_role("link", name=f"Recover {GAP_KPI}")).to_be_visible()

    # "My updates" lists the owner's open actions too.
    page.goto(f"{live_server.url}/my-updates/")
    expect(page.locator(".action-items")).to_contain_text(f"Recover {GAP_KPI}")


def test_the_plan_form_offers_quarters_and_people_by_name(demo, page, live_server, sign_in):
    sign_in("manager")
    page.goto(f"{live_server.url}/reviews/")

    # The quarter is a select of quarters (no "Like FY2026-Q3" text box), newest first, the
    # last ended one chosen; the facilitator a select of people by full name, the planner
    # first chosen.
    quarter = page.get_by_label("Quarter", exact=True)
    expect(quarter).to_have_js_property("tagName", "SELECT")
    labels = quarter.locator("option").all_inner_texts()
    assert labels and all(re.fullmatch(r"FY\d{4} Q[1-4]", label) for label in labels), labels
    assert labels == sorted(labels, reverse=True)
    expect(quarter.locator("option:checked")).to_have_text(labels[1])
    facilitator = page.get_by_label("Facilitator")
    expect(facilitator.locator("option:checked")).to_have_text("Helen Carter")
    expect(facilitator.locator("option", has_text="Aisha Rahman")).to_have_count(1)
    expect(page.get_by_text("Like FY")).to_have_count(0)

    # A plan the service refuses is answered beside its field: an annual review off Q4.
    page.get_by_label("Scorecard of").select_option(label="People")
    quarter.select_option(label=next(label for label in labels if not label.endswith("Q4")))
    page.get_by_label("Kind").select_option(label="Annual")
    page.get_by_role("button", name="Plan the review").click()
    expect(
        page.locator(".field.has-error", has=page.get_by_label("Quarter", exact=True))
    ).to_contain_text("An annual review is held on the fiscal year's last quarter")

    # A quarterly plan with another facilitator opens the review page, which names her. (The
    # demo's People review is of the last ended quarter: this one is of the quarter before.)
    page.get_by_label("Kind").select_option(label="Quarterly")
    page.get_by_label("Quarter", exact=True).select_option(label=labels[2])
    page.get_by_label("Facilitator").select_option(label="Aisha Rahman")
    page.get_by_role("button", name="Plan the review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Quarterly review · {labels[2]}")
    expect(page.locator(".lede")).to_contain_text("facilitated by Aisha Rahman")
