"""The demo owner enters the quarter's actuals, imports a spreadsheet and reads the history."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def red_value(target: Decimal, red_flag: Decimal, direction: str) -> Decimal:
    """A value well past the red flag."""
    gap = abs(target - red_flag) + 1
    return red_flag - gap if direction == "up" else red_flag + gap


def test_the_owner_enters_actuals_imports_a_file_and_reads_the_history(
    demo, page, live_server, sign_in, tmp_path
):
    sign_in("owner")
    page.get_by_role("link", name="My updates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My updates")

    # The quarter under way: about half of its actuals are still to come in the demo.
    switcher = page.get_by_label("Quarter", exact=True)
    current = switcher.locator("option").first.get_attribute("value")
    switcher.select_option(current)
    body = page.locator("#updates-body")
    expect(body).to_have_attribute("data-period", current)
    expect(page.locator("form.update-row").first).to_be_visible()
    count_before = page.locator("#updates-count").inner_text()

    # Quarterly KPIs: their rows are the quarter's (a monthly KPI's rows are its months').
    to_do = page.locator("form.update-row:not(.is-done)[data-red-flag][data-frequency='quarter']")
    assert to_do.count() >= 5
    kpi_ids = [to_do.nth(i).get_attribute("data-kpi") for i in range(5)]

    def row(kpi_id):
        return page.locator(f"#row-{kpi_id}")

    def enter(kpi_id, value, comment=""):
        form = row(kpi_id)
        form.locator("textarea[name=comment]").fill(comment)
        form.locator("input[name=value]").fill(str(value))
        form.locator("input[name=value]").press("Enter")

    # Rows still to do come first in every scorecard's group.
    done_flags = page.locator(".update-group").evaluate_all(
        "groups => groups.map(g => [...g.querySelectorAll('form.update-row')]"
        ".map(f => f.classList.contains('is-done')))"
    )
    for flags in done_flags:
        assert flags == sorted(flags)

    # Two results on target; a saved row keeps its earlier quarters.
    for kpi_id in kpi_ids[:2]:
        earlier = row(kpi_id).locator(".update-trend dd").inner_text()
        enter(kpi_id, row(kpi_id).get_attribute("data-target"))
        expect(row(kpi_id).locator("[data-status]")).to_have_attribute("data-status", "green")
        expect(row(kpi_id).locator(".saved-note")).to_have_text("Saved")
        expect(row(kpi_id).locator(".update-trend dd")).to_have_text(earlier)

    # One past the red flag: the form says a comment is needed and will not send without one.
    third = row(kpi_ids[2])
    value = red_value(
        Decimal(third.get_attribute("data-target")),
        Decimal(third.get_attribute("data-red-flag")),
        third.get_attribute("data-direction"),
    )
    third.locator("input[name=value]").fill(str(value))
    expect(third.locator(".comment-needed")).to_be_visible()
    third.locator("input[name=value]").press("Enter")
    expect(third.locator("textarea[name=comment]")).to_have_attribute("required", "")
    expect(third.locator(".done-mark")).to_have_text("to do")
    enter(kpi_ids[2], value, comment="A key customer postponed two orders; recovery plan agreed.")
    expect(row(kpi_ids[2]).locator("[data-status]")).to_have_attribute("data-status", "red")
    expect(row(kpi_ids[2]).locator(".freshness-done")).to_have_text(
        "Enterprise numbers up to date", timeout=10_000
    )
    expect(page.locator("#updates-count")).not_to_have_text(count_before)

    # A spreadsheet with one bad row is refused with the row's reason; fixed, it imports.
    targets = [row(kpi_id).get_attribute("data-target") for kpi_id in kpi_ids[3:5]]
    good = f"kpi,period,value\n{kpi_ids[3]},{current},{targets[0]}\n"
    bad_file = tmp_path / "actuals.csv"
    bad_file.write_text(good + f"{kpi_ids[4]},{current},about ten\n")
    page.get_by_role("link", name="Import a spreadsheet").click()
    page.get_by_label("CSV or Excel file").set_input_files(bad_file)
    page.get_by_role("button", name="Preview").click()
    bad_row = page.locator("tr.import-row[data-row='3']")
    expect(bad_row).to_have_attribute("data-kind", "error")
    expect(bad_row).to_contain_text("Enter a number, like 1234.5.")
    expect(page.get_by_role("button", name="Import 2 actuals")).to_have_count(0)

    fixed_file = tmp_path / "actuals-fixed.csv"
    fixed_file.write_text(good + f"{kpi_ids[4]},{current},{targets[1]}\n")
    page.get_by_label("CSV or Excel file").set_input_files(fixed_file)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("tr.import-row[data-kind='new']")).to_have_count(2)
    page.get_by_role("button", name="Import 2 actuals").click()
    expect(page.locator(".messages")).to_contain_text("Imported 2 actuals.")

    # Back on My updates, the history of the red KPI shows the entry with its comment.
    page.get_by_label("Quarter", exact=True).select_option(current)
    # Wait for the switched quarter's rows: the old ones (all entered) must not be read.
    expect(page.locator("#updates-body")).to_have_attribute("data-period", current)
    expect(row(kpi_ids[4]).locator(".done-mark")).to_have_text("✓ entered")
    row(kpi_ids[2]).get_by_role("link", name="history").click()
    history = page.locator("tr.history-change")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("Priya Shah")
    expect(history.first).to_contain_text("A key customer postponed two orders")
