"""Issue 15's journey: in the editor the demo manager adds a monthly KPI with a band target
(98–100 %) and a calculated KPI over it, and sets the band for the quarter's three months in
the targets grid; the owner enters two months on My updates; the scorecard shows the quarter
as provisional, "2 of 3 months", and the year view shows the year to date.

Hand-worked: October 99 and November 97.5 (average) make 98.25 — inside the band 98–100 —
so the quarter is on target; shown with the KPI's one decimal, 98.3. The calculated KPI
"100 − [X1]" is 1.0 in October."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kpis.models import KPI
from scorecard import fiscal
from scorecard.selectors import fiscal_start_month

pytestmark = pytest.mark.browser

OBJECTIVE = "Strengthen financial control"
BAND_KPI = "System uptime"
CALCULATED = "System downtime"


@pytest.fixture
def in_the_quarters_last_month(demo, time_machine):
    """The journey needs two ended-or-started months of a quarter that has not ended: on a
    day in a quarter's first or second month it moves (ticking) to the 15th of its third."""
    quarter = fiscal.quarter_of(timezone.localdate(), fiscal_start_month())
    third = quarter.months()[2]
    if not third.contains(timezone.localdate()):
        noon = dt.datetime(third.start.year, third.start.month, 15, 12, tzinfo=dt.UTC)
        time_machine.move_to(noon, tick=True)
    return quarter


def add_kpi(page, **fields) -> None:
    objective = page.locator("article.editor-objective", has_text=OBJECTIVE)
    objective.get_by_text("Add a KPI to").click()
    new_kpi = objective.locator("details", has=page.get_by_text("Add a KPI to"))
    new_kpi.get_by_label("Code", exact=True).fill(fields["code"])
    new_kpi.get_by_label("KPI name").fill(fields["name"])
    new_kpi.get_by_label("Unit").fill("%")
    new_kpi.get_by_label("Reported").select_option(label="Monthly")
    new_kpi.get_by_label("Owner").select_option(label="Priya Shah")
    if "target_type" in fields:
        zones = new_kpi.locator("[data-target-zones]")
        expect(zones).to_contain_text("when the direction is up")
        new_kpi.get_by_label("Target type").select_option(label=fields["target_type"])
        # Where green, amber and red lie, in words, as soon as the type is chosen.
        expect(zones).to_contain_text(fields["zones"])
    if "formula" in fields:
        new_kpi.get_by_label("Source", exact=True).select_option(label="Calculated")
        new_kpi.get_by_label("Formula").fill(fields["formula"])
        expect(new_kpi.locator(".formula-check")).to_have_text("OK: uses [X1]")
    new_kpi.get_by_role("button", name="Add KPI").click()
    expect(page.locator(".message")).to_contain_text(fields["name"])


def scorecard_row(page, url, name):
    page.goto(url)
    return page.locator("tr.kpi", has_text=name)


def test_monthly_band_and_calculated_kpis_from_the_editor_to_the_year(
    in_the_quarters_last_month, page, live_server, sign_in
):
    quarter = in_the_quarters_last_month
    first, second, third = quarter.months()

    sign_in("manager")
    page.goto(f"{live_server.url}/units/finance/edit/")
    add_kpi(
        page,
        code="X1",
        name=BAND_KPI,
        target_type="Within a band",
        zones="Green inside the band, from its low to its high edge",
    )
    add_kpi(page, code="X2", name=CALCULATED, formula="100 - [X1]")
    band = KPI.objects.get(name=BAND_KPI)
    assert (band.frequency, band.target_type, band.owner.username) == ("month", "band", "owner")

    page.goto(f"{live_server.url}/units/finance/edit/targets/?year={quarter.fiscal_year}")
    for month in (first, second, third):
        page.locator(f"#target-{band.pk}-{month.key}").fill("98")
        page.locator(f"#high-{band.pk}-{month.key}").fill("100")
    page.get_by_role("button", name="Save targets").click()
    expect(page.locator(".message")).to_contain_text("Saved the targets")

    page.context.clear_cookies()
    sign_in("owner")
    page.goto(f"{live_server.url}/my-updates/?period={quarter.key}")
    for month, value in ((first, "99"), (second, "97.5")):
        row = page.locator(f"#row-{band.pk}-{month.key}")
        expect(row.locator(".update-period")).to_have_text(month.label)
        row.locator("[name=value]").fill(value)
        row.locator("[name=value]").press("Enter")
        expect(row.locator(".done-mark")).to_have_text("✓ entered")
    expect(page.locator(f"#row-{band.pk}-{third.key} .done-mark")).to_have_text("to do")

    scorecard = f"{live_server.url}/units/finance/"
    row = scorecard_row(page, f"{scorecard}?period={quarter.key}", BAND_KPI)
    expect(row).to_contain_text("monthly")
    expect(row.locator("td.num").nth(0)).to_have_text("98.0–100.0")
    expect(row.locator("td.num").nth(1)).to_have_text("98.3")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "green")
    expect(row.locator("[data-coverage]")).to_have_text("2 of 3 months")
    expect(row.locator("[data-provisional]")).to_contain_text("so far")

    row = scorecard_row(page, f"{scorecard}?period={quarter.containing('year').key}", BAND_KPI)
    expect(row.locator("td.num").nth(1)).to_have_text("98.3")
    expect(row.locator("[data-coverage]")).to_have_text("2 of 12 months")
    expect(row.locator("[data-provisional]")).to_contain_text("so far")

    row = scorecard_row(page, f"{scorecard}?period={first.key}", CALCULATED)
    expect(row).to_contain_text("calculated")
    expect(row.locator("td.num").nth(1)).to_have_text("1.0")
