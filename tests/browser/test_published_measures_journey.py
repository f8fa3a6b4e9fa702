"""The demo manager gives a KPI the code, decimals and data source of the published scorecard
in the editor; the scorecard page lists it as "1.2.1 Free cash flow" with its value in those
decimals and thousands separators, and the KPI page names the data source (issue 15)."""

import pytest
from playwright.sync_api import expect

from kpis.models import KPI, Actual

pytestmark = pytest.mark.browser

DATA_SOURCE = "Treasury cash-flow statement, audited"


def test_the_manager_publishes_a_kpis_code_decimals_and_data_source(
    demo, page, live_server, sign_in
):
    kpi = KPI.objects.get(
        objective__scorecard__org_unit__slug="northwind-group", name="Free cash flow"
    )
    latest = Actual.objects.filter(kpi=kpi).select_related("period").latest("period__start")
    # The stored value at two decimals with a comma every three digits, e.g. 3,512,345.00.
    shown = f"{latest.value:,.2f}"
    assert "," in shown

    sign_in("manager")
    page.goto(f"{live_server.url}/units/northwind-group/edit/")
    row = page.locator(f"tr#kpi-{kpi.pk}")
    row.get_by_text("Edit", exact=True).click()
    row.get_by_label("Code").fill("1.2.1")
    row.get_by_label("Decimals").fill("2")
    row.get_by_label("Data source").fill(DATA_SOURCE)
    row.get_by_role("button", name="Save KPI").click()
    expect(page.locator(f"tr#kpi-{kpi.pk} th")).to_contain_text("1.2.1 Free cash flow")

    page.goto(f"{live_server.url}/units/northwind-group/?period={latest.period.key}")
    line = page.locator(f'tr.kpi[data-kpi="{kpi.pk}"]')
    expect(line.locator("th")).to_contain_text("1.2.1 Free cash flow")
    expect(line.locator("td.num").nth(1)).to_have_text(shown)

    line.get_by_role("link", name="1.2.1 Free cash flow").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("1.2.1 Free cash flow")
    expect(page.locator(".kpi-facts")).to_contain_text(DATA_SOURCE)
