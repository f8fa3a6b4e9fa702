"""The demo owner enters a monthly KPI's actual for its month on My updates (issue 15): the
row is its month's, not the quarter's, and saving it marks it entered. The demo has no
monthly KPI of the owner's, so the journey adds one through the services first."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from kpis import services as kpi_services
from kpis.models import KPI, Actual
from scorecard import fiscal
from scorecard import services as core
from scorecard.selectors import fiscal_start_month

pytestmark = pytest.mark.browser


def test_the_owner_enters_a_monthly_actual_for_its_month(demo, page, live_server, sign_in):
    owner = get_user_model().objects.get(username="owner")
    objective = KPI.objects.filter(owner=owner, source=KPI.Source.MANUAL).first().objective
    monthly = kpi_services.kpi_create(
        objective=objective, name="Orders shipped", owner=owner, frequency="month"
    )
    today = timezone.localdate()
    month = fiscal.month_of(today, fiscal_start_month())
    quarter = fiscal.quarter_of(today, fiscal_start_month())
    kpi_services.target_set(kpi=monthly, period=core.period_for_key(month.key), value="100")

    sign_in("owner")
    page.goto(f"{live_server.url}/my-updates/?period={quarter.key}")

    row = page.locator(f"#row-{monthly.pk}-{month.key}")
    expect(row.locator(".update-period")).to_have_text(month.label)
    expect(row.locator(".done-mark")).to_have_text("to do")
    row.locator("input[name=value]").fill("104")
    row.locator("input[name=value]").press("Enter")

    expect(row.locator(".done-mark")).to_have_text("✓ entered")
    expect(row.locator(".status")).to_have_attribute("data-status", "green")
    actual = Actual.objects.get(kpi=monthly)
    assert (actual.period.key, actual.value) == (month.key, Decimal("104"))
