"""A manager adds a calculated KPI in the editor: the live check catches an error and names
its column, the fixed formula reads "OK", and the scorecard shows the computed value."""

import pytest
from playwright.sync_api import expect

from kpis.models import KPI, ScoreSnapshot
from scorecard.selectors import last_ended_period

pytestmark = pytest.mark.browser

NAME = "Revenue per expense dollar"


def test_the_manager_adds_a_calculated_kpi(demo, page, live_server, sign_in):
    sign_in("manager")
    page.goto(f"{live_server.url}/units/sales/edit/")
    objective = page.locator("article.editor-objective", has_text="Keep selling costs in check")
    objective.get_by_text("Add a KPI to").click()
    new_kpi = objective.locator("details", has=page.get_by_text("Add a KPI to"))
    new_kpi.get_by_label("Code", exact=True).fill("F2.3")
    new_kpi.get_by_label("KPI name").fill(NAME)
    new_kpi.get_by_label("Unit").fill("x")
    new_kpi.get_by_label("Source", exact=True).select_option(label="Calculated")
    new_kpi.get_by_role("button", name="Add KPI").scroll_into_view_if_needed()
    expect(new_kpi.locator(".formula-references")).to_contain_text("[F1.1] Revenue")

    formula = new_kpi.get_by_label("Formula")
    formula.fill("[F1.1] / / [F2.1]")
    check = new_kpi.locator(".formula-check")
    expect(check).to_have_text('Unexpected "/" at column 10.')
    formula.fill("[F1.1] / [F2.1]")
    expect(check).to_have_text("OK: uses [F1.1], [F2.1]")
    new_kpi.get_by_role("button", name="Add KPI").click()
    expect(page.locator(".message")).to_contain_text(NAME)

    period = last_ended_period()
    inputs = {
        kpi.code: ScoreSnapshot.objects.get(subject_type="kpi", subject_id=kpi.pk, period=period)
        for kpi in KPI.objects.filter(
            objective__scorecard__org_unit__slug="sales", code__in=["F1.1", "F2.1"]
        )
    }
    expected = inputs["F1.1"].value / inputs["F2.1"].value
    page.goto(f"{live_server.url}/units/sales/?period={period.key}")
    row = page.locator("tr.kpi", has_text=NAME)
    expect(row).to_contain_text("calculated")
    expect(row.locator("td.num").nth(1)).to_have_text(f"{expected:,.1f}")
