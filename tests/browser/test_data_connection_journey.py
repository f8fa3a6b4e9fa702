"""An administrator connects the ERP (a real second PostgreSQL database); a manager imports
monthly sales by region from it with a date column, previews, runs, drills down from a value
to its source rows (from the run and from the KPI's page, which says which import and run
brought the value), and a second run after one source row changed reports one change."""

import uuid

import psycopg
import pytest
from django.db import connection as django_connection
from django.urls import reverse
from playwright.sync_api import expect

from kpis import services as kpi_services
from scorecard.models import OrgUnit, Perspective
from strategy import services as strategy_services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        django_connection.vendor != "postgresql", reason="the ERP is a PostgreSQL database"
    ),
]


@pytest.fixture
def erp(settings):
    settings.SIGHTLINE_CONNECTION_HOSTS = ["127.0.0.1"]
    own = django_connection.settings_dict
    host, port, user = own["HOST"] or "127.0.0.1", own["PORT"] or 5432, own["USER"] or "postgres"
    name = f"erp_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    erp = psycopg.connect(host=host, port=port, user=user, dbname=name, autocommit=True)
    try:
        yield erp, f"postgresql+psycopg://{user}@127.0.0.1:{port}/{name}"
    finally:
        erp.close()
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def regions(demo, django_user_model):
    """Two monthly KPIs of Sales, summed over time: sales of the North and South regions."""
    sales = OrgUnit.objects.get(slug="sales")
    manager = django_user_model.objects.get(username="manager")
    objective = strategy_services.objective_create(
        scorecard=sales.scorecard,
        perspective=Perspective.objects.order_by("order").first(),
        title="Grow sales in every region",
        owner=manager,
    )
    return {
        region: kpi_services.kpi_create(
            objective=objective,
            name=f"Sales {region}",
            code=f"REG-{region.upper()}",
            unit="USD",
            owner=manager,
            frequency="month",
            time_aggregation="sum",
        )
        for region in ("North", "South")
    }


def test_the_erp_feeds_monthly_sales_by_region(page, live_server, sign_in, erp, regions):
    database, url = erp
    database.execute("CREATE TABLE sales (kpi_id int, region text, day date, amount numeric)")
    north, south = regions["North"].pk, regions["South"].pk
    database.execute(
        "INSERT INTO sales VALUES "
        f"({north}, 'North', '2026-10-03', 1200), ({north}, 'North', '2026-10-21', 800), "
        f"({north}, 'North', '2026-11-09', 1500), ({south}, 'South', '2026-10-14', 900)"
    )

    # The administrator connects the ERP.
    sign_in("admin")
    page.goto(f"{live_server.url}/settings/connections/")
    page.get_by_label("Name").fill("ERP")
    page.get_by_label("Kind").select_option(label="SQL database")
    page.get_by_label("Url").fill(url)
    page.get_by_label("Secret").fill("not-needed-here")
    page.get_by_role("button", name="Save connection").click()
    expect(page.locator("#connections")).to_contain_text("ERP")
    expect(page.locator("body")).not_to_contain_text("not-needed-here")
    page.locator(".user-menu > summary").click()  # the user menu holds Sign out
    page.get_by_role("button", name="Sign out").click()

    # The manager imports monthly sales by region, with a date column.
    sign_in("manager")
    page.locator(".user-menu > summary").click()  # the user menu holds Imports
    page.get_by_role("link", name="Imports").click()
    page.get_by_role("link", name="New import").click()
    page.get_by_label("Name").fill("Sales by region")
    page.get_by_label("Connection").select_option(label="ERP")
    page.get_by_label("Org unit").select_option(label="Sales")
    page.get_by_label("Query").fill("SELECT kpi_id, day, amount FROM sales ORDER BY day")
    page.get_by_label("Mapping").fill(
        '{"kpi_id_column": "kpi_id", "date_column": "day", "value_column": "amount"}'
    )
    page.get_by_role("button", name="Save import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sales by region")
    expect(page.locator("body")).not_to_contain_text(url)

    # The preview: October's two North rows fold into one; three values, all new.
    page.get_by_role("button", name="Preview").click()
    rows = page.locator("#import-preview tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator(".import-counts")).to_contain_text("4 source rows · 3 new")
    expect(rows.first).to_contain_text("Sales North")
    expect(rows.first).to_contain_text("2,000")

    page.get_by_role("button", name="Run now").click()
    latest = page.locator("#runs tbody tr").first
    expect(latest).to_have_attribute("data-status", "succeeded")
    expect(latest.locator("td").nth(4)).to_have_text("3")

    # The values it wrote, and the source rows behind October's North value.
    latest.get_by_role("link").click()
    written = page.locator("#values-written tbody tr")
    expect(written).to_have_count(3)
    october = written.filter(has_text="Sales North").filter(has_text="Oct 2026")
    expect(october).to_contain_text("2,000")
    october.get_by_role("link", name="2 rows").click()
    expect(page.locator("#lineage-origin")).to_contain_text("From Sales by region, run")
    source = page.locator("#source-rows tbody tr")
    expect(source).to_have_count(2)
    expect(source.nth(0)).to_contain_text("1200")
    expect(source.nth(1)).to_contain_text("800")

    # The KPI's page says where October's value came from, and links the rows behind it.
    detail = reverse("kpis:kpi_detail", args=["sales", north])
    page.goto(f"{live_server.url}{detail}?period=2026-10")
    origin = page.locator("#explanation-provenance")
    expect(origin).to_contain_text("The actual is from Sales by region, run")
    expect(page.locator("table.history .provenance").first).to_contain_text(
        "from Sales by region, run"
    )
    origin.get_by_role("link").click()
    expect(page.locator("#lineage-origin")).to_contain_text("From Sales by region, run")
    expect(page.locator("#source-rows tbody tr")).to_have_count(2)

    # One source row changes: the second run changes exactly one value.
    database.execute("UPDATE sales SET amount = 1000 WHERE region = 'South'")
    page.locator(".user-menu > summary").click()  # the user menu holds Imports
    page.get_by_role("link", name="Imports").click()
    page.get_by_role("link", name="Sales by region").click()
    page.get_by_role("button", name="Run now").click()
    latest = page.locator("#runs tbody tr").first
    expect(page.locator("#runs tbody tr")).to_have_count(2)
    expect(latest).to_have_attribute("data-status", "succeeded")
    expect(latest.locator("td").nth(4)).to_have_text("1")
    expect(latest.locator("td").nth(5)).to_have_text("2")
